/**
 * File task (worker pool) for the pin verifier: read a file with the usual guards, skip it unless
 * its text could use the library, parse it and collect its uses (see usage.ts).
 */
import type { FileTaskInput } from '../../engine/file-task.js';
import { pyFileOptionsFor } from '../../engine/project.js';
import { DEFAULT_MAX_FILE_BYTES, readSource } from '../../engine/read-source.js';
import { initPython } from '../../python/parser.js';
import { PyFile } from '../../python/source-file.js';
import { analyzeFile, type FileUsage, mayUse, type UsageOptions } from './usage.js';

export interface UsageTaskOptions extends UsageOptions {
  maxFileBytes?: number;
}

export interface UsageTaskResult extends FileUsage {
  parsed: boolean;
}

export async function setup(): Promise<void> {
  await initPython();
}

export async function processFile(input: FileTaskInput, options: UsageTaskOptions): Promise<UsageTaskResult> {
  const empty = { relPath: input.relPath, uses: [], legacy: [], importsLibrary: false, syntaxErrors: 0 };
  const read = await readSource(input.path, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  if (!read.ok) return { ...empty, skipped: read.message, parsed: false };
  if (!mayUse(read.text, options)) return { ...empty, parsed: false };
  await initPython();
  const file = PyFile.parse(input.path, read.text, pyFileOptionsFor(input.relPath));
  try {
    return { ...analyzeFile(file, input.relPath, options), parsed: true };
  } finally {
    file.dispose();
  }
}
