/**
 * Runs a file task over many files: in worker threads (piscina) when the job is large enough to pay
 * for them and the task is compiled JavaScript, in-process otherwise. Results come back in input
 * order; progress is reported per file.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import type { FileTaskInput, FileTaskModule } from './file-task.js';

export interface PoolOptions {
  /** Worker threads; default: available cores. 1 runs in-process. */
  jobs?: number;
  /** Files per message to a worker. */
  batchSize?: number;
  /** Below this many files, run in-process (worker start-up costs more than it saves). */
  minFilesForWorkers?: number;
  onProgress?: (done: number, total: number, file: FileTaskInput) => void;
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
export class FilePool<O, R> {
  private constructor(
    private readonly taskModule: string,
    private readonly options: O,
    private readonly piscina: Piscina | undefined,
    private readonly jsUrl: string | undefined,
  ) {}

  /** In-process mode: the task module, loaded and set up once. */
  private local: Promise<FileTaskModule<O, R>> | undefined;

  private inProcess(): Promise<FileTaskModule<O, R>> {
    this.local ??= loadInProcess<O, R>(this.taskModule, this.options);
    return this.local;
  }

  static open<O, R>(taskModule: string, options: O, pool: { jobs?: number } = {}): FilePool<O, R> {
    const jobs = Math.max(1, pool.jobs ?? availableParallelism());
    const jsUrl = taskModule.endsWith('.ts') ? undefined : taskModule;
    // From source (tests), the worker itself must come from the build as well.
    const ownExt = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const workerFile =
      jobs > 1 && jsUrl
        ? compiledTaskUrl(new URL(`./file-worker${ownExt}`, import.meta.url).href)
        : undefined;
    if (!workerFile || !jsUrl) return new FilePool<O, R>(taskModule, options, undefined, undefined);
    const piscina = new Piscina({
      filename: workerFile,
      maxThreads: jobs,
      minThreads: jobs,
      idleTimeout: 1000,
    });
    const filePool = new FilePool<O, R>(taskModule, options, piscina, jsUrl);
    // Warm every worker: an empty batch loads the task module and runs its setup.
    for (let i = 0; i < jobs; i++) void filePool.submit([]).catch(() => undefined);
    return filePool;
  }

  get threads(): number {
    return this.piscina ? this.piscina.threads.length : 0;
  }

  /** Runs one batch; results in input order. */
  async submit(files: readonly FileTaskInput[]): Promise<R[]> {
    if (!this.piscina) return runInProcess<O, R>(this.taskModule, files, this.options, {}, this.inProcess());
    return (await this.piscina.run({ taskModule: this.jsUrl, files, options: this.options })) as R[];
  }

  /** Runs every file in batches sized for the pool; results in input order, progress per file. */
  async runAll(files: readonly FileTaskInput[], pool: PoolOptions = {}): Promise<R[]> {
    if (!this.piscina)
      return runInProcess<O, R>(this.taskModule, files, this.options, pool, this.inProcess());
    const jobs = Math.max(1, this.piscina.options.maxThreads);
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
    await Promise.all(batches);
    return results;
  }

  async close(): Promise<void> {
    await this.piscina?.destroy();
  }
}

async function runInProcess<O, R>(
  taskModule: string,
  files: readonly FileTaskInput[],
  options: O,
  pool: PoolOptions,
  loaded?: Promise<FileTaskModule<O, R>>,
): Promise<R[]> {
  const mod = await (loaded ?? loadInProcess<O, R>(taskModule, options));
  const out: R[] = [];
  let done = 0;
  for (const f of files) {
    out.push(await mod.processFile(f, options));
    done++;
    pool.onProgress?.(done, files.length, f);
  }
  return out;
}

async function loadInProcess<O, R>(taskModule: string, options: O): Promise<FileTaskModule<O, R>> {
  const mod = (await import(taskModule)) as FileTaskModule<O, R>;
  await mod.setup?.(options);
  return mod;
}
