import type { Command } from 'commander';
import { notBuilt } from './not-built.js';

export function register(program: Command): void {
  const index = program.command('index').description('Generate API indexes kept in rules/');
  index
    .command('os-xenapi')
    .description('Build the os-xenapi API index from an os-xenapi git checkout (every release tag)')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(notBuilt('index os-xenapi', 5));
}
