/**
 * JSON Schema of the model's `ObjectVersionDef` (model.ts), for definitions written to disk by
 * the history extractor or kept as fixtures, and a loader that validates them. The same schema
 * is published as schemas/objects-version-def.schema.json (a test keeps the two identical).
 */
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import type { ObjectVersionDef } from './model.js';

const SIMPLE_KINDS = [
  'String',
  'SensitiveString',
  'VersionPredicate',
  'Integer',
  'NonNegativeInteger',
  'Float',
  'NonNegativeFloat',
  'Boolean',
  'FlexibleBoolean',
  'UUID',
  'MACAddress',
  'PCIAddress',
  'IPAddress',
  'IPV4Address',
  'IPV6Address',
  'IPV4AndV6Address',
  'IPNetwork',
  'IPV4Network',
  'IPV6Network',
  'NetworkModel',
  'NetworkVIFModel',
];

const VERSION = { type: 'string', pattern: '^[0-9]+\\.[0-9]+(\\.[0-9]+)?$' };
const PAIR = { type: 'array', items: VERSION, minItems: 2, maxItems: 2 };

export const OBJECT_VERSION_DEF_SCHEMA: SchemaObject = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://backlevel.dev/schemas/objects-version-def.schema.json',
  title: 'backlevel versioned-object definition (one class at one VERSION)',
  type: 'object',
  required: [
    'name',
    'version',
    'namespace',
    'fields',
    'relationships',
    'childVersions',
    'isList',
    'makeCompatible',
    'callsSuper',
    'remotableMethods',
    'era',
  ],
  properties: {
    name: { type: 'string', minLength: 1 },
    version: VERSION,
    namespace: { type: 'string' },
    fields: { type: 'object', additionalProperties: { $ref: '#/definitions/field' } },
    relationships: { type: 'object', additionalProperties: { type: 'array', items: PAIR } },
    childVersions: { type: 'array', items: PAIR },
    isList: { type: 'boolean' },
    makeCompatible: { type: 'array', items: { $ref: '#/definitions/action' } },
    overridesMakeCompatible: { type: 'boolean' },
    callsSuper: { type: 'boolean' },
    remotableMethods: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'classmethod', 'args', 'varargs', 'varkw', 'defaults'],
        properties: {
          name: { type: 'string' },
          classmethod: { type: 'boolean' },
          args: { type: 'array', items: { type: 'string' } },
          varargs: { type: ['string', 'null'] },
          varkw: { type: ['string', 'null'] },
          defaults: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    era: { enum: ['nova-2014', 'nova-kilo', 'ovo-liberty', 'ovo-manifest'] },
    mroNames: { type: 'array', items: { type: 'string' } },
    setsDefaultsOnInit: { type: 'boolean' },
    serialNamespace: { type: 'string' },
    source: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string' }, line: { type: 'integer' }, commit: { type: 'string' } },
    },
  },
  definitions: {
    default: {
      oneOf: [
        {
          type: 'object',
          required: ['kind', 'value'],
          properties: { kind: { const: 'value' }, value: true },
        },
        {
          type: 'object',
          required: ['kind', 'items'],
          properties: { kind: { enum: ['set', 'tuple'] }, items: { type: 'array' } },
        },
        {
          type: 'object',
          required: ['kind', 'text'],
          properties: { kind: { const: 'unrecognised' }, text: { type: 'string' } },
        },
      ],
    },
    element: {
      type: 'object',
      required: ['type', 'nullable'],
      properties: {
        type: { $ref: '#/definitions/type' },
        nullable: { type: 'boolean' },
        default: { $ref: '#/definitions/default' },
      },
    },
    field: {
      type: 'object',
      required: ['type', 'nullable'],
      properties: {
        type: { $ref: '#/definitions/type' },
        nullable: { type: 'boolean' },
        default: { $ref: '#/definitions/default' },
        readOnly: { type: 'boolean' },
      },
    },
    type: {
      type: 'object',
      required: ['kind'],
      oneOf: [
        { properties: { kind: { enum: SIMPLE_KINDS } } },
        {
          required: ['tzinfoAware'],
          properties: { kind: { const: 'DateTime' }, tzinfoAware: { type: 'boolean' } },
        },
        {
          required: ['name', 'validValues'],
          properties: {
            kind: { const: 'Enum' },
            name: { type: ['string', 'null'] },
            validValues: { oneOf: [{ type: 'null' }, { type: 'array', items: { type: 'string' } }] },
            indexed: { type: 'boolean' },
          },
        },
        {
          required: ['name'],
          properties: {
            kind: { const: 'StringPattern' },
            name: { enum: ['ResourceClass', 'USBAddress', 'SCSIAddress', 'IDEAddress', 'XenAddress'] },
          },
        },
        {
          required: ['element'],
          properties: { kind: { enum: ['List', 'Dict', 'Set'] }, element: { $ref: '#/definitions/element' } },
        },
        {
          required: ['objName', 'subclasses'],
          properties: {
            kind: { enum: ['Object', 'ListOfObjects'] },
            objName: { type: 'string' },
            subclasses: { type: 'boolean' },
          },
        },
        {
          required: ['pythonName'],
          properties: { kind: { const: 'Unknown' }, pythonName: { type: 'string' } },
        },
      ],
    },
    action: {
      type: 'object',
      required: ['kind'],
      oneOf: [
        {
          required: ['field', 'belowVersion'],
          properties: {
            kind: { const: 'drop-field' },
            field: { type: 'string' },
            belowVersion: VERSION,
            notBelow: VERSION,
            guarded: { type: 'boolean' },
          },
        },
        {
          required: ['field', 'belowVersion', 'how'],
          properties: {
            kind: { const: 'convert-field' },
            field: { type: 'string' },
            belowVersion: VERSION,
            notBelow: VERSION,
            how: {
              type: 'object',
              required: ['op'],
              properties: { op: { enum: ['set-constant', 'map-values', 'rename', 'opaque'] } },
            },
          },
        },
        {
          required: ['field', 'childVersion'],
          properties: {
            kind: { const: 'backport-child' },
            field: { type: 'string' },
            belowVersion: VERSION,
            notBelow: VERSION,
            childVersion: VERSION,
            guarded: { type: 'boolean' },
          },
        },
        {
          required: ['field', 'belowVersion', 'values'],
          properties: {
            kind: { const: 'raise-too-new-values' },
            field: { type: 'string' },
            belowVersion: VERSION,
            notBelow: VERSION,
            values: { type: 'array' },
          },
        },
        { properties: { kind: { const: 'super' } } },
        { required: ['text'], properties: { kind: { const: 'unrecognised' }, text: { type: 'string' } } },
      ],
    },
  },
};

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    compiled = ajv.compile(OBJECT_VERSION_DEF_SCHEMA);
  }
  return compiled;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`)
    .join('; ');
}

/**
 * Validate parsed JSON as one definition or a list of them; errors name the source and the JSON
 * pointer of the first problems.
 */
export function parseObjectVersionDefs(data: unknown, source: string): ObjectVersionDef[] {
  const items = Array.isArray(data) ? data : [data];
  const fn = validator();
  return items.map((item, i) => {
    if (!fn(item)) {
      const where = Array.isArray(data) ? `${source}[${i}]` : source;
      throw new Error(`${where}: not an object version definition: ${describeErrors(fn.errors)}`);
    }
    return item as ObjectVersionDef;
  });
}
