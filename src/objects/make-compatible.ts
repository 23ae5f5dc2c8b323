/**
 * `obj_make_compatible` and everything it calls, per era (eras.ts): the override's recognised
 * actions (model.ts `MakeCompatibleAction`), the base class's child walk (`_get_subobject_version`,
 * Kilo's `obj_calculate_child_version`, the legacy `child_versions.get(target, '1.0')`), list
 * handling, `_do_subobject_backport` (which overwrites each child's version key) and the manifest
 * stash of `obj_make_compatible_from_manifest`.
 *
 * Functions mutate the primitive's data dict in place, as the Python code does, and record what
 * they did in an optional trace so a checker can explain a result.
 */
import type { EraConfig } from './eras.js';
import {
  ObjectActionError,
  PyIndexError,
  PyKeyError,
  PyNotImplementedError,
  PyTypeError,
  TargetBeforeSubobjectExistedException,
} from './errors.js';
import {
  type JsonObject,
  type JsonValue,
  type MakeCompatibleAction,
  type ObjectVersionDef,
  objectFieldTarget,
  overridesMakeCompatible,
  type VersionManifest,
  type VersionPair,
} from './model.js';
import { pyIn, pyStr } from './python-builtins.js';
import {
  cloneJson,
  isPlainDict,
  isPyObjectValue,
  type PyObjectValue,
  type PyValue,
} from './python-values.js';
import { compareTuples, convertVersionToTuple, versionLessThan } from './versions.js';

/** What compat code needs from an object instance (VersionedObjectInstance implements it). */
export interface CompatObject extends PyObjectValue {
  readonly def: ObjectVersionDef;
  isSet(name: string): boolean;
  /** `getattr(self, name)`: raises NotImplementedError (obj_load_attr) when unset. */
  get(name: string): PyValue;
}

export function isCompatObject(v: unknown): v is CompatObject {
  return isPyObjectValue(v) && typeof (v as Partial<CompatObject>).isSet === 'function' && 'def' in v;
}

export type CompatEvent =
  | 'delete-field'
  | 'backport-child'
  | 'child-untouched'
  | 'list-default-1.0'
  | 'drop-field'
  | 'convert-field'
  | 'opaque-conversion'
  | 'unrecognised-action'
  | 'base-skipped';

export interface CompatTraceEntry {
  /** Object path: 'Instance', 'Instance.info_cache', 'InstanceList.objects[1]'. */
  path: string;
  objName: string;
  targetVersion: string;
  event: CompatEvent;
  field?: string;
  /** For backport-child and list-default-1.0: the version written into the child. */
  toVersion?: string;
  detail?: string;
}

export interface CompatContext {
  era: EraConfig;
  trace?: CompatTraceEntry[];
  /** Path of the object being made compatible. */
  path: string;
}

/** `self._obj_version_manifest`, set only while obj_make_compatible_from_manifest runs. */
const manifestStash = new WeakMap<CompatObject, VersionManifest | null>();

function ns(obj: CompatObject, ctx: CompatContext): string {
  return obj.def.serialNamespace ?? ctx.era.serialNamespace;
}

function record(
  ctx: CompatContext,
  obj: CompatObject,
  target: string,
  entry: Omit<CompatTraceEntry, 'path' | 'objName' | 'targetVersion'>,
): void {
  ctx.trace?.push({ path: ctx.path, objName: obj.def.name, targetVersion: target, ...entry });
}

function childCtx(ctx: CompatContext, suffix: string): CompatContext {
  return { ...ctx, path: `${ctx.path}${suffix}` };
}

/** `primitive[key]` with Python's KeyError. */
function getKey(data: JsonObject, key: string): JsonValue {
  if (!Object.hasOwn(data, key)) throw new PyKeyError(key);
  return data[key] as JsonValue;
}

function asDict(value: JsonValue, what: string): JsonObject {
  if (!isPlainDict(value)) {
    const t = value === null ? 'NoneType' : Array.isArray(value) ? 'list' : typeof value;
    throw new PyTypeError(`'${t}' object is not subscriptable (${what})`);
  }
  return value as JsonObject;
}

function deleteKey(data: JsonObject, key: string): void {
  if (!Object.hasOwn(data, key)) throw new PyKeyError(key);
  delete data[key];
}

/** `dict(pairs)`: later duplicates overwrite the value but keep the first position. */
export function childVersionsDict(pairs: readonly VersionPair[]): VersionPair[] {
  const out = new Map<string, string>();
  for (const [k, v] of pairs) out.set(k, v);
  return [...out.entries()];
}

