/**
 * A small, JSON-serialisable form of the Python expressions object definitions are written in:
 * literals, containers, qualified names and calls. The extractor turns tree-sitter nodes into this
 * form once per blob (so it can be cached on disk) and the resolver evaluates it later against the
 * class and constant index of a whole revision.
 *
 * Names are qualified at extraction time through the module's top-level imports:
 * `base.NovaObject` in `nova/objects/instance.py` becomes `nova.objects.base.NovaObject`; a
 * module-level name becomes `<module>.<name>`; a builtin keeps its bare name.
 */
import type { PyNode } from '../python/parser.js';
import { literalString } from '../python/syntax-helpers.js';

export type PyExpr =
  | { k: 'str'; v: string }
  | { k: 'num'; v: number; float?: boolean }
  | { k: 'bool'; v: boolean }
  | { k: 'none' }
  | { k: 'tuple' | 'list' | 'set'; items: PyExpr[] }
  | { k: 'dict'; entries: [PyExpr, PyExpr][]; splats?: PyExpr[] }
  /** A (possibly dotted) name, qualified; `local` true when the root is a name bound in the module. */
  | { k: 'name'; q: string }
  | {
      k: 'call';
      f: PyExpr;
      args: PyExpr[];
      kw: Record<string, PyExpr>;
      starKw?: PyExpr[];
      starArgs?: PyExpr[];
    }
  | { k: 'binop'; op: string; l: PyExpr; r: PyExpr }
  /** `X[...]` with a literal key. */
  | { k: 'subscript'; obj: PyExpr; key: PyExpr }
  /** Anything else, as source text. */
  | { k: 'text'; text: string };

/** Maps the root identifier of a name to its qualified form. */
export type NameQualifier = (root: string) => string;

const BUILTIN_NAMES = new Set([
  'int',
  'str',
  'bool',
  'float',
  'dict',
  'list',
  'set',
  'tuple',
  'object',
  'type',
  'unicode',
  'basestring',
  'long',
  'frozenset',
  'None',
  'True',
  'False',
  'super',
  'len',
  'any',
  'all',
  'getattr',
  'setattr',
  'hasattr',
  'isinstance',
]);

/**
 * Builds a qualifier from a module's top-level imports and the names it defines. Unknown roots
 * (builtins, names from star imports) stay bare.
 */
export function makeQualifier(
  moduleName: string,
  imports: Map<string, string>,
  moduleNames: Set<string>,
): NameQualifier {
  return (root: string) => {
    const imported = imports.get(root);
    if (imported !== undefined) return imported;
    if (moduleNames.has(root)) return `${moduleName}.${root}`;
    return root;
  };
}

function numberLiteral(text: string): PyExpr {
  const clean = text.replaceAll('_', '').replace(/[lL]$/, '');
  if (/^0[xX]/.test(clean)) return { k: 'num', v: Number.parseInt(clean.slice(2), 16) };
  if (/^0[oO]/.test(clean)) return { k: 'num', v: Number.parseInt(clean.slice(2), 8) };
  if (/^0[bB]/.test(clean)) return { k: 'num', v: Number.parseInt(clean.slice(2), 2) };
  const v = Number(clean);
  if (Number.isNaN(v)) return { k: 'text', text };
  return /[.eE]/.test(clean) ? { k: 'num', v, float: true } : { k: 'num', v };
}

/** Dotted text of a pure name/attribute chain, or undefined. */
function chain(node: PyNode): string[] | undefined {
  if (node.type === 'identifier') return [node.text];
  if (node.type === 'attribute') {
    const obj = node.childForFieldName('object');
    const attr = node.childForFieldName('attribute');
    if (!obj || !attr) return undefined;
    const head = chain(obj);
    return head ? [...head, attr.text] : undefined;
  }
  return undefined;
}

