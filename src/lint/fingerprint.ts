/**
 * Content fingerprints for findings: a hash of the rule, the file, the finding's source text
 * (whitespace-normalised, at most 5 lines) and its occurrence index among identical ones in the
 * file. Lines moving up or down keep the fingerprint; editing the flagged code changes it.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../report/finding.js';

export function normalizeSnippet(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Fills `fingerprint` on each finding of one file; `lineText(n)` gives the 1-based line's text. */
export function assignFingerprints(findings: Finding[], lineText: (line: number) => string): void {
  const seen = new Map<string, number>();
  for (const f of findings) {
    if (f.fingerprint) continue;
    const lines: string[] = [];
    const last = Math.min(f.endLine, f.line + 4);
    for (let l = f.line; l <= last; l++) lines.push(lineText(l));
    const key = `${f.rule}\0${f.file}\0${normalizeSnippet(lines.join('\n'))}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    f.fingerprint = createHash('sha256').update(`${key}\0${n}`).digest('hex').slice(0, 20);
  }
}
