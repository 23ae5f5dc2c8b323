/**
 * Findings as HTML: one card per finding (severity badge with icon and word, location, rule,
 * message, the rule's own facts, the fix codemod, a code frame, and the codemod's diff for the
 * finding's lines when one was attached), grouped under a heading, each with a stable anchor that
 * the matrix and the dashboard link to.
 */
import type { Finding, Severity } from '../finding.js';
import { codeFrameHtml, unifiedDiffHtml } from './code.js';
import { esc, plural } from './escape.js';
import { badge, type StatusKind } from './icons.js';

export const SEVERITY_STATUS: Record<Severity, StatusKind> = { error: 'fail', warning: 'warn', info: 'info' };

/** Where a finding is, as people read it. */
export function whereText(f: Finding): string {
  return f.file ? `${f.file}:${f.line}:${f.column}` : '(no file)';
}

/** Extras attached to one finding by the caller. */
export interface FindingExtras {
  /** Unified diff of what the fixing codemod changes around the finding. */
  fixDiff?: string;
  /** Why no diff is shown although the finding names a codemod. */
  fixNote?: string;
}

export interface FindingRenderContext {
  source?: (file: string) => string | undefined;
  extras?: (f: Finding) => FindingExtras | undefined;
  /** Data keys not to repeat in the facts list. */
  hideData?: readonly string[];
}

function dataFacts(f: Finding, hide: ReadonlySet<string>): string {
  const rows: string[] = [];
  for (const [k, v] of Object.entries(f.data ?? {})) {
    if (hide.has(k) || v === null || v === undefined || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
    rows.push(`<dt>${esc(k)}</dt><dd>${esc(text.length > 300 ? `${text.slice(0, 300)}…` : text)}</dd>`);
  }
  return rows.length ? `<dl class="facts">${rows.join('')}</dl>` : '';
}

export function findingHtml(f: Finding, id: string, ctx: FindingRenderContext = {}): string {
  const hide = new Set(ctx.hideData ?? []);
  const parts: string[] = [];
  parts.push(
    `<div class="finding-head">${badge(SEVERITY_STATUS[f.severity], f.severity)}<span class="where">${esc(whereText(f))}</span><span class="rule">[${esc(f.rule)}]</span></div>`,
  );
  parts.push(`<p class="msg">${esc(f.message)}</p>`);
  const facts = dataFacts(f, hide);
  if (facts) parts.push(facts);
  if (f.suggestion) parts.push(`<p class="msg">Suggested: <code>${esc(f.suggestion)}</code></p>`);
  if (f.fix)
    parts.push(
      `<p class="msg">Fix: <code>backlevel migrate --codemod ${esc(f.fix.codemod)}</code>${f.fix.description ? ` (${esc(f.fix.description)})` : ''}</p>`,
    );
  const text = f.file ? ctx.source?.(f.file) : undefined;
  const frame = text !== undefined ? codeFrameHtml(text, f) : undefined;
  if (frame) parts.push(frame);
  const extras = ctx.extras?.(f);
  if (extras?.fixDiff)
    parts.push(
      `<details class="fix-diff" open><summary>What <code>${esc(f.fix?.codemod ?? 'the codemod')}</code> changes here</summary>${unifiedDiffHtml(extras.fixDiff, `diff of ${f.fix?.codemod ?? 'codemod'}`)}</details>`,
    );
  else if (extras?.fixNote) parts.push(`<p class="note">${esc(extras.fixNote)}</p>`);
  return `<article class="finding" id="${esc(id)}" aria-label="${esc(`${f.severity}: ${whereText(f)}`)}">${parts.join('')}</article>`;
}

/** Counts per severity, as badges. */
export function severityBadges(findings: readonly Finding[]): string {
  const n = (s: Severity) => findings.filter((f) => f.severity === s).length;
  if (findings.length === 0) return badge('pass', 'no findings');
  return (['error', 'warning', 'info'] as const)
    .filter((s) => n(s) > 0)
    .map((s) => badge(SEVERITY_STATUS[s], plural(n(s), s, s === 'info' ? 'info' : `${s}s`)))
    .join(' ');
}

/** Findings grouped by file, each file a `<details>` (open when it holds errors). */
export function findingsByFileHtml(
  findings: readonly Finding[],
  ids: Map<Finding, string>,
  ctx: FindingRenderContext = {},
  headingLevel: 3 | 4 = 3,
): string {
  if (findings.length === 0) return `<p>${badge('pass', 'no findings')}</p>`;
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  const h = `h${headingLevel}`;
  const out: string[] = [];
  for (const [file, list] of byFile) {
    const open = list.some((f) => f.severity === 'error') ? ' open' : '';
    out.push(
      `<details class="file-group"${open}><summary><${h} style="display:inline">${esc(file || '(no file)')}</${h}> ${severityBadges(list)}</summary>${list.map((f) => findingHtml(f, ids.get(f) ?? '', ctx)).join('')}</details>`,
    );
  }
  return out.join('');
}
