/**
 * Reads a YAML rule table, validated against its JSON Schema, through a content-keyed JSON cache
 * (`env-paths('backlevel').cache/rule-tables/<sha256>.json`). YAML parsing plus schema compilation
 * costs over a second on a cold start, in every worker; a cache hit is one JSON.parse. The key is
 * the hash of the table text and the schema id, so an edited table is re-parsed and re-validated.
 * `BACKLEVEL_NO_CACHE=1` bypasses the cache.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import envPaths from 'env-paths';
import writeFileAtomic from 'write-file-atomic';
import { ConfigError } from '../config/config-file.js';
import { compileSchema, formatSchemaErrors } from '../config/schemas.js';
import { parseYaml } from '../config/yaml.js';

const CACHE_VERSION = 1;

function cacheDir(): string {
  return join(envPaths('backlevel', { suffix: '' }).cache, 'rule-tables');
}

export function readYamlTable<T>(file: string, schemaId: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the ${what} (${(err as Error).message})`, file);
  }
  const useCache = !process.env.BACKLEVEL_NO_CACHE;
  const key = createHash('sha256').update(`${CACHE_VERSION}\0${schemaId}\0${text}`).digest('hex');
  const cached = join(cacheDir(), `${key}.json`);
  if (useCache) {
    try {
      return JSON.parse(readFileSync(cached, 'utf8')) as T;
    } catch {
      // miss (or unreadable cache): parse below
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
  if (useCache) {
    try {
      mkdirSync(cacheDir(), { recursive: true });
      writeFileAtomic.sync(cached, JSON.stringify(data));
    } catch {
      // a read-only cache directory only costs speed
    }
  }
  return data as T;
}
