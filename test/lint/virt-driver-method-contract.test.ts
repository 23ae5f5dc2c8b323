import { describe, expect, it } from 'vitest';
import { lintSources } from '../../src/lint/lint-sources.js';
import { RuleTester } from '../../src/lint/rule-tester.js';
import { virtDriverMethodContract } from '../../src/lint/rules/virt-driver-method-contract.js';

RuleTester.describe = describe;
RuleTester.it = it;

const BASE = {
  'nova/virt/driver.py': `
class ComputeDriver(object):
    def attach_volume(self, context, connection_info, instance, mountpoint):
        raise NotImplementedError()
`,
};

const VMOPS = `
class VMOps(object):
    def __init__(self, session, virtapi):
        self._virtapi = virtapi

    def attach_volume(self, connection_info, instance, mountpoint):
        return self._attach(instance, instance['name'])

    def _attach(self, instance, name):
        self._virtapi.instance_update(None, instance['uuid'], {'host': name})
`;

new RuleTester({ filename: 'nova/virt/xenapi/driver.py' }).run(
  'virt-driver-method-contract',
  virtDriverMethodContract,
  {
    valid: [
      {
        name: 'a migrated driver method',
        files: BASE,
        code: `
from nova.virt import driver


class XenAPIDriver(driver.ComputeDriver):
    def attach_volume(self, context, connection_info, instance, mountpoint):
        return instance.name
`,
      },
      {
        name: 'a class that is not a driver',
        files: BASE,
        code: `
class Helper(object):
    def attach_volume(self, context, connection_info, instance, mountpoint):
        return instance['name']
`,
      },
    ],
    invalid: [
      {
        name: 'delegation through self._vmops follows into another file',
        files: { ...BASE, 'nova/virt/xenapi/vmops.py': VMOPS },
        code: `
from nova.virt import driver
from nova.virt.xenapi import vmops


class XenAPIDriver(driver.ComputeDriver):
    def __init__(self, virtapi):
        self._vmops = vmops.VMOps(None, virtapi)

    def attach_volume(self, context, connection_info, instance, mountpoint):
        return self._vmops.attach_volume(connection_info, instance, mountpoint)
`,
        errors: [
          {
            message:
              'XenAPIDriver.attach_volume() [xenapi] still uses raw conductor/db calls and dict access on its instance argument: 1 raw call, 2 dict accesses via VMOps.attach_volume, VMOps._attach',
            line: 10,
            severity: 'info',
            data: { status: 'raw-calls+dict-access', rawCalls: 1, dictAccesses: 2 },
          },
        ],
      },
      {
        name: 'a subclass inherits the status of its base driver',
        files: BASE,
        code: `
from nova.virt import driver


class ESXDriver(driver.ComputeDriver):
    def attach_volume(self, context, connection_info, instance, mountpoint):
        return instance['name']


class VCDriver(ESXDriver):
    pass
`,
        errors: [
          {
            line: 6,
            message:
              /^ESXDriver\.attach_volume\(\) \[xenapi\] still uses dict access on its instance argument: 1 dict access$/,
          },
          {
            line: 10,
            message:
              /^VCDriver\.attach_volume\(\).*\(inherited from nova\.virt\.xenapi\.driver\.ESXDriver\)$/,
          },
        ],
      },
    ],
  },
);

describe('contract status table', () => {
  it('gives every spec method per driver class, including not-implemented ones', async () => {
    const res = await lintSources(
      {
        ...BASE,
        'nova/virt/fake.py': `
from nova.virt import driver


class FakeDriver(driver.ComputeDriver):
    def get_info(self, instance):
        return {'state': instance.power_state}

    def reset_network(self, instance):
        return instance['uuid']
`,
      },
      { only: ['virt-driver-method-contract'] },
    );
    expect(res.status?.methods).toHaveLength(25);
    const fake = res.status!.drivers.find((d) => d.className === 'FakeDriver')!;
    expect(fake.driver).toBe('fake');
    expect(fake.methods.get_info!.status).toBe('clean');
    expect(fake.methods.reset_network!.status).toBe('dict-access');
    expect(fake.methods.attach_volume!.status).toBe('not-implemented');
    expect(res.status!.drivers.map((d) => d.className)).toEqual(['FakeDriver']);
  });
});

describe('delegation targets', () => {
  it('follows self attributes assigned plainly, with an annotation, or over a line continuation', async () => {
    const ops = (cls: string) => `
class ${cls}(object):
    def attach_volume(self, connection_info, instance, mountpoint):
        return instance['name']
`;
    const res = await lintSources(
      {
        ...BASE,
        'nova/virt/xenapi/vmops.py': ops('VMOps'),
        'nova/virt/xenapi/volumeops.py': ops('VolumeOps'),
        'nova/virt/xenapi/host.py': ops('Host'),
        'nova/virt/xenapi/driver.py': `
from nova.virt import driver
from nova.virt.xenapi import host
from nova.virt.xenapi import vmops
from nova.virt.xenapi import volumeops


class XenAPIDriver(driver.ComputeDriver):
    def __init__(self, virtapi):
        self._vmops = vmops.VMOps()
        self._volumeops: volumeops.VolumeOps = volumeops.VolumeOps()
        self.\\
            _host = host.Host()
        if self._vmops == None:
            self._other = None

    def attach_volume(self, context, connection_info, instance, mountpoint):
        self._vmops.attach_volume(connection_info, instance, mountpoint)
        self._volumeops.attach_volume(connection_info, instance, mountpoint)
        return self._host.attach_volume(connection_info, instance=instance, mountpoint=mountpoint)
`,
      },
      { only: ['virt-driver-method-contract'] },
    );
    const xen = res.status!.drivers.find((d) => d.className === 'XenAPIDriver')!;
    expect(xen.methods.attach_volume).toMatchObject({
      status: 'dict-access',
      dictAccesses: 3,
      via: ['VMOps.attach_volume', 'VolumeOps.attach_volume', 'Host.attach_volume'],
    });
  });
});
