/**
 * `--annotate`: a `# TODO(backlevel): ...` comment above the statement of each manual site, with the
 * statement's indentation. Idempotent: a statement that already carries the same TODO gets none.
 */
import type { PyFile } from '../python/source-file.js';
import { enclosingStatement, indentationOf } from '../python/syntax-helpers.js';
import type { ManualSite } from './types.js';

export const TODO_MARKER = 'TODO(backlevel)';

export function todoText(site: ManualSite & { codemod?: string }): string {
  const reason = site.reason.replace(/\s+/g, ' ').trim();
  return `# ${TODO_MARKER}: ${site.codemod ? `${site.codemod}: ` : ''}${reason}`;
}

/** Inserts one TODO per (statement, reason); returns the new text and how many were added. */
export function planAnnotations(
  file: PyFile,
  sites: readonly { line: number; site: ManualSite & { codemod?: string } }[],
): { text: string; count: number } {
  const nl = file.newline;
  const inserts = new Map<number, string[]>();
  for (const { line, site } of sites) {
    if (line < 1 || line > file.lineCount) continue;
    const lineText = file.lineText(line);
    const col = lineText.length - lineText.trimStart().length;
    const at = file.lineStart(line) + col;
    const node = file.root.descendantForIndex(at, at);
    const stmt = node ? enclosingStatement(node) : undefined;
    if (!stmt || file.touchesErrorRegion(stmt.startIndex, stmt.endIndex)) continue;
    const stmtLine = file.position(stmt.startIndex).line;
    const comment = todoText(site);
    // Already annotated: the comment block right above the statement holds this TODO.
    let present = false;
    for (let l = stmtLine - 1; l >= 1; l--) {
      const t = file.lineText(l).trim();
      if (!t.startsWith('#')) break;
      if (t === comment) {
        present = true;
        break;
      }
    }
    if (present) continue;
    const start = file.lineStart(stmtLine);
    const indent = indentationOf(file, stmt);
    const list = inserts.get(start) ?? [];
    const full = `${indent}${comment}${nl}`;
    if (!list.includes(full)) list.push(full);
    inserts.set(start, list);
  }
  if (inserts.size === 0) return { text: file.text, count: 0 };
  const points = [...inserts.keys()].sort((a, b) => a - b);
  const parts: string[] = [];
  let cursor = 0;
  let count = 0;
  for (const p of points) {
    const lines = inserts.get(p)!;
    parts.push(file.text.slice(cursor, p), ...lines);
    count += lines.length;
    cursor = p;
  }
  parts.push(file.text.slice(cursor));
  return { text: parts.join(''), count };
}
