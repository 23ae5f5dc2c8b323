/**
 * virt-driver-method-contract: for each of the 25 driver methods of the virt-objects spec, per driver
 * class (every class deriving from nova.virt.driver.ComputeDriver: libvirt, xenapi, vmwareapi,
 * hyperv, ironic, baremetal, fake, ...), whether its implementation still uses raw calls or dict
 * access on its instance argument, following delegation to helper objects. The per-file facts are
 * collected in the workers (src/lint/contract.ts); the findings and the status table
 * (`--report status`) are built once every file is in.
 */
import type { Finding } from '../../report/finding.js';
import type { ClassInfo, ContractStatus, Span } from '../contract.js';
import type { LintRule } from '../types.js';

export const virtDriverMethodContract: LintRule = {
  meta: {
    id: 'virt-driver-method-contract',
    title: 'Virt driver method not yet migrated to objects',
    description:
      'A driver class implements one of the 25 methods of the virt-objects spec with raw conductor/db calls or ' +
      'dict-style access on its instance argument (directly or through the helper it delegates to).',
    severity: 'info',
    docs: 'README.md#virt-driver-method-contract',
    fixableBy: 'conductor-to-objects',
    scope: ['nova/virt/**'],
    triggers: ['class '],
  },
  check() {
    // Cross-file: see contractFindings().
  },
};

function describe(status: string): string {
  switch (status) {
    case 'raw-calls':
      return 'raw conductor/db calls';
    case 'dict-access':
      return 'dict access on its instance argument';
    default:
      return 'raw conductor/db calls and dict access on its instance argument';
  }
}

/** One finding per driver class and spec method whose implementation is not migrated. */
export function contractFindings(
  status: ContractStatus,
  classes: ClassInfo[],
  severity = virtDriverMethodContract.meta.severity,
): Finding[] {
  const index = new Map(classes.map((c) => [c.qualifiedName, c]));
  const out: Finding[] = [];
  for (const d of status.drivers) {
    const cls = index.get(d.qualifiedName);
    if (!cls) continue;
    for (const [method, s] of Object.entries(d.methods)) {
      if (s.status === 'clean' || s.status === 'not-implemented') continue;
      const own = s.definedIn === d.qualifiedName ? cls.methods[method] : undefined;
      const at: Span = own ?? cls;
      const counts = [
        s.rawCalls ? `${s.rawCalls} raw call${s.rawCalls === 1 ? '' : 's'}` : '',
        s.dictAccesses ? `${s.dictAccesses} dict access${s.dictAccesses === 1 ? '' : 'es'}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      const inherited = own ? '' : ` (inherited from ${s.definedIn})`;
      const via = s.via.length ? ` via ${s.via.join(', ')}` : '';
      out.push({
        rule: virtDriverMethodContract.meta.id,
        severity,
        file: cls.file,
        line: at.line,
        column: at.column,
        endLine: at.endLine,
        endColumn: at.endColumn,
        message: `${d.className}.${method}() [${d.driver}] still uses ${describe(s.status)}: ${counts}${via}${inherited}`,
        fix: { codemod: 'conductor-to-objects' },
        data: {
          driver: d.driver,
          className: d.className,
          method,
          status: s.status,
          rawCalls: s.rawCalls,
          dictAccesses: s.dictAccesses,
          via: s.via,
          lineText: at.lineText,
        },
      });
    }
  }
  return out;
}
