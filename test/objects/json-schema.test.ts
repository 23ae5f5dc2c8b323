import { describe, expect, it } from 'vitest';
import { shippedChildVersion } from '../../src/objects/child-version-map.js';
import { ObjectSchemaValidator, objectSchemaId, receiverAccepts } from '../../src/objects/json-schema.js';
import type { FieldTypeDesc, ObjectVersionDef } from '../../src/objects/model.js';
import { PyDateTime, PySet, UTC } from '../../src/objects/python-values.js';
import { ObjectRegistry } from '../../src/objects/registry.js';
import { createObject, objFromPrimitive, objToPrimitive } from '../../src/objects/versioned-object.js';
import { dataOf, def, field, int, listDef, obj, str } from './helpers.js';

const el = (type: FieldTypeDesc, nullable = false) => ({ type, nullable });

const kid10 = def('Kid', '1.0', { a: field(int) }, 'ovo-liberty');
const kid11 = def('Kid', '1.1', { a: field(int), b: field(str, { nullable: true }) }, 'ovo-liberty', {
  makeCompatible: [{ kind: 'drop-field', field: 'b', belowVersion: '1.1' }],
});
const parent10 = def('Parent', '1.0', { id: field(int) }, 'ovo-liberty');
const parent11 = def(
  'Parent',
  '1.1',
  {
    id: field(int),
    kid: field(obj('Kid'), { nullable: true }),
    tags: field({ kind: 'Set', element: el(str) }),
  },
  'ovo-liberty',
  { relationships: { kid: [['1.1', '1.0']] } },
);
const parent12 = def(
  'Parent',
  '1.2',
  {
    id: field(int),
    kid: field(obj('Kid'), { nullable: true }),
    tags: field({ kind: 'Set', element: el(str) }),
    when: field({ kind: 'DateTime', tzinfoAware: true }),
  },
  'ovo-liberty',
  {
    relationships: {
      kid: [
        ['1.1', '1.0'],
        ['1.2', '1.1'],
      ],
    },
    makeCompatible: [
      { kind: 'drop-field', field: 'when', belowVersion: '1.2' },
      { kind: 'drop-field', field: 'tags', belowVersion: '1.1' },
    ],
  },
);
const history = new ObjectRegistry([kid10, kid11, parent10, parent11, parent12]);

function populated() {
  return createObject(parent12, {
    id: 7,
    kid: createObject(kid11, { a: 1, b: 'x' }),
    tags: new PySet(['t']),
    when: new PyDateTime({ year: 2020, month: 1, day: 1 }, UTC),
  });
}

describe('child version map', () => {
  it('gives the last relationship at or below the parent version', () => {
    expect(shippedChildVersion(parent12, 'kid', 'Kid')).toEqual({
      kind: 'version',
      version: '1.1',
      source: 'relationships',
    });
    expect(shippedChildVersion(parent11, 'kid', 'Kid')).toEqual({
      kind: 'version',
      version: '1.0',
      source: 'relationships',
    });
    expect(shippedChildVersion(parent11, 'kid', 'Kid', { manifest: { Kid: '1.1' } })).toMatchObject({
      source: 'manifest',
    });
    expect(shippedChildVersion({ ...parent11, version: '1.0' }, 'kid', 'Kid').kind).toBe('absent');
  });
  it('reads legacy child_versions with the exact key first, then the newest below', () => {
    const list = listDef('KidList', '1.3', 'Kid', 'nova-2014', {
      childVersions: [
        ['1.0', '1.0'],
        ['1.2', '1.1'],
      ],
    });
    expect(shippedChildVersion(list, 'objects', 'Kid')).toMatchObject({
      version: '1.1',
      source: 'child-versions',
    });
    expect(shippedChildVersion({ ...list, version: '1.0' }, 'objects', 'Kid')).toMatchObject({
      version: '1.0',
    });
  });
});

