import { describe, expect, it } from 'vitest';
import { type EraName, eraConfig } from '../../src/objects/eras.js';
import {
  ObjectActionError,
  PyIndexError,
  PyKeyError,
  TargetBeforeSubobjectExistedException,
} from '../../src/objects/errors.js';
import {
  type CompatTraceEntry,
  calculateChildVersionKilo,
  childVersionsDict,
  getSubobjectVersion,
} from '../../src/objects/make-compatible.js';
import type {
  FieldTypeDesc,
  MakeCompatibleAction,
  ObjectVersionDef,
  VersionPair,
} from '../../src/objects/model.js';
import {
  createObject,
  objToPrimitive,
  type VersionedObjectInstance,
} from '../../src/objects/versioned-object.js';
import { dataOf, def, field, int, listDef, listOf, obj, str, versionOf } from './helpers.js';

/** A child object at 1.0/1.1/1.2: each version adds a field and drops it for older targets. */
function childDefs(era: EraName, extra: Partial<ObjectVersionDef> = {}): Record<string, ObjectVersionDef> {
  const drops: MakeCompatibleAction[] = [
    { kind: 'drop-field', field: 'b', belowVersion: '1.1' },
    { kind: 'drop-field', field: 'c', belowVersion: '1.2' },
  ];
  return {
    '1.0': def('Child', '1.0', { a: field(int) }, era, extra),
    '1.1': def('Child', '1.1', { a: field(int), b: field(int) }, era, {
      makeCompatible: drops.slice(0, 1),
      ...extra,
    }),
    '1.2': def('Child', '1.2', { a: field(int), b: field(int), c: field(int) }, era, {
      makeCompatible: drops,
      ...extra,
    }),
  };
}

function child(d: ObjectVersionDef): VersionedObjectInstance {
  const values: Record<string, number> = {};
  for (const k of Object.keys(d.fields)) values[k] = 1;
  return createObject(d, values);
}

function parentDef(era: EraName, version: string, extra: Partial<ObjectVersionDef> = {}): ObjectVersionDef {
  return def(
    'Parent',
    version,
    { name: field(str), kid: field(obj('Child'), { nullable: true }) },
    era,
    extra,
  );
}

const childOf = (prim: Record<string, unknown>, key = 'kid') => dataOf(prim)[key] as Record<string, unknown>;

describe('_get_subobject_version and Kilo obj_calculate_child_version', () => {
  const rels: VersionPair[] = [
    ['1.1', '1.0'],
    ['1.3', '1.1'],
    ['1.5', '1.2'],
  ];
  it('OVO: before first raises, gap takes the previous child, equal takes its child, beyond does nothing', () => {
    const seen: string[] = [];
    expect(() => getSubobjectVersion('1.0', rels, (v) => seen.push(v))).toThrow(
      TargetBeforeSubobjectExistedException,
    );
    expect(getSubobjectVersion('1.2', rels, (v) => seen.push(v))).toBe('1.0');
    expect(getSubobjectVersion('1.3', rels, (v) => seen.push(v))).toBe('1.1');
    expect(getSubobjectVersion('1.10', rels, (v) => seen.push(v))).toBeUndefined();
    expect(seen).toEqual(['1.0', '1.1']);
  });
  it('Kilo: null before the first entry and the last child beyond range (dddd37d091)', () => {
    expect(calculateChildVersionKilo('1.0', rels, true)).toBeNull();
    expect(calculateChildVersionKilo('1.4', rels, true)).toBe('1.1');
    expect(calculateChildVersionKilo('1.9', rels, true)).toBe('1.2');
    expect(calculateChildVersionKilo('1.9', rels, false)).toBeUndefined();
    expect(() => calculateChildVersionKilo('1.0', [], true)).toThrow(PyIndexError);
  });
  it('child_versions behaves as a dict: later duplicates win, first position kept', () => {
    expect(
      childVersionsDict([
        ['1.0', '1.0'],
        ['1.1', '1.1'],
        ['1.0', '1.2'],
      ]),
    ).toEqual([
      ['1.0', '1.2'],
      ['1.1', '1.1'],
    ]);
  });
});

