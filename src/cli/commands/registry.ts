/** Every subcommand, in the order `backlevel --help` lists them. One module per command. */
import type { RegisterCommand } from '../context.js';
import { register as backport } from './backport.js';
import { register as gate } from './gate.js';
import { register as index } from './index-cmd.js';
import { register as lint } from './lint.js';
import { register as migrate } from './migrate.js';
import { register as verify } from './verify.js';

export const COMMANDS: RegisterCommand[] = [lint, migrate, verify, gate, backport, index];
