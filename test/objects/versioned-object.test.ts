import { describe, expect, it } from 'vitest';
import { eraConfig } from '../../src/objects/eras.js';
import {
  IncompatibleObjectVersion,
  InvalidTargetVersion,
  ObjectModelError,
  PyAttributeError,
  PyKeyError,
  PyNotImplementedError,
  PyTypeError,
  PyValueError,
  UnregisteredSubobject,
  UnsupportedObjectError,
} from '../../src/objects/errors.js';
import { PyDateTime, UTC } from '../../src/objects/python-values.js';
import { ObjectRegistry } from '../../src/objects/registry.js';
import {
  createObject,
  deserializeEntity,
  type HydrationRecord,
  objFromPrimitive,
  objToPrimitive,
  readPrimitive,
  serializeEntity,
  VersionedObjectInstance,
} from '../../src/objects/versioned-object.js';
import { dataOf, def, field, int, listDef, obj, str } from './helpers.js';

const widget10 = def(
  'Widget',
  '1.0',
  { id: field(int), name: field(str, { nullable: true }) },
  'ovo-manifest',
);
const widget11 = def(
  'Widget',
  '1.1',
  { id: field(int), name: field(str, { nullable: true }), size: field(int) },
  'ovo-manifest',
  { makeCompatible: [{ kind: 'drop-field', field: 'size', belowVersion: '1.1' }] },
);

describe('registry', () => {
  it('keeps classes newest first and replaces a re-registered version', () => {
    const r = new ObjectRegistry([widget10, widget11, def('Widget', '1.10', {}, 'ovo-manifest')]);
    expect(r.versionsOf('Widget')).toEqual(['1.10', '1.1', '1.0']);
    const replacement = def('Widget', '1.1', {}, 'ovo-manifest');
    r.register(replacement);
    expect(r.get('Widget', '1.1')).toBe(replacement);
    expect(r.versionsOf('Widget')).toHaveLength(3);
  });
  it('obj_class_from_name: exact match, else the newest compatible, else IncompatibleObjectVersion', () => {
    const r = new ObjectRegistry([widget10, widget11]);
    expect(r.objClassFromName('Widget', '1.0')).toBe(widget10);
    const peer = new ObjectRegistry([widget11]);
    expect(peer.objClassFromName('Widget', '1.0')).toBe(widget11);
    expect(() => r.objClassFromName('Widget', '1.2')).toThrow(IncompatibleObjectVersion);
    expect(() => r.objClassFromName('Widget', '1.2')).toThrow(
      'Version 1.2 of Widget is not supported, supported version is 1.1',
    );
    expect(() => r.objClassFromName('Widget', '2.0')).toThrow(IncompatibleObjectVersion);
    expect(() => r.objClassFromName('Widget', '1.1.1')).toThrow(IncompatibleObjectVersion);
    expect(() => r.objClassFromName('Gadget', '1.0')).toThrow(new UnsupportedObjectError('Gadget'));
  });
  it('obj_tree_get_versions walks object and list fields and reports unregistered children', () => {
    const parent = def(
      'Parent',
      '1.3',
      { w: field(obj('Widget')), ws: field({ kind: 'ListOfObjects', objName: 'Widget', subclasses: false }) },
      'ovo-manifest',
    );
    const r = new ObjectRegistry([widget10, widget11, parent]);
    expect(r.objTreeGetVersions('Parent')).toEqual({ Parent: '1.3', Widget: '1.1' });
    const broken = new ObjectRegistry([def('Parent', '1.0', { g: field(obj('Gadget')) }, 'ovo-manifest')]);
    expect(() => broken.objTreeGetVersions('Parent')).toThrow(UnregisteredSubobject);
    expect(() => broken.objTreeGetVersions('Parent')).toThrow(
      'Gadget is referenced by Parent but is not registered',
    );
  });
  it('view() keeps only the versions a peer has registered', () => {
    const r = new ObjectRegistry([widget10, widget11]);
    expect(r.view({ Widget: '1.0', Missing: '1.0' }).versionsOf('Widget')).toEqual(['1.0']);
  });
});

