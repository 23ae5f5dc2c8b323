/**
 * Temporary git work trees: `git worktree add --detach` into a fresh `mkdtemp` directory, used by
 * `backport` to apply commits onto a stable branch without touching any branch or the user's work
 * tree. A temporary tree is ALWAYS removed: on return, on an exception, and on SIGINT / SIGTERM /
 * SIGHUP (synchronously, before the process exits with 128 + signal), followed by
 * `git worktree prune` so the repository keeps no stale administrative entry.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from './git.js';

/** The prefix of every temporary directory backlevel creates (tests look for leftovers by it). */
export const TEMP_PREFIX = 'backlevel-worktree-';

export interface TempWorktree {
  /** The temporary work tree (inside `tempDir`). */
  dir: string;
  /** The mkdtemp directory holding it. */
  tempDir: string;
  /** The repository it belongs to (a directory inside its main work tree or the git dir). */
  repoDir: string;
  /** The commit checked out (detached). */
  commit: string;
}

const live = new Map<string, TempWorktree>();
let handlersInstalled = false;

/** Removes a temporary work tree synchronously (safe to call twice, never throws). */
export function removeWorktreeSync(wt: TempWorktree): void {
  live.delete(wt.tempDir);
  const opts = { stdio: 'ignore' as const, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } };
  try {
    execFileSync('git', ['-C', wt.repoDir, 'worktree', 'remove', '--force', '--force', wt.dir], opts);
  } catch {
    // already gone, or the repository is unreadable: the directory is removed below regardless
  }
  try {
    rmSync(wt.tempDir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // nothing more we can do; prune below still drops the administrative entry
  }
  try {
    execFileSync('git', ['-C', wt.repoDir, 'worktree', 'prune'], opts);
  } catch {
    // ignore
  }
}

/** Removes every temporary work tree this process still holds. */
export function removeAllWorktreesSync(): void {
  for (const wt of [...live.values()]) removeWorktreeSync(wt);
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const sig of Object.keys(SIGNAL_EXIT) as NodeJS.Signals[]) {
    process.on(sig, () => {
      const n = live.size;
      removeAllWorktreesSync();
      if (n) process.stderr.write(`\nbacklevel: interrupted (${sig}); removed ${n} temporary work tree(s)\n`);
      process.exit(SIGNAL_EXIT[sig]);
    });
  }
  process.on('exit', () => removeAllWorktreesSync());
}

/** Creates a detached temporary work tree of `rev`. Prefer `withTempWorktree`. */
export async function addTempWorktree(repoDir: string, rev: string): Promise<TempWorktree> {
  installHandlers();
  const tempDir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  const dir = join(tempDir, 'tree');
  const wt: TempWorktree = { dir, tempDir, repoDir, commit: rev };
  live.set(tempDir, wt);
  try {
    await git(repoDir, ['worktree', 'add', '--detach', '--quiet', dir, rev]);
    wt.commit = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  } catch (err) {
    removeWorktreeSync(wt);
    throw err;
  }
  return wt;
}

/** Runs `fn` in a temporary work tree of `rev`; the tree is removed whatever happens. */
export async function withTempWorktree<T>(
  repoDir: string,
  rev: string,
  fn: (wt: TempWorktree) => Promise<T>,
): Promise<T> {
  const wt = await addTempWorktree(repoDir, rev);
  try {
    return await fn(wt);
  } finally {
    removeWorktreeSync(wt);
  }
}

/** Temporary trees currently alive in this process (for tests and diagnostics). */
export function liveWorktrees(): TempWorktree[] {
  return [...live.values()].filter((w) => existsSync(w.tempDir));
}
