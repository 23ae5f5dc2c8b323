/**
 * The codemod contract, after jscodeshift: a module in `codemods/` default-exports a transform
 * `(file, api, options) => string | undefined` (new source, or nothing when unchanged) and exports
 * `meta`. The runner (src/codemod/runner.ts) parses, checks and writes; the transform only plans
 * edits and reports what it converted and what it left for a human.
 */
import type { Project } from '../engine/project.js';
import type { PyFile } from '../python/source-file.js';
import type { TextEdit } from '../python/text-edits.js';

export interface CodemodFile {
  /** Absolute path. */
  path: string;
  /** Relative to the project root, forward slashes. */
  relPath: string;
  source: string;
}

/** A site the codemod will not convert: never guessed, reported with the reason. */
export interface ManualSite {
  /** 1-based. */
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** Why it was left (`uuid argument is not traceable to an object`). */
  reason: string;
  /** What a human could write instead. */
  suggestion?: string;
  /** Short machine id of the pattern (`instance_update`, `plugin-call`). */
  kind?: string;
}

export interface ConvertedSite {
  line: number;
  column: number;
  kind: string;
  detail?: string;
}

export interface CodemodApi {
  /** The file parsed with the project's module naming (cached; do not dispose). */
  parse(): PyFile;
  /** Parses other text (e.g. to inspect an intermediate result); the caller disposes it. */
  parseText(text: string): PyFile;
  /**
   * A parse of other text owned by the runner (do not dispose): the runner's checks, the second
   * run and the next codemod reuse it when that text is the file's new content. `from`: how the
   * text was made (a parsed text and the edits applied to it): the parse then re-parses only
   * around the edits.
   */
  parseShared(text: string, from?: { source: string; edits: readonly TextEdit[] }): PyFile;
  /** The project the file belongs to. */
  project: Pick<Project, 'root' | 'projectPackages' | 'config'>;
  /** Record a converted site (counted in the summary and JSON output). */
  converted(site: ConvertedSite): void;
  /** Record a site left for a human. */
  manual(site: ManualSite): void;
  /** Record a fact for the summary (e.g. `minimum os-xenapi 0.2.0`). */
  note(key: string, value: string): void;
  /**
   * Whether `--annotate` asked for TODO comments at manual sites. The runner inserts them (above
   * the statement of each manual site, once, re-checked like any edit); a transform only reads it.
   */
  annotate: boolean;
  /** What the codemod's `prepare()` returned for this run (undefined when it has none). */
  prepared?: unknown;
  /**
   * Asks the runner to delete the current file (a dead module, say). Listed in the dry run like an
   * edit; `--write` removes it, and only inside the project root. The transform returns nothing.
   */
  removeFile?(reason: string): void;
}

export interface CodemodOptions {
  [key: string]: unknown;
}

export interface CodemodMeta {
  name: string;
  /** One line for `backlevel migrate --list`. */
  description: string;
  /** Rule ids this codemod fixes (shown in lint findings as `fix`). */
  fixes?: string[];
  /** Files beyond the tree's Python sources the runner visits for it (globs; extension-less dom0 plugins). */
  files?: string[];
}

export type Transform = (
  file: CodemodFile,
  api: CodemodApi,
  options: CodemodOptions,
) => string | undefined | null | Promise<string | undefined | null>;

/** What `prepare()` gets: the run's project and every file the run will visit. */
export interface PrepareContext {
  project: Pick<Project, 'root' | 'projectPackages' | 'config'>;
  /** Paths relative to the project root, forward slashes. */
  files: readonly string[];
  options: CodemodOptions;
}

/**
 * A whole-tree plan gathered in two passes instead of by `prepare()` (which would read and parse
 * the tree again in the main thread): the workers hand each file's facts, taken from the parse
 * the chain shares, to `plan()`; the transform then runs only in the files the plan `concerns`.
 * Used for dry runs (a write run calls `prepare()`), so a module with `collect` keeps `prepare`.
 */
export interface CodemodCollector<F = unknown, P = unknown> {
  /** One file's facts, in a worker, from its text as read (structured-cloneable). */
  file(
    input: { relPath: string; source: string; parse(): PyFile },
    ctx: { project: PrepareContext['project']; options: CodemodOptions },
  ): F;
  /**
   * The plan (what the transform gets as `api.prepared`), in the main thread, from the facts of
   * every visited file; files of the tree the run did not visit are for `plan` to read itself.
   */
  plan(ctx: PrepareContext, facts: ReadonlyMap<string, F>): P | Promise<P>;
  /** Whether the transform may do anything in `relPath` under `plan` (elsewhere it is a no-op). */
  concerns(plan: P, relPath: string): boolean;
}

export interface CodemodModule {
  default: Transform;
  meta: CodemodMeta;
  collect?: CodemodCollector;
  /**
   * Optional whole-run step, run once in the main thread before any file (scan the tree, read a
   * rule table). Its result must be structured-cloneable: it is handed to every worker and reaches
   * the transform as `api.prepared`.
   */
  prepare?(ctx: PrepareContext): unknown | Promise<unknown>;
}
