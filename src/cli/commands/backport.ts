import type { Command } from 'commander';
import { notBuilt } from './not-built.js';

export function register(program: Command): void {
  program
    .command('backport')
    .description('Validate commits to be cherry-picked onto a stable branch, in a temporary work tree')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(notBuilt('backport', 9));
}
