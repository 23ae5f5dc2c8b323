/**
 * oslo.versionedobjects-compatible object fingerprints (`ObjectVersionChecker._get_fingerprint`):
 * `'<VERSION>-' + md5(repr((sorted fields, sorted remotable (name, ArgSpec)[, OrderedDict(sorted
 * child_versions)])))`, printed as Nova's `object_data` lines (`'Name': 'version-md5'`) so a
 * project can compare with its own hash table.
 *
 * The repr is CPython's: `Field.__repr__` is `'<TypeClass>(default=<str(default)>,nullable=<b>)'`
 * (the child object name, list element types and tzinfo_aware are not in it), enum fields print
 * `'<EnumType>(default=..,nullable=..,valid_values=<str(values)>)'`, method specs print as
 * `ArgSpec(args=[...], varargs=None, keywords=None, defaults=(...))`, and lists (every
 * ObjectListBase subclass has `child_versions`) add `OrderedDict(...)`. Python 3.11 reprs.
 */
import { createHash } from 'node:crypto';
import { childVersionsDict } from '../../objects/make-compatible.js';
import type {
  DefaultDef,
  FieldDef,
  FieldTypeDesc,
  JsonValue,
  ObjectVersionDef,
  RemotableMethodDef,
} from '../../objects/model.js';
import { pyFloatRepr, pyStrRepr } from '../../objects/python-builtins.js';

const UNSPECIFIED = "<class 'oslo_versionedobjects.fields.UnspecifiedDefault'>";

export interface Fingerprint {
  name: string;
  version: string;
  fingerprint: string;
  /** False when some part could not be reproduced exactly (an unevaluated default, an unknown type). */
  exact: boolean;
  /** What made it inexact. */
  inexact: string[];
  /** The repr that was hashed (for debugging against Python's). */
  repr: string;
}

/** `self._type.__class__.__name__`. */
export function typeClassName(t: FieldTypeDesc): string | undefined {
  switch (t.kind) {
    case 'Enum':
      return t.name ?? 'Enum';
    case 'StringPattern':
      return t.name;
    case 'ListOfObjects':
      return 'List';
    case 'Unknown':
      return undefined;
    default:
      return t.kind;
  }
}