describe('era nova-2014', () => {
  const kids = childDefs('nova-2014');
  it('the base does nothing: children keep their version and no rule is needed', () => {
    const p = createObject(parentDef('nova-2014', '1.1'), {
      name: 'p',
      kid: child(kids['1.2'] as ObjectVersionDef),
    });
    const prim = objToPrimitive(p, { targetVersion: '1.0' });
    expect(versionOf(prim)).toBe('1.0');
    expect(versionOf(childOf(prim))).toBe('1.2');
    expect(dataOf(childOf(prim))).toEqual({ a: 1, b: 1, c: 1 });
  });
  it('hand-written child backports run the child compat and overwrite its version', () => {
    const parent = parentDef('nova-2014', '1.1', {
      makeCompatible: [{ kind: 'backport-child', field: 'kid', belowVersion: '1.1', childVersion: '1.0' }],
      callsSuper: false,
    });
    const p = createObject(parent, { name: 'p', kid: child(kids['1.2'] as ObjectVersionDef) });
    const prim = objToPrimitive(p, { targetVersion: '1.0' });
    expect(versionOf(childOf(prim))).toBe('1.0');
    expect(dataOf(childOf(prim))).toEqual({ a: 1 });
    expect(versionOf(childOf(objToPrimitive(p, { targetVersion: '1.1' })))).toBe('1.2');
  });
  it('lists use child_versions.get(target, "1.0"): an exact string key or 1.0', () => {
    const list = listDef('ChildList', '1.3', 'Child', 'nova-2014', {
      childVersions: [
        ['1.0', '1.0'],
        ['1.1', '1.1'],
        ['1.3', '1.2'],
      ],
    });
    const l = createObject(list, {
      objects: [child(kids['1.2'] as ObjectVersionDef), child(kids['1.2'] as ObjectVersionDef)],
    });
    const at = (t: string) =>
      (dataOf(objToPrimitive(l, { targetVersion: t })).objects as Record<string, unknown>[]).map((c) =>
        versionOf(c),
      );
    expect(at('1.3')).toEqual(['1.2', '1.2']);
    expect(at('1.1')).toEqual(['1.1', '1.1']);
    // 1.2 is not a key: every child falls to 1.0, although 1.1 would be right.
    expect(at('1.2')).toEqual(['1.0', '1.0']);
    const first = (
      dataOf(objToPrimitive(l, { targetVersion: '1.2' })).objects as Record<string, unknown>[]
    )[0];
    expect(dataOf(first as Record<string, unknown>)).toEqual({ a: 1 });
  });
  it('a list whose own VERSION is missing from child_versions downgrades children even at its current version', () => {
    const list = listDef('ChildList', '1.2', 'Child', 'nova-2014', { childVersions: [['1.0', '1.0']] });
    const l = createObject(list, { objects: [child(kids['1.2'] as ObjectVersionDef)] });
    const trace: CompatTraceEntry[] = [];
    const prim = objToPrimitive(l, { targetVersion: '1.2', trace });
    expect(versionOf((dataOf(prim).objects as unknown[])[0])).toBe('1.0');
    expect(trace.some((t) => t.event === 'list-default-1.0')).toBe(true);
    expect(versionOf((dataOf(objToPrimitive(l)).objects as unknown[])[0])).toBe('1.2');
  });
});

