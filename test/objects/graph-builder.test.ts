import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildEnumSweep,
  buildGraphVariants,
  buildPopulatedObject,
  objectArbitrary,
  seededRandom,
} from '../../src/objects/graph-builder.js';
import { ObjectSchemaValidator } from '../../src/objects/json-schema.js';
import type { FieldDef, FieldTypeDesc } from '../../src/objects/model.js';
import { ObjectRegistry } from '../../src/objects/registry.js';
import {
  objFromPrimitive,
  objToPrimitive,
  type VersionedObjectInstance,
} from '../../src/objects/versioned-object.js';
import { dataOf, def, field, int, listDef, listOf, obj, str, versionOf } from './helpers.js';

const el = (type: FieldTypeDesc, nullable = false) => ({ type, nullable });

/** One field of every scalar and container kind. */
const everyKind: Record<string, FieldDef> = {
  s: field(str),
  ss: field({ kind: 'SensitiveString' }),
  vp: field({ kind: 'VersionPredicate' }),
  i: field(int),
  nni: field({ kind: 'NonNegativeInteger' }),
  f: field({ kind: 'Float' }),
  nnf: field({ kind: 'NonNegativeFloat' }),
  b: field({ kind: 'Boolean' }),
  fb: field({ kind: 'FlexibleBoolean' }),
  dt: field({ kind: 'DateTime', tzinfoAware: true }),
  dtn: field({ kind: 'DateTime', tzinfoAware: false }),
  u: field({ kind: 'UUID' }),
  mac: field({ kind: 'MACAddress' }),
  pci: field({ kind: 'PCIAddress' }),
  ip: field({ kind: 'IPAddress' }),
  ip4: field({ kind: 'IPV4Address' }),
  ip6: field({ kind: 'IPV6Address' }),
  ip46: field({ kind: 'IPV4AndV6Address' }),
  net: field({ kind: 'IPNetwork' }),
  net4: field({ kind: 'IPV4Network' }),
  net6: field({ kind: 'IPV6Network' }),
  e: field({ kind: 'Enum', name: 'DiskBus', validValues: ['ide', 'virtio', 'scsi'] }),
  eu: field({ kind: 'Enum', name: 'Unknown', validValues: null }),
  rc: field({ kind: 'StringPattern', name: 'ResourceClass' }),
  usb: field({ kind: 'StringPattern', name: 'USBAddress' }),
  scsi: field({ kind: 'StringPattern', name: 'SCSIAddress' }),
  ide: field({ kind: 'StringPattern', name: 'IDEAddress' }),
  xen: field({ kind: 'StringPattern', name: 'XenAddress' }),
  l: field({ kind: 'List', element: el(str) }),
  d: field({ kind: 'Dict', element: el(str, true) }),
  set: field({ kind: 'Set', element: el(int) }),
  lol: field({ kind: 'List', element: el({ kind: 'List', element: el(str) }) }),
  nm: field({ kind: 'NetworkModel' }),
  vif: field({ kind: 'NetworkVIFModel' }),
  unk: field({ kind: 'Unknown', pythonName: 'Weird' }),
  maybe: field(int, { nullable: true }),
  kid: field(obj('Kid'), { nullable: true }),
  kids: field(listOf('Kid')),
};

const kid10 = def('Kid', '1.0', { a: field(int) }, 'ovo-liberty');
const kid11 = def('Kid', '1.1', { a: field(int), b: field(str) }, 'ovo-liberty', {
  makeCompatible: [{ kind: 'drop-field', field: 'b', belowVersion: '1.1' }],
});
const big = def('Big', '1.0', everyKind, 'ovo-liberty', {
  relationships: { kid: [['1.0', '1.0']], kids: [['1.0', '1.0']] },
});
const kidList = listDef('KidList', '1.1', 'Kid', 'ovo-liberty', {
  relationships: {
    objects: [
      ['1.0', '1.0'],
      ['1.1', '1.1'],
    ],
  },
});
const registry = new ObjectRegistry([kid10, kid11, big, kidList]);

