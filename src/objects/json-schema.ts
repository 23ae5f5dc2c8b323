/**
 * JSON Schemas of object primitives, one per (object, version), compiled with ajv.
 *
 * A primitive at version v validates when an older peer that has v registered would accept it,
 * and the schema is stricter than that peer in three ways:
 * - no data key the version lacks (`additionalProperties: false`; the real receiver silently
 *   drops them), no wrapper key besides name/namespace/version/data/changes, and `changes` names
 *   only fields of the version;
 * - a nested child must be at the version the parent version maps to (child-version-map.ts),
 *   or, with `nestedVersions: 'compatible'`, at a registered version the peer accepts;
 * - containers must have their wire shape (JSON array for List/Set, object for Dict), although
 *   Python would also iterate a str or a dict into a list.
 *
 * In 'receiver' mode scalar values are checked with the receiver's own coercion (custom keyword
 * `x-ovo-accepts`, the same code objFromPrimitive runs: int('12'), str(1.5), bool('false'), ISO
 * strings ...). 'canonical' mode accepts only what a sender's to_primitive produces.
 */
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import { compatibleRegisteredVersions, shippedChildVersion } from './child-version-map.js';
import { ERAS, type EraConfig, type EraName } from './eras.js';
import { PythonError } from './errors.js';
import { hydrateFieldValue, isIndexedEnum } from './field-types.js';
import type { ElementDef, FieldDef, FieldTypeDesc, ObjectVersionDef, VersionManifest } from './model.js';
import type { PyValue } from './python-values.js';
import type { ObjectRegistry } from './registry.js';
import { resolveEra } from './versioned-object.js';

export type SchemaMode = 'receiver' | 'canonical';

export interface ObjectSchemaOptions {
  mode?: SchemaMode;
  /** 'exact' (default): the shipped child version only; 'compatible': any registered version the peer accepts. */
  nestedVersions?: 'exact' | 'compatible';
  /** Child versions of the receiving release ({objname: version}); overrides the definitions' tables. */
  manifest?: VersionManifest;
  /** Namespaces come from the era (default ovo-manifest: nova_object / nova). */
  era?: EraName | EraConfig;
  /**
   * The top-level `changes` may name only fields of the version (checked by `validate`, not by
   * the schemas). Default: what the definition's era does (OVO 1.17.0+ filters the top-level
   * changes to the data keys; earlier senders leave dropped fields in, which the receiver filters
   * silently). Nested children's changes are never filtered by any release (they are computed by
   * the child's own obj_to_primitive before the parent's compat step), so they are not checked.
   */
  changesMustBeKnownFields?: boolean;
}

export const ACCEPTS_KEYWORD = 'x-ovo-accepts';

type ResolvedOptions = Required<Pick<ObjectSchemaOptions, 'mode' | 'nestedVersions'>> &
  Pick<ObjectSchemaOptions, 'manifest' | 'changesMustBeKnownFields'> & { era: EraConfig };

export function objectSchemaId(name: string, version: string): string {
  return `urn:backlevel:object:${encodeURIComponent(name)}:${version}`;
}

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'null';
const ANY_NON_NULL: JsonType[] = ['string', 'number', 'boolean', 'array', 'object'];

/** JSON types a receiver's from_primitive + coerce can accept for a scalar kind. */
function receiverJsonTypes(type: FieldTypeDesc): JsonType[] | undefined {
  switch (type.kind) {
    case 'String':
    case 'SensitiveString':
      return ['string', 'number', 'boolean'];
    case 'VersionPredicate':
    case 'DateTime':
    case 'MACAddress':
    case 'PCIAddress':
    case 'IPNetwork':
    case 'IPV4Network':
    case 'IPV6Network':
    case 'NetworkVIFModel':
      return ['string'];
    case 'Integer':
    case 'NonNegativeInteger':
    case 'Float':
    case 'NonNegativeFloat':
    case 'IPAddress':
    case 'IPV4Address':
    case 'IPV6Address':
    case 'IPV4AndV6Address':
      return ['string', 'number', 'boolean'];
    case 'Boolean':
    case 'FlexibleBoolean':
    case 'UUID':
      return ANY_NON_NULL;
    case 'StringPattern':
      return type.name === 'ResourceClass' ? ['string'] : ANY_NON_NULL;
    case 'Enum':
      return ['string', 'number', 'boolean'];
    case 'NetworkModel':
      return ['string', 'array'];
    default:
      return undefined;
  }
}

