/**
 * The data model shared by the object-history extractor (which fills it from Python source) and
 * the versioned-object runtime (which executes it). Everything here is plain JSON: a history can be
 * written to disk, diffed and reloaded without losing information.
 *
 * One `ObjectVersionDef` describes one registered class at one `VERSION` (Nova's `Instance` at
 * 1.14, say). Field order in `fields` is the class's `fields` dict order after mro merging; the
 * runtime walks fields in that order, as `_obj_from_primitive` and `obj_make_compatible` do.
 */
import type { EraName } from './eras.js';

/** A JSON value: what crosses the wire inside a primitive. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** `Field(element_type, nullable=..., default=...)` as wrapped by List/Dict/Set (CompoundFieldType). */
export interface ElementDef {
  type: FieldTypeDesc;
  nullable: boolean;
  default?: DefaultDef;
}

/** The type of a field: one variant per oslo.versionedobjects / Nova `FieldType`. */
export type FieldTypeDesc =
  | { kind: 'String' }
  | { kind: 'SensitiveString' }
  | { kind: 'VersionPredicate' }
  | { kind: 'Integer' }
  | { kind: 'NonNegativeInteger' }
  | { kind: 'Float' }
  | { kind: 'NonNegativeFloat' }
  | { kind: 'Boolean' }
  | { kind: 'FlexibleBoolean' }
  | { kind: 'DateTime'; tzinfoAware: boolean }
  | { kind: 'UUID' }
  | { kind: 'MACAddress' }
  | { kind: 'PCIAddress' }
  | { kind: 'IPAddress' }
  | { kind: 'IPV4Address' }
  | { kind: 'IPV6Address' }
  | { kind: 'IPV4AndV6Address' }
  | { kind: 'IPNetwork' }
  | { kind: 'IPV4Network' }
  | { kind: 'IPV6Network' }
  /**
   * `Enum(valid_values)`. `name` is the named Enum class (`Architecture`) or null for the anonymous
   * `EnumField([...])`. `validValues` null means the values are not known: any string is accepted.
   * `indexed` models InstancePowerState, whose coerce first tries `ALL[int(value)]`.
   */
  | { kind: 'Enum'; name: string | null; validValues: string[] | null; indexed?: boolean }
  /**
   * A Nova `StringPattern`/`AddressBase` type: ResourceClass (upper-cased, anchored) or the
   * USB/SCSI/IDE/Xen address types (`re.match(PATTERN, str(value))`, anchored at the start only).
   */
  | { kind: 'StringPattern'; name: StringPatternName }
  | { kind: 'List'; element: ElementDef }
  | { kind: 'Dict'; element: ElementDef }
  | { kind: 'Set'; element: ElementDef }
  /** `ObjectField(objName, subclasses)`: walked by obj_make_compatible. */
  | { kind: 'Object'; objName: string; subclasses: boolean }
  /** `ListOfObjectsField(objName, subclasses)`: `List(Object(objName))`, walked by obj_make_compatible. */
  | { kind: 'ListOfObjects'; objName: string; subclasses: boolean }
  | { kind: 'NetworkModel' }
  | { kind: 'NetworkVIFModel' }
  /** A field class the extractor could not resolve; the runtime treats values as opaque. */
  | { kind: 'Unknown'; pythonName: string };

export type FieldKind = FieldTypeDesc['kind'];

export type StringPatternName = 'ResourceClass' | 'USBAddress' | 'SCSIAddress' | 'IDEAddress' | 'XenAddress';

/**
 * A field default. Absent means `UnspecifiedDefault`. Python values without a JSON form are
 * tagged (`set()`, tuples); anything the extractor cannot evaluate is kept as source text.
 */
export type DefaultDef =
  | { kind: 'value'; value: JsonValue }
  | { kind: 'set'; items: JsonValue[] }
  | { kind: 'tuple'; items: JsonValue[] }
  | { kind: 'unrecognised'; text: string };

export interface FieldDef {
  type: FieldTypeDesc;
  nullable: boolean;
  /** Absent: `UnspecifiedDefault`. */
  default?: DefaultDef;
  readOnly?: boolean;
}

/** `[parent_version, child_version]`, as in `obj_relationships` and `child_versions` items. */
export type VersionPair = [string, string];

/** A conversion applied by a recognised `convert-field` action. */
export type ConvertHow =
  /** `primitive[field] = value`. */
  | { op: 'set-constant'; value: JsonValue }
  /** Replace values found in `mapping` (keys are the JSON-encoded old values); others are kept. */
  | { op: 'map-values'; mapping: Record<string, JsonValue> }
  /** `primitive[to] = primitive.pop(field)`. */
  | { op: 'rename'; to: string }
  /** A conversion the extractor saw but could not express; the runtime only records it. */
  | { op: 'opaque'; text: string };

/**
 * One recognised statement of an `obj_make_compatible` override, in source order. `belowVersion`
 * is the version in `if target_version < (X, Y)`; actions without it run for every target.
 * `notBelow` is a lower bound: the action runs only for targets >= it (a branch of an `elif`
 * chain after `if target_version < (X, Y)`, or `if (A, B) <= target_version < (X, Y)`).
 */
