/**
 * Versioned-object instances and their wire form: field assignment with coercion and change
 * tracking, `obj_to_primitive(target_version, version_manifest)`, `obj_from_primitive` with the
 * library's errors, and the serializer's entity walk (`.Z` stripping and backport fallback).
 *
 * Like the real library, hydration silently ignores data keys the receiving class has no field
 * for; unlike it, the instance remembers them (`ignoredDataKeys`) and an optional report collects
 * them for the whole graph, so a checker can be stricter than the receiver.
 */
import { ERAS, type EraConfig, type EraName } from './eras.js';
import {
  IncompatibleObjectVersion,
  InvalidTargetVersion,
  ObjectActionError,
  ObjectModelError,
  PyAttributeError,
  PyKeyError,
  PyNotImplementedError,
  PyTypeError,
  PythonError,
  ReadOnlyFieldError,
  UnsupportedObjectError,
} from './errors.js';
import {
  coerceField,
  defaultValue,
  type FieldContext,
  fieldToPrimitive,
  hydrateFieldValue,
} from './field-types.js';
import {
  type CompatTraceEntry,
  objMakeCompatible,
  objMakeCompatibleFromManifest,
} from './make-compatible.js';
import type { FieldDef, JsonObject, JsonValue, ObjectVersionDef, VersionManifest } from './model.js';
import { pyEquals, pyIterate } from './python-builtins.js';
import {
  isPlainDict,
  isPyObjectValue,
  OBJECT_BRAND,
  type PyObjectValue,
  PySet,
  PyTuple,
  type PyValue,
  pyTypeName,
} from './python-values.js';
import type { ObjectRegistry } from './registry.js';
import { compareTuples, convertVersionToTuple } from './versions.js';

/** An object's wire form: `{'<ns>.name', '<ns>.namespace', '<ns>.version', '<ns>.data'[, '<ns>.changes']}`. */
export type ObjectPrimitive = JsonObject;

export function resolveEra(era: EraName | EraConfig | undefined, fallback: EraName): EraConfig {
  if (era === undefined) return ERAS[fallback];
  return typeof era === 'string' ? ERAS[era] : era;
}

export interface InstanceOptions {
  /** Era whose base-class semantics apply; defaults to the definition's era. */
  era?: EraName | EraConfig;
  /** `__module__` of the class, for Object type error messages. */
  module?: string;
  /** Initial field values, assigned in order through the setter (as `cls(**kwargs)`). */
  values?: Record<string, PyValue>;
}

/** One instance of a versioned-object class at one version. */
export class VersionedObjectInstance implements PyObjectValue {
  readonly [OBJECT_BRAND] = true as const;
  readonly def: ObjectVersionDef;
  readonly era: EraConfig;
  /** `self.VERSION`: the class VERSION, or the wire version after hydration (instance attribute). */
  VERSION: string;
  readonly changedFields = new Set<string>();
  /** Data keys of the primitive this instance was hydrated from that its class has no field for. */
  ignoredDataKeys: string[] = [];
  /** Names in the primitive's `changes` that its class has no field for. */
  ignoredChanges: string[] = [];
  /** Python warnings raised while assigning (UUID FutureWarning). */
  readonly warnings: string[] = [];
  private readonly store = new Map<string, PyValue>();
  private readonly module: string | undefined;

  constructor(def: ObjectVersionDef, opts: InstanceOptions = {}) {
    this.def = def;
    this.era = resolveEra(opts.era, def.era);
    this.VERSION = def.version;
    this.module = opts.module;
    if (def.isList && this.era.listInitialisesObjects && Object.hasOwn(def.fields, 'objects')) {
      if (!(opts.values && Object.hasOwn(opts.values, 'objects'))) {
        this.set('objects', []);
        this.changedFields.delete('objects');
      }
    }
    if (opts.values) for (const [k, v] of Object.entries(opts.values)) this.set(k, v);
    if (def.setsDefaultsOnInit) {
      // obj_set_defaults() in __init__; a default the model cannot evaluate (an object instance,
      // a module constant) is left unset and reported rather than making the class unusable.
      for (const [name, field] of Object.entries(def.fields)) {
        if (field.default === undefined || this.store.has(name)) continue;
        try {
          this.set(name, defaultValue(field.default, name));
        } catch (e) {
          if (!(e instanceof ObjectModelError)) throw e;
          this.warnings.push(e.message);
        }
      }
    }
  }

