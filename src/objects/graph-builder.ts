/**
 * Populated object graphs for backlevel checks: for an object at a version, deterministic
 * (seeded) instances with every field set to a type-valid value, nullable fields both null and
 * set, nested children built at the child version that parent version maps to
 * (child-version-map.ts), lists of several sizes, plus empty and partially-set variants; and a
 * fast-check arbitrary of the same shape for property tests.
 */
import fc from 'fast-check';
import { childVersionOrLatest } from './child-version-map.js';
import type { EraConfig, EraName } from './eras.js';
import type {
  ElementDef,
  FieldDef,
  FieldTypeDesc,
  JsonObject,
  ObjectVersionDef,
  VersionManifest,
} from './model.js';
import { ipNetwork, makeIPAddress } from './netaddr.js';
import { pyEquals } from './python-builtins.js';
import { PyDateTime, PyFloat, PyNetworkInfo, PySet, type PyValue, PyVIF, UTC } from './python-values.js';
import type { ObjectRegistry } from './registry.js';
import { VersionedObjectInstance } from './versioned-object.js';

export interface GraphBuilderOptions {
  seed?: number;
  /** Child versions to build nested objects at ({objname: version}); else the definitions' tables. */
  manifest?: VersionManifest;
  /** Sizes used by the 'lists-N' variants (default [0, 1, 3]). */
  listSizes?: number[];
  /** Nesting depth beyond which object fields are left unset (default 6). */
  maxDepth?: number;
  era?: EraName | EraConfig;
  /** Give datetimes non-zero microseconds (isotime drops them on the wire). */
  microseconds?: boolean;
}

export interface PopulateOptions extends GraphBuilderOptions {
  /** Nullable fields: set to values (default) or to None. */
  nulls?: boolean;
  /** Number of items in lists, dicts, sets and object lists (default 2). */
  listSize?: number;
  /** Only these fields are set (all when absent). */
  onlyFields?: string[];
  /** Force particular values for fields of the top-level object. */
  overrides?: Record<string, PyValue>;
}

export interface GraphVariant {
  label: string;
  object: VersionedObjectInstance;
}

