/**
 * Per-revision resolution: from the module summaries of one tree (nova/objects/*.py,
 * nova/notifications/objects/*.py and a few constant modules) to the registered versioned objects
 * as `ObjectVersionDef`s.
 *
 * It builds a class index across modules, linearises each class's bases (C3, as Python does, with
 * oslo.versionedobjects' own classes modelled where the tree imports them), decides registration
 * (metaclass auto-registration in 2013.2-2015.1, `@NovaObjectRegistry.register` /
 * `register_notification` / `register_if(cond)` from 12.0.0), and evaluates `VERSION` (literal,
 * symbolic `Other.VERSION`, inherited), the merged `fields` (dict literals, `dict(Parent.fields,
 * **{...})`, `fields.update`, mixins, in `_make_class_properties` order), field types (through the
 * revision's own `nova/objects/fields.py`: `AUTO_TYPE`, named enums and their `ALL`, aliases of
 * oslo fields; Havana's type functions), `obj_relationships`, `child_versions`, remotable methods,
 * the flattened `obj_make_compatible` chain and the era of the tree.
 */
import { detectEra, type EraName } from '../objects/eras.js';
import { fieldTypeForClassName, fieldTypeForTypeClass } from '../objects/field-class-names.js';
import type {
  DefaultDef,
  ElementDef,
  FieldDef,
  FieldTypeDesc,
  JsonValue,
  MakeCompatibleAction,
  ObjectVersionDef,
  RemotableMethodDef,
  VersionPair,
} from '../objects/model.js';
import { exprToJson, type RawCompatAction } from './make-compatible.js';
import type { ModuleSummary, RawClass } from './object-extractor.js';
import { callee, exprText, isBuiltinName, lastName, type PyExpr } from './python-expr.js';
import type { VersionComment } from './version-comments.js';

/** How a class came to be in the registry. */
export type Registration = 'metaclass' | 'decorator' | 'notification' | 'register-if-false' | 'none';

/** What the history records about one object class beyond the shared model. */
export interface ExtractedObject {
  def: ObjectVersionDef;
  /** Qualified class name (`nova.objects.instance.InstanceV2`). */
  qname: string;
  kind: 'object' | 'notification';
  registration: Registration;
  registered: boolean;
  versionSource: 'literal' | 'symbolic' | 'inherited' | 'default';
  historyComments: VersionComment[];
  /** The compat actions as extracted, with their source lines and unevaluated values. */
  compatActions: RawCompatAction[];
  /** Field names whose type could not be resolved, or other notes. */
  notes: string[];
}

export interface ResolvedTree {
  objects: ExtractedObject[];
  era: EraName;
  eraFacts: { importsOsloVersionedObjects: boolean; hasObjRelationships: boolean; hasChildVersions: boolean };
  /** Object-like classes that are not registered (abstract bases, `register_if(False)`). */
  unregistered: string[];
}

export interface ResolveOptions {
  /** Force an era instead of detecting it. */
  era?: EraName;
  /** Commit the tree was read at (copied into `source`). */
  commit?: string;
}

interface ClassInfo {
  raw: RawClass;
  module: ModuleSummary;
  external?: boolean;
}

/** oslo.versionedobjects classes Nova derives from, modelled as summaries. */
function ovoClass(name: string, attrs: Record<string, PyExpr>, bases: string[] = []): RawClass {
  return {
    name,
    qname: `oslo_versionedobjects.base.${name}`,
    line: 0,
    bases: bases.map((b) => ({ k: 'name', q: b })),
    keywords: {},
    decorators: [],
    attrs,
    attrLines: {},
    fieldLines: {},
    fieldsUpdates: [],
    fieldsDeleted: [],
    historyComments: [],
    remotable: [],
    methods: [],
  };
}

const OVO_MODULE: ModuleSummary = {
  extractorVersion: 0,
  module: 'oslo_versionedobjects.base',
  path: '<oslo.versionedobjects>',
  imports: {},
  constants: {},
  classes: [],
  fieldsUpdates: [],
  syntaxErrors: [],
};

const f = (name: string, kw: Record<string, PyExpr> = {}, args: PyExpr[] = []): PyExpr => ({
  k: 'call',
  f: { k: 'name', q: `oslo_versionedobjects.fields.${name}` },
  args,
  kw,
});
const nullable: Record<string, PyExpr> = { nullable: { k: 'bool', v: true } };

const OVO_CLASSES: RawClass[] = [
  ovoClass('VersionedObject', {
    VERSION: { k: 'str', v: '1.0' },
    OBJ_SERIAL_NAMESPACE: { k: 'str', v: 'versioned_object' },
    OBJ_PROJECT_NAMESPACE: { k: 'str', v: 'versionedobjects' },
    fields: { k: 'dict', entries: [] },
    obj_relationships: { k: 'dict', entries: [] },
  }),
  ovoClass('ObjectListBase', {
    fields: {
      k: 'dict',
      entries: [
        [{ k: 'str', v: 'objects' }, f('ListOfObjectsField', {}, [{ k: 'str', v: 'VersionedObject' }])],
      ],
    },
    child_versions: { k: 'dict', entries: [] },
  }),
  ovoClass('VersionedObjectDictCompat', {}),
  ovoClass('ComparableVersionedObject', {}),
  ovoClass('TimestampedObject', {
    fields: {
      k: 'dict',
      entries: [
        [{ k: 'str', v: 'created_at' }, f('DateTimeField', nullable)],
        [{ k: 'str', v: 'updated_at' }, f('DateTimeField', nullable)],
      ],
    },
  }),
  ovoClass('VersionedPersistentObject', {
    fields: {
      k: 'dict',
      entries: [
        [{ k: 'str', v: 'created_at' }, f('DateTimeField', nullable)],
        [{ k: 'str', v: 'updated_at' }, f('DateTimeField', nullable)],
        [{ k: 'str', v: 'deleted_at' }, f('DateTimeField', nullable)],
        [{ k: 'str', v: 'deleted' }, f('BooleanField', { default: { k: 'bool', v: false } })],
      ],
    },
  }),
];
const OVO_ROOTS = new Set(['oslo_versionedobjects.base.VersionedObject']);