describe('instances', () => {
  it('track changes, coerce on set and lazy-load nothing', () => {
    const w = createObject(widget11, { id: '5' });
    expect(w.get('id')).toBe(5);
    expect([...w.whatChanged()]).toEqual(['id']);
    expect(w.isSet('name')).toBe(false);
    expect(() => w.get('name')).toThrow(new PyNotImplementedError("Cannot load 'name' in the base class"));
    expect(() => w.set('nope', 1)).toThrow(PyAttributeError);
    expect(() => w.set('id', null)).toThrow(PyValueError);
    w.resetChanges();
    expect(w.whatChanged().size).toBe(0);
  });
  it('list objects start with an empty, unchanged objects list', () => {
    const list = new VersionedObjectInstance(listDef('WidgetList', '1.0', 'Widget', 'ovo-manifest'));
    expect(list.get('objects')).toEqual([]);
    expect(list.whatChanged().size).toBe(0);
    expect(list.objTruthy()).toBe(false);
  });
  it('ephemeral objects set their defaults on init', () => {
    const d = def('Eph', '1.0', { n: field(int, { default: { kind: 'value', value: 3 } }) }, 'ovo-manifest', {
      setsDefaultsOnInit: true,
    });
    expect(new VersionedObjectInstance(d).get('n')).toBe(3);
  });
  it('a child change marks the parent field as changed', () => {
    const parent = def('Parent', '1.0', { w: field(obj('Widget')) }, 'ovo-manifest');
    const child = createObject(widget10, { id: 1 });
    const p = createObject(parent, { w: child });
    p.resetChanges();
    child.resetChanges();
    expect(p.whatChanged().size).toBe(0);
    child.set('id', 2);
    expect([...p.whatChanged()]).toEqual(['w']);
  });
});

describe('obj_to_primitive: the wire format', () => {
  it('has name, namespace, version, data and sorted changes; unset fields are absent', () => {
    const w = createObject(widget11, { size: 3, id: 1 });
    expect(objToPrimitive(w)).toEqual({
      'nova_object.name': 'Widget',
      'nova_object.namespace': 'nova',
      'nova_object.version': '1.1',
      'nova_object.data': { id: 1, size: 3 },
      'nova_object.changes': ['id', 'size'],
    });
    w.resetChanges();
    expect(Object.keys(objToPrimitive(w))).toEqual([
      'nova_object.name',
      'nova_object.namespace',
      'nova_object.version',
      'nova_object.data',
    ]);
  });
  it('None is serialised as null, distinct from unset', () => {
    const w = createObject(widget11, { id: 1, name: null });
    expect(dataOf(objToPrimitive(w))).toEqual({ id: 1, name: null });
  });
  it('filters changes to fields left in data (OVO 1.17) or keeps them (earlier)', () => {
    const w = createObject(widget11, { id: 1, size: 2 });
    expect(objToPrimitive(w, { targetVersion: '1.0' })['nova_object.changes']).toEqual(['id']);
    const old = objToPrimitive(w, {
      targetVersion: '1.0',
      era: eraConfig('ovo-manifest', { filterChanges: false }),
    });
    expect(old['nova_object.changes']).toEqual(['id', 'size']);
    expect(dataOf(old)).toEqual({ id: 1 });
    const onlySize = createObject(widget11, { size: 2 });
    expect(objToPrimitive(onlySize, { targetVersion: '1.0' })).not.toHaveProperty(['nova_object.changes']);
  });
  it('raises InvalidTargetVersion for a target above VERSION, including a hydrated older VERSION', () => {
    const w = createObject(widget11, { id: 1 });
    expect(() => objToPrimitive(w, { targetVersion: '1.2' })).toThrow(new InvalidTargetVersion('1.2'));
    const peer = new ObjectRegistry([widget11]);
    const loaded = objFromPrimitive(objToPrimitive(createObject(widget10, { id: 1 })), peer);
    expect(loaded.VERSION).toBe('1.0');
    expect(() => objToPrimitive(loaded, { targetVersion: '1.1' })).toThrow(InvalidTargetVersion);
  });
  it('pre-OVO eras run compat whenever a target is given and never reject newer targets', () => {
    const kilo = def('Widget', '1.1', widget11.fields, 'nova-kilo', {
      makeCompatible: widget11.makeCompatible,
    });
    const w = createObject(kilo, { id: 1, size: 2 });
    expect(objToPrimitive(w, { targetVersion: '1.5' })['nova_object.version']).toBe('1.5');
    expect(() => objToPrimitive(w, { manifest: { Widget: '1.0' } })).toThrow(ObjectModelError);
  });
  it('serialises DateTime with isotime and children at their own version', () => {
    const stamp = def('Stamp', '1.0', { at: field({ kind: 'DateTime', tzinfoAware: true }) }, 'ovo-manifest');
    const s = createObject(stamp, {
      at: new PyDateTime(
        { year: 2022, month: 3, day: 4, hour: 5, minute: 6, second: 7, microsecond: 8 },
        UTC,
      ),
    });
    expect(dataOf(objToPrimitive(s))).toEqual({ at: '2022-03-04T05:06:07Z' });
  });
});

