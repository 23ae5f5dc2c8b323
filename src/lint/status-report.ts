/**
 * `backlevel lint --report status`: the virt-objects migration dashboard. Rows are the spec's 25
 * driver methods, columns the driver classes; each cell says whether the implementation is clean,
 * uses raw calls (R), dict access on its instance argument (D), both (RD), or is not implemented (-).
 */
import pc from 'picocolors';
import type { ContractStatus, MethodStatus } from './contract.js';

const CELL: Record<MethodStatus, string> = {
  clean: 'ok',
  'raw-calls': 'R',
  'dict-access': 'D',
  'raw-calls+dict-access': 'RD',
  'not-implemented': '-',
};

export function formatStatusTable(status: ContractStatus, opts: { color?: boolean } = {}): string {
  const c = pc.createColors(opts.color ?? false);
  if (status.drivers.length === 0)
    return 'no driver classes (deriving from nova.virt.driver.ComputeDriver) found\n';
  const paint = (s: MethodStatus, text: string) =>
    s === 'clean'
      ? c.green(text)
      : s === 'not-implemented'
        ? c.dim(text)
        : s === 'dict-access'
          ? c.yellow(text)
          : c.red(text);
  const headers = status.drivers.map((d) => `${d.driver}:${d.className}`);
  const nameWidth = Math.max(6, ...status.methods.map((m) => m.length));
  const widths = headers.map((h) => Math.max(h.length, 2));
  const lines: string[] = [];
  lines.push(`${'method'.padEnd(nameWidth)}  ${headers.map((h, i) => h.padEnd(widths[i]!)).join('  ')}`);
  lines.push(`${'-'.repeat(nameWidth)}  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const m of status.methods) {
    const cells = status.drivers.map((d, i) => {
      const s = d.methods[m]?.status ?? 'not-implemented';
      return paint(s, CELL[s].padEnd(widths[i]!));
    });
    lines.push(`${m.padEnd(nameWidth)}  ${cells.join('  ')}`);
  }
  lines.push('');
  for (const d of status.drivers) {
    const all = Object.values(d.methods);
    const impl = all.filter((s) => s.status !== 'not-implemented');
    const clean = impl.filter((s) => s.status === 'clean').length;
    lines.push(
      `${d.driver}:${d.className} (${d.file}:${d.line}): ${clean}/${impl.length} implemented methods migrated`,
    );
  }
  lines.push(
    'legend: ok migrated, R raw conductor/db calls, D dict access on the instance, RD both, - not implemented',
  );
  return `${lines.join('\n')}\n`;
}
