/**
 * Lossless text edits: replace / insert / delete by character range (JS string indices, which are
 * the offsets tree-sitter reports), applied in one pass. Everything outside an edit stays
 * byte-identical. Overlapping edits are rejected, never merged silently. And the other way round:
 * the edits that turn one text into another (one span, or line by line).
 */
import { diffLines } from 'diff';

export interface TextEdit {
  /** Start offset (inclusive), in JS string indices. */
  readonly start: number;
  /** End offset (exclusive). Equal to start for an insertion. */
  readonly end: number;
  readonly text: string;
  /** Who asked for the edit; shown in conflict messages. */
  readonly label?: string;
}

export class EditConflictError extends Error {
  constructor(
    readonly first: TextEdit,
    readonly second: TextEdit,
  ) {
    super(
      `overlapping edits: [${first.start},${first.end})${first.label ? ` (${first.label})` : ''} and ` +
        `[${second.start},${second.end})${second.label ? ` (${second.label})` : ''}`,
    );
    this.name = 'EditConflictError';
  }
}

export class EditRangeError extends Error {
  constructor(edit: TextEdit, length: number) {
    super(`edit [${edit.start},${edit.end}) is outside the text (length ${length})`);
    this.name = 'EditRangeError';
  }
}

/** Two edits conflict when their ranges share a character, or when both insert at one point. */
export function editsOverlap(a: TextEdit, b: TextEdit): boolean {
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  if (a.start === a.end) return a.start > b.start && a.start < b.end;
  if (b.start === b.end) return b.start > a.start && b.start < a.end;
  return a.start < b.end && b.start < a.end;
}

/** Collects edits for one text; `apply()` checks conflicts and splices them in one pass. */
export class EditSet {
  private readonly edits: TextEdit[] = [];

  constructor(readonly original: string) {}

  get size(): number {
    return this.edits.length;
  }

  list(): readonly TextEdit[] {
    return this.edits;
  }

  replace(start: number, end: number, text: string, label?: string): this {
    return this.add({ start, end, text, ...(label ? { label } : {}) });
  }

  insert(at: number, text: string, label?: string): this {
    return this.add({ start: at, end: at, text, ...(label ? { label } : {}) });
  }

  delete(start: number, end: number, label?: string): this {
    return this.add({ start, end, text: '', ...(label ? { label } : {}) });
  }

  add(edit: TextEdit): this {
    if (edit.start < 0 || edit.end < edit.start || edit.end > this.original.length) {
      throw new EditRangeError(edit, this.original.length);
    }
    // A no-op replacement is dropped so that idempotent codemods stay quiet.
    if (edit.start !== edit.end && this.original.slice(edit.start, edit.end) === edit.text) return this;
    if (edit.start === edit.end && edit.text === '') return this;
    this.edits.push(edit);
    return this;
  }

  /** Throws EditConflictError on the first pair of overlapping edits. */
  checkConflicts(): void {
    const sorted = sortEdits(this.edits);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      if (editsOverlap(prev, cur)) throw new EditConflictError(prev, cur);
    }
  }

  apply(): string {
    return applyEdits(this.original, this.edits);
  }
}

function sortEdits(edits: readonly TextEdit[]): TextEdit[] {
  return [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Applies non-overlapping edits to `text` in one pass; throws EditConflictError on overlap. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = sortEdits(edits);
  const parts: string[] = [];
  let cursor = 0;
  let prev: TextEdit | undefined;
  for (const edit of sorted) {
    if (edit.start < 0 || edit.end > text.length || edit.end < edit.start)
      throw new EditRangeError(edit, text.length);
    if (prev && editsOverlap(prev, edit)) throw new EditConflictError(prev, edit);
    parts.push(text.slice(cursor, edit.start), edit.text);
    cursor = edit.end;
    prev = edit;
  }
  parts.push(text.slice(cursor));
  return parts.join('');
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