  objName(): string {
    return this.def.name;
  }

  objMroNames(): string[] {
    return this.def.mroNames ?? [this.def.name];
  }

  objModule(): string | undefined {
    return this.module;
  }

  objTruthy(): boolean {
    if (!this.def.isList) return true;
    const objects = this.store.get('objects');
    return Array.isArray(objects) && objects.length > 0;
  }

  objToPrimitive(): JsonObject {
    return objToPrimitive(this);
  }

  fieldNames(): string[] {
    return Object.keys(this.def.fields);
  }

  private fieldDef(name: string): FieldDef {
    const f = this.def.fields[name];
    if (!f) throw new PyAttributeError(`${this.def.name} object has no attribute '${name}'`);
    return f;
  }

  /** `obj_attr_is_set(name)`. */
  isSet(name: string): boolean {
    this.fieldDef(name);
    return this.store.has(name);
  }

  /** `getattr(obj, name)`: NotImplementedError from the base `obj_load_attr` when unset. */
  get(name: string): PyValue {
    this.fieldDef(name);
    if (!this.store.has(name)) throw new PyNotImplementedError(`Cannot load '${name}' in the base class`);
    return this.store.get(name) as PyValue;
  }

  /** The stored value or undefined when unset (no lazy-load). */
  peek(name: string): PyValue | undefined {
    return this.store.get(name);
  }

  /** `setattr(obj, name, value)`: coerce, enforce read_only, record the change. */
  set(name: string, value: PyValue, ctx: Partial<FieldContext> = {}): void {
    const field = this.fieldDef(name);
    const coerced = coerceField(field, value, this.fieldContext(name, ctx));
    if (field.readOnly && this.era.readOnlyEnforced && this.store.has(name)) {
      if (!pyEquals(this.store.get(name) as PyValue, coerced)) throw new ReadOnlyFieldError(name);
      return;
    }
    this.changedFields.add(name);
    this.store.set(name, coerced);
  }

  /** `delattr(obj, name)`. */
  unset(name: string): void {
    this.fieldDef(name);
    if (!this.store.has(name)) throw new PyAttributeError(`No such attribute \`${name}'`);
    this.store.delete(name);
  }

  fieldContext(name: string, extra: Partial<FieldContext> = {}): FieldContext {
    return {
      attr: name,
      ...(this.module !== undefined ? { ownerModule: this.module } : {}),
      warn: (m) => this.warnings.push(m),
      ...extra,
    };
  }

  /** `obj_set_defaults(*attrs)`: every field with a default that is not set yet. */
  setDefaults(...attrs: string[]): void {
    const names =
      attrs.length > 0
        ? attrs
        : Object.entries(this.def.fields)
            .filter(([, f]) => f.default !== undefined)
            .map(([k]) => k);
    for (const name of names) {
      const field = this.fieldDef(name);
      if (field.default === undefined) {
        throw new ObjectActionError('set_defaults', `No default set for field ${name}`);
      }
      if (!this.store.has(name)) this.set(name, defaultValue(field.default, name));
    }
  }