/**
 * `_get_subobject_version(tgt, relationships, backport_func)` (OVO): walks the entries in order.
 * Before the first parent version: TargetBeforeSubobjectExistedException. In a gap: the previous
 * entry's child. Equal: that entry's child. Beyond every entry: nothing happens.
 * Returns the version passed to `backport`, or undefined when nothing happened.
 */
export function getSubobjectVersion(
  target: string,
  relationships: readonly VersionPair[],
  backport: (childVersion: string) => void,
): string | undefined {
  const tgt = convertVersionToTuple(target);
  for (let i = 0; i < relationships.length; i++) {
    const [parent, child] = relationships[i] as VersionPair;
    const cmp = compareTuples(tgt, convertVersionToTuple(parent));
    if (cmp < 0) {
      if (i === 0) throw new TargetBeforeSubobjectExistedException(target);
      const prev = (relationships[i - 1] as VersionPair)[1];
      backport(prev);
      return prev;
    }
    if (cmp === 0) {
      backport(child);
      return child;
    }
  }
  return undefined;
}

/**
 * Kilo's `obj_calculate_child_version(target, child)`: null when the target is before the first
 * entry (the field is deleted); the gap/equal rules of OVO; beyond every entry the **last** child
 * version with `lastMappingBeyondRange` (dddd37d091), undefined (no backport) without it.
 */
export function calculateChildVersionKilo(
  target: string,
  relationships: readonly VersionPair[],
  lastMappingBeyondRange: boolean,
): string | null | undefined {
  const tgt = convertVersionToTuple(target);
  for (let i = 0; i < relationships.length; i++) {
    const [parent, child] = relationships[i] as VersionPair;
    const cmp = compareTuples(tgt, convertVersionToTuple(parent));
    if (cmp < 0) return i === 0 ? null : (relationships[i - 1] as VersionPair)[1];
    if (cmp === 0) return child;
  }
  if (!lastMappingBeyondRange) return undefined;
  const last = relationships[relationships.length - 1];
  if (!last) throw new PyIndexError('list index out of range');
  return last[1];
}

/** `obj.obj_make_compatible(primitive_data, target_version)`: the override, else the base. */
export function objMakeCompatible(
  obj: CompatObject,
  data: JsonObject,
  target: string,
  ctx: CompatContext,
): void {
  const def = obj.def;
  if (!overridesMakeCompatible(def)) {
    baseMakeCompatible(obj, data, target, ctx);
    return;
  }
  const hasSuperMarker = def.makeCompatible.some((a) => a.kind === 'super');
  if (!def.callsSuper) record(ctx, obj, target, { event: 'base-skipped' });
  if (def.callsSuper && !hasSuperMarker) baseMakeCompatible(obj, data, target, ctx);
  for (const action of def.makeCompatible) {
    if (action.kind === 'super') {
      if (def.callsSuper) baseMakeCompatible(obj, data, target, ctx);
      continue;
    }
    applyAction(obj, data, target, action, ctx);
  }
}

/**
 * `obj_make_compatible_from_manifest(primitive, target, manifest)`: stashes the manifest on the
 * object for the duration of obj_make_compatible (overrides see it only through the stash).
 */
export function objMakeCompatibleFromManifest(
  obj: CompatObject,
  data: JsonObject,
  target: string,
  manifest: VersionManifest | null,
  ctx: CompatContext,
): void {
  manifestStash.set(obj, manifest);
  try {
    objMakeCompatible(obj, data, target, ctx);
  } finally {
    manifestStash.delete(obj);
  }
}

/** The base class's `obj_make_compatible` for this era (list or plain object). */
export function baseMakeCompatible(
  obj: CompatObject,
  data: JsonObject,
  target: string,
  ctx: CompatContext,
): void {
  if (obj.def.isList) {
    if (ctx.era.listRule === 'child-versions-exact') legacyListMakeCompatible(obj, data, target, ctx);
    else ovoListMakeCompatible(obj, data, target, ctx);
    return;
  }
  switch (ctx.era.objectFieldRule) {
    case 'none':
      return;
    case 'kilo':
      kiloObjectFieldsMakeCompatible(obj, data, target, ctx);
      return;
    case 'ovo':
      ovoObjectFieldsMakeCompatible(obj, data, target, ctx);
      return;
  }
}

function objectFieldNames(def: ObjectVersionDef): string[] {
  return Object.entries(def.fields)
    .filter(([, f]) => objectFieldTarget(f.type) !== undefined)
    .map(([k]) => k);
}