function jsonRepr(v: JsonValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
  if (typeof v === 'string') return pyStrRepr(v);
  if (Array.isArray(v)) return `[${v.map(jsonRepr).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${pyStrRepr(k)}: ${jsonRepr(x)}`)
    .join(', ')}}`;
}

/** `str(value)`. */
function jsonStr(v: JsonValue): string {
  return typeof v === 'string' ? v : jsonRepr(v);
}

function defaultStr(d: DefaultDef | undefined, inexact: string[], what: string): string {
  if (d === undefined) return UNSPECIFIED;
  switch (d.kind) {
    case 'value':
      return jsonStr(d.value);
    case 'set':
      return `set([${d.items.map(jsonStr).sort().join(',')}])`;
    case 'tuple':
      return d.items.length === 1
        ? `(${jsonRepr(d.items[0] as JsonValue)},)`
        : `(${d.items.map(jsonRepr).join(', ')})`;
    case 'unrecognised':
      inexact.push(`${what}: default ${d.text}`);
      return d.text;
  }
}

function enumValues(t: FieldTypeDesc): string[] | null | undefined {
  if (t.kind === 'Enum') return t.validValues;
  if (t.kind === 'List' && t.element.type.kind === 'Enum') return t.element.type.validValues;
  return undefined;
}

/** `repr(field)`. Named enums hold tuples (`ALL = (...)`), anonymous EnumField values lists. */
export function fieldRepr(f: FieldDef, inexact: string[], what: string): string {
  const cls = typeClassName(f.type);
  if (!cls) inexact.push(`${what}: unresolved field type`);
  const name = cls ?? (f.type.kind === 'Unknown' ? f.type.pythonName : '?');
  const floatDefault =
    (f.type.kind === 'Float' || f.type.kind === 'NonNegativeFloat') &&
    f.default?.kind === 'value' &&
    typeof f.default.value === 'number';
  // `default=1.0` is a float in Python; JSON keeps only the number.
  const dflt = floatDefault
    ? pyFloatRepr((f.default as { value: number }).value)
    : defaultStr(f.default, inexact, what);
  const nullable = f.nullable ? 'True' : 'False';
  const values = enumValues(f.type);
  if (values !== undefined) {
    let vs: string;
    if (values === null) {
      inexact.push(`${what}: enum values unknown`);
      vs = '()';
    } else {
      const named =
        f.type.kind === 'Enum'
          ? f.type.name !== null
          : f.type.kind === 'List' &&
            f.type.element.type.kind === 'Enum' &&
            f.type.element.type.name !== null;
      const items = values.map(pyStrRepr);
      vs = named
        ? items.length === 1
          ? `(${items[0]},)`
          : `(${items.join(', ')})`
        : `[${items.join(', ')}]`;
    }
    return `${name}(default=${dflt},nullable=${nullable},valid_values=${vs})`;
  }
  return `${name}(default=${dflt},nullable=${nullable})`;
}

/** A Python literal's repr from its source text, when it is a simple literal. */
export function literalRepr(text: string): string | undefined {
  const t = text.trim();
  if (t === 'None' || t === 'True' || t === 'False') return t;
  if (/^-?\d+$/.test(t)) return String(Number.parseInt(t, 10));
  if (/^-?\d+\.\d*$/.test(t)) return pyFloatRepr(Number.parseFloat(t));
  const s = /^[rRuU]?(['"])((?:\\.|(?!\1).)*)\1$/.exec(t);
  if (s) {
    const body = (s[2] as string).replace(/\\(['"\\])/g, '$1');
    return pyStrRepr(body);
  }
  if (t === '[]' || t === '{}' || t === '()') return t;
  return undefined;
}

function methodRepr(m: RemotableMethodDef, inexact: string[]): string {
  const args = `[${m.args.map(pyStrRepr).join(', ')}]`;
  let defaults = 'None';
  if (m.defaults.length > 0) {
    const items = m.defaults.map((d) => {
      const r = literalRepr(d);
      if (r === undefined) inexact.push(`${m.name}: default ${d}`);
      return r ?? d;
    });
    defaults = items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  const va = m.varargs === null ? 'None' : pyStrRepr(m.varargs);
  const kw = m.varkw === null ? 'None' : pyStrRepr(m.varkw);
  return `(${pyStrRepr(m.name)}, ArgSpec(args=${args}, varargs=${va}, keywords=${kw}, defaults=${defaults}))`;
}

function byPyOrder(a: string, b: string): number {
  // Python compares str by code point; JS < on UTF-16 units agrees for the BMP.
  return a < b ? -1 : a > b ? 1 : 0;
}

export function fingerprintOf(def: ObjectVersionDef): Fingerprint {
  const inexact: string[] = [];
  const fields = Object.keys(def.fields)
    .sort(byPyOrder)
    .map((k) => `(${pyStrRepr(k)}, ${fieldRepr(def.fields[k] as FieldDef, inexact, k)})`);
  const methods = [...def.remotableMethods]
    .sort((a, b) => byPyOrder(a.name, b.name))
    .map((m) => methodRepr(m, inexact));
  const parts = [`[${fields.join(', ')}]`, `[${methods.join(', ')}]`];
  if (def.isList) {
    const cv = childVersionsDict(def.childVersions).sort((a, b) => byPyOrder(a[0], b[0]));
    parts.push(
      cv.length === 0
        ? 'OrderedDict()'
        : `OrderedDict([${cv.map(([k, v]) => `(${pyStrRepr(k)}, ${pyStrRepr(v)})`).join(', ')}])`,
    );
  }
  const repr = `(${parts.join(', ')})`;
  const md5 = createHash('md5').update(repr).digest('hex');
  return {
    name: def.name,
    version: def.version,
    fingerprint: `${def.version}-${md5}`,
    exact: inexact.length === 0,
    inexact,
    repr,
  };
}

/** Nova's `object_data` lines: `    'Name': 'version-md5',`. */
export function formatObjectData(prints: Fingerprint[]): string {
  return prints
    .slice()
    .sort((a, b) => byPyOrder(a.name, b.name))
    .map(
      (p) =>
        `    ${pyStrRepr(p.name)}: ${pyStrRepr(p.fingerprint)},${p.exact ? '' : `  # approximate: ${p.inexact.join('; ')}`}`,
    )
    .join('\n');
}

/** Parses `'Name': 'X.Y-md5'` pairs out of a hash table (Nova's test_objects.py or a text file). */
export function parseObjectData(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/['"]([A-Za-z0-9_]+)['"]\s*:\s*['"](\d+\.\d+(?:\.\d+)?-[0-9a-f]{32})['"]/g)) {
    out.set(m[1] as string, m[2] as string);
  }
  return out;
}
