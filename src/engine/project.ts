/**
 * A target tree: its root, its configuration, its project packages (the `project` import group),
 * and the mapping from files to dotted module names. Every command starts by opening one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type BacklevelConfig, loadConfig } from '../config/config-file.js';
import { type Discovery, discoverFiles } from './discover.js';
import type { FileTaskInput } from './file-task.js';

export interface Project {
  root: string;
  config: BacklevelConfig;
  configFile?: string;
  projectPackages: string[];
}

export function openProject(rootDir: string, configFile?: string): Project {
  const root = resolve(rootDir);
  if (!existsSync(root)) throw new Error(`${rootDir}: no such directory`);
  const loaded = loadConfig(root, configFile);
  return {
    root,
    config: loaded.config,
    ...(loaded.file ? { configFile: loaded.file } : {}),
    projectPackages: loaded.config.projectPackages ?? detectProjectPackages(root),
  };
}

/**
 * Top-level packages: the `name` in setup.cfg (`nova`), else every top-level directory with an
 * `__init__.py`; `nova` when nothing is found.
 */
export function detectProjectPackages(root: string): string[] {
  const setupCfg = join(root, 'setup.cfg');
  const found = new Set<string>();
  if (existsSync(setupCfg)) {
    const m = /^\s*name\s*=\s*([A-Za-z0-9_.-]+)/m.exec(readFileSync(setupCfg, 'utf8'));
    if (m) found.add(m[1]!.replace(/-/g, '_'));
  }
  try {
    for (const name of readdirSync(root)) {
      const dir = join(root, name);
      if (
        /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) &&
        statSync(dir).isDirectory() &&
        existsSync(join(dir, '__init__.py'))
      ) {
        found.add(name);
      }
    }
  } catch {
    // unreadable root: fall through to the default
  }
  return found.size ? [...found].sort() : ['nova'];
}

export function relPathOf(project: Project, absPath: string): string {
  return relative(project.root, absPath).replace(/\\/g, '/');
}

/** PyFile options (module name, package flag) for a path relative to the project root. */
/** Re-exported from the front end (where it lives, so that workers need not load the project). */
export { pyFileOptionsFor } from '../python/source-file.js';

export async function discoverProjectFiles(
  project: Project,
  paths: readonly string[] = [],
  extra: { include?: string[]; exclude?: string[] } = {},
): Promise<Discovery & { inputs: FileTaskInput[] }> {
  const include = extra.include ?? project.config.include;
  const exclude = [...(project.config.exclude ?? []), ...(extra.exclude ?? [])];
  const d = await discoverFiles({
    cwd: project.root,
    paths: paths.length ? paths.map((p) => resolve(process.cwd(), p)) : [project.root],
    ...(include ? { include } : {}),
    exclude,
  });
  return { ...d, inputs: d.files.map((path) => ({ path, relPath: relPathOf(project, path) })) };
}
