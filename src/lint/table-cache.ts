/**
 * Reads a YAML rule table, validated against its JSON Schema, through a content-keyed JSON cache
 * (`env-paths('backlevel').cache/rule-tables/<sha256>.json`). YAML parsing plus schema compilation
 * costs over a second on a cold start, in every worker; a cache hit is one JSON.parse. The key is
 * the hash of the table text and the schema id, so an edited table is re-parsed and re-validated.
 * `BACKLEVEL_NO_CACHE=1` bypasses the cache.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config-file.js';
import { compileSchema, formatSchemaErrors } from '../config/schemas.js';
import { parseYaml } from '../config/yaml.js';
import { contentKey, readCached, writeCached } from '../engine/content-cache.js';

const CACHE_VERSION = '1';
const NAMESPACE = 'rule-tables';

export function readYamlTable<T>(file: string, schemaId: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the ${what} (${(err as Error).message})`, file);
  }
  const key = contentKey(CACHE_VERSION, schemaId, text);
  const cached = readCached(NAMESPACE, key);
  if (cached !== undefined) {
    try {
      return JSON.parse(cached) as T;
    } catch {
      // a damaged entry: parse below, and replace it
    }
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid YAML: ${(err as Error).message}`, file);
  }
  const validate = compileSchema(schemaId);
  if (!validate(data)) {
    throw new ConfigError(
      `${file}: invalid ${what}: ${formatSchemaErrors(validate).slice(0, 5).join('; ')}`,
      file,
    );
  }
  writeCached(NAMESPACE, key, JSON.stringify(data));
  return data as T;
}