/** Kilo `obj_make_compatible` + `_obj_make_obj_compatible` + its local `_do_backport`. */
function kiloObjectFieldsMakeCompatible(
  obj: CompatObject,
  data: JsonObject,
  target: string,
  ctx: CompatContext,
): void {
  for (const key of objectFieldNames(obj.def)) {
    if (!obj.isSet(key)) continue;
    const rels = obj.def.relationships[key];
    if (rels === undefined) throw new ObjectActionError('obj_make_compatible', `No rule for ${key}`);
    const childVersion = calculateChildVersionKilo(target, rels, ctx.era.kiloLastMappingBeyondRange);
    if (childVersion === null) {
      deleteKey(data, key);
      record(ctx, obj, target, {
        event: 'delete-field',
        field: key,
        detail: 'target before the first relationship',
      });
      continue;
    }
    if (childVersion === undefined) {
      record(ctx, obj, target, {
        event: 'child-untouched',
        field: key,
        detail: 'target beyond every relationship',
      });
      continue;
    }
    kiloDoBackport(obj, key, data, childVersion, target, ctx);
  }
}

function kiloDoBackport(
  obj: CompatObject,
  field: string,
  data: JsonObject,
  toVersion: string,
  target: string,
  ctx: CompatContext,
): void {
  const value = obj.get(field);
  if (ctx.era.skipFalsyChild ? !truthy(value) : value === null) return;
  if (isCompatObject(value)) {
    const prim = asDict(getKey(data, field), field);
    const vkey = `${ns(value, ctx)}.version`;
    if (!ctx.era.kiloSkipSameVersion || prim[vkey] !== toVersion) {
      objMakeCompatible(value, childData(value, prim, ctx), toVersion, childCtx(ctx, `.${field}`));
    }
    prim[vkey] = toVersion;
    record(ctx, obj, target, { event: 'backport-child', field, toVersion });
  } else if (Array.isArray(value)) {
    const prims = getKey(data, field);
    value.forEach((element, i) => {
      if (!isCompatObject(element)) return;
      const prim = asDict(indexOf(prims, i), `${field}[${i}]`);
      objMakeCompatible(element, childData(element, prim, ctx), toVersion, childCtx(ctx, `.${field}[${i}]`));
      prim[`${ns(element, ctx)}.version`] = toVersion;
    });
    record(ctx, obj, target, { event: 'backport-child', field, toVersion });
  }
}

function truthy(value: PyValue): boolean {
  if (value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isPyObjectValue(value)) return value.objTruthy();
  return true;
}

function indexOf(list: JsonValue, i: number): JsonValue {
  if (!Array.isArray(list)) throw new PyTypeError(`'${typeof list}' object is not subscriptable`);
  if (i >= list.length) throw new PyIndexError('list index out of range');
  return list[i] as JsonValue;
}

function childData(child: CompatObject, prim: JsonObject, ctx: CompatContext): JsonObject {
  return asDict(getKey(prim, `${ns(child, ctx)}.data`), 'data');
}

/**
 * `_obj_relationship_for(field, target)`: without a stashed manifest, `obj_relationships[field]`
 * or ObjectActionError "No rule for"; with one, `[(target, manifest[child])]`, or null when the
 * child's name is not in the manifest (the field is then left untouched).
 */
export function relationshipFor(obj: CompatObject, field: string, target: string): VersionPair[] | null {
  const manifest = manifestStash.get(obj);
  if (manifest === undefined || manifest === null) {
    const rels = obj.def.relationships[field];
    if (rels === undefined) throw new ObjectActionError('obj_make_compatible', `No rule for ${field}`);
    return rels;
  }
  const fieldDef = obj.def.fields[field];
  const childName = fieldDef ? objectFieldTarget(fieldDef.type)?.objName : undefined;
  if (childName === undefined || !Object.hasOwn(manifest, childName)) return null;
  return [[target, manifest[childName] as string]];
}