describe('obj_from_primitive', () => {
  const registry = new ObjectRegistry([widget10, widget11]);
  const prim = objToPrimitive(createObject(widget11, { id: 4, size: 9 }));

  it('round trips a primitive and keeps the wire VERSION', () => {
    const back = objFromPrimitive(prim, registry);
    expect(back.def).toBe(widget11);
    expect(back.get('size')).toBe(9);
    expect(objToPrimitive(back)).toEqual(prim);
  });
  it('an older wire version hydrates into the newer class with VERSION = wire version', () => {
    const older = objToPrimitive(createObject(widget10, { id: 1 }));
    const peer = new ObjectRegistry([widget11]);
    const o = objFromPrimitive(older, peer);
    expect(o.def.version).toBe('1.1');
    expect(o.VERSION).toBe('1.0');
  });
  it('silently ignores unknown data keys and changes, and records them', () => {
    const peer = new ObjectRegistry([widget10]);
    const leaked = { ...prim, 'nova_object.version': '1.0' };
    const report: HydrationRecord[] = [];
    const o = objFromPrimitive(leaked, peer, { report });
    expect(o.ignoredDataKeys).toEqual(['size']);
    expect(o.ignoredChanges).toEqual(['size']);
    expect([...o.changedFields].sort()).toEqual(['id']);
    expect(report).toEqual([
      {
        path: 'Widget',
        name: 'Widget',
        version: '1.0',
        classVersion: '1.0',
        ignoredDataKeys: ['size'],
        ignoredChanges: ['size'],
      },
    ]);
  });
  it('raises UnsupportedObjectError for a foreign namespace or an unknown name', () => {
    expect(() => objFromPrimitive({ ...prim, 'nova_object.namespace': 'os_vif' }, registry)).toThrow(
      new UnsupportedObjectError('os_vif.Widget'),
    );
    expect(() => objFromPrimitive({ ...prim, 'nova_object.name': 'Gizmo' }, registry)).toThrow(
      new UnsupportedObjectError('Gizmo'),
    );
  });
  it('raises IncompatibleObjectVersion with the era-specific message', () => {
    const newer = { ...prim, 'nova_object.version': '1.7' };
    expect(() => objFromPrimitive(newer, registry)).toThrow(
      'Version 1.7 of Widget is not supported, supported version is 1.1',
    );
    expect(() => objFromPrimitive(newer, registry, { era: 'nova-kilo' })).toThrow(
      /^Version 1\.7 of Widget is not supported$/,
    );
  });
  it('raises KeyError / TypeError for malformed primitives', () => {
    const { 'nova_object.data': _data, ...noData } = prim;
    expect(() => objFromPrimitive(noData, registry)).toThrow(new PyKeyError('nova_object.data'));
    expect(() => objFromPrimitive({ 'nova_object.name': 'Widget' }, registry)).toThrow(PyKeyError);
    expect(() => objFromPrimitive('Widget', registry)).toThrow(PyTypeError);
    expect(() => objFromPrimitive({ ...prim, 'nova_object.version': 1.1 }, registry)).toThrow(PyTypeError);
    expect(() => objFromPrimitive({ ...prim, 'nova_object.data': 5 }, registry)).toThrow(PyTypeError);
    expect(objFromPrimitive({ ...prim, 'nova_object.data': [] }, registry).isSet('id')).toBe(false);
  });
  it('field errors propagate with the object path', () => {
    const bad = { ...prim, 'nova_object.data': { id: 'x' } };
    try {
      objFromPrimitive(bad, registry);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PyValueError);
      expect((e as PyValueError).objectPath).toBe('Widget.id');
    }
  });
  it('None in a non-nullable field is ValueError unless a default replaces it', () => {
    expect(() => objFromPrimitive({ ...prim, 'nova_object.data': { id: null } }, registry)).toThrow(
      "Field `id' cannot be None",
    );
    const withDefault = def(
      'Widget',
      '1.1',
      { id: field(int, { default: { kind: 'value', value: 0 } }) },
      'ovo-manifest',
    );
    const o = objFromPrimitive(
      { ...prim, 'nova_object.data': { id: null } },
      new ObjectRegistry([withDefault]),
    );
    expect(o.get('id')).toBe(0);
  });
  it('hydrates nested children through the registry and checks their names', () => {
    const parent = def('Parent', '1.0', { w: field(obj('Widget')) }, 'ovo-manifest');
    const r = new ObjectRegistry([widget10, widget11, parent]);
    const p = objToPrimitive(createObject(parent, { w: createObject(widget10, { id: 1 }) }));
    const report: HydrationRecord[] = [];
    const back = objFromPrimitive(p, r, { report });
    expect((back.get('w') as VersionedObjectInstance).VERSION).toBe('1.0');
    expect(report.map((x) => x.path)).toEqual(['Parent.w', 'Parent']);
    const wrong = structuredClone(p);
    (wrong['nova_object.data'] as Record<string, unknown>).w = objToPrimitive(createObject(parent, {}));
    expect(() => objFromPrimitive(wrong, r)).toThrow(
      'An object of type Widget is required in field w, not a Parent',
    );
  });
});

