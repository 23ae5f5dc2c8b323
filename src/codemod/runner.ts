/**
 * `runCodemods`: the programmatic core of `backlevel migrate`. Discovers the files, loads the
 * codemods (built-in names or user files), runs their `prepare()` once, then applies the chain to
 * every file in parallel (worker threads for large runs) with a progress bar, and sums it all up:
 * files changed / unchanged / removed / skipped / refused or failed, sites converted, sites left for
 * a human (by reason), notes, time.
 */

import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { createProgress } from '../engine/progress.js';
import { discoverProjectFiles, openProject, type Project } from '../engine/project.js';
import { DEFAULT_MAX_FILE_BYTES } from '../engine/read-source.js';
import { FilePool, likelyManyFiles, runFileTask } from '../engine/worker-pool.js';
import type { FileManualSite } from './apply.js';
import type { CodemodTaskOptions, CodemodTaskResult } from './codemod-task.js';
import { type CodemodRef, codemodRef, loadCodemod } from './load.js';
import type { CodemodMeta, CodemodOptions } from './types.js';

/** Fewer files than this run in this thread (runFileTask's own default). */
const MIN_FILES_FOR_WORKERS = 48;

export interface RunCodemodsOptions {
  /** The target tree (a Project from `openProject`, or its root directory). */
  project: Project | string;
  /** Files or directories to visit (default: the whole tree). */
  paths?: readonly string[];
  /** Built-in codemod names or paths to codemod files (.ts transpiled in memory, or .js). */
  codemods: readonly string[];
  /** 'dry' (default) changes nothing; 'write' replaces files atomically. */
  mode?: 'dry' | 'write';
  /** Insert `# TODO(backlevel): ...` above manual sites. */
  annotate?: boolean;
  /** Options passed to every transform (merged over the config file's `migrate.options`). */
  options?: CodemodOptions;
  /** Render unified diffs (default true). */
  diff?: boolean;
  /** Return each changed file's new text in `files[i].output`. */
  keepOutput?: boolean;
  jobs?: number;
  quiet?: boolean;
  maxFileBytes?: number;
  noPythonCheck?: boolean;
  /** Directory `--codemod ./x.ts` paths resolve against (default: cwd). */
  cwd?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface MigrateSummary {
  filesVisited: number;
  filesChanged: number;
  filesUnchanged: number;
  filesRemoved: number;
  filesSkipped: number;
  /** Refused by a check, or a codemod failed on them: left untouched. */
  filesWithErrors: number;
  sitesConverted: number;
  sitesManual: number;
  /** Converted sites by codemod kind (`instance_update`, ...). */
  convertedByKind: Record<string, number>;
  manualByReason: Record<string, number>;
  annotations: number;
  bytesRead: number;
  elapsedMs: number;
  mode: 'dry' | 'write';
}

export interface MigrateResult {
  codemods: CodemodMeta[];
  files: CodemodTaskResult[];
  /** Command-line paths that do not exist. */
  missing: string[];
  notes: { codemod: string; key: string; value: string }[];
  summary: MigrateSummary;
}

export async function runCodemods(opts: RunCodemodsOptions): Promise<MigrateResult> {
  const started = performance.now();
  const project = typeof opts.project === 'string' ? openProject(opts.project) : opts.project;
  const refs: CodemodRef[] = opts.codemods.map((c) => codemodRef(c, opts.cwd));
  const modules = await Promise.all(refs.map((r) => loadCodemod(r)));
  const extraFiles = modules.flatMap((m) => m.meta.files ?? []);
  const mode = opts.mode ?? 'dry';
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const taskUrl = new URL(`./codemod-task${ext}`, import.meta.url).href;
  const jobs = opts.jobs ?? project.config.jobs ?? availableParallelism();
  const migrateConfig = (project.config.migrate ?? {}) as { options?: CodemodOptions };
  const transformOptions: CodemodOptions = { ...(migrateConfig.options ?? {}), ...(opts.options ?? {}) };
  const projectView = {
    root: project.root,
    projectPackages: project.projectPackages,
    config: project.config,
  };
  const baseOptions: CodemodTaskOptions = {
    codemods: refs,
    project: projectView,
    mode,
    annotate: opts.annotate === true,
    diff: opts.diff !== false,
    options: transformOptions,
    maxFileBytes: opts.maxFileBytes ?? project.config.maxFileSize ?? DEFAULT_MAX_FILE_BYTES,
    ...(opts.noPythonCheck ? { noPythonCheck: true } : {}),
    ...(opts.keepOutput ? { keepOutput: true } : {}),
  };
  // As lint does: the workers start (parser, codemod modules) while this thread discovers the
  // files and the codemods prepare; the batches then carry what they prepared.
  const manyFiles = likelyManyFiles(project.root, opts.paths ?? [], MIN_FILES_FOR_WORKERS);
  const pool =
    jobs > 1 && manyFiles
      ? FilePool.open<CodemodTaskOptions, CodemodTaskResult>(taskUrl, baseOptions, { jobs, mainLane: true })
      : undefined;
  try {
    const discovery = await discoverProjectFiles(
      project,
      opts.paths ?? [],
      extraFiles.length ? { include: [...(project.config.include ?? ['**/*.py']), ...extraFiles] } : {},
    );
    const relFiles = discovery.inputs.map((i) => i.relPath);
    const prepareCtx = { project: projectView, files: relFiles, options: transformOptions };
    // A dry run gathers a collector's facts in the workers (first pass), plans in the main thread,
    // then runs the chain again, whole, in the few files the plan concerns (second pass). Elsewhere
    // such a codemod does nothing, so the first pass's result stands. A write run plans first.
    const collectors = modules.map((m) => (mode === 'dry' ? m.collect : undefined));
    const prepared = await Promise.all(
      modules.map((m, i) => (collectors[i] ? undefined : m.prepare?.(prepareCtx))),
    );
    const taskOptions: CodemodTaskOptions = {
      ...baseOptions,
      codemods: refs.map((r, i) => ({
        ...r,
        ...(prepared[i] !== undefined ? { prepared: prepared[i] } : {}),
        ...(collectors[i] ? { deferred: true } : {}),
      })),
      runId: randomUUID(),
    };
    const progress = createProgress(discovery.inputs.length, {
      quiet: opts.quiet ?? false,
      title: 'migrate',
    });
    let files: CodemodTaskResult[];
    // The Python 3 compile checker's child process is unref'd; keep the loop alive while we await it.
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      // As lint does: this thread is one of the lanes (one isolate fewer to start and warm up).
      const onProgress = (done: number, total: number, f: { relPath: string }) => {
        progress.tick(done, total, f.relPath);
        opts.onProgress?.(done, total);
      };
      if (pool && discovery.inputs.length >= MIN_FILES_FOR_WORKERS) {
        pool.setOptions(taskOptions);
        files = await pool.runAll(discovery.inputs, { onProgress });
      } else {
        files = await runFileTask<CodemodTaskOptions, CodemodTaskResult>(
          taskUrl,
          discovery.inputs,
          taskOptions,
          {
            jobs,
            onProgress,
          },
        );
      }
      if (collectors.some(Boolean)) {
        const plans = await Promise.all(
          collectors.map((c, i) => {
            if (!c) return undefined;
            const facts = new Map<string, unknown>();
            for (const f of files) if (f.facts && i in f.facts) facts.set(f.relPath, f.facts[i]);
            return c.plan(prepareCtx, facts);
          }),
        );
        for (const f of files) delete f.facts;
        const again: number[] = [];
        files.forEach((f, k) => {
          if (collectors.some((c, i) => c?.concerns(plans[i], f.relPath))) again.push(k);
        });
        if (again.length) {
          const second: CodemodTaskOptions = {
            ...taskOptions,
            codemods: taskOptions.codemods.map(({ deferred: _, ...c }, i) =>
              collectors[i] && plans[i] !== undefined ? { ...c, prepared: plans[i] } : c,
            ),
            runId: randomUUID(),
          };
          const redone = await runFileTask<CodemodTaskOptions, CodemodTaskResult>(
            taskUrl,
            again.map((k) => discovery.inputs[k]!),
            second,
            { jobs },
          );
          again.forEach((k, j) => {
            files[k] = redone[j]!;
          });
        }
      }
    } finally {
      clearInterval(keepAlive);
      progress.stop();
    }
    const summary = summarize(files, mode);
    summary.elapsedMs = performance.now() - started;
    return {
      codemods: modules.map((m, i) => ({ ...m.meta, name: refs[i]!.file ? m.meta.name : refs[i]!.name })),
      files,
      missing: discovery.missing,
      notes: dedupeNotes(files.flatMap((f) => f.notes)),
      summary,
    };
  } finally {
    await pool?.close();
  }
}

