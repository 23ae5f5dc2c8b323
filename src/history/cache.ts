/**
 * On-disk cache of module summaries and resolved trees, in the user's cache directory
 * (`env-paths('backlevel').cache/object-history`), keyed by content: a module summary by its blob
 * id and module name, a resolved tree by a hash of its (path, blob id) list and the options that
 * affect resolution. Both depend only on content, so entries never go stale; the file name carries
 * the extractor version, so a new extraction rule starts a fresh file.
 *
 * Format: one append-only NDJSON file per kind (`summaries-v<N>.ndjson`, `trees-v<N>.ndjson`),
 * read once on first use and appended to in batches. A torn or foreign line is skipped, so a
 * crashed run or two concurrent runs lose at most the entries they were writing.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import envPaths from 'env-paths';

export function defaultCacheDir(): string {
  return join(envPaths('backlevel', { suffix: '' }).cache, 'object-history');
}

/** A content-keyed store of JSON values backed by one NDJSON file. */
export class NdjsonCache<T> {
  private entries: Map<string, T> | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  readonly stats = { hits: 0, misses: 0, loaded: 0, written: 0 };

  constructor(readonly file: string) {}

  private load(): Map<string, T> {
    if (this.entries) return this.entries;
    const map = new Map<string, T>();
    if (existsSync(this.file)) {
      const text = readFileSync(this.file, 'utf8');
      let start = 0;
      while (start < text.length) {
        let end = text.indexOf('\n', start);
        if (end < 0) end = text.length;
        const line = text.slice(start, end);
        start = end + 1;
        if (!line) continue;
        try {
          const rec = JSON.parse(line) as { k: string; v: T };
          if (typeof rec.k === 'string') map.set(rec.k, rec.v);
        } catch {
          // torn line from an interrupted write: skip
        }
      }
    }
    this.stats.loaded = map.size;
    this.entries = map;
    return map;
  }

  get(key: string): T | undefined {
    const v = this.load().get(key);
    if (v === undefined) this.stats.misses++;
    else this.stats.hits++;
    return v;
  }

  set(key: string, value: T): void {
    this.load().set(key, value);
    const line = `${JSON.stringify({ k: key, v: value })}\n`;
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes > 4 * 1024 * 1024) this.flush();
  }

  flush(): void {
    if (!this.pending.length) return;
    mkdirSync(join(this.file, '..'), { recursive: true });
    appendFileSync(this.file, this.pending.join(''));
    this.stats.written += this.pending.length;
    this.pending = [];
    this.pendingBytes = 0;
  }
}

/** The caches a history walk uses. `HistoryCache.disabled()` is `--no-cache`. */
export class HistoryCache {
  readonly summaries: NdjsonCache<unknown> | undefined;
  readonly trees: NdjsonCache<unknown> | undefined;
  /** Resolved objects by content hash: trees refer to them, so a commit costs one line, not a tree. */
  readonly objects: NdjsonCache<unknown> | undefined;

  private constructor(
    readonly dir: string | undefined,
    version: number,
  ) {
    if (dir) {
      this.summaries = new NdjsonCache(join(dir, `summaries-v${version}.ndjson`));
      this.trees = new NdjsonCache(join(dir, `trees-v${version}.ndjson`));
      this.objects = new NdjsonCache(join(dir, `objects-v${version}.ndjson`));
    }
  }

  static open(version: number, dir: string = defaultCacheDir()): HistoryCache {
    return new HistoryCache(dir, version);
  }

  static disabled(): HistoryCache {
    return new HistoryCache(undefined, 0);
  }

  get enabled(): boolean {
    return this.dir !== undefined;
  }

  flush(): void {
    this.summaries?.flush();
    this.trees?.flush();
    this.objects?.flush();
  }

  /** Deletes the cache directory. */
  clear(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
