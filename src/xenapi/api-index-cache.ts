/**
 * Loads an API index (lint rules, codemods, the pin verifier, the gate) once per process, skipping the JSON Schema check when
 * this exact text was validated before. The os-xenapi index is ~0.5 MB of JSON: reading and
 * `JSON.parse` cost ~10 ms, but compiling the `rules-api-index` schema with ajv costs ~120 ms on a
 * cold start, every run. As in `src/lint/table-cache.ts`, the key is the SHA-256 of the schema id
 * and the file's text (`env-paths('backlevel').cache/api-index/<sha256>.ok`), so an edited index is
 * validated again; `BACKLEVEL_NO_CACHE=1` bypasses the cache. A failed validation never writes a
 * marker and throws the loader's error naming the file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import envPaths from 'env-paths';
import writeFileAtomic from 'write-file-atomic';
import { ConfigError } from '../config/config-file.js';
import { packagePath } from '../config/package-root.js';
import { ApiIndex, type ApiIndexData, validateApiIndex } from './api-index.js';

const CACHE_VERSION = 1;
const SCHEMA_ID = 'rules-api-index';
const loaded = new Map<string, { mtimeMs: number; size: number; index: ApiIndex }>();

function markerDir(): string {
  return join(envPaths('backlevel', { suffix: '' }).cache, 'api-index');
}

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
  const useCache = !process.env.BACKLEVEL_NO_CACHE;
  const key = createHash('sha256').update(`${CACHE_VERSION}\0${SCHEMA_ID}\0${text}`).digest('hex');
  const marker = join(markerDir(), `${key}.ok`);
  let valid = false;
  if (useCache) {
    try {
      statSync(marker);
      valid = true;
    } catch {
      // not validated yet
    }
  }
  if (!valid) {
    validateApiIndex(data, file);
    if (useCache) {
      try {
        mkdirSync(markerDir(), { recursive: true });
        writeFileAtomic.sync(marker, `${file}\n`);
      } catch {
        // a read-only cache directory only costs speed
      }
    }
  }
  const index = new ApiIndex(data as ApiIndexData);
  loaded.set(file, { mtimeMs: st.mtimeMs, size: st.size, index });
  return index;
}