describe('buildPopulatedObject', () => {
  it('sets every field with a value that survives the wire round trip', () => {
    const o = buildPopulatedObject(registry, 'Big', '1.0', { seed: 3 });
    for (const name of Object.keys(everyKind)) expect(o.isSet(name), name).toBe(true);
    const prim = objToPrimitive(o);
    expect(new ObjectSchemaValidator(registry).validate(prim)).toEqual({ valid: true, errors: [] });
    const back = objFromPrimitive(JSON.parse(JSON.stringify(prim)), registry);
    expect(objToPrimitive(back)).toEqual(prim);
  });
  it('builds nested children at the version the parent maps to', () => {
    const o = buildPopulatedObject(registry, 'Big', '1.0');
    expect((o.get('kid') as VersionedObjectInstance).VERSION).toBe('1.0');
    const l = buildPopulatedObject(registry, 'KidList', '1.1', { listSize: 3 });
    expect((l.get('objects') as VersionedObjectInstance[]).map((k) => k.VERSION)).toEqual([
      '1.1',
      '1.1',
      '1.1',
    ]);
    const m = buildPopulatedObject(registry, 'Big', '1.0', { manifest: { Kid: '1.1' } });
    expect((m.get('kid') as VersionedObjectInstance).VERSION).toBe('1.1');
  });
  it('is deterministic for a seed and varies between seeds', () => {
    const a = objToPrimitive(buildPopulatedObject(registry, 'Big', '1.0', { seed: 42 }));
    const b = objToPrimitive(buildPopulatedObject(registry, 'Big', '1.0', { seed: 42 }));
    const c = objToPrimitive(buildPopulatedObject(registry, 'Big', '1.0', { seed: 43 }));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const r1 = seededRandom(9);
    const r2 = seededRandom(9);
    expect([r1(), r1()]).toEqual([r2(), r2()]);
  });
  it('stops at the depth limit', () => {
    const node = def(
      'Node',
      '1.0',
      { next: field(obj('Node'), { nullable: true }), v: field(int) },
      'ovo-manifest',
    );
    const r = new ObjectRegistry([node]);
    let o = buildPopulatedObject(r, 'Node', '1.0', { maxDepth: 2 });
    let depth = 0;
    while (o.isSet('next') && o.get('next') !== null) {
      o = o.get('next') as VersionedObjectInstance;
      depth++;
    }
    expect(depth).toBe(2);
  });
});

describe('buildGraphVariants', () => {
  const variants = buildGraphVariants(registry, 'Big', '1.0', { seed: 5 });
  const byLabel = new Map(variants.map((v) => [v.label, v.object]));

  it('includes full, nulls, empty, list sizes and partial variants', () => {
    expect(variants.map((v) => v.label)).toEqual([
      'full',
      'nulls',
      'empty',
      'lists-0',
      'lists-1',
      'lists-3',
      'partial-0',
      'partial-1',
    ]);
  });
  it('sets nullable fields to None in the nulls variant and leaves the empty one unset', () => {
    const nulls = byLabel.get('nulls') as VersionedObjectInstance;
    expect(nulls.get('maybe')).toBeNull();
    expect(nulls.get('kid')).toBeNull();
    expect(nulls.get('i')).not.toBeNull();
    expect(dataOf(objToPrimitive(byLabel.get('empty') as VersionedObjectInstance))).toEqual({});
  });
  it('uses the list sizes', () => {
    expect((byLabel.get('lists-0') as VersionedObjectInstance).get('kids')).toEqual([]);
    expect(((byLabel.get('lists-3') as VersionedObjectInstance).get('l') as unknown[]).length).toBe(3);
  });
  it('partial variants set a strict, seeded subset', () => {
    const p = byLabel.get('partial-0') as VersionedObjectInstance;
    const set = Object.keys(everyKind).filter((k) => p.isSet(k));
    expect(set.length).toBeGreaterThan(0);
    expect(set.length).toBeLessThan(Object.keys(everyKind).length);
    const again = buildGraphVariants(registry, 'Big', '1.0', { seed: 5 }).find(
      (v) => v.label === 'partial-0',
    )?.object;
    expect(Object.keys(everyKind).filter((k) => again?.isSet(k))).toEqual(set);
  });
  it('every variant validates against its own schema', () => {
    const v = new ObjectSchemaValidator(registry);
    for (const variant of variants)
      expect(v.validate(objToPrimitive(variant.object)).valid, variant.label).toBe(true);
  });
  it('sweeps enum values', () => {
    const sweep = buildEnumSweep(registry, 'Big', '1.0');
    expect(sweep.map((s) => s.label)).toEqual(['enum-e=ide', 'enum-e=virtio', 'enum-e=scsi']);
    expect(sweep.map((s) => s.object.get('e'))).toEqual(['ide', 'virtio', 'scsi']);
  });
});

describe('objectArbitrary', () => {
  it('generates instances whose primitives validate and round trip', () => {
    const v = new ObjectSchemaValidator(registry);
    fc.assert(
      fc.property(objectArbitrary(registry, 'Big', '1.0'), (o) => {
        const prim = objToPrimitive(o);
        const result = v.validate(prim);
        if (!result.valid) throw new Error(JSON.stringify(result.errors));
        const back = objFromPrimitive(JSON.parse(JSON.stringify(prim)), registry);
        expect(Object.keys(dataOf(objToPrimitive(back)))).toEqual(Object.keys(dataOf(prim)));
      }),
      { numRuns: 60, seed: 1234 },
    );
  });
  it('builds children at the mapped version', () => {
    fc.assert(
      fc.property(objectArbitrary(registry, 'KidList', '1.1', { allowUnset: false }), (l) => {
        const objects = dataOf(objToPrimitive(l)).objects as unknown[];
        for (const c of objects) expect(versionOf(c)).toBe('1.1');
      }),
      { numRuns: 30, seed: 7 },
    );
  });
});
