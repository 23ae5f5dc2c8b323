/**
 * Assembles the HTML report from whatever a command has: the findings (always), the gate's run
 * (verdict, base, change, analyzers, skipped history), the object compatibility matrix, and the
 * migration dashboard. Every finding gets one anchor (`f-N`); the matrix renders object findings
 * inside its cells, the findings section renders the rest, and the dashboard links to them.
 */
import type { GateReport } from '../../workflow/gate.js';
import { compareFindings, type Finding, type Severity } from '../finding.js';
import type { ReportSummary, RuleDescriptor } from '../report-input.js';
import { type MigrationDashboard, renderDashboard } from './dashboard.js';
import { type DocumentInput, type ReportSection, renderDocument } from './document.js';
import { esc, plural } from './escape.js';
import { type FindingExtras, findingsByFileHtml, SEVERITY_STATUS, severityBadges } from './findings.js';
import { badge, icon } from './icons.js';
import { type CompatibilityMatrix, renderMatrix } from './matrix.js';

export interface HtmlReportInput {
  /** The command that produced it: `gate`, `lint`, `verify objects`. */
  command: string;
  title?: string;
  /** What was analysed (a tree, a repository at a revision). */
  subject?: string;
  tool?: { name: string; version: string };
  /** Shown in the header; omit for byte-identical reports of identical runs. */
  generatedAt?: string;
  findings: readonly Finding[];
  rules?: readonly RuleDescriptor[];
  summary?: ReportSummary;
  source?: (file: string) => string | undefined;
  /** Codemod diffs / notes per finding (see fix-diffs.ts). */
  extras?: ReadonlyMap<Finding, FindingExtras>;
  gate?: GateReport;
  matrix?: CompatibilityMatrix;
  dashboard?: MigrationDashboard;
  /** Severity at and above which the run fails (default error). */
  failOn?: Severity | 'never';
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

function failing(findings: readonly Finding[], failOn: Severity | 'never'): boolean {
  return failOn !== 'never' && findings.some((f) => RANK[f.severity] >= RANK[failOn]);
}

function summarySection(input: HtmlReportInput): string {
  const out: string[] = [];
  const g = input.gate;
  const failOn = g?.failOn ?? input.failOn ?? 'error';
  const fail = g ? g.exitCode !== 0 : failing(input.findings, failOn);
  out.push(
    `<p><span class="verdict ${fail ? 'fail' : 'pass'}" role="status">${icon(fail ? 'fail' : 'pass')}<span>${fail ? 'FAIL' : 'PASS'}</span></span> ${severityBadges(input.findings)} <span class="muted">${failOn === 'never' ? 'never fails' : `fails on ${esc(failOn)} and above`}</span></p>`,
  );
  if (g) {
    const facts: [string, string][] = [
      ['tree', g.tree],
      [
        'repository',
        g.repo.gitRoot
          ? `${g.repo.gitRoot}${g.repo.prefix ? ` (tree = ${g.repo.prefix})` : ''}${g.repo.shallow ? ', shallow clone' : ''}${g.dirty ? ', uncommitted changes included' : ''}`
          : 'not a git work tree',
      ],
      [
        'base',
        g.base.rev ? `${g.base.rev.slice(0, 12)} (${g.base.how})` : `none (${g.base.missing ?? 'unknown'})`,
      ],
    ];
    if (g.changes)
      facts.push([
        'change',
        `${plural(g.changes.files, 'file')}${g.changes.untracked ? `, ${g.changes.untracked} untracked` : ''}`,
      ]);
    out.push(
      `<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`,
    );
    out.push('<div class="table-wrap"><table class="full analyzers">');
    out.push('<caption>Analyzers</caption>');
    out.push(
      '<thead><tr><th scope="col">analyzer</th><th scope="col">status</th><th scope="col" class="num">findings</th><th scope="col">what it looked at</th><th scope="col" class="num">time</th></tr></thead><tbody>',
    );
    for (const a of g.analyzers) {
      const st =
        a.status === 'skipped'
          ? badge('none', 'skipped')
          : a.findings
            ? badge(
                g.findings.some((f) => analyzerOf(f) === a.name && f.severity === 'error') ? 'fail' : 'warn',
                'findings',
              )
            : badge('pass', 'clean');
      out.push(
        `<tr><th scope="row">${esc(a.name)}</th><td>${st}</td><td class="num">${a.findings}</td><td>${esc(a.detail)}</td><td class="num">${a.status === 'ran' ? `${Math.round(a.elapsedMs)} ms` : '—'}</td></tr>`,
      );
    }
    out.push('</tbody></table></div>');
    if (g.skipped.length) {
      out.push('<h3>Skipped / missing history</h3><ul class="notes">');
      for (const s of g.skipped) out.push(`<li>${esc(s)}</li>`);
      out.push('</ul>');
    }
  }
  // Counts by rule.
  const byRule = new Map<string, Record<Severity, number>>();
  for (const f of input.findings) {
    const c = byRule.get(f.rule) ?? { error: 0, warning: 0, info: 0 };
    c[f.severity]++;
    byRule.set(f.rule, c);
  }
  if (byRule.size) {
    const titles = new Map((input.rules ?? []).map((r) => [r.id, r.title]));
    out.push(
      '<div class="table-wrap"><table class="full by-rule"><caption>Findings by rule or check</caption>',
    );
    const described = [...byRule.keys()].some((r) => titles.has(r));
    out.push(
      `<thead><tr><th scope="col">rule</th>${described ? '<th scope="col">what it means</th>' : ''}<th scope="col" class="num">errors</th><th scope="col" class="num">warnings</th><th scope="col" class="num">info</th></tr></thead><tbody>`,
    );
    for (const [rule, c] of [...byRule].sort((a, b) => a[0].localeCompare(b[0])))
      out.push(
        `<tr><th scope="row"><code>${esc(rule)}</code></th>${described ? `<td>${esc(titles.get(rule) ?? '')}</td>` : ''}<td class="num">${c.error}</td><td class="num">${c.warning}</td><td class="num">${c.info}</td></tr>`,
      );
    out.push('</tbody></table></div>');
  }
  const skippedFiles = (input.summary?.skipped ?? []) as { path: string; message: string }[];
  if (skippedFiles.length) {
    out.push('<details><summary>Files not analysed</summary><ul class="notes">');
    for (const s of skippedFiles) out.push(`<li>${esc(s.message)}</li>`);
    out.push('</ul></details>');
  }
  return out.join('');
}

/** Which gate analyzer a finding came from (by rule family). */
function analyzerOf(f: Finding): string {
  if (
    f.rule.startsWith('pin-') ||
    /constraint|legacy-module|unused-pin|unknown-symbol|incompatible-uses|excluded-needed|requirement-syntax/.test(
      f.rule,
    )
  )
    return 'pins';
  if (f.data && 'object' in f.data) return 'objects';
  return 'lint';
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const findings = [...input.findings].sort(compareFindings);
  const ids = new Map<Finding, string>();
  for (const [i, f] of findings.entries()) ids.set(f, `f-${i + 1}`);
  const anchor = (f: Finding) => ids.get(f);
  const sections: ReportSection[] = [];
  sections.push({
    id: 'summary',
    title: input.gate ? 'Gate summary' : 'Summary',
    html: summarySection(input),
  });
  const inMatrix = new Set<Finding>();
  if (input.matrix) {
    for (const r of input.matrix.rows) {
      for (const c of r.cells) for (const cf of c.findings) inMatrix.add(cf.finding);
      for (const cf of r.current) inMatrix.add(cf.finding);
    }
    sections.push({
      id: 'matrix',
      title: 'Object compatibility matrix',
      html: renderMatrix(input.matrix, (f) => ids.get(f) ?? ''),
    });
  }
  if (input.dashboard)
    sections.push({
      id: 'dashboard',
      title: 'Migration dashboard',
      html: renderDashboard(input.dashboard, anchor),
    });
  const rest = findings.filter((f) => !inMatrix.has(f));
  const note = inMatrix.size
    ? `<p class="note">${plural(inMatrix.size, 'object finding')} ${inMatrix.size === 1 ? 'is' : 'are'} shown in the matrix cells above.</p>`
    : '';
  sections.push({
    id: 'findings',
    title: `Findings (${rest.length})`,
    html: `${note}${findingsByFileHtml(rest, ids, {
      ...(input.source ? { source: input.source } : {}),
      ...(input.extras ? { extras: (f: Finding) => input.extras?.get(f) } : {}),
      hideData: ['lineText'],
    })}`,
  });
  const tool = input.tool ? `${input.tool.name} ${input.tool.version}` : 'backlevel';
  const doc: DocumentInput = {
    title: input.title ?? `backlevel ${input.command} report`,
    ...(input.subject ? { subtitle: input.subject } : {}),
    meta: [`${tool} · ${input.command}${input.generatedAt ? ` · ${input.generatedAt}` : ''}`],
    sections,
  };
  return renderDocument(doc);
}

export { SEVERITY_STATUS };
