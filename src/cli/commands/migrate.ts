import type { Command } from 'commander';
import { notBuilt } from './not-built.js';

export function register(program: Command): void {
  program
    .command('migrate')
    .description('Run codemods over Python sources (conductor-to-objects, xenapi-imports, ...): dry run by default')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(notBuilt('migrate', 4));
}
