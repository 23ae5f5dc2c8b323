/**
 * Git plumbing for the workflows (`gate`, `backport`): where the analysed tree sits in its
 * repository, which base a change is measured against, the files and line ranges changed since that
 * base (committed, staged, unstaged and untracked), and what a shallow clone lacks.
 *
 * Nothing here fetches, commits, checks out or otherwise changes the user's repository. Every
 * command runs with `-C <tree root>` and `--relative`, so a tree that is a sub-directory of a larger
 * repository (backlevel's own `fixtures/sample-nova`) sees only its own paths, relative to itself.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The id of git's empty tree: the base of a root commit. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export class WorkflowGitError extends Error {
  override name = 'WorkflowGitError';
}

/** Runs git in `cwd`; rejects with git's stderr. Output is utf8 text. */
export async function git(
  cwd: string,
  args: readonly string[],
  opts: { maxBuffer?: number } = {},
): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', ['-C', cwd, ...args], {
      maxBuffer: opts.maxBuffer ?? 512 * 1024 * 1024,
      encoding: 'utf8',
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new WorkflowGitError(`git ${args.join(' ')} (in ${cwd}): ${(e.stderr || e.message).trim()}`);
  }
}

/** Like `git`, but resolves to undefined instead of rejecting. */
export async function gitMaybe(cwd: string, args: readonly string[]): Promise<string | undefined> {
  try {
    return await git(cwd, args);
  } catch {
    return undefined;
  }
}

/** A commit id for `rev` (peeled), or undefined when it does not resolve here. */
export async function resolveCommit(cwd: string, rev: string): Promise<string | undefined> {
  const out = await gitMaybe(cwd, [
    'rev-parse',
    '--verify',
    '--quiet',
    '--end-of-options',
    `${rev}^{commit}`,
  ]);
  return out?.trim() || undefined;
}

export interface RepoContext {
  /** The analysed tree (absolute, symlinks resolved). */
  treeRoot: string;
  /** The work tree's top level; undefined when the tree is not in a git work tree. */
  gitRoot?: string;
  /** The tree's path inside the repository, with a trailing slash; '' when it is the top level. */
  prefix: string;
  /** HEAD's commit; undefined in a repository with no commit yet. */
  head?: string;
  /** `git rev-parse --is-shallow-repository`. */
  shallow: boolean;
  /** The commits where a shallow clone's history stops (`.git/shallow`). */
  shallowBoundary: string[];
}

/** Where `dir` sits in git, if anywhere. Never throws for "not a repository". */
export async function openRepo(dir: string): Promise<RepoContext> {
  const treeRoot = realpathSync(resolve(dir));
  const top = await gitMaybe(treeRoot, [
    'rev-parse',
    '--show-toplevel',
    '--show-prefix',
    '--is-shallow-repository',
  ]);
  if (top === undefined) return { treeRoot, prefix: '', shallow: false, shallowBoundary: [] };
  const [gitRoot = treeRoot, prefix = '', shallowText = 'false'] = top.split('\n');
  const shallow = shallowText.trim() === 'true';
  const head = await resolveCommit(treeRoot, 'HEAD');
  let shallowBoundary: string[] = [];
  if (shallow) {
    const shallowFile = (await git(treeRoot, ['rev-parse', '--git-path', 'shallow'])).trim();
    const file = resolve(treeRoot, shallowFile);
    if (existsSync(file)) shallowBoundary = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  }
  return { treeRoot, gitRoot, prefix, ...(head ? { head } : {}), shallow, shallowBoundary };
}

export type BaseSource = 'explicit' | 'merge-base' | 'path-history' | 'parent' | 'root' | 'worktree-only';

export interface BaseChoice {
  /** A commit, or EMPTY_TREE for a root commit. Undefined when no usable base exists. */
  rev?: string;
  source?: BaseSource;
  /** One sentence: how the base was chosen. */
  how: string;
  /** Set when no usable base exists: what history is missing, and why. */
  missing?: string;
}

const UPSTREAM_CANDIDATES = [
  '@{upstream}',
  'origin/HEAD',
  'origin/main',
  'origin/master',
  'upstream/main',
  'upstream/master',
];

/**
 * The base the change is measured against.
 * - `--base REV`: that revision (a revision a shallow clone lacks is reported, not fetched).
 * - A tree that is a sub-directory of a larger repository: the parent of the latest commit touching
 *   that path (history scoped to the tree), plus whatever is uncommitted under it.
 * - Otherwise the merge-base of HEAD with its upstream (`@{upstream}`, `origin/main`, ...), else
 *   HEAD~1, else (a root commit) the empty tree.
 */