/** mulberry32: a small deterministic PRNG. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface BuildState {
  registry: ObjectRegistry;
  rng: () => number;
  opts: PopulateOptions;
  depth: number;
  counter: number;
}

function randInt(st: BuildState, lo: number, hi: number): number {
  return lo + Math.floor(st.rng() * (hi - lo + 1));
}

function hex(st: BuildState, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(st.rng() * 16).toString(16);
  return s;
}

function sampleUuid(st: BuildState): string {
  return `${hex(st, 8)}-${hex(st, 4)}-4${hex(st, 3)}-a${hex(st, 3)}-${hex(st, 12)}`;
}

function sampleMac(st: BuildState): string {
  return Array.from({ length: 6 }, () => hex(st, 2)).join(':');
}

function sampleVif(st: BuildState): JsonObject {
  const third = randInt(st, 0, 250);
  return {
    id: sampleUuid(st),
    address: sampleMac(st),
    type: 'ovs',
    network: {
      id: sampleUuid(st),
      bridge: 'br-int',
      label: 'private',
      subnets: [
        {
          cidr: `10.0.${third}.0/24`,
          dns: [],
          gateway: { address: `10.0.${third}.1`, type: 'gateway', version: 4 },
          ips: [{ address: `10.0.${third}.5`, type: 'fixed', version: 4, floating_ips: [] }],
          routes: [],
        },
      ],
    },
  };
}

const ADDRESS_SAMPLES = { USBAddress: '1:2', SCSIAddress: '0:0:1:2', IDEAddress: '0:1', XenAddress: '51712' };

/** A type-valid Python value for a field type (undefined when an object cannot be built). */
function sampleType(
  st: BuildState,
  field: string,
  type: FieldTypeDesc,
  parent?: ObjectVersionDef,
): PyValue | undefined {
  st.counter++;
  const n = st.opts.listSize ?? 2;
  switch (type.kind) {
    case 'String':
    case 'SensitiveString':
      return `${field}-${st.counter}-${hex(st, 4)}`;
    case 'VersionPredicate':
      return `>=${randInt(st, 1, 9)}.${randInt(st, 0, 9)}`;
    case 'Integer':
      return randInt(st, -1000, 1000);
    case 'NonNegativeInteger':
      return randInt(st, 0, 1000);
    case 'Float':
      return new PyFloat(randInt(st, -1000, 1000) + 0.25);
    case 'NonNegativeFloat':
      return new PyFloat(randInt(st, 0, 1000) + 0.5);
    case 'Boolean':
    case 'FlexibleBoolean':
      return st.rng() < 0.5;
    case 'DateTime': {
      const d = new PyDateTime(
        {
          year: randInt(st, 2001, 2030),
          month: randInt(st, 1, 12),
          day: randInt(st, 1, 28),
          hour: randInt(st, 0, 23),
          minute: randInt(st, 0, 59),
          second: randInt(st, 0, 59),
          microsecond: st.opts.microseconds ? randInt(st, 1, 999999) : 0,
        },
        type.tzinfoAware ? UTC : null,
      );
      return d;
    }
    case 'UUID':
      return sampleUuid(st);
    case 'MACAddress':
      return sampleMac(st);
    case 'PCIAddress':
      return `0000:${hex(st, 2)}:${randInt(st, 0, 1)}${hex(st, 1)}.${randInt(st, 0, 7)}`;
    case 'IPAddress':
    case 'IPV4Address':
      return makeIPAddress(4, BigInt((10 << 24) | randInt(st, 0, 0xffffff)) & 0xffffffffn);
    case 'IPV6Address':
      return makeIPAddress(6, (0x20010db8n << 96n) | BigInt(randInt(st, 1, 0xffff)));
    case 'IPV4AndV6Address':
      return st.rng() < 0.5
        ? makeIPAddress(4, BigInt((10 << 24) | randInt(st, 0, 0xffffff)) & 0xffffffffn)
        : makeIPAddress(6, (0x20010db8n << 96n) | BigInt(randInt(st, 1, 0xffff)));
    case 'IPNetwork':
    case 'IPV4Network':
      return ipNetwork(`10.${randInt(st, 0, 255)}.0.0/16`);
    case 'IPV6Network':
      return ipNetwork(`2001:db8:${randInt(st, 1, 0xfff).toString(16)}::/64`);
    case 'Enum': {
      const values = type.validValues;
      if (values && values.length > 0) return values[randInt(st, 0, values.length - 1)] as string;
      return `${field}-value`;
    }
    case 'StringPattern':
      return type.name === 'ResourceClass'
        ? `CUSTOM_${hex(st, 4).toUpperCase()}`
        : ADDRESS_SAMPLES[type.name];
    case 'List': {
      const out: PyValue[] = [];
      for (let i = 0; i < n; i++) {
        const v = sampleElement(st, `${field}[${i}]`, type.element, parent);
        if (v !== undefined) out.push(v);
      }
      return out;
    }
    case 'Dict': {
      const out: Record<string, PyValue> = {};
      for (let i = 0; i < n; i++) {
        const v = sampleElement(st, `${field}[k${i}]`, type.element, parent);
        if (v !== undefined) out[`k${i}`] = v;
      }
      return out;
    }
    case 'Set': {
      const items: PyValue[] = [];
      for (let i = 0; i < n * 3 && items.length < n; i++) {
        const v = sampleElement(st, `${field}[${i}]`, type.element, parent);
        if (v !== undefined && !items.some((x) => pyEquals(x, v))) items.push(v);
      }
      return new PySet(items);
    }
    case 'Object':
      return sampleObject(st, field, type.objName, type.subclasses, parent);
    case 'ListOfObjects': {
      const out: PyValue[] = [];
      for (let i = 0; i < n; i++) {
        const child = sampleObject(st, field, type.objName, type.subclasses, parent);
        if (child === undefined) return undefined;
        out.push(child);
      }
      return out;
    }
    case 'NetworkModel':
      return new PyNetworkInfo(Array.from({ length: n }, () => new PyVIF(sampleVif(st))));
    case 'NetworkVIFModel':
      return new PyVIF(sampleVif(st));
    case 'Unknown':
      return `${field}-opaque`;
  }
}

function sampleElement(
  st: BuildState,
  field: string,
  element: ElementDef,
  parent?: ObjectVersionDef,
): PyValue | undefined {
  return sampleType(st, field, element.type, parent);
}

