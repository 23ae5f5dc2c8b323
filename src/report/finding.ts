/**
 * One finding, whatever produced it (lint rule, object check, pin check, gate, backport). Every
 * reporter (text, JSON, SARIF, JUnit, GitHub annotations, HTML) renders this shape.
 */
export type Severity = 'error' | 'warning' | 'info';

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export interface FindingFix {
  /** Codemod that fixes it (`conductor-to-objects`). */
  codemod: string;
  /** What the fix does here, in one line. */
  description?: string;
}

export interface Finding {
  /** Rule or check id (`raw-conductor-call`, `backlevel-accepted`, `pin-too-low`). */
  rule: string;
  severity: Severity;
  /** Path relative to the analysed tree, forward slashes. Empty for findings about no file. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  fix?: FindingFix;
  /** Suggested replacement text or action, when the tool will not apply it itself. */
  suggestion?: string;
  /** Stable content fingerprint (survives line moves): used by baselines and SARIF. */
  fingerprint?: string;
  /** Rule-specific fields, flattened into JSON reports (object, version, targetVersion, field, ...). */
  data?: Record<string, unknown>;
}

export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold];
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule)
  );
}
