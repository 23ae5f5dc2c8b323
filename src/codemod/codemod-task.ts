/**
 * The per-file task of `backlevel migrate`, run by the worker pool: read the file (binary / UTF-8 /
 * size guards), apply the codemod chain with every check, render the unified diff, and in write
 * mode replace the file atomically (temp file + rename, permissions and owner kept), or delete it
 * when a codemod asked for that and the file is inside the project root.
 */
import { readFile, unlink } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import writeFileAtomic from 'write-file-atomic';
import type { FileTaskInput } from '../engine/file-task.js';
import { DEFAULT_MAX_FILE_BYTES, readSource } from '../engine/read-source.js';
import { initPython } from '../python/parser.js';
import { pythonAstChecker } from '../python/syntax.js';
import { applyCodemods, type FileOutcome, type LoadedCodemod } from './apply.js';
import { type CodemodRef, loadCodemod } from './load.js';
import { ParseCache } from './parse-cache.js';
import type { CodemodApi, CodemodOptions } from './types.js';

export interface CodemodTaskOptions {
  /**
   * `deferred`: a codemod with a collector whose plan is not made yet (the first pass of a dry
   * run): left out of the chain, its collector gathers the file's facts instead.
   */
  codemods: (CodemodRef & { prepared?: unknown; deferred?: boolean })[];
  project: CodemodApi['project'];
  mode: 'dry' | 'write';
  annotate: boolean;
  /** Render unified diffs of changed files. */
  diff: boolean;
  options: CodemodOptions;
  maxFileBytes?: number;
  /** Skip the Python 3 compile check (tree-sitter checks still run). */
  noPythonCheck?: boolean;
  /** Send the rewritten text back (programmatic callers: gate, backport). */
  keepOutput?: boolean;
  /** Unique per run: keys the loaded codemods without serialising every `prepared` per file. */
  runId?: string;
}

export interface CodemodTaskResult extends FileOutcome {
  bytes: number;
  /** Facts of the deferred codemods' collectors, by codemod index (the runner strips them). */
  facts?: Record<number, unknown>;
  diff?: string;
  /** True when write mode replaced (or removed) the file on disk. */
  written?: boolean;
}

let loaded: Promise<LoadedCodemod[]> | undefined;
let loadedKey = '';

function codemodsFor(options: CodemodTaskOptions): Promise<LoadedCodemod[]> {
  // `prepared` is part of the key: in-process runs (tests, programmatic callers) reuse this module.
  const key = options.runId ?? JSON.stringify(options.codemods.map((c) => [c.file ?? c.name, c.prepared]));
  if (!loaded || key !== loadedKey) {
    loadedKey = key;
    loaded = Promise.all(
      options.codemods.map(async (ref) => ({
        name: ref.name,
        module: await loadCodemod(ref),
        prepared: ref.prepared,
      })),
    );
  }
  return loaded;
}

/**
 * Per thread: the parser, the codemod modules (their `prepared` data comes with the batches), and
 * the Python 3 compile checker's process, started now so that its ~0.1 s start-up is over before
 * the first rewrite needs it.
 */
export async function setup(options: CodemodTaskOptions): Promise<void> {
  if (!options.noPythonCheck) pythonAstChecker().available();
  await initPython();
  await Promise.all(options.codemods.map((ref) => loadCodemod(ref)));
}

export function renderDiff(relPath: string, before: string, after: string | undefined): string {
  if (after === undefined) return createTwoFilesPatch(`a/${relPath}`, '/dev/null', before, '');
  return createTwoFilesPatch(`a/${relPath}`, `b/${relPath}`, before, after);
}

function insideRoot(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep);
}

export async function processFile(
  input: FileTaskInput,
  options: CodemodTaskOptions,
): Promise<CodemodTaskResult> {
  const read = await readSource(input.path, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  if (!read.ok) {
    return {
      relPath: input.relPath,
      status: 'skipped',
      reason: read.message,
      converted: [],
      manual: [],
      notes: [],
      annotations: 0,
      bytes: 0,
    };
  }
  const codemods = await codemodsFor(options);
  const parses = new ParseCache(input.path, input.relPath);
  let outcome: FileOutcome;
  const facts: Record<number, unknown> = {};
  try {
    options.codemods.forEach((ref, i) => {
      const collector = ref.deferred ? codemods[i]!.module.collect : undefined;
      if (!collector) return;
      facts[i] = collector.file(
        { relPath: input.relPath, source: read.text, parse: () => parses.get(read.text) },
        { project: options.project, options: options.options },
      );
    });
    outcome = await applyCodemods({
      path: input.path,
      relPath: input.relPath,
      source: read.text,
      project: options.project,
      codemods: codemods.filter((_, i) => !options.codemods[i]!.deferred),
      options: options.options,
      annotate: options.annotate,
      parses,
      ...(options.noPythonCheck ? { checker: null } : {}),
    });
  } finally {
    parses.dispose();
  }
  const result: CodemodTaskResult = { ...outcome, bytes: read.bytes };
  if (Object.keys(facts).length) result.facts = facts;
  if (outcome.status === 'changed' || outcome.status === 'removed') {
    if (options.diff) result.diff = renderDiff(input.relPath, read.text, outcome.output);
    if (options.mode === 'write') {
      // Never clobber a file that changed on disk while the run was looking at it.
      const now = await readFile(input.path, 'utf8').catch(() => undefined);
      if (now !== read.text) {
        return {
          ...result,
          status: 'error',
          reason: `${input.relPath} changed on disk during the run; not written`,
          output: undefined,
        };
      }
      if (outcome.status === 'removed') {
        if (!insideRoot(options.project.root, input.path)) {
          return {
            ...result,
            status: 'error',
            reason: `${input.relPath} is outside the project root; not removed`,
          };
        }
        await unlink(input.path);
      } else {
        await writeFileAtomic(input.path, outcome.output!, { encoding: 'utf8' });
      }
      result.written = true;
    }
  }
  // The text is in the diff (and on disk in write mode): ship it back only when asked.
  if (!options.keepOutput) delete result.output;
  return result;
}

/**
 * Files a thread has in progress at once: while Python 3 compiles one file's rewrite, the thread
 * goes on with the next file (a file's own checks still finish before its result is kept).
 */
export const concurrency = 4;
