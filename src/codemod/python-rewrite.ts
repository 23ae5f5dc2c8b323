/**
 * Layout and local-dataflow helpers for codemods that rewrite Python statements: re-wrapping a call
 * whose callee changed (one line when it fits in 79 columns, else a hanging indent, else the
 * original layout shifted so visual alignment holds), attribute assignments with PEP 8
 * parenthesised values, and the uses / assignments of a local name inside one function.
 */
import { isReference } from '../python/bindings.js';
import type { PyNode } from '../python/parser.js';
import type { PyFile } from '../python/source-file.js';
import { enclosingStatement } from '../python/syntax-helpers.js';

export const MAX_LINE = 79;

/** True when the node's text can be joined onto one line: no comments, no multi-line strings. */
export function collapsible(node: PyNode): boolean {
  if (node.descendantsOfType('comment').length) return false;
  for (const s of node.descendantsOfType('string')) if (s?.text.includes('\n')) return false;
  return !/\\\r?\n/.test(node.text);
}

/** Joins a bracketed expression's lines: `f(\n   a,\n   b)` -> `f(a, b)`. */
export function collapseText(text: string): string {
  return text
    .replace(/([([{])[ \t]*\r?\n\s*/g, '$1')
    .replace(/[ \t]*\r?\n\s*([)\]}])/g, '$1')
    .replace(/[ \t]*\r?\n\s*/g, ' ');
}

/** Column (0-based) of an index in its line. */
export function columnOf(file: PyFile, index: number): number {
  return file.position(index).column - 1;
}

/**
 * Shifts the continuation lines of `text` (which starts at `oldCol`) so they keep their position
 * relative to the start when the text moves to `newCol`.
 */
export function shiftContinuation(text: string, oldCol: number, newCol: number): string {
  const delta = newCol - oldCol;
  if (delta === 0 || !text.includes('\n')) return text;
  return text
    .split('\n')
    .map((line, i) => {
      if (i === 0 || line.trim() === '') return line;
      const ws = /^[ ]*/.exec(line)![0].length;
      const target = Math.max(0, ws + delta);
      return ' '.repeat(target) + line.slice(ws);
    })
    .join('\n');
}

/**
 * New text for `call` with its callee replaced by `callee` and its arguments by `args` (texts; the
 * original argument list is reused when `args` is undefined). `startCol` is the column the call
 * starts at, `indent` the statement's indentation.
 */
export function rewrapCall(
  file: PyFile,
  call: PyNode,
  callee: string,
  args: string[] | undefined,
  startCol: number,
  indent: string,
): string {
  const list = call.childForFieldName('arguments')!;
  const nl = file.newline;
  const canCollapse = collapsible(list);
  const inner = args
    ? args.join(', ')
    : canCollapse
      ? collapseText(list.text.slice(1, -1)).trim()
      : undefined;
  if (inner !== undefined) {
    const one = `${callee}(${inner})`;
    if (startCol + one.length <= MAX_LINE) return one;
    const hanging = `${callee}(${nl}${indent}    ${inner})`;
    if (indent.length + 4 + inner.length + 1 <= MAX_LINE) return hanging;
    if (args) return `${callee}(${nl}${indent}    ${args.join(`,${nl}${indent}    `)})`;
  }
  // Keep the original layout; keep visual alignment with the opening bracket.
  const oldCol = columnOf(file, list.startIndex);
  const newCol = startCol + callee.length;
  return `${callee}${shiftContinuation(list.text, oldCol, newCol)}`;
}

function isAtom(node: PyNode): boolean {
  return [
    'call',
    'parenthesized_expression',
    'list',
    'dictionary',
    'set',
    'tuple',
    'subscript',
    'list_comprehension',
    'dictionary_comprehension',
    'set_comprehension',
    'generator_expression',
  ].includes(node.type);
}

/** `TARGET = VALUE` at `indent`, with PEP 8 wrapping for long or multi-line values. */
export function renderAssignment(file: PyFile, target: string, value: PyNode, indent: string): string {
  const nl = file.newline;
  let text = file.slice(value);
  if (text.includes('\n') && collapsible(value)) text = collapseText(text);
  if (!text.includes('\n')) {
    const line = `${indent}${target} = ${text}`;
    if (line.length <= MAX_LINE) return line;
    return `${indent}${target} = (${nl}${indent}    ${text})`;
  }
  // Still multi-line (comments or multi-line strings inside): keep the lines, re-aligned.
  const open = isAtom(value) ? '' : '(';
  const prefix = `${indent}${target} = ${open}`;
  const shifted = shiftContinuation(text, columnOf(file, value.startIndex), prefix.length);
  return `${prefix}${shifted}${open ? ')' : ''}`;
}

/** Identifiers in `scope` that are references to `name` (not attribute names, keywords, ...). */
export function referencesIn(scope: PyNode, name: string): PyNode[] {
  return scope
    .descendantsOfType('identifier')
    .filter((n): n is PyNode => !!n && n.text === name && isReference(n));
}

/** The statement-level `NAME = VALUE` assignments of `name` directly in `fn`'s body tree. */
export function simpleAssignments(
  fn: PyNode,
  name: string,
): { stmt: PyNode; assignment: PyNode; value: PyNode }[] {
  const out: { stmt: PyNode; assignment: PyNode; value: PyNode }[] = [];
  for (const a of fn.descendantsOfType('assignment')) {
    if (!a) continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (
      left?.type === 'identifier' &&
      left.text === name &&
      right &&
      a.parent?.type === 'expression_statement'
    ) {
      out.push({ stmt: a.parent, assignment: a, value: right });
    }
  }
  return out;
}

/** True when `id` is written, not read: an assignment target, augmented target, del, loop var. */
export function isWrite(id: PyNode): boolean {
  let cur: PyNode = id;
  for (let p = id.parent; p; cur = p, p = p.parent) {
    if (p.type === 'assignment' || p.type === 'augmented_assignment')
      return p.childForFieldName('left')?.id === cur.id;
    if (p.type === 'for_statement' || p.type === 'for_in_clause')
      return p.childForFieldName('left')?.id === cur.id;
    if (p.type === 'delete_statement') return true;
    if (
      ![
        'pattern_list',
        'tuple_pattern',
        'list_pattern',
        'tuple',
        'list',
        'parenthesized_expression',
      ].includes(p.type)
    )
      return false;
  }
  return false;
}

/** True when a subscript / attribute node is the target of an assignment or del. */
export function isStoreTarget(node: PyNode): boolean {
  const p = node.parent;
  if (!p) return false;
  if (
    (p.type === 'assignment' || p.type === 'augmented_assignment') &&
    p.childForFieldName('left')?.id === node.id
  )
    return true;
  if (p.type === 'delete_statement') return true;
  if (['pattern_list', 'tuple_pattern', 'tuple', 'list_pattern'].includes(p.type)) return isStoreTarget(p);
  return false;
}

/** Whether [start, end) lies inside any of the ranges. */
export function insideAny(
  ranges: readonly { start: number; end: number }[],
  start: number,
  end: number,
): boolean {
  return ranges.some((r) => start >= r.start && end <= r.end);
}

export function statementOf(node: PyNode): PyNode | undefined {
  return enclosingStatement(node);
}
