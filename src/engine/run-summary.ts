/** Counts and time of a run, printed at the end of every command and included in JSON reports. */
import type { SkipReason } from './read-source.js';

export interface SkippedFile {
  path: string;
  reason: SkipReason | 'syntax-error' | 'rewrite-refused' | string;
  message: string;
}

export interface RunSummary {
  filesRead: number;
  bytesRead: number;
  /** Files whose tree has ERROR/MISSING nodes: analysed where the tree is sound, named here. */
  filesWithSyntaxErrors: string[];
  skipped: SkippedFile[];
  elapsedMs: number;
}

export function emptySummary(): RunSummary {
  return { filesRead: 0, bytesRead: 0, filesWithSyntaxErrors: [], skipped: [], elapsedMs: 0 };
}

export function formatSummary(s: RunSummary, extra: string[] = []): string {
  const parts = [
    `${s.filesRead} file${s.filesRead === 1 ? '' : 's'} read (${(s.bytesRead / 1e6).toFixed(2)} MB)`,
    ...extra,
    `${s.filesWithSyntaxErrors.length} with syntax errors`,
    `${s.skipped.length} skipped`,
    `${(s.elapsedMs / 1000).toFixed(2)} s`,
  ];
  return parts.join(', ');
}

export function formatSkipped(s: RunSummary): string[] {
  const lines = s.skipped.map((k) => `skipped: ${k.message}`);
  for (const f of s.filesWithSyntaxErrors)
    lines.push(`syntax errors in ${f}: analysed where the tree is sound`);
  return lines;
}
