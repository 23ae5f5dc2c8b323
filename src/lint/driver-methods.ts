/**
 * Analyses of methods defined in classes: which class methods are virt driver methods (by name, from
 * `rules/virt-driver-methods.yaml`), which parameter carries the Instance object, and where the body
 * uses that parameter as a dict (`instance['f']`, `instance.get('f')`, `instance['f'] = v`). A
 * parameter that the function rebinds, or checks with `isinstance(x, dict)`, is treated as possibly
 * a real dict and never reported.
 */

import { identifierAt, wordOccurrences } from '../python/bindings.js';
import type { PyNode } from '../python/parser.js';
import type { PyFile } from '../python/source-file.js';
import { callArguments, literalString, parameterNames } from '../python/syntax-helpers.js';
import { queryMatches } from './query.js';
import type { VirtDriverMethod, VirtDriverMethodTable } from './virt-driver-methods.js';

export interface ClassMethodDef {
  cls: PyNode;
  fn: PyNode;
  name: string;
}

/** Every class definition of the file, found from its `class` keyword in the text (one each). */
export function classDefinitions(file: PyFile): PyNode[] {
  return file.memo(classDefinitions, () => {
    const out: PyNode[] = [];
    const text = file.text;
    for (const at of wordOccurrences(text, 'class')) {
      const kw = file.root.descendantForIndex(at, at + 5);
      if (!kw || kw.type !== 'class' || kw.startIndex !== at) continue;
      if (kw.parent?.type === 'class_definition') out.push(kw.parent);
    }
    return out;
  });
}

/** Methods defined directly in class bodies (decorated ones included), in source order. Once per file. */
export function classMethods(file: PyFile): ClassMethodDef[] {
  return file.memo(classMethods, () => {
    const out: ClassMethodDef[] = [];
    for (const cls of classDefinitions(file)) {
      const body = cls.childForFieldName('body');
      if (body?.type !== 'block') continue;
      for (const member of body.namedChildren) {
        if (!member) continue;
        const fn =
          member.type === 'function_definition'
            ? member
            : member.type === 'decorated_definition'
              ? member.childForFieldName('definition')
              : null;
        if (fn?.type !== 'function_definition') continue;
        const name = fn.childForFieldName('name');
        if (name) out.push({ cls, fn, name: name.text });
      }
    }
    return out.sort((a, b) => a.fn.startIndex - b.fn.startIndex);
  });
}

export interface DictAccess {
  /** The subscript or `.get(...)` call. */
  node: PyNode;
  param: string;
  key: string;
  kind: 'read' | 'write' | 'delete' | 'get';
  /** `.get(key, default)` has a default. */
  hasDefault?: boolean;
}

const ISINSTANCE_DICT_QUERY = `
(call function: (identifier) @f (#eq? @f "isinstance") arguments: (argument_list . (identifier) @obj . (_) @types)) @c
`;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The object parameter of a driver method definition, when it has one of the table's names. */
export function objectParam(fn: PyNode, entry: VirtDriverMethod): string | undefined {
  const names = parameterNames(fn);
  return entry.objectParams.find((p) => names.includes(p));
}

/** True when `param` in `fn` is only ever the parameter (never rebound) and not type-checked as a dict. */
function isPlainParam(file: PyFile, fn: PyNode, param: string, at: PyNode): boolean {
  const res = file.bindings.resolve(param, at);
  return res.kind === 'local' && res.scope.id === fn.id && res.sites.every((s) => s.kind === 'param');
}

function checksForDict(file: PyFile, fn: PyNode, param: string): boolean {
  if (!file.slice(fn).includes('isinstance')) return false;
  for (const m of queryMatches(ISINSTANCE_DICT_QUERY, fn)) {
    if (m.nodes.obj?.text === param && /\bdict\b|\bMapping\b/.test(m.nodes.types?.text ?? '')) return true;
  }
  return false;
}

/**
 * A dict-style use that an occurrence of the parameter's name is the object of: `P['k']` (one
 * string subscript) or `P.get('k', ...)` (a string first argument).
 */
