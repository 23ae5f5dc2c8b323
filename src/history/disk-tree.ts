/**
 * Module summaries of a tree on disk (a work tree, dirty or not, or an installed package root):
 * the Python files of the object directories plus the constant modules field types come from, read
 * with the same extractor the git history uses. Shared by `verify objects` and the gate/backport.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { initPython } from '../python/parser.js';
import { moduleNameForPath } from '../python/source-file.js';
import { DEFAULT_CONSTANT_MODULES, DEFAULT_OBJECT_DIRS } from './history-walk.js';
import { extractModule, type ModuleSummary } from './object-extractor.js';

/** Tree-relative paths of the object modules (sorted per directory), then the constant modules. */
export function diskObjectFiles(root: string, objectDirs: readonly string[] = DEFAULT_OBJECT_DIRS): string[] {
  const paths: string[] = [];
  for (const dir of objectDirs) {
    const abs = join(root, dir);
    if (!existsSync(abs) || !statSync(abs).isDirectory()) continue;
    for (const name of readdirSync(abs).sort()) {
      if (name.endsWith('.py') && statSync(join(abs, name)).isFile()) paths.push(`${dir}/${name}`);
    }
  }
  // Constant modules matter only to a tree that has objects.
  if (paths.length) paths.push(...DEFAULT_CONSTANT_MODULES.filter((p) => existsSync(join(root, p))));
  return paths;
}

export async function summarizeDiskTree(
  root: string,
  objectDirs: readonly string[] = DEFAULT_OBJECT_DIRS,
): Promise<ModuleSummary[]> {
  await initPython();
  const summaries: ModuleSummary[] = [];
  for (const path of diskObjectFiles(root, objectDirs)) {
    const mod = moduleNameForPath(path);
    if (mod)
      summaries.push(
        extractModule(path, readFileSync(join(root, path), 'utf8'), mod.moduleName, mod.isPackage),
      );
  }
  return summaries;
}
