/**
 * What every reporter renders: findings, the run summary, and the descriptors of the rules/checks
 * that produced them. Generic over producers: `lint`, `verify`, `gate` and the HTML report pass
 * their own rule descriptors and summary fields.
 */
import type { Finding, Severity } from './finding.js';

export interface RuleDescriptor {
  id: string;
  title: string;
  description?: string;
  severity: Severity;
  /** Documentation URL or README anchor. */
  docs?: string;
  fixableBy?: string;
}

/** Counts and timing of the run (the engine's RunSummary, plus producer-specific counters). */
export interface ReportSummary {
  filesRead?: number;
  bytesRead?: number;
  filesWithSyntaxErrors?: string[];
  skipped?: { path: string; reason: string; message: string }[];
  elapsedMs?: number;
  [counter: string]: unknown;
}

export interface ReportInput {
  findings: readonly Finding[];
  summary?: ReportSummary;
  rules?: readonly RuleDescriptor[];
  tool?: { name: string; version: string; informationUri?: string };
  /** The command that produced the report (`lint`, `gate`, ...): names JUnit suites and SARIF runs. */
  command?: string;
  /** Source text of a finding's file (for code frames); undefined when unavailable. */
  source?: (file: string) => string | undefined;
  /** Extra top-level sections for the JSON report (e.g. the lint status table). */
  extra?: Record<string, unknown>;
}
