/**
 * The lint rule contract: a rule is a module with metadata (id, title, description, severity, docs,
 * the codemod that fixes it, default path scope, trigger substrings) and a `check` that reports
 * findings on one parsed file through its context. Rule data lives in `rules/*.yaml`.
 */
import type { PyNode } from '../python/parser.js';
import type { PyFile } from '../python/source-file.js';
import type { FindingFix, Severity } from '../report/finding.js';
import type { LintTables } from './tables.js';

export interface RuleMeta {
  /** Kebab-case id used in config, suppressions and reports (`raw-conductor-call`). */
  id: string;
  title: string;
  description: string;
  severity: Severity;
  /** Where the rule is documented (README anchor). */
  docs: string;
  /** The codemod that fixes what the rule finds, when there is one. */
  fixableBy?: string;
  /** Default path globs (relative to the project root) the rule applies to; configurable. */
  scope: string[];
  /** Default path globs the rule skips inside its scope (fakes, the legacy package itself). */
  exclude?: string[];
  /**
   * Substrings of which at least one must occur in a file's text for the rule to possibly match
   * (write them to cover every spelling the rule finds, relative imports included): files with
   * none of any in-scope rule's triggers are not parsed. `LintRule.mayMatch` can refine them.
   */
  triggers: string[];
  /** Files beyond the tree's Python sources that the rule reads (globs; extension-less dom0 plugins). */
  files?: string[];
}

export interface RuleReport {
  /** The node the finding is about (its range becomes the finding's range). */
  node?: PyNode;
  /** Or an explicit string-index range. */
  start?: number;
  end?: number;
  message: string;
  /** Overrides the rule's severity for this finding (e.g. info for "no object equivalent"). */
  severity?: Severity;
  fix?: FindingFix;
  suggestion?: string;
  data?: Record<string, unknown>;
}

export interface RuleContext {
  readonly file: PyFile;
  /** Path relative to the project root, forward slashes. */
  readonly relPath: string;
  readonly tables: LintTables;
  /** The rule's `options` from the config file (validated by the config schema). */
  readonly options?: Readonly<Record<string, unknown>>;
  report(r: RuleReport): void;
}

export interface LintRule {
  meta: RuleMeta;
  /**
   * A finer file-level test after the triggers, on the path and text alone: false only when
   * `check` cannot report anything in this file (then the file is not parsed for this rule).
   */
  mayMatch?(relPath: string, text: string): boolean;
  check(ctx: RuleContext): void;
}
