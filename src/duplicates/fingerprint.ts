/**
 * Structural fingerprints of Python code: the token shape of a unit (a module, class or function)
 * with names, strings, numbers, comments, docstrings and formatting normalised away, so that a
 * copy survives renames, reworded messages, re-indentation and comment edits; and the unit's
 * control-flow skeleton, so that the same tokens in a different control flow do not pass for a copy.
 *
 * - **Token shape.** A cursor walk over the unit's tree (linear, no per-node JS objects): every
 *   identifier becomes `I`, every string (f-strings and implicit concatenations included) `S`,
 *   every number `N`; keywords, operators and punctuation stay as they are; comments, docstrings
 *   and the parentheses of a parenthesized expression are dropped. Tokens come from the tree, so layout never shows.
 * - **k-grams, winnowed.** The shape is cut into k-grams (k = 5) hashed with FNV-1a; winnowing
 *   (window 4, rightmost minimum; Schleimer, Wilkerson and Aiken 2003) keeps a subset that two
 *   copies of the same passage always share. `hashes` is the sorted set.
 * - **Control-flow skeleton.** One code per compound statement (`if`, `elif`, `else`, `for`,
 *   `while`, `try`, `except`, `finally`, `with`, `def`, `class`), closed by `)`, and one per jump
 *   (`return`, `raise`, `break`, `continue`, `yield`), in source order.
 *
 * Similarity (0..1) = Jaccard(hashes) × flow ratio, where the flow ratio is difflib's
 * 2·LCS / (|a| + |b|) over the two skeletons (1 when equal). A renamed copy scores 1; an `if`
 * turned into a `while`, or an added branch, costs twice: in the k-grams around it and in the
 * skeleton.
 */
import type { PyNode } from '../python/parser.js';

export const FINGERPRINT_ALGORITHM = { name: 'token-shape-winnow', version: 2, k: 5, window: 4 } as const;

export interface ShapeFingerprint {
  /** Tokens in the normalised shape. */
  tokens: number;
  /** Control-flow skeleton (one character per code; see the module comment). */
  flow: string;
  /** Sorted unique winnowed k-gram hashes (uint32), base64 of their big-endian bytes. */
  hashes: string;
}

/** The same fingerprint, decoded for comparisons. */
export interface DecodedFingerprint {
  tokens: number;
  flow: string;
  hashes: Uint32Array;
}

const STRING_TYPES = new Set(['string', 'concatenated_string']);
const NUMBER_TYPES = new Set(['integer', 'float']);
const SKIP_TYPES = new Set(['comment', 'line_continuation']);
/** Compound statements: an opening code, closed by `)` when the walk leaves them. */
const FLOW_OPEN: Record<string, string> = {
  if_statement: 'i',
  elif_clause: 'e',
  else_clause: 'l',
  for_statement: 'f',
  while_statement: 'w',
  try_statement: 't',
  except_clause: 'x',
  finally_clause: 'y',
  with_statement: 'h',
  function_definition: 'd',
  class_definition: 'c',
};
const FLOW_JUMP: Record<string, string> = {
  return_statement: 'r',
  raise_statement: 's',
  break_statement: 'b',
  continue_statement: 'n',
  yield: 'Y',
};

/** A bare string expression statement: a docstring (or a string used as a comment). */
function isDocstringStatement(node: PyNode): boolean {
  if (node.type !== 'expression_statement' || node.namedChildCount !== 1) return false;
  const only = node.namedChild(0);
  return !!only && STRING_TYPES.has(only.type);
}

/**
 * A sub-node of a shape walk whose own shape is wanted too: `tokens` / `flow` are filled with the
 * half-open ranges of the walk's tokens and flow codes that belong to it. Its shape is then exactly
 * what a walk of the node alone would give.
 */
export interface ShapeMark {
  /** Depth below the walked node (its children are at depth 1). */
  depth: number;
  startIndex: number;
  tokens?: [number, number];
  flow?: [number, number];
}

