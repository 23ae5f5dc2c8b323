/**
 * The `backlevel verify pins` subcommand: options, and the action that runs the verifier and prints
 * the report. Registered by `src/cli/commands/verify.ts`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { globalOptions } from '../../cli/context.js';
import { InputError, UsageError } from '../../cli/errors.js';
import { ExitCode } from '../../cli/exit-codes.js';
import { createProgress, type Progress } from '../../engine/progress.js';
import { openProject } from '../../engine/project.js';
import { PIN_FORMATS, type PinFormat, renderPins } from './render.js';
import { resolvePinsSettings, verifyPins } from './verify-pins.js';

interface PinsCliOptions {
  repo: string;
  format: string;
  package?: string;
  import?: string;
  index?: string;
  constraints?: string[];
  requirements?: string[];
  pythonVersion?: string;
  output?: string;
}

const repeatable = (v: string, prev: string[] = []) => [...prev, v];

export function registerPins(parent: Command): void {
  parent
    .command('pins')
    .description('Is the os-xenapi version the code needs actually required? (any library with an API index)')
    .option('--repo <dir>', 'root of the tree to check', '.')
    .option('--format <format>', `output: ${PIN_FORMATS.join(', ')}`, 'text')
    .option('--package <name>', 'distribution name (default: from the index, os-xenapi)')
    .option('--import <name>', 'import package (default: from the index, os_xenapi)')
    .option('--index <file>', 'API index JSON (default: the built-in rules/os-xenapi-api.json)')
    .option('--constraints <file>', 'constraints file, e.g. upper-constraints.txt (repeatable)', repeatable)
    .option(
      '--requirements <file>',
      'requirement file relative to --repo (repeatable; replaces the defaults)',
      repeatable,
    )
    .option('--python-version <x.y>', 'Python version environment markers are evaluated for (default 3.6)')
    .option('--output <file>', 'write the report to a file instead of stdout')
    .addHelpText(
      'after',
      '\nFindings: pin-missing, pin-too-low, constraint-conflict, excluded-needed, legacy-module, pin-allows-removed, incompatible-uses (errors); unused-pin, unknown-symbol (warnings); requirement-syntax.\nExit codes: 0 no errors; 1 errors; 2 usage, config or input error; 3 internal error.',
    )
    .action(async (opts: PinsCliOptions, cmd: Command) => {
      process.exitCode = await runPins(opts, cmd);
    });
}

async function runPins(opts: PinsCliOptions, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  if (!(PIN_FORMATS as readonly string[]).includes(opts.format))
    throw new UsageError(`--format must be one of ${PIN_FORMATS.join(', ')}, not '${opts.format}'`);
  const root = resolve(opts.repo);
  if (!existsSync(root)) throw new InputError(`${opts.repo}: no such directory`);
  for (const c of opts.constraints ?? []) {
    if (!existsSync(resolve(c))) throw new InputError(`--constraints ${c}: file not found`, c);
  }
  if (opts.index && !existsSync(resolve(opts.index)))
    throw new InputError(`--index ${opts.index}: file not found`, opts.index);
  if (opts.pythonVersion && !/^\d+\.\d+(\.\d+)?$/.test(opts.pythonVersion))
    throw new UsageError(`--python-version expects X.Y, not '${opts.pythonVersion}'`);
  const project = openProject(root, g.config);
  const { settings, index } = resolvePinsSettings(root, project.config.pins, {
    ...(opts.package ? { package: opts.package } : {}),
    ...(opts.import ? { importName: opts.import } : {}),
    ...(opts.index ? { index: resolve(opts.index) } : {}),
    ...(opts.constraints ? { constraints: opts.constraints } : {}),
    ...(opts.requirements ? { requirementFiles: opts.requirements } : {}),
    ...(opts.pythonVersion ? { pythonVersion: opts.pythonVersion } : {}),
  });
  let progress: Progress | undefined;
  const report = await verifyPins({
    project,
    settings,
    index,
    ...(g.jobs ? { jobs: g.jobs } : {}),
    onProgress: (done, total) => {
      progress ??= createProgress(total, { quiet: g.quiet, title: 'verify pins' });
      progress.tick(done, total);
    },
  });
  progress?.stop();
  const text = renderPins(report, opts.format as PinFormat);
  if (opts.output) writeFileSync(opts.output, text);
  else process.stdout.write(text);
  return report.findings.some((f) => f.severity === 'error') ? ExitCode.Findings : ExitCode.Clean;
}
