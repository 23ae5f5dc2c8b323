import { describe, expect, it } from 'vitest';
import {
  KeyTypeError,
  ObjectModelError,
  PyAttributeError,
  PyIndexError,
  PyTypeError,
  PyValueError,
  ReadOnlyFieldError,
} from '../../src/objects/errors.js';
import {
  boolFromString,
  coerceField,
  coerceValue,
  type FieldContext,
  fieldFromPrimitive,
  fieldToPrimitive,
  hydrateFieldValue,
  isValidVersionPredicate,
} from '../../src/objects/field-types.js';
import type { FieldDef, FieldTypeDesc } from '../../src/objects/model.js';
import { ipAddress } from '../../src/objects/netaddr.js';
import { pyEquals } from '../../src/objects/python-builtins.js';
import {
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
  UTC,
} from '../../src/objects/python-values.js';
import { createObject } from '../../src/objects/versioned-object.js';
import { def, field, int, obj, str } from './helpers.js';

const ctx: FieldContext = { attr: 'f' };
const c = (type: FieldTypeDesc, v: PyValue): PyValue => coerceValue(type, v, ctx);
const el = (type: FieldTypeDesc, nullable = false) => ({ type, nullable });

/** coerce -> to_primitive -> JSON text -> from_primitive -> coerce gives an equal value. */
function roundTrip(type: FieldTypeDesc, value: PyValue): PyValue {
  const f: FieldDef = { type, nullable: false };
  const coerced = coerceField(f, value, ctx);
  const wire = JSON.parse(JSON.stringify(fieldToPrimitive(f, coerced, ctx)));
  return hydrateFieldValue(f, wire, ctx);
}

describe('String / SensitiveString', () => {
  it('accepts int, float, str and datetime and returns str()', () => {
    expect(c(str, 'x')).toBe('x');
    expect(c(str, 12)).toBe('12');
    expect(c(str, 1.5)).toBe('1.5');
    expect(c(str, new PyFloat(2))).toBe('2.0');
    expect(c(str, true)).toBe('True');
    expect(c({ kind: 'SensitiveString' }, false)).toBe('False');
    expect(c(str, new PyDateTime({ year: 2020, month: 1, day: 1 }, UTC))).toBe('2020-01-01 00:00:00+00:00');
  });
  it('rejects other types with the library message', () => {
    expect(() => c(str, [1])).toThrow(new PyValueError('A string is required in field f, not a list'));
    expect(() => c(str, {})).toThrow(PyValueError);
  });
});

describe('Integer family', () => {
  it('uses int() semantics', () => {
    expect(c(int, '12')).toBe(12);
    expect(c(int, 1.9)).toBe(1);
    expect(c(int, true)).toBe(1);
    expect(() => c(int, 'abc')).toThrow(PyValueError);
    expect(() => c(int, [])).toThrow(PyTypeError);
  });
  it('NonNegativeInteger rejects values below 0 after int()', () => {
    expect(c({ kind: 'NonNegativeInteger' }, '-0')).toBe(0);
    expect(c({ kind: 'NonNegativeInteger' }, -0.5)).toBe(0);
    expect(() => c({ kind: 'NonNegativeInteger' }, -1)).toThrow('Value must be >= 0 for field f');
  });
  it('Float and NonNegativeFloat use float()', () => {
    expect(c({ kind: 'Float' }, '1.25')).toEqual(new PyFloat(1.25));
    expect(c({ kind: 'Float' }, 3)).toEqual(new PyFloat(3));
    expect(() => c({ kind: 'NonNegativeFloat' }, '-0.1')).toThrow(PyValueError);
    expect(() => c({ kind: 'Float' }, 'x')).toThrow(PyValueError);
  });
});

describe('Boolean and FlexibleBoolean', () => {
  it('Boolean is truthiness: the string false is True', () => {
    expect(c({ kind: 'Boolean' }, 'false')).toBe(true);
    expect(c({ kind: 'Boolean' }, 0)).toBe(false);
    expect(c({ kind: 'Boolean' }, [])).toBe(false);
  });
  it('FlexibleBoolean is bool_from_string with default False', () => {
    expect(c({ kind: 'FlexibleBoolean' }, 'false')).toBe(false);
    expect(c({ kind: 'FlexibleBoolean' }, ' YES ')).toBe(true);
    expect(c({ kind: 'FlexibleBoolean' }, 1)).toBe(true);
    expect(c({ kind: 'FlexibleBoolean' }, 'maybe')).toBe(false);
    expect(boolFromString(true)).toBe(true);
  });
});