  /** `obj_what_changed()`. */
  whatChanged(): Set<string> {
    if (this.def.isList) {
      const changes = new Set(this.changedFields);
      const objects = this.store.get('objects');
      if (
        Array.isArray(objects) &&
        objects.some((c) => c instanceof VersionedObjectInstance && c.whatChanged().size > 0)
      ) {
        changes.add('objects');
      }
      return changes;
    }
    const changes = new Set([...this.changedFields].filter((f) => Object.hasOwn(this.def.fields, f)));
    for (const [name, value] of this.store) {
      if (value instanceof VersionedObjectInstance && value.whatChanged().size > 0) changes.add(name);
    }
    return changes;
  }

  /** `obj_reset_changes(fields=None, recursive=False)`. */
  resetChanges(fields?: string[], recursive = false): void {
    if (recursive) {
      for (const name of this.whatChanged()) {
        if (fields && !fields.includes(name)) continue;
        const value = this.store.get(name);
        if (value instanceof VersionedObjectInstance) value.resetChanges(undefined, true);
        else if (Array.isArray(value)) {
          for (const v of value) if (v instanceof VersionedObjectInstance) v.resetChanges(undefined, true);
        }
      }
    }
    if (fields) for (const f of fields) this.changedFields.delete(f);
    else this.changedFields.clear();
  }
}

/** Build an instance of `def` with values assigned through the setter. */
export function createObject(
  def: ObjectVersionDef,
  values: Record<string, PyValue> = {},
  opts: Omit<InstanceOptions, 'values'> = {},
): VersionedObjectInstance {
  return new VersionedObjectInstance(def, { ...opts, values });
}

export interface ToPrimitiveOptions {
  targetVersion?: string | null;
  /** `version_manifest`: {objname: version}. Only in eras that support it. */
  manifest?: VersionManifest | null;
  /** Overrides the instance's era. */
  era?: EraName | EraConfig;
  /** Receives what the compat code did. */
  trace?: CompatTraceEntry[];
}

function primitiveKey(ns: string, suffix: string): string {
  return `${ns}.${suffix}`;
}

/**
 * `obj.obj_to_primitive(target_version=None, version_manifest=None)` in the instance's era:
 * serializes set fields, runs the compat step when the era's trigger says so, and wraps the data
 * with name, namespace, version and (if anything changed) changes. `changes` is sorted, as
 * StableObjectJsonFixture does; Python's order comes from a set and is arbitrary.
 */
export function objToPrimitive(obj: VersionedObjectInstance, opts: ToPrimitiveOptions = {}): ObjectPrimitive {
  const era = opts.era === undefined ? obj.era : resolveEra(opts.era, obj.def.era);
  const ns = obj.def.serialNamespace ?? era.serialNamespace;
  const manifest = opts.manifest ?? null;
  if (manifest !== null && !era.manifestSupported) {
    throw new ObjectModelError(
      `era ${era.name} has no version manifests (obj_to_primitive takes no version_manifest)`,
    );
  }
  let target: string;
  let runCompat: boolean;
  if (era.compatTrigger === 'target-given') {
    const given = opts.targetVersion ?? null;
    runCompat = given !== null && given !== '';
    target = runCompat ? (given as string) : obj.VERSION;
  } else {
    target = opts.targetVersion ?? obj.VERSION;
    if (
      era.rejectNewerTarget &&
      compareTuples(convertVersionToTuple(target), convertVersionToTuple(obj.VERSION)) > 0
    ) {
      throw new InvalidTargetVersion(target);
    }
    const manifestGiven = manifest !== null && Object.keys(manifest).length > 0;
    runCompat =
      target !== obj.VERSION || (era.compatTrigger === 'target-differs-or-manifest' && manifestGiven);
  }
  const data: JsonObject = {};
  for (const [name, field] of Object.entries(obj.def.fields)) {
    if (!obj.isSet(name)) continue;
    const value = fieldToPrimitive(field, obj.get(name), obj.fieldContext(name));
    // Plain assignment is the same own data property for every key but '__proto__'.
    if (name === '__proto__')
      Object.defineProperty(data, name, { value, enumerable: true, writable: true, configurable: true });
    else data[name] = value;
  }
  if (runCompat) {
    const ctx = { era, path: obj.def.name, ...(opts.trace ? { trace: opts.trace } : {}) };
    if (era.manifestSupported) objMakeCompatibleFromManifest(obj, data, target, manifest, ctx);
    else objMakeCompatible(obj, data, target, ctx);
  }
  const out: ObjectPrimitive = {
    [primitiveKey(ns, 'name')]: obj.def.name,
    [primitiveKey(ns, 'namespace')]: obj.def.namespace,
    [primitiveKey(ns, 'version')]: target,
    [primitiveKey(ns, 'data')]: data,
  };
  const changed = [...obj.whatChanged()];
  if (changed.length > 0) {
    const changes = era.filterChanges ? changed.filter((f) => Object.hasOwn(data, f)) : changed;
    if (changes.length > 0 || !era.filterChanges) out[primitiveKey(ns, 'changes')] = changes.sort();
  }
  return out;
}

