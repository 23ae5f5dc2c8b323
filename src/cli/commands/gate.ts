import type { Command } from 'commander';
import { notBuilt } from './not-built.js';

export function register(program: Command): void {
  program
    .command('gate')
    .description(
      'Pre-merge CI gate: lint on changed lines, object verifier on touched objects, pin verifier; one report, one exit code',
    )
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(notBuilt('gate', 9));
}
