/**
 * Locates backlevel's own package root (where `rules/`, `schemas/`, `codemods/` and `python/`
 * live), from source (`src/...`) and from the build (`dist/src/...`) alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (!root) {
    let dir = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'schemas'))) {
      const up = dirname(dir);
      if (up === dir) throw new Error('cannot find the backlevel package root');
      dir = up;
    }
    root = dir;
  }
  return root;
}

export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}

let version: string | undefined;

/** backlevel's own version, from its package.json. */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
  return version;
}