describe('object schemas', () => {
  const validator = new ObjectSchemaValidator(history);

  it('are generated per (object, version) with the wrapper keys and a strict data dict', () => {
    const schema = validator.schemaFor('Parent', '1.1');
    expect(schema.$id).toBe(objectSchemaId('Parent', '1.1'));
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual([
      'nova_object.name',
      'nova_object.namespace',
      'nova_object.version',
      'nova_object.data',
    ]);
    const data = (schema.properties as Record<string, Record<string, unknown>>)['nova_object.data'] as Record<
      string,
      unknown
    >;
    expect(Object.keys(data.properties as object)).toEqual(['id', 'kid', 'tags']);
    expect(data.additionalProperties).toBe(false);
    expect(validator.schemas().has(objectSchemaId('Kid', '1.0'))).toBe(true);
  });
  it('accept a correct backport at every version', () => {
    for (const target of ['1.0', '1.1', '1.2']) {
      const prim = objToPrimitive(populated(), { targetVersion: target });
      expect(validator.validate(prim), target).toEqual({ valid: true, errors: [] });
    }
  });
  it('reject a data key the version lacks (which the real receiver silently drops)', () => {
    const leaky = def('Parent', '1.2', parent12.fields, 'ovo-liberty', {
      relationships: parent12.relationships,
      makeCompatible: [{ kind: 'drop-field', field: 'tags', belowVersion: '1.1' }],
    });
    const reg = new ObjectRegistry([kid10, kid11, parent10, parent11, leaky]);
    const prim = objToPrimitive(
      createObject(leaky, {
        id: 1,
        tags: new PySet([]),
        when: new PyDateTime({ year: 2020, month: 1, day: 1 }, UTC),
      }),
      { targetVersion: '1.1' },
    );
    const result = new ObjectSchemaValidator(reg).validate(prim);
    expect(result.valid).toBe(false);
    expect(result.errors).toContainEqual({
      path: '/nova_object.data',
      keyword: 'additionalProperties',
      message: "unexpected key 'when'",
    });
    const peer = objFromPrimitive(prim, reg.view({ Parent: '1.1', Kid: '1.0' }));
    expect(peer.ignoredDataKeys).toEqual(['when']);
  });
  it('reject a nested child newer than the version the parent version shipped with', () => {
    const prim = objToPrimitive(populated(), { targetVersion: '1.1' });
    const kid = dataOf(prim).kid as Record<string, unknown>;
    expect(kid['nova_object.version']).toBe('1.0');
    kid['nova_object.version'] = '1.1';
    kid['nova_object.data'] = { a: 1, b: 'x' };
    expect(validator.validate(prim).valid).toBe(false);
    const relaxed = new ObjectSchemaValidator(history, { nestedVersions: 'compatible' });
    expect(relaxed.validate(prim).valid).toBe(false);
    kid['nova_object.version'] = '1.0';
    kid['nova_object.data'] = { a: 1 };
    expect(relaxed.validate(prim).valid).toBe(true);
  });
  it('check wrapper constants, extra wrapper keys and changes', () => {
    const prim = objToPrimitive(populated(), { targetVersion: '1.2' });
    expect(validator.validate({ ...prim, 'nova_object.namespace': 'os_vif' }).valid).toBe(false);
    expect(validator.validate({ ...prim, extra: 1 }).valid).toBe(false);
    expect(validator.validate(prim, 'Parent', '1.1').valid).toBe(false);
    // Liberty senders did not filter changes, so by default unknown names pass for ovo-liberty defs.
    expect(validator.validate({ ...prim, 'nova_object.changes': ['nope'] }).valid).toBe(true);
    const strict = new ObjectSchemaValidator(history, { changesMustBeKnownFields: true });
    expect(strict.validate({ ...prim, 'nova_object.changes': ['nope'] }).valid).toBe(false);
    expect(strict.validate({ ...prim, 'nova_object.changes': ['id'] }).valid).toBe(true);
    const modern = def('M', '1.0', { a: field(int) }, 'ovo-manifest');
    const wrap = {
      'nova_object.name': 'M',
      'nova_object.namespace': 'nova',
      'nova_object.version': '1.0',
      'nova_object.data': {},
    };
    expect(
      new ObjectSchemaValidator(new ObjectRegistry([modern])).validate({
        ...wrap,
        'nova_object.changes': ['b'],
      }).valid,
    ).toBe(false);
    expect(validator.validate({ ...prim, 'nova_object.version': '9.9' }).errors[0]?.message).toBe(
      'Parent 9.9 is not registered',
    );
  });
});

