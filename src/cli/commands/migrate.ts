/**
 * `backlevel migrate [paths] --codemod NAME[,NAME] [--dry | --write] [--diff] [--format json]`:
 * runs codemods over a tree. Dry run by default (unified diffs, nothing written); `--write` replaces
 * files atomically. Manual sites are listed with their reason and suggestion; `--annotate` also
 * inserts TODO comments there. `--list` lists the built-in codemods.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { listBuiltinCodemods, UnknownCodemodError } from '../../codemod/load.js';
import { CodemodLoadError } from '../../codemod/load-user-codemod.js';
import { type MigrateResult, manualSites, runCodemods } from '../../codemod/runner.js';
import type { CodemodOptions } from '../../codemod/types.js';
import { openProject } from '../../engine/project.js';
import { globalOptions } from '../context.js';
import { InputError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

interface MigrateCliOptions {
  codemod?: string[];
  dry?: boolean;
  write?: boolean;
  diff?: boolean;
  format: string;
  annotate?: boolean;
  list?: boolean;
  check?: boolean;
  root?: string;
  novaRelease?: string;
  objectsImportStyle?: string;
  option?: string[];
  pythonCheck?: boolean;
}

const collect = (value: string, prev: string[] = []) => [
  ...prev,
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

export function register(program: Command): void {
  program
    .command('migrate')
    .description(
      'Run codemods over Python sources (conductor-to-objects, objects-import-style, ...): dry run by default',
    )
    .argument('[paths...]', 'files or directories (default: the current directory)')
    .option(
      '--codemod <names>',
      'codemods to run, in order: built-in names or paths to .ts/.js files (comma-separated, repeatable)',
      collect,
    )
    .option('--dry', 'print unified diffs and change nothing (the default)')
    .option('--write', 'write the rewritten files (atomically; permissions kept)')
    .option('--diff', 'with --write, also print the diffs')
    .option('--format <format>', 'text or json', 'text')
    .option('--annotate', 'insert a "# TODO(backlevel): ..." comment above every site left for a human')
    .option('--list', 'list the built-in codemods and exit')
    .option('--check', 'exit 1 when any file would change (for CI)')
    .option(
      '--root <dir>',
      'root of the target tree (default: above the first path, the first directory that is not a Python package)',
    )
    .option(
      '--nova-release <tag>',
      'target Nova release (2014.1, 2014.2, 15.0.0, ...) when the tree has no nova/objects/',
    )
    .option(
      '--objects-import-style <style>',
      "'objects' (from nova import objects) or 'module' (from nova.objects import instance as instance_obj); default: detected",
    )
    .option(
      '--option <key=value>',
      'extra option passed to the codemods (repeatable)',
      (v: string, p: string[] = []) => [...p, v],
    )
    .option(
      '--no-python-check',
      'skip the Python 3 compile() check of rewrites (tree-sitter checks still run)',
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 done with nothing left over; 1 sites left for a human, files refused by a check, or (--check) files to change; 2 usage error; 3 internal error.',
    )
    .action(async (paths: string[], opts: MigrateCliOptions, cmd: Command) => {
      process.exitCode = await migrate(paths, opts, cmd);
    });
}

/** The root above the given paths: the first directory, going up, that is not a Python package. */
export function projectRootFor(paths: readonly string[]): string {
  const first = resolve(paths[0] ?? '.');
  let dir = existsSync(first) && statSync(first).isFile() ? dirname(first) : first;
  while (existsSync(join(dir, '__init__.py'))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
}

function parseOptions(opts: MigrateCliOptions): CodemodOptions {
  const out: CodemodOptions = {};
  if (opts.novaRelease) out.novaRelease = opts.novaRelease;
  if (opts.objectsImportStyle) {
    if (!['objects', 'module'].includes(opts.objectsImportStyle)) {
      throw new UsageError(
        `--objects-import-style must be 'objects' or 'module', not '${opts.objectsImportStyle}'`,
      );
    }
    out.objectsImportStyle = opts.objectsImportStyle;
  }
  for (const kv of opts.option ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--option expects key=value, got '${kv}'`);
    const key = kv.slice(0, eq);
    const raw = kv.slice(eq + 1);
    out[key] = raw === 'true' ? true : raw === 'false' ? false : raw;
  }
  return out;
}

async function migrate(paths: string[], opts: MigrateCliOptions, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  if (opts.format !== 'text' && opts.format !== 'json')
    throw new UsageError(`--format must be text or json, not '${opts.format}'`);
  if (opts.list) {
    const list = await listBuiltinCodemods();
    if (opts.format === 'json') process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    else {
      const width = Math.max(0, ...list.map((m) => m.name.length));
      for (const m of list) process.stdout.write(`${m.name.padEnd(width)}  ${m.description}\n`);
    }
    return ExitCode.Clean;
  }
  if (opts.dry && opts.write) throw new UsageError('--dry and --write exclude each other');
  const root = opts.root ? resolve(opts.root) : projectRootFor(paths);
  if (!existsSync(root)) throw new InputError(`${opts.root ?? root}: no such directory`);
  const project = openProject(root, g.config);
  const config = (project.config.migrate ?? {}) as { codemods?: string[]; annotate?: boolean };
  const codemods = opts.codemod?.length
    ? opts.codemod
    : (config.codemods ?? []).map((c) => (c.includes('/') ? resolve(root, c) : c));
  if (!codemods.length)
    throw new UsageError('no codemod given: use --codemod NAME (see backlevel migrate --list)');
  let result: MigrateResult;
  try {
    result = await runCodemods({
      project,
      paths: paths.length ? paths : [root],
      codemods,
      mode: opts.write ? 'write' : 'dry',
      annotate: opts.annotate === true || config.annotate === true,
      options: parseOptions(opts),
      diff: !opts.write || opts.diff === true || opts.format === 'json',
      quiet: g.quiet || opts.format === 'json',
      ...(g.jobs ? { jobs: g.jobs } : {}),
      ...(opts.pythonCheck === false ? { noPythonCheck: true } : {}),
    });
  } catch (err) {
    if (err instanceof UnknownCodemodError) throw new UsageError(err.message);
    if (err instanceof CodemodLoadError) throw new InputError(err.message, err.file);
    throw err;
  }
  for (const m of result.missing) process.stderr.write(`backlevel: ${m}: no such file or directory\n`);
  if (opts.format === 'json') process.stdout.write(`${JSON.stringify(toJson(result), null, 2)}\n`);
  else printText(result, { color: g.color, quiet: g.quiet, showDiffs: !opts.write || opts.diff === true });
  const s = result.summary;
  if (result.missing.length) return ExitCode.UsageOrConfig;
  if (s.filesWithErrors > 0 || s.sitesManual > 0) return ExitCode.Findings;
  if (opts.check && s.filesChanged + s.filesRemoved > 0) return ExitCode.Findings;
  return ExitCode.Clean;
}

export function toJson(result: MigrateResult) {
  return {
    version: 1,
    mode: result.summary.mode,
    codemods: result.codemods.map((c) => ({ name: c.name, description: c.description })),
    summary: result.summary,
    notes: result.notes,
    manual: manualSites(result),
    files: result.files
      .filter((f) => f.status !== 'unchanged' || f.manual.length || f.converted.length)
      .map((f) => ({
        path: f.relPath,
        status: f.status,
        ...(f.reason ? { reason: f.reason } : {}),
        ...(f.codemod ? { codemod: f.codemod } : {}),
        converted: f.converted,
        manual: f.manual,
        ...(f.annotations ? { annotations: f.annotations } : {}),
        ...(f.written ? { written: true } : {}),
        ...(f.diff ? { diff: f.diff } : {}),
      })),
  };
}

function colorDiff(diff: string, color: boolean): string {
  if (!color) return diff;
  return diff
    .split('\n')
    .map((l) =>
      l.startsWith('+++') || l.startsWith('---')
        ? pc.bold(l)
        : l.startsWith('+')
          ? pc.green(l)
          : l.startsWith('-')
            ? pc.red(l)
            : l.startsWith('@@')
              ? pc.cyan(l)
              : l,
    )
    .join('\n');
}

function printText(result: MigrateResult, o: { color: boolean; quiet: boolean; showDiffs: boolean }): void {
  const out = process.stdout;
  if (o.showDiffs) for (const f of result.files) if (f.diff) out.write(colorDiff(f.diff, o.color));
  for (const f of result.files) {
    for (const m of f.manual) {
      const where = `${f.relPath}:${m.line}:${m.column}`;
      out.write(`${where}: manual${m.kind ? ` [${m.kind}]` : ''} (${m.codemod}): ${m.reason}\n`);
      if (m.suggestion) out.write(`    suggestion: ${m.suggestion.replace(/\n/g, '\n                ')}\n`);
    }
  }
  for (const f of result.files) {
    if (f.status === 'refused' || f.status === 'error') {
      out.write(
        `${f.relPath}: ${f.status === 'refused' ? 'rewrite refused, file left untouched' : 'codemod failed, file left untouched'}${f.codemod ? ` (${f.codemod})` : ''}: ${f.reason}\n`,
      );
    } else if (f.status === 'skipped') process.stderr.write(`skipped: ${f.reason}\n`);
    else if (f.status === 'removed')
      out.write(`${f.relPath}: ${f.written ? 'removed' : 'would be removed'} (${f.codemod}): ${f.reason}\n`);
  }
  if (result.notes.length)
    for (const n of result.notes) out.write(`note (${n.codemod}): ${n.key}: ${n.value}\n`);
  if (o.quiet) return;
  const s = result.summary;
  const verb = s.mode === 'write' ? 'changed' : 'to change';
  process.stderr.write(
    `migrate (${s.mode === 'write' ? 'write' : 'dry run'}; ${result.codemods.map((c) => c.name).join(', ')}): ` +
      `${s.filesChanged} file${s.filesChanged === 1 ? '' : 's'} ${verb}, ${s.filesUnchanged} unchanged, ` +
      `${s.filesRemoved ? `${s.filesRemoved} ${s.mode === 'write' ? 'removed' : 'to remove'}, ` : ''}` +
      `${s.filesSkipped} skipped, ${s.filesWithErrors} with errors; ` +
      `${s.sitesConverted} site${s.sitesConverted === 1 ? '' : 's'} converted, ${s.sitesManual} left for a human` +
      `${s.annotations ? ` (${s.annotations} TODO comments added)` : ''}; ` +
      `${(s.bytesRead / 1e6).toFixed(2)} MB in ${(s.elapsedMs / 1000).toFixed(2)} s\n`,
  );
  const reasons = Object.entries(s.manualByReason).sort((a, b) => b[1] - a[1]);
  for (const [reason, n] of reasons) process.stderr.write(`  ${String(n).padStart(4)}  manual: ${reason}\n`);
}
