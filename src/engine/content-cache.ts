/**
 * Files keyed by the SHA-256 of what they were computed from, under
 * `env-paths('backlevel').cache/<namespace>/`: validated rule tables, validated API indexes, the
 * object classes a Nova tree declares. A key covers every input (the text, the schema id, the code
 * that computes the value), so an entry is never stale, only unused. `BACKLEVEL_NO_CACHE=1`
 * bypasses the cache; a read-only or missing cache directory only costs speed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';
import writeFileAtomic from 'write-file-atomic';

export function cacheEnabled(): boolean {
  return !process.env.BACKLEVEL_NO_CACHE;
}

/** The key for these inputs (joined with NUL bytes, which no input holds by position). */
export function contentKey(...parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p).update('\0');
  return hash.digest('hex');
}

function cacheFile(namespace: string, key: string, ext: string): string {
  return join(envPaths('backlevel', { suffix: '' }).cache, namespace, `${key}.${ext}`);
}

/** The cached text for `key`, or undefined (a miss, or the cache is off). */
export function readCached(namespace: string, key: string, ext = 'json'): string | undefined {
  if (!cacheEnabled()) return undefined;
  try {
    return readFileSync(cacheFile(namespace, key, ext), 'utf8');
  } catch {
    return undefined;
  }
}

/** Entries a namespace keeps: a write beyond them drops the least recently written. */
export const MAX_ENTRIES = 32;

/**
 * Stores `text` for `key` atomically (nothing when the cache is off or cannot be written). A
 * namespace keeps its `MAX_ENTRIES` newest entries: a tree whose objects change on every commit
 * (a CI gate) does not grow the cache without end.
 */
export function writeCached(namespace: string, key: string, text: string, ext = 'json'): void {
  if (!cacheEnabled()) return;
  const file = cacheFile(namespace, key, ext);
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileAtomic.sync(file, text);
    const entries = readdirSync(dir).filter((n) => n.endsWith(`.${ext}`));
    if (entries.length <= MAX_ENTRIES) return;
    // Newest first, this entry before all (entries written in the same millisecond tie).
    const own = `${key}.${ext}`;
    const byAge = entries
      .map((n) => ({ n, t: n === own ? Number.POSITIVE_INFINITY : statSync(join(dir, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t || a.n.localeCompare(b.n));
    for (const { n } of byAge.slice(MAX_ENTRIES)) rmSync(join(dir, n), { force: true });
  } catch {
    // a read-only cache directory only costs speed
  }
}
