/**
 * Every subcommand, in the order `backlevel --help` lists them. One module per command, loaded on
 * demand: a run of one command imports only that command's module chain (the CLI starts in a
 * fraction of the time it takes to load them all); `--help` and unknown commands load them all.
 */
import type { RegisterCommand } from '../context.js';

type Loader = () => Promise<{ register: RegisterCommand }>;

export const COMMAND_LOADERS: ReadonlyMap<string, Loader> = new Map<string, Loader>([
  ['lint', () => import('./lint.js')],
  ['migrate', () => import('./migrate.js')],
  ['verify', () => import('./verify.js')],
  ['gate', () => import('./gate.js')],
  ['backport', () => import('./backport.js')],
  ['index', () => import('./index-cmd.js')],
]);

/** Global options that take a value (their value is not the subcommand name). */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['-j', '--jobs', '-c', '--config']);

/** The subcommand named on the command line, if it is a known one. */
export function requestedCommand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return COMMAND_LOADERS.has(a) ? a : undefined;
  }
  return undefined;
}

/** The register functions to install for these arguments: one command, or all of them. */
export async function commandsFor(args: readonly string[]): Promise<RegisterCommand[]> {
  const name = requestedCommand(args);
  if (!name && (args.includes('-V') || args.includes('--version'))) return [];
  const loaders = name ? [COMMAND_LOADERS.get(name)!] : [...COMMAND_LOADERS.values()];
  return (await Promise.all(loaders.map((load) => load()))).map((m) => m.register);
}
