/**
 * The contract of a per-file task run by the worker pool: a module that exports `processFile`
 * (and optionally `setup`, run once per worker). Results must be structured-cloneable.
 */
export interface FileTaskInput {
  /** Absolute path. */
  path: string;
  /** Path relative to the run's root, with forward slashes (what reports show). */
  relPath: string;
}

export interface FileTaskModule<O, R> {
  setup?(options: O): Promise<void> | void;
  processFile(input: FileTaskInput, options: O): Promise<R> | R;
  /**
   * Files a thread may have in progress at once (default 1). A task that awaits another process
   * between its CPU-bound steps (migrate's Python 3 compile check) sets it above 1, so that the
   * thread works on the next file instead of waiting. The files' steps interleave only at the
   * task's own awaits; results keep input order.
   */
  concurrency?: number;
}

/**
 * Runs `mod.processFile` over `files` with at most `mod.concurrency` in progress at once; results
 * in input order, `onDone` called as each file finishes.
 */
export async function processFiles<O, R>(
  mod: FileTaskModule<O, R>,
  files: readonly FileTaskInput[],
  options: O,
  onDone?: (file: FileTaskInput) => void,
): Promise<R[]> {
  const out: R[] = new Array(files.length);
  const lanes = Math.max(1, Math.min(files.length, Math.floor(mod.concurrency ?? 1)));
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < files.length) {
      const k = next++;
      out[k] = await mod.processFile(files[k]!, options);
      onDone?.(files[k]!);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return out;
}
