/**
 * The parses of one file's texts during a codemod chain, one per distinct text: the original, each
 * stage's output and whatever a transform inspects. A stage's output is parsed once and that parse
 * serves the re-parse check, the idempotence run of the same codemod and the next codemod's input;
 * codemods that leave a text unchanged share one parse (and its bindings and memoized analyses).
 * The runner owns every parse and disposes them all when the file is done.
 */
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

  /** Whether `text` is parsed here already. */
  has(text: string): boolean {
    return this.files.has(text);
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
