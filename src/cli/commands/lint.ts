import type { Command } from 'commander';
import { notBuilt } from './not-built.js';

export function register(program: Command): void {
  program
    .command('lint')
    .description(
      'Static analysis of Python sources with rules as data (raw conductor calls, legacy xenapi imports, dom0 plugin calls, dict-style object access)',
    )
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(notBuilt('lint', 3));
}