describe('era nova-kilo', () => {
  const kids = childDefs('nova-kilo');
  const rels = {
    kid: [
      ['1.1', '1.0'],
      ['1.3', '1.1'],
      ['1.4', '1.2'],
    ] as VersionPair[],
  };
  const parent = parentDef('nova-kilo', '1.4', { relationships: rels });
  const make = () => createObject(parent, { name: 'p', kid: child(kids['1.2'] as ObjectVersionDef) });

  it('walks obj_relationships: delete before, gap, equal', () => {
    expect(dataOf(objToPrimitive(make(), { targetVersion: '1.0' }))).toEqual({ name: 'p' });
    expect(versionOf(childOf(objToPrimitive(make(), { targetVersion: '1.1' })))).toBe('1.0');
    const gap = objToPrimitive(make(), { targetVersion: '1.2' });
    expect(versionOf(childOf(gap))).toBe('1.0');
    expect(dataOf(childOf(gap))).toEqual({ a: 1 });
    expect(versionOf(childOf(objToPrimitive(make(), { targetVersion: '1.3' })))).toBe('1.1');
  });
  it('a set object field without a rule raises "No rule for"', () => {
    const p = createObject(parentDef('nova-kilo', '1.4'), {
      name: 'p',
      kid: child(kids['1.2'] as ObjectVersionDef),
    });
    expect(() => objToPrimitive(p, { targetVersion: '1.3' })).toThrow(ObjectActionError);
    expect(() => objToPrimitive(p, { targetVersion: '1.3' })).toThrow(
      'Object action obj_make_compatible failed because: No rule for kid',
    );
    const unset = createObject(parentDef('nova-kilo', '1.4'), { name: 'p' });
    expect(dataOf(objToPrimitive(unset, { targetVersion: '1.3' }))).toEqual({ name: 'p' });
  });
  it('last mapping beyond range: a stale table downgrades the child even at the current version', () => {
    const stale = parentDef('nova-kilo', '1.4', { relationships: { kid: [['1.1', '1.0']] } });
    const p = createObject(stale, { name: 'p', kid: child(kids['1.2'] as ObjectVersionDef) });
    const prim = objToPrimitive(p, { targetVersion: '1.4' });
    expect(versionOf(childOf(prim))).toBe('1.0');
    expect(dataOf(childOf(prim))).toEqual({ a: 1 });
    const before = objToPrimitive(p, {
      targetVersion: '1.4',
      era: eraConfig('nova-kilo', { kiloLastMappingBeyondRange: false }),
    });
    expect(versionOf(childOf(before))).toBe('1.2');
  });
  it('skips the child compat call when the child is already at the version (after dddd37d091)', () => {
    const kid = createObject(
      def('Child', '1.1', { a: field(int) }, 'nova-kilo', {
        makeCompatible: [{ kind: 'unrecognised', text: 'x()' }],
      }),
      { a: 1 },
    );
    const p = createObject(parentDef('nova-kilo', '1.4', { relationships: { kid: [['1.3', '1.1']] } }), {
      name: 'p',
      kid,
    });
    const trace: CompatTraceEntry[] = [];
    objToPrimitive(p, { targetVersion: '1.3', trace });
    expect(trace.filter((t) => t.event === 'unrecognised-action')).toHaveLength(0);
    objToPrimitive(p, {
      targetVersion: '1.3',
      trace,
      era: eraConfig('nova-kilo', { kiloSkipSameVersion: false }),
    });
    expect(trace.filter((t) => t.event === 'unrecognised-action')).toHaveLength(1);
  });
  it('before the `is None` fix an empty child list object was skipped and kept its version', () => {
    const kidList = listDef('ChildList', '1.2', 'Child', 'nova-kilo', { childVersions: [['1.0', '1.0']] });
    const holder = def('Holder', '1.1', { kids: field(obj('ChildList')) }, 'nova-kilo', {
      relationships: { kids: [['1.0', '1.0']] },
    });
    const h = createObject(holder, { kids: createObject(kidList) });
    expect(versionOf(dataOf(objToPrimitive(h, { targetVersion: '1.0' })).kids)).toBe('1.0');
    const old = objToPrimitive(h, {
      targetVersion: '1.0',
      era: eraConfig('nova-kilo', { skipFalsyChild: true }),
    });
    expect(versionOf(dataOf(old).kids)).toBe('1.2');
  });
  it('lists still use child_versions', () => {
    const list = listDef('ChildList', '1.1', 'Child', 'nova-kilo', {
      childVersions: [['1.1', '1.2']],
      relationships: { objects: [['1.1', '1.1']] },
    });
    const l = createObject(list, { objects: [child(kids['1.2'] as ObjectVersionDef)] });
    expect(versionOf((dataOf(objToPrimitive(l, { targetVersion: '1.1' })).objects as unknown[])[0])).toBe(
      '1.2',
    );
    expect(versionOf((dataOf(objToPrimitive(l, { targetVersion: '1.0' })).objects as unknown[])[0])).toBe(
      '1.0',
    );
  });
});