export async function chooseBase(repo: RepoContext, requested?: string): Promise<BaseChoice> {
  const cwd = repo.treeRoot;
  if (!repo.gitRoot)
    return {
      how: 'not a git work tree',
      missing: `${cwd} is not inside a git work tree, so there is no history at all`,
    };
  if (requested !== undefined) {
    const rev = await resolveCommit(cwd, requested);
    if (rev) return { rev, source: 'explicit', how: `--base ${requested} (${rev.slice(0, 12)})` };
    if (repo.shallow) {
      return {
        how: `--base ${requested}`,
        missing: `--base ${requested} is not in this shallow clone (history stops at ${shortList(repo.shallowBoundary)}); backlevel fetches nothing`,
      };
    }
    throw new WorkflowGitError(`--base ${requested}: unknown revision in ${repo.gitRoot}`);
  }
  if (!repo.head)
    return { rev: EMPTY_TREE, source: 'root', how: 'the repository has no commit yet: every file is new' };
  if (repo.prefix) {
    const last = (await gitMaybe(cwd, ['log', '-1', '--format=%H', 'HEAD', '--', '.']))?.trim();
    if (!last)
      return {
        rev: repo.head,
        source: 'path-history',
        how: `${repo.prefix} has no committed history: every file under it is new`,
      };
    const parent = await resolveCommit(cwd, `${last}^`);
    if (parent) {
      return {
        rev: parent,
        source: 'path-history',
        how: `history scoped to ${repo.prefix}: parent of ${last.slice(0, 12)}, the latest commit touching it`,
      };
    }
    if (repo.shallowBoundary.includes(last)) {
      return {
        how: `history scoped to ${repo.prefix}`,
        missing: `the parent of ${last.slice(0, 12)} (latest commit touching ${repo.prefix}) is cut off by the shallow clone`,
      };
    }
    return {
      rev: EMPTY_TREE,
      source: 'root',
      how: `${last.slice(0, 12)}, the latest commit touching ${repo.prefix}, is a root commit`,
    };
  }
  for (const candidate of UPSTREAM_CANDIDATES) {
    const up = await resolveCommit(cwd, candidate);
    if (!up || up === repo.head) continue;
    const mb: string | undefined = (await gitMaybe(cwd, ['merge-base', 'HEAD', up]))?.trim();
    if (mb && mb !== repo.head)
      return {
        rev: mb,
        source: 'merge-base',
        how: `merge-base of HEAD and ${candidate} (${mb.slice(0, 12)})`,
      };
  }
  const parent = await resolveCommit(cwd, 'HEAD~1');
  if (parent)
    return {
      rev: parent,
      source: 'parent',
      how: `HEAD~1 (${parent.slice(0, 12)}): no upstream branch to take a merge-base with`,
    };
  if (repo.shallow) {
    return {
      how: 'HEAD~1',
      missing: `HEAD's parent is not in this shallow clone (history stops at ${shortList(repo.shallowBoundary)}); backlevel fetches nothing`,
    };
  }
  return { rev: EMPTY_TREE, source: 'root', how: 'HEAD is a root commit: every file is new' };
}

function shortList(commits: readonly string[]): string {
  return commits.length ? commits.map((c) => c.slice(0, 12)).join(', ') : 'an unknown commit';
}

export type ChangeStatus =
  | 'added'
  | 'modified'
  | 'deleted'
  | 'renamed'
  | 'copied'
  | 'type-changed'
  | 'untracked';

export interface ChangedFile {
  /** Relative to the tree root, forward slashes. */
  path: string;
  status: ChangeStatus;
  /** For renames: the old path. */
  oldPath?: string;
  /** New-side line ranges [start, end] (1-based, inclusive); 'all' for new and untracked files. */
  lines: [number, number][] | 'all';
}

export interface ChangeSet {
  base: string;
  files: ChangedFile[];
}

/**
 * Files and new-side line ranges changed between `base` and the work tree (committed, staged and
 * unstaged changes), plus untracked files (not ignored), under the tree root only.
 */
export async function changesSince(repo: RepoContext, base: string): Promise<ChangeSet> {
  return changesBetween(repo.treeRoot, base, undefined, { untracked: true });
}

