/**
 * File task (worker pool) for the pin verifier: read a file with the usual guards (or take the text
 * the main thread already read, e.g. from a git revision), skip it unless its text could use the
 * library, parse it and collect its uses (see usage.ts). `analyzeText` is the same step in-process.
 * Imports stay light (no engine/project, which loads globby, ajv and yaml): a worker starts with the
 * parser and nothing else.
 */
import type { FileTaskInput } from '../../engine/file-task.js';
import { DEFAULT_MAX_FILE_BYTES, readSource } from '../../engine/read-source.js';
import { initPython } from '../../python/parser.js';
import { moduleNameForPath, PyFile } from '../../python/source-file.js';
import { analyzeFile, type FileUsage, mayUse, type UsageOptions } from './usage.js';

export interface UsageTaskOptions extends UsageOptions {
  maxFileBytes?: number;
}

export interface UsageTaskResult extends FileUsage {
  parsed: boolean;
}

/** A task input that carries its text (the main thread read it already). */
export interface UsageTaskInput extends FileTaskInput {
  text?: string;
}

export async function setup(): Promise<void> {
  await initPython();
}

/** Parses `text` and collects its uses (the parser must be initialised). */
export function analyzeText(
  input: FileTaskInput,
  text: string,
  options: UsageOptions,
  clock?: { parse: number; analysis: number },
): UsageTaskResult {
  const m = moduleNameForPath(input.relPath);
  const t0 = performance.now();
  const file = PyFile.parse(input.path, text, m ? { moduleName: m.moduleName, isPackage: m.isPackage } : {});
  const t1 = performance.now();
  try {
    return { ...analyzeFile(file, input.relPath, options), parsed: true };
  } finally {
    file.dispose();
    if (clock) {
      clock.parse += t1 - t0;
      clock.analysis += performance.now() - t1;
    }
  }
}

export async function processFile(
  input: UsageTaskInput,
  options: UsageTaskOptions,
): Promise<UsageTaskResult> {
  const empty = { relPath: input.relPath, uses: [], legacy: [], importsLibrary: false, syntaxErrors: 0 };
  let text = input.text;
  if (text === undefined) {
    const read = await readSource(input.path, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    if (!read.ok) return { ...empty, skipped: read.message, parsed: false };
    if (!mayUse(read.text, options)) return { ...empty, parsed: false };
    text = read.text;
  }
  await initPython();
  return analyzeText(input, text, options);
}
