/**
 * The small Python value model the runtime works on.
 *
 * Plain JavaScript stands for the JSON-like Python values: `null` is None, booleans are bool,
 * strings are str, arrays are list and plain objects are dicts with str keys. A JS number is a
 * Python int when it is integral and a float otherwise; `PyFloat` marks a float explicitly (1.0
 * is a float, 1 is an int). Everything else is a tagged class: tuple, set, dict with non-str keys,
 * datetime, netaddr addresses and networks, Nova's network model, and versioned objects (through
 * the `PyObjectValue` interface, implemented by `VersionedObjectInstance`).
 */
import type { JsonObject, JsonValue } from './model.js';

export type PyValue =
  | null
  | boolean
  | number
  | string
  | PyValue[]
  | PyDictValue
  | PyFloat
  | PyTuple
  | PySet
  | PyDict
  | PyDateTime
  | PyIPAddress
  | PyIPNetwork
  | PyNetworkInfo
  | PyVIF
  | PyObjectValue;

/** A dict with str keys, written as a plain object. */
export interface PyDictValue {
  [key: string]: PyValue;
}

/** An explicit Python float (needed for integral floats: str(1.0) is '1.0'). */
export class PyFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

export class PyTuple {
  readonly items: PyValue[];
  constructor(items: PyValue[]) {
    this.items = items;
  }
}

/** A Python set; insertion order is kept (CPython's hash order is not modelled). */
export class PySet {
  readonly items: PyValue[];
  constructor(items: PyValue[]) {
    this.items = items;
  }
}

/** A dict whose keys need not be str (`{1: 'a'}`); str-keyed dicts are plain objects. */
export class PyDict {
  readonly entries: [PyValue, PyValue][];
  constructor(entries: [PyValue, PyValue][]) {
    this.entries = entries;
  }
}

/** A tzinfo: offset from UTC in minutes and the name `tzname()` returns. */
export interface PyTzInfo {
  offsetMinutes: number;
  name: string;
}

export const UTC: PyTzInfo = { offsetMinutes: 0, name: 'UTC' };

/** `datetime.datetime`; `tz` null is a naive datetime. */
export class PyDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly microsecond: number;
  readonly tz: PyTzInfo | null;
  constructor(
    parts: {
      year: number;
      month: number;
      day: number;
      hour?: number;
      minute?: number;
      second?: number;
      microsecond?: number;
    },
    tz: PyTzInfo | null = null,
  ) {
    this.year = parts.year;
    this.month = parts.month;
    this.day = parts.day;
    this.hour = parts.hour ?? 0;
    this.minute = parts.minute ?? 0;
    this.second = parts.second ?? 0;
    this.microsecond = parts.microsecond ?? 0;
    this.tz = tz;
  }

  /** From a JS Date, as an aware UTC datetime (or naive UTC wall time). */
  static fromDate(date: Date, aware = true): PyDateTime {
    return new PyDateTime(
      {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour: date.getUTCHours(),
        minute: date.getUTCMinutes(),
        second: date.getUTCSeconds(),
        microsecond: date.getUTCMilliseconds() * 1000,
      },
      aware ? UTC : null,
    );
  }

  /** `replace(tzinfo=...)`: same wall time, different (or no) zone. */
  withTz(tz: PyTzInfo | null): PyDateTime {
    return new PyDateTime(this, tz);
  }

  withMicrosecond(microsecond: number): PyDateTime {
    return new PyDateTime({ ...this, microsecond }, this.tz);
  }

  /** Microseconds since the epoch of the wall time, ignoring the zone. */
  wallMicros(): bigint {
    const ms = Date.UTC(this.year, this.month - 1, this.day, this.hour, this.minute, this.second);
    // Date.UTC maps years 0-99 to 1900-1999; correct for that.
    const fixed = this.year < 100 ? new Date(ms).setUTCFullYear(this.year) : ms;
    return BigInt(fixed) * 1000n + BigInt(this.microsecond);
  }

  /** Microseconds since the epoch in UTC; only meaningful for aware datetimes. */
  utcMicros(): bigint {
    return this.wallMicros() - BigInt((this.tz?.offsetMinutes ?? 0) * 60_000_000);
  }
}

