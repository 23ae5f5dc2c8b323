/**
 * File discovery over directories and files: Python sources under the given paths, respecting
 * `.gitignore` files, include/exclude globs, and the always-skipped VCS and virtualenv folders.
 * Paths named explicitly on the command line are kept even when ignored.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { matchesAnyGlob } from './glob-match.js';
import { walkFiles } from './walk-files.js';

export interface DiscoverOptions {
  /** Directory globs and relative paths resolve against. */
  cwd: string;
  /** Files or directories; default: cwd. */
  paths?: readonly string[];
  /** Globs relative to cwd that a file must match (default: every `*.py`). */
  include?: readonly string[];
  /** Globs relative to cwd to leave out. */
  exclude?: readonly string[];
  /** Honour `.gitignore` files (default true). */
  gitignore?: boolean;
}

export interface Discovery {
  /** Absolute paths, sorted. */
  files: string[];
  /** Command-line paths that do not exist. */
  missing: string[];
}

export const ALWAYS_EXCLUDED = [
  '**/.git/**',
  '**/node_modules/**',
  '**/.tox/**',
  '**/.venv/**',
  '**/__pycache__/**',
];

export async function discoverFiles(opts: DiscoverOptions): Promise<Discovery> {
  const cwd = resolve(opts.cwd);
  const paths = opts.paths?.length ? opts.paths : ['.'];
  const include = opts.include?.length ? opts.include : ['**/*.py'];
  const files = new Set<string>();
  const missing: string[] = [];
  for (const p of paths) {
    const abs = isAbsolute(p) ? p : resolve(cwd, p);
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(abs);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isFile()) {
      files.add(abs);
      continue;
    }
    const found =
      // The walk never enters dot directories, node_modules or __pycache__ (ALWAYS_EXCLUDED).
      (await walkFiles(abs, { include, exclude: opts.exclude ?? [], gitignore: opts.gitignore ?? true })).map(
        (f) => f.path,
      );
    const rel = relative(cwd, abs);
    for (const f of found) {
      // Exclude globs are relative to cwd; re-check files found under a sub-path.
      if (rel && opts.exclude?.length && matchesAnyGlob(relative(cwd, f), opts.exclude)) continue;
      files.add(f);
    }
  }
  return { files: [...files].sort(), missing };
}
