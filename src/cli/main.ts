/**
 * The `backlevel` command line: global options, subcommand registry, error-to-exit-code mapping.
 * Exit codes: 0 clean, 1 findings, 2 usage/config/input error, 3 internal error.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config-file.js';
import { packagePath } from '../config/package-root.js';
import { commandsFor } from './commands/registry.js';
import type { RegisterCommand } from './context.js';
import { InputError, UsageError } from './errors.js';
import { ExitCode } from './exit-codes.js';

export function buildProgram(commands: readonly RegisterCommand[]): Command {
  const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string };
  const program = new Command('backlevel')
    .description("Keeps OpenStack Nova's virt drivers upgrade-safe: analyzers, codemods and verifiers")
    .version(pkg.version, '-V, --version')
    .option('-q, --quiet', 'no progress bar and no summary lines')
    .option('--no-color', 'plain output (also NO_COLOR=1)')
    .option('-j, --jobs <n>', 'worker threads (default: every core)')
    .option('-c, --config <file>', 'config file (default: backlevel.config.{json,yaml} in the tree)')
    .showHelpAfterError('(run backlevel --help for usage)')
    .exitOverride();
  program.addHelpText(
    'after',
    '\nExit codes: 0 clean, 1 findings, 2 usage/config/input error, 3 internal error.\n' +
      'Docs: README.md in the backlevel package.',
  );
  for (const register of commands) register(program);
  for (const cmd of program.commands) {
    cmd.exitOverride();
    for (const sub of cmd.commands) sub.exitOverride();
  }
  return program;
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram(await commandsFor(argv.slice(2)));
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Clean;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) {
        return ExitCode.Clean;
      }
      if (err.code === 'commander.help') return ExitCode.Clean;
      return ExitCode.UsageOrConfig;
    }
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof InputError) {
      process.stderr.write(`backlevel: ${err.message}\n`);
      return ExitCode.UsageOrConfig;
    }
    const e = err as Error;
    process.stderr.write(`backlevel: internal error: ${e.message}\n`);
    if (process.env.BACKLEVEL_DEBUG) process.stderr.write(`${e.stack}\n`);
    else process.stderr.write('(set BACKLEVEL_DEBUG=1 for the stack trace; please report it)\n');
    return ExitCode.Internal;
  }
}