function dedupeNotes(notes: { codemod: string; key: string; value: string }[]) {
  const seen = new Set<string>();
  return notes.filter((n) => {
    const k = `${n.codemod}\0${n.key}\0${n.value}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function summarize(files: readonly CodemodTaskResult[], mode: 'dry' | 'write'): MigrateSummary {
  const s: MigrateSummary = {
    filesVisited: files.length,
    filesChanged: 0,
    filesUnchanged: 0,
    filesRemoved: 0,
    filesSkipped: 0,
    filesWithErrors: 0,
    sitesConverted: 0,
    sitesManual: 0,
    convertedByKind: {},
    manualByReason: {},
    annotations: 0,
    bytesRead: 0,
    elapsedMs: 0,
    mode,
  };
  for (const f of files) {
    s.bytesRead += f.bytes;
    s.annotations += f.annotations;
    switch (f.status) {
      case 'changed':
        s.filesChanged++;
        break;
      case 'unchanged':
        s.filesUnchanged++;
        break;
      case 'removed':
        s.filesRemoved++;
        break;
      case 'skipped':
        s.filesSkipped++;
        break;
      default:
        s.filesWithErrors++;
    }
    if (f.status === 'changed' || f.status === 'unchanged' || f.status === 'removed') {
      s.sitesConverted += f.converted.length;
      for (const c of f.converted) s.convertedByKind[c.kind] = (s.convertedByKind[c.kind] ?? 0) + 1;
    }
    s.sitesManual += f.manual.length;
    for (const m of f.manual) s.manualByReason[m.reason] = (s.manualByReason[m.reason] ?? 0) + 1;
  }
  return s;
}

/** Every manual site of a run, with its file. */
export function manualSites(result: MigrateResult): (FileManualSite & { file: string })[] {
  return result.files.flatMap((f) => f.manual.map((m) => ({ ...m, file: f.relPath })));
}
