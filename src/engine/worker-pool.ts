/**
 * Runs a file task over many files: in worker threads (piscina) when the job is large enough to pay
 * for them and the task is compiled JavaScript, in-process otherwise. Results come back in input
 * order; progress is reported per file.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { type FileTaskInput, type FileTaskModule, processFiles } from './file-task.js';

export interface PoolOptions {
  /** Worker threads; default: available cores. 1 runs in-process. */
  jobs?: number;
  /** Files per message to a worker. */
  batchSize?: number;
  /** Below this many files, run in-process (worker start-up costs more than it saves). */
  minFilesForWorkers?: number;
  onProgress?: (done: number, total: number, file: FileTaskInput) => void;
}

/**
 * Whether a run over `paths` (relative to `root`; none: the whole tree) is likely to be worth
 * worker threads before its files are known: a directory, or many named files.
 */
export function likelyManyFiles(root: string, paths: readonly string[], minFiles = 48): boolean {
  return (
    paths.length === 0 ||
    paths.length >= minFiles ||
    paths.some((p) => {
      try {
        return statSync(resolve(root, p)).isDirectory();
      } catch {
        return false;
      }
    })
  );
}

/** The compiled `.js` twin of a task module URL under `dist/`, when the module is TypeScript source. */
export function compiledTaskUrl(taskModule: string): string | undefined {
  if (!taskModule.endsWith('.ts')) return taskModule;
  const path = fileURLToPath(taskModule);
  const marker = `${'/'}src${'/'}`;
  const idx = path.lastIndexOf(marker);
  const codemodIdx = path.lastIndexOf('/codemods/');
  const cut = Math.max(idx, codemodIdx);
  if (cut < 0) return undefined;
  const js = `${path.slice(0, cut)}/dist${path.slice(cut).replace(/\.ts$/, '.js')}`;
  return existsSync(js) ? pathToFileURL(js).href : undefined;
}

export async function runFileTask<O, R>(
  taskModule: string,
  files: readonly FileTaskInput[],
  options: O,
  pool: PoolOptions = {},
): Promise<R[]> {
  const jobs = Math.max(1, pool.jobs ?? availableParallelism());
  const minFiles = pool.minFilesForWorkers ?? 48;
  const workerWorthIt = jobs > 1 && files.length >= minFiles;
  if (!workerWorthIt) return runInProcess<O, R>(taskModule, files, options, pool);
  const filePool = FilePool.open<O, R>(taskModule, options, { jobs });
  try {
    return await filePool.runAll(files, pool);
  } finally {
    await filePool.close();
  }
}

/**
 * A pool of worker threads for one file task, opened before the files are known: the workers
 * start, load the task module and run its `setup` while the caller is still discovering and
 * pre-filtering files, and batches are submitted as they become ready. Falls back to running
 * in-process when there is one job or the task module is TypeScript source (tests).
 */
interface QueuedBatch<R> {
  files: readonly FileTaskInput[];
  resolve: (r: R[]) => void;
  reject: (e: unknown) => void;
}

export interface FilePoolOptions {
  /** Threads working on files, this one included with `mainLane`; default: available cores. */
  jobs?: number;
  /**
   * This thread is one of the lanes: `jobs - 1` workers take batches as they are submitted, and
   * `drain()` has this thread work through what is still queued. One isolate fewer to start and
   * warm up (its JIT and the parser's wasm tiers are per thread), and no core left idle once this
   * thread has finished discovering files.
   */
  mainLane?: boolean;
}

/**
 * A pool of worker threads for one file task, opened before the files are known: the workers
 * start, load the task module and run its `setup` while the caller is still discovering and
 * pre-filtering files, and batches are submitted as they become ready. Falls back to running
 * in-process when there is one job or the task module is TypeScript source (tests).
 */
export class FilePool<O, R> {
  private readonly queue: QueuedBatch<R>[] = [];
  private inFlight = 0;
  /** Resolves (and is replaced) whenever a worker batch settles: `drain` waits on it. */
  private settled: { promise: Promise<void>; resolve: () => void } = deferred();

  private constructor(
    private readonly taskModule: string,
    private options: O,
    private readonly piscina: Piscina | undefined,
    private readonly jsUrl: string | undefined,
    private readonly workers: number,
    private readonly mainLane: boolean,
  ) {}

  /** In-process mode: the task module, loaded and set up once. */
  private local: Promise<FileTaskModule<O, R>> | undefined;

  private inProcess(): Promise<FileTaskModule<O, R>> {
    this.local ??= loadInProcess<O, R>(this.taskModule, this.options);
    return this.local;
  }

