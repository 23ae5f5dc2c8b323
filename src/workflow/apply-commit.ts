/**
 * Applying a commit onto a temporary work tree: `git cherry-pick --no-commit` (with `-m 1` for a
 * merge commit), and conflicts reported per file from the index's unmerged entries. A clean apply is
 * committed in the temporary tree (detached HEAD: no branch moves) so that the next commit of a
 * range applies on top of it. `applyPatch3way` is the same for a patch text (`git apply --3way`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, gitMaybe } from './git.js';

export type ConflictKind =
  | 'both-modified'
  | 'both-added'
  | 'deleted-by-them'
  | 'deleted-by-us'
  | 'added-by-us'
  | 'added-by-them'
  | 'both-deleted';

export interface FileConflict {
  path: string;
  kind: ConflictKind;
  /** What it means for the backport, in words. */
  detail: string;
  /** 1-based lines of conflict markers in the work tree file (both-modified / both-added). */
  markerLines?: number[];
}

export interface ApplyResult {
  ok: boolean;
  /** Empty when the commit applies cleanly. */
  conflicts: FileConflict[];
  /** Files the commit changed (relative to the repository root), applied or not. */
  files: string[];
  /** The commit created in the temporary tree when the apply was clean. */
  appliedAs?: string;
  /** The commit was already on the branch (its change is empty there). */
  empty?: boolean;
  /** git's own message when it refused to start (not a conflict). */
  error?: string;
}

const KIND: Record<string, [ConflictKind, string]> = {
  UU: ['both-modified', 'both the commit and the branch changed the same lines'],
  AA: ['both-added', 'both added a file at this path with different content'],
  UD: ['deleted-by-them', 'the commit deletes a file the branch has changed'],
  DU: ['deleted-by-us', 'the file does not exist on the branch (deleted or never added there)'],
  AU: ['added-by-us', 'added on the branch, changed by the commit'],
  UA: ['added-by-them', 'added by the commit, changed on the branch'],
  DD: ['both-deleted', 'both deleted it (rename on one side)'],
};

const IDENTITY = [
  '-c',
  'user.name=backlevel',
  '-c',
  'user.email=backlevel@localhost',
  '-c',
  'commit.gpgsign=false',
];

/** Unmerged paths of the work tree at `dir`, with their conflict kind and marker lines. */
export async function readConflicts(dir: string): Promise<FileConflict[]> {
  const status = await git(dir, ['status', '--porcelain=v1', '-z', '--untracked-files=no']);
  const out: FileConflict[] = [];
  for (const entry of status.split('\0')) {
    const code = entry.slice(0, 2);
    const k = KIND[code];
    if (!k) continue;
    const path = entry.slice(3);
    const c: FileConflict = { path, kind: k[0], detail: k[1] };
    if (k[0] === 'both-modified' || k[0] === 'both-added') {
      try {
        const { readFileSync } = await import('node:fs');
        const text = readFileSync(join(dir, path), 'utf8');
        c.markerLines = text
          .split('\n')
          .flatMap((l, i) => (l.startsWith('<<<<<<< ') || l === '<<<<<<<' ? [i + 1] : []));
      } catch {
        // binary or unreadable: no marker lines
      }
    }
    out.push(c);
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Cherry-picks `commit` onto the temporary tree at `dir` without committing, then commits if clean. */
export async function cherryPickNoCommit(dir: string, commit: string): Promise<ApplyResult> {
  const parents = (await git(dir, ['show', '-s', '--format=%P', commit])).trim().split(' ').filter(Boolean);
  const files = (
    await git(dir, [
      'diff-tree',
      '--no-commit-id',
      '--name-only',
      '-r',
      '-z',
      ...(parents.length > 1 ? ['-m', '--first-parent'] : ['--root']),
      commit,
    ])
  )
    .split('\0')
    .filter(Boolean);
  const args = [
    ...IDENTITY,
    'cherry-pick',
    '--no-commit',
    '--allow-empty',
    ...(parents.length > 1 ? ['-m', '1'] : []),
    commit,
  ];
  let failed: string | undefined;
  try {
    await git(dir, args);
  } catch (err) {
    failed = (err as Error).message;
  }
  const conflicts = await readConflicts(dir);
  if (failed && !conflicts.length) {
    await gitMaybe(dir, ['cherry-pick', '--abort']);
    await gitMaybe(dir, ['reset', '--hard', '--quiet']);
    return { ok: false, conflicts, files, error: failed };
  }
  if (conflicts.length) return { ok: false, conflicts, files };
  return commitApplied(dir, commit, files);
}

async function commitApplied(dir: string, commit: string, files: string[]): Promise<ApplyResult> {
  const staged = (await git(dir, ['diff', '--cached', '--name-only'])).trim();
  if (!staged) {
    await gitMaybe(dir, ['cherry-pick', '--quit']);
    return { ok: true, conflicts: [], files, empty: true };
  }
  await git(dir, [...IDENTITY, 'commit', '--quiet', '--no-verify', '-C', commit]);
  await gitMaybe(dir, ['cherry-pick', '--quit']);
  const appliedAs = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  return { ok: true, conflicts: [], files, appliedAs };
}

/** Applies a patch text with `git apply --3way --index` in the temporary tree at `dir`. */
export async function applyPatch3way(dir: string, patch: string, label = 'patch'): Promise<ApplyResult> {
  const patchFile = join(dir, '..', `${label.replace(/[^\w.-]/g, '_')}.diff`);
  writeFileSync(patchFile, patch);
  const files =
    (await gitMaybe(dir, ['apply', '--numstat', '-z', patchFile]))?.split('\0').flatMap((r) => {
      const path = r.split('\t')[2];
      return path ? [path] : [];
    }) ?? [];
  let failed: string | undefined;
  try {
    await git(dir, ['apply', '--3way', '--index', patchFile]);
  } catch (err) {
    failed = (err as Error).message;
  }
  const conflicts = await readConflicts(dir);
  if (failed && !conflicts.length) return { ok: false, conflicts, files, error: failed };
  return { ok: conflicts.length === 0, conflicts, files };
}

/** Throws away uncommitted state in the temporary tree (after a conflicted apply). */
export async function resetTempTree(dir: string): Promise<void> {
  await gitMaybe(dir, ['cherry-pick', '--abort']);
  await git(dir, ['reset', '--hard', '--quiet']);
  await gitMaybe(dir, ['clean', '-fdq']);
}