describe('era ovo-liberty', () => {
  const kids = childDefs('ovo-liberty');
  it('a target beyond every relationship leaves the child untouched (no Kilo downgrade)', () => {
    const stale = parentDef('ovo-liberty', '1.4', { relationships: { kid: [['1.1', '1.0']] } });
    const p = createObject(stale, { name: 'p', kid: child(kids['1.2'] as ObjectVersionDef) });
    const trace: CompatTraceEntry[] = [];
    const prim = objToPrimitive(p, { targetVersion: '1.3', trace });
    expect(versionOf(childOf(prim))).toBe('1.2');
    expect(trace).toContainEqual(expect.objectContaining({ event: 'child-untouched', field: 'kid' }));
  });
  it('lists use obj_relationships (test_list_obj_make_compatible)', () => {
    const list = listDef('ChildList', '1.5', 'Child', 'ovo-liberty', {
      relationships: {
        objects: [
          ['1.0', '1.1'],
          ['1.1', '1.2'],
          ['1.3', '1.3'],
          ['1.5', '1.4'],
        ],
      },
    });
    const trace: CompatTraceEntry[] = [];
    const l = createObject(list, { objects: [child(kids['1.2'] as ObjectVersionDef)] });
    const prim = objToPrimitive(l, { targetVersion: '1.1', trace });
    expect(versionOf((dataOf(prim).objects as unknown[])[0])).toBe('1.2');
    expect(trace).toContainEqual(
      expect.objectContaining({ event: 'backport-child', field: 'objects', toVersion: '1.2' }),
    );
  });
  it('a list target before the first relationship deletes objects; no rule sends children to 1.0', () => {
    const late = listDef('ChildList', '1.2', 'Child', 'ovo-liberty', {
      relationships: { objects: [['1.1', '1.0']] },
    });
    expect(dataOf(objToPrimitive(createObject(late), { targetVersion: '1.0' }))).toEqual({});
    const norule = listDef('ChildList', '1.2', 'Child', 'ovo-liberty');
    const l = createObject(norule, { objects: [child(kids['1.2'] as ObjectVersionDef)] });
    const c0 = (dataOf(objToPrimitive(l, { targetVersion: '1.1' })).objects as Record<string, unknown>[])[0];
    expect(versionOf(c0)).toBe('1.0');
    expect(dataOf(c0 as Record<string, unknown>)).toEqual({ a: 1 });
  });
  it('with a manifest but target == VERSION the compat step is skipped (pre OVO 0.11.0)', () => {
    const p = createObject(parentDef('ovo-liberty', '1.4', { relationships: { kid: [['1.0', '1.2']] } }), {
      name: 'p',
      kid: child(kids['1.2'] as ObjectVersionDef),
    });
    expect(versionOf(childOf(objToPrimitive(p, { manifest: { Child: '1.0' } })))).toBe('1.2');
    expect(versionOf(childOf(objToPrimitive(p, { targetVersion: '1.3', manifest: { Child: '1.0' } })))).toBe(
      '1.0',
    );
  });
});