describe('DateTime', () => {
  const aware: FieldTypeDesc = { kind: 'DateTime', tzinfoAware: true };
  const naive: FieldTypeDesc = { kind: 'DateTime', tzinfoAware: false };
  it('attaches UTC to naive values and parses ISO strings', () => {
    const v = c(aware, new PyDateTime({ year: 2020, month: 2, day: 3 })) as PyDateTime;
    expect(v.tz).toEqual(UTC);
    expect((c(aware, '2020-02-03T04:05:06+01:00') as PyDateTime).tz?.offsetMinutes).toBe(60);
  });
  it('strips the zone when tzinfo_aware=False', () => {
    expect((c(naive, '2020-02-03T04:05:06+01:00') as PyDateTime).tz).toBeNull();
  });
  it('rejects non-datetimes', () => {
    expect(() => c(aware, 5)).toThrow('A datetime.datetime is required in field f, not a int');
    expect(() => c(aware, 'not a date')).toThrow(PyValueError);
  });
  it('serialises with isotime (microseconds dropped, Z) and round trips to an equal instant', () => {
    const d = new PyDateTime(
      { year: 2021, month: 7, day: 8, hour: 9, minute: 10, second: 11, microsecond: 999 },
      UTC,
    );
    expect(fieldToPrimitive({ type: aware, nullable: false }, d, ctx)).toBe('2021-07-08T09:10:11Z');
    const back = roundTrip(aware, d) as PyDateTime;
    expect(back.microsecond).toBe(0);
    expect(pyEquals(back, d.withMicrosecond(0))).toBe(true);
    expect(fieldFromPrimitive({ type: aware, nullable: false }, null, ctx)).toBeNull();
    expect(() => hydrateFieldValue({ type: aware, nullable: false }, 12, ctx)).toThrow(PyValueError);
  });
});

describe('UUID, MAC and PCI', () => {
  it('UUID is str() of anything; an invalid UUID only warns', () => {
    const warnings: string[] = [];
    const w: FieldContext = { attr: 'u', warn: (m) => warnings.push(m) };
    expect(coerceValue({ kind: 'UUID' }, 'not-a-uuid', w)).toBe('not-a-uuid');
    expect(coerceValue({ kind: 'UUID' }, 5, w)).toBe('5');
    expect(coerceValue({ kind: 'UUID' }, '{12345678-1234-5678-1234-567812345678}', w)).toBe(
      '{12345678-1234-5678-1234-567812345678}',
    );
    expect(warnings).toHaveLength(2);
  });
  it('MAC addresses are lower-cased and dashes become colons', () => {
    expect(c({ kind: 'MACAddress' }, 'AA-BB-CC-DD-EE-FF')).toBe('aa:bb:cc:dd:ee:ff');
    expect(() => c({ kind: 'MACAddress' }, 'aa:bb:cc:dd:ee')).toThrow('Malformed MAC aa:bb:cc:dd:ee');
    expect(() => c({ kind: 'MACAddress' }, 12)).toThrow(PyValueError);
  });
  it('PCI addresses are checked against the library pattern', () => {
    expect(c({ kind: 'PCIAddress' }, '0000:0A:1f.7')).toBe('0000:0a:1f.7');
    expect(() => c({ kind: 'PCIAddress' }, '0000:0a:2f.7')).toThrow('Malformed PCI address 0000:0a:2f.7');
  });
});

describe('IP addresses and networks', () => {
  it('coerces to netaddr objects with version checks', () => {
    expect(c({ kind: 'IPAddress' }, '10.0.0.1')).toBeInstanceOf(PyIPAddress);
    expect(() => c({ kind: 'IPV4Address' }, '::1')).toThrow('Network "::1" is not valid in field f');
    expect(() => c({ kind: 'IPV6Address' }, '10.0.0.1')).toThrow(PyValueError);
    expect((c({ kind: 'IPV4AndV6Address' }, '::1') as PyIPAddress).version).toBe(6);
    expect(c({ kind: 'IPV4Network' }, '10.0.0.0/8')).toBeInstanceOf(PyIPNetwork);
    expect(() => c({ kind: 'IPV6Network' }, '10.0.0.0/8')).toThrow(PyValueError);
  });
  it('serialises with str() and re-coerces on the way in', () => {
    expect(
      fieldToPrimitive({ type: { kind: 'IPAddress' }, nullable: false }, ipAddress('2001:db8::0:1'), ctx),
    ).toBe('2001:db8::1');
    expect(pyEquals(roundTrip({ kind: 'IPV6Address' }, '2001:DB8::1'), ipAddress('2001:db8::1'))).toBe(true);
    expect(String(roundTrip({ kind: 'IPNetwork' }, '192.168.1.7/24'))).toBe('192.168.1.7/24');
  });
});

