/**
 * From the field class names written in Nova / oslo.versionedobjects source (`StringField`,
 * `DictOfNullableStringsField`, `ListOfObjectsField`, `ArchitectureField` ...) and the FieldType
 * class names (`String`, `Integer`, `List`) to the runtime's `FieldTypeDesc`.
 *
 * Named Enum fields map to `Enum` with the values from an enum catalog (rules/nova-enums.json by
 * default); a named enum the catalog does not know becomes `Enum` with `validValues: null` (any
 * string). The extractor should pass the values it read from the source at that commit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INDEXED_ENUM_NAMES } from './field-types.js';
import type { ElementDef, FieldTypeDesc, StringPatternName } from './model.js';

/** Enum class name -> valid values. */
export type EnumCatalog = Record<string, string[]>;

/** Arguments the extractor read from the field constructor call. */
export interface FieldClassArgs {
  /** First positional argument of ObjectField / ListOfObjectsField. */
  objName?: string;
  subclasses?: boolean;
  /** `EnumField(valid_values)` / `ListOfEnumField(valid_values)`, or the values of a named enum. */
  validValues?: string[] | null;
  /** `DateTimeField(tzinfo_aware=...)`. */
  tzinfoAware?: boolean;
}

const el = (type: FieldTypeDesc, nullable = false): ElementDef => ({ type, nullable });
const STRING: FieldTypeDesc = { kind: 'String' };
const INTEGER: FieldTypeDesc = { kind: 'Integer' };

/** AutoTypedField classes whose type does not depend on arguments. */
const FIXED_FIELD_CLASSES: Record<string, FieldTypeDesc> = {
  StringField: STRING,
  SensitiveStringField: { kind: 'SensitiveString' },
  VersionPredicateField: { kind: 'VersionPredicate' },
  IntegerField: INTEGER,
  NonNegativeIntegerField: { kind: 'NonNegativeInteger' },
  FloatField: { kind: 'Float' },
  NonNegativeFloatField: { kind: 'NonNegativeFloat' },
  BooleanField: { kind: 'Boolean' },
  FlexibleBooleanField: { kind: 'FlexibleBoolean' },
  UUIDField: { kind: 'UUID' },
  MACAddressField: { kind: 'MACAddress' },
  PCIAddressField: { kind: 'PCIAddress' },
  IPAddressField: { kind: 'IPAddress' },
  IPV4AddressField: { kind: 'IPV4Address' },
  IPV6AddressField: { kind: 'IPV6Address' },
  IPV4AndV6AddressField: { kind: 'IPV4AndV6Address' },
  IPNetworkField: { kind: 'IPNetwork' },
  IPV4NetworkField: { kind: 'IPV4Network' },
  IPV6NetworkField: { kind: 'IPV6Network' },
  DictOfStringsField: { kind: 'Dict', element: el(STRING) },
  DictOfNullableStringsField: { kind: 'Dict', element: el(STRING, true) },
  DictOfIntegersField: { kind: 'Dict', element: el(INTEGER) },
  ListOfStringsField: { kind: 'List', element: el(STRING) },
  ListOfUUIDField: { kind: 'List', element: el({ kind: 'UUID' }) },
  DictOfListOfStringsField: { kind: 'Dict', element: el({ kind: 'List', element: el(STRING) }) },
  SetOfIntegersField: { kind: 'Set', element: el(INTEGER) },
  SetOfStringsField: { kind: 'Set', element: el(STRING) },
  ListOfSetsOfIntegersField: { kind: 'List', element: el({ kind: 'Set', element: el(INTEGER) }) },
  ListOfIntegersField: { kind: 'List', element: el(INTEGER) },
  ListOfDictOfNullableStringsField: {
    kind: 'List',
    element: el({ kind: 'Dict', element: el(STRING, true) }),
  },
  ListOfListsOfStringsField: { kind: 'List', element: el({ kind: 'List', element: el(STRING) }) },
  DictOfSetOfIntegersField: { kind: 'Dict', element: el({ kind: 'Set', element: el(INTEGER) }) },
  NetworkModelField: { kind: 'NetworkModel' },
  NetworkVIFModelField: { kind: 'NetworkVIFModel' },
  ResourceClassField: { kind: 'StringPattern', name: 'ResourceClass' },
  USBAddressField: { kind: 'StringPattern', name: 'USBAddress' },
  SCSIAddressField: { kind: 'StringPattern', name: 'SCSIAddress' },
  IDEAddressField: { kind: 'StringPattern', name: 'IDEAddress' },
  XenAddressField: { kind: 'StringPattern', name: 'XenAddress' },
};

