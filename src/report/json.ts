/**
 * The JSON report (schema: schemas/report.schema.json, `$id` backlevel-report): tool, summary and
 * findings with `rule`, `severity`, `file`, `line`, `column`, `endLine`, `endColumn` (1-based),
 * `message`, `fix`, `suggestion`, `fingerprint`, and the rule's own fields (`Finding.data`) flattened
 * beside them: `object`, `version`, `targetVersion` for object checks; `package`, `symbol`,
 * `neededVersion`, `specifier` for pin checks. A data key never overrides a core key.
 */
import type { ReportInput } from './report-input.js';

export const JSON_REPORT_VERSION = 1;

export function jsonReport(input: ReportInput): Record<string, unknown> {
  return {
    version: JSON_REPORT_VERSION,
    tool: { name: input.tool?.name ?? 'backlevel', version: input.tool?.version ?? '0.0.0' },
    ...(input.command ? { command: input.command } : {}),
    summary: input.summary ?? {},
    findings: input.findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      file: f.file,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      message: f.message,
      fix: f.fix ?? null,
      ...(f.suggestion !== undefined ? { suggestion: f.suggestion } : {}),
      ...(f.fingerprint !== undefined ? { fingerprint: f.fingerprint } : {}),
      ...flattenData(f.data),
    })),
    ...(input.extra ?? {}),
  };
}

export function formatJson(input: ReportInput): string {
  return `${JSON.stringify(jsonReport(input), null, 2)}\n`;
}

const CORE_KEYS = new Set([
  'rule',
  'severity',
  'file',
  'line',
  'column',
  'endLine',
  'endColumn',
  'message',
  'fix',
  'suggestion',
  'fingerprint',
]);

function flattenData(data: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!data) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) if (!CORE_KEYS.has(k) && v !== undefined) out[k] = v;
  return out;
}