/** The normalised token shape and control-flow skeleton of a node. */
export function tokenShape(node: PyNode): { tokens: string[]; flow: string } {
  return tokenShapeMarked(node, []);
}

/**
 * One walk: the shape of `node`, and of each marked descendant (found by depth and start offset;
 * `marks` sorted by start). Used to fingerprint a module and its classes and methods in one pass.
 */
export function tokenShapeMarked(
  node: PyNode,
  marks: readonly ShapeMark[],
): { tokens: string[]; flow: string } {
  const tokens: string[] = [];
  let flow = '';
  const maxDepth = marks.reduce((m, x) => Math.max(m, x.depth), 0);
  let nextMark = 0;
  /** Marks entered and not yet left (innermost last). */
  const open: ShapeMark[] = [];
  const cursor = node.walk();
  try {
    /** Per entered node: its type and whether it opened a flow code. */
    const openStack: boolean[] = [];
    const typeStack: string[] = [];
    let descend = true;
    for (;;) {
      if (descend) {
        const type = cursor.nodeType;
        let enter = false;
        if (
          nextMark < marks.length &&
          typeStack.length <= maxDepth &&
          typeStack.length === marks[nextMark]!.depth &&
          cursor.startIndex === marks[nextMark]!.startIndex
        ) {
          const m = marks[nextMark++]!;
          m.tokens = [tokens.length, tokens.length];
          m.flow = [flow.length, flow.length];
          open.push(m);
        }
        if (SKIP_TYPES.has(type)) {
          // dropped
        } else if (STRING_TYPES.has(type)) tokens.push('S');
        else if (NUMBER_TYPES.has(type)) tokens.push('N');
        else if (type === 'identifier') tokens.push('I');
        else if (type === 'expression_statement' && isDocstringStatement(cursor.currentNode)) {
          // docstring: dropped
        } else {
          const openCode = FLOW_OPEN[type];
          const jump = FLOW_JUMP[type];
          if (openCode) flow += openCode;
          else if (jump) flow += jump;
          enter = cursor.gotoFirstChild();
          if (enter) {
            openStack.push(!!openCode);
            typeStack.push(type);
            continue;
          }
          if (openCode) flow += ')';
          // A leaf: keywords, operators, punctuation, true/false/none, ellipsis... Redundant
          // parentheses around an expression are layout, not shape.
          const parent = typeStack[typeStack.length - 1];
          if (!((type === '(' || type === ')') && parent === 'parenthesized_expression')) tokens.push(type);
        }
        closeMarks(open, typeStack.length, tokens.length, flow.length);
      }
      if (cursor.gotoNextSibling()) {
        descend = true;
        continue;
      }
      if (openStack.length === 0 || !cursor.gotoParent()) break;
      typeStack.pop();
      if (openStack.pop()) flow += ')';
      closeMarks(open, typeStack.length, tokens.length, flow.length);
      // Back at the unit itself: done.
      if (openStack.length === 0) break;
      descend = false;
    }
  } finally {
    cursor.delete();
  }
  return { tokens, flow };
}

/** Leaving a node at `depth`: a mark opened at that depth ends here. */
function closeMarks(open: ShapeMark[], depth: number, tokenCount: number, flowLength: number): void {
  const top = open[open.length - 1];
  if (top && top.depth === depth) {
    top.tokens![1] = tokenCount;
    top.flow![1] = flowLength;
    open.pop();
  }
}

/** FNV-1a 32-bit over a string's UTF-16 code units. */
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Winnowed k-gram hashes of a token sequence (sorted, unique). */
export function winnow(
  tokens: readonly string[],
  k: number = FINGERPRINT_ALGORITHM.k,
  window: number = FINGERPRINT_ALGORITHM.window,
): Uint32Array {
  return winnowIds(tokenIds(tokens), 0, tokens.length, k, window);
}

