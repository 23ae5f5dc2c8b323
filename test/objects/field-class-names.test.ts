import { describe, expect, it } from 'vitest';
import { detectEra, ERAS, eraConfig, eraForNovaTag } from '../../src/objects/eras.js';
import {
  COMPOSITE_FIELD_CLASSES,
  fieldTypeForClassName,
  fieldTypeForTypeClass,
  knownFieldClassNames,
  novaEnumCatalog,
  parseEnumCatalog,
} from '../../src/objects/field-class-names.js';

describe('field class names', () => {
  it('map AutoTypedField classes, with or without a module prefix', () => {
    expect(fieldTypeForClassName('StringField')).toEqual({ kind: 'String' });
    expect(fieldTypeForClassName('fields.IntegerField')).toEqual({ kind: 'Integer' });
    expect(fieldTypeForClassName('obj_fields.UUIDField')).toEqual({ kind: 'UUID' });
    expect(fieldTypeForClassName('DateTimeField', { tzinfoAware: false })).toEqual({
      kind: 'DateTime',
      tzinfoAware: false,
    });
    expect(fieldTypeForClassName('NetworkModelField')).toEqual({ kind: 'NetworkModel' });
    expect(fieldTypeForClassName('XenAddressField')).toEqual({ kind: 'StringPattern', name: 'XenAddress' });
  });
  it('map every composite alias of the reference', () => {
    const expected = [
      'DictOfStringsField',
      'DictOfNullableStringsField',
      'DictOfIntegersField',
      'ListOfStringsField',
      'SetOfStringsField',
      'ListOfListsOfStringsField',
      'DictOfListOfStringsField',
      'DictOfSetOfIntegersField',
      'SetOfIntegersField',
      'ListOfSetsOfIntegersField',
      'ListOfIntegersField',
      'ListOfDictOfNullableStringsField',
      'ListOfUUIDField',
    ];
    for (const name of expected) expect(COMPOSITE_FIELD_CLASSES, name).toContain(name);
    expect(fieldTypeForClassName('DictOfNullableStringsField')).toEqual({
      kind: 'Dict',
      element: { type: { kind: 'String' }, nullable: true },
    });
    expect(fieldTypeForClassName('DictOfSetOfIntegersField')).toEqual({
      kind: 'Dict',
      element: {
        type: { kind: 'Set', element: { type: { kind: 'Integer' }, nullable: false } },
        nullable: false,
      },
    });
    expect(fieldTypeForClassName('ListOfEnumField', { validValues: ['a'] })).toEqual({
      kind: 'List',
      element: { type: { kind: 'Enum', name: null, validValues: ['a'] }, nullable: false },
    });
  });
  it('map object fields with their arguments', () => {
    expect(fieldTypeForClassName('ObjectField', { objName: 'Flavor' })).toEqual({
      kind: 'Object',
      objName: 'Flavor',
      subclasses: false,
    });
    expect(
      fieldTypeForClassName('ListOfObjectsField', { objName: 'LiveMigrateData', subclasses: true }),
    ).toEqual({
      kind: 'ListOfObjects',
      objName: 'LiveMigrateData',
      subclasses: true,
    });
    expect(fieldTypeForClassName('ObjectField')).toEqual({ kind: 'Unknown', pythonName: 'ObjectField' });
  });
  it('map named enum fields to Enum with catalog values, and unknown ones to any string', () => {
    const arch = fieldTypeForClassName('ArchitectureField');
    expect(arch).toMatchObject({ kind: 'Enum', name: 'Architecture' });
    expect((arch as { validValues: string[] }).validValues).toContain('x86_64');
    expect(fieldTypeForClassName('PointerModelField')).toMatchObject({ name: 'PointerModelType' });
    expect(fieldTypeForClassName('InstancePowerStateField')).toMatchObject({ indexed: true });
    expect(fieldTypeForClassName('FooBarField', {}, {})).toEqual({
      kind: 'Unknown',
      pythonName: 'FooBarField',
    });
    expect(fieldTypeForClassName('FooBarField', { validValues: null }, {})).toEqual({
      kind: 'Enum',
      name: 'FooBar',
      validValues: null,
    });
    expect(fieldTypeForClassName('DiskBusField', { validValues: ['ide'] })).toMatchObject({
      validValues: ['ide'],
    });
    expect(fieldTypeForClassName('EnumField', { validValues: ['x', 'y'] })).toEqual({
      kind: 'Enum',
      name: null,
      validValues: ['x', 'y'],
    });
  });
  it('maps FieldType class names and rejects descriptors', () => {
    expect(fieldTypeForTypeClass('fields.String')).toEqual({ kind: 'String' });
    expect(fieldTypeForTypeClass('DiskBus')).toMatchObject({ kind: 'Enum', name: 'DiskBus' });
    expect(fieldTypeForTypeClass('List')).toBeUndefined();
    expect(fieldTypeForClassName('DictProxyField')).toBeUndefined();
    expect(knownFieldClassNames()).toContain('ListOfObjectsField');
  });
  it('loads the bundled enum catalog and reports malformed catalogs with the file and key', () => {
    expect(Object.keys(novaEnumCatalog()).length).toBeGreaterThan(40);
    expect(novaEnumCatalog().InstancePowerState?.[1]).toBe('running');
    expect(() => parseEnumCatalog('{"enums": {"X": [1]}}', 'rules/x.json')).toThrow(
      'rules/x.json: enums.X must be a list of strings',
    );
    expect(() => parseEnumCatalog('nope', 'rules/x.json')).toThrow(/^rules\/x\.json: invalid JSON/);
  });
});

describe('eras', () => {
  it('detect the era from code facts, with an override', () => {
    const base = { importsOsloVersionedObjects: false, hasObjRelationships: false, hasChildVersions: true };
    expect(detectEra(base)).toBe('nova-2014');
    expect(detectEra({ ...base, hasObjRelationships: true })).toBe('nova-kilo');
    expect(detectEra({ ...base, importsOsloVersionedObjects: true, hasObjRelationships: true })).toBe(
      'ovo-liberty',
    );
    expect(detectEra({ ...base, importsOsloVersionedObjects: true })).toBe('ovo-manifest');
    expect(detectEra(base, 'ovo-manifest')).toBe('ovo-manifest');
  });
  it('map Nova release tags', () => {
    expect(eraForNovaTag('2014.1')).toBe('nova-2014');
    expect(eraForNovaTag('2014.2.3')).toBe('nova-2014');
    expect(eraForNovaTag('2015.1.0')).toBe('nova-kilo');
    expect(eraForNovaTag('12.0.0')).toBe('ovo-liberty');
    expect(eraForNovaTag('13.0.0')).toBe('ovo-manifest');
    expect(eraForNovaTag('31.0.0')).toBe('ovo-manifest');
    expect(eraForNovaTag('master')).toBeUndefined();
  });
  it('presets differ where the reference says they do, and switches can be overridden', () => {
    expect(ERAS['nova-2014'].listRule).toBe('child-versions-exact');
    expect(ERAS['nova-kilo'].kiloLastMappingBeyondRange).toBe(true);
    expect(ERAS['ovo-liberty'].compatTrigger).toBe('target-differs');
    expect(ERAS['ovo-manifest'].compatTrigger).toBe('target-differs-or-manifest');
    expect(eraConfig('nova-kilo', { kiloLastMappingBeyondRange: false }).kiloLastMappingBeyondRange).toBe(
      false,
    );
  });
});
