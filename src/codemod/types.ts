/**
 * The codemod contract, after jscodeshift: a module in `codemods/` default-exports a transform
 * `(file, api, options) => string | undefined` (new source, or nothing when unchanged) and exports
 * `meta`. The runner (src/codemod/runner.ts) parses, checks and writes; the transform only plans
 * edits and reports what it converted and what it left for a human.
 */
import type { Project } from '../engine/project.js';
import type { PyFile } from '../python/source-file.js';

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

export interface CodemodModule {
  default: Transform;
  meta: CodemodMeta;
  /**
   * Optional whole-run step, run once in the main thread before any file (scan the tree, read a
   * rule table). Its result must be structured-cloneable: it is handed to every worker and reaches
   * the transform as `api.prepared`.
   */
  prepare?(ctx: PrepareContext): unknown | Promise<unknown>;
}