const HAVANA_TYPEFNS: Record<string, { type: FieldTypeDesc; nullable: boolean }> = {
  int: { type: { kind: 'Integer' }, nullable: false },
  long: { type: { kind: 'Integer' }, nullable: false },
  bool: { type: { kind: 'Boolean' }, nullable: false },
  float: { type: { kind: 'Float' }, nullable: false },
  str: { type: { kind: 'String' }, nullable: false },
  unicode: { type: { kind: 'String' }, nullable: false },
  dict: { type: { kind: 'Unknown', pythonName: 'dict' }, nullable: false },
  list: { type: { kind: 'Unknown', pythonName: 'list' }, nullable: false },
  str_or_none: { type: { kind: 'String' }, nullable: true },
  str_value: { type: { kind: 'String' }, nullable: false },
  cstring: { type: { kind: 'String' }, nullable: false },
  int_or_none: { type: { kind: 'Integer' }, nullable: true },
  datetime_or_none: { type: { kind: 'DateTime', tzinfoAware: true }, nullable: true },
  datetime_or_str_or_none: { type: { kind: 'DateTime', tzinfoAware: true }, nullable: true },
  network_model_or_none: { type: { kind: 'NetworkModel' }, nullable: true },
  list_of_strings_or_none: {
    type: { kind: 'List', element: { type: { kind: 'String' }, nullable: false } },
    nullable: true,
  },
  dict_of_strings_or_none: {
    type: { kind: 'Dict', element: { type: { kind: 'String' }, nullable: false } },
    nullable: true,
  },
};

/** Field-class names whose arguments matter: resolved through field-class-names, never AUTO_TYPE. */
const ARGUMENT_FIELD_CLASSES = new Set([
  'ObjectField',
  'ListOfObjectsField',
  'EnumField',
  'ListOfEnumField',
  'StateMachine',
  'DateTimeField',
  'DictProxyField',
]);

const MAX_DEPTH = 24;

/**
 * What a computation read from the revision's modules: module name -> keys, where a key is `M`
 * (the module exists), `P` (its path), `c:<name>` (a module-level constant), `i:<name>` (an
 * import), `k:<name>` (a class's structure: bases, decorators, keywords, remotable signatures,
 * `fields.update` calls, ..., without its attributes, source lines, comments and method bodies),
 * `a:<class>.<attr>` (one class-body attribute), `x:<name>` (its `obj_make_compatible`, lines
 * included) or `K:<name>` (the class in full, for the object's own class). Recorded per class by `TreeResolver` when tracking is on, and
 * checked against the modules that changed by `IncrementalResolver`.
 */
export type ModuleDeps = Map<string, Set<string>>;

/** One class's resolution as `TreeResolver.resolve` computed it, reusable while its deps hold. */
export interface ClassEntry {
  facts: {
    kind: 'skip' | 'unregistered' | 'candidate';
    registration: Registration;
    hasRel: boolean;
    hasCv: boolean;
  };
  factsDeps: ModuleDeps;
  object?: ExtractedObject;
  objectDeps?: ModuleDeps;
  /** Era and commit the object was resolved under. */
  era?: EraName;
  commit?: string;
}

/** Reuse of per-class results across `resolve` calls (see `IncrementalResolver`). */
export interface ClassReuse {
  /** A still-valid entry for the class, or undefined to resolve it. */
  get(qname: string): ClassEntry | undefined;
  set(qname: string, entry: ClassEntry): void;
  /** Called on each freshly resolved object; returns the instance to keep (interning). */
  intern?(o: ExtractedObject): ExtractedObject;
}

export class TreeResolver {
  private readonly classes = new Map<string, ClassInfo>();
  private readonly modules = new Map<string, ModuleSummary>();
  private readonly mroCache = new Map<string, ClassInfo[]>();
  private readonly fieldsCache = new Map<string, Map<string, { expr: PyExpr; owner: ClassInfo }>>();
  private readonly enumCache = new Map<string, string[] | null>();
  private libraryModule: string | undefined;
  /** Dependency recording (on only under `resolve(options, reuse)`): a frame per computation. */
  private readonly depStack: ModuleDeps[] = [];
  private readonly memoDeps = new Map<string, ModuleDeps>();

  constructor(summaries: Iterable<ModuleSummary>) {
    for (const c of OVO_CLASSES) this.classes.set(c.qname, { raw: c, module: OVO_MODULE, external: true });
    for (const m of summaries) {
      this.modules.set(m.module, m);
      for (const c of m.classes) this.classes.set(c.qname, { raw: c, module: m });
    }
  }

  private dep(module: string, key: string): void {
    const top = this.depStack[this.depStack.length - 1];
    if (!top) return;
    let keys = top.get(module);
    if (!keys) {
      keys = new Set();
      top.set(module, keys);
    }
    keys.add(key);
  }

  /** A class-body attribute (`VERSION`, `fields`, ...), recorded as an `a:` dependency. */
  private attr(c: ClassInfo, name: string): PyExpr | undefined {
    if (!c.external && this.depStack.length) this.dep(c.module.module, `a:${c.raw.name}.${name}`);
    return c.raw.attrs[name];
  }

  private depClass(info: ClassInfo): void {
    if (!info.external && this.depStack.length) this.dep(info.module.module, `k:${info.raw.name}`);
  }

  private mergeDeps(from: ModuleDeps | undefined): void {
    const top = this.depStack[this.depStack.length - 1];
    if (!top || !from || from === top) return;
    for (const [m, keys] of from) {
      const into = top.get(m);
      if (!into) top.set(m, new Set(keys));
      else for (const k of keys) into.add(k);
    }
  }

  /** Runs `fn` in its own dependency frame, then adds what it read to the enclosing frame. */
  private tracked<T>(fn: () => T): { value: T; deps: ModuleDeps } {
    const deps: ModuleDeps = new Map();
    this.depStack.push(deps);
    let value: T;
    try {
      value = fn();
    } finally {
      this.depStack.pop();
    }
    this.mergeDeps(deps);
    return { value, deps };
  }

  /** A memoised computation: its deps are kept with the value and replayed on every hit. */
  private memo<T>(key: string, fn: () => T): T {
    if (!this.depStack.length) return fn();
    const { value, deps } = this.tracked(fn);
    this.memoDeps.set(key, deps);
    return value;
  }

  private memoHit(key: string): void {
    if (this.depStack.length) this.mergeDeps(this.memoDeps.get(key));
  }

  /** Follows module-level aliases and re-exporting imports to a class. */
  lookupClass(qname: string, depth = 0): ClassInfo | undefined {
    const direct = this.classes.get(qname);
    const dot = qname.lastIndexOf('.');
    if (this.depStack.length && dot >= 0) this.dep(qname.slice(0, dot), `k:${qname.slice(dot + 1)}`);
    if (direct || depth > MAX_DEPTH) return direct;
    if (dot < 0) return undefined;
    const head = qname.slice(0, dot);
    const mod = this.modules.get(head);
    const local = qname.slice(dot + 1);
    if (this.depStack.length) this.dep(head, 'M');
    if (!mod) {
      // oslo.versionedobjects spelled another way (`oslo.versionedobjects.base.X`, `ovo_base.X`)
      const m = /^oslo[._]versionedobjects\.base\.(\w+)$/.exec(qname);
      return m ? this.classes.get(`oslo_versionedobjects.base.${m[1]}`) : undefined;
    }
    if (this.depStack.length) this.dep(head, `c:${local}`);
    const alias = mod.constants[local];
    if (alias?.k === 'name') return this.lookupClass(alias.q, depth + 1);
    if (this.depStack.length) this.dep(head, `i:${local}`);
    const imported = mod.imports[local];
    if (imported) return this.lookupClass(imported, depth + 1);
    return undefined;
  }