const DATETIME_PATTERN = '^[0-9]{1,4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$';
const UUID_PATTERN = '^[a-fA-F0-9]{8}-?[a-fA-F0-9]{4}-?[a-fA-F0-9]{4}-?[a-fA-F0-9]{4}-?[a-fA-F0-9]{12}$';

/** Canonical (sender output) schema for a scalar kind. */
function canonicalScalar(type: FieldTypeDesc): SchemaObject | undefined {
  switch (type.kind) {
    case 'String':
    case 'SensitiveString':
      return { type: 'string' };
    case 'Integer':
      return { type: 'integer' };
    case 'NonNegativeInteger':
      return { type: 'integer', minimum: 0 };
    case 'Float':
      return { type: 'number' };
    case 'NonNegativeFloat':
      return { type: 'number', minimum: 0 };
    case 'Boolean':
    case 'FlexibleBoolean':
      return { type: 'boolean' };
    case 'DateTime':
      return { type: 'string', pattern: DATETIME_PATTERN };
    case 'UUID':
      return { type: 'string', pattern: UUID_PATTERN };
    case 'MACAddress':
      return { type: 'string', pattern: '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$' };
    case 'PCIAddress':
      return { type: 'string', pattern: '^[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f].[0-7]$' };
    case 'Enum':
      if (type.validValues !== null && type.validValues.length > 0)
        return { type: 'string', enum: [...type.validValues] };
      return { type: 'string' };
    case 'VersionPredicate':
    case 'IPAddress':
    case 'IPV4Address':
    case 'IPV6Address':
    case 'IPV4AndV6Address':
    case 'IPNetwork':
    case 'IPV4Network':
    case 'IPV6Network':
    case 'StringPattern':
    case 'NetworkModel':
    case 'NetworkVIFModel':
      return { type: 'string', [ACCEPTS_KEYWORD]: type };
    case 'Unknown':
      return {};
    default:
      return undefined;
  }
}

/** Builds the schema of one (object, version) and records which others it references. */
class SchemaBuilder {
  readonly refs = new Set<string>();
  readonly notes: string[] = [];
  private readonly refTargets = new Map<string, [string, string]>();

  constructor(
    private readonly registry: ObjectRegistry,
    private readonly opts: ResolvedOptions,
  ) {}

  referenced(): [string, string][] {
    return [...this.refTargets.values()];
  }

  build(def: ObjectVersionDef): SchemaObject {
    const ns = def.serialNamespace ?? this.opts.era.serialNamespace;
    const properties: Record<string, SchemaObject | boolean> = {};
    for (const [name, field] of Object.entries(def.fields)) {
      properties[name] = this.fieldSchema(def, name, field);
    }
    const changes: SchemaObject = { type: 'array', items: { type: 'string' } };
    return {
      $id: objectSchemaId(def.name, def.version),
      title: `${def.name} ${def.version}`,
      type: 'object',
      properties: {
        [`${ns}.name`]: { const: def.name },
        [`${ns}.namespace`]: { const: def.namespace },
        [`${ns}.version`]: { const: def.version },
        [`${ns}.data`]: { type: 'object', properties, additionalProperties: false },
        [`${ns}.changes`]: changes,
      },
      required: [`${ns}.name`, `${ns}.namespace`, `${ns}.version`, `${ns}.data`],
      additionalProperties: false,
    };
  }

  private acceptsNull(field: FieldDef | ElementDef): boolean {
    if (field.nullable) return true;
    return (
      this.opts.mode === 'receiver' && field.default !== undefined && field.default.kind !== 'unrecognised'
    );
  }

  private withNull(schema: SchemaObject | boolean, nullable: boolean): SchemaObject | boolean {
    if (!nullable) return schema;
    if (schema === false) return { type: 'null' };
    if (schema === true) return true;
    return { anyOf: [{ type: 'null' }, schema] };
  }

  private fieldSchema(
    def: ObjectVersionDef,
    name: string,
    field: FieldDef | ElementDef,
  ): SchemaObject | boolean {
    return this.withNull(this.typeSchema(def, name, field.type), this.acceptsNull(field));
  }

  private typeSchema(def: ObjectVersionDef, name: string, type: FieldTypeDesc): SchemaObject | boolean {
    switch (type.kind) {
      case 'List':
        return { type: 'array', items: this.fieldSchema(def, name, type.element) };
      case 'Set':
        return {
          type: 'array',
          items: this.fieldSchema(def, name, type.element),
          ...(this.opts.mode === 'canonical' ? { uniqueItems: true } : {}),
        };
      case 'Dict':
        return { type: 'object', additionalProperties: this.fieldSchema(def, name, type.element) };
      case 'Object':
        return this.objectRef(def, name, type.objName, type.subclasses);
      case 'ListOfObjects':
        return { type: 'array', items: this.objectRef(def, name, type.objName, type.subclasses) };
      default:
        return this.scalarSchema(type);
    }
  }

