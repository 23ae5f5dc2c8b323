/**
 * Output of `backlevel verify pins`: a text summary of uses, needs and requirement lines; JSON with
 * the whole report and findings that carry `rule`, `package`, `symbol`, `neededVersion`,
 * `specifier`, `file`, `line`, `message` (`data` flattened); SARIF, JUnit and GitHub annotations
 * through the shared reporters in src/report.
 */
import { packageVersion } from '../../config/package-root.js';
import type { Finding } from '../../report/finding.js';
import { formatReport, type ReportInput } from '../../report/index.js';
import type { PinsReport } from './verify-pins.js';

export const PIN_FORMATS = ['text', 'json', 'sarif', 'junit', 'github'] as const;
export type PinFormat = (typeof PIN_FORMATS)[number];

export function flattenFinding(f: Finding): Record<string, unknown> {
  const { data, ...rest } = f;
  return { ...rest, ...(data ?? {}) };
}

export function renderJson(report: PinsReport): string {
  return `${JSON.stringify({ ...report, findings: report.findings.map(flattenFinding) }, null, 2)}\n`;
}

export function renderText(report: PinsReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`${f.file || '(tree)'}:${f.line}:${f.column}: ${f.severity} [${f.rule}] ${f.message}`);
  }
  if (report.findings.length) lines.push('');
  const req = report.requirements.filter((r) => !r.constraint);
  const con = report.requirements.filter((r) => r.constraint);
  lines.push(
    `${report.package}: ${report.uses.length} distinct use${report.uses.length === 1 ? '' : 's'} of ${report.importName} in ${report.files.importing} importing file${report.files.importing === 1 ? '' : 's'} (${report.files.parsed} parsed of ${report.files.discovered})`,
  );
  if (report.uses.length) {
    lines.push(
      `  needs: ${report.neededVersion ? `>=${report.neededVersion}` : 'no indexed version provides every use'}; works with ${report.working.join(', ') || 'none'} (index: ${report.indexVersions[0]}–${report.indexVersions.at(-1)})`,
    );
    for (const d of report.decidedBy.slice(0, 5)) {
      lines.push(
        `    set by ${d.symbol}${d.call ? ` (${d.call})` : ''}: ${d.works.join(', ')} (${d.example})`,
      );
    }
  }
  if (report.decidedBy.length > 5)
    lines.push(`    and ${report.decidedBy.length - 5} more uses that need it`);
  for (const r of req) lines.push(`  required: ${r.raw} (${r.file}:${r.line})`);
  for (const r of con) lines.push(`  constrained: ${r.raw} (${r.file}:${r.line})`);
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.filter((f) => f.severity === 'warning').length;
  lines.push(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n`;
}

function sharedInput(report: PinsReport): ReportInput {
  return {
    findings: report.findings,
    command: 'verify pins',
    tool: { name: 'backlevel', version: packageVersion() },
    summary: { filesRead: report.files.parsed },
  };
}

export function renderPins(report: PinsReport, format: PinFormat): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'sarif':
    case 'junit':
    case 'github':
      return formatReport(format, sharedInput(report));
    default:
      return renderText(report);
  }
}