describe('era ovo-manifest', () => {
  const kids = childDefs('ovo-manifest');
  const parent11 = def(
    'Parent',
    '1.1',
    { name: field(str), kid: field(obj('Child'), { nullable: true }) },
    'ovo-manifest',
  );
  const make = (d = parent11) => createObject(d, { name: 'p', kid: child(kids['1.2'] as ObjectVersionDef) });

  it('backports each child to manifest[child] whatever the parent target, even at the current version', () => {
    const prim = objToPrimitive(make(), { manifest: { Parent: '1.1', Child: '1.0' } });
    expect(versionOf(prim)).toBe('1.1');
    expect(versionOf(childOf(prim))).toBe('1.0');
    expect(dataOf(childOf(prim))).toEqual({ a: 1 });
  });
  it('keeps a child field added after the target: a manifest has no "before it existed"', () => {
    const prim = objToPrimitive(make(), { targetVersion: '1.0', manifest: { Child: '1.0' } });
    expect(dataOf(prim)).toHaveProperty('kid');
    const fixed = def('Parent', '1.1', parent11.fields, 'ovo-manifest', {
      makeCompatible: [{ kind: 'drop-field', field: 'kid', belowVersion: '1.1' }],
    });
    expect(dataOf(objToPrimitive(make(fixed), { targetVersion: '1.0', manifest: { Child: '1.0' } }))).toEqual(
      { name: 'p' },
    );
  });
  it('a manifest without the child leaves an object field untouched but sends list children to 1.0', () => {
    expect(
      versionOf(childOf(objToPrimitive(make(), { targetVersion: '1.0', manifest: { Other: '1.0' } }))),
    ).toBe('1.2');
    const list = listDef('ChildList', '1.1', 'Child', 'ovo-manifest');
    const l = createObject(list, { objects: [child(kids['1.2'] as ObjectVersionDef)] });
    const prim = objToPrimitive(l, { targetVersion: '1.0', manifest: { Other: '1.0' } });
    expect(versionOf((dataOf(prim).objects as unknown[])[0])).toBe('1.0');
  });
  it('without a manifest: object fields raise "No rule for", lists fall to 1.0', () => {
    expect(() => objToPrimitive(make(), { targetVersion: '1.0' })).toThrow('No rule for kid');
    const l = createObject(listDef('ChildList', '1.1', 'Child', 'ovo-manifest'), {
      objects: [child(kids['1.2'] as ObjectVersionDef)],
    });
    expect(versionOf((dataOf(objToPrimitive(l, { targetVersion: '1.0' })).objects as unknown[])[0])).toBe(
      '1.0',
    );
  });
  it('overwrites the child version with the manifest value without checking it exists', () => {
    const p = createObject(parent11, { name: 'p', kid: child(kids['1.0'] as ObjectVersionDef) });
    expect(versionOf(childOf(objToPrimitive(p, { targetVersion: '1.0', manifest: { Child: '1.7' } })))).toBe(
      '1.7',
    );
  });
  it('an override that does not call super() breaks manifest propagation to grandchildren', () => {
    const leaf = kids['1.2'] as ObjectVersionDef;
    const midFields = { leaf: field(obj('Child')), x: field(int) };
    const midNoSuper = def('Mid', '1.1', midFields, 'ovo-manifest', {
      makeCompatible: [{ kind: 'drop-field', field: 'x', belowVersion: '1.1' }],
      callsSuper: false,
    });
    const midSuper = { ...midNoSuper, callsSuper: true };
    const top = def('Top', '1.0', { mid: field(obj('Mid')) }, 'ovo-manifest');
    const run = (mid: ObjectVersionDef) => {
      const t = createObject(top, { mid: createObject(mid, { leaf: child(leaf), x: 1 }) });
      const trace: CompatTraceEntry[] = [];
      const prim = objToPrimitive(t, { manifest: { Mid: '1.0', Child: '1.0' }, trace });
      return { mid: dataOf(prim).mid as Record<string, unknown>, trace };
    };
    const broken = run(midNoSuper);
    expect(versionOf(broken.mid)).toBe('1.0');
    expect(dataOf(broken.mid)).not.toHaveProperty('x');
    expect(versionOf(dataOf(broken.mid).leaf)).toBe('1.2');
    expect(broken.trace).toContainEqual(expect.objectContaining({ path: 'Top.mid', event: 'base-skipped' }));
    const ok = run(midSuper);
    expect(versionOf(dataOf(ok.mid).leaf)).toBe('1.0');
  });
  it('an empty manifest does not trigger compat at the current version', () => {
    const p = make();
    expect(versionOf(childOf(objToPrimitive(p, { manifest: {} })))).toBe('1.2');
  });
});