/** Named enum fields whose enum class is not `<FieldName minus 'Field'>`. */
export const ENUM_FIELD_CLASS_TO_ENUM: Record<string, string> = {
  MaxPhysAddrModeField: 'MaxPhyAddrMode',
  PointerModelField: 'PointerModelType',
  SoundModelField: 'SoundModelType',
  USBControllerModelField: 'USBControllerModelType',
};

/** Composite aliases of the reference, for documentation and tests. */
export const COMPOSITE_FIELD_CLASSES = Object.keys(FIXED_FIELD_CLASSES).filter((k) =>
  /^(DictOf|ListOf|SetOf)/.test(k),
);

/** FieldType class names (`fields.String()`, Nova's `fields.NetworkModel()`) without arguments. */
const TYPE_CLASSES: Record<string, FieldTypeDesc> = {
  String: STRING,
  SensitiveString: { kind: 'SensitiveString' },
  VersionPredicate: { kind: 'VersionPredicate' },
  Integer: INTEGER,
  NonNegativeInteger: { kind: 'NonNegativeInteger' },
  Float: { kind: 'Float' },
  NonNegativeFloat: { kind: 'NonNegativeFloat' },
  Boolean: { kind: 'Boolean' },
  FlexibleBoolean: { kind: 'FlexibleBoolean' },
  UUID: { kind: 'UUID' },
  MACAddress: { kind: 'MACAddress' },
  PCIAddress: { kind: 'PCIAddress' },
  IPAddress: { kind: 'IPAddress' },
  IPV4Address: { kind: 'IPV4Address' },
  IPV6Address: { kind: 'IPV6Address' },
  IPV4AndV6Address: { kind: 'IPV4AndV6Address' },
  IPNetwork: { kind: 'IPNetwork' },
  IPV4Network: { kind: 'IPV4Network' },
  IPV6Network: { kind: 'IPV6Network' },
  NetworkModel: { kind: 'NetworkModel' },
  NetworkVIFModel: { kind: 'NetworkVIFModel' },
  ResourceClass: { kind: 'StringPattern', name: 'ResourceClass' },
  USBAddress: { kind: 'StringPattern', name: 'USBAddress' },
  SCSIAddress: { kind: 'StringPattern', name: 'SCSIAddress' },
  IDEAddress: { kind: 'StringPattern', name: 'IDEAddress' },
  XenAddress: { kind: 'StringPattern', name: 'XenAddress' },
};

function stripModule(name: string): string {
  const i = name.lastIndexOf('.');
  return i >= 0 ? name.slice(i + 1) : name;
}

function enumDesc(name: string | null, values: string[] | null | undefined): FieldTypeDesc {
  const desc: FieldTypeDesc = { kind: 'Enum', name, validValues: values ?? null };
  if (name !== null && INDEXED_ENUM_NAMES.has(name)) desc.indexed = true;
  return desc;
}

/**
 * `FieldTypeDesc` for a FieldType class name (`String`, `fields.Integer`, `Architecture`), or
 * undefined when the name needs arguments (List, Dict, Set, Object, Enum) or is unknown.
 */