describe('Enum', () => {
  const e: FieldTypeDesc = { kind: 'Enum', name: 'DiskBus', validValues: ['ide', 'virtio'] };
  it('requires membership then String coercion', () => {
    expect(c(e, 'virtio')).toBe('virtio');
    expect(() => c(e, 'scsi')).toThrow('Field value scsi is invalid');
    expect(() => c(e, 1)).toThrow(PyValueError);
  });
  it('unknown value lists accept any string', () => {
    expect(c({ kind: 'Enum', name: 'Mystery', validValues: null }, 'anything')).toBe('anything');
  });
  it('indexed enums map integers through ALL (InstancePowerState)', () => {
    const ps: FieldTypeDesc = {
      kind: 'Enum',
      name: 'InstancePowerState',
      validValues: ['pending', 'running', '_unused', 'paused'],
      indexed: true,
    };
    expect(c(ps, 1)).toBe('running');
    expect(c(ps, '3')).toBe('paused');
    expect(c(ps, -1)).toBe('paused');
    expect(c(ps, 'running')).toBe('running');
    expect(() => c(ps, 9)).toThrow(PyIndexError);
  });
});

describe('StringPattern and VersionPredicate', () => {
  it('ResourceClass is upper-cased and anchored', () => {
    expect(c({ kind: 'StringPattern', name: 'ResourceClass' }, 'custom_gpu')).toBe('CUSTOM_GPU');
    expect(() => c({ kind: 'StringPattern', name: 'ResourceClass' }, 'bad-name')).toThrow(PyValueError);
  });
  it('address patterns use re.match (start-anchored only) on str(value)', () => {
    expect(c({ kind: 'StringPattern', name: 'USBAddress' }, '1:2-trailing')).toBe('1:2-trailing');
    expect(c({ kind: 'StringPattern', name: 'XenAddress' }, 51712)).toBe('51712');
    expect(() => c({ kind: 'StringPattern', name: 'IDEAddress' }, '2:0')).toThrow(
      'Value must match [0-1]:[0-1]',
    );
  });
  it('version predicates are validated and returned unchanged', () => {
    expect(isValidVersionPredicate('>=1.0, <2.0')).toBe(true);
    expect(isValidVersionPredicate('1.0')).toBe(false);
    expect(isValidVersionPredicate('')).toBe(false);
    expect(c({ kind: 'VersionPredicate' }, '==1.5')).toBe('==1.5');
    expect(() => c({ kind: 'VersionPredicate' }, 'latest')).toThrow(PyValueError);
  });
});

