/**
 * Loads an API index (lint rules, codemods, the pin verifier, the gate) once per process, skipping the JSON Schema check when
 * this exact text was validated before. The os-xenapi index is ~0.5 MB of JSON: reading and
 * `JSON.parse` cost ~10 ms, but compiling the `rules-api-index` schema with ajv costs ~120 ms on a
 * cold start, every run. As in `src/lint/table-cache.ts`, the key is the SHA-256 of the schema id
 * and the file's text (`env-paths('backlevel').cache/api-index/<sha256>.ok`), so an edited index is
 * validated again; `BACKLEVEL_NO_CACHE=1` bypasses the cache. A failed validation never writes a
 * marker and throws the loader's error naming the file.
 */
import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from '../config/config-file.js';
import { packagePath } from '../config/package-root.js';
import { contentKey, readCached, writeCached } from '../engine/content-cache.js';
import { ApiIndex, type ApiIndexData, validateApiIndex } from './api-index.js';

const CACHE_VERSION = '1';
const SCHEMA_ID = 'rules-api-index';
const NAMESPACE = 'api-index';
const loaded = new Map<string, { mtimeMs: number; size: number; index: ApiIndex }>();

/** The API index in `file` (default: the built-in os-xenapi index), validated once per content. */
export function loadCachedApiIndex(file: string = packagePath('rules', 'os-xenapi-api.json')): ApiIndex {
  let st: { mtimeMs: number; size: number };
  try {
    st = statSync(file);
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the API index (${(err as Error).message})`);
  }
  const hit = loaded.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.index;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the API index (${(err as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: invalid JSON (${(err as Error).message})`);
  }
  const key = contentKey(CACHE_VERSION, SCHEMA_ID, text);
  if (readCached(NAMESPACE, key, 'ok') === undefined) {
    validateApiIndex(data, file);
    writeCached(NAMESPACE, key, `${file}\n`, 'ok');
  }
  const index = new ApiIndex(data as ApiIndexData);
  loaded.set(file, { mtimeMs: st.mtimeMs, size: st.size, index });
  return index;
}
