/**
 * Is a backleveled primitive what the receiving peer accepts? The per-version JSON Schemas of
 * src/objects (ajv; no key the version lacks, types the receiver's coercion accepts) plus what a
 * schema alone cannot say: every nested child is at a version the receiver's release knows (same
 * major, not newer than the release's manifest entry, and a version that existed at all).
 */

import type { Ajv, SchemaObject, ValidateFunction } from 'ajv';
import {
  ACCEPTS_KEYWORD,
  createReceiverAjv,
  ObjectSchemaValidator,
  objectSchemaId,
  type SchemaIssue,
} from '../../objects/json-schema.js';
import type { JsonObject, JsonValue, ObjectVersionDef, VersionManifest } from '../../objects/model.js';
import { objectFieldTarget } from '../../objects/model.js';
import type { ObjectRegistry } from '../../objects/registry.js';
import { compareVersions, majorOf } from '../../objects/versions.js';
import { interpretSchema, type Verdict } from './schema-interpreter.js';

export interface PrimitiveIssue {
  /** Data path: 'pci_devices', 'info_cache.network_info', 'objects[0].flavor'. */
  path: string;
  /** The top-level field involved (first segment of path), if any. */
  field: string | undefined;
  kind: 'unexpected-field' | 'child-version' | 'child-major' | 'type' | 'enum' | 'structure';
  message: string;
}

const NS = 'nova_object';

/** '/nova_object.data/info_cache/nova_object.data/foo' -> ['info_cache', 'foo']. */
function dataPath(pointer: string): string[] {
  const segs = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  const out: string[] = [];
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i] as string;
    if (s === `${NS}.data`) continue;
    if (s.startsWith(`${NS}.`)) {
      out.push(`<${s.slice(NS.length + 1)}>`);
      continue;
    }
    if (/^\d+$/.test(s) && out.length > 0) out[out.length - 1] = `${out[out.length - 1]}[${s}]`;
    else out.push(s);
  }
  return out;
}

function firstField(parts: string[]): string | undefined {
  const p = parts[0];
  if (!p || p.startsWith('<')) return undefined;
  return p.replace(/\[\d+\]$/, '');
}

/**
 * A per-version schema with nested object references cut to `{type: 'object'}`: each object node
 * of a primitive is validated against its own version's schema by the tree walk, which also
 * judges the nested versions against the receiver's release (what `$ref`s cannot know).
 */
