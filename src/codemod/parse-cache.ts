/**
 * The parses of one file's texts during a codemod chain, one per distinct text: the original, each
 * stage's output and whatever a transform inspects. A stage's output is parsed once and that parse
 * serves the re-parse check, the idempotence run of the same codemod and the next codemod's input;
 * codemods that leave a text unchanged share one parse (and its bindings and memoized analyses).
 * The runner owns every parse and disposes them all when the file is done.
 */
import { diffLines } from 'diff';
import { Edit } from 'web-tree-sitter';
import { pyFileOptionsFor } from '../engine/project.js';
import type { PyTree } from '../python/parser.js';
import { PyFile } from '../python/source-file.js';
import { applyEdits, type TextEdit } from '../python/text-edits.js';

export class ParseCache {
  private readonly files = new Map<string, PyFile>();
  /** How texts parsed incrementally were made (their hints, checked). */
  private readonly hints = new Map<string, ParseHint>();
  private disposed = false;
  /** Trees built so far (a test and bench counter; a cache hit builds none). */
  parses = 0;

  constructor(
    private readonly path: string,
    private readonly relPath: string,
  ) {}

  /**
   * The parse of `text` (built on first use; do not dispose it). `from`: `text` is `from.source`
   * with `from.edits` applied; when `from.source` is parsed here, the new parse starts from its
   * tree, edited, and tree-sitter re-parses only around the edits (incremental parsing). A hint
   * that does not produce `text` is ignored.
   */
  get(text: string, from?: ParseHint): PyFile {
    if (this.disposed) throw new Error(`${this.relPath}: parse cache used after dispose`);
    let file = this.files.get(text);
    if (!file) {
      const base = from?.edits.length ? this.files.get(from.source) : undefined;
      const old =
        from && base && applyEdits(from.source, from.edits) === text
          ? editedTree(base, from.edits)
          : undefined;
      try {
        file = PyFile.parse(this.path, text, pyFileOptionsFor(this.relPath), old);
      } finally {
        old?.delete();
      }
      this.parses++;
      totalParses++;
      if (old && from) {
        incrementalParses++;
        this.hints.set(text, from);
      }
      this.files.set(text, file);
    }
    return file;
  }

  /** The edits that made `text` from another text here, when its parse started from that one. */
  hintOf(text: string): ParseHint | undefined {
    return this.hints.get(text);
  }

  dispose(): void {
    this.disposed = true;
    for (const f of this.files.values()) f.dispose();
    this.files.clear();
    this.hints.clear();
  }
}

/** How a text was made from another (a parse hint). */
export interface ParseHint {
  source: string;
  /** Non-overlapping edits of `source`. */
  edits: readonly TextEdit[];
}

/**
 * The one edit that turns `before` into `after`: everything between their common prefix and
 * common suffix (never splitting a surrogate pair). A parse hint for a text a transform returned
 * without saying how it was made.
 */
export function spanEdit(before: string, after: string): TextEdit {
  const max = Math.min(before.length, after.length);
  let p = 0;
  while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  if (p > 0 && isHighSurrogate(before.charCodeAt(p - 1))) p--;
  let q = 0;
  while (q < max - p && before.charCodeAt(before.length - 1 - q) === after.charCodeAt(after.length - 1 - q))
    q++;
  if (q > 0 && isLowSurrogate(before.charCodeAt(before.length - q))) q--;
  return { start: p, end: before.length - q, text: after.slice(p, after.length - q) };
}

/**
 * The edits that turn `before` into `after`, line by line (a line diff: each run of removed and
 * added lines is one edit). For a text a transform made in several steps, where no one hint
 * spans them all.
 */
export function lineDiffEdits(before: string, after: string): TextEdit[] {
  const edits: { start: number; end: number; text: string }[] = [];
  let at = 0;
  let open: { start: number; end: number; text: string } | undefined;
  for (const part of diffLines(before, after)) {
    if (!part.added && !part.removed) {
      open = undefined;
      at += part.value.length;
      continue;
    }
    if (!open) {
      open = { start: at, end: at, text: '' };
      edits.push(open);
    }
    if (part.removed) {
      at += part.value.length;
      open.end = at;
    } else open.text += part.value;
  }
  return edits;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** A copy of `base`'s tree with `edits` applied (the caller deletes it). */
function editedTree(base: PyFile, edits: readonly TextEdit[]): PyTree {
  const tree = base.tree.copy();
  // From the last edit back: the text before each edit is still the original's.
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  for (const e of sorted) {
    const start = pointAt(base, e.start);
    const oldEnd = pointAt(base, e.end);
    const nl = e.text.lastIndexOf('\n');
    const newEnd =
      nl === -1
        ? { row: start.row, column: start.column + e.text.length }
        : { row: start.row + countNewlines(e.text), column: e.text.length - nl - 1 };
    tree.edit(
      new Edit({
        startIndex: e.start,
        oldEndIndex: e.end,
        newEndIndex: e.start + e.text.length,
        startPosition: start,
        oldEndPosition: oldEnd,
        newEndPosition: newEnd,
      }),
    );
  }
  return tree;
}

/** Row and column (0-based, in string indices) of an offset of the file's text. */
function pointAt(file: PyFile, index: number): { row: number; column: number } {
  const line = file.position(index).line;
  return { row: line - 1, column: index - file.lineStart(line) };
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

let totalParses = 0;
let incrementalParses = 0;

/** Of `codemodParseCount()`, the parses that started from an edited earlier tree. */
export function codemodIncrementalParseCount(): number {
  return incrementalParses;
}

/** Trees the codemod runner built in this thread since start-up (tests assert on it). */
export function codemodParseCount(): number {
  return totalParses;
}
