/**
 * Output of `backlevel verify pins`. Interim renderers (text, json, sarif, junit, github) kept in
 * this folder until the shared reporters in `src/report/` land; JSON findings carry `rule`,
 * `package`, `symbol`, `neededVersion`, `specifier`, `file`, `line`, `message` (`data` flattened).
 */
import type { Finding } from '../../report/finding.js';
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

function xml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderJunit(report: PinsReport): string {
  const failures = report.findings.filter((f) => f.severity === 'error');
  const cases = report.findings.map((f) => {
    const name = xml(`${f.rule} ${f.file}:${f.line}`);
    const body =
      f.severity === 'error'
        ? `<failure type="${xml(f.rule)}" message="${xml(f.message)}"/>`
        : `<system-out>${xml(`${f.severity}: ${f.message}`)}</system-out>`;
    return `    <testcase classname="backlevel.verify.pins" name="${name}">${body}</testcase>`;
  });
  if (!cases.length)
    cases.push(`    <testcase classname="backlevel.verify.pins" name="${xml(report.package)} pins"/>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name="verify pins" tests="${cases.length}" failures="${failures.length}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

export function renderGithub(report: PinsReport): string {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  return report.findings
    .map((f) => {
      const level = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
      return `::${level} file=${esc(f.file)},line=${f.line},col=${f.column},title=${esc(f.rule)}::${esc(f.message)}\n`;
    })
    .join('');
}

export function renderSarif(report: PinsReport): string {
  const rules = [...new Set(report.findings.map((f) => f.rule))].sort();
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'backlevel',
            informationUri: 'https://github.com/',
            rules: rules.map((id) => ({ id })),
          },
        },
        results: report.findings.map((f) => ({
          ruleId: f.rule,
          level: f.severity === 'info' ? 'note' : f.severity,
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file },
                region: {
                  startLine: f.line,
                  startColumn: f.column,
                  endLine: f.endLine,
                  endColumn: f.endColumn,
                },
              },
            },
          ],
          properties: f.data ?? {},
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

export function renderPins(report: PinsReport, format: PinFormat): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report);
    case 'junit':
      return renderJunit(report);
    case 'github':
      return renderGithub(report);
    default:
      return renderText(report);
  }
}
