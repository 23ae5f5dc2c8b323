/**
 * virt-driver-method-contract support: per class, the methods that take the Instance object, their
 * raw calls and dict-style accesses, and the calls through which they delegate
 * (`self._vmops.attach_volume(instance, ...)` with `self._vmops = vmops.VMOps(...)`). Collected per
 * file in the workers; joined across files by `buildContractStatus`, which finds the driver classes
 * (deriving from nova.virt.driver.ComputeDriver, directly or through other driver classes) and
 * gives, for each of the spec's 25 methods, whether the implementation (following delegation)
 * still uses raw calls or dict access.
 */

import { identifierAt, wordOccurrences } from '../python/bindings.js';
import type { PyNode } from '../python/parser.js';
import { moduleNameForPath, type PyFile } from '../python/source-file.js';
import { dottedName } from '../python/syntax-helpers.js';
import { classMethods, dictAccesses } from './driver-methods.js';
import type { RawCall } from './raw-calls.js';
import type { VirtDriverMethodTable } from './virt-driver-methods.js';

export const COMPUTE_DRIVER = 'nova.virt.driver.ComputeDriver';

export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Text of the first line (for fingerprints). */
  lineText: string;
}

export interface MethodInfo extends Span {
  param?: string;
  rawCalls: number;
  rawMethods: string[];
  dictAccesses: number;
  delegates: { cls: string; method: string }[];
}

export interface ClassInfo extends Span {
  file: string;
  name: string;
  qualifiedName: string;
  bases: string[];
  methods: Record<string, MethodInfo>;
}

/**
 * `self.X = <call>` assignments of the file, in source order, as { attr, fn }: located by the text
 * `self . X =` (whitespace, line continuations and an annotation allowed, `==` excluded) and
 * decided on the tree.
 */
const SELF_ATTR_TEXT =
  /(?<![\p{L}\p{N}_])self[\s\\]*\.[\s\\]*[\p{L}_][\p{L}\p{N}_]*[\s\\]*(?::[^=\n]*)?=(?!=)/gu;

function selfAttributeAssignments(file: PyFile): { assign: PyNode; attr: PyNode; fn: PyNode }[] {
  return file.memo(selfAttributeAssignments, () => {
    const out: { assign: PyNode; attr: PyNode; fn: PyNode }[] = [];
    for (const m of file.text.matchAll(SELF_ATTR_TEXT)) {
      const self = identifierAt(file.root, m.index, 4);
      const target = self?.parent;
      if (target?.type !== 'attribute' || target.childForFieldName('object')?.startIndex !== self!.startIndex)
        continue;
      const assign = target.parent;
      if (assign?.type !== 'assignment' || assign.childForFieldName('left')?.startIndex !== target.startIndex)
        continue;
      const attr = target.childForFieldName('attribute');
      const right = assign.childForFieldName('right');
      const fn = right?.type === 'call' ? right.childForFieldName('function') : null;
      if (attr?.type === 'identifier' && fn) out.push({ assign, attr, fn });
    }
    return out;
  });
}

/**
 * The calls in a method that pass its object parameter on to `self.m(...)` or `self.X.m(...)`,
 * in source order: found from the parameter's occurrences as a call argument (a word search in the
 * method's text), so that only calls passing it are looked at.
 */
function delegateCalls(
  file: PyFile,
  fn: PyNode,
  param: string,
): { call: PyNode; attr?: PyNode; m: PyNode; viaSelf: boolean }[] {
  const out: { call: PyNode; attr?: PyNode; m: PyNode; viaSelf: boolean }[] = [];
  const seen = new Set<number>();
  for (const at of wordOccurrences(file.text, param, fn.startIndex, fn.endIndex)) {
    const id = identifierAt(file.root, at, param.length);
    let args = id?.parent;
    if (args?.type === 'keyword_argument') {
      if (args.childForFieldName('value')?.startIndex !== id!.startIndex) continue;
      args = args.parent;
    }
    if (args?.type !== 'argument_list') continue;
    const call = args.parent;
    if (call?.type !== 'call' || seen.has(call.id)) continue;
    seen.add(call.id);
    const callee = call.childForFieldName('function');
    if (callee?.type !== 'attribute') continue;
    const m = callee.childForFieldName('attribute');
    const obj = callee.childForFieldName('object');
    if (!m || !obj) continue;
    if (obj.type === 'identifier') {
      if (obj.text === 'self') out.push({ call, m, viaSelf: true });
    } else if (obj.type === 'attribute') {
      const base = obj.childForFieldName('object');
      const attr = obj.childForFieldName('attribute');
      if (base?.type === 'identifier' && base.text === 'self' && attr?.type === 'identifier')
        out.push({ call, attr, m, viaSelf: false });
    }
  }
  return out.sort((a, b) => a.call.startIndex - b.call.startIndex);
}