describe('List, Dict and Set', () => {
  const listOfInt: FieldTypeDesc = { kind: 'List', element: el(int) };
  const dictOfStr: FieldTypeDesc = { kind: 'Dict', element: el(str) };
  const dictOfNullableStr: FieldTypeDesc = { kind: 'Dict', element: el(str, true) };
  const setOfInt: FieldTypeDesc = { kind: 'Set', element: el(int) };
  it('List accepts any iterable except str and mappings; elements are coerced', () => {
    expect(c(listOfInt, ['1', 2.5])).toEqual([1, 2]);
    expect(c(listOfInt, new PyTuple([3]))).toEqual([3]);
    expect(c(listOfInt, new PySet([4]))).toEqual([4]);
    expect(() => c(listOfInt, '12')).toThrow('A list is required in field f, not a str');
    expect(() => c(listOfInt, { a: 1 })).toThrow(PyValueError);
    expect(() => c(listOfInt, [null])).toThrow("Field `f[0]' cannot be None");
  });
  it('List from_primitive iterates whatever arrives (a str becomes its characters)', () => {
    const listOfStr: FieldDef = { type: { kind: 'List', element: el(str) }, nullable: false };
    expect(hydrateFieldValue(listOfStr, 'ab', ctx)).toEqual(['a', 'b']);
    expect(() => hydrateFieldValue(listOfStr, 5, ctx)).toThrow(PyTypeError);
  });
  it('Dict requires a dict with str keys and coerces values', () => {
    expect(c(dictOfStr, { a: 1 })).toEqual({ a: '1' });
    expect(() => c(dictOfStr, new PyDict([[1, 'x']]))).toThrow(KeyTypeError);
    expect(() => c(dictOfStr, new PyDict([[1, 'x']]))).toThrow('Key 1 must be of type str not int');
    expect(() => c(dictOfStr, ['a'])).toThrow('A dict is required in field f, not a list');
    expect(c(dictOfNullableStr, { a: null })).toEqual({ a: null });
    expect(() => c(dictOfStr, { a: null })).toThrow(PyValueError);
    expect(() => hydrateFieldValue({ type: dictOfStr, nullable: false }, ['a'], ctx)).toThrow(
      PyAttributeError,
    );
  });
  it('Set requires a set, travels as a list and comes back as a set', () => {
    expect(() => c(setOfInt, [1, 2])).toThrow('A set is required in field f, not a list');
    const s = c(setOfInt, new PySet(['1', 1, 2])) as PySet;
    expect(s.items).toEqual([1, 2]);
    expect(fieldToPrimitive({ type: setOfInt, nullable: false }, s, ctx)).toEqual([1, 2]);
    expect(pyEquals(roundTrip(setOfInt, new PySet([3, 1])), new PySet([1, 3]))).toBe(true);
    const setOfLists: FieldDef = {
      type: { kind: 'Set', element: el({ kind: 'List', element: el(int) }) },
      nullable: false,
    };
    expect(() => hydrateFieldValue(setOfLists, [[1]], ctx)).toThrow("unhashable type: 'list'");
  });
  it('nested composites round trip', () => {
    const listOfSets: FieldTypeDesc = { kind: 'List', element: el(setOfInt) };
    const v = roundTrip(listOfSets, [new PySet([1, 2]), new PySet([])]);
    expect(pyEquals(v, [new PySet([1, 2]), new PySet([])])).toBe(true);
    const dictOfLists: FieldTypeDesc = { kind: 'Dict', element: el({ kind: 'List', element: el(str) }) };
    expect(roundTrip(dictOfLists, { a: ['x', 1] })).toEqual({ a: ['x', '1'] });
  });
});

describe('Object and ListOfObjects', () => {
  const child = def('Child', '1.0', { name: field(str) }, 'ovo-manifest', { mroNames: ['Child', 'Base'] });
  const other = def('Other', '1.0', {}, 'ovo-manifest');
  it('checks obj_name, or the mro names with subclasses=True', () => {
    const kid = createObject(child, { name: 'k' });
    expect(c(obj('Child'), kid)).toBe(kid);
    expect(c(obj('Base', true), kid)).toBe(kid);
    expect(() => c(obj('Base'), kid)).toThrow('An object of type Base is required in field f, not a Child');
    expect(() => c(obj('Child'), createObject(other))).toThrow(PyValueError);
    expect(() => c(obj('Child'), { name: 'k' })).toThrow(
      'An object of type Child is required in field f, not a dict',
    );
    expect(() => coerceValue(obj('Child'), 'x', { attr: 'f', ownerModule: 'nova.objects.parent' })).toThrow(
      'An object of type nova.objects.parent.Child is required in field f, not a str',
    );
  });
  it('serialises children with their own obj_to_primitive', () => {
    const kid = createObject(child, { name: 'k' });
    const prim = fieldToPrimitive(
      { type: { kind: 'ListOfObjects', objName: 'Child', subclasses: false }, nullable: false },
      [kid],
      ctx,
    );
    expect(prim).toEqual([
      {
        'nova_object.name': 'Child',
        'nova_object.namespace': 'nova',
        'nova_object.version': '1.0',
        'nova_object.data': { name: 'k' },
        'nova_object.changes': ['name'],
      },
    ]);
  });
  it('from_primitive needs a hydration hook and passes hydrated objects through', () => {
    const kid = createObject(child, { name: 'k' });
    expect(fieldFromPrimitive({ type: obj('Child'), nullable: false }, kid, ctx)).toBe(kid);
    expect(() => fieldFromPrimitive({ type: obj('Child'), nullable: false }, {}, ctx)).toThrow(
      ObjectModelError,
    );
  });
});

