/**
 * Helpers codemods and rules need on top of the tree: calls and their arguments, literal strings and
 * dicts, enclosing statement / function / class, a statement's indentation, attribute chains.
 */
import type { PyNode } from './parser.js';
import type { PyFile } from './source-file.js';

export interface CallArguments {
  positional: PyNode[];
  keywords: Map<string, PyNode>;
  /** `*args` / `**kwargs` splats: present means the mapping of arguments is not static. */
  starArgs: PyNode[];
  starKwargs: PyNode[];
  /** The `argument_list` node. */
  list: PyNode;
}

/** Positional, keyword and splat arguments of a `call` node. Undefined for generator-argument calls. */
export function callArguments(call: PyNode): CallArguments | undefined {
  const list = call.childForFieldName('arguments');
  if (!list || list.type !== 'argument_list') return undefined;
  const args: CallArguments = { positional: [], keywords: new Map(), starArgs: [], starKwargs: [], list };
  for (const a of list.namedChildren) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name')?.text;
      const value = a.childForFieldName('value');
      if (name && value) args.keywords.set(name, value);
    } else if (a.type === 'list_splat') args.starArgs.push(a);
    else if (a.type === 'dictionary_splat') args.starKwargs.push(a);
    else args.positional.push(a);
  }
  return args;
}

/** The callee of a call as a dotted text when it is a plain name/attribute chain (`self._virtapi.x`). */
export function dottedName(node: PyNode | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') {
    const obj = dottedName(node.childForFieldName('object'));
    const attr = node.childForFieldName('attribute')?.text;
    return obj !== undefined && attr ? `${obj}.${attr}` : undefined;
  }
  return undefined;
}

/** The method name of `X.name(...)` calls, or the function name of `name(...)` calls. */
export function calleeName(call: PyNode): string | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  if (fn.type === 'identifier') return fn.text;
  if (fn.type === 'attribute') return fn.childForFieldName('attribute')?.text;
  return undefined;
}

/** The receiver expression of `RECV.name(...)`. */
export function calleeReceiver(call: PyNode): PyNode | undefined {
  const fn = call.childForFieldName('function');
  return fn?.type === 'attribute' ? (fn.childForFieldName('object') ?? undefined) : undefined;
}