/** OVO `obj_make_compatible` over set object fields (`_obj_make_obj_compatible`). */
function ovoObjectFieldsMakeCompatible(
  obj: CompatObject,
  data: JsonObject,
  target: string,
  ctx: CompatContext,
): void {
  for (const key of objectFieldNames(obj.def)) {
    if (!obj.isSet(key)) continue;
    const rels = relationshipFor(obj, key, target);
    if (!rels || rels.length === 0) {
      record(ctx, obj, target, {
        event: 'child-untouched',
        field: key,
        detail: 'no mapping (manifest lacks the child)',
      });
      continue;
    }
    try {
      const to = getSubobjectVersion(target, rels, (ver) =>
        doSubobjectBackport(ver, obj, key, data, target, ctx),
      );
      if (to === undefined) {
        record(ctx, obj, target, {
          event: 'child-untouched',
          field: key,
          detail: 'target beyond every relationship',
        });
      }
    } catch (e) {
      if (!(e instanceof TargetBeforeSubobjectExistedException)) throw e;
      deleteKey(data, key);
      record(ctx, obj, target, {
        event: 'delete-field',
        field: key,
        detail: 'target before the first relationship',
      });
    }
  }
}

/**
 * `_do_subobject_backport(to_version, parent, field, primitive)`: each child (or list element)
 * gets `obj_make_compatible_from_manifest` with the parent's manifest (`or None`), then its
 * version key is overwritten with `to_version`, whatever the child's real version is.
 */
export function doSubobjectBackport(
  toVersion: string,
  parent: CompatObject,
  field: string,
  data: JsonObject,
  target: string,
  ctx: CompatContext,
): void {
  const value = parent.get(field);
  const stashed = manifestStash.get(parent);
  const manifest = stashed && Object.keys(stashed).length > 0 ? stashed : null;
  if (isCompatObject(value)) {
    const prim = asDict(getKey(data, field), field);
    objMakeCompatibleFromManifest(
      value,
      childData(value, prim, ctx),
      toVersion,
      manifest,
      childCtx(ctx, `.${field}`),
    );
    prim[`${ns(value, ctx)}.version`] = toVersion;
    record(ctx, parent, target, { event: 'backport-child', field, toVersion });
  } else if (Array.isArray(value)) {
    const prims = value.length > 0 ? getKey(data, field) : data[field];
    value.forEach((element, i) => {
      if (!isCompatObject(element)) return;
      const prim = asDict(indexOf(prims as JsonValue, i), `${field}[${i}]`);
      objMakeCompatibleFromManifest(
        element,
        childData(element, prim, ctx),
        toVersion,
        manifest,
        childCtx(ctx, `.${field}[${i}]`),
      );
      prim[`${ns(element, ctx)}.version`] = toVersion;
    });
    record(ctx, parent, target, { event: 'backport-child', field, toVersion });
  }
}

/** OVO `ObjectListBase.obj_make_compatible`. */
function ovoListMakeCompatible(
  obj: CompatObject,
  data: JsonObject,
  target: string,
  ctx: CompatContext,
): void {
  let rels: VersionPair[] | null;
  if (obj.def.childVersions.length > 0) {
    rels = childVersionsDict(obj.def.childVersions);
  } else {
    try {
      if (ctx.era.listsUseManifest) {
        rels = relationshipFor(obj, 'objects', target);
      } else {
        const r = obj.def.relationships.objects;
        if (r === undefined) throw new ObjectActionError('obj_make_compatible', 'No rule for objects');
        rels = r;
      }
    } catch (e) {
      if (!(e instanceof ObjectActionError)) throw e;
      rels = [];
    }
  }
  try {
    if (rels && rels.length > 0) {
      const to = getSubobjectVersion(target, rels, (ver) =>
        doSubobjectBackport(ver, obj, 'objects', data, target, ctx),
      );
      if (to === undefined) {
        record(ctx, obj, target, {
          event: 'child-untouched',
          field: 'objects',
          detail: 'target beyond every relationship',
        });
      }
    } else {
      record(ctx, obj, target, { event: 'list-default-1.0', field: 'objects', toVersion: '1.0' });
      doSubobjectBackport('1.0', obj, 'objects', data, target, ctx);
    }
  } catch (e) {
    if (!(e instanceof TargetBeforeSubobjectExistedException)) throw e;
    deleteKey(data, 'objects');
    record(ctx, obj, target, {
      event: 'delete-field',
      field: 'objects',
      detail: 'target before the first relationship',
    });
  }
}