/** One hydrated object's leftovers, for a strict checker. */
export interface HydrationRecord {
  path: string;
  name: string;
  version: string;
  /** The class version the receiver picked (may be newer than `version`). */
  classVersion: string;
  ignoredDataKeys: string[];
  ignoredChanges: string[];
}

export interface FromPrimitiveOptions {
  era?: EraName | EraConfig;
  /** Collects a record for every object hydrated (top-level and nested). */
  report?: HydrationRecord[];
  /** Path of this primitive in a larger graph (for nested hydration and errors). */
  path?: string;
}

function pyGet(primitive: PyValue, key: string): PyValue {
  if (Array.isArray(primitive)) throw new PyTypeError('list indices must be integers or slices, not str');
  if (typeof primitive === 'string') throw new PyTypeError('string indices must be integers');
  if (!isPlainDict(primitive))
    throw new PyTypeError(`'${pyTypeName(primitive)}' object is not subscriptable`);
  if (!Object.hasOwn(primitive, key)) throw new PyKeyError(key);
  return primitive[key] as PyValue;
}

/**
 * `VersionedObject.obj_from_primitive(primitive)` against the receiver's registry: namespace
 * check (UnsupportedObjectError '<ns>.<name>'), class selection (UnsupportedObjectError,
 * IncompatibleObjectVersion), then `_obj_from_primitive`: VERSION becomes the wire version, each
 * known field is set through from_primitive + coerce, unknown keys are ignored, `changes` is
 * filtered to known fields.
 */
export function objFromPrimitive(
  primitive: PyValue,
  registry: ObjectRegistry,
  opts: FromPrimitiveOptions = {},
): VersionedObjectInstance {
  const era = resolveEra(opts.era, 'ovo-manifest');
  const ns = era.serialNamespace;
  const objns = pyGet(primitive, primitiveKey(ns, 'namespace'));
  const objname = pyGet(primitive, primitiveKey(ns, 'name'));
  const objver = pyGet(primitive, primitiveKey(ns, 'version'));
  if (objns !== era.projectNamespace) {
    throw new UnsupportedObjectError(`${String(objns)}.${String(objname)}`);
  }
  if (typeof objname !== 'string') {
    if (Array.isArray(objname) || isPlainDict(objname))
      throw new PyTypeError(`unhashable type: '${pyTypeName(objname)}'`);
    throw new UnsupportedObjectError(String(objname));
  }
  if (typeof objver !== 'string') {
    if (!registry.has(objname)) throw new UnsupportedObjectError(objname);
    throw new PyTypeError('expected string or bytes-like object');
  }
  const cls = registry.objClassFromName(objname, objver, {
    includeSupportedInMessage: era.incompatibleMessageIncludesSupported,
  });
  return hydrateInstance(cls, objver, primitive as JsonObject, registry, { ...opts, era });
}

/**
 * `name in objdata` then `objdata[name]` on a data value that is not a dict: a list or str with a
 * matching member fails on indexing, one without any simply sets nothing; other types are not
 * iterable.
 */