function sampleObject(
  st: BuildState,
  field: string,
  objName: string,
  subclasses: boolean,
  parent?: ObjectVersionDef,
): VersionedObjectInstance | undefined {
  if (st.depth >= (st.opts.maxDepth ?? 6)) return undefined;
  const candidates = subclasses ? st.registry.subclassNamesOf(objName) : [objName];
  const name = candidates.includes(objName) ? objName : candidates[0];
  if (!name || !st.registry.has(name)) return undefined;
  const version = parent
    ? childVersionOrLatest(
        st.registry,
        parent,
        field,
        name,
        st.opts.manifest ? { manifest: st.opts.manifest } : {},
      )
    : st.registry.latest(name)?.version;
  const def = version ? st.registry.get(name, version) : undefined;
  if (!def) return undefined;
  const childState: BuildState = {
    ...st,
    depth: st.depth + 1,
    opts: { ...st.opts, onlyFields: undefined, overrides: undefined },
  };
  const child = populate(childState, def);
  st.counter = childState.counter;
  return child;
}

function populate(st: BuildState, def: ObjectVersionDef): VersionedObjectInstance {
  const obj = new VersionedObjectInstance(def, st.opts.era ? { era: st.opts.era } : {});
  for (const [name, field] of Object.entries(def.fields)) {
    if (st.opts.onlyFields && !st.opts.onlyFields.includes(name)) continue;
    if (st.opts.overrides && Object.hasOwn(st.opts.overrides, name)) {
      obj.set(name, st.opts.overrides[name] as PyValue);
      continue;
    }
    const value = fieldValue(st, name, field, def);
    if (value !== undefined) obj.set(name, value);
  }
  return obj;
}

function fieldValue(
  st: BuildState,
  name: string,
  field: FieldDef,
  def: ObjectVersionDef,
): PyValue | undefined {
  if (field.nullable && st.opts.nulls) return null;
  const v = sampleType(st, name, field.type, def);
  if (v === undefined && field.nullable) return null;
  return v;
}

/** One populated instance of (name, version); deterministic for a given seed. */
export function buildPopulatedObject(
  registry: ObjectRegistry,
  name: string,
  version: string,
  opts: PopulateOptions = {},
): VersionedObjectInstance {
  const def = registry.require(name, version);
  const st: BuildState = { registry, rng: seededRandom(opts.seed ?? 1), opts, depth: 0, counter: 0 };
  return populate(st, def);
}

function listish(type: FieldTypeDesc): boolean {
  return (
    type.kind === 'List' ||
    type.kind === 'ListOfObjects' ||
    type.kind === 'Dict' ||
    type.kind === 'Set' ||
    type.kind === 'NetworkModel'
  );
}

/**
 * The standard variants of one object: 'full' (every field set, nullable ones to values),
 * 'nulls' (nullable fields None), 'empty' (nothing set), 'lists-N' for each list size, and
 * 'partial-K' (a seeded half of the fields). Each variant uses its own derived seed.
 */
export function buildGraphVariants(
  registry: ObjectRegistry,
  name: string,
  version: string,
  opts: GraphBuilderOptions = {},
): GraphVariant[] {
  const def = registry.require(name, version);
  const seed = opts.seed ?? 1;
  const out: GraphVariant[] = [];
  out.push({ label: 'full', object: buildPopulatedObject(registry, name, version, { ...opts, seed }) });
  if (Object.values(def.fields).some((f) => f.nullable)) {
    out.push({
      label: 'nulls',
      object: buildPopulatedObject(registry, name, version, { ...opts, seed: seed + 1, nulls: true }),
    });
  }
  out.push({ label: 'empty', object: new VersionedObjectInstance(def, opts.era ? { era: opts.era } : {}) });
  if (Object.values(def.fields).some((f) => listish(f.type))) {
    for (const size of opts.listSizes ?? [0, 1, 3]) {
      out.push({
        label: `lists-${size}`,
        object: buildPopulatedObject(registry, name, version, {
          ...opts,
          seed: seed + 10 + size,
          listSize: size,
        }),
      });
    }
  }
  const names = Object.keys(def.fields);
  for (let k = 0; k < 2 && names.length > 1; k++) {
    const rng = seededRandom(seed + 100 + k);
    const subset = names.filter(() => rng() < 0.5);
    out.push({
      label: `partial-${k}`,
      object: buildPopulatedObject(registry, name, version, {
        ...opts,
        seed: seed + 200 + k,
        onlyFields: subset,
      }),
    });
  }
  return out;
}

/**
 * One variant per value of each Enum field of the top-level object (values of the object's own
 * version), to exercise `raise_on_too_new_values` paths when backlevelling.
 */