  private baseInfos(info: ClassInfo): ClassInfo[] {
    const out: ClassInfo[] = [];
    for (const b of info.raw.bases) {
      if (b.k === 'name') {
        const c = this.lookupClass(b.q);
        if (c) out.push(c);
      } else if (b.k === 'call' && b.f.k === 'name' && lastName(b.f.q) === 'with_metaclass') {
        // six.with_metaclass(Meta, Base...)
        for (const a of b.args.slice(1)) {
          const c = a.k === 'name' ? this.lookupClass(a.q) : undefined;
          if (c) out.push(c);
        }
      }
    }
    return out;
  }

  /** C3 linearisation; falls back to depth-first order when the hierarchy is inconsistent. */
  mro(info: ClassInfo, depth = 0): ClassInfo[] {
    const cached = this.mroCache.get(info.raw.qname);
    if (cached) {
      this.memoHit(`m:${info.raw.qname}`);
      return cached;
    }
    if (depth > MAX_DEPTH) return [info];
    return this.memo(`m:${info.raw.qname}`, () => this.computeMro(info, depth));
  }

  private computeMro(info: ClassInfo, depth: number): ClassInfo[] {
    this.depClass(info);
    this.mroCache.set(info.raw.qname, [info]); // cycle guard
    const bases = this.baseInfos(info);
    const seqs = [...bases.map((b) => [...this.mro(b, depth + 1)]), [...bases]];
    const out: ClassInfo[] = [info];
    for (;;) {
      const nonEmpty = seqs.filter((s) => s.length > 0);
      if (nonEmpty.length === 0) break;
      let head: ClassInfo | undefined;
      for (const s of nonEmpty) {
        const cand = s[0]!;
        if (!nonEmpty.some((t) => t.indexOf(cand) > 0)) {
          head = cand;
          break;
        }
      }
      if (!head) {
        for (const s of nonEmpty) for (const c of s) if (!out.includes(c)) out.push(c);
        break;
      }
      out.push(head);
      for (const s of nonEmpty) if (s[0] === head) s.shift();
    }
    this.mroCache.set(info.raw.qname, out);
    return out;
  }

  /** First class in the mro that assigns `attr` in its body. */
  private attrOf(info: ClassInfo, attr: string): { expr: PyExpr; owner: ClassInfo } | undefined {
    for (const c of this.mro(info)) {
      const e = this.attr(c, attr);
      if (e) return { expr: e, owner: c };
    }
    return undefined;
  }

  /** The NovaObject / VersionedObject roots present in this tree. */
  private isRoot(info: ClassInfo): boolean {
    if (OVO_ROOTS.has(info.raw.qname)) return true;
    return info.raw.name === 'NovaObject' && /(^|\.)objects\.base$/.test(info.module.module);
  }

  isVersionedObject(info: ClassInfo): boolean {
    return this.mro(info).some((c) => this.isRoot(c));
  }

