/**
 * Baselines: `--write-baseline FILE` records today's findings by rule, file and content
 * fingerprint; `--baseline FILE` then reports only findings not in it (matched as a multiset, so
 * a second identical finding in a file is new). Fingerprints survive line moves (see
 * fingerprint.ts). The file is JSON, sorted, stable under re-runs.
 */
import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { InputError } from '../cli/errors.js';
import type { Finding } from '../report/finding.js';

export interface BaselineEntry {
  rule: string;
  file: string;
  fingerprint: string;
  /** For humans reading the file; not used to match. */
  line: number;
  message: string;
}

export interface Baseline {
  version: 1;
  tool: 'backlevel';
  findings: BaselineEntry[];
}

export function baselineOf(findings: readonly Finding[]): Baseline {
  const entries = findings
    .filter((f) => f.fingerprint)
    .map((f) => ({
      rule: f.rule,
      file: f.file,
      fingerprint: f.fingerprint!,
      line: f.line,
      message: f.message,
    }))
    .sort(
      (a, b) =>
        a.file.localeCompare(b.file) ||
        a.line - b.line ||
        a.rule.localeCompare(b.rule) ||
        a.fingerprint.localeCompare(b.fingerprint),
    );
  return { version: 1, tool: 'backlevel', findings: entries };
}

export async function writeBaseline(path: string, findings: readonly Finding[]): Promise<number> {
  const b = baselineOf(findings);
  await writeFileAtomic(path, `${JSON.stringify(b, null, 2)}\n`);
  return b.findings.length;
}

export function readBaseline(path: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(`${path}: cannot read baseline (${(err as Error).message})`, path);
  }
  const b = data as Partial<Baseline>;
  if (b?.version !== 1 || !Array.isArray(b.findings)) {
    throw new InputError(
      `${path}: not a backlevel baseline (expected {"version": 1, "findings": [...]})`,
      path,
    );
  }
  b.findings.forEach((e, i) => {
    if (typeof e?.rule !== 'string' || typeof e.file !== 'string' || typeof e.fingerprint !== 'string') {
      throw new InputError(`${path}: findings[${i}] needs rule, file and fingerprint`, path);
    }
  });
  return b as Baseline;
}

export interface BaselineResult {
  /** Findings not in the baseline. */
  fresh: Finding[];
  /** Findings the baseline accepts. */
  known: number;
  /** Baseline entries no finding matched any more (fixed or changed code). */
  gone: number;
}

export function applyBaseline(findings: readonly Finding[], baseline: Baseline): BaselineResult {
  const budget = new Map<string, number>();
  const key = (rule: string, file: string, fp: string) => `${rule}\0${file}\0${fp}`;
  for (const e of baseline.findings) {
    const k = key(e.rule, e.file, e.fingerprint);
    budget.set(k, (budget.get(k) ?? 0) + 1);
  }
  const fresh: Finding[] = [];
  let known = 0;
  for (const f of findings) {
    const k = key(f.rule, f.file, f.fingerprint ?? '');
    const n = budget.get(k) ?? 0;
    if (f.fingerprint && n > 0) {
      budget.set(k, n - 1);
      known++;
    } else fresh.push(f);
  }
  let gone = 0;
  for (const n of budget.values()) gone += n;
  return { fresh, known, gone };
}
