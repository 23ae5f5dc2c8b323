/**
 * Field semantics of oslo.versionedobjects and Nova's field types: `coerce` (on every assignment,
 * including hydration), `to_primitive` and `from_primitive`, and `Field`'s None/default handling.
 *
 * The functions take a `FieldTypeDesc` from model.ts and values from python-values.ts; they raise
 * the same Python exceptions the library does (ValueError, TypeError, KeyTypeError, ...).
 */
import {
  KeyTypeError,
  ObjectModelError,
  PyAttributeError,
  PyIndexError,
  PyTypeError,
  PyValueError,
} from './errors.js';
import { isotime, parseIsotime } from './iso8601.js';
import type {
  DefaultDef,
  ElementDef,
  FieldDef,
  FieldTypeDesc,
  JsonObject,
  JsonValue,
  StringPatternName,
} from './model.js';
import { ipAddress, ipNetwork } from './netaddr.js';
import { hydrateNetworkInfo, hydrateVIF, loadVIF } from './nova-network-model.js';
import {
  dictEntries,
  isHashable,
  isPyIterable,
  isPyMapping,
  pyEquals,
  pyFloatOf,
  pyIn,
  pyInt,
  pyIterate,
  pyRepr,
  pyStr,
  pyTruthy,
  pythonJsonDumps,
} from './python-builtins.js';
import {
  cloneJson,
  isPlainDict,
  isPyFloat,
  isPyInt,
  isPyObjectValue,
  PyDateTime,
  type PyDictValue,
  PyFloat,
  PyIPAddress,
  PyIPNetwork,
  PyNetworkInfo,
  type PyObjectValue,
  PySet,
  PyTuple,
  type PyValue,
  PyVIF,
  pyTypeName,
  UTC,
} from './python-values.js';

/** What a coercion needs to know about where it happens. */
export interface FieldContext {
  /** Attribute name used in messages (`'foo'`, `'foo[2]'`, `'foo["k"]'`). */
  attr: string;
  /** `__module__` of the object being assigned to, for Object type errors. */
  ownerModule?: string;
  /** Object.from_primitive: hydrate a nested primitive through the registry. */
  hydrate?: (primitive: PyValue) => PyObjectValue;
  /** Receives Python warnings (the UUID FutureWarning). */
  warn?: (message: string) => void;
}

function withAttr(ctx: FieldContext, attr: string): FieldContext {
  return { ...ctx, attr };
}

