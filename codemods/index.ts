/**
 * The built-in codemods, by name. One line per codemod: its name and a lazy import of its module
 * (a default-exported transform and `meta`, see src/codemod/types.ts). `backlevel migrate --list`
 * and `--codemod NAME` read this table; workers load modules from it by name.
 */
import type { CodemodModule } from '../src/codemod/types.js';

export type CodemodLoader = () => Promise<CodemodModule>;

export const BUILTIN_CODEMODS: Record<string, CodemodLoader> = {
  'conductor-to-objects': () => import('./conductor-to-objects.js'),
  'objects-import-style': () => import('./objects-import-style.js'),
  'xenapi-imports': () => import('./xenapi-imports.js'),
  'xenapi-plugin-calls': () => import('./xenapi-plugin-calls.js'),
  'xenapi-imports-reverse': () => import('./xenapi-imports-reverse.js'),
  'xenapi-cleanup': () => import('./xenapi-cleanup.js'),
};
