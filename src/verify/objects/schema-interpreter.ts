/**
 * A direct interpreter of the per-version object schemas (src/objects/json-schema.ts): the same
 * JSON Schema objects ajv compiles, turned into closures that answer "valid or not" without ajv's
 * code generation (compiling ~290 schemas took most of the validation time of a full Nova run).
 *
 * Only the keywords the schema builder emits are interpreted, each with ajv's semantics (types as
 * ajv tests them, `undefined` properties as absent, deep equality for `enum`/`const`, the
 * `x-ovo-accepts` keyword through the receiver's own coercion). A schema holding anything else is
 * not interpreted (`interpretSchema` returns undefined) and the caller keeps using ajv. The
 * interpreter gives verdicts only: an invalid node is re-validated by ajv for its error messages,
 * so findings are word for word those of the ajv path.
 */
import { ACCEPTS_KEYWORD, receiverAccepts } from '../../objects/json-schema.js';
import type { FieldTypeDesc } from '../../objects/model.js';
import type { PyValue } from '../../objects/python-values.js';

export type Verdict = (data: unknown) => boolean;

const KNOWN = new Set([
  '$id',
  '$schema',
  'title',
  'description',
  'type',
  'enum',
  'const',
  'properties',
  'additionalProperties',
  'required',
  'items',
  'anyOf',
  'minimum',
  'uniqueItems',
  'pattern',
  ACCEPTS_KEYWORD,
]);

class Unsupported extends Error {}

type JsonTypeName = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'null';

/** ajv's type tests (number and integer must be finite). */
function typeTest(t: JsonTypeName): Verdict {
  switch (t) {
    case 'string':
      return (d) => typeof d === 'string';
    case 'boolean':
      return (d) => typeof d === 'boolean';
    case 'null':
      return (d) => d === null;
    case 'array':
      return (d) => Array.isArray(d);
    case 'object':
      return (d) => typeof d === 'object' && d !== null && !Array.isArray(d);
    case 'number':
      return (d) => typeof d === 'number' && Number.isFinite(d);
    case 'integer':
      return (d) => typeof d === 'number' && Number.isFinite(d) && d % 1 === 0;
    default:
      throw new Unsupported(`type ${String(t)}`);
  }
}

/** fast-deep-equal, as ajv's `enum`, `const` and `uniqueItems` use it on JSON data. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (Array.isArray(a)) {
      const bb = b as unknown[];
      if (a.length !== bb.length) return false;
      for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false;
      return true;
    }
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) {
      if (!Object.hasOwn(b, k)) return false;
      if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
    }
    return true;
  }
  // NaN equals NaN for fast-deep-equal.
  return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
}

function isPlainObject(d: unknown): d is Record<string, unknown> {
  return typeof d === 'object' && d !== null && !Array.isArray(d);
}

function compile(schema: unknown): Verdict {
  if (schema === true) return () => true;
  if (schema === false) return () => false;
  if (!isPlainObject(schema)) throw new Unsupported('schema is not an object');
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) throw new Unsupported(`keyword ${k}`);
  const checks: Verdict[] = [];
  if (schema.type !== undefined) {
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as JsonTypeName[];
    const tests = types.map(typeTest);
    checks.push(tests.length === 1 ? (tests[0] as Verdict) : (d) => tests.some((t) => t(d)));
  }
  if (schema.const !== undefined) {
    const c = schema.const;
    checks.push(typeof c === 'object' && c !== null ? (d) => deepEqual(d, c) : (d) => d === c);
  }
  if (schema.enum !== undefined) {
    if (!Array.isArray(schema.enum)) throw new Unsupported('enum');
    const values = schema.enum as unknown[];
    if (values.every((v) => typeof v !== 'object' || v === null)) {
      const set = new Set(values);
      // Set membership is SameValueZero: NaN finds NaN, as fast-deep-equal does.
      checks.push((d) => set.has(d));
    } else checks.push((d) => values.some((v) => deepEqual(d, v)));
  }
  if (schema.minimum !== undefined) {
    const min = schema.minimum as number;
    checks.push((d) => typeof d !== 'number' || d >= min);
  }
  if (schema.pattern !== undefined) {
    const re = new RegExp(schema.pattern as string, 'u');
    checks.push((d) => typeof d !== 'string' || re.test(d));
  }
  const props = schema.properties as Record<string, unknown> | undefined;
  const required = (schema.required ?? []) as string[];
  const additional = schema.additionalProperties;
  if (props !== undefined || required.length > 0 || additional !== undefined) {
    const propChecks: [string, Verdict][] = Object.entries(props ?? {}).map(([k, s]) => [k, compile(s)]);
    const known = new Set(Object.keys(props ?? {}));
    const extra = additional === undefined ? undefined : compile(additional);
    checks.push((d) => {
      if (!isPlainObject(d)) return true;
      for (const r of required) if (d[r] === undefined) return false;
      for (const [k, v] of propChecks) {
        const value = d[k];
        if (value !== undefined && !v(value)) return false;
      }
      if (extra) {
        for (const k in d) if (!known.has(k) && !extra(d[k])) return false;
      }
      return true;
    });
  }
  if (schema.items !== undefined) {
    if (Array.isArray(schema.items)) throw new Unsupported('tuple items');
    const item = compile(schema.items);
    checks.push((d) => {
      if (!Array.isArray(d)) return true;
      for (const x of d) if (!item(x)) return false;
      return true;
    });
  }
  if (schema.uniqueItems === true) {
    checks.push((d) => {
      if (!Array.isArray(d)) return true;
      for (let i = 0; i < d.length; i++) for (let j = 0; j < i; j++) if (deepEqual(d[i], d[j])) return false;
      return true;
    });
  }
  if (schema.anyOf !== undefined) {
    if (!Array.isArray(schema.anyOf)) throw new Unsupported('anyOf');
    const branches = schema.anyOf.map(compile);
    checks.push((d) => branches.some((b) => b(d)));
  }
  if (schema[ACCEPTS_KEYWORD] !== undefined) {
    const type = schema[ACCEPTS_KEYWORD] as FieldTypeDesc;
    // The receiver's coercion is a pure function of the type and the value: remember the verdicts
    // on scalars (generated graphs repeat their values across variants and targets).
    const seen = new Map<unknown, boolean>();
    checks.push((d) => {
      if (d === null || typeof d === 'object') return receiverAccepts(type, d as PyValue).ok;
      let ok = seen.get(d);
      if (ok === undefined) {
        ok = receiverAccepts(type, d as PyValue).ok;
        if (seen.size < 10_000) seen.set(d, ok);
      }
      return ok;
    });
  }
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0] as Verdict;
  return (d) => {
    for (const c of checks) if (!c(d)) return false;
    return true;
  };
}

/** A verdict function for `schema`, or undefined when it uses a keyword not interpreted here. */
export function interpretSchema(schema: unknown): Verdict | undefined {
  try {
    return compile(schema);
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}