function span(file: PyFile, node: PyNode, headOnly = false): Span {
  const s = file.position(node.startIndex);
  const endNode = headOnly ? (node.childForFieldName('name') ?? node) : node;
  const e = file.position(endNode.endIndex);
  return {
    line: s.line,
    column: s.column,
    endLine: e.line,
    endColumn: e.column,
    lineText: file.lineText(s.line).trim(),
  };
}

/** The classes of one file with the facts the contract needs. `rawCalls`: the file's raw calls. */
export function collectClasses(
  file: PyFile,
  relPath: string,
  table: VirtDriverMethodTable,
  rawCalls: RawCall[],
): ClassInfo[] {
  const module = moduleNameForPath(relPath)?.moduleName ?? relPath;
  const defaultParams = table.methods[0]?.objectParams ?? ['instance'];
  const byClass = new Map<number, ClassInfo>();
  const classNodes = new Map<number, PyNode>();
  const localClasses = new Set<string>();
  // Module-level classes only (nested classes are helpers); decorated ones are not driver classes.
  const moduleClasses = file.root.namedChildren.filter(
    (n): n is PyNode => !!n && n.type === 'class_definition',
  );
  for (const n of moduleClasses) localClasses.add(n.childForFieldName('name')?.text ?? '');
  const qualify = (expr: PyNode): string => {
    const qn = file.bindings.qualifiedName(expr);
    if (qn) return qn;
    const text = dottedName(expr) ?? expr.text;
    return localClasses.has(text) ? `${module}.${text}` : text;
  };
  const classOf = (cls: PyNode): ClassInfo => {
    let info = byClass.get(cls.id);
    if (!info) {
      const name = cls.childForFieldName('name')?.text ?? '?';
      const supers = cls.childForFieldName('superclasses');
      const bases = (supers?.namedChildren ?? [])
        .filter((b): b is PyNode => !!b && b.type !== 'keyword_argument' && b.type !== 'comment')
        .map(qualify);
      info = {
        file: relPath,
        name,
        qualifiedName: `${module}.${name}`,
        bases,
        methods: {},
        ...span(file, cls, true),
      };
      byClass.set(cls.id, info);
      classNodes.set(cls.id, cls);
    }
    return info;
  };
  // Attribute types per class: self.X = SomeClass(...)
  const attrTypes = new Map<number, Map<string, string>>();
  const attrTypesOf = (cls: PyNode): Map<string, string> => {
    let m = attrTypes.get(cls.id);
    if (!m) {
      m = new Map();
      for (const a of selfAttributeAssignments(file)) {
        if (a.assign.startIndex < cls.startIndex || a.assign.endIndex > cls.endIndex) continue;
        const t = qualify(a.fn);
        if (/^[A-Za-z_][\w.]*$/.test(t)) m.set(a.attr.text, t);
      }
      attrTypes.set(cls.id, m);
    }
    return m;
  };
  for (const n of moduleClasses) classOf(n);
  const defs = classMethods(file);
  for (const def of defs) {
    // Only module-level classes take part (nested classes are helpers).
    if (def.cls.parent?.type !== 'module') continue;
    const info = classOf(def.cls);
    const entry = table.get(def.name);
    const params = entry?.objectParams ?? defaultParams;
    const names = def.fn.childForFieldName('parameters')?.text ?? '';
    const param = params.find((p) => new RegExp(`\\b${p}\\b`).test(names));
    const mi: MethodInfo = {
      ...span(file, def.fn, true),
      rawCalls: 0,
      rawMethods: [],
      dictAccesses: 0,
      delegates: [],
    };
    if (param) {
      mi.param = param;
      mi.dictAccesses = dictAccesses(file, def.fn, param).length;
      const types = attrTypesOf(def.cls);
      for (const d of delegateCalls(file, def.fn, param)) {
        if (d.attr) {
          const t = types.get(d.attr.text);
          if (t) mi.delegates.push({ cls: t, method: d.m.text });
        } else if (d.viaSelf) {
          mi.delegates.push({ cls: info.qualifiedName, method: d.m.text });
        }
      }
    }
    info.methods[def.name] = mi;
  }
  // Raw calls, attributed to the class method that contains them.
  for (const raw of rawCalls) {
    for (let cur = raw.call.parent; cur; cur = cur.parent) {
      if (cur.type !== 'function_definition') continue;
      const body = cur.parent?.type === 'decorated_definition' ? cur.parent.parent : cur.parent;
      const cls = body?.parent;
      if (body?.type === 'block' && cls?.type === 'class_definition' && cls.parent?.type === 'module') {
        const name = cur.childForFieldName('name')?.text ?? '';
        const mi = classOf(cls).methods[name];
        if (mi) {
          mi.rawCalls++;
          if (!mi.rawMethods.includes(raw.method.method)) mi.rawMethods.push(raw.method.method);
        }
        break;
      }
    }
  }
  return [...byClass.values()];
}

export type MethodStatus =
  | 'clean'
  | 'raw-calls'
  | 'dict-access'
  | 'raw-calls+dict-access'
  | 'not-implemented';

