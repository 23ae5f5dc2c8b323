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
}
