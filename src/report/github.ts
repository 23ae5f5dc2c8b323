/**
 * GitHub Actions workflow commands (`::error file=...,line=...::message`): inline annotations on
 * the pull request diff. Values are escaped as the runner requires (%, CR, LF; and `:` `,` in
 * properties).
 */
import type { Severity } from './finding.js';
import type { ReportInput } from './report-input.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(input: ReportInput): string {
  const lines = input.findings.map((f) => {
    const props = [
      ...(f.file ? [`file=${escapeProperty(f.file)}`, `line=${f.line}`, `endLine=${f.endLine}`] : []),
      ...(f.file && f.line === f.endLine ? [`col=${f.column}`, `endColumn=${f.endColumn}`] : []),
      `title=${escapeProperty(`${f.rule}`)}`,
    ];
    const fix = f.fix ? ` (fix: backlevel migrate --codemod ${f.fix.codemod})` : '';
    return `::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(f.message + fix)}`;
  });
  return lines.length ? `${lines.join('\n')}\n` : '';
}
