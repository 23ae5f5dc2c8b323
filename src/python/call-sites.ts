/**
 * Calls found by the callee's name: `NAME(...)` and `RECV.NAME(...)` for a set of names. The text
 * says where a name occurs as a whole word (a native search); the tree decides whether that
 * occurrence is an identifier that is the callee, or the attribute of the callee, of a call with
 * an argument list. A tree-sitter query for "every call" would marshal every call of the file into
 * JS objects to keep a handful: on Nova-size trees that is most of a rule's time.
 *
 * Strings and comments never count (no identifier node there), and nor do attribute reads, defs
 * or keyword names that merely share the name.
 */
import { escapeRegex } from '../engine/escape-regex.js';
import { identifierAt } from './bindings.js';
import type { PyNode } from './parser.js';
import type { PyFile } from './source-file.js';

export interface NamedCall {
  /** The `call` node. */
  call: PyNode;
  /** The identifier with the name (the callee, or the callee's attribute). */
  name: PyNode;
  /** `RECV` of `RECV.NAME(...)`; undefined for a bare `NAME(...)`. */
  receiver?: PyNode;
}

const regexCache = new Map<string, RegExp>();

/** One regex for a set of names, each as a whole word (longest first, so prefixes never win). */
export function wordRegex(names: Iterable<string>): RegExp {
  const list = [...new Set(names)].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const key = list.join('\0');
  let re = regexCache.get(key);
  if (!re) {
    const alt = list.map(escapeRegex).join('|');
    re = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alt})(?![\\p{L}\\p{N}_])`, 'gu');
    regexCache.set(key, re);
  }
  return re;
}

/**
 * The call whose callee is the identifier `id` (`id(...)`) or ends with it (`recv.id(...)`).
 * `argumentList: false` also accepts a call whose argument is a bare generator (`f(x for x in y)`).
 */
export function callOfCalleeName(id: PyNode, argumentList = true): NamedCall | undefined {
  const parent = id.parent;
  if (!parent) return undefined;
  let fn: PyNode = id;
  let receiver: PyNode | undefined;
  if (parent.type === 'attribute') {
    if (parent.childForFieldName('attribute')?.startIndex !== id.startIndex) return undefined;
    receiver = parent.childForFieldName('object') ?? undefined;
    if (!receiver) return undefined;
    fn = parent;
  }
  const call = fn.parent;
  if (call?.type !== 'call') return undefined;
  const callee = call.childForFieldName('function');
  if (!callee || callee.startIndex !== fn.startIndex || callee.endIndex !== fn.endIndex) return undefined;
  if (argumentList && call.childForFieldName('arguments')?.type !== 'argument_list') return undefined;
  return { call, name: id, ...(receiver ? { receiver } : {}) };
}

/**
 * Every call of one of `names` in the file (or in `[from, to)`), bare or through a receiver, in
 * source order of the name.
 */
export function callsByName(
  file: PyFile,
  names: Iterable<string>,
  from = 0,
  to: number = file.text.length,
  argumentList = true,
): NamedCall[] {
  const out: NamedCall[] = [];
  const re = wordRegex(names);
  const text = file.text;
  re.lastIndex = from;
  for (let m = re.exec(text); m && m.index < to; m = re.exec(text)) {
    const id = identifierAt(file.root, m.index, m[0].length);
    if (!id) continue;
    const site = callOfCalleeName(id, argumentList);
    if (site) out.push(site);
  }
  return out;
}

export interface ImportedCall {
  call: PyNode;
  /** The callee: the attribute chain (or name) the call applies. */
  callee: PyNode;
  /** The callee's qualified name, under the prefix asked for. */
  qualifiedName: string;
}

/**
 * Every call whose callee's qualified name is `prefix` or below it (`nova.conductor.API` for
 * `nova.conductor`), in source order: of the references `referencesTo` finds, the callees of a
 * call whose qualified name is that one alone (a name two imports bind has none).
 */
export function callsThroughImports(file: PyFile, prefix: string): ImportedCall[] {
  const out: ImportedCall[] = [];
  const seen = new Set<number>();
  for (const { node: callee } of file.bindings.referencesTo(prefix)) {
    if (seen.has(callee.id)) continue;
    seen.add(callee.id);
    const call = callee.parent;
    if (call?.type !== 'call' || call.childForFieldName('function')?.id !== callee.id) continue;
    const qualifiedName = file.bindings.qualifiedName(callee);
    if (qualifiedName === prefix || qualifiedName?.startsWith(`${prefix}.`))
      out.push({ call, callee, qualifiedName });
  }
  return out;
}
