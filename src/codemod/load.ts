/**
 * Resolves `--codemod` values: a built-in name from `codemods/index.ts`, or a path to a user
 * codemod (TypeScript transpiled in memory, or JavaScript). Modules are loaded once per thread.
 */
import { resolve } from 'node:path';
import { BUILTIN_CODEMODS } from '../../codemods/index.js';
import { isCodemodPath, loadUserCodemod } from './load-user-codemod.js';
import type { CodemodMeta, CodemodModule } from './types.js';

export class UnknownCodemodError extends Error {
  constructor(readonly spec: string) {
    super(
      `unknown codemod '${spec}' (built-in: ${Object.keys(BUILTIN_CODEMODS).sort().join(', ') || 'none'}; ` +
        'or give a path to a .ts/.js codemod file)',
    );
    this.name = 'UnknownCodemodError';
  }
}

/** A codemod as workers receive it: a built-in name or an absolute file path. */
export interface CodemodRef {
  name: string;
  file?: string;
}

export function codemodRef(spec: string, cwd = process.cwd()): CodemodRef {
  if (Object.hasOwn(BUILTIN_CODEMODS, spec)) return { name: spec };
  if (isCodemodPath(spec)) return { name: spec, file: resolve(cwd, spec) };
  throw new UnknownCodemodError(spec);
}

const cache = new Map<string, Promise<CodemodModule>>();

export function loadCodemod(ref: CodemodRef): Promise<CodemodModule> {
  const key = ref.file ?? ref.name;
  let p = cache.get(key);
  if (!p) {
    if (ref.file) p = loadUserCodemod(ref.file);
    else {
      const loader = BUILTIN_CODEMODS[ref.name];
      p = loader ? loader() : Promise.reject(new UnknownCodemodError(ref.name));
    }
    cache.set(key, p);
  }
  return p;
}

export function builtinCodemodNames(): string[] {
  return Object.keys(BUILTIN_CODEMODS).sort();
}

export async function listBuiltinCodemods(): Promise<CodemodMeta[]> {
  const out: CodemodMeta[] = [];
  for (const name of builtinCodemodNames()) {
    const mod = await loadCodemod({ name });
    out.push({ ...mod.meta, name });
  }
  return out;
}