function flatten(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(flatten);
  if (typeof node !== 'object' || node === null) return node;
  const o = node as Record<string, unknown>;
  if (typeof o.$ref === 'string') return { type: 'object' };
  if (Array.isArray(o.anyOf) && o.anyOf.every((x) => typeof (x as { $ref?: unknown }).$ref === 'string')) {
    return { type: 'object' };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = k === ACCEPTS_KEYWORD ? v : flatten(v);
  return out;
}

interface Interpreted {
  verdict: Verdict;
  /** The data keys the version has (additionalProperties: false), for the leak-only shortcut. */
  dataFields: Set<string> | undefined;
}

/**
 * 'fast' (default): the schema interpreter gives the verdict; a node rejected only for data keys
 * its version lacks gets ajv's errors synthesised, anything else goes to ajv (compiled lazily, for
 * the (object, version) schemas that reject such a node) for its error messages. 'ajv': every schema
 * compiled by ajv and every node validated by it (the reference the fast path is tested against).
 */
export type ValidationEngine = 'fast' | 'ajv';

export class PrimitiveChecker {
  readonly validator: ObjectSchemaValidator;
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly verdicts = new Map<string, Interpreted | null>();
  readonly stats = { compiled: 0, validated: 0, interpreted: 0, rejected: 0, disagreed: 0 };

  constructor(
    private readonly registry: ObjectRegistry,
    readonly engine: ValidationEngine = 'fast',
  ) {
    this.validator = new ObjectSchemaValidator(registry, { nestedVersions: 'compatible' });
    this.ajv = createReceiverAjv({ optimize: false });
  }

  private flatSchema(name: string, version: string): SchemaObject {
    const schema = flatten(this.validator.schemaFor(name, version)) as SchemaObject;
    delete schema.$id;
    return schema;
  }

  /** The flat schema of one (object, version), compiled once. */
  private flatValidator(name: string, version: string): ValidateFunction {
    const id = objectSchemaId(name, version);
    let fn = this.compiled.get(id);
    if (!fn) {
      fn = this.ajv.compile(this.flatSchema(name, version));
      this.compiled.set(id, fn);
      this.stats.compiled++;
    }
    return fn;
  }

  /** The interpreted flat schema (null: a keyword the interpreter leaves to ajv). */
  private verdict(name: string, version: string): Interpreted | null {
    const id = objectSchemaId(name, version);
    let v = this.verdicts.get(id);
    if (v === undefined) {
      const schema = this.flatSchema(name, version);
      const verdict = interpretSchema(schema);
      const data = (schema.properties as Record<string, SchemaObject> | undefined)?.[`${NS}.data`];
      v = verdict
        ? {
            verdict,
            dataFields:
              data?.additionalProperties === false && typeof data.properties === 'object'
                ? new Set(Object.keys(data.properties as object))
                : undefined,
          }
        : null;
      this.verdicts.set(id, v);
      if (v) this.stats.interpreted++;
    }
    return v;
  }

  /**
   * ajv's errors for a node the interpreter rejected, when the only thing wrong is data keys the
   * version lacks: exactly what ajv (allErrors) reports then, one additionalProperties error per
   * extra key in the data's key order. Undefined when something else is wrong too.
   */
  private leakOnlyErrors(prim: JsonObject, schema: Interpreted): SchemaIssue[] | undefined {
    const known = schema.dataFields;
    const data = prim[`${NS}.data`];
    if (!known || !isDict(data)) return undefined;
    const extra: string[] = [];
    const kept: JsonObject = {};
    for (const k in data) {
      if (!known.has(k)) extra.push(k);
      else if (k === '__proto__')
        Object.defineProperty(kept, k, { value: data[k], enumerable: true, writable: true });
      else kept[k] = data[k] as JsonValue;
    }
    if (extra.length === 0) return undefined;
    if (!schema.verdict({ ...prim, [`${NS}.data`]: kept })) return undefined;
    return extra.map((k) => ({
      path: `/${NS}.data`,
      keyword: 'additionalProperties',
      message: `unexpected key '${k}'`,
    }));
  }

  /**
   * Issues of `primitive` as (name, version) for a receiver whose release registered `manifest`
   * (undefined: only versions known to the history are required).
   */
  check(primitive: JsonObject, name: string, version: string, manifest?: VersionManifest): PrimitiveIssue[] {
    const issues: PrimitiveIssue[] = [];
    if (!this.registry.get(name, version)) {
      return [
        {
          path: '',
          field: undefined,
          kind: 'structure',
          message: `${name} ${version} is not a known version`,
        },
      ];
    }
    this.nested(primitive, name, version, manifest, [], issues);
    return dedupe(issues);
  }

  private validateNode(
    prim: JsonObject,
    name: string,
    version: string,
    path: string[],
    out: PrimitiveIssue[],
  ): void {
    this.stats.validated++;
    let errors: SchemaIssue[] | undefined;
    if (this.engine === 'fast') {
      const interpreted = this.verdict(name, version);
      if (interpreted?.verdict(prim)) return;
      this.stats.rejected++;
      if (interpreted) errors = this.leakOnlyErrors(prim, interpreted);
    }
    if (!errors) {
      const fn = this.flatValidator(name, version);
      if (fn(prim)) {
        if (this.engine === 'fast') this.stats.disagreed++;
        return;
      }
      errors = (fn.errors ?? []).map((e) => ({
        path: e.instancePath || '/',
        keyword: e.keyword,
        message:
          e.keyword === 'additionalProperties'
            ? `unexpected key '${(e.params as { additionalProperty: string }).additionalProperty}'`
            : (e.message ?? e.keyword),
      }));
    }
    for (const issue of this.fromSchema(errors)) {
      const p = [...path, ...(issue.path ? issue.path.split('.') : [])];
      out.push({
        ...issue,
        path: p.join('.'),
        field: firstField(p) ?? issue.field,
        message: path.length ? `${path.join('.')}.${issue.message}` : issue.message,
      });
    }
  }

  private nested(
    prim: JsonValue,
    name: string,
    version: string,
    manifest: VersionManifest | undefined,
    path: string[],
    out: PrimitiveIssue[],
  ): void {
    if (!isDict(prim)) return;
    const def: ObjectVersionDef | undefined = this.registry.get(name, version);
    if (!def) return;
    this.validateNode(prim, name, version, path, out);
    const data = prim[`${NS}.data`];
    if (!isDict(data)) return;
    for (const [field, f] of Object.entries(def.fields)) {
      const target = objectFieldTarget(f.type);
      if (!target || !Object.hasOwn(data, field)) continue;
      const value = data[field] as JsonValue;
      const items: [string, JsonValue][] = target.isList
        ? Array.isArray(value)
          ? value.map((v, i) => [`${field}[${i}]`, v])
          : []
        : [[field, value]];
      for (const [label, child] of items) {
        if (!isDict(child)) continue;
        const cname = child[`${NS}.name`];
        const cver = child[`${NS}.version`];
        if (typeof cname !== 'string' || typeof cver !== 'string') continue;
        const p = [...path, label];
        const shown = p.join('.');
        if (!this.registry.get(cname, cver)) {
          const known = this.registry.versionsOf(cname);
          out.push({
            path: shown,
            field: firstField(p),
            kind: 'child-version',
            message: `${shown} is ${cname} ${cver}, a version that never existed${known.length ? ` (known: ${[...known].reverse().join(', ')})` : ''}`,
          });
          continue;
        }
        if (manifest) {
          const shipped = manifest[cname];
          if (shipped === undefined) {
            out.push({
              path: shown,
              field: firstField(p),
              kind: 'child-version',
              message: `${shown} is ${cname} ${cver}, an object the receiver's release does not have`,
            });
            continue;
          }
          if (majorOf(shipped) !== majorOf(cver)) {
            out.push({
              path: shown,
              field: firstField(p),
              kind: 'child-major',
              message: `${shown} is ${cname} ${cver}, but the receiver's release has major version ${shipped}: no backport crosses a major version, so this peer is outside the supported upgrade window`,
            });
            continue;
          }
          if (compareVersions(cver, shipped) > 0) {
            out.push({
              path: shown,
              field: firstField(p),
              kind: 'child-version',
              message: `${shown} is ${cname} ${cver}, newer than the ${shipped} the receiver knows`,
            });
            continue;
          }
        }
        this.nested(child, cname, cver, manifest, p, out);
      }
    }
  }

  private fromSchema(errors: SchemaIssue[]): PrimitiveIssue[] {
    const out: PrimitiveIssue[] = [];
    for (const e of errors) {
      if (e.keyword === 'anyOf' || e.keyword === 'if') continue;
      const parts = dataPath(e.path);
      const extra = /^unexpected key '(.*)'$/.exec(e.message);
      if (extra) {
        const key = extra[1] as string;
        if (key.startsWith(`${NS}.`)) {
          out.push({
            path: parts.join('.'),
            field: firstField(parts),
            kind: 'structure',
            message: e.message,
          });
          continue;
        }
        const p = [...parts, key];
        out.push({
          path: p.join('.'),
          field: firstField(p),
          kind: 'unexpected-field',
          message: `${p.join('.')} is a field the receiving version does not have`,
        });
        continue;
      }
      const shown = parts.join('.') || '(primitive)';
      const kind: PrimitiveIssue['kind'] =
        e.keyword === 'enum' ? 'enum' : parts.some((p) => p.startsWith('<')) ? 'structure' : 'type';
      out.push({ path: shown, field: firstField(parts), kind, message: `${shown}: ${e.message}` });
    }
    return out;
  }
}

function dedupe(issues: PrimitiveIssue[]): PrimitiveIssue[] {
  const seen = new Set<string>();
  // A nullable field's failed `null` branch only repeats the real error at the same path.
  const pathsWithOther = new Set(issues.filter((i) => !/: must be null$/.test(i.message)).map((i) => i.path));
  return issues.filter((i) => {
    if (/: must be null$/.test(i.message) && pathsWithOther.has(i.path)) return false;
    const k = `${i.kind}\0${i.path}\0${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function isDict(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