const PREFIX_RE = /^([rRuUbBfF]{0,2})(['"]{3}|['"])/;

/**
 * The value of a plain string literal (no f-string interpolation, no implicit concatenation of
 * non-literals). Handles prefixes u/r/b, triple quotes and simple escapes. Undefined otherwise.
 */
export function literalString(node: PyNode | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'concatenated_string') {
    let out = '';
    for (const c of node.namedChildren) {
      const v = literalString(c);
      if (v === undefined) return undefined;
      out += v;
    }
    return out;
  }
  if (node.type === 'parenthesized_expression' && node.namedChildCount === 1)
    return literalString(node.namedChild(0));
  if (node.type !== 'string') return undefined;
  if (node.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  const text = node.text;
  const m = PREFIX_RE.exec(text);
  if (!m) return undefined;
  const prefix = m[1]!.toLowerCase();
  if (prefix.includes('f')) return undefined;
  const quote = m[2]!;
  const body = text.slice(m[0].length, text.length - quote.length);
  return prefix.includes('r') ? body : unescapePython(body);
}

function unescapePython(s: string): string {
  return s.replace(/\\(\n|\\|'|"|n|t|r|0|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})/g, (_m, e: string) => {
    switch (e[0]) {
      case '\n':
        return '';
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case '0':
        return '\0';
      case 'x':
      case 'u':
        return String.fromCharCode(Number.parseInt(e.slice(1), 16));
      default:
        return e;
    }
  });
}

export interface DictEntry {
  key: string;
  keyNode: PyNode;
  value: PyNode;
  /** The `pair` node. */
  pair: PyNode;
}

/**
 * Entries of a dict display whose keys are all string literals (`{'host': h, 'state': s}`), or of a
 * `dict(host=h)` call. Undefined when any key is computed or `**x` is present.
 */
export function literalDict(node: PyNode | null | undefined): DictEntry[] | undefined {
  if (!node) return undefined;
  if (node.type === 'dictionary') {
    const out: DictEntry[] = [];
    for (const c of node.namedChildren) {
      if (!c || c.type === 'comment') continue;
      if (c.type !== 'pair') return undefined;
      const keyNode = c.childForFieldName('key');
      const value = c.childForFieldName('value');
      const key = literalString(keyNode);
      if (key === undefined || !keyNode || !value) return undefined;
      out.push({ key, keyNode, value, pair: c });
    }
    return out;
  }
  if (node.type === 'call' && node.childForFieldName('function')?.text === 'dict') {
    const args = callArguments(node);
    if (!args || args.positional.length || args.starArgs.length || args.starKwargs.length) return undefined;
    const out: DictEntry[] = [];
    for (const c of args.list.namedChildren) {
      if (c?.type !== 'keyword_argument') continue;
      const keyNode = c.childForFieldName('name')!;
      out.push({ key: keyNode.text, keyNode, value: c.childForFieldName('value')!, pair: c });
    }
    return out;
  }
  return undefined;
}

/** A subscript with a single string-literal key: `instance['uuid']` -> {object, key}. */
export function literalSubscript(node: PyNode): { object: PyNode; key: string } | undefined {
  if (node.type !== 'subscript') return undefined;
  const object = node.childForFieldName('value');
  const subs = node.childrenForFieldName('subscript').filter((n): n is PyNode => !!n);
  if (!object || subs.length !== 1) return undefined;
  const key = literalString(subs[0]);
  return key === undefined ? undefined : { object, key };
}

const SIMPLE_STATEMENT_TYPES = new Set([
  'expression_statement',
  'return_statement',
  'delete_statement',
  'raise_statement',
  'pass_statement',
  'break_statement',
  'continue_statement',
  'import_statement',
  'import_from_statement',
  'future_import_statement',
  'assert_statement',
  'global_statement',
  'nonlocal_statement',
  'print_statement',
  'exec_statement',
  'type_alias_statement',
]);

export function isStatementNode(node: PyNode): boolean {
  const t = node.type;
  return (
    SIMPLE_STATEMENT_TYPES.has(t) ||
    t.endsWith('_statement') ||
    t === 'function_definition' ||
    t === 'class_definition' ||
    t === 'decorated_definition'
  );
}

/** The smallest statement containing a node. */
export function enclosingStatement(node: PyNode): PyNode | undefined {
  for (let cur: PyNode | null = node; cur; cur = cur.parent) {
    if (isStatementNode(cur)) return cur;
  }
  return undefined;
}

export function enclosingFunction(node: PyNode): PyNode | undefined {
  for (let cur = node.parent; cur; cur = cur.parent) {
    if (cur.type === 'function_definition') return cur;
  }
  return undefined;
}

export function enclosingClass(node: PyNode): PyNode | undefined {
  for (let cur = node.parent; cur; cur = cur.parent) {
    if (cur.type === 'class_definition') return cur;
  }
  return undefined;
}

/** Parameter names of a function_definition, in order (`self` included). */
export function parameterNames(fn: PyNode): string[] {
  const params = fn.childForFieldName('parameters');
  if (!params) return [];
  const out: string[] = [];
  for (const p of params.namedChildren) {
    if (!p) continue;
    if (p.type === 'identifier') out.push(p.text);
    else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
      const n = p.childForFieldName('name');
      if (n) out.push(n.text);
    } else if (
      p.type === 'typed_parameter' ||
      p.type === 'list_splat_pattern' ||
      p.type === 'dictionary_splat_pattern'
    ) {
      const n = p.namedChildren.find((c) => c?.type === 'identifier');
      if (n) out.push(n.text);
    }
  }
  return out;
}

/** Leading whitespace of the line a statement starts on. */
export function indentationOf(file: PyFile, node: PyNode): string {
  const lineStart = file.lineStart(file.position(node.startIndex).line);
  const m = /^[ \t]*/.exec(file.text.slice(lineStart, node.startIndex));
  return m ? m[0] : '';
}

/** The full-line range of a statement, including its trailing newline (for deleting whole lines). */
export function statementLineRange(file: PyFile, stmt: PyNode): { start: number; end: number } {
  const startLine = file.position(stmt.startIndex).line;
  const endLine = file.position(stmt.endIndex).line;
  const start = file.lineStart(startLine);
  let end = file.lineEnd(endLine);
  if (end < file.text.length && file.text[end] === '\r') end++;
  if (end < file.text.length && file.text[end] === '\n') end++;
  return { start, end };
}

/** True when only whitespace precedes the node on its line and only whitespace/comment follows. */
export function standsAlone(file: PyFile, stmt: PyNode): boolean {
  const startLine = file.position(stmt.startIndex).line;
  const endLine = file.position(stmt.endIndex).line;
  const before = file.text.slice(file.lineStart(startLine), stmt.startIndex);
  const after = file.text.slice(stmt.endIndex, file.lineEnd(endLine));
  return /^[ \t]*$/.test(before) && /^[ \t]*(#.*)?$/.test(after);
}
