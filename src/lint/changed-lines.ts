/**
 * `--changed-since REV`: the lines added or modified since a git revision (working tree against
 * REV, `git diff -U0`), plus every line of untracked files. Findings are kept when their line range
 * touches a changed line.
 */
import { execFileSync } from 'node:child_process';
import { InputError } from '../cli/errors.js';
import type { Finding } from '../report/finding.js';

export type ChangedLines = Map<string, Set<number> | 'all'>;

function git(root: string, args: string[]): string {
  return execFileSync('git', ['-C', root, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function parseUnifiedDiff(diff: string): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  let current: Set<number> | undefined;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) {
      const path = line.slice(4).trim();
      if (path === '/dev/null') current = undefined;
      else {
        const p = path.startsWith('b/') ? path.slice(2) : path;
        current = out.get(p) ?? new Set();
        out.set(p, current);
      }
      continue;
    }
    const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (m && current) {
      const start = Number(m[1]);
      const count = m[2] === undefined ? 1 : Number(m[2]);
      for (let i = 0; i < count; i++) current.add(start + i);
    }
  }
  return out;
}

export function changedLinesSince(root: string, rev: string): ChangedLines {
  try {
    git(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  } catch {
    throw new InputError(`--changed-since: '${rev}' is not a git revision in ${root}`);
  }
  const diff = git(root, [
    'diff',
    '--relative',
    '-U0',
    '--no-color',
    '--no-ext-diff',
    '--src-prefix=a/',
    '--dst-prefix=b/',
    rev,
    '--',
  ]);
  const out: ChangedLines = parseUnifiedDiff(diff);
  for (const f of git(root, ['ls-files', '--others', '--exclude-standard']).split('\n')) {
    if (f) out.set(f, 'all');
  }
  return out;
}

export function touchesChangedLines(f: Finding, changed: ChangedLines): boolean {
  const lines = changed.get(f.file);
  if (!lines) return false;
  if (lines === 'all') return true;
  for (let l = f.line; l <= f.endLine; l++) if (lines.has(l)) return true;
  return false;
}
