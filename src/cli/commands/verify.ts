import type { Command } from 'commander';
import { registerPins } from '../../verify/pins/command.js';
import { notBuilt } from './not-built.js';

/** `verify objects` (issue 7): swap this function's body for its own register call when it lands. */
function registerObjects(verify: Command): void {
  verify
    .command('objects')
    .description('Backlevel round-trips of every versioned object at every historical version')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(notBuilt('verify objects', 7));
}

export function register(program: Command): void {
  const verify = program
    .command('verify')
    .description('Runtime verifiers: versioned-object backlevels (objects) and os-xenapi pins (pins)');
  registerObjects(verify);
  registerPins(verify);
}
