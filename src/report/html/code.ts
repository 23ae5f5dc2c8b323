/**
 * Source and diff blocks as HTML: a code frame around a finding (line numbers, the finding's lines
 * highlighted), a unified diff with added/removed lines marked by their `+`/`-` prefix as well as
 * colour, and a line diff of two JSON documents (before/after primitives).
 */
import { esc } from './escape.js';

export interface Span {
  line: number;
  endLine: number;
}

/** The finding's lines with `context` lines either side; undefined when the line is out of range. */
export function codeFrameHtml(source: string, loc: Span, context = 2): string | undefined {
  const lines = source.split(/\r?\n/);
  if (loc.line < 1 || loc.line > lines.length) return undefined;
  const lastMarked = Math.min(lines.length, Math.max(loc.line, loc.endLine), loc.line + 6);
  const first = Math.max(1, loc.line - context);
  const last = Math.min(lines.length, lastMarked + context);
  const rows: string[] = [];
  for (let n = first; n <= last; n++) {
    const hit = n >= loc.line && n <= lastMarked;
    const text = esc((lines[n - 1] ?? '').replace(/\t/g, '    '));
    rows.push(
      `<span class="row${hit ? ' hit' : ''}"><span class="ln">${hit ? '&gt;' : ''}${n}</span>${text}</span>`,
    );
  }
  return `<pre class="frame" aria-label="source lines ${first} to ${last}"><code>${rows.join('')}</code></pre>`;
}

/** A unified diff (as `diff`/git print it) with each line classed by its prefix. */
export function unifiedDiffHtml(diff: string, label = 'diff'): string {
  const rows = diff
    .replace(/\n$/, '')
    .split('\n')
    .filter((l) => !/^(=+|Index: .*)$/.test(l))
    .map((l) => {
      const cls =
        l.startsWith('+++') || l.startsWith('---')
          ? 'meta'
          : l.startsWith('@@')
            ? 'hunk'
            : l.startsWith('+')
              ? 'add'
              : l.startsWith('-')
                ? 'del'
                : l.startsWith('\\')
                  ? 'meta'
                  : 'ctx';
      return `<span class="row ${cls}">${esc(l)}</span>`;
    });
  return `<pre class="diff" aria-label="${esc(label)}"><code>${rows.join('')}</code></pre>`;
}

/** Pretty JSON with object keys sorted (stable across runs). */
export function stableJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
          )
        : v,
    2,
  );
}

/**
 * A line diff of two texts (longest common subsequence over lines; inputs are capped so a huge
 * primitive cannot blow up the report), rendered as a unified-style block without hunks.
 */
export function lineDiffHtml(
  before: string,
  after: string,
  label: string,
  maxLines = 400,
  context = 3,
): string {
  const a = before.split('\n').slice(0, maxLines);
  const b = after.split('\n').slice(0, maxLines);
  const n = a.length;
  const m = b.length;
  const lcs: Uint16Array[] = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: { kind: 'ctx' | 'add' | 'del'; text: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: 'ctx', text: a[i]! });
      i++;
      j++;
    } else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      ops.push({ kind: 'add', text: b[j]! });
      j++;
    } else {
      ops.push({ kind: 'del', text: a[i]! });
      i++;
    }
  }
  // Unchanged runs longer than the context on both sides fold into one "… N unchanged lines" row.
  const near = new Uint8Array(ops.length);
  ops.forEach((o, k) => {
    if (o.kind === 'ctx') return;
    for (let d = Math.max(0, k - context); d <= Math.min(ops.length - 1, k + context); d++) near[d] = 1;
  });
  const rows: string[] = [];
  let folded = 0;
  const flush = () => {
    if (folded)
      rows.push(`<span class="row meta">  … ${folded} unchanged line${folded === 1 ? '' : 's'}</span>`);
    folded = 0;
  };
  ops.forEach((o, k) => {
    if (o.kind === 'ctx' && !near[k]) {
      folded++;
      return;
    }
    flush();
    const sign = o.kind === 'add' ? '+' : o.kind === 'del' ? '-' : ' ';
    rows.push(`<span class="row ${o.kind}">${sign}${esc(o.text)}</span>`);
  });
  flush();
  const cut =
    before.split('\n').length > maxLines || after.split('\n').length > maxLines
      ? `<span class="row meta">… (cut at ${maxLines} lines)</span>`
      : '';
  return `<pre class="diff" aria-label="${esc(label)}"><code>${rows.join('')}${cut}</code></pre>`;
}