export type MakeCompatibleAction =
  /** `primitive.pop(field, None)` / `del primitive[field]` when target < belowVersion. */
  | { kind: 'drop-field'; field: string; belowVersion: string; guarded?: boolean; notBelow?: string }
  | { kind: 'convert-field'; field: string; belowVersion: string; how: ConvertHow; notBelow?: string }
  /**
   * Hand-written child backport: `self.<field>.obj_make_compatible(primitive[field][data], V)` then
   * the version key is overwritten with V (each element for a list). No manifest is passed.
   */
  | {
      kind: 'backport-child';
      field: string;
      belowVersion?: string;
      childVersion: string;
      guarded?: boolean;
      notBelow?: string;
    }
  /** `raise_on_too_new_values(target, primitive, field, values)` when target < belowVersion. */
  | {
      kind: 'raise-too-new-values';
      field: string;
      belowVersion: string;
      values: JsonValue[];
      notBelow?: string;
    }
  /** Position of `super().obj_make_compatible(primitive, target_version)` in the override. */
  | { kind: 'super' }
  | { kind: 'unrecognised'; text: string };

export type MakeCompatibleKind = MakeCompatibleAction['kind'];

/** A `@remotable` / `@remotable_classmethod` method and its argument signature. */
export interface RemotableMethodDef {
  name: string;
  classmethod: boolean;
  args: string[];
  varargs: string | null;
  varkw: string | null;
  /** Python source text of each default, last arguments first matched (as in getargspec). */
  defaults: string[];
}

export interface ObjectVersionDef {
  /** `obj_name()`: the class `__name__` (InstanceV2 registers as `Instance`). */
  name: string;
  /** `VERSION`: 'X.Y' or 'X.Y.Z'. */
  version: string;
  /** `OBJ_PROJECT_NAMESPACE`: 'nova' for every Nova object. */
  namespace: string;
  fields: Record<string, FieldDef>;
  /** `obj_relationships`: field name -> [(parent_version, child_version)], oldest first. */
  relationships: Record<string, VersionPair[]>;
  /** Legacy list `child_versions` dict items in source (insertion) order. */
  childVersions: VersionPair[];
  /** Subclass of ObjectListBase. */
  isList: boolean;
  /** Recognised statements of this class's own `obj_make_compatible` override, in order. */
  makeCompatible: MakeCompatibleAction[];
  /**
   * The class defines `obj_make_compatible` itself. Defaults to `makeCompatible.length > 0`.
   * When true and `callsSuper` is false, the base behaviour (relationships, manifest
   * propagation, list handling) does not run at all.
   */
  overridesMakeCompatible?: boolean;
  /** The override calls `super().obj_make_compatible(...)`. */
  callsSuper: boolean;
  remotableMethods: RemotableMethodDef[];
  /** Which base-class semantics this definition ran under. */
  era: EraName;
  /** Names of the classes in the mro that have `obj_name` (for `ObjectField(subclasses=True)`). */
  mroNames?: string[];
  /** Sets defaults in `__init__` (NovaEphemeralObject / EphemeralObject). */
  setsDefaultsOnInit?: boolean;
  /** `OBJ_SERIAL_NAMESPACE`, default 'nova_object'. */
  serialNamespace?: string;
  /** Where the class was read from, for messages. */
  source?: { file: string; line?: number; commit?: string };
}

/** `{objname: version}` as produced by `obj_tree_get_versions`. */
export type VersionManifest = Record<string, string>;

/** True when the override replaces the base `obj_make_compatible`. */
export function overridesMakeCompatible(def: ObjectVersionDef): boolean {
  return def.overridesMakeCompatible ?? def.makeCompatible.length > 0;
}

/** The serial namespace of a definition (`nova_object` unless overridden). */
export function serialNamespaceOf(def: ObjectVersionDef): string {
  return def.serialNamespace ?? 'nova_object';
}

/** For Object and ListOfObjects fields: the child object name; undefined for anything else. */
export function objectFieldTarget(
  type: FieldTypeDesc,
): { objName: string; subclasses: boolean; isList: boolean } | undefined {
  if (type.kind === 'Object') return { objName: type.objName, subclasses: type.subclasses, isList: false };
  if (type.kind === 'ListOfObjects')
    return { objName: type.objName, subclasses: type.subclasses, isList: true };
  return undefined;
}

/** Convenience constructor with the defaults most definitions share. */
export function defineObject(
  partial: Pick<ObjectVersionDef, 'name' | 'version' | 'fields'> & Partial<ObjectVersionDef>,
): ObjectVersionDef {
  return {
    namespace: 'nova',
    relationships: {},
    childVersions: [],
    isList: false,
    makeCompatible: [],
    callsSuper: true,
    remotableMethods: [],
    era: 'ovo-manifest',
    ...partial,
  };
}