/** Changes from `from` to `to` (a commit), or to the work tree when `to` is undefined. */
export async function changesBetween(
  cwd: string,
  from: string,
  to: string | undefined,
  opts: { untracked?: boolean } = {},
): Promise<ChangeSet> {
  const range = to ? [from, to] : [from];
  const common = ['--no-color', '--no-ext-diff', '--relative', '-M', '--no-textconv'];
  const [nameStatus, patch] = await Promise.all([
    git(cwd, ['diff', ...common, '--name-status', '-z', ...range, '--', '.']),
    git(cwd, ['diff', ...common, '-U0', ...range, '--', '.']),
  ]);
  const files = new Map<string, ChangedFile>();
  const parts = nameStatus.split('\0');
  for (let i = 0; i < parts.length - 1; ) {
    const code = parts[i++]!;
    if (!code) continue;
    const letter = code[0]!;
    if (letter === 'R' || letter === 'C') {
      const oldPath = parts[i++]!;
      const path = parts[i++]!;
      files.set(path, { path, oldPath, status: letter === 'R' ? 'renamed' : 'copied', lines: [] });
    } else {
      const path = parts[i++]!;
      const status: ChangeStatus =
        letter === 'A' ? 'added' : letter === 'D' ? 'deleted' : letter === 'T' ? 'type-changed' : 'modified';
      files.set(path, { path, status, lines: status === 'added' ? 'all' : [] });
    }
  }
  for (const [path, ranges] of parseUnifiedZero(patch)) {
    const f = files.get(path);
    if (f && f.lines !== 'all') f.lines = ranges;
  }
  if (opts.untracked && !to) {
    const others = await git(cwd, ['ls-files', '--others', '--exclude-standard', '-z', '--', '.']);
    for (const path of others.split('\0').filter(Boolean))
      files.set(path, { path, status: 'untracked', lines: 'all' });
  }
  return { base: from, files: [...files.values()].sort((a, b) => a.path.localeCompare(b.path)) };
}

/** Parses `git diff -U0` output into new-side line ranges per (new) path. */
export function parseUnifiedZero(patch: string): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  let current: [number, number][] | undefined;
  for (const line of patch.split('\n')) {
    if (line.startsWith('+++ ')) {
      const target = line.slice(4);
      if (target === '/dev/null') {
        current = undefined;
        continue;
      }
      const path = unquote(target).replace(/^b\//, '');
      current = [];
      out.set(path, current);
    } else if (line.startsWith('@@') && current) {
      const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!m) continue;
      const start = Number(m[1]);
      const count = m[2] === undefined ? 1 : Number(m[2]);
      if (count > 0) current.push([start, start + count - 1]);
    }
  }
  return out;
}

/** git's C-style quoting of unusual paths (`"a\303\251.py"`). */
function unquote(s: string): string {
  if (!s.startsWith('"')) return s;
  const body = s.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const n = body[++i]!;
    if (/[0-7]/.test(n)) {
      bytes.push(Number.parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else bytes.push(({ n: 10, t: 9, '"': 34, '\\': 92 } as Record<string, number>)[n] ?? n.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Whether a 1-based line falls in a changed file's ranges. */
export function lineChanged(file: ChangedFile, line: number): boolean {
  if (file.lines === 'all') return true;
  return file.lines.some(([a, b]) => line >= a && line <= b);
}

/** Whether [start, end] overlaps the changed ranges (a multi-line finding touching a changed line). */
export function rangeChanged(file: ChangedFile, start: number, end: number): boolean {
  if (file.lines === 'all') return true;
  return file.lines.some(([a, b]) => start <= b && end >= a);
}

/** Whether the work tree has uncommitted changes under the tree root (tracked or untracked). */
export async function isDirty(repo: RepoContext): Promise<boolean> {
  if (!repo.gitRoot) return false;
  const out = await git(repo.treeRoot, ['status', '--porcelain', '--untracked-files=normal', '--', '.']);
  return out.trim().length > 0;
}

/** The commits of `A..B` (oldest first), or of a list of revisions, as full ids. */
export async function listCommits(
  cwd: string,
  spec: { range?: string; revs?: readonly string[] },
): Promise<string[]> {
  if (spec.range) {
    const out = await git(cwd, ['rev-list', '--reverse', '--topo-order', '--no-merges', spec.range]);
    return out.split('\n').filter(Boolean);
  }
  const out: string[] = [];
  for (const rev of spec.revs ?? []) {
    const c = await resolveCommit(cwd, rev);
    if (!c) throw new WorkflowGitError(`unknown revision '${rev}' in ${cwd}`);
    out.push(c);
  }
  return out;
}

export interface CommitMeta {
  oid: string;
  parents: string[];
  subject: string;
  author: string;
}

export async function commitMeta(cwd: string, rev: string): Promise<CommitMeta> {
  const out = await git(cwd, ['show', '-s', '--format=%H%x00%P%x00%s%x00%an', rev]);
  const [oid = '', parents = '', subject = '', author = ''] = out.replace(/\n$/, '').split('\0');
  return { oid, parents: parents.split(' ').filter(Boolean), subject, author };
}