export function buildEnumSweep(
  registry: ObjectRegistry,
  name: string,
  version: string,
  opts: GraphBuilderOptions = {},
): GraphVariant[] {
  const def = registry.require(name, version);
  const out: GraphVariant[] = [];
  for (const [field, f] of Object.entries(def.fields)) {
    if (f.type.kind !== 'Enum' || !f.type.validValues) continue;
    for (const value of f.type.validValues) {
      out.push({
        label: `enum-${field}=${value}`,
        object: buildPopulatedObject(registry, name, version, { ...opts, overrides: { [field]: value } }),
      });
    }
  }
  return out;
}

export interface ArbitraryOptions {
  manifest?: VersionManifest;
  maxDepth?: number;
  maxItems?: number;
  era?: EraName | EraConfig;
  /** Let fields be unset as well as set (default true). */
  allowUnset?: boolean;
}

type FieldChoice = { tag: 'unset' } | { tag: 'set'; value: PyValue };

const UNSET: FieldChoice = { tag: 'unset' };

function typeArbitrary(
  registry: ObjectRegistry,
  parent: ObjectVersionDef,
  field: string,
  type: FieldTypeDesc,
  opts: ArbitraryOptions,
  depth: number,
): fc.Arbitrary<PyValue> | undefined {
  const maxItems = opts.maxItems ?? 3;
  switch (type.kind) {
    case 'String':
    case 'SensitiveString':
      return fc.string({ maxLength: 12 });
    case 'VersionPredicate':
      return fc
        .tuple(fc.constantFrom('>=', '<', '=='), fc.nat(9), fc.nat(9))
        .map(([op, a, b]) => `${op}${a}.${b}`);
    case 'Integer':
      return fc.integer({ min: -1_000_000, max: 1_000_000 });
    case 'NonNegativeInteger':
      return fc.nat(1_000_000);
    case 'Float':
      return fc
        .double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 })
        .map((x) => new PyFloat(x));
    case 'NonNegativeFloat':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 1e9 }).map((x) => new PyFloat(x));
    case 'Boolean':
    case 'FlexibleBoolean':
      return fc.boolean();
    case 'DateTime':
      return fc
        .date({
          min: new Date('1990-01-01T00:00:00Z'),
          max: new Date('2040-01-01T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => PyDateTime.fromDate(d, type.tzinfoAware));
    case 'UUID':
      return fc.uuid();
    case 'MACAddress':
      return fc
        .array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 })
        .map((bs) => bs.map((b) => b.toString(16).padStart(2, '0')).join(':'));
    case 'PCIAddress':
      return fc
        .tuple(
          fc.integer({ min: 0, max: 0xffff }),
          fc.integer({ min: 0, max: 0xff }),
          fc.integer({ min: 0, max: 0x1f }),
          fc.nat(7),
        )
        .map(
          ([d, b, s, f]) =>
            `${d.toString(16).padStart(4, '0')}:${b.toString(16).padStart(2, '0')}:${s.toString(16).padStart(2, '0')}.${f}`,
        );
    case 'IPAddress':
    case 'IPV4Address':
      return fc.integer({ min: 0, max: 0x7fffffff }).map((n) => makeIPAddress(4, BigInt(n)));
    case 'IPV6Address':
      return fc.bigInt({ min: 1n << 33n, max: (1n << 128n) - 1n }).map((n) => makeIPAddress(6, n));
    case 'IPV4AndV6Address':
      return fc.oneof(
        fc.integer({ min: 0, max: 0x7fffffff }).map((n) => makeIPAddress(4, BigInt(n))),
        fc.bigInt({ min: 1n << 33n, max: (1n << 128n) - 1n }).map((n) => makeIPAddress(6, n)),
      );
    case 'IPNetwork':
    case 'IPV4Network':
      return fc
        .tuple(fc.nat(255), fc.integer({ min: 8, max: 32 }))
        .map(([a, p]) => ipNetwork(`10.${a}.0.0/${p}`));
    case 'IPV6Network':
      return fc
        .tuple(fc.nat(0xffff), fc.integer({ min: 16, max: 128 }))
        .map(([a, p]) => ipNetwork(`2001:db8:${a.toString(16)}::/${p}`));
    case 'Enum':
      return type.validValues && type.validValues.length > 0
        ? fc.constantFrom(...type.validValues)
        : fc.string({ maxLength: 8 });
    case 'StringPattern':
      return type.name === 'ResourceClass'
        ? fc.stringMatching(/^[A-Z0-9_]{1,10}$/)
        : fc.constant(ADDRESS_SAMPLES[type.name]);
    case 'List':
    case 'Dict':
    case 'Set': {
      const el = elementArbitrary(registry, parent, field, type.element, opts, depth);
      if (!el) return undefined;
      if (type.kind === 'List') return fc.array(el, { maxLength: maxItems });
      if (type.kind === 'Dict') {
        return fc
          .array(fc.tuple(fc.string({ maxLength: 6 }), el), { maxLength: maxItems })
          .map((entries) => Object.fromEntries(entries) as Record<string, PyValue>);
      }
      return fc
        .uniqueArray(el, { maxLength: maxItems, comparator: (a, b) => pyEquals(a, b) })
        .map((xs) => new PySet(xs));
    }
    case 'Object':
    case 'ListOfObjects': {
      if (depth >= (opts.maxDepth ?? 4)) return undefined;
      const name = type.subclasses
        ? (registry.subclassNamesOf(type.objName)[0] ?? type.objName)
        : type.objName;
      if (!registry.has(name)) return undefined;
      const version = childVersionOrLatest(
        registry,
        parent,
        field,
        name,
        opts.manifest ? { manifest: opts.manifest } : {},
      );
      const def = version ? registry.get(name, version) : undefined;
      if (!def) return undefined;
      const child = defArbitrary(registry, def, opts, depth + 1);
      return type.kind === 'Object' ? child : fc.array(child, { maxLength: Math.min(maxItems, 2) });
    }
    case 'NetworkModel':
      return fc.nat(3).map((k) => {
        const st: BuildState = { registry, rng: seededRandom(k + 1), opts: {}, depth: 0, counter: 0 };
        return new PyNetworkInfo(Array.from({ length: k }, () => new PyVIF(sampleVif(st))));
      });
    case 'NetworkVIFModel':
      return fc.nat(1000).map((k) => {
        const st: BuildState = { registry, rng: seededRandom(k + 1), opts: {}, depth: 0, counter: 0 };
        return new PyVIF(sampleVif(st));
      });
    case 'Unknown':
      return fc.string({ maxLength: 8 });
  }
}

