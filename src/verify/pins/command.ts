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
import { CONFIG_FILE_NAMES, loadConfig, parseConfig } from '../../config/config-file.js';
import { createProgress, type Progress } from '../../engine/progress.js';
import { openProject, type Project } from '../../engine/project.js';
import { GitError } from '../../history/git-objects.js';
import { PIN_FORMATS, type PinFormat, renderPins } from './render.js';
import { GitTreeSource } from './tree-source.js';
import { analyzePins, resolvePinsSettings } from './verify-pins.js';

interface PinsCliOptions {
  repo: string;
  rev?: string;
  timings?: boolean;
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
    .option(
      '--repo <dir>',
      'root of the tree to check (with --rev: a work tree or a bare git directory)',
      '.',
    )
    .option(
      '--rev <rev>',
      'check the code and requirement files at this git revision (tag, branch, commit) of --repo, without a work tree',
    )
    .option('--timings', 'print the time spent per phase to stderr')
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
  let source: GitTreeSource | undefined;
  if (opts.rev !== undefined) {
    if (!opts.rev.trim()) throw new UsageError('--rev needs a revision (tag, branch or commit)');
    try {
      source = await GitTreeSource.open(root, opts.rev);
    } catch (err) {
      if (err instanceof GitError) throw new InputError(`--rev ${opts.rev}: ${err.message}`, opts.rev);
      throw err;
    }
  }
  try {
    return await runPinsOn(opts, g, root, source);
  } finally {
    source?.close();
  }
}

async function runPinsOn(
  opts: PinsCliOptions,
  g: ReturnType<typeof globalOptions>,
  root: string,
  source: GitTreeSource | undefined,
): Promise<number> {
  const project = source ? await projectAtRevision(source, g.config) : openProject(root, g.config);
  const { settings, index } = resolvePinsSettings(root, project.config.pins, {
    ...(opts.package ? { package: opts.package } : {}),
    ...(opts.import ? { importName: opts.import } : {}),
    ...(opts.index ? { index: resolve(opts.index) } : {}),
    ...(opts.constraints ? { constraints: opts.constraints } : {}),
    ...(opts.requirements ? { requirementFiles: opts.requirements } : {}),
    ...(opts.pythonVersion ? { pythonVersion: opts.pythonVersion } : {}),
  });
  let progress: Progress | undefined;
  const { report, timings } = await analyzePins({
    project,
    settings,
    index,
    ...(source ? { source } : {}),
    ...(g.jobs ? { jobs: g.jobs } : {}),
    onProgress: (done, total) => {
      progress ??= createProgress(total, { quiet: g.quiet, title: 'verify pins' });
      progress.tick(done, total);
    },
  });
  progress?.stop();
  if (opts.timings) {
    const ms = Object.entries(timings)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ');
    process.stderr.write(
      `verify pins timings (ms): ${ms}${source ? ` [${source.label} = ${source.commitId.slice(0, 12)}]` : ''}\n`,
    );
  }
  const text = renderPins(report, opts.format as PinFormat);
  if (opts.output) writeFileSync(opts.output, text);
  else process.stdout.write(text);
  return report.findings.some((f) => f.severity === 'error') ? ExitCode.Findings : ExitCode.Clean;
}

/** The project as it is at a revision: its config file read from the revision (or `--config`). */
async function projectAtRevision(source: GitTreeSource, configFile?: string): Promise<Project> {
  if (configFile) {
    const loaded = loadConfig(source.root, configFile);
    return { root: source.root, config: loaded.config, configFile: configFile, projectPackages: [] };
  }
  for (const name of CONFIG_FILE_NAMES) {
    const text = await source.readText(name);
    if (text !== undefined) {
      const file = `${source.label}:${name}`;
      return { root: source.root, config: parseConfig(text, file), configFile: file, projectPackages: [] };
    }
  }
  return { root: source.root, config: {}, projectPackages: [] };
}