/** `netaddr.IPAddress`. */
export class PyIPAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
  readonly text: string;
  constructor(version: 4 | 6, value: bigint, text: string) {
    this.version = version;
    this.value = value;
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

/** `netaddr.IPNetwork`: the address keeps its host bits, as netaddr does. */
export class PyIPNetwork {
  readonly ip: PyIPAddress;
  readonly prefixlen: number;
  constructor(ip: PyIPAddress, prefixlen: number) {
    this.ip = ip;
    this.prefixlen = prefixlen;
  }
  get version(): 4 | 6 {
    return this.ip.version;
  }
  toString(): string {
    return `${this.ip.text}/${this.prefixlen}`;
  }
}

/** `nova.network.model.VIF` (a dict subclass), kept as its JSON dict. */
export class PyVIF {
  readonly data: JsonObject;
  constructor(data: JsonObject) {
    this.data = data;
  }
}

/** `nova.network.model.NetworkInfo` (a list subclass of VIFs). */
export class PyNetworkInfo {
  readonly vifs: PyVIF[];
  constructor(vifs: PyVIF[]) {
    this.vifs = vifs;
  }
}

/** Brand that marks a versioned-object instance inside the value model. */
export const OBJECT_BRAND: unique symbol = Symbol.for('backlevel.versioned-object');

/** What the field types need from a versioned object (implemented by VersionedObjectInstance). */
export interface PyObjectValue {
  readonly [OBJECT_BRAND]: true;
  /** `obj_name()`. */
  objName(): string;
  /** `obj_name()` of every class in the mro that has one (for `Object(subclasses=True)`). */
  objMroNames(): string[];
  /** `obj_to_primitive()` with no target: the child at its own VERSION. */
  objToPrimitive(): JsonObject;
  /** Python truthiness (an ObjectListBase is falsy when empty). */
  objTruthy(): boolean;
  /** `__module__` of the class, when known, for error messages. */
  objModule(): string | undefined;
}

export function isPyObjectValue(v: unknown): v is PyObjectValue {
  return typeof v === 'object' && v !== null && (v as { [OBJECT_BRAND]?: unknown })[OBJECT_BRAND] === true;
}

/** A plain object standing for a str-keyed dict. */
export function isPlainDict(v: unknown): v is PyDictValue {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return isPlainDict(v);
}

/** Python integer: a JS number with an integral value (not wrapped in PyFloat). */
export function isPyInt(v: PyValue): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** Python float: a PyFloat or a non-integral JS number. */
export function isPyFloat(v: PyValue): v is number | PyFloat {
  return v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
}

/** Numeric value of an int, float or bool. */
export function numericValue(v: PyValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) return v.value;
  return undefined;
}

export function pyFloat(value: number): PyFloat {
  return new PyFloat(value);
}

export function pySet(items: PyValue[]): PySet {
  return new PySet(items);
}

export function pyTuple(items: PyValue[]): PyTuple {
  return new PyTuple(items);
}

/** `type(value).__name__`. */
export function pyTypeName(v: PyValue): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyFloat) return 'float';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PySet) return 'set';
  if (v instanceof PyDict) return 'dict';
  if (v instanceof PyDateTime) return 'datetime';
  if (v instanceof PyIPAddress) return 'IPAddress';
  if (v instanceof PyIPNetwork) return 'IPNetwork';
  if (v instanceof PyNetworkInfo) return 'NetworkInfo';
  if (v instanceof PyVIF) return 'VIF';
  if (isPyObjectValue(v)) return v.objName();
  return 'dict';
}

/** Deep copy of a JSON value (primitives are mutated in place by compat code). */
export function cloneJson<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}