  private scalarSchema(type: FieldTypeDesc): SchemaObject {
    if (this.opts.mode === 'canonical') return canonicalScalar(type) ?? {};
    if (type.kind === 'Unknown') return {};
    if (
      type.kind === 'Enum' &&
      !isIndexedEnum(type) &&
      type.validValues !== null &&
      type.validValues.length > 0
    ) {
      return { enum: [...type.validValues] };
    }
    const types = receiverJsonTypes(type);
    return { ...(types ? { type: types.length === 1 ? types[0] : types } : {}), [ACCEPTS_KEYWORD]: type };
  }

  private objectRef(
    def: ObjectVersionDef,
    field: string,
    objName: string,
    subclasses: boolean,
  ): SchemaObject | boolean {
    const names = subclasses ? this.registry.subclassNamesOf(objName) : [objName];
    const targets: [string, string][] = [];
    for (const childName of names) {
      const registered = this.registry.versionsOf(childName);
      if (registered.length === 0) {
        this.notes.push(`${def.name} ${def.version}.${field}: child ${childName} is not registered`);
        continue;
      }
      const res = shippedChildVersion(
        def,
        field,
        childName,
        this.opts.manifest ? { manifest: this.opts.manifest } : {},
      );
      let versions: string[];
      if (res.kind === 'version') {
        versions =
          this.opts.nestedVersions === 'exact'
            ? registered.filter((v) => v === res.version)
            : compatibleRegisteredVersions(this.registry, childName, res.version);
        if (versions.length === 0) {
          const major = res.version.split('.')[0];
          versions = registered.filter((v) => v.split('.')[0] === major);
          this.notes.push(
            `${def.name} ${def.version}.${field}: shipped ${childName} ${res.version} (${res.source}) is not registered; registered ${childName} ${versions.join(', ') || '(none of that major)'} accepted instead`,
          );
        }
      } else {
        this.notes.push(
          `${def.name} ${def.version}.${field}: no child version for ${childName} (${res.kind === 'absent' ? res.reason : 'no manifest, relationships or child_versions'}); any registered version accepted`,
        );
        versions = registered;
      }
      for (const v of versions) targets.push([childName, v]);
    }
    if (targets.length === 0) return false;
    const refs = targets.map(([n, v]) => {
      const id = objectSchemaId(n, v);
      this.refs.add(id);
      this.refTargets.set(id, [n, v]);
      return { $ref: id };
    });
    return refs.length === 1 ? (refs[0] as SchemaObject) : { anyOf: refs };
  }
}

/** The receiver's verdict on one scalar wire value (the code behind `x-ovo-accepts`). */
export function receiverAccepts(
  type: FieldTypeDesc,
  value: PyValue,
): { ok: true } | { ok: false; message: string } {
  try {
    hydrateFieldValue({ type, nullable: false }, value, { attr: 'value' });
    return { ok: true };
  } catch (e) {
    if (e instanceof PythonError) return { ok: false, message: `${e.pythonName}: ${e.message}` };
    return { ok: false, message: (e as Error).message };
  }
}

export interface SchemaIssue {
  /** JSON pointer into the primitive. */
  path: string;
  keyword: string;
  message: string;
}

export interface SchemaValidationResult {
  valid: boolean;
  errors: SchemaIssue[];
}

function formatErrors(errors: ErrorObject[] | null | undefined): SchemaIssue[] {
  return (errors ?? []).map((e) => ({
    path: e.instancePath || '/',
    keyword: e.keyword,
    message:
      e.keyword === 'additionalProperties'
        ? `unexpected key '${(e.params as { additionalProperty: string }).additionalProperty}'`
        : (e.message ?? e.keyword),
  }));
}

/**
 * An ajv instance that knows the `x-ovo-accepts` keyword: a scalar validates when the receiver's own
 * coercion (`receiverAccepts`) accepts it. `optimize: false` trades ajv's code optimisation for
 * faster compiles, for callers that compile many schemas once each.
 */
