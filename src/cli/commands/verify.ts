import type { Command } from 'commander';
import { notBuilt } from './not-built.js';

export function register(program: Command): void {
  const verify = program
    .command('verify')
    .description('Runtime verifiers: versioned-object backlevels (objects) and os-xenapi pins (pins)');
  verify
    .command('objects')
    .description('Backlevel round-trips of every versioned object at every historical version')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(notBuilt('verify objects', 7));
  verify
    .command('pins')
    .description('Is the os-xenapi version the code needs actually required?')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(notBuilt('verify pins', 8));
}
