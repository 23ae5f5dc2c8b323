/**
 * Check 2, round-trip: a primitive at v (a populated object of version v) -> the object as an
 * older peer at v holds it -> its primitive -> an object on the sender's code -> backleveled to v
 * again must equal what the peer sent: every field v has keeps its value, nothing is lost, nothing
 * is added, nested children come back at the version they were sent at.
 */
import { IncompatibleObjectVersion, PythonError } from '../../objects/errors.js';
import { buildPopulatedObject } from '../../objects/graph-builder.js';
import type { FieldTypeDesc, JsonObject, JsonValue, ObjectVersionDef } from '../../objects/model.js';
import type { ObjectRegistry } from '../../objects/registry.js';
import { objFromPrimitive, objToPrimitive } from '../../objects/versioned-object.js';
import { backlevel, pythonErrorText } from './backlevel.js';
import type { Pair } from './pairs.js';
import { type FindingSet, objectFinding, pairLabel } from './types.js';

const NS = 'nova_object';

export interface Difference {
  path: string;
  field: string;
  kind: 'lost' | 'changed' | 'added' | 'child-version';
  before?: JsonValue;
  after?: JsonValue;
}

function isDict(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPrimitive(v: JsonValue | undefined): v is JsonObject {
  return isDict(v) && Object.hasOwn(v, `${NS}.data`) && Object.hasOwn(v, `${NS}.name`);
}

function canonical(v: JsonValue | undefined): string {
  return JSON.stringify(v, (_k, x) =>
    isDict(x) && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as JsonObject).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/**
 * A value with every Set inside it (as its field type says) in a canonical order: Python sets
 * iterate in hash order, so two equal sets may serialize in different orders at any depth.
 */
function normalizeSets(v: JsonValue, type: FieldTypeDesc | undefined): JsonValue {
  if (!type || v === null) return v;
  if (type.kind === 'Set' && Array.isArray(v)) {
    return v
      .map((x) => normalizeSets(x, type.element.type))
      .sort((x, y) => {
        const a = canonical(x);
        const b = canonical(y);
        return a < b ? -1 : a > b ? 1 : 0;
      });
  }
  if (type.kind === 'List' && Array.isArray(v)) return v.map((x) => normalizeSets(x, type.element.type));
  if (type.kind === 'Dict' && isDict(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '__proto__') continue;
      out[k] = normalizeSets(x as JsonValue, type.element.type);
    }
    return out;
  }
  return v;
}

/**
 * Differences between the data of two primitives of one object (recursing into children, whose
 * definitions come from `registry` when given, so sets are compared as sets at every depth).
 */
export function diffPrimitives(
  before: JsonObject,
  after: JsonObject,
  def: ObjectVersionDef | undefined,
  path: string[] = [],
  out: Difference[] = [],
  registry?: ObjectRegistry,
): Difference[] {
  const bData = (before[`${NS}.data`] ?? {}) as JsonObject;
  const aData = (after[`${NS}.data`] ?? {}) as JsonObject;
  for (const key of Object.keys(bData)) {
    const p = [...path, key];
    const field = (p[0] as string).replace(/\[\d+\]$/, '');
    const b = bData[key] as JsonValue;
    if (!Object.hasOwn(aData, key)) {
      out.push({ path: p.join('.'), field, kind: 'lost', before: b });
      continue;
    }
    const a = aData[key] as JsonValue;
    diffValues(b, a, p, field, def?.fields[key]?.type, out, registry);
  }
  for (const key of Object.keys(aData)) {
    if (Object.hasOwn(bData, key)) continue;
    const p = [...path, key];
    out.push({
      path: p.join('.'),
      field: (p[0] as string).replace(/\[\d+\]$/, ''),
      kind: 'added',
      after: aData[key] as JsonValue,
    });
  }
  return out;
}

function diffValues(
  b: JsonValue,
  a: JsonValue,
  p: string[],
  field: string,
  type: FieldTypeDesc | undefined,
  out: Difference[],
  registry: ObjectRegistry | undefined,
): void {
  if (isPrimitive(b) && isPrimitive(a)) {
    const bv = b[`${NS}.version`];
    const av = a[`${NS}.version`];
    if (bv !== av) {
      out.push({
        path: p.join('.'),
        field,
        kind: 'child-version',
        before: bv as JsonValue,
        after: av as JsonValue,
      });
      return;
    }
    const childDef =
      registry && typeof b[`${NS}.name`] === 'string' && typeof bv === 'string'
        ? registry.get(b[`${NS}.name`] as string, bv)
        : undefined;
    diffPrimitives(b, a, childDef, p, out, registry);
    return;
  }
  if (Array.isArray(b) && Array.isArray(a) && b.length === a.length && b.some(isPrimitive)) {
    b.forEach((x, i) => {
      const last = p.length - 1;
      const q = [...p.slice(0, last), `${p[last]}[${i}]`];
      diffValues(x, a[i] as JsonValue, q, field, undefined, out, registry);
    });
    return;
  }
  const same = canonical(normalizeSets(b, type)) === canonical(normalizeSets(a, type));
  if (!same) out.push({ path: p.join('.'), field, kind: 'changed', before: b, after: a });
}

export interface RoundTripContext {
  /** Every historical version (the older peer's registry). */
  historyRegistry: ObjectRegistry;
  seed: number;
  /**
   * The older peer's primitives (or why none could be built) by (object, version, receiving
   * release, variant): they do not depend on the sender, so every sender talking to the same
   * older version shares them. Never mutated by the check.
   */
  olderPrimitives?: Map<string, JsonObject | Error>;
}

/** The primitive an older peer at `version` sends, after holding it (build, serialize, load, serialize). */
function olderPrimitive(
  ctx: RoundTripContext,
  pair: Pair,
  receiverDef: ObjectVersionDef,
  nulls: boolean,
): JsonObject | Error {
  const { target } = pair;
  const name = pair.sender.def.name;
  const key = `${name}\0${target.version}\0${target.release?.label ?? ''}\0${nulls}`;
  const cached = ctx.olderPrimitives?.get(key);
  if (cached) return cached;
  let out: JsonObject | Error;
  try {
    const older = buildPopulatedObject(ctx.historyRegistry, name, target.version, {
      seed: ctx.seed,
      nulls,
      era: receiverDef.era,
      ...(target.manifest ? { manifest: target.manifest } : {}),
    });
    const p0 = objToPrimitive(older);
    const held = objFromPrimitive(p0, ctx.historyRegistry, { era: receiverDef.era });
    out = objToPrimitive(held);
  } catch (e) {
    out = e as Error;
  }
  ctx.olderPrimitives?.set(key, out);
  return out;
}

function short(v: JsonValue | undefined): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Runs the round trip of one pair for the 'full' and 'nulls' variants of version v. */
export function checkRoundTrip(
  pair: Pair,
  ctx: RoundTripContext,
  findings: FindingSet,
  notes: string[],
): number {
  const { sender, target } = pair;
  const name = sender.def.name;
  const receiverDef = ctx.historyRegistry.get(name, target.version);
  if (!receiverDef) return 0;
  let runs = 0;
  for (const nulls of [false, true]) {
    if (nulls && !Object.values(receiverDef.fields).some((f) => f.nullable)) continue;
    const variant = nulls ? 'nulls' : 'full';
    const p1 = olderPrimitive(ctx, pair, receiverDef, nulls);
    if (p1 instanceof Error) {
      notes.push(
        `round-trip ${pairLabel(name, target.version)}: cannot build the older primitive: ${p1.message}`,
      );
      continue;
    }
    runs++;
    let current: ReturnType<typeof objFromPrimitive>;
    try {
      current = objFromPrimitive(p1, sender.registry, { era: sender.era });
    } catch (e) {
      if (!(e instanceof PythonError)) {
        notes.push(
          `round-trip ${pairLabel(name, sender.def.version, target.version)}: ${(e as Error).message}`,
        );
        continue;
      }
      const majorGap =
        e instanceof IncompatibleObjectVersion &&
        /^Version \d+/.test(e.message) &&
        (() => {
          const m = /Version (\S+) of \S+ is not supported, supported version is (\S+)/.exec(e.message);
          return !!m && (m[1] as string).split('.')[0] !== (m[2] as string).split('.')[0];
        })();
      findings.add(
        objectFinding({
          check: 'round-trip',
          ...(majorGap ? { severity: 'warning' as const } : {}),
          object: name,
          version: sender.def.version,
          targetVersion: target.version,
          revision: sender.revision,
          message: `${name} ${sender.def.version} at ${sender.revision} cannot load a ${variant} primitive sent by a peer at ${target.version}: ${pythonErrorText(e)}`,
          file: sender.def.source?.file ?? '',
          data: { variant, kind: 'load-failed' },
        }),
        'load',
      );
      continue;
    }
    const out = backlevel(current, pair);
    if (out.kind === 'crash') {
      // The real code would raise on data the peer itself sent (check 6 sees the same crash only
      // on the sender's own graphs).
      findings.add(
        objectFinding({
          check: 'round-trip',
          object: name,
          version: sender.def.version,
          targetVersion: target.version,
          revision: sender.revision,
          message: `${pairLabel(name, sender.def.version, target.version)} at ${sender.revision} crashes sending back data a ${target.version} peer sent: ${pythonErrorText(out.error)}`,
          file: sender.def.source?.file ?? '',
          data: { variant, kind: 'crash' },
        }),
        'crash',
      );
      continue;
    }
    if (out.kind === 'refused') {
      // A refusal of data the peer itself sent is a lost round trip.
      findings.add(
        objectFinding({
          check: 'round-trip',
          object: name,
          version: sender.def.version,
          targetVersion: target.version,
          revision: sender.revision,
          message: `${pairLabel(name, sender.def.version, target.version)} at ${sender.revision} refuses to send back data a ${target.version} peer sent: ${pythonErrorText(out.error)}`,
          file: sender.def.source?.file ?? '',
          data: { variant, kind: 'refused' },
        }),
        'refused',
      );
      continue;
    }
    if (out.kind === 'model-gap') {
      notes.push(`round-trip ${pairLabel(name, sender.def.version, target.version)}: ${out.error.message}`);
      continue;
    }
    for (const d of diffPrimitives(p1, out.primitive, receiverDef, [], [], ctx.historyRegistry)) {
      const what =
        d.kind === 'lost'
          ? `loses ${d.path} (was ${short(d.before)})`
          : d.kind === 'added'
            ? `adds ${d.path} the peer never sent (${short(d.after)})`
            : d.kind === 'child-version'
              ? `returns ${d.path} at ${String(d.after)} instead of ${String(d.before)}`
              : `changes ${d.path} from ${short(d.before)} to ${short(d.after)}`;
      findings.add(
        objectFinding({
          check: 'round-trip',
          object: name,
          version: sender.def.version,
          targetVersion: target.version,
          field: d.field,
          revision: sender.revision,
          message: `${pairLabel(name, target.version, sender.def.version)} -> ${target.version} round trip at ${sender.revision} ${what}`,
          file: sender.def.source?.file ?? '',
          ...(sender.def.source?.line ? { line: sender.def.source.line } : {}),
          data: { variant, path: d.path, kind: d.kind },
        }),
        d.kind,
      );
    }
  }
  return runs;
}