  /** Evaluates an expression to a JSON value, following names to constants and class attributes. */
  evaluate(e: PyExpr, ctx: ClassInfo | undefined, module: ModuleSummary, depth = 0): JsonValue | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const direct = exprToJson(e);
    if (direct !== undefined) return direct;
    switch (e.k) {
      case 'tuple':
      case 'list':
      case 'set': {
        const items = e.items.map((i) => this.evaluate(i, ctx, module, depth + 1));
        return items.every((i) => i !== undefined) ? (items as JsonValue[]) : undefined;
      }
      case 'binop': {
        if (e.op !== '+') return undefined;
        const l = this.evaluate(e.l, ctx, module, depth + 1);
        const r = this.evaluate(e.r, ctx, module, depth + 1);
        if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
        if (typeof l === 'string' && typeof r === 'string') return l + r;
        return undefined;
      }
      case 'name':
        return this.evaluateName(e.q, ctx, module, depth + 1);
      case 'call': {
        // list(X) / tuple(X) / sorted(X)
        const fn = callee(e);
        if ((fn === 'list' || fn === 'tuple' || fn === 'set' || fn === 'frozenset') && e.args.length === 1) {
          return this.evaluate(e.args[0]!, ctx, module, depth + 1);
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private evaluateName(
    q: string,
    ctx: ClassInfo | undefined,
    module: ModuleSummary,
    depth: number,
  ): JsonValue | undefined {
    if (depth > MAX_DEPTH) return undefined;
    if (ctx && !q.includes('.')) {
      const a = this.attrOf(ctx, q);
      if (a) return this.evaluate(a.expr, a.owner, a.owner.module, depth + 1);
    }
    if (!q.includes('.')) {
      if (this.depStack.length) this.dep(module.module, `c:${q}`);
      const c = module.constants[q];
      return c ? this.evaluate(c, undefined, module, depth + 1) : undefined;
    }
    const dot = q.lastIndexOf('.');
    const head = q.slice(0, dot);
    const attr = q.slice(dot + 1);
    const mod = this.modules.get(head);
    if (this.depStack.length) this.dep(head, 'M');
    if (mod) {
      if (this.depStack.length) this.dep(head, `c:${attr}`);
      const c = mod.constants[attr];
      if (c) return this.evaluate(c, undefined, mod, depth + 1);
      if (this.depStack.length) this.dep(head, `i:${attr}`);
      const imp = mod.imports[attr];
      if (imp) return this.evaluateName(imp, undefined, mod, depth + 1);
      return undefined;
    }
    const cls = this.lookupClass(head);
    if (cls) {
      const a = this.attrOf(cls, attr);
      return a ? this.evaluate(a.expr, a.owner, a.owner.module, depth + 1) : undefined;
    }
    return undefined;
  }

  /** Valid values of a named enum class (`ALL`, or what `__init__` passes as valid_values). */
  private enumValues(info: ClassInfo): string[] | null {
    const key = info.raw.qname;
    if (this.enumCache.has(key)) {
      this.memoHit(`e:${key}`);
      return this.enumCache.get(key)!;
    }
    return this.memo(`e:${key}`, () => this.computeEnumValues(info, key));
  }

  private computeEnumValues(info: ClassInfo, key: string): string[] | null {
    this.depClass(info);
    this.enumCache.set(key, null);
    let values: JsonValue | undefined;
    for (const c of this.mro(info)) {
      if (c.raw.initValidValues) {
        const v = c.raw.initValidValues;
        // `valid_values=self.__class__.ALL` / `Architecture.ALL`
        const selfAttr = v.k === 'name' ? /^(?:self|cls)\.(?:__class__\.)?(\w+)$/.exec(v.q) : null;
        if (selfAttr) {
          const attr = this.attrOf(info, selfAttr[1]!);
          values = attr ? this.evaluate(attr.expr, attr.owner, attr.owner.module) : undefined;
        } else values = this.evaluate(v, c, c.module);
        break;
      }
    }
    if (values === undefined) {
      const all = this.attrOf(info, 'ALL');
      if (all) values = this.evaluate(all.expr, all.owner, all.owner.module);
    }
    const out =
      Array.isArray(values) && values.every((v) => typeof v === 'string') ? (values as string[]) : null;
    this.enumCache.set(key, out);
    return out;
  }

  private isEnumClass(info: ClassInfo): boolean {
    return this.mro(info).some(
      (c) => c.raw.name === 'Enum' || c.raw.name === 'BaseNovaEnum' || c.raw.name === 'StateMachine',
    );
  }

  /** FieldTypeDesc of a FieldType expression (`String()`, `List(String())`, `Architecture()`). */
  typeOf(e: PyExpr, module: ModuleSummary, depth = 0): ElementDef | undefined {
    if (depth > MAX_DEPTH || e.k !== 'call' || e.f.k !== 'name') return undefined;
    const name = e.f.q;
    const nullableArg = e.kw.nullable ? this.evaluate(e.kw.nullable, undefined, module) === true : false;
    const short = lastName(name);
    if (short === 'List' || short === 'Dict' || short === 'Set') {
      const inner = e.args[0] ? this.typeOf(e.args[0], module, depth + 1) : undefined;
      if (!inner) return undefined;
      const kind = short as 'List' | 'Dict' | 'Set';
      const element: ElementDef = { type: inner.type, nullable: nullableArg };
      return { type: { kind, element }, nullable: false };
    }
    if (short === 'Object') {
      const objName = e.args[0] ? this.evaluate(e.args[0], undefined, module) : undefined;
      if (typeof objName !== 'string') return undefined;
      const subclasses = e.kw.subclasses ? this.evaluate(e.kw.subclasses, undefined, module) === true : false;
      return { type: { kind: 'Object', objName, subclasses }, nullable: false };
    }
    if (short === 'Enum' || short === 'StateMachine') {
      const vv = e.kw.valid_values ?? e.args[0];
      const values = vv ? this.evaluate(vv, undefined, module) : undefined;
      return {
        type: { kind: 'Enum', name: null, validValues: Array.isArray(values) ? (values as string[]) : null },
        nullable: false,
      };
    }
    const cls = this.lookupClass(name);
    if (cls && !cls.external && this.isEnumClass(cls)) {
      return {
        type: { kind: 'Enum', name: cls.raw.name, validValues: this.enumValues(cls) },
        nullable: false,
      };
    }
    const tz = e.kw.tzinfo_aware ? this.evaluate(e.kw.tzinfo_aware, undefined, module) : undefined;
    const t = fieldTypeForTypeClass(short, typeof tz === 'boolean' ? { tzinfoAware: tz } : {});
    return t ? { type: t, nullable: false } : undefined;
  }

  /** FieldDef of a field expression as written in a `fields` dict. */
  fieldOf(e: PyExpr, module: ModuleSummary, notes: string[], fieldName: string): FieldDef | undefined {
    const flag = (k: string) =>
      e.k === 'call' && e.kw[k] ? this.evaluate(e.kw[k]!, undefined, module) === true : false;
    // Havana: type functions (int, obj_utils.str_or_none, nested_object(Cls, none_ok=False), ip_or_none(4))
    if (e.k === 'name') {
      const h = HAVANA_TYPEFNS[lastName(e.q)];
      if (h && (isBuiltinName(e.q) || e.q.includes('utils')))
        return { type: structuredClone(h.type), nullable: h.nullable };
      notes.push(`${fieldName}: unknown field type ${e.q}`);
      return { type: { kind: 'Unknown', pythonName: e.q }, nullable: false };
    }
    if (e.k !== 'call' || e.f.k !== 'name') {
      notes.push(`${fieldName}: unrecognised field expression ${exprText(e)}`);
      return { type: { kind: 'Unknown', pythonName: exprText(e) }, nullable: false };
    }
    const fn = e.f.q;
    const short = lastName(fn);
    if (short === 'nested_object') {
      const target = e.args[0];
      const objName =
        target?.k === 'name'
          ? lastName(target.q)
          : target
            ? String(this.evaluate(target, undefined, module))
            : '?';
      const noneOk = e.kw.none_ok ? this.evaluate(e.kw.none_ok, undefined, module) !== false : true;
      return { type: { kind: 'Object', objName, subclasses: false }, nullable: noneOk };
    }
    if (short === 'ip_or_none') {
      const v = e.args[0] ? this.evaluate(e.args[0], undefined, module) : undefined;
      return {
        type: { kind: v === 6 ? 'IPV6Address' : v === 4 ? 'IPV4Address' : 'IPAddress' },
        nullable: true,
      };
    }
    const def: FieldDef = { type: { kind: 'Unknown', pythonName: fn }, nullable: flag('nullable') };
    if (e.kw.default) def.default = this.defaultOf(e.kw.default, module);
    if (flag('read_only')) def.readOnly = true;
    const type = this.fieldClassType(fn, e, module, notes, fieldName);
    if (type === 'descriptor') return undefined;
    def.type = type;
    return def;
  }

  private defaultOf(e: PyExpr, module: ModuleSummary): DefaultDef {
    if (e.k === 'set') {
      const items = e.items.map((i) => this.evaluate(i, undefined, module));
      if (items.every((i) => i !== undefined)) return { kind: 'set', items: items as JsonValue[] };
    }
    if (e.k === 'call' && callee(e) === 'set' && e.args.length === 0) return { kind: 'set', items: [] };
    if (e.k === 'tuple') {
      const items = e.items.map((i) => this.evaluate(i, undefined, module));
      if (items.every((i) => i !== undefined)) return { kind: 'tuple', items: items as JsonValue[] };
    }
    if (
      e.k === 'call' &&
      (callee(e) === 'dict' || callee(e) === 'list') &&
      e.args.length === 0 &&
      !Object.keys(e.kw).length
    ) {
      return { kind: 'value', value: callee(e) === 'dict' ? {} : [] };
    }
    const v = this.evaluate(e, undefined, module);
    return v !== undefined ? { kind: 'value', value: v } : { kind: 'unrecognised', text: exprText(e) };
  }

  private fieldClassType(
    fn: string,
    e: PyExpr & { k: 'call' },
    module: ModuleSummary,
    notes: string[],
    fieldName: string,
  ): FieldTypeDesc | 'descriptor' {
    const short = lastName(fn);
    if (short === 'Field' && e.args[0]) {
      const t = this.typeOf(e.args[0], module);
      if (t) return t.type;
    }
    if (ARGUMENT_FIELD_CLASSES.has(short)) {
      const first = e.args[0] ?? e.kw.objtype ?? e.kw.valid_values;
      const firstValue = first ? this.evaluate(first, undefined, module) : undefined;
      const subclasses = e.kw.subclasses
        ? this.evaluate(e.kw.subclasses, undefined, module) === true
        : undefined;
      const tz = e.kw.tzinfo_aware ? this.evaluate(e.kw.tzinfo_aware, undefined, module) : undefined;
      const args = {
        ...(typeof firstValue === 'string' ? { objName: firstValue } : {}),
        ...(Array.isArray(firstValue) ? { validValues: firstValue as string[] } : {}),
        ...(subclasses !== undefined ? { subclasses } : {}),
        ...(typeof tz === 'boolean' ? { tzinfoAware: tz } : {}),
      };
      const t = fieldTypeForClassName(short, args);
      if (!t) return 'descriptor';
      if (t.kind === 'Unknown') notes.push(`${fieldName}: cannot resolve ${exprText(e)}`);
      return t;
    }
    // The tree's own field class (nova/objects/fields.py): AUTO_TYPE through its mro.
    const cls = this.lookupClass(fn);
    if (cls && !cls.external) {
      const auto = this.attrOf(cls, 'AUTO_TYPE');
      if (auto && auto.expr.k === 'call') {
        const t = this.typeOf(auto.expr, auto.owner.module);
        if (t) return t.type;
      }
      if (this.mro(cls).some((c) => c.raw.name === 'DictProxyField')) return 'descriptor';
    }
    // Re-exported oslo field, or a name the catalog knows.
    const target = cls ? cls.raw.name : short;
    const t = fieldTypeForClassName(target);
    if (!t) return 'descriptor';
    if (t.kind === 'Unknown') notes.push(`${fieldName}: unknown field class ${fn}`);
    return t;
  }

  /** Effective `fields` of a class (own dict, dict(Parent.fields, **{}), updates, then mro merge). */
  fieldsOf(info: ClassInfo, depth = 0): Map<string, { expr: PyExpr; owner: ClassInfo }> {
    const cached = this.fieldsCache.get(info.raw.qname);
    if (cached) {
      this.memoHit(`f:${info.raw.qname}`);
      return cached;
    }
    return this.memo(`f:${info.raw.qname}`, () => this.computeFields(info, depth));
  }

  private computeFields(info: ClassInfo, depth: number): Map<string, { expr: PyExpr; owner: ClassInfo }> {
    this.depClass(info);
    const out = new Map<string, { expr: PyExpr; owner: ClassInfo }>();
    this.fieldsCache.set(info.raw.qname, out);
    if (depth > MAX_DEPTH) return out;
    const mro = this.mro(info);
    // cls.fields: the first class in the mro that assigns it.
    const own = mro.find((c) => this.attr(c, 'fields') || c.raw.fieldsUpdates.length);
    if (own) {
      if (own !== info) {
        for (const [k, v] of this.fieldsOf(own, depth + 1)) out.set(k, v);
      } else {
        const e = this.attr(own, 'fields');
        if (e) this.addFieldsExpr(e, own, out, depth);
        for (const u of own.raw.fieldsUpdates) this.addFieldsExpr(u, own, out, depth);
        for (const d of own.raw.fieldsDeleted) out.delete(d);
      }
    }
    for (const m of this.modules.values()) {
      for (const u of m.fieldsUpdates)
        if (this.lookupClass(u.target) === info) this.addFieldsExpr(u.expr, info, out, depth);
    }
    // _make_class_properties: inherit what the supers have and cls.fields lacks.
    for (const sup of mro.slice(1)) {
      if (!this.attr(sup, 'fields') && !sup.raw.fieldsUpdates.length) continue;
      for (const [k, v] of this.fieldsOf(sup, depth + 1)) if (!out.has(k)) out.set(k, v);
    }
    return out;
  }

  private addFieldsExpr(
    e: PyExpr,
    owner: ClassInfo,
    out: Map<string, { expr: PyExpr; owner: ClassInfo }>,
    depth: number,
  ): void {
    if (e.k === 'dict') {
      for (const s of e.splats ?? []) this.addFieldsExpr(s, owner, out, depth);
      for (const [k, v] of e.entries) if (k.k === 'str') out.set(k.v, { expr: v, owner });
      return;
    }
    if (e.k === 'name' && e.q.endsWith('.fields')) {
      const cls =
        this.lookupClass(e.q.slice(0, -'.fields'.length)) ??
        (owner.module.module
          ? this.lookupClass(`${owner.module.module}.${e.q.slice(0, -'.fields'.length)}`)
          : undefined);
      if (cls && cls !== owner) for (const [k, v] of this.fieldsOf(cls, depth + 1)) out.set(k, v);
      return;
    }
    if (
      e.k === 'call' &&
      (callee(e) === 'dict' || callee(e) === 'copy.copy' || callee(e) === 'copy.deepcopy')
    ) {
      for (const a of e.args) this.addFieldsExpr(a, owner, out, depth);
      for (const s of e.starKw ?? []) this.addFieldsExpr(s, owner, out, depth);
      for (const [k, v] of Object.entries(e.kw)) out.set(k, { expr: v, owner });
      return;
    }
    if (e.k === 'call' && e.f.k === 'name' && e.f.q.endsWith('.fields.copy')) {
      this.addFieldsExpr({ k: 'name', q: e.f.q.slice(0, -'.copy'.length) }, owner, out, depth);
    }
  }

  private registration(info: ClassInfo): Registration {
    for (const d of info.raw.decorators) {
      const fn = d.k === 'call' ? callee(d) : d.k === 'name' ? d.q : undefined;
      const short = fn ? lastName(fn) : '';
      if (short === 'register' && (d.k === 'name' || (fn ?? '').includes('Registry'))) return 'decorator';
      if (short === 'register_notification') return 'notification';
      if (short === 'register_if' && d.k === 'call') {
        const v = d.args[0] ? this.evaluate(d.args[0], undefined, info.module) : undefined;
        return v === false ? 'register-if-false' : 'decorator';
      }
    }
    // Metaclass auto-registration: some class in the mro (not this one) declares the metaclass.
    const mro = this.mro(info);
    for (const c of mro.slice(1)) {
      if (this.declaresRegisteringMetaclass(c)) return 'metaclass';
    }
    return 'none';
  }

  private declaresRegisteringMetaclass(c: ClassInfo): boolean {
    const meta = this.attr(c, '__metaclass__') ?? c.raw.keywords.metaclass;
    if (meta?.k === 'name' && /Metaclass$/.test(meta.q)) return true;
    for (const d of c.raw.decorators) {
      if (d.k === 'call' && lastName(callee(d) ?? '') === 'add_metaclass') {
        const a = d.args[0];
        if (a?.k === 'name' && /Metaclass$/.test(a.q)) return true;
      }
    }
    for (const b of c.raw.bases) {
      if (b.k === 'call' && lastName(callee(b) ?? '') === 'with_metaclass') {
        const a = b.args[0];
        if (a?.k === 'name' && /Metaclass$/.test(a.q)) return true;
      }
    }
    return false;
  }

  private relationshipsOf(info: ClassInfo): Record<string, VersionPair[]> {
    const a = this.attrOf(info, 'obj_relationships');
    const out: Record<string, VersionPair[]> = {};
    if (!a) return out;
    const v = this.evaluate(a.expr, a.owner, a.owner.module);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
    for (const [field, pairs] of Object.entries(v)) {
      if (!Array.isArray(pairs)) continue;
      out[field] = pairs
        .filter(
          (p): p is [string, string] =>
            Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string',
        )
        .map((p) => [p[0], p[1]]);
    }
    return out;
  }

  private childVersionsOf(info: ClassInfo): VersionPair[] {
    const a = this.attrOf(info, 'child_versions');
    if (a?.expr.k !== 'dict') return [];
    const out: VersionPair[] = [];
    for (const [k, v] of a.expr.entries) {
      const kk = this.evaluate(k, a.owner, a.owner.module);
      const vv = this.evaluate(v, a.owner, a.owner.module);
      if (typeof kk === 'string' && typeof vv === 'string') out.push([kk, vv]);
    }
    return out;
  }

  private isLibrary(c: ClassInfo): boolean {
    if (c.external) return true;
    this.libraryModule ??= [...this.classes.values()].find(
      (x) => this.isRoot(x) && !x.external,
    )?.module.module;
    return c.module.module === this.libraryModule;
  }

  /** The obj_make_compatible chain, with each super call replaced by the next override. */
  private compatChain(info: ClassInfo): {
    actions: RawCompatAction[];
    callsSuper: boolean;
    overrides: boolean;
  } {
    const mro = this.mro(info);
    if (this.depStack.length)
      for (const c of mro) if (!this.isLibrary(c)) this.dep(c.module.module, `x:${c.raw.name}`);
    const overriders = mro.filter((c) => !this.isLibrary(c) && c.raw.makeCompatible);
    if (overriders.length === 0) return { actions: [], callsSuper: true, overrides: false };
    const expand = (i: number): { actions: RawCompatAction[]; callsSuper: boolean } => {
      const mc = overriders[i]!.raw.makeCompatible!;
      const actions: RawCompatAction[] = [];
      let callsSuper = false;
      for (const a of mc.actions) {
        if (a.kind === 'super') {
          if (i + 1 < overriders.length) {
            const inner = expand(i + 1);
            actions.push(...inner.actions);
            callsSuper ||= inner.callsSuper;
          } else {
            actions.push(a);
            callsSuper = true;
          }
        } else actions.push(a);
      }
      return { actions, callsSuper };
    };
    return { ...expand(0), overrides: true };
  }

  private toModelAction(a: RawCompatAction, info: ClassInfo, notes: string[]): MakeCompatibleAction {
    switch (a.kind) {
      case 'super':
        return { kind: 'super' };
      case 'unrecognised':
        return { kind: 'unrecognised', text: a.text };
      case 'raise-too-new-values': {
        const v = this.evaluate(a.valuesExpr, info, info.module);
        if (Array.isArray(v))
          return {
            kind: 'raise-too-new-values',
            field: a.field,
            belowVersion: a.belowVersion,
            values: v,
            ...(a.notBelow ? { notBelow: a.notBelow } : {}),
          };
        notes.push(`raise_on_too_new_values(${a.field}): cannot evaluate ${exprText(a.valuesExpr)}`);
        return {
          kind: 'unrecognised',
          text: `raise_on_too_new_values(target_version, primitive, '${a.field}', ${exprText(a.valuesExpr)})`,
        };
      }
      case 'convert-field': {
        const { line: _line, mapFrom, mapTo, ...rest } = a;
        if (!mapFrom || !mapTo) return rest;
        const to = this.evaluate(mapTo, info, info.module);
        const from = mapFrom.map((e) => this.evaluate(e, info, info.module));
        if (to === undefined || from.some((v) => v === undefined)) {
          notes.push(`obj_make_compatible: cannot evaluate the value mapping of ${a.field}`);
          return {
            kind: 'unrecognised',
            text: `${a.field}: ${mapFrom.map(exprText).join(', ')} -> ${exprText(mapTo)}`,
          };
        }
        const mapping: Record<string, JsonValue> = {};
        for (const v of from) mapping[JSON.stringify(v)] = to;
        return { ...rest, how: { op: 'map-values', mapping } };
      }
      default: {
        const { line: _line, ...rest } = a;
        return rest as MakeCompatibleAction;
      }
    }
  }

  private versionOf(
    info: ClassInfo,
  ): { version: string; source: ExtractedObject['versionSource'] } | undefined {
    const a = this.attrOf(info, 'VERSION');
    if (!a) return undefined;
    const v = this.evaluate(a.expr, a.owner, a.owner.module);
    if (typeof v !== 'string') return undefined;
    if (a.owner !== info)
      return { version: v, source: a.owner.external || this.isRoot(a.owner) ? 'default' : 'inherited' };
    return { version: v, source: a.expr.k === 'str' ? 'literal' : 'symbolic' };
  }

  /** What decides whether a class is a registered object (and the era facts it contributes). */
  private classFacts(info: ClassInfo): ClassEntry['facts'] {
    this.depClass(info);
    if (this.isRoot(info) || !this.isVersionedObject(info))
      return { kind: 'skip', registration: 'none', hasRel: false, hasCv: false };
    const registration = this.registration(info);
    if (registration === 'none' || registration === 'register-if-false')
      return { kind: 'unregistered', registration, hasRel: false, hasCv: false };
    const rel = this.relationshipsOf(info);
    return {
      kind: 'candidate',
      registration,
      hasRel: Object.keys(rel).some((k) => (rel[k]?.length ?? 0) > 0),
      hasCv: this.childVersionsOf(info).length > 0,
    };
  }

  /**
   * Tree-wide inputs every class may read beyond what dependency recording sees: the module that
   * holds Nova's own object base (`isLibrary`) and module-level `Cls.fields.update(...)` calls
   * (scanned across all modules by `fieldsOf`). When this key changes, nothing is reused.
   */
  globalsKey(): string {
    const updates: unknown[] = [];
    for (const m of this.modules.values())
      if (m.fieldsUpdates.length) updates.push([m.module, m.fieldsUpdates]);
    let library = '';
    for (const x of this.classes.values()) {
      if (!x.external && this.isRoot(x)) {
        library = x.module.module;
        break;
      }
    }
    return JSON.stringify([library, updates]);
  }

  /**
   * Resolves every class of the tree. With `reuse`, each class's result is taken from it when still
   * valid (see `IncrementalResolver`), and what is computed is recorded with its dependencies.
   */
  resolve(options: ResolveOptions = {}, reuse?: ClassReuse): ResolvedTree {
    const objects: ExtractedObject[] = [];
    const unregistered: string[] = [];
    let hasRel = false;
    let hasCv = false;
    const importsOvo = [...this.modules.values()].some(
      (m) =>
        /(^|\.)objects\.base$/.test(m.module) &&
        Object.values(m.imports).some((t) => /^oslo[._]versionedobjects/.test(t)),
    );
    const candidates: { info: ClassInfo; entry: ClassEntry }[] = [];
    for (const info of this.classes.values()) {
      if (info.external) continue;
      let entry = reuse?.get(info.raw.qname);
      if (!entry) {
        if (reuse) {
          const { value, deps } = this.tracked(() => this.classFacts(info));
          entry = { facts: value, factsDeps: deps };
        } else entry = { facts: this.classFacts(info), factsDeps: new Map() };
        reuse?.set(info.raw.qname, entry);
      }
      const facts = entry.facts;
      if (facts.kind === 'skip') continue;
      if (facts.kind === 'unregistered') {
        unregistered.push(info.raw.qname);
        continue;
      }
      candidates.push({ info, entry });
      if (facts.hasRel) hasRel = true;
      if (facts.hasCv) hasCv = true;
    }
    const eraFacts = {
      importsOsloVersionedObjects: importsOvo,
      hasObjRelationships: hasRel,
      hasChildVersions: hasCv,
    };
    const era = detectEra(eraFacts, options.era);
    for (const { info, entry } of candidates) {
      if (entry.object && entry.era === era && entry.commit === options.commit) {
        objects.push(entry.object);
        continue;
      }
      const registration = entry.facts.registration;
      if (!reuse) {
        objects.push(this.resolveObject(info, registration, era, options));
        continue;
      }
      const { value, deps } = this.tracked(() => {
        this.dep(info.module.module, `K:${info.raw.name}`);
        this.dep(info.module.module, 'P');
        return this.resolveObject(info, registration, era, options);
      });
      const object = reuse.intern ? reuse.intern(value) : value;
      entry.object = object;
      entry.objectDeps = deps;
      entry.era = era;
      if (options.commit !== undefined) entry.commit = options.commit;
      else delete entry.commit;
      objects.push(object);
    }
    return { objects, era, eraFacts, unregistered };
  }

  private resolveObject(
    info: ClassInfo,
    registration: Registration,
    era: EraName,
    options: ResolveOptions,
  ): ExtractedObject {
    const notes: string[] = [];
    const mro = this.mro(info);
    const ver = this.versionOf(info) ?? { version: '1.0', source: 'default' as const };
    const fields: Record<string, FieldDef> = {};
    for (const [name, { expr, owner }] of this.fieldsOf(info)) {
      const def = this.fieldOf(expr, owner.module, notes, name);
      if (def) fields[name] = def;
    }
    // The first class in the MRO that defines a name decides: a plain method overriding a
    // remotable one hides it (dir() finds the override first).
    const remotable = new Map<string, RemotableMethodDef>();
    const defined = new Set<string>();
    for (const c of mro) {
      for (const r of c.raw.remotable) if (!defined.has(r.name)) remotable.set(r.name, r);
      for (const m of c.raw.methods) defined.add(m);
      for (const r of c.raw.remotable) defined.add(r.name);
    }
    const compat = this.compatChain(info);
    const objName = mro.find((c) => c.raw.objNameOverride)?.raw.objNameOverride ?? info.raw.name;
    const strAttr = (name: string): string | undefined => {
      const a = this.attrOf(info, name);
      const v = a ? this.evaluate(a.expr, a.owner, a.owner.module) : undefined;
      return typeof v === 'string' ? v : undefined;
    };
    const def: ObjectVersionDef = {
      name: objName,
      version: ver.version,
      namespace: strAttr('OBJ_PROJECT_NAMESPACE') ?? 'nova',
      fields,
      relationships: this.relationshipsOf(info),
      childVersions: this.childVersionsOf(info),
      isList: mro.some((c) => c.raw.name === 'ObjectListBase'),
      makeCompatible: compat.actions.map((a) => this.toModelAction(a, info, notes)),
      overridesMakeCompatible: compat.overrides,
      callsSuper: compat.callsSuper,
      remotableMethods: [...remotable.values()].sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      ),
      era,
      mroNames: mro
        .filter((c) => this.isVersionedObject(c) && !c.external)
        .map((c) => c.raw.objNameOverride ?? c.raw.name),
      source: {
        file: info.module.path,
        line: info.raw.line,
        ...(options.commit ? { commit: options.commit } : {}),
      },
    };
    const serial = strAttr('OBJ_SERIAL_NAMESPACE');
    if (serial && serial !== 'nova_object') def.serialNamespace = serial;
    if (mro.some((c) => c.raw.initSetsDefaults || /^(Nova)?EphemeralObject$/.test(c.raw.name)))
      def.setsDefaultsOnInit = true;
    return {
      def,
      qname: info.raw.qname,
      kind: /(^|\.)notifications\.objects(\.|$)/.test(info.module.module) ? 'notification' : 'object',
      registration,
      registered: true,
      versionSource: ver.source,
      historyComments: info.raw.historyComments,
      compatActions: compat.actions,
      notes,
    };
  }
}

/** Convenience: resolve a set of module summaries. */
export function resolveObjects(
  summaries: Iterable<ModuleSummary>,
  options: ResolveOptions = {},
): ResolvedTree {
  return new TreeResolver(summaries).resolve(options);
}

/** Parts of a class that `k:` (its structure) leaves out: own lines, comments, method bodies. */
const NON_STRUCTURAL = new Set([
  'line',
  'attrLines',
  'fieldLines',
  'historyComments',
  'makeCompatible',
  'attrs',
]);

/** How one module changed between two revisions, compared key by key (see `ModuleDeps`). */
class ModuleDiff {
  private readonly memo = new Map<string, boolean>();
  private oldClasses: Map<string, RawClass> | undefined;
  private curClasses: Map<string, RawClass> | undefined;

  constructor(
    private readonly old: ModuleSummary | undefined,
    private readonly cur: ModuleSummary | undefined,
    private readonly json: (v: unknown, structural: boolean) => string,
  ) {}

  private classes(which: 'old' | 'cur'): Map<string, RawClass> {
    const s = which === 'old' ? this.old : this.cur;
    let m = which === 'old' ? this.oldClasses : this.curClasses;
    if (!m) {
      // The class index keeps the last class of a name (as TreeResolver's does).
      m = new Map((s?.classes ?? []).map((c) => [c.name, c]));
      if (which === 'old') this.oldClasses = m;
      else this.curClasses = m;
    }
    return m;
  }

  differs(key: string): boolean {
    let d = this.memo.get(key);
    if (d !== undefined) return d;
    const { old, cur } = this;
    const name = key.slice(2);
    switch (key[0]) {
      case 'M':
        d = !old !== !cur;
        break;
      case 'P':
        d = old?.path !== cur?.path;
        break;
      case 'i':
        d = old?.imports[name] !== cur?.imports[name];
        break;
      case 'c': {
        const a = old?.constants[name];
        const b = cur?.constants[name];
        d = a !== b && (!a || !b || this.json(a, false) !== this.json(b, false));
        break;
      }
      case 'a': {
        const dot = name.indexOf('.');
        const a = this.classes('old').get(name.slice(0, dot))?.attrs[name.slice(dot + 1)];
        const b = this.classes('cur').get(name.slice(0, dot))?.attrs[name.slice(dot + 1)];
        d = a !== b && (!a || !b || this.json(a, false) !== this.json(b, false));
        break;
      }
      case 'x': {
        const a = this.classes('old').get(name)?.makeCompatible;
        const b = this.classes('cur').get(name)?.makeCompatible;
        d = a !== b && (!a || !b || this.json(a, false) !== this.json(b, false));
        break;
      }
      default: {
        const structural = key[0] === 'k';
        const a = this.classes('old').get(name);
        const b = this.classes('cur').get(name);
        d = a !== b && (!a || !b || this.json(a, structural) !== this.json(b, structural));
      }
    }
    this.memo.set(key, d);
    return d;
  }

  private changedCache: Set<string> | null | undefined;

  /**
   * Every key of this module whose value changed; null when the module appeared or disappeared
   * (then every read of it is stale). Computed once, so checking a class costs a few set lookups.
   */
  changedKeys(): Set<string> | null {
    if (this.changedCache !== undefined) return this.changedCache;
    const { old, cur } = this;
    if (!old || !cur) {
      this.changedCache = null;
      return null;
    }
    const out = new Set<string>();
    if (old.path !== cur.path) out.add('P');
    for (const n of new Set([...Object.keys(old.constants), ...Object.keys(cur.constants)]))
      if (this.differs(`c:${n}`)) out.add(`c:${n}`);
    for (const n of new Set([...Object.keys(old.imports), ...Object.keys(cur.imports)]))
      if (old.imports[n] !== cur.imports[n]) out.add(`i:${n}`);
    const oc = this.classes('old');
    const cc = this.classes('cur');
    for (const n of new Set([...oc.keys(), ...cc.keys()])) {
      const a = oc.get(n);
      const b = cc.get(n);
      if (a === b || (a && b && this.json(a, false) === this.json(b, false))) continue;
      out.add(`K:${n}`);
      if (this.differs(`k:${n}`)) out.add(`k:${n}`);
      if (this.differs(`x:${n}`)) out.add(`x:${n}`);
      for (const attr of new Set([...Object.keys(a?.attrs ?? {}), ...Object.keys(b?.attrs ?? {})]))
        if (this.differs(`a:${n}.${attr}`)) out.add(`a:${n}.${attr}`);
    }
    this.changedCache = out;
    return out;
  }
}

/**
 * Resolution between consecutive revisions: each class's result (registration facts, and the
 * resolved object) is kept with what it read from the modules (`ModuleDeps`, recorded by
 * `TreeResolver`), and reused at the next revision unless one of those reads changed. Modules are
 * compared by summary identity first (a summary is shared by every revision with the same blob), so
 * an unchanged module costs nothing; for a changed module only the names a class read are compared
 * (a class's structure without its source lines, a constant, an import). A change to
 * `nova/objects/fields.py` thus re-resolves the objects that use a changed field class or enum, a
 * change to `base.py` the objects whose bases changed; the era and the tree-wide inputs of
 * `TreeResolver.globalsKey` are compared as a whole. The result equals `resolveObjects` on the
 * same summaries (test/history/incremental-resolver.test.ts, bench/history.js).
 */
export class IncrementalResolver {
  private modules = new Map<string, ModuleSummary>();
  private entries = new Map<string, ClassEntry>();
  private globals: string | undefined;
  private readonly jsonMemo = [new WeakMap<object, string>(), new WeakMap<object, string>()] as const;
  readonly stats = { revisions: 0, classesReused: 0, factsResolved: 0, objectsReused: 0, objectsResolved: 0 };
  /** `<module> <dep key>` -> how many class results that changed read invalidated. */
  readonly invalidations = new Map<string, number>();

  constructor(private readonly intern?: (o: ExtractedObject) => ExtractedObject) {}

  private json = (v: unknown, structural: boolean): string => {
    const memo = this.jsonMemo[structural ? 1 : 0];
    const o = v as object;
    let s = memo.get(o);
    if (s === undefined) {
      if (structural) {
        // The class without its own source lines and its obj_make_compatible (its own `x:` key).
        const shallow: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(o)) if (!NON_STRUCTURAL.has(k)) shallow[k] = x;
        s = JSON.stringify(shallow);
      } else s = JSON.stringify(v);
      memo.set(o, s);
    }
    return s;
  };

  resolve(summaries: Iterable<ModuleSummary>, options: ResolveOptions = {}): ResolvedTree {
    const list = [...summaries];
    const modules = new Map<string, ModuleSummary>();
    for (const m of list) modules.set(m.module, m);
    const changed = new Map<string, ModuleDiff>();
    for (const [name, m] of modules) {
      const old = this.modules.get(name);
      if (old !== m) changed.set(name, new ModuleDiff(old, m, this.json));
    }
    for (const [name, old] of this.modules)
      if (!modules.has(name)) changed.set(name, new ModuleDiff(old, undefined, this.json));
    const resolver = new TreeResolver(list);
    const globals = resolver.globalsKey();
    const previous = globals === this.globals ? this.entries : new Map<string, ClassEntry>();
    const holds = (deps: ModuleDeps | undefined): boolean => {
      if (!deps) return false;
      for (const [name, diff] of changed) {
        const keys = deps.get(name);
        if (!keys) continue;
        const changedKeys = diff.changedKeys();
        let stale: string | undefined;
        if (changedKeys === null) stale = 'M';
        else
          for (const k of changedKeys)
            if (keys.has(k)) {
              stale = k;
              break;
            }
        if (stale !== undefined) {
          const what = `${name} ${stale}`;
          this.invalidations.set(what, (this.invalidations.get(what) ?? 0) + 1);
          return false;
        }
      }
      return true;
    };
    const next = new Map<string, ClassEntry>();
    const stats = this.stats;
    const reuse: ClassReuse = {
      get(qname) {
        const e = previous.get(qname);
        if (!e || !holds(e.factsDeps)) return undefined;
        stats.classesReused++;
        if (e.object && holds(e.objectDeps)) {
          stats.objectsReused++;
          return e;
        }
        return { facts: e.facts, factsDeps: e.factsDeps };
      },
      set(qname, entry) {
        stats.factsResolved++;
        next.set(qname, entry);
      },
      intern: (o) => {
        stats.objectsResolved++;
        return this.intern ? this.intern(o) : o;
      },
    };
    const tree = resolver.resolve(options, {
      get: (q) => {
        const e = reuse.get(q);
        if (e) next.set(q, e);
        return e;
      },
      set: reuse.set,
      intern: reuse.intern,
    });
    this.modules = modules;
    this.entries = next;
    this.globals = globals;
    stats.revisions++;
    return tree;
  }
}