function accessAt(obj: PyNode): { node: PyNode; key: PyNode; get: boolean } | undefined {
  const parent = obj.parent;
  if (!parent) return undefined;
  if (parent.type === 'subscript') {
    if (parent.childForFieldName('value')?.startIndex !== obj.startIndex) return undefined;
    const subs = parent.childrenForFieldName('subscript');
    const key = subs[0];
    if (subs.length !== 1 || !key || key.type !== 'string') return undefined;
    return { node: parent, key, get: false };
  }
  if (parent.type === 'attribute') {
    if (parent.childForFieldName('object')?.startIndex !== obj.startIndex) return undefined;
    if (parent.childForFieldName('attribute')?.text !== 'get') return undefined;
    const call = parent.parent;
    if (call?.type !== 'call' || call.childForFieldName('function')?.startIndex !== parent.startIndex)
      return undefined;
    const args = call.childForFieldName('arguments');
    if (args?.type !== 'argument_list') return undefined;
    const first = args.namedChildren.find((c) => c && c.type !== 'comment');
    if (!first || first.type !== 'string') return undefined;
    return { node: call, key: first, get: true };
  }
  return undefined;
}

/**
 * Dict-style uses of the object parameter inside a driver method. Candidates are the parameter's
 * occurrences as a word in the method's text; the tree and the scopes decide. Once per method.
 */
export function dictAccesses(file: PyFile, fn: PyNode, param: string): DictAccess[] {
  return file.memo(`dictAccesses\0${fn.id}\0${param}`, () => computeDictAccesses(file, fn, param));
}

function computeDictAccesses(file: PyFile, fn: PyNode, param: string): DictAccess[] {
  if (checksForDict(file, fn, param)) return [];
  const out: DictAccess[] = [];
  const plain = new Map<number, boolean>();
  for (const at of wordOccurrences(file.text, param, fn.startIndex, fn.endIndex)) {
    const obj = identifierAt(file.root, at, param.length);
    if (!obj) continue;
    const access = accessAt(obj);
    if (!access) continue;
    const k = literalString(access.key);
    if (k === undefined || !IDENT.test(k)) continue;
    const scope = file.bindings.scopeOf(obj);
    let ok = plain.get(scope.id);
    if (ok === undefined) {
      ok = isPlainParam(file, fn, param, obj);
      plain.set(scope.id, ok);
    }
    if (!ok) continue;
    if (!access.get) {
      const sub = access.node;
      const parent = sub.parent;
      let kind: DictAccess['kind'] = 'read';
      if (parent && (parent.type === 'assignment' || parent.type === 'augmented_assignment')) {
        if (parent.childForFieldName('left')?.id === sub.id) kind = 'write';
      } else if (parent?.type === 'delete_statement') kind = 'delete';
      out.push({ node: sub, param, key: k, kind });
    } else {
      const getcall = access.node;
      const list = getcall.childForFieldName('arguments');
      const hasDefault = (list?.namedChildren.filter((c) => c && c.type !== 'comment').length ?? 0) > 1;
      out.push({ node: getcall, param, key: k, kind: 'get', hasDefault });
    }
  }
  return out.sort((a, b) => a.node.startIndex - b.node.startIndex);
}

/**
 * Why a dict-style access cannot become attribute access whatever the target release: item
 * deletion (objects have none), `.get()` with arguments that cannot be read, `.get()` with a
 * default (an attribute read lazy-loads or raises instead). Shared by the dict-style-object-access
 * rule (such findings name no fix) and conductor-to-objects (it reports them manual).
 */
export type ManualOnlyAccess =
  | { why: 'delete' }
  | { why: 'get-arguments' }
  | { why: 'get-default'; dflt: PyNode };

export function manualOnlyAccess(a: DictAccess): ManualOnlyAccess | undefined {
  if (a.kind === 'delete') return { why: 'delete' };
  if (a.kind !== 'get') return undefined;
  const args = callArguments(a.node);
  const extra = args ? [...args.positional.slice(1), ...args.keywords.values()] : [];
  if (!args || args.starArgs.length || args.starKwargs.length || extra.length > 1)
    return { why: 'get-arguments' };
  const dflt = extra[0];
  return dflt && dflt.type !== 'none' ? { why: 'get-default', dflt } : undefined;
}

export interface DriverMethodUse {
  def: ClassMethodDef;
  entry: VirtDriverMethod;
  param?: string;
  accesses: DictAccess[];
}

/** Driver methods (by table name) defined in classes of the file, with their dict-style accesses. */
export function driverMethodUses(file: PyFile, table: VirtDriverMethodTable): DriverMethodUse[] {
  const out: DriverMethodUse[] = [];
  for (const def of classMethods(file)) {
    const entry = table.get(def.name);
    if (!entry) continue;
    const param = objectParam(def.fn, entry);
    out.push({
      def,
      entry,
      ...(param ? { param } : {}),
      accesses: param ? dictAccesses(file, def.fn, param) : [],
    });
  }
  return out;
}