function dataAsDict(objdata: PyValue, fieldNames: string[]): JsonObject {
  if (isPlainDict(objdata)) return objdata as JsonObject;
  if (Array.isArray(objdata)) {
    if (fieldNames.some((n) => objdata.includes(n))) {
      throw new PyTypeError('list indices must be integers or slices, not str');
    }
    return {};
  }
  if (typeof objdata === 'string') {
    if (fieldNames.some((n) => objdata.includes(n))) throw new PyTypeError('string indices must be integers');
    return {};
  }
  throw new PyTypeError(`argument of type '${pyTypeName(objdata)}' is not iterable`);
}

function hydrateInstance(
  cls: ObjectVersionDef,
  objver: string,
  primitive: JsonObject,
  registry: ObjectRegistry,
  opts: FromPrimitiveOptions & { era: EraConfig },
): VersionedObjectInstance {
  const ns = opts.era.serialNamespace;
  const path = opts.path ?? cls.name;
  const self = new VersionedObjectInstance(cls, { era: opts.era });
  self.VERSION = objver;
  const rawData = pyGet(primitive, primitiveKey(ns, 'data'));
  const objdata = dataAsDict(rawData, Object.keys(cls.fields));
  const changesKey = primitiveKey(ns, 'changes');
  const changes: PyValue = Object.hasOwn(primitive, changesKey) ? (primitive[changesKey] as JsonValue) : [];
  for (const [name, field] of Object.entries(cls.fields)) {
    if (!Object.hasOwn(objdata, name)) continue;
    const fieldPath = `${path}.${name}`;
    const ctx = self.fieldContext(name, {
      hydrate: (value: PyValue): PyObjectValue => {
        const nested = objFromPrimitive(value, registry, { ...opts, path: fieldPath });
        return nested;
      },
    });
    try {
      self.set(name, hydrateFieldValue(field, objdata[name] as PyValue, ctx));
    } catch (e) {
      if (e instanceof PythonError && e.objectPath === undefined) e.objectPath = fieldPath;
      throw e;
    }
  }
  const changeNames = pyIterate(changes);
  self.changedFields.clear();
  for (const c of changeNames) {
    if (typeof c === 'string' && Object.hasOwn(cls.fields, c)) self.changedFields.add(c);
  }
  self.ignoredDataKeys = Object.keys(objdata).filter((k) => !Object.hasOwn(cls.fields, k));
  self.ignoredChanges = changeNames
    .filter((c) => !(typeof c === 'string' && Object.hasOwn(cls.fields, c)))
    .map(String);
  opts.report?.push({
    path,
    name: cls.name,
    version: objver,
    classVersion: cls.version,
    ignoredDataKeys: self.ignoredDataKeys,
    ignoredChanges: self.ignoredChanges,
  });
  return self;
}

/** The backport hooks of an indirection API (the conductor), for deserializeEntity. */
export interface IndirectionApi {
  /** `object_backport_versions(ctx, primitive, manifest)`; throw PyNotImplementedError if absent. */
  objectBackportVersions?(primitive: ObjectPrimitive, manifest: VersionManifest): ObjectPrimitive;
  /** `object_backport(ctx, primitive, target_version)`. */
  objectBackport?(primitive: ObjectPrimitive, targetVersion: string): ObjectPrimitive;
}

export interface DeserializeOptions extends FromPrimitiveOptions {
  indirection?: IndirectionApi;
}

/**
 * `VersionedObjectSerializer.deserialize_entity`: dicts with '<ns>.name' are objects; lists,
 * tuples and dicts are walked. On IncompatibleObjectVersion an 'X.Y.Z' version is retried as
 * 'X.Y'; otherwise, with an indirection API and a registered name, the primitive is backported
 * (Nova before OVO asked for the failing object's `supported` version; OVO sends the manifest of
 * the top-level name and falls back to its newest VERSION).
 */
