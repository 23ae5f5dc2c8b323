/**
 * The lint file task, run in workers by the engine's pool (`runFileTask`): reads a file with the
 * engine's guards (binary, non-UTF-8, too large), then `lintText`. Rule tables load once per worker.
 */
import type { FileTaskInput } from '../engine/file-task.js';
import { DEFAULT_MAX_FILE_BYTES, readSource } from '../engine/read-source.js';
import { initPython } from '../python/parser.js';
import { pyFileOptionsFor } from '../python/source-file.js';
import { type FileLintResult, lintText, type ResolvedRule, rulesForFile } from './lint-file.js';
import { type LintTables, loadLintTables, type TableFiles } from './tables.js';

export interface LintTaskOptions {
  rules: ResolvedRule[];
  tables?: TableFiles;
  maxFileBytes?: number;
  /** Measure time per rule and phase (`--timing`). */
  timing?: boolean;
}

export interface LintTaskResult extends FileLintResult {
  bytes: number;
  skipped?: { reason: string; message: string };
}

let tables: LintTables | undefined;

export async function setup(options: LintTaskOptions): Promise<void> {
  await initPython();
  tables = loadLintTables(options.tables);
}

export async function processFile(input: FileTaskInput, options: LintTaskOptions): Promise<LintTaskResult> {
  const empty: LintTaskResult = {
    relPath: input.relPath,
    bytes: 0,
    parsed: false,
    syntaxErrors: false,
    findings: [],
    directives: [],
    rulesRun: [],
  };
  // Files no rule applies to are not even read.
  if (rulesForFile(input.relPath, options.rules).length === 0) return empty;
  const read = await readSource(input.path, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  if (!read.ok) return { ...empty, skipped: { reason: read.reason, message: read.message } };
  tables ??= loadLintTables(options.tables);
  return {
    ...lintText(
      input.relPath,
      read.text,
      options.rules,
      tables,
      pyFileOptionsFor(input.relPath),
      options.timing ?? false,
    ),
    bytes: read.bytes,
  };
}