describe('receiver-mode types', () => {
  const scalar = (type: FieldTypeDesc, extra: Partial<ObjectVersionDef['fields'][string]> = {}) => {
    const d = def('S', '1.0', { v: { type, nullable: false, ...extra } }, 'ovo-manifest');
    const v = new ObjectSchemaValidator(new ObjectRegistry([d]));
    return (value: unknown) =>
      v.validate({
        'nova_object.name': 'S',
        'nova_object.namespace': 'nova',
        'nova_object.version': '1.0',
        'nova_object.data': { v: value },
      }).valid;
  };
  it('follow the receiver coercion for scalars', () => {
    const i = scalar(int);
    expect([i(1), i('12'), i(1.9), i(true), i('x'), i([]), i(null)]).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    const s = scalar(str);
    expect([s('x'), s(1), s(false), s({}), s([])]).toEqual([true, true, true, false, false]);
    const b = scalar({ kind: 'Boolean' });
    expect([b('false'), b([]), b(null)]).toEqual([true, true, false]);
    const dt = scalar({ kind: 'DateTime', tzinfoAware: true });
    expect([dt('2020-01-01T00:00:00Z'), dt('2020-01-01'), dt('2020-02-30'), dt(5)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    const mac = scalar({ kind: 'MACAddress' });
    expect([mac('AA-BB-CC-DD-EE-FF'), mac('aa:bb')]).toEqual([true, false]);
    const ip = scalar({ kind: 'IPV4Address' });
    expect([ip('10.0.0.1'), ip('::1'), ip(167772161)]).toEqual([true, false, true]);
    const e = scalar({ kind: 'Enum', name: 'X', validValues: ['a', 'b'] });
    expect([e('a'), e('c')]).toEqual([true, false]);
    const nm = scalar({ kind: 'NetworkModel' });
    expect([nm('[]'), nm('[{"id": 1}]'), nm('{"x": 1}'), nm('nope')]).toEqual([true, true, false, false]);
  });
  it('accept null for nullable fields and for fields with a default only', () => {
    expect(scalar(int, { nullable: true })(null)).toBe(true);
    expect(scalar(int, { default: { kind: 'value', value: 1 } })(null)).toBe(true);
    expect(scalar(int)(null)).toBe(false);
  });
  it('require container shapes and validate elements', () => {
    const l = scalar({ kind: 'List', element: el(int) });
    expect([l([1, '2']), l(['x']), l('12'), l([null])]).toEqual([true, false, false, false]);
    const d = scalar({ kind: 'Dict', element: el(str, true) });
    expect([d({ a: 'x', b: null }), d({ a: [] }), d(['a'])]).toEqual([true, false, false]);
  });
  it('receiverAccepts exposes the Python error', () => {
    expect(receiverAccepts(int, 'x')).toEqual({
      ok: false,
      message: "ValueError: invalid literal for int() with base 10: 'x'",
    });
  });
});

describe('canonical mode', () => {
  it('accepts only what a sender produces', () => {
    const d = def(
      'C',
      '1.0',
      {
        n: field(int),
        t: field({ kind: 'DateTime', tzinfoAware: true }),
        s: field({ kind: 'Set', element: el(int) }),
      },
      'ovo-manifest',
    );
    const v = new ObjectSchemaValidator(new ObjectRegistry([d]), { mode: 'canonical' });
    const wrap = (data: Record<string, unknown>) => ({
      'nova_object.name': 'C',
      'nova_object.namespace': 'nova',
      'nova_object.version': '1.0',
      'nova_object.data': data,
    });
    expect(v.validate(wrap({ n: 1, t: '2020-01-01T00:00:00Z', s: [1, 2] })).valid).toBe(true);
    expect(v.validate(wrap({ n: '1' })).valid).toBe(false);
    expect(v.validate(wrap({ t: '2020-01-01' })).valid).toBe(false);
    expect(v.validate(wrap({ s: [1, 1] })).valid).toBe(false);
  });
});

describe('lists and manifests', () => {
  it('validate list children against the mapped child version', () => {
    const list = listDef('KidList', '1.1', 'Kid', 'ovo-liberty', {
      relationships: {
        objects: [
          ['1.0', '1.0'],
          ['1.1', '1.1'],
        ],
      },
    });
    const list10 = listDef('KidList', '1.0', 'Kid', 'ovo-liberty', {
      relationships: { objects: [['1.0', '1.0']] },
    });
    const reg = new ObjectRegistry([kid10, kid11, list, list10]);
    const l = createObject(list, { objects: [createObject(kid11, { a: 1, b: 'x' })] });
    const v = new ObjectSchemaValidator(reg);
    expect(v.validate(objToPrimitive(l, { targetVersion: '1.0' })).valid).toBe(true);
    expect(v.validate(objToPrimitive(l)).valid).toBe(true);
    const wrong = objToPrimitive(l);
    wrong['nova_object.version'] = '1.0';
    expect(v.validate(wrong).valid).toBe(false);
  });
  it('take child versions from a release manifest when given', () => {
    const d = def('Holder', '1.0', { kid: field(obj('Kid')) }, 'ovo-manifest');
    const reg = new ObjectRegistry([kid10, kid11, d]);
    const h = createObject(d, { kid: createObject(kid11, { a: 1 }) });
    const prim = objToPrimitive(h, { manifest: { Kid: '1.0' } });
    expect(new ObjectSchemaValidator(reg, { manifest: { Kid: '1.0' } }).validate(prim).valid).toBe(true);
    expect(new ObjectSchemaValidator(reg, { manifest: { Kid: '1.1' } }).validate(prim).valid).toBe(false);
    const unmapped = new ObjectSchemaValidator(reg);
    expect(unmapped.validate(prim).valid).toBe(true);
    expect(unmapped.notes.some((n) => n.includes('no child version for Kid'))).toBe(true);
  });
});
