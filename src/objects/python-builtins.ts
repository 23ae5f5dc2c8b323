/**
 * The Python builtins the field coercions rely on, over the value model of python-values.ts:
 * `int()`, `float()`, `bool()`, `str()`, `repr()`, `==`, iteration and hashability, plus
 * `json.dumps` with Python's default separators.
 */
import { PyOverflowError, PyTypeError, PyValueError } from './errors.js';
import type { JsonValue } from './model.js';
import {
  isPlainDict,
  isPyObjectValue,
  PyDateTime,
  PyDict,
  PyFloat,
  PyIPAddress,
  PyIPNetwork,
  PyNetworkInfo,
  PySet,
  PyTuple,
  type PyValue,
  PyVIF,
  pyTypeName,
} from './python-values.js';

/** Python's `str.strip()` whitespace (ASCII and the Unicode spaces JS `trim` also removes). */
function pyStrip(s: string): string {
  return s.trim();
}

const INT_LITERAL = /^[+-]?\d+(?:_\d+)*$/;
const FLOAT_LITERAL =
  /^[+-]?(?:(?:\d+(?:_\d+)*)?\.\d+(?:_\d+)*|\d+(?:_\d+)*\.?)(?:[eE][+-]?\d+(?:_\d+)*)?$|^[+-]?(?:inf|infinity|nan)$/i;

/** `int(value)`. */
export function pyInt(v: PyValue): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || v instanceof PyFloat) {
    const n = typeof v === 'number' ? v : v.value;
    if (Number.isNaN(n)) throw new PyValueError('cannot convert float NaN to integer');
    if (!Number.isFinite(n)) throw new PyOverflowError('cannot convert float infinity to integer');
    return Math.trunc(n) + 0;
  }
  if (typeof v === 'string') {
    const text = pyStrip(v);
    if (!INT_LITERAL.test(text))
      throw new PyValueError(`invalid literal for int() with base 10: ${pyRepr(v)}`);
    return Number.parseInt(text.replaceAll('_', ''), 10) + 0;
  }
  throw new PyTypeError(
    `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(v)}'`,
  );
}

/** True when `int(value)` succeeds. */
export function acceptsPyInt(v: PyValue): boolean {
  try {
    pyInt(v);
    return true;
  } catch {
    return false;
  }
}

/** `float(value)`, as a JS number. */
export function pyFloatOf(v: PyValue): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'string') {
    const text = pyStrip(v);
    if (!FLOAT_LITERAL.test(text)) throw new PyValueError(`could not convert string to float: ${pyRepr(v)}`);
    const lower = text.toLowerCase().replaceAll('_', '');
    const sign = lower.startsWith('-') ? -1 : 1;
    const body = lower.replace(/^[+-]/, '');
    if (body === 'inf' || body === 'infinity') return sign * Number.POSITIVE_INFINITY;
    if (body === 'nan') return Number.NaN;
    return sign * Number.parseFloat(body);
  }
  throw new PyTypeError(`float() argument must be a string or a real number, not '${pyTypeName(v)}'`);
}

/** `bool(value)`: Python truthiness. */
export function pyTruthy(v: PyValue): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0; // NaN is truthy in Python.
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof PyFloat) return v.value !== 0;
  if (v instanceof PyTuple || v instanceof PySet) return v.items.length > 0;
  if (v instanceof PyDict) return v.entries.length > 0;
  if (v instanceof PyIPAddress) return v.value !== 0n;
  if (v instanceof PyNetworkInfo) return v.vifs.length > 0;
  if (v instanceof PyVIF) return Object.keys(v.data).length > 0;
  if (v instanceof PyDateTime || v instanceof PyIPNetwork) return true;
  if (isPyObjectValue(v)) return v.objTruthy();
  if (isPlainDict(v)) return Object.keys(v).length > 0;
  return true;
}

/** `repr(float)`: shortest round-trip digits, exponent form outside 1e-4 <= |x| < 1e16. */
export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Number.POSITIVE_INFINITY) return 'inf';
  if (n === Number.NEGATIVE_INFINITY) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mant = '', expText = '0'] = n.toExponential().split('e');
  const exp = Number.parseInt(expText, 10);
  const negative = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp >= -4 && exp < 16) {
    let text: string;
    if (exp >= 0) {
      const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      const frac = digits.slice(exp + 1);
      text = `${intPart}.${frac === '' ? '0' : frac}`;
    } else {
      text = `0.${'0'.repeat(-exp - 1)}${digits}`;
    }
    return sign + text;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = Math.abs(exp).toString().padStart(2, '0');
  return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
}

