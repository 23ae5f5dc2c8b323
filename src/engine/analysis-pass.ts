/**
 * The front end's full per-file pass, as a file task: read (with the binary / UTF-8 / size guards),
 * parse, build import bindings, free the tree. Used by `bench/` to measure the pipeline against the
 * bare parser, and as the template the lint and codemod tasks follow.
 */

import { initPython } from '../python/parser.js';
import { PyFile, pyFileOptionsFor } from '../python/source-file.js';
import type { FileTaskInput } from './file-task.js';
import { DEFAULT_MAX_FILE_BYTES, readSource } from './read-source.js';

export interface AnalysisPassOptions {
  maxFileBytes?: number;
}

export interface AnalysisPassResult {
  relPath: string;
  bytes: number;
  skipped?: string;
  syntaxErrors: number;
  imports: number;
}

export async function setup(): Promise<void> {
  await initPython();
}

export async function processFile(
  input: FileTaskInput,
  options: AnalysisPassOptions,
): Promise<AnalysisPassResult> {
  const read = await readSource(input.path, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  if (!read.ok)
    return { relPath: input.relPath, bytes: 0, skipped: read.message, syntaxErrors: 0, imports: 0 };
  const file = PyFile.parse(input.path, read.text, pyFileOptionsFor(input.relPath));
  try {
    return {
      relPath: input.relPath,
      bytes: read.bytes,
      syntaxErrors: file.syntaxIssues().length,
      imports: file.bindings.imports.length,
    };
  } finally {
    file.dispose();
  }
}