export function deserializeEntity(
  entity: PyValue,
  registry: ObjectRegistry,
  opts: DeserializeOptions = {},
): PyValue {
  const era = resolveEra(opts.era, 'ovo-manifest');
  const ns = era.serialNamespace;
  if (isPlainDict(entity) && Object.hasOwn(entity, `${ns}.name`)) {
    return processObject(entity as JsonObject, registry, { ...opts, era });
  }
  if (Array.isArray(entity)) return entity.map((e) => deserializeEntity(e, registry, opts));
  if (entity instanceof PyTuple)
    return new PyTuple(entity.items.map((e) => deserializeEntity(e, registry, opts)));
  if (isPlainDict(entity)) {
    const out: Record<string, PyValue> = {};
    for (const [k, v] of Object.entries(entity)) out[k] = deserializeEntity(v, registry, opts);
    return out;
  }
  return entity;
}

function processObject(
  primitive: JsonObject,
  registry: ObjectRegistry,
  opts: DeserializeOptions & { era: EraConfig },
): VersionedObjectInstance {
  const ns = opts.era.serialNamespace;
  try {
    return objFromPrimitive(primitive, registry, opts);
  } catch (e) {
    if (!(e instanceof IncompatibleObjectVersion)) throw e;
    const verKey = `${ns}.version`;
    const objver = primitive[verKey];
    if (typeof objver === 'string' && objver.split('.').length === 3) {
      const retried = { ...primitive, [verKey]: objver.split('.').slice(0, 2).join('.') };
      return processObject(retried, registry, opts);
    }
    const name = primitive[`${ns}.name`];
    const api = opts.indirection;
    if (!api || typeof name !== 'string' || !registry.has(name)) throw e;
    let backported: ObjectPrimitive | undefined;
    if (!opts.era.manifestSupported) {
      if (!api.objectBackport) throw e;
      backported = api.objectBackport(primitive, e.kwargs.supported as string);
    } else {
      try {
        if (!api.objectBackportVersions)
          throw new PyNotImplementedError('Multi-version backport not supported');
        backported = api.objectBackportVersions(primitive, registry.objTreeGetVersions(name));
      } catch (inner) {
        if (!(inner instanceof PyNotImplementedError) || !api.objectBackport) throw inner;
        backported = api.objectBackport(primitive, (registry.latest(name) as ObjectVersionDef).version);
      }
    }
    return objFromPrimitive(backported, registry, opts);
  }
}

/** `VersionedObjectSerializer.serialize_entity`: objects at their own version; sets become lists. */
export function serializeEntity(entity: PyValue): PyValue {
  if (isPyObjectValue(entity)) return entity.objToPrimitive();
  if (Array.isArray(entity)) return entity.map(serializeEntity);
  if (entity instanceof PyTuple) return new PyTuple(entity.items.map(serializeEntity));
  if (entity instanceof PySet) return entity.items.map(serializeEntity);
  if (isPlainDict(entity)) {
    const out: Record<string, PyValue> = {};
    for (const [k, v] of Object.entries(entity)) out[k] = serializeEntity(v);
    return out;
  }
  return entity;
}

/** Read the parts of a primitive (no validation beyond presence). */
export function readPrimitive(
  primitive: ObjectPrimitive,
  ns = 'nova_object',
): { name: string; namespace: string; version: string; data: JsonObject; changes?: string[] } {
  const get = (k: string): JsonValue => {
    if (!Object.hasOwn(primitive, `${ns}.${k}`)) throw new PyKeyError(`${ns}.${k}`);
    return primitive[`${ns}.${k}`] as JsonValue;
  };
  const changes = primitive[`${ns}.changes`];
  return {
    name: get('name') as string,
    namespace: get('namespace') as string,
    version: get('version') as string,
    data: get('data') as JsonObject,
    ...(Array.isArray(changes) ? { changes: changes as string[] } : {}),
  };
}