export function fieldTypeForTypeClass(
  typeClassName: string,
  args: FieldClassArgs = {},
  catalog: EnumCatalog = novaEnumCatalog(),
): FieldTypeDesc | undefined {
  const name = stripModule(typeClassName);
  if (name === 'DateTime') return { kind: 'DateTime', tzinfoAware: args.tzinfoAware ?? true };
  if (name === 'Enum') return enumDesc(null, args.validValues);
  if (name === 'Object' && args.objName) {
    return { kind: 'Object', objName: args.objName, subclasses: args.subclasses ?? false };
  }
  const fixed = TYPE_CLASSES[name];
  if (fixed) return structuredClone(fixed);
  if (Object.hasOwn(catalog, name)) return enumDesc(name, args.validValues ?? catalog[name]);
  return undefined;
}

/**
 * `FieldTypeDesc` for a field class name as written in a `fields = {...}` dict. Unknown names give
 * `{kind: 'Unknown', pythonName}`; `DictProxyField` (a descriptor, not a field) gives undefined.
 */
export function fieldTypeForClassName(
  className: string,
  args: FieldClassArgs = {},
  catalog: EnumCatalog = novaEnumCatalog(),
): FieldTypeDesc | undefined {
  const name = stripModule(className);
  if (name === 'DictProxyField') return undefined;
  const fixed = FIXED_FIELD_CLASSES[name];
  if (fixed) return structuredClone(fixed);
  switch (name) {
    case 'DateTimeField':
      return { kind: 'DateTime', tzinfoAware: args.tzinfoAware ?? true };
    case 'ObjectField':
    case 'ListOfObjectsField':
      if (!args.objName) return { kind: 'Unknown', pythonName: className };
      return {
        kind: name === 'ObjectField' ? 'Object' : 'ListOfObjects',
        objName: args.objName,
        subclasses: args.subclasses ?? false,
      };
    case 'EnumField':
    case 'StateMachine':
      return enumDesc(null, args.validValues);
    case 'ListOfEnumField':
      return { kind: 'List', element: el(enumDesc(null, args.validValues)) };
  }
  if (name.endsWith('Field')) {
    const enumName = ENUM_FIELD_CLASS_TO_ENUM[name] ?? name.slice(0, -'Field'.length);
    if (Object.hasOwn(catalog, enumName)) return enumDesc(enumName, args.validValues ?? catalog[enumName]);
    if (args.validValues !== undefined) return enumDesc(enumName, args.validValues);
  }
  return { kind: 'Unknown', pythonName: className };
}

/** Every field class name with a fixed mapping (for listings and tests). */
export function knownFieldClassNames(): string[] {
  return [
    ...Object.keys(FIXED_FIELD_CLASSES),
    'DateTimeField',
    'ObjectField',
    'ListOfObjectsField',
    'EnumField',
    'ListOfEnumField',
  ];
}

/** Names of the StringPattern types. */
export const STRING_PATTERN_NAMES: StringPatternName[] = [
  'ResourceClass',
  'USBAddress',
  'SCSIAddress',
  'IDEAddress',
  'XenAddress',
];

let cachedCatalog: EnumCatalog | undefined;

/** Find `rules/nova-enums.json` above this module (works from src/ and from dist/). */
function findCatalogFile(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'rules', 'nova-enums.json');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** Parse an enum catalog file: `{"enums": {"Name": ["v", ...]}}`; errors name the file and key. */
export function parseEnumCatalog(text: string, file: string): EnumCatalog {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: invalid JSON: ${(e as Error).message}`);
  }
  const enums = (data as { enums?: unknown }).enums;
  if (typeof enums !== 'object' || enums === null || Array.isArray(enums)) {
    throw new Error(`${file}: key "enums" must be an object`);
  }
  const out: EnumCatalog = {};
  for (const [name, values] of Object.entries(enums)) {
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
      throw new Error(`${file}: enums.${name} must be a list of strings`);
    }
    out[name] = values as string[];
  }
  return out;
}

/** The bundled catalog of Nova enum values (empty when the file cannot be found). */
export function novaEnumCatalog(): EnumCatalog {
  if (cachedCatalog) return cachedCatalog;
  const file = findCatalogFile();
  cachedCatalog = file ? parseEnumCatalog(readFileSync(file, 'utf8'), file) : {};
  return cachedCatalog;
}