/** Nova 2014.1-2015.1.0 `ObjectListBase.obj_make_compatible`: `child_versions.get(target, '1.0')`. */
function legacyListMakeCompatible(
  obj: CompatObject,
  data: JsonObject,
  target: string,
  ctx: CompatContext,
): void {
  const primitives = getKey(data, 'objects');
  const found = childVersionsDict(obj.def.childVersions).find(([k]) => k === target);
  const childTarget = found ? found[1] : '1.0';
  if (!found) {
    record(ctx, obj, target, {
      event: 'list-default-1.0',
      field: 'objects',
      toVersion: '1.0',
      detail: `no child_versions key '${target}'`,
    });
  }
  const objects = obj.get('objects');
  const items = Array.isArray(objects) ? objects : [];
  items.forEach((item, i) => {
    if (!isCompatObject(item)) return;
    const prim = asDict(indexOf(primitives, i), `objects[${i}]`);
    objMakeCompatible(item, childData(item, prim, ctx), childTarget, childCtx(ctx, `.objects[${i}]`));
    prim[`${ns(item, ctx)}.version`] = childTarget;
  });
  if (found && items.length > 0) {
    record(ctx, obj, target, { event: 'backport-child', field: 'objects', toVersion: childTarget });
  }
}

/** The action's version window: target < belowVersion (when set) and target >= notBelow (when set). */
function applies(target: string, belowVersion: string | undefined, notBelow?: string): boolean {
  return (
    (belowVersion === undefined || versionLessThan(target, belowVersion)) &&
    (notBelow === undefined || !versionLessThan(target, notBelow))
  );
}

/** Execute one recognised statement of an override. */
export function applyAction(
  obj: CompatObject,
  data: JsonObject,
  target: string,
  action: Exclude<MakeCompatibleAction, { kind: 'super' }>,
  ctx: CompatContext,
): void {
  switch (action.kind) {
    case 'drop-field':
      if (!applies(target, action.belowVersion, action.notBelow)) return;
      if (Object.hasOwn(data, action.field)) {
        delete data[action.field];
        record(ctx, obj, target, { event: 'drop-field', field: action.field });
      } else if (action.guarded === false) {
        throw new PyKeyError(action.field);
      }
      return;
    case 'convert-field': {
      if (!applies(target, action.belowVersion, action.notBelow) || !Object.hasOwn(data, action.field))
        return;
      const how = action.how;
      switch (how.op) {
        case 'set-constant':
          data[action.field] = cloneJson(how.value);
          break;
        case 'map-values': {
          const key = JSON.stringify(data[action.field]);
          if (Object.hasOwn(how.mapping, key)) data[action.field] = cloneJson(how.mapping[key] as JsonValue);
          break;
        }
        case 'rename':
          data[how.to] = data[action.field] as JsonValue;
          delete data[action.field];
          break;
        case 'opaque':
          record(ctx, obj, target, { event: 'opaque-conversion', field: action.field, detail: how.text });
          return;
      }
      record(ctx, obj, target, { event: 'convert-field', field: action.field, detail: how.op });
      return;
    }
    case 'backport-child': {
      if (!applies(target, action.belowVersion, action.notBelow)) return;
      const guarded = action.guarded !== false;
      if (guarded && !Object.hasOwn(data, action.field)) return;
      if (!obj.isSet(action.field) && !guarded) {
        throw new PyNotImplementedError(`Cannot load '${action.field}' in the base class`);
      }
      const value = obj.get(action.field);
      if (value === null) {
        if (guarded) return;
        throw new PyTypeError("'NoneType' object is not subscriptable");
      }
      const prims = getKey(data, action.field);
      if (isCompatObject(value)) {
        const prim = asDict(prims, action.field);
        objMakeCompatible(
          value,
          childData(value, prim, ctx),
          action.childVersion,
          childCtx(ctx, `.${action.field}`),
        );
        prim[`${ns(value, ctx)}.version`] = action.childVersion;
      } else if (Array.isArray(value)) {
        value.forEach((element, i) => {
          if (!isCompatObject(element)) return;
          const prim = asDict(indexOf(prims, i), `${action.field}[${i}]`);
          objMakeCompatible(
            element,
            childData(element, prim, ctx),
            action.childVersion,
            childCtx(ctx, `.${action.field}[${i}]`),
          );
          prim[`${ns(element, ctx)}.version`] = action.childVersion;
        });
      }
      record(ctx, obj, target, {
        event: 'backport-child',
        field: action.field,
        toVersion: action.childVersion,
      });
      return;
    }
    case 'raise-too-new-values': {
      if (!applies(target, action.belowVersion, action.notBelow)) return;
      const value = Object.hasOwn(data, action.field) ? (data[action.field] as JsonValue) : null;
      if (pyIn(value, action.values)) {
        throw new ObjectActionError(
          'obj_make_compatible',
          `${action.field}=${pyStr(value)} not supported in version ${target}`,
        );
      }
      return;
    }
    case 'unrecognised':
      record(ctx, obj, target, { event: 'unrecognised-action', detail: action.text });
      return;
  }
}
