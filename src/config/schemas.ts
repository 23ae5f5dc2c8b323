/**
 * Every JSON Schema the repository keeps under `schemas/` (config, rule data, reports), loaded into
 * one ajv instance by `$id`, compiled once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { packagePath } from './package-root.js';

// ajv-formats is CommonJS; its default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function listSchemaFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listSchemaFiles(p));
    else if (name.endsWith('.json')) out.push(p);
  }
  return out;
}

export function schemaRegistry(): Ajv {
  if (!ajv) {
    ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    addFormats(ajv);
    for (const file of listSchemaFiles(packagePath('schemas'))) {
      const schema = JSON.parse(readFileSync(file, 'utf8')) as { $id?: string };
      if (schema.$id) ajv.addSchema(schema);
    }
  }
  return ajv;
}

/** The validator for a schema `$id` kept in `schemas/`. */
export function compileSchema(id: string): ValidateFunction {
  let v = compiled.get(id);
  if (!v) {
    const found = schemaRegistry().getSchema(id);
    if (!found) throw new Error(`no schema with $id '${id}' under schemas/`);
    v = found;
    compiled.set(id, v);
  }
  return v;
}

/** ajv's errors as `path: message` lines. */
export function formatSchemaErrors(v: ValidateFunction): string[] {
  return (v.errors ?? []).map((e) => {
    const path = e.instancePath || '(root)';
    const extra =
      e.keyword === 'additionalProperties'
        ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'`
        : '';
    return `${path}: ${e.message}${extra}`;
  });
}
