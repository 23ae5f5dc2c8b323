/**
 * Paths inside `nova/virt` that the virt-driver rules leave alone: the fakes, the VirtAPI and the
 * driver base class (the raw layer itself), and the legacy in-tree XenAPI client.
 */
export const VIRT_DRIVER_EXCLUDES: readonly string[] = [
  'nova/virt/fake.py',
  'nova/virt/xenapi/fake.py',
  'nova/virt/virtapi.py',
  'nova/virt/driver.py',
  'nova/virt/xenapi/client/**',
];