/** Each token's FNV-1a hash (the k-grams are hashed over these). */
export function tokenIds(tokens: readonly string[]): Uint32Array {
  const ids = new Uint32Array(tokens.length);
  const memo = new Map<string, number>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    let h = memo.get(t);
    if (h === undefined) {
      h = fnv1a(t);
      memo.set(t, h);
    }
    ids[i] = h;
  }
  return ids;
}

/** Winnowed k-gram hashes of the token ids in [from, to) (sorted, unique). */
export function winnowIds(
  ids: Uint32Array,
  from: number,
  to: number,
  k: number = FINGERPRINT_ALGORITHM.k,
  window: number = FINGERPRINT_ALGORITHM.window,
): Uint32Array {
  const n = to - from;
  if (n <= 0) return new Uint32Array(0);
  const grams: number[] = [];
  if (n < k) {
    let h = 0x811c9dc5;
    for (let i = from; i < to; i++) h = Math.imul(h ^ ids[i]!, 0x01000193) >>> 0;
    grams.push(h);
  } else {
    for (let i = from; i + k <= to; i++) {
      let h = 0x811c9dc5;
      for (let j = i; j < i + k; j++) h = Math.imul(h ^ ids[j]!, 0x01000193) >>> 0;
      grams.push(h);
    }
  }
  const picked = new Set<number>();
  if (grams.length <= window) {
    let min = grams[0]!;
    for (const g of grams) if (g < min) min = g;
    picked.add(min);
  } else {
    for (let i = 0; i + window <= grams.length; i++) {
      let min = grams[i]!;
      let at = i;
      for (let j = i + 1; j < i + window; j++) {
        if (grams[j]! <= min) {
          min = grams[j]!;
          at = j;
        }
      }
      picked.add(grams[at]!);
    }
  }
  return Uint32Array.from(picked).sort();
}

export function encodeHashes(hashes: Uint32Array): string {
  const bytes = Buffer.alloc(hashes.length * 4);
  for (let i = 0; i < hashes.length; i++) bytes.writeUInt32BE(hashes[i]!, i * 4);
  return bytes.toString('base64');
}

export function decodeHashes(text: string): Uint32Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Uint32Array(bytes.length >> 2);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readUInt32BE(i * 4);
  return out;
}

/** The fingerprint of a node (a module root, a class or a function definition). */
export function fingerprintNode(node: PyNode): DecodedFingerprint {
  const { tokens, flow } = tokenShape(node);
  return { tokens: tokens.length, flow, hashes: winnow(tokens) };
}

export function encodeFingerprint(fp: DecodedFingerprint): ShapeFingerprint {
  return { tokens: fp.tokens, flow: fp.flow, hashes: encodeHashes(fp.hashes) };
}

export function decodeFingerprint(fp: ShapeFingerprint): DecodedFingerprint {
  return { tokens: fp.tokens, flow: fp.flow, hashes: decodeHashes(fp.hashes) };
}

/** Jaccard index of two sorted unique hash arrays. */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 && b.length === 0) return 1;
  let i = 0;
  let j = 0;
  let shared = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      shared++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return shared / (a.length + b.length - shared);
}

/** difflib-style ratio 2·LCS / (|a| + |b|); 1 for two empty strings. */
export function flowRatio(a: string, b: string): number {
  if (a === b) return 1;
  if (!a.length || !b.length) return 0;
  // LCS length with two rows.
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      cur[j] = ca === b.charCodeAt(j - 1) ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    [prev, cur] = [cur, prev];
  }
  return (2 * prev[b.length]!) / (a.length + b.length);
}

export interface Similarity {
  /** Jaccard × flow ratio, rounded to 3 decimals. */
  score: number;
  tokens: number;
  flow: number;
}

export function similarity(a: DecodedFingerprint, b: DecodedFingerprint): Similarity {
  const tokens = jaccard(a.hashes, b.hashes);
  const flow = flowRatio(a.flow, b.flow);
  return { score: round3(tokens * flow), tokens: round3(tokens), flow: round3(flow) };
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
