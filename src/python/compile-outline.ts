/**
 * What Python 3 must compile of a rewritten file to know whether the whole file still compiles:
 * the definitions the edits touched, verbatim, inside the file's outline. A rewrite changes a few
 * functions of a large file; compiling those instead of every line makes the compile check several
 * times cheaper.
 *
 * The outline keeps every statement of the file at its own line and indentation: a statement the
 * edits did not touch becomes `pass` (its text is the original's, which compiled; only its place in
 * the file could have changed, and the `pass` keeps that), the statements that hold a touched
 * definition keep their headers with their other statements reduced the same way. So Python still
 * sees the file's whole indentation (a deleted block header, an emptied block, a line left at a
 * level no block has), and every touched definition in full.
 *
 * Sound in the direction the check needs: when the original compiled and the outline compiles, the
 * rewritten file compiles. Compile-time rules that reach across statements are kept or send the
 * check back to the whole file: `global`/`nonlocal` statements are kept, module-wide ones and any
 * edit at or above the last `from __future__` import mean the whole file, and a touched function
 * whose `nonlocal` name is bound in a reduced enclosing function fails in the outline, which only
 * makes the caller compile the whole file.
 */
import type { PyNode } from './parser.js';
import type { PyFile } from './source-file.js';
import type { TextEdit } from './text-edits.js';

/** Beyond this share of the file, compiling the whole file costs about the same. */
const MAX_SHARE = 0.5;

const DEFINITIONS = new Set(['function_definition', 'class_definition']);
/** Statements kept verbatim wherever they are (they bind across statements). */
const KEPT = new Set(['global_statement', 'nonlocal_statement', 'future_import_statement']);

/**
 * The source to compile in place of `after` (the rewrite of `before` by `edits`, non-overlapping
 * and in `before`'s offsets), or undefined when only the whole file will do: `after` has syntax
 * issues (then tree-sitter's statements are not Python's), an edit is at or above the last
 * `from __future__` import, the module scope declares `global`/`nonlocal`, or the touched
 * definitions are most of the file.
 */
export function compileOutline(
  before: PyFile,
  after: PyFile,
  edits: readonly TextEdit[],
): string | undefined {
  if (edits.length === 0 || after.hasSyntaxErrors) return undefined;
  const beforeFuture = futureEnd(before);
  const afterFuture = futureEnd(after);
  if (moduleScopeDeclares(after)) return undefined;
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const touched = new Map<number, PyNode>();
  let shift = 0;
  for (const e of sorted) {
    if (e.start <= beforeFuture) return undefined;
    const start = e.start + shift;
    // Line breaks an edit ends with belong to no statement (a whole-line edit ends with one).
    let end = start + e.text.length;
    while (end > start && (after.text[end - 1] === '\n' || after.text[end - 1] === '\r')) end--;
    shift += e.text.length - (e.end - e.start);
    if (start <= afterFuture) return undefined;
    for (const node of touchedStatements(after, start, end)) touched.set(node.id, node);
    // An edit at the start of a line may have emptied the block the line above opens.
    const above = previousCodeLine(after, start);
    if (above !== undefined)
      for (const node of touchedStatements(after, above, above + 1)) touched.set(node.id, node);
  }
  let bytes = 0;
  for (const node of touched.values()) {
    if (node.text.includes('__future__')) return undefined;
    bytes += node.endIndex - node.startIndex;
  }
  if (bytes > after.text.length * MAX_SHARE) return undefined;
  // Every statement holding a touched one keeps its header; the rest of its statements reduce.
  const holders = new Set<number>();
  for (const node of touched.values()) {
    for (let p = node.parent; p && p.type !== 'module'; p = p.parent) holders.add(p.id);
  }
  const reductions: TextEdit[] = [];
  const reduce = (statements: readonly PyNode[]): boolean => {
    for (const stmt of statements) {
      if (stmt.type === 'comment' || KEPT.has(stmt.type) || touched.has(stmt.id)) continue;
      if (holders.has(stmt.id)) {
        // A match statement's block holds case clauses, not statements.
        if (stmt.type === 'match_statement' || !reduce(blockStatements(stmt))) return false;
        continue;
      }
      const reduced = reductionOf(after, stmt);
      if (!reduced) return false;
      reductions.push(reduced);
    }
    return true;
  };
  const top = after.root.namedChildren.filter((s): s is PyNode => !!s);
  // What precedes the last __future__ import (a docstring) stays, so that the import stays legal.
  const firstReduced = top.findIndex((s) => s.startIndex > afterFuture);
  if (!reduce(firstReduced < 0 ? [] : top.slice(firstReduced))) return undefined;
  return applyInOrder(after.text, reductions);
}

