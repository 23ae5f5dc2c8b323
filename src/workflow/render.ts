/**
 * Rendering of the gate and backport reports: text (for people and CI logs), JSON (documented shape:
 * `GateReport` / `BackportReport` with `findings` in the shared Finding shape), GitHub workflow
 * annotations; SARIF, JUnit and GitHub annotations go through the shared reporters in src/report.
 */
import pc from 'picocolors';
import { packageVersion } from '../config/package-root.js';
import type { Finding } from '../report/finding.js';
import { formatReport } from '../report/index.js';
import type { BackportReport } from './backport.js';
import type { GateReport } from './gate.js';

export const FORMATS = ['text', 'json', 'sarif', 'junit', 'github'] as const;
export type Format = (typeof FORMATS)[number];

type Colors = ReturnType<typeof pc.createColors>;

function sev(c: Colors, s: Finding['severity']): string {
  return s === 'error' ? c.red('error') : s === 'warning' ? c.yellow('warning') : c.blue('info');
}

export function findingLine(c: Colors, f: Finding): string {
  const where = f.file ? `${f.file}:${f.line}:${f.column}` : '(no file)';
  const fix = f.fix ? c.dim(` [fix: ${f.fix.codemod}]`) : '';
  const sugg = f.suggestion ? `\n      ${c.dim(`suggestion: ${f.suggestion}`)}` : '';
  return `  ${where}  ${sev(c, f.severity)}  ${f.message}  ${c.dim(f.rule)}${fix}${sugg}`;
}

export function renderGateText(r: GateReport, color: boolean): string {
  const c = pc.createColors(color);
  const out: string[] = [];
  out.push(c.bold(`backlevel gate: ${r.tree}`));
  if (r.repo.gitRoot) {
    out.push(
      `  repository ${r.repo.gitRoot}${r.repo.prefix ? ` (tree = ${r.repo.prefix})` : ''}${r.repo.shallow ? ', shallow clone' : ''}${r.dirty ? ', uncommitted changes included' : ''}`,
    );
  } else out.push('  not a git work tree');
  out.push(`  base: ${r.base.rev ? r.base.how : `none (${r.base.missing})`}`);
  if (r.changes)
    out.push(
      `  change: ${r.changes.files} file(s)${r.changes.untracked ? `, ${r.changes.untracked} untracked` : ''}`,
    );
  for (const a of r.analyzers) {
    out.push(
      `  ${a.name.padEnd(8)} ${a.status === 'ran' ? `${a.findings} finding(s)` : 'skipped'} — ${a.detail}${a.status === 'ran' ? c.dim(` (${Math.round(a.elapsedMs)} ms)`) : ''}`,
    );
  }
  if (r.skipped.length) {
    out.push('', c.bold('Skipped / missing history:'));
    for (const s of r.skipped) out.push(`  - ${s}`);
  }
  out.push('');
  if (r.findings.length) {
    out.push(c.bold('Findings:'));
    for (const f of r.findings) out.push(findingLine(c, f));
    out.push('');
  }
  const counts = countBySeverity(r.findings);
  const verdict = r.exitCode === 0 ? c.green('PASS') : c.red('FAIL');
  out.push(`${verdict}: ${counts} (fails on ${r.failOn} and above)`);
  return `${out.join('\n')}\n`;
}

function countBySeverity(findings: readonly Finding[]): string {
  const n = (s: string) => findings.filter((f) => f.severity === s).length;
  return `${n('error')} error(s), ${n('warning')} warning(s), ${n('info')} info`;
}

export function renderBackportText(r: BackportReport, color: boolean): string {
  const c = pc.createColors(color);
  const out: string[] = [c.bold(`backlevel backport onto ${r.onto} (${r.ontoCommit.slice(0, 12)})`), ''];
  for (const cr of r.commits) {
    const tag =
      cr.status === 'clean'
        ? c.green('ok')
        : cr.status === 'conflict'
          ? c.red('CONFLICT')
          : cr.status === 'findings'
            ? c.red('FINDINGS')
            : cr.status === 'empty'
              ? c.dim('already applied')
              : c.red('ERROR');
    out.push(`${c.bold(cr.commit.slice(0, 12))} ${cr.subject}  ${tag}`);
    if (cr.apply.ok && cr.apply.files.length)
      out.push(c.dim(`  applies cleanly (${cr.apply.files.length} file(s))`));
    for (const f of cr.findings) out.push(findingLine(c, f));
    for (const s of cr.skipped) out.push(c.dim(`  - ${s}`));
    if (cr.reverse) {
      if (cr.reverse.unavailable) out.push(`  reverse codemod: unavailable (${cr.reverse.unavailable})`);
      else {
        out.push(
          `  ${cr.reverse.applied ? 'applied in the temporary tree' : 'proposed (run with --fix to apply it in the temporary tree)'}: xenapi-imports-reverse`,
        );
        for (const l of cr.reverse.diff.split('\n'))
          if (l) out.push(`    ${l.startsWith('+') ? c.green(l) : l.startsWith('-') ? c.red(l) : l}`);
        for (const m of cr.reverse.manual) out.push(`    manual: ${m.file}:${m.line} ${m.reason}`);
        if (cr.reverse.remaining) {
          out.push(
            cr.reverse.remaining.length
              ? `  after the fix, still:`
              : c.green('  after the fix: no os-xenapi finding left'),
          );
          for (const f of cr.reverse.remaining) out.push(findingLine(c, f));
        }
      }
    }
    out.push('');
  }
  const s = r.summary;
  out.push(
    `${s.findings || s.conflicts || s.errors ? c.red('FAIL') : c.green('PASS')}: ${s.commits} commit(s): ${s.clean} clean, ${s.withFindings} with findings, ${s.conflicts} conflicting, ${s.empty} already applied, ${s.errors} not applicable; ${countBySeverity(r.findings)}`,
  );
  return `${out.join('\n')}\n`;
}

/**
 * SARIF, JUnit and GitHub annotations through the shared reporters (src/report), so that gate and
 * backport reports look like every other backlevel report.
 */
export function renderSharedFormat(
  format: 'sarif' | 'junit' | 'github',
  findings: readonly Finding[],
  meta: { command: 'gate' | 'backport'; elapsedMs?: number },
): string {
  return formatReport(format, {
    findings,
    command: meta.command,
    tool: { name: 'backlevel', version: packageVersion() },
    summary: meta.elapsedMs !== undefined ? { elapsedMs: meta.elapsedMs } : {},
  });
}