function pad(n: number, width: number): string {
  return n.toString().padStart(width, '0');
}

/** `utcoffset` formatted as isoformat does: '+HH:MM'. */
export function formatUtcOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

/** `str(datetime)`: `isoformat(' ')`. */
export function pyDateTimeStr(d: PyDateTime): string {
  let s = `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)} ${pad(d.hour, 2)}:${pad(d.minute, 2)}:${pad(d.second, 2)}`;
  if (d.microsecond) s += `.${pad(d.microsecond, 6)}`;
  if (d.tz) s += formatUtcOffset(d.tz.offsetMinutes);
  return s;
}

/** `repr(str)` with CPython's quote choice and escapes. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** `repr(value)` (approximate for tagged values; exact for str, numbers, None, bool, containers). */
export function pyRepr(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (typeof v === 'string') return pyStrRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v instanceof PyTuple)
    return v.items.length === 1
      ? `(${pyRepr(v.items[0] as PyValue)},)`
      : `(${v.items.map(pyRepr).join(', ')})`;
  if (v instanceof PySet) return v.items.length === 0 ? 'set()' : `{${v.items.map(pyRepr).join(', ')}}`;
  if (v instanceof PyDict) return `{${v.entries.map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  if (v instanceof PyDateTime) {
    const parts = [v.year, v.month, v.day, v.hour, v.minute];
    if (v.second || v.microsecond) parts.push(v.second);
    if (v.microsecond) parts.push(v.microsecond);
    const tz = v.tz ? `, tzinfo=${v.tz.name === 'UTC' ? 'datetime.timezone.utc' : v.tz.name}` : '';
    return `datetime.datetime(${parts.join(', ')}${tz})`;
  }
  if (v instanceof PyIPAddress) return `IPAddress('${v.text}')`;
  if (v instanceof PyIPNetwork) return `IPNetwork('${v.toString()}')`;
  if (v instanceof PyNetworkInfo) return `[${v.vifs.map((x) => pyRepr(new PyVIF(x.data))).join(', ')}]`;
  if (v instanceof PyVIF) return `VIF(${pyRepr(v.data)})`;
  if (isPyObjectValue(v)) return `${v.objName()}(...)`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`)
    .join(', ')}}`;
}

/** `str(value)`. */
export function pyStr(v: PyValue): string {
  if (typeof v === 'string') return v;
  if (v instanceof PyDateTime) return pyDateTimeStr(v);
  if (v instanceof PyIPAddress || v instanceof PyIPNetwork) return v.toString();
  return pyRepr(v);
}

/** Python `==` (numeric tower, containers, aware/naive datetimes, identity for objects). */
export function pyEquals(a: PyValue, b: PyValue): boolean {
  if (a === b) return true;
  const na = numericOf(a);
  const nb = numericOf(b);
  if (na !== undefined || nb !== undefined) return na !== undefined && nb !== undefined && na === nb;
  if (a === null || b === null) return false;
  if (typeof a === 'string' || typeof b === 'string') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => pyEquals(x, b[i] as PyValue))
    );
  }
  if (a instanceof PyTuple || b instanceof PyTuple) {
    return (
      a instanceof PyTuple &&
      b instanceof PyTuple &&
      a.items.length === b.items.length &&
      a.items.every((x, i) => pyEquals(x, b.items[i] as PyValue))
    );
  }
  if (a instanceof PySet || b instanceof PySet) {
    return (
      a instanceof PySet &&
      b instanceof PySet &&
      a.items.length === b.items.length &&
      a.items.every((x) => b.items.some((y) => pyEquals(x, y)))
    );
  }
  if (a instanceof PyDateTime || b instanceof PyDateTime) {
    if (!(a instanceof PyDateTime && b instanceof PyDateTime)) return false;
    if ((a.tz === null) !== (b.tz === null)) return false;
    return a.tz === null ? a.wallMicros() === b.wallMicros() : a.utcMicros() === b.utcMicros();
  }
  if (a instanceof PyIPAddress || b instanceof PyIPAddress) {
    return (
      a instanceof PyIPAddress && b instanceof PyIPAddress && a.version === b.version && a.value === b.value
    );
  }
  if (a instanceof PyIPNetwork || b instanceof PyIPNetwork) {
    return (
      a instanceof PyIPNetwork &&
      b instanceof PyIPNetwork &&
      a.prefixlen === b.prefixlen &&
      pyEquals(a.ip, b.ip)
    );
  }
  if (isPyObjectValue(a) || isPyObjectValue(b)) return false;
  if (a instanceof PyNetworkInfo || b instanceof PyNetworkInfo) {
    const la = a instanceof PyNetworkInfo ? a.vifs : Array.isArray(a) ? a : undefined;
    const lb = b instanceof PyNetworkInfo ? b.vifs : Array.isArray(b) ? b : undefined;
    return (
      la !== undefined &&
      lb !== undefined &&
      la.length === lb.length &&
      la.every((x, i) => pyEquals(x, lb[i] as PyValue))
    );
  }
  const ea = dictEntries(a);
  const eb = dictEntries(b);
  if (ea && eb) {
    return (
      ea.length === eb.length && ea.every(([k, x]) => eb.some(([k2, y]) => pyEquals(k, k2) && pyEquals(x, y)))
    );
  }
  return false;
}

function numericOf(v: PyValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) return v.value;
  return undefined;
}

/** Entries of anything that is a Python dict (plain object, PyDict, VIF). */
export function dictEntries(v: PyValue): [PyValue, PyValue][] | undefined {
  if (v instanceof PyDict) return v.entries;
  if (v instanceof PyVIF) return Object.entries(v.data);
  if (isPlainDict(v)) return Object.entries(v);
  return undefined;
}

/** `x in container` for a list of candidates. */
export function pyIn(value: PyValue, candidates: readonly PyValue[]): boolean {
  return candidates.some((c) => pyEquals(value, c));
}

/** True for values Python can put in a set or use as a dict key. */
export function isHashable(v: PyValue): boolean {
  if (Array.isArray(v) || v instanceof PySet || v instanceof PyDict || v instanceof PyVIF) return false;
  if (v instanceof PyNetworkInfo) return false;
  if (v instanceof PyTuple) return v.items.every(isHashable);
  if (isPlainDict(v)) return false;
  return true;
}

/**
 * `iter(value)` as a list of items: lists, tuples, sets, str (code points), dicts (keys),
 * NetworkInfo (VIFs). Anything else raises TypeError, as Python does.
 */
export function pyIterate(v: PyValue): PyValue[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return Array.from(v);
  if (v instanceof PyTuple || v instanceof PySet) return v.items;
  if (v instanceof PyDict) return v.entries.map(([k]) => k);
  if (v instanceof PyNetworkInfo) return v.vifs;
  if (v instanceof PyVIF) return Object.keys(v.data);
  if (isPlainDict(v)) return Object.keys(v);
  throw new PyTypeError(`'${pyTypeName(v)}' object is not iterable`);
}

/** True for values `collections.abc.Iterable` accepts (see pyIterate). */
export function isPyIterable(v: PyValue): boolean {
  return (
    Array.isArray(v) ||
    typeof v === 'string' ||
    v instanceof PyTuple ||
    v instanceof PySet ||
    v instanceof PyDict ||
    v instanceof PyNetworkInfo ||
    v instanceof PyVIF ||
    isPlainDict(v)
  );
}

/** True for `collections.abc.Mapping` instances. */
export function isPyMapping(v: PyValue): boolean {
  return v instanceof PyDict || v instanceof PyVIF || isPlainDict(v);
}

function jsonStringLiteral(s: string): string {
  // ensure_ascii=True: every non-ASCII code unit becomes \uXXXX (surrogate pairs stay as pairs).
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i] as string;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** `json.dumps(value)` with Python's defaults: ', ' and ': ' separators, ensure_ascii. */
export function pythonJsonDumps(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
  }
  if (typeof v === 'string') return jsonStringLiteral(v);
  if (Array.isArray(v)) return `[${v.map(pythonJsonDumps).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${jsonStringLiteral(k)}: ${pythonJsonDumps(x)}`)
    .join(', ')}}`;
}