  static open<O, R>(taskModule: string, options: O, pool: FilePoolOptions = {}): FilePool<O, R> {
    const jobs = Math.max(1, pool.jobs ?? availableParallelism());
    const mainLane = pool.mainLane === true;
    const workers = mainLane ? jobs - 1 : jobs;
    const jsUrl = taskModule.endsWith('.ts') ? undefined : taskModule;
    // From source (tests), the worker itself must come from the build as well.
    const ownExt = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const workerFile =
      jobs > 1 && workers > 0 && jsUrl
        ? compiledTaskUrl(new URL(`./file-worker${ownExt}`, import.meta.url).href)
        : undefined;
    if (!workerFile || !jsUrl) return new FilePool<O, R>(taskModule, options, undefined, undefined, 0, true);
    const piscina = new Piscina({
      filename: workerFile,
      maxThreads: workers,
      minThreads: workers,
      idleTimeout: 1000,
    });
    const filePool = new FilePool<O, R>(taskModule, options, piscina, jsUrl, workers, mainLane);
    // Warm every worker: an empty batch loads the task module and runs its setup.
    for (let i = 0; i < workers; i++)
      void (piscina.run({ taskModule: jsUrl, files: [], options }) as Promise<unknown>).catch(
        () => undefined,
      );
    return filePool;
  }

  /**
   * The options every later batch runs with. A pool opened before everything its task needs is
   * known (migrate's codemods prepare while the workers start) warms up with the options it was
   * opened with, and works with these. The task's `setup` must not depend on what changes.
   */
  setOptions(options: O): void {
    if (this.local) throw new Error('file pool: options set after this thread started working');
    this.options = options;
  }

  get threads(): number {
    return this.piscina ? this.piscina.threads.length : 0;
  }

  /** Runs one batch; results in input order. */
  submit(files: readonly FileTaskInput[]): Promise<R[]> {
    if (!this.piscina) return runInProcess<O, R>(this.taskModule, files, this.options, {}, this.inProcess());
    if (!this.mainLane)
      return this.piscina.run({ taskModule: this.jsUrl, files, options: this.options }) as Promise<R[]>;
    return new Promise<R[]>((resolve, reject) => {
      this.queue.push({ files, resolve, reject });
      this.dispatch();
    });
  }

  /** Hands queued batches to idle workers (main-lane mode). */
  private dispatch(): void {
    while (this.piscina && this.inFlight < this.workers && this.queue.length) {
      const b = this.queue.shift()!;
      this.inFlight++;
      (this.piscina.run({ taskModule: this.jsUrl, files: b.files, options: this.options }) as Promise<R[]>)
        .then(b.resolve, b.reject)
        .finally(() => {
          this.inFlight--;
          const s = this.settled;
          this.settled = deferred();
          s.resolve();
          this.dispatch();
        });
    }
  }

  /**
   * Main-lane mode: this thread works through the queued batches until every submitted batch is
   * done (workers keep taking batches meanwhile). A no-op otherwise.
   */
  async drain(): Promise<void> {
    if (!this.mainLane || !this.piscina) return;
    while (this.queue.length || this.inFlight) {
      const b = this.queue.shift();
      if (!b) {
        await this.settled.promise;
        continue;
      }
      try {
        b.resolve(await runInProcess<O, R>(this.taskModule, b.files, this.options, {}, this.inProcess()));
      } catch (err) {
        b.reject(err);
      }
      // Let worker completions in, so that they are handed the next batches.
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  /** Runs every file in batches sized for the pool; results in input order, progress per file. */
  async runAll(files: readonly FileTaskInput[], pool: PoolOptions = {}): Promise<R[]> {
    if (!this.piscina)
      return runInProcess<O, R>(this.taskModule, files, this.options, pool, this.inProcess());
    const jobs = Math.max(1, this.workers + (this.mainLane ? 1 : 0));
    const batchSize = pool.batchSize ?? Math.max(8, Math.min(64, Math.ceil(files.length / (jobs * 8))));
    const results: R[] = new Array(files.length);
    let done = 0;
    const batches: Promise<void>[] = [];
    for (let i = 0; i < files.length; i += batchSize) {
      const slice = files.slice(i, i + batchSize);
      const start = i;
      batches.push(
        this.submit(slice).then((out) => {
          out.forEach((r, k) => {
            results[start + k] = r;
            done++;
            pool.onProgress?.(done, files.length, slice[k]!);
          });
        }),
      );
    }
    await this.drain();
    await Promise.all(batches);
    return results;
  }

  async close(): Promise<void> {
    for (const b of this.queue.splice(0)) b.reject(new Error('file pool closed'));
    await this.piscina?.destroy();
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function runInProcess<O, R>(
  taskModule: string,
  files: readonly FileTaskInput[],
  options: O,
  pool: PoolOptions,
  loaded?: Promise<FileTaskModule<O, R>>,
): Promise<R[]> {
  const mod = await (loaded ?? loadInProcess<O, R>(taskModule, options));
  let done = 0;
  return processFiles(mod, files, options, (f) => {
    done++;
    pool.onProgress?.(done, files.length, f);
  });
}

async function loadInProcess<O, R>(taskModule: string, options: O): Promise<FileTaskModule<O, R>> {
  const mod = (await import(taskModule)) as FileTaskModule<O, R>;
  await mod.setup?.(options);
  return mod;
}
