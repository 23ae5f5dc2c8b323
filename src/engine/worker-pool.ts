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
  const jsUrl = taskModule.endsWith('.ts') ? undefined : taskModule;
  if (!workerWorthIt || !jsUrl) return runInProcess<O, R>(taskModule, files, options, pool);

  // From source (tests), the worker itself must come from the build as well.
  const ownExt = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const workerFile = compiledTaskUrl(new URL(`./file-worker${ownExt}`, import.meta.url).href);
  if (!workerFile) return runInProcess<O, R>(taskModule, files, options, pool);
  const piscina = new Piscina({
    filename: workerFile,
    maxThreads: jobs,
    minThreads: jobs,
    idleTimeout: 1000,
  });
  const batchSize = pool.batchSize ?? Math.max(8, Math.min(64, Math.ceil(files.length / (jobs * 8))));
  const results: R[] = new Array(files.length);
  let done = 0;
  try {
    const batches: Promise<void>[] = [];
    for (let i = 0; i < files.length; i += batchSize) {
      const slice = files.slice(i, i + batchSize);
      const start = i;
      batches.push(
        (piscina.run({ taskModule: jsUrl, files: slice, options }) as Promise<R[]>).then((out) => {
          out.forEach((r, k) => {
            results[start + k] = r;
            done++;
            pool.onProgress?.(done, files.length, slice[k]!);
          });
        }),
      );
    }
    await Promise.all(batches);
  } finally {
    await piscina.destroy();
  }
  return results;
}

async function runInProcess<O, R>(
  taskModule: string,
  files: readonly FileTaskInput[],
  options: O,
  pool: PoolOptions,
): Promise<R[]> {
  const mod = (await import(taskModule)) as FileTaskModule<O, R>;
  await mod.setup?.(options);
  const out: R[] = [];
  let done = 0;
  for (const f of files) {
    out.push(await mod.processFile(f, options));
    done++;
    pool.onProgress?.(done, files.length, f);
  }
  return out;
}