describe('recognised override actions', () => {
  const bus: FieldTypeDesc = { kind: 'Enum', name: 'DiskBus', validValues: ['ide', 'virtio', 'usb'] };
  const disk = def(
    'Disk',
    '1.3',
    { bus: field(bus), size: field(int), label: field(str), legacy: field(str) },
    'ovo-manifest',
    {
      makeCompatible: [
        { kind: 'super' },
        { kind: 'raise-too-new-values', field: 'bus', belowVersion: '1.1', values: ['usb'] },
        { kind: 'drop-field', field: 'size', belowVersion: '1.2' },
        {
          kind: 'convert-field',
          field: 'label',
          belowVersion: '1.3',
          how: { op: 'map-values', mapping: { '"new"': 'old' } },
        },
        {
          kind: 'convert-field',
          field: 'legacy',
          belowVersion: '1.3',
          how: { op: 'rename', to: 'legacy_name' },
        },
        { kind: 'unrecognised', text: 'primitive["x"] = magic()' },
      ],
    },
  );
  const make = (b: string) => createObject(disk, { bus: b, size: 5, label: 'new', legacy: 'l' });

  it('drop below version, convert values, rename and record what cannot be replayed', () => {
    const trace: CompatTraceEntry[] = [];
    expect(dataOf(objToPrimitive(make('ide'), { targetVersion: '1.1', trace }))).toEqual({
      bus: 'ide',
      label: 'old',
      legacy_name: 'l',
    });
    expect(trace.map((t) => t.event)).toEqual([
      'drop-field',
      'convert-field',
      'convert-field',
      'unrecognised-action',
    ]);
    expect(dataOf(objToPrimitive(make('ide'), { targetVersion: '1.2' }))).toEqual({
      bus: 'ide',
      size: 5,
      label: 'old',
      legacy_name: 'l',
    });
  });
  it('raise_on_too_new_values raises ObjectActionError below the version only', () => {
    expect(() => objToPrimitive(make('usb'), { targetVersion: '1.0' })).toThrow(
      new ObjectActionError('obj_make_compatible', 'bus=usb not supported in version 1.0'),
    );
    expect(() => objToPrimitive(make('ide'), { targetVersion: '1.0' })).not.toThrow();
    expect(() => objToPrimitive(make('usb'), { targetVersion: '1.1' })).not.toThrow();
  });
  it('an unguarded drop of a missing key is a KeyError', () => {
    const d = def('Loose', '1.1', { a: field(int) }, 'ovo-manifest', {
      makeCompatible: [{ kind: 'drop-field', field: 'a', belowVersion: '1.1', guarded: false }],
    });
    expect(() => objToPrimitive(createObject(d), { targetVersion: '1.0' })).toThrow(PyKeyError);
    expect(dataOf(objToPrimitive(createObject(d, { a: 1 }), { targetVersion: '1.0' }))).toEqual({});
  });
  it('a drop before super() of an object field makes the base fail with KeyError', () => {
    const d = def('Order', '1.1', { kid: field(obj('Child')) }, 'ovo-manifest', {
      makeCompatible: [{ kind: 'drop-field', field: 'kid', belowVersion: '1.1' }, { kind: 'super' }],
      relationships: { kid: [['1.1', '1.0']] },
    });
    const o = createObject(d, { kid: child(kids0()) });
    expect(() => objToPrimitive(o, { targetVersion: '1.0' })).toThrow(PyKeyError);
  });
  it('backport-child on a list field backports every element', () => {
    const holder = def('Holder', '1.1', { kids: field(listOf('Child')) }, 'nova-2014', {
      makeCompatible: [{ kind: 'backport-child', field: 'kids', belowVersion: '1.1', childVersion: '1.0' }],
    });
    const k = childDefs('nova-2014')['1.2'] as ObjectVersionDef;
    const h = createObject(holder, { kids: [child(k), child(k)] });
    const prims = dataOf(objToPrimitive(h, { targetVersion: '1.0' })).kids as Record<string, unknown>[];
    expect(prims.map((p) => versionOf(p))).toEqual(['1.0', '1.0']);
    expect(prims.map((p) => dataOf(p))).toEqual([{ a: 1 }, { a: 1 }]);
  });
});

function kids0(): ObjectVersionDef {
  return childDefs('ovo-manifest')['1.0'] as ObjectVersionDef;
}