describe('NetworkModel and NetworkVIFModel', () => {
  const vif = {
    id: 'v1',
    address: 'aa:bb:cc:dd:ee:ff',
    network: { subnets: [{ ips: [{ address: '10.0.0.2' }] }] },
  };
  it('travel as JSON strings in Python json.dumps format', () => {
    const wire = fieldToPrimitive(
      { type: { kind: 'NetworkModel' }, nullable: false },
      new PyNetworkInfo([new PyVIF(vif)]),
      ctx,
    );
    expect(typeof wire).toBe('string');
    expect(wire as string).toContain('"id": "v1"');
    const back = hydrateFieldValue(
      { type: { kind: 'NetworkModel' }, nullable: false },
      wire,
      ctx,
    ) as PyNetworkInfo;
    expect(back.vifs[0]?.data).toEqual(vif);
    const vifWire = fieldToPrimitive(
      { type: { kind: 'NetworkVIFModel' }, nullable: false },
      new PyVIF(vif),
      ctx,
    );
    expect(
      (hydrateFieldValue({ type: { kind: 'NetworkVIFModel' }, nullable: false }, vifWire, ctx) as PyVIF).data,
    ).toEqual(vif);
  });
  it('NetworkInfo.hydrate also takes a list, and checks the nested model', () => {
    const f: FieldDef = { type: { kind: 'NetworkModel' }, nullable: false };
    expect((hydrateFieldValue(f, [vif], ctx) as PyNetworkInfo).vifs).toHaveLength(1);
    expect(() => hydrateFieldValue(f, '["not a vif"]', ctx)).toThrow(PyTypeError);
    expect(() => hydrateFieldValue(f, '{not json', ctx)).toThrow(PyValueError);
    expect(() =>
      hydrateFieldValue(
        f,
        JSON.stringify([{ network: { subnets: [{ ips: [{ address: 'bogus' }] }] } }]),
        ctx,
      ),
    ).toThrow('Invalid IP format bogus');
    expect(() => coerceValue({ kind: 'NetworkModel' }, [vif], ctx)).toThrow(
      'A NetworkModel is required in field f',
    );
    expect(() =>
      hydrateFieldValue({ type: { kind: 'NetworkVIFModel' }, nullable: false }, { id: 1 }, ctx),
    ).toThrow(PyTypeError);
  });
});

describe('Field: None, defaults and read-only', () => {
  it('None is kept for nullable fields, replaced by the coerced default, else ValueError', () => {
    expect(coerceField({ type: int, nullable: true }, null, ctx)).toBeNull();
    expect(
      coerceField({ type: int, nullable: false, default: { kind: 'value', value: '7' } }, null, ctx),
    ).toBe(7);
    expect(() => coerceField({ type: int, nullable: false }, null, ctx)).toThrow("Field `f' cannot be None");
    const setDefault = coerceField(
      { type: { kind: 'Set', element: el(int) }, nullable: false, default: { kind: 'set', items: [] } },
      null,
      ctx,
    );
    expect(setDefault).toEqual(new PySet([]));
    expect(() =>
      coerceField(
        { type: int, nullable: false, default: { kind: 'unrecognised', text: 'CONST' } },
        null,
        ctx,
      ),
    ).toThrow(ObjectModelError);
  });
  it('to_primitive and from_primitive pass None through; the setattr enforces nullability', () => {
    const f: FieldDef = { type: int, nullable: false };
    expect(fieldToPrimitive(f, null, ctx)).toBeNull();
    expect(fieldFromPrimitive(f, null, ctx)).toBeNull();
    expect(() => hydrateFieldValue(f, null, ctx)).toThrow(PyValueError);
    expect(hydrateFieldValue({ ...f, default: { kind: 'value', value: 3 } }, null, ctx)).toBe(3);
  });
  it('a read-only field can be set once; the same value again is accepted', () => {
    const d = def('Ro', '1.0', { id: field(int, { readOnly: true }) }, 'ovo-manifest');
    const o = createObject(d, { id: 1 });
    o.resetChanges();
    o.set('id', '1');
    expect(o.whatChanged().size).toBe(0);
    expect(() => o.set('id', 2)).toThrow(ReadOnlyFieldError);
    expect(() => o.set('id', 2)).toThrow('Cannot modify readonly field id');
  });
});

describe('Unknown types', () => {
  it('pass values through untouched', () => {
    const u: FieldTypeDesc = { kind: 'Unknown', pythonName: 'fields.Frobnicator' };
    expect(c(u, [1, 'x'])).toEqual([1, 'x']);
    expect(roundTrip(u, { a: 1 })).toEqual({ a: 1 });
  });
});

describe('InstancePowerState without the indexed flag', () => {
  it('is still indexed by name', () => {
    const ps: FieldTypeDesc = {
      kind: 'Enum',
      name: 'InstancePowerState',
      validValues: ['pending', 'running'],
    };
    expect(c(ps, 0)).toBe('pending');
    expect(c({ kind: 'Enum', name: 'Other', validValues: ['pending', 'running'] }, 'running')).toBe(
      'running',
    );
    expect(() => c({ kind: 'Enum', name: 'Other', validValues: ['pending', 'running'] }, 0)).toThrow(
      PyValueError,
    );
  });
});
