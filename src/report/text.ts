/**
 * Human text: one block per finding (`file:line:col  severity  message  [rule]`, the fix codemod,
 * a code frame), then counts by severity and rule. Colours only when asked (a TTY without NO_COLOR).
 */
import pc from 'picocolors';
import { codeFrame } from './code-frame.js';
import type { Severity } from './finding.js';
import type { ReportInput } from './report-input.js';

export interface TextOptions {
  color?: boolean;
  /** Code frames under each finding (default true when sources are available). */
  frames?: boolean;
}

export function formatText(input: ReportInput, opts: TextOptions = {}): string {
  const c = pc.createColors(opts.color ?? false);
  const sev: Record<Severity, (s: string) => string> = { error: c.red, warning: c.yellow, info: c.cyan };
  const out: string[] = [];
  const cache = new Map<string, string | undefined>();
  const src = (file: string) => {
    if (!cache.has(file)) cache.set(file, input.source?.(file));
    return cache.get(file);
  };
  for (const f of input.findings) {
    const where = f.file ? `${f.file}:${f.line}:${f.column}` : '(no file)';
    out.push(`${c.bold(where)}  ${sev[f.severity](f.severity)}  ${f.message}  ${c.dim(`[${f.rule}]`)}`);
    if (f.fix)
      out.push(
        `  ${c.green('fix:')} backlevel migrate --codemod ${f.fix.codemod}${f.fix.description ? ` (${f.fix.description})` : ''}`,
      );
    const text = f.file && opts.frames !== false ? src(f.file) : undefined;
    if (text !== undefined) out.push(codeFrame(text, f, c));
    out.push('');
  }
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  const byRule = new Map<string, number>();
  for (const f of input.findings) {
    counts[f.severity]++;
    byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
  }
  const total = input.findings.length;
  if (total === 0) out.push(c.green('no findings'));
  else {
    out.push(
      `${total} finding${total === 1 ? '' : 's'}: ${(['error', 'warning', 'info'] as const)
        .filter((s) => counts[s])
        .map((s) => sev[s](`${counts[s]} ${s}${counts[s] === 1 ? '' : 's'}`))
        .join(', ')}`,
    );
    for (const [rule, n] of [...byRule].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])))
      out.push(`  ${String(n).padStart(5)}  ${rule}`);
  }
  return `${out.join('\n')}\n`;
}