/** Store a key on a plain dict without tripping over `__proto__`. */
function setKey(target: PyDictValue, key: string, value: PyValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Python `re.match(pattern + '$')`: `$` also matches before one trailing newline. */
function matchWithDollar(re: RegExp, s: string): boolean {
  return re.test(s) || (s.endsWith('\n') && re.test(s.slice(0, -1)));
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const PCI_RE = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f].[0-7]$/;
const RESOURCE_CLASS_RE = /^[A-Z0-9_]+$/;

/** Nova's AddressBase patterns, matched with `re.match` (anchored at the start only). */
export const ADDRESS_PATTERNS: Record<Exclude<StringPatternName, 'ResourceClass'>, string> = {
  USBAddress: '[a-f0-9]+:[a-f0-9]+',
  SCSIAddress: '[a-f0-9]+:[a-f0-9]+:[a-f0-9]+:[a-f0-9]+',
  IDEAddress: '[0-1]:[0-1]',
  XenAddress: '(00[0-9]{2}00)|[1-9][0-9]+',
};

const TRUE_STRINGS = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE_STRINGS = ['0', 'f', 'false', 'off', 'n', 'no'];

/** `strutils.bool_from_string(subject)` with strict=False, default=False. */
export function boolFromString(subject: PyValue): boolean {
  if (typeof subject === 'boolean') return subject;
  const lowered = pyStr(subject).trim().toLowerCase();
  if (TRUE_STRINGS.includes(lowered)) return true;
  if (FALSE_STRINGS.includes(lowered)) return false;
  return false;
}

/** `uuid.UUID(str(value))` succeeds. */
export function isValidUuidText(s: string): boolean {
  const hex = s
    .replace('urn:', '')
    .replace('uuid:', '')
    .replace(/^[{}]+|[{}]+$/g, '')
    .replaceAll('-', '');
  return /^[0-9a-fA-F]{32}$/.test(hex);
}

const STRICT_VERSION = /^\d+\.\d+(\.\d+)?([ab]\d+)?$/;
const SPLIT_COMPARISON = /^\s*(<=|>=|<|>|!=|==)\s*([^\s,]+)\s*$/;

/** `distutils.versionpredicate.VersionPredicate('check (%s)' % value)` succeeds. */
export function isValidVersionPredicate(value: PyValue): boolean {
  const inner = pyStr(value);
  if (inner.includes('\n')) return false;
  return inner.split(',').every((pred) => {
    const m = SPLIT_COMPARISON.exec(pred);
    return m !== null && STRICT_VERSION.test(m[2] as string);
  });
}

/** The Python value a `DefaultDef` stands for. */
export function defaultValue(def: DefaultDef, fieldName = '?'): PyValue {
  switch (def.kind) {
    case 'value':
      return cloneJson(def.value);
    case 'set':
      return new PySet(cloneJson(def.items));
    case 'tuple':
      return new PyTuple(cloneJson(def.items));
    case 'unrecognised':
      throw new ObjectModelError(`default of field ${fieldName} cannot be evaluated: ${def.text}`);
  }
}

function stringCoerce(value: PyValue, attr: string): string {
  if (typeof value === 'string' || typeof value === 'boolean' || isPyInt(value) || isPyFloat(value)) {
    return pyStr(value);
  }
  if (value instanceof PyDateTime) return pyStr(value);
  throw new PyValueError(`A string is required in field ${attr}, not a ${pyTypeName(value)}`);
}

/** Enum types whose coerce first maps an integer index through `ALL` (when `indexed` is not given). */
export const INDEXED_ENUM_NAMES: ReadonlySet<string> = new Set(['InstancePowerState']);

/** Whether an Enum type maps integers through its value list (InstancePowerState). */
export function isIndexedEnum(type: Extract<FieldTypeDesc, { kind: 'Enum' }>): boolean {
  return type.indexed ?? (type.name !== null && INDEXED_ENUM_NAMES.has(type.name));
}

function enumCoerce(type: Extract<FieldTypeDesc, { kind: 'Enum' }>, value: PyValue, attr: string): string {
  let v = value;
  if (isIndexedEnum(type) && type.validValues) {
    let index: number | undefined;
    try {
      index = pyInt(v);
    } catch (e) {
      if (!(e instanceof PyValueError)) throw e;
    }
    if (index !== undefined) {
      const all = type.validValues;
      const i = index < 0 ? all.length + index : index;
      if (i < 0 || i >= all.length) throw new PyIndexError('tuple index out of range');
      v = all[i] as string;
    }
  }
  if (type.validValues !== null && !pyIn(v, type.validValues)) {
    throw new PyValueError(`Field value ${pyStr(v)} is invalid`);
  }
  return stringCoerce(v, attr);
}

function objectCoerce(
  type: { objName: string; subclasses: boolean },
  value: PyValue,
  ctx: FieldContext,
): PyObjectValue {
  const isObj = isPyObjectValue(value);
  const objName = isObj ? value.objName() : '';
  const names = isObj && type.subclasses ? value.objMroNames() : [objName];
  if (isObj && names.includes(type.objName)) return value;
  const shown = objName || pyTypeName(value);
  const ownerMod = ctx.ownerModule ? `${ctx.ownerModule}.` : '';
  let valMod = '';
  if (isObj && value.objModule()) valMod = `${value.objModule()}.`;
  else if (value instanceof PyDateTime) valMod = 'datetime.';
  throw new PyValueError(
    `An object of type ${ownerMod}${type.objName} is required in field ${ctx.attr}, not a ${valMod}${shown}`,
  );
}

/** `FieldType.coerce(obj, attr, value)` for a non-None value. */
export function coerceValue(type: FieldTypeDesc, value: PyValue, ctx: FieldContext): PyValue {
  const attr = ctx.attr;
  switch (type.kind) {
    case 'String':
    case 'SensitiveString':
      return stringCoerce(value, attr);
    case 'VersionPredicate':
      if (!isValidVersionPredicate(value)) {
        throw new PyValueError(`Version ${pyStr(value)} is not a valid predicate in field ${attr}`);
      }
      return value;
    case 'Integer':
      return pyInt(value);
    case 'NonNegativeInteger': {
      const v = pyInt(value);
      if (v < 0) throw new PyValueError(`Value must be >= 0 for field ${attr}`);
      return v;
    }
    case 'Float':
      return new PyFloat(pyFloatOf(value));
    case 'NonNegativeFloat': {
      const v = pyFloatOf(value);
      if (v < 0) throw new PyValueError(`Value must be >= 0 for field ${attr}`);
      return new PyFloat(v);
    }
    case 'Boolean':
      return pyTruthy(value);
    case 'FlexibleBoolean':
      return boolFromString(value);
    case 'DateTime': {
      let v: PyValue = value;
      if (typeof v === 'string') v = parseIsotime(v);
      else if (!(v instanceof PyDateTime)) {
        throw new PyValueError(
          `A datetime.datetime is required in field ${attr}, not a ${pyTypeName(value)}`,
        );
      }
      if (v.tz === null && type.tzinfoAware) return v.withTz(UTC);
      if (!type.tzinfoAware) return v.withTz(null);
      return v;
    }
    case 'UUID': {
      const s = pyStr(value);
      if (!isValidUuidText(s)) {
        ctx.warn?.(
          `FutureWarning: ${s} is an invalid UUID. Using UUIDFields with invalid UUIDs is no longer supported`,
        );
      }
      return s;
    }
    case 'MACAddress':
      if (typeof value === 'string') {
        const lowered = value.toLowerCase().replaceAll('-', ':');
        if (matchWithDollar(MAC_RE, lowered)) return lowered;
      }
      throw new PyValueError(`Malformed MAC ${pyStr(value)}`);
    case 'PCIAddress':
      if (typeof value === 'string') {
        const lowered = value.toLowerCase();
        if (matchWithDollar(PCI_RE, lowered)) return lowered;
      }
      throw new PyValueError(`Malformed PCI address ${pyStr(value)}`);
    case 'IPAddress':
      return ipAddress(value);
    case 'IPV4Address':
    case 'IPV6Address':
    case 'IPV4AndV6Address': {
      const ip = ipAddress(value);
      const ok =
        type.kind === 'IPV4Address'
          ? ip.version === 4
          : type.kind === 'IPV6Address'
            ? ip.version === 6
            : true;
      if (!ok) throw new PyValueError(`Network "${pyStr(value)}" is not valid in field ${attr}`);
      return ip;
    }
    case 'IPNetwork':
      return ipNetwork(value);
    case 'IPV4Network':
      return ipNetwork(value, 4);
    case 'IPV6Network':
      return ipNetwork(value, 6);
    case 'Enum':
      return enumCoerce(type, value, attr);
    case 'StringPattern': {
      if (type.name === 'ResourceClass') {
        if (typeof value === 'string') {
          const upper = value.toUpperCase();
          if (matchWithDollar(RESOURCE_CLASS_RE, upper)) return upper;
        }
        throw new PyValueError(`Malformed Resource Class ${pyStr(value)}`);
      }
      const pattern = ADDRESS_PATTERNS[type.name];
      const s = pyStr(value);
      if (new RegExp(`^(?:${pattern})`).test(s)) return s;
      throw new PyValueError(`Value must match ${pattern}`);
    }
    case 'List':
    case 'ListOfObjects': {
      if (!isPyIterable(value) || typeof value === 'string' || isPyMapping(value)) {
        throw new PyValueError(`A list is required in field ${attr}, not a ${pyTypeName(value)}`);
      }
      const element = elementOf(type);
      return pyIterate(value).map((x, i) => coerceElement(element, x, withAttr(ctx, `${attr}[${i}]`)));
    }
    case 'Dict': {
      const entries = dictEntries(value);
      if (!entries) throw new PyValueError(`A dict is required in field ${attr}, not a ${pyTypeName(value)}`);
      const out: PyDictValue = {};
      for (const [k, v] of entries) {
        if (typeof k !== 'string') throw new KeyTypeError(pyRepr(k), pyTypeName(k));
        setKey(out, k, coerceElement(type.element, v, withAttr(ctx, `${attr}[${k}]`)));
      }
      return out;
    }
    case 'Set': {
      if (!(value instanceof PySet)) {
        throw new PyValueError(`A set is required in field ${attr}, not a ${pyTypeName(value)}`);
      }
      const items: PyValue[] = [];
      for (const x of value.items) {
        const c = coerceElement(type.element, x, withAttr(ctx, `${attr}[${pyStr(x)}]`));
        if (!items.some((y) => pyEquals(y, c))) items.push(c);
      }
      return new PySet(items);
    }
    case 'Object':
      return objectCoerce(type, value, ctx);
    case 'NetworkModel':
      if (value instanceof PyNetworkInfo) return value;
      if (typeof value === 'string') return hydrateNetworkInfo(value);
      throw new PyValueError(`A NetworkModel is required in field ${attr}`);
    case 'NetworkVIFModel':
      if (value instanceof PyVIF) return value;
      if (typeof value === 'string') return loadVIF(value);
      throw new PyValueError(`A nova.network.model.VIF object is required in field ${attr}`);
    case 'Unknown':
      return value;
  }
}

/** The element `Field` of a List/Dict/Set (ListOfObjects is `List(Object(name))`). */
export function elementOf(type: FieldTypeDesc): ElementDef {
  if (type.kind === 'ListOfObjects') {
    return { type: { kind: 'Object', objName: type.objName, subclasses: type.subclasses }, nullable: false };
  }
  if (type.kind === 'List' || type.kind === 'Dict' || type.kind === 'Set') return type.element;
  throw new ObjectModelError(`${type.kind} has no element type`);
}

function coerceElement(element: ElementDef, value: PyValue, ctx: FieldContext): PyValue {
  return coerceField(element, value, ctx);
}

/**
 * `Field.coerce(obj, attr, value)`: None is returned as is for a nullable field, replaced by the
 * coerced default when there is one, and a ValueError otherwise.
 */
export function coerceField(field: FieldDef | ElementDef, value: PyValue, ctx: FieldContext): PyValue {
  if (value === null) {
    if (field.nullable) return null;
    if (field.default !== undefined)
      return coerceValue(field.type, defaultValue(field.default, ctx.attr), ctx);
    throw new PyValueError(`Field \`${ctx.attr}' cannot be None`);
  }
  return coerceValue(field.type, value, ctx);
}

/** Turn an already-JSON-like Python value into JSON (for identity `to_primitive`). */
function asJson(value: PyValue): JsonValue {
  if (
    value === null ||
    typeof value === 'boolean' ||
    typeof value === 'number' ||
    typeof value === 'string'
  ) {
    return value;
  }
  if (value instanceof PyFloat) return value.value;
  if (Array.isArray(value)) return value.map(asJson);
  if (value instanceof PyTuple || value instanceof PySet) return value.items.map(asJson);
  if (value instanceof PyDateTime) return pyStr(value);
  if (value instanceof PyIPAddress || value instanceof PyIPNetwork) return value.toString();
  if (value instanceof PyVIF) return cloneJson(value.data);
  if (value instanceof PyNetworkInfo) return value.vifs.map((v) => cloneJson(v.data));
  if (isPyObjectValue(value)) return value.objToPrimitive();
  if (isPlainDict(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) setKey(out as PyDictValue, k, asJson(v));
    return out;
  }
  throw new ObjectModelError(`value of type ${pyTypeName(value)} has no JSON form`);
}

/** `FieldType.to_primitive(obj, attr, value)` for a non-None value. */
export function toPrimitiveValue(type: FieldTypeDesc, value: PyValue, ctx: FieldContext): JsonValue {
  switch (type.kind) {
    case 'DateTime':
      if (!(value instanceof PyDateTime))
        throw new PyAttributeError(`'${pyTypeName(value)}' has no strftime`);
      return isotime(value);
    case 'IPAddress':
    case 'IPV4Address':
    case 'IPV6Address':
    case 'IPV4AndV6Address':
    case 'IPNetwork':
    case 'IPV4Network':
    case 'IPV6Network':
      return pyStr(value);
    case 'List':
    case 'ListOfObjects': {
      const element = elementOf(type);
      return pyIterate(value).map((x) => fieldToPrimitive(element, x, ctx));
    }
    case 'Dict': {
      const entries = dictEntries(value);
      if (!entries) throw new PyAttributeError(`'${pyTypeName(value)}' object has no attribute 'items'`);
      const out: JsonObject = {};
      for (const [k, v] of entries) {
        setKey(
          out as PyDictValue,
          String(k),
          fieldToPrimitive(type.element, v, withAttr(ctx, `${ctx.attr}["${pyStr(k)}"]`)),
        );
      }
      return out;
    }
    case 'Set':
      return pyIterate(value).map((x) => fieldToPrimitive(type.element, x, ctx));
    case 'Object':
      if (!isPyObjectValue(value)) {
        throw new PyAttributeError(`'${pyTypeName(value)}' object has no attribute 'obj_to_primitive'`);
      }
      return value.objToPrimitive();
    case 'NetworkModel': {
      const info = value instanceof PyNetworkInfo ? value : hydrateNetworkInfo(value);
      return pythonJsonDumps(info.vifs.map((v) => v.data));
    }
    case 'NetworkVIFModel': {
      const vif = value instanceof PyVIF ? value : hydrateVIF(value);
      return pythonJsonDumps(vif.data);
    }
    default:
      return asJson(value);
  }
}

/** `Field.to_primitive`: None stays None. */
export function fieldToPrimitive(field: FieldDef | ElementDef, value: PyValue, ctx: FieldContext): JsonValue {
  if (value === null) return null;
  return toPrimitiveValue(field.type, value, ctx);
}

/** `FieldType.from_primitive(obj, attr, value)` for a non-None wire value. */
export function fromPrimitiveValue(type: FieldTypeDesc, wire: PyValue, ctx: FieldContext): PyValue {
  switch (type.kind) {
    case 'DateTime':
      return coerceValue(type, parseIsotime(wire), ctx);
    case 'IPAddress':
    case 'IPV4Address':
    case 'IPV6Address':
    case 'IPV4AndV6Address':
    case 'IPNetwork':
    case 'IPV4Network':
    case 'IPV6Network':
      return coerceValue(type, wire, ctx);
    case 'List':
    case 'ListOfObjects': {
      const element = elementOf(type);
      return pyIterate(wire).map((x) => fieldFromPrimitive(element, x, ctx));
    }
    case 'Dict': {
      const entries = dictEntries(wire);
      if (!entries) throw new PyAttributeError(`'${pyTypeName(wire)}' object has no attribute 'items'`);
      const out: PyDictValue = {};
      for (const [k, v] of entries) {
        setKey(
          out,
          String(k),
          fieldFromPrimitive(type.element, v, withAttr(ctx, `${ctx.attr}["${pyStr(k)}"]`)),
        );
      }
      return out;
    }
    case 'Set': {
      const items: PyValue[] = [];
      for (const x of pyIterate(wire)) {
        const v = fieldFromPrimitive(type.element, x, ctx);
        if (!isHashable(v)) throw new PyTypeError(`unhashable type: '${pyTypeName(v)}'`);
        if (!items.some((y) => pyEquals(y, v))) items.push(v);
      }
      return new PySet(items);
    }
    case 'Object':
      if (isPyObjectValue(wire)) return wire;
      if (!ctx.hydrate) throw new ObjectModelError(`no hydration hook for object field ${ctx.attr}`);
      return ctx.hydrate(wire);
    case 'NetworkModel':
      return hydrateNetworkInfo(wire);
    case 'NetworkVIFModel':
      return loadVIF(wire);
    default:
      return wire;
  }
}

/** `Field.from_primitive`: None stays None (nullability is enforced by the setattr that follows). */
export function fieldFromPrimitive(field: FieldDef | ElementDef, wire: PyValue, ctx: FieldContext): PyValue {
  if (wire === null) return null;
  return fromPrimitiveValue(field.type, wire, ctx);
}

/**
 * What the receiver does with one wire value of a field: `setattr(name, field.from_primitive(v))`,
 * that is from_primitive followed by Field.coerce.
 */
export function hydrateFieldValue(field: FieldDef, wire: PyValue, ctx: FieldContext): PyValue {
  return coerceField(field, fieldFromPrimitive(field, wire, ctx), ctx);
}

/** `Field.describe()` style name: 'String', 'NullableObject<Foo>', 'List(Integer)'. */
export function describeType(type: FieldTypeDesc): string {
  switch (type.kind) {
    case 'Object':
      return `Object<${type.objName}>`;
    case 'ListOfObjects':
      return `List<Object<${type.objName}>>`;
    case 'List':
    case 'Dict':
    case 'Set':
      return `${type.kind}(${type.element.nullable ? 'Nullable' : ''}${describeType(type.element.type)})`;
    case 'Enum':
      return type.name ?? 'Enum';
    case 'StringPattern':
      return type.name;
    case 'Unknown':
      return `Unknown(${type.pythonName})`;
    default:
      return type.kind;
  }
}