/**
 * When nothing but indentation precedes `at` on its line and the nearest line above with code on
 * it (not blank, not only a comment) may open a block (it ends with a colon, or holds a `#` that
 * may start a comment after one), the first character of that line.
 */
function previousCodeLine(file: PyFile, at: number): number | undefined {
  let line = file.position(at).line;
  if (!/^[ \t\f]*$/.test(file.text.slice(file.lineStart(line), at))) return undefined;
  for (line--; line >= 1; line--) {
    const text = file.lineText(line);
    const code = text.search(/[^ \t\f\r]/);
    if (code < 0 || text[code] === '#') continue;
    return /:[ \t\f\r]*$/.test(text) || text.includes('#') ? file.lineStart(line) + code : undefined;
  }
  return undefined;
}

function futureEnd(file: PyFile): number {
  let end = -1;
  for (const stmt of file.root.namedChildren) {
    if (stmt?.type === 'future_import_statement') end = stmt.endIndex;
  }
  return end;
}

/**
 * `stmt`'s lines as one `pass` at its indentation; undefined when it shares a line with another
 * statement (`x = 1; y = 2`).
 */
function reductionOf(file: PyFile, stmt: PyNode): TextEdit | undefined {
  const first = file.position(stmt.startIndex).line;
  const start = file.lineStart(first);
  const indent = file.text.slice(start, stmt.startIndex);
  if (!/^[ \t\f]*$/.test(indent)) return undefined;
  const end = file.lineEnd(file.position(Math.max(stmt.startIndex, stmt.endIndex - 1)).line);
  if (!/^[ \t\f]*(?:#.*)?$/.test(file.text.slice(stmt.endIndex, end))) return undefined;
  return { start, end, text: `${indent}pass` };
}

/** The statements of a compound statement's blocks (all its clauses', the decorated definition's). */
function blockStatements(stmt: PyNode): PyNode[] {
  const out: PyNode[] = [];
  const visit = (node: PyNode) => {
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'block') {
        for (const s of child.namedChildren) if (s) out.push(s);
      } else if (
        child.type.endsWith('_clause') ||
        child.type === 'function_definition' ||
        child.type === 'class_definition' ||
        child.type === 'case_clause' ||
        child.type === 'block'
      ) {
        visit(child);
      }
    }
  };
  visit(stmt);
  return out;
}

function applyInOrder(text: string, edits: readonly TextEdit[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const e of edits) {
    parts.push(text.slice(at, e.start), e.text);
    at = e.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/**
 * What an edit spanning `[start, end)` of `after` touched: the innermost function or class
 * (with its decorators) that holds the whole span, else each top-level statement the span
 * overlaps (none when it falls between them: whitespace, comments, whole statements deleted).
 */
function touchedStatements(after: PyFile, start: number, end: number): PyNode[] {
  // A deletion (empty span) touches what holds its position, or what it cut short at its end; a
  // definition that merely starts there is untouched.
  const empty = start === end;
  const holds = (n: PyNode) =>
    empty ? n.startIndex < start && start <= n.endIndex : n.startIndex <= start && end <= n.endIndex;
  let node: PyNode | null = after.root.descendantForIndex(empty ? Math.max(0, start - 1) : start, end);
  while (node && node.type !== 'module') {
    if (DEFINITIONS.has(node.type) && holds(node)) {
      const parent: PyNode | null = node.parent;
      return [parent?.type === 'decorated_definition' ? parent : node];
    }
    // A decorator: the decorated definition holds it.
    if (node.type === 'decorated_definition' && holds(node)) return [node];
    node = node.parent;
  }
  const out: PyNode[] = [];
  for (const stmt of after.root.namedChildren) {
    if (!stmt) continue;
    if (
      empty
        ? stmt.startIndex < start && start <= stmt.endIndex
        : stmt.startIndex < end && stmt.endIndex > start
    )
      out.push(stmt);
  }
  return out;
}

/** A `global` or `nonlocal` statement outside every function and class: it binds module-wide. */
function moduleScopeDeclares(file: PyFile): boolean {
  for (const m of file.text.matchAll(/\b(?:global|nonlocal)\b/g)) {
    let node: PyNode | null = file.root.descendantForIndex(m.index, m.index + m[0].length);
    if (node?.parent?.type !== 'global_statement' && node?.parent?.type !== 'nonlocal_statement') continue;
    while (node && !DEFINITIONS.has(node.type)) node = node.parent;
    if (!node) return true;
  }
  return false;
}
