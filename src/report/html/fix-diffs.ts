/**
 * The codemod diff for each finding a codemod fixes: runs each named codemod once, dry, over the
 * files its findings are in (the same runner `backlevel migrate` uses, so the diff is exactly what
 * `migrate --write` would do), then cuts, per finding, the hunks that touch the finding's lines.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { structuredPatch } from 'diff';
import { runCodemods } from '../../codemod/runner.js';
import type { Project } from '../../engine/project.js';
import type { Finding } from '../finding.js';
import type { FindingExtras } from './findings.js';

export interface FixDiffOptions {
  jobs?: number;
  /** Lines of context around a finding when matching hunks (default 0: the hunk must overlap). */
  slack?: number;
}

/** Unified-diff text of the hunks of (before -> after) that overlap lines [from, to]. */
export function hunksTouching(file: string, before: string, after: string, from: number, to: number): string {
  const patch = structuredPatch(`a/${file}`, `b/${file}`, before, after, '', '', { context: 2 });
  const picked = patch.hunks.filter((h) => {
    const start = h.oldStart;
    const end = h.oldStart + Math.max(h.oldLines, 1) - 1;
    return start <= to && end >= from;
  });
  if (!picked.length) return '';
  const out = [`--- a/${file}`, `+++ b/${file}`];
  for (const h of picked) {
    out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`);
    out.push(...h.lines);
  }
  return `${out.join('\n')}\n`;
}

/**
 * Per finding with `fix.codemod`: the diff of the codemod's rewrite around it, or a note saying
 * why there is none (the codemod leaves the site to a person, or refused the file).
 */
export async function attachFixDiffs(
  project: Project | string,
  findings: readonly Finding[],
  opts: FixDiffOptions = {},
): Promise<Map<Finding, FindingExtras>> {
  const root = typeof project === 'string' ? project : project.root;
  const out = new Map<Finding, FindingExtras>();
  const byCodemod = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!f.fix?.codemod || !f.file) continue;
    const list = byCodemod.get(f.fix.codemod) ?? [];
    list.push(f);
    byCodemod.set(f.fix.codemod, list);
  }
  const slack = opts.slack ?? 0;
  for (const [codemod, list] of byCodemod) {
    const files = [...new Set(list.map((f) => f.file))];
    let result: Awaited<ReturnType<typeof runCodemods>>;
    try {
      result = await runCodemods({
        project,
        paths: files.map((f) => join(root, f)),
        codemods: [codemod],
        mode: 'dry',
        diff: false,
        keepOutput: true,
        quiet: true,
        ...(opts.jobs ? { jobs: opts.jobs } : {}),
      });
    } catch (e) {
      for (const f of list)
        out.set(f, { fixNote: `codemod ${codemod} could not run: ${(e as Error).message}` });
      continue;
    }
    const byFile = new Map(result.files.map((r) => [r.relPath, r]));
    for (const f of list) {
      const r = byFile.get(f.file);
      if (!r) continue;
      if (r.status !== 'changed' || r.output === undefined) {
        const manual = r.manual.find((m) => m.line >= f.line - slack && m.line <= f.endLine + slack);
        out.set(f, {
          fixNote: manual
            ? `${codemod} leaves this site to a person: ${manual.reason}${manual.suggestion ? ` (could be: ${manual.suggestion})` : ''}`
            : r.reason
              ? `${codemod} does not change ${f.file}: ${r.reason}`
              : `${codemod} does not change ${f.file}`,
        });
        continue;
      }
      let before: string;
      try {
        before = readFileSync(join(root, f.file), 'utf8');
      } catch {
        continue;
      }
      const diff = hunksTouching(f.file, before, r.output, f.line - slack, f.endLine + slack);
      if (diff) out.set(f, { fixDiff: diff });
      else {
        const manual = r.manual.find((m) => m.line >= f.line && m.line <= f.endLine);
        out.set(f, {
          fixNote: manual
            ? `${codemod} leaves this site to a person: ${manual.reason}`
            : `${codemod} changes ${f.file} but not these lines`,
        });
      }
    }
  }
  return out;
}
