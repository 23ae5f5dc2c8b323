import type { Command } from 'commander';
import { registerObjects } from '../../verify/objects/command.js';
import { registerPins } from '../../verify/pins/command.js';

export function register(program: Command): void {
  const verify = program
    .command('verify')
    .description('Runtime verifiers: versioned-object backlevels (objects) and os-xenapi pins (pins)');
  registerObjects(verify);
  registerPins(verify);
}