/** Converts an expression node into a PyExpr. `self.x` / `cls.x` stay `name` with root self/cls. */
export function toExpr(node: PyNode | null | undefined, qualify: NameQualifier): PyExpr {
  if (!node) return { k: 'text', text: '' };
  switch (node.type) {
    case 'string':
    case 'concatenated_string': {
      const s = literalString(node);
      return s === undefined ? { k: 'text', text: node.text } : { k: 'str', v: s };
    }
    case 'integer':
    case 'float':
      return numberLiteral(node.text);
    case 'true':
      return { k: 'bool', v: true };
    case 'false':
      return { k: 'bool', v: false };
    case 'none':
      return { k: 'none' };
    case 'parenthesized_expression': {
      const inner = node.namedChildren.filter((c) => c && c.type !== 'comment');
      return inner.length === 1 ? toExpr(inner[0], qualify) : { k: 'text', text: node.text };
    }
    case 'unary_operator': {
      const arg = node.childForFieldName('argument');
      const op = node.childForFieldName('operator')?.text ?? node.child(0)?.text;
      const v = toExpr(arg, qualify);
      if (v.k === 'num' && op === '-') return { ...v, v: -v.v };
      if (v.k === 'num' && op === '+') return v;
      return { k: 'text', text: node.text };
    }
    case 'tuple':
    case 'list':
    case 'set':
    case 'expression_list': {
      const items = node.namedChildren
        .filter((c) => c && c.type !== 'comment')
        .map((c) => toExpr(c, qualify));
      return {
        k: node.type === 'expression_list' ? 'tuple' : (node.type as 'tuple' | 'list' | 'set'),
        items,
      };
    }
    case 'dictionary': {
      const entries: [PyExpr, PyExpr][] = [];
      const splats: PyExpr[] = [];
      for (const c of node.namedChildren) {
        if (!c || c.type === 'comment') continue;
        if (c.type === 'pair')
          entries.push([
            toExpr(c.childForFieldName('key'), qualify),
            toExpr(c.childForFieldName('value'), qualify),
          ]);
        else if (c.type === 'dictionary_splat') splats.push(toExpr(c.namedChildren[0], qualify));
        else return { k: 'text', text: node.text };
      }
      return splats.length ? { k: 'dict', entries, splats } : { k: 'dict', entries };
    }
    case 'identifier':
    case 'attribute': {
      const parts = chain(node);
      if (!parts) {
        return { k: 'text', text: node.text };
      }
      const [root, ...rest] = parts as [string, ...string[]];
      const q = root === 'self' || root === 'cls' ? root : qualify(root);
      return { k: 'name', q: rest.length ? `${q}.${rest.join('.')}` : q };
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      const argList = node.childForFieldName('arguments');
      if (!fn || !argList || argList.type !== 'argument_list') return { k: 'text', text: node.text };
      const args: PyExpr[] = [];
      const kw: Record<string, PyExpr> = {};
      const starKw: PyExpr[] = [];
      const starArgs: PyExpr[] = [];
      for (const a of argList.namedChildren) {
        if (!a || a.type === 'comment') continue;
        if (a.type === 'keyword_argument') {
          const name = a.childForFieldName('name')?.text;
          if (name) kw[name] = toExpr(a.childForFieldName('value'), qualify);
        } else if (a.type === 'dictionary_splat') starKw.push(toExpr(a.namedChildren[0], qualify));
        else if (a.type === 'list_splat') starArgs.push(toExpr(a.namedChildren[0], qualify));
        else args.push(toExpr(a, qualify));
      }
      const out: PyExpr = { k: 'call', f: toExpr(fn, qualify), args, kw };
      if (starKw.length) out.starKw = starKw;
      if (starArgs.length) out.starArgs = starArgs;
      return out;
    }
    case 'binary_operator': {
      const op = node.childForFieldName('operator')?.text ?? '?';
      return {
        k: 'binop',
        op,
        l: toExpr(node.childForFieldName('left'), qualify),
        r: toExpr(node.childForFieldName('right'), qualify),
      };
    }
    case 'subscript': {
      const subs = node.childrenForFieldName('subscript').filter((n): n is PyNode => !!n);
      if (subs.length !== 1) return { k: 'text', text: node.text };
      return {
        k: 'subscript',
        obj: toExpr(node.childForFieldName('value'), qualify),
        key: toExpr(subs[0], qualify),
      };
    }
    default:
      return { k: 'text', text: node.text };
  }
}

/** The name a call invokes (`nova.objects.fields.StringField`), if it is a plain name. */
export function callee(e: PyExpr): string | undefined {
  return e.k === 'call' && e.f.k === 'name' ? e.f.q : undefined;
}

/** Last dotted component. */
export function lastName(q: string): string {
  const i = q.lastIndexOf('.');
  return i < 0 ? q : q.slice(i + 1);
}

/** Source-like rendering of an expression, for messages and unrecognised values. */
export function exprText(e: PyExpr): string {
  switch (e.k) {
    case 'str':
      return `'${e.v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    case 'num':
      return String(e.v);
    case 'bool':
      return e.v ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'tuple':
      return `(${e.items.map(exprText).join(', ')}${e.items.length === 1 ? ',' : ''})`;
    case 'list':
      return `[${e.items.map(exprText).join(', ')}]`;
    case 'set':
      return e.items.length ? `{${e.items.map(exprText).join(', ')}}` : 'set()';
    case 'dict':
      return `{${[...e.entries.map(([k, v]) => `${exprText(k)}: ${exprText(v)}`), ...(e.splats ?? []).map((s) => `**${exprText(s)}`)].join(', ')}}`;
    case 'name':
      return e.q;
    case 'call':
      return `${exprText(e.f)}(${[
        ...e.args.map(exprText),
        ...(e.starArgs ?? []).map((s) => `*${exprText(s)}`),
        ...Object.entries(e.kw).map(([k, v]) => `${k}=${exprText(v)}`),
        ...(e.starKw ?? []).map((s) => `**${exprText(s)}`),
      ].join(', ')})`;
    case 'binop':
      return `${exprText(e.l)} ${e.op} ${exprText(e.r)}`;
    case 'subscript':
      return `${exprText(e.obj)}[${exprText(e.key)}]`;
    case 'text':
      return e.text;
  }
}

/** True for names Python provides without an import. */
export function isBuiltinName(q: string): boolean {
  return BUILTIN_NAMES.has(q);
}