export interface MethodStatusEntry {
  status: MethodStatus;
  rawCalls: number;
  dictAccesses: number;
  rawMethods: string[];
  /** Where the implementation is defined (`nova.virt.libvirt.driver.LibvirtDriver`). */
  definedIn?: string;
  /** Methods reached through delegation that contribute raw calls or dict access. */
  via: string[];
}

export interface DriverStatus {
  driver: string;
  className: string;
  qualifiedName: string;
  file: string;
  line: number;
  methods: Record<string, MethodStatusEntry>;
}

export interface ContractStatus {
  methods: string[];
  drivers: DriverStatus[];
}

/** `nova/virt/libvirt/driver.py` -> libvirt; `nova/virt/fake.py` -> fake. */
export function driverLabel(file: string): string {
  const m = /(?:^|\/)nova\/virt\/([^/]+)\//.exec(file);
  if (m) return m[1]!;
  const f = /(?:^|\/)nova\/virt\/([^/]+)\.py$/.exec(file);
  return f ? f[1]! : file.replace(/\/[^/]*$/, '');
}

export function buildContractStatus(classes: ClassInfo[], methods: string[]): ContractStatus {
  const index = new Map<string, ClassInfo>();
  for (const c of classes) index.set(c.qualifiedName, c);
  const driverMemo = new Map<string, boolean>();
  const isDriver = (qn: string, seen = new Set<string>()): boolean => {
    const hit = driverMemo.get(qn);
    if (hit !== undefined) return hit;
    if (seen.has(qn)) return false;
    seen.add(qn);
    const c = index.get(qn);
    const r = !!c && c.bases.some((b) => b === COMPUTE_DRIVER || isDriver(b, seen));
    driverMemo.set(qn, r);
    return r;
  };
  /** The class (in MRO order, depth-first as Python does for single inheritance) defining a method. */
  const lookup = (
    qn: string,
    method: string,
    seen = new Set<string>(),
  ): { cls: ClassInfo; info: MethodInfo } | undefined => {
    if (seen.has(qn) || qn === COMPUTE_DRIVER) return undefined;
    seen.add(qn);
    const c = index.get(qn);
    if (!c) return undefined;
    const own = c.methods[method];
    if (own) return { cls: c, info: own };
    for (const b of c.bases) {
      const found = lookup(b, method, seen);
      if (found) return found;
    }
    return undefined;
  };
  const evaluate = (
    qn: string,
    method: string,
    visited: Set<string>,
    depth: number,
  ):
    | { raw: number; dict: number; rawMethods: Set<string>; via: string[]; definedIn?: string }
    | undefined => {
    const found = lookup(qn, method);
    if (!found) return undefined;
    const key = `${found.cls.qualifiedName}.${method}`;
    const acc = {
      raw: 0,
      dict: 0,
      rawMethods: new Set<string>(),
      via: [] as string[],
      definedIn: found.cls.qualifiedName,
    };
    if (visited.has(key)) return acc;
    visited.add(key);
    acc.raw += found.info.rawCalls;
    acc.dict += found.info.dictAccesses;
    for (const r of found.info.rawMethods) acc.rawMethods.add(r);
    if (depth < 4) {
      for (const d of found.info.delegates) {
        const sub = evaluate(d.cls, d.method, visited, depth + 1);
        if (!sub) continue;
        if (sub.raw || sub.dict) acc.via.push(`${sub.definedIn?.split('.').pop()}.${d.method}`, ...sub.via);
        acc.raw += sub.raw;
        acc.dict += sub.dict;
        for (const r of sub.rawMethods) acc.rawMethods.add(r);
      }
    }
    return acc;
  };
  const drivers: DriverStatus[] = [];
  for (const c of classes) {
    if (!isDriver(c.qualifiedName)) continue;
    const ms: Record<string, MethodStatusEntry> = {};
    for (const method of methods) {
      const r = evaluate(c.qualifiedName, method, new Set(), 0);
      if (!r) {
        ms[method] = { status: 'not-implemented', rawCalls: 0, dictAccesses: 0, rawMethods: [], via: [] };
        continue;
      }
      const status: MethodStatus =
        r.raw && r.dict ? 'raw-calls+dict-access' : r.raw ? 'raw-calls' : r.dict ? 'dict-access' : 'clean';
      ms[method] = {
        status,
        rawCalls: r.raw,
        dictAccesses: r.dict,
        rawMethods: [...r.rawMethods].sort(),
        ...(r.definedIn ? { definedIn: r.definedIn } : {}),
        via: [...new Set(r.via)],
      };
    }
    drivers.push({
      driver: driverLabel(c.file),
      className: c.name,
      qualifiedName: c.qualifiedName,
      file: c.file,
      line: c.line,
      methods: ms,
    });
  }
  drivers.sort((a, b) => a.driver.localeCompare(b.driver) || a.className.localeCompare(b.className));
  return { methods, drivers };
}