function elementArbitrary(
  registry: ObjectRegistry,
  parent: ObjectVersionDef,
  field: string,
  element: ElementDef,
  opts: ArbitraryOptions,
  depth: number,
): fc.Arbitrary<PyValue> | undefined {
  const base = typeArbitrary(registry, parent, field, element.type, opts, depth);
  if (!base) return undefined;
  return element.nullable ? fc.option(base, { nil: null, freq: 5 }) : base;
}

function defArbitrary(
  registry: ObjectRegistry,
  def: ObjectVersionDef,
  opts: ArbitraryOptions,
  depth: number,
): fc.Arbitrary<VersionedObjectInstance> {
  const parts: Record<string, fc.Arbitrary<FieldChoice>> = {};
  for (const [name, field] of Object.entries(def.fields)) {
    const value = typeArbitrary(registry, def, name, field.type, opts, depth);
    const choices: fc.Arbitrary<FieldChoice>[] = [];
    if (value) choices.push(value.map((v): FieldChoice => ({ tag: 'set', value: v })));
    if (field.nullable) choices.push(fc.constant<FieldChoice>({ tag: 'set', value: null }));
    if (opts.allowUnset !== false || choices.length === 0) choices.push(fc.constant(UNSET));
    parts[name] = choices.length === 1 ? (choices[0] as fc.Arbitrary<FieldChoice>) : fc.oneof(...choices);
  }
  return fc.record(parts).map((record) => {
    const obj = new VersionedObjectInstance(def, opts.era ? { era: opts.era } : {});
    for (const name of Object.keys(def.fields)) {
      const choice = record[name] as FieldChoice;
      if (choice.tag === 'set') obj.set(name, choice.value);
    }
    return obj;
  });
}

/** fast-check arbitrary of populated instances of (name, version). */
export function objectArbitrary(
  registry: ObjectRegistry,
  name: string,
  version: string,
  opts: ArbitraryOptions = {},
): fc.Arbitrary<VersionedObjectInstance> {
  return defArbitrary(registry, registry.require(name, version), opts, 0);
}

/** fast-check arbitrary of type-valid values of one field type (objects excluded). */
export function valueArbitrary(
  registry: ObjectRegistry,
  def: ObjectVersionDef,
  field: string,
  opts: ArbitraryOptions = {},
): fc.Arbitrary<PyValue> | undefined {
  const f = def.fields[field];
  if (!f) return undefined;
  return typeArbitrary(registry, def, field, f.type, opts, 0);
}
