/**
 * Every JSON Schema the repository keeps under `schemas/` (config, rule data, reports), loaded into
 * one ajv instance by `$id`, compiled once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv, ValidateFunction } from 'ajv';
import { packagePath } from './package-root.js';

// ajv and ajv-formats (CommonJS) load on the first schema compilation, not on import: a worker
// whose rule tables come from the JSON cache never needs them.
const require = createRequire(import.meta.url);

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
    const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
    const addFormats = (require('ajv-formats') as { default: (ajv: Ajv) => Ajv }).default;
    ajv = new AjvClass({ allErrors: true, strict: false, allowUnionTypes: true });
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