describe('serializer', () => {
  const registry = new ObjectRegistry([widget11]);
  it('strips .Z and retries', () => {
    const prim = objToPrimitive(createObject(widget11, { id: 1 }));
    const o = deserializeEntity(
      { ...prim, 'nova_object.version': '1.1.3' },
      registry,
    ) as VersionedObjectInstance;
    expect(o.VERSION).toBe('1.1');
  });
  it('backports through the indirection API with the manifest (OVO) or the failing supported version (Nova)', () => {
    const newer = { ...objToPrimitive(createObject(widget11, { id: 1 })), 'nova_object.version': '1.4' };
    const calls: unknown[] = [];
    const api = {
      objectBackportVersions: (p: Record<string, unknown>, m: Record<string, string>) => {
        calls.push(['versions', m]);
        return { ...p, 'nova_object.version': '1.1' };
      },
      objectBackport: (p: Record<string, unknown>, v: string) => {
        calls.push(['backport', v]);
        return { ...p, 'nova_object.version': v };
      },
    };
    const o = deserializeEntity([newer], registry, { indirection: api }) as VersionedObjectInstance[];
    expect(o[0]?.VERSION).toBe('1.1');
    expect(calls).toEqual([['versions', { Widget: '1.1' }]]);
    calls.length = 0;
    deserializeEntity(newer, registry, { indirection: api, era: 'nova-kilo' });
    expect(calls).toEqual([['backport', '1.1']]);
    expect(() => deserializeEntity(newer, registry)).toThrow(IncompatibleObjectVersion);
  });
  it('serialize_entity turns objects into primitives and sets into lists', () => {
    const w = createObject(widget11, { id: 1 });
    const out = serializeEntity({ a: [w] }) as Record<string, unknown[]>;
    expect(readPrimitive(out.a?.[0] as Record<string, never>).name).toBe('Widget');
  });
});

describe('ephemeral defaults the model cannot evaluate', () => {
  it('are left unset with a warning on init, but raise from an explicit obj_set_defaults', () => {
    const d = def(
      'Diag',
      '1.0',
      {
        n: field(int, { default: { kind: 'value', value: 1 } }),
        mem: field(obj('Mem'), { default: { kind: 'unrecognised', text: 'MemoryDiagnostics()' } }),
      },
      'ovo-manifest',
      { setsDefaultsOnInit: true },
    );
    const o = new VersionedObjectInstance(d);
    expect(o.get('n')).toBe(1);
    expect(o.isSet('mem')).toBe(false);
    expect(o.warnings).toEqual(['default of field mem cannot be evaluated: MemoryDiagnostics()']);
    expect(() => o.setDefaults('mem')).toThrow(ObjectModelError);
  });
});