export function createReceiverAjv(opts: { optimize?: boolean } = {}): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    strictTypes: false,
    allowUnionTypes: true,
    ...(opts.optimize === false ? { code: { optimize: false } } : {}),
  });
  const accepts: ((schema: FieldTypeDesc, data: unknown) => boolean) & { errors?: Partial<ErrorObject>[] } = (
    schema,
    data,
  ) => {
    const verdict = receiverAccepts(schema, data as PyValue);
    accepts.errors = verdict.ok
      ? []
      : [{ keyword: ACCEPTS_KEYWORD, message: verdict.message, params: { kind: schema.kind } }];
    return verdict.ok;
  };
  ajv.addKeyword({ keyword: ACCEPTS_KEYWORD, schemaType: 'object', validate: accepts, errors: true });
  return ajv;
}

/** Builds, compiles and applies the schemas of one registry (a history or a peer's view). */
export class ObjectSchemaValidator {
  readonly notes: string[] = [];
  private readonly ajv: Ajv;
  private readonly built = new Map<string, SchemaObject>();
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly opts: ResolvedOptions;

  constructor(
    private readonly registry: ObjectRegistry,
    opts: ObjectSchemaOptions = {},
  ) {
    this.opts = {
      mode: opts.mode ?? 'receiver',
      nestedVersions: opts.nestedVersions ?? 'exact',
      ...(opts.changesMustBeKnownFields !== undefined
        ? { changesMustBeKnownFields: opts.changesMustBeKnownFields }
        : {}),
      era: resolveEra(opts.era, 'ovo-manifest'),
      ...(opts.manifest ? { manifest: opts.manifest } : {}),
    };
    this.ajv = createReceiverAjv();
  }

  /** The schema of (name, version), building (and registering with ajv) everything it references. */
  schemaFor(name: string, version: string): SchemaObject {
    const id = objectSchemaId(name, version);
    const existing = this.built.get(id);
    if (existing) return existing;
    const pending: [string, string][] = [[name, version]];
    while (pending.length > 0) {
      const [n, v] = pending.pop() as [string, string];
      const sid = objectSchemaId(n, v);
      if (this.built.has(sid)) continue;
      const def = this.registry.require(n, v);
      const builder = new SchemaBuilder(this.registry, this.opts);
      const schema = builder.build(def);
      this.built.set(sid, schema);
      this.notes.push(...builder.notes);
      for (const target of builder.referenced()) {
        if (!this.built.has(objectSchemaId(...target))) pending.push(target);
      }
    }
    return this.built.get(id) as SchemaObject;
  }

  /** Every schema built so far, by `$id`. */
  schemas(): Map<string, SchemaObject> {
    return new Map(this.built);
  }

  private validator(name: string, version: string): ValidateFunction {
    const id = objectSchemaId(name, version);
    const cached = this.compiled.get(id);
    if (cached) return cached;
    this.schemaFor(name, version);
    for (const [sid, schema] of this.built) {
      if (!this.ajv.getSchema(sid)) this.ajv.addSchema(schema, sid);
    }
    const fn = this.ajv.getSchema(id) as ValidateFunction;
    this.compiled.set(id, fn);
    return fn;
  }

  /**
   * Validate a primitive as the (name, version) given, or as what its wrapper claims. A claimed
   * (name, version) that is not in the registry is reported as an error, not thrown.
   */
  validate(primitive: unknown, name?: string, version?: string): SchemaValidationResult {
    const ns = this.opts.era.serialNamespace;
    const wrapper = (primitive ?? {}) as Record<string, unknown>;
    const n = name ?? wrapper[`${ns}.name`];
    const v = version ?? wrapper[`${ns}.version`];
    if (typeof n !== 'string' || typeof v !== 'string') {
      return {
        valid: false,
        errors: [{ path: '/', keyword: 'required', message: 'not an object primitive' }],
      };
    }
    if (!this.registry.get(n, v)) {
      return {
        valid: false,
        errors: [{ path: '/', keyword: 'registry', message: `${n} ${v} is not registered` }],
      };
    }
    const fn = this.validator(n, v);
    const errors = (fn(primitive) as boolean) ? [] : formatErrors(fn.errors);
    const def = this.registry.require(n, v);
    const strictChanges = this.opts.changesMustBeKnownFields ?? ERAS[def.era]?.filterChanges ?? true;
    const changes = wrapper[`${ns}.changes`];
    if (strictChanges && Array.isArray(changes)) {
      changes.forEach((c, i) => {
        if (typeof c === 'string' && !Object.hasOwn(def.fields, c)) {
          errors.push({
            path: `/${ns}.changes/${i}`,
            keyword: 'changes',
            message: `'${c}' is not a field of ${n} ${v}`,
          });
        }
      });
    }
    return { valid: errors.length === 0, errors };
  }
}
