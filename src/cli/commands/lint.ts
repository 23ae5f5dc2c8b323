/**
 * `backlevel lint [paths...]`: the static analyzers. Rules as data (rules/*.yaml), inline
 * suppressions, baselines, changed-lines filtering, and text / JSON / SARIF / JUnit / GitHub
 * annotation reports. Exit 1 when a finding at or above --fail-on remains.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import writeFileAtomic from 'write-file-atomic';
import { packagePath } from '../../config/package-root.js';
import { openProject } from '../../engine/project.js';
import { formatSkipped, formatSummary } from '../../engine/run-summary.js';
import { readBaseline, writeBaseline } from '../../lint/baseline.js';
import { changedLinesSince } from '../../lint/changed-lines.js';
import type { LintConfig } from '../../lint/config.js';
import { RULES } from '../../lint/rules/index.js';
import { type LintTiming, lintProject } from '../../lint/runner.js';
import { formatStatusTable } from '../../lint/status-report.js';
import { atLeast, type Severity } from '../../report/finding.js';
import { isReportFormat, OUTPUT_FORMATS, type RuleDescriptor, renderReport } from '../../report/index.js';
import { globalOptions } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

interface LintOptions {
  root?: string;
  format?: string;
  output?: string;
  rule?: string[];
  failOn?: string;
  report?: string;
  reportUnusedSuppressions?: boolean;
  baseline?: string;
  writeBaseline?: string;
  changedSince?: string;
  listRules?: boolean;
  timing?: boolean;
}

/**
 * The tree root for the given paths: the first directory, walking up from the first path (or the
 * working directory), that is not itself a Python package (has no __init__.py), as Python's
 * import system sees it. `backlevel lint nova/virt` from a Nova checkout lints with the checkout as
 * root; `backlevel lint fixtures/sample-nova` lints that tree.
 */
export function treeRootFor(paths: readonly string[]): string {
  let dir = resolve(paths[0] ?? '.');
  if (existsSync(dir) && statSync(dir).isFile()) dir = dirname(dir);
  while (existsSync(join(dir, '__init__.py'))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
}

function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

export function ruleDescriptors(): RuleDescriptor[] {
  return RULES.map((r) => ({
    id: r.meta.id,
    title: r.meta.title,
    description: r.meta.description,
    severity: r.meta.severity,
    docs: r.meta.docs,
    ...(r.meta.fixableBy ? { fixableBy: r.meta.fixableBy } : {}),
  }));
}

/** The `--timing` table: run phases (wall, this thread), then file-task time per rule (summed). */
export function formatTiming(t: LintTiming): string {
  const rows = (title: string, m: Record<string, number>) => {
    const total = Object.values(m).reduce((a, b) => a + b, 0);
    const lines = Object.entries(m)
      .sort((a, b) => b[1] - a[1])
      .map(
        ([k, ms]) =>
          `  ${k.padEnd(32)} ${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / (total || 1)).toFixed(1).padStart(5)}%`,
      );
    return [`${title} (${total.toFixed(0)} ms)`, ...lines].join('\n');
  };
  return `${rows('run phases, wall', t.phases)}\n${rows('file tasks, per rule and phase, summed over workers', t.perFile)}\n`;
}

export function register(program: Command): void {
  program
    .command('lint')
    .description(
      'Static analysis of Python sources with rules as data (raw conductor calls, legacy xenapi imports, dom0 plugin calls, dict-style object access, driver method migration status)',
    )
    .argument('[paths...]', 'files or directories (default: the current directory)')
    .option('--root <dir>', 'tree root that rule scopes and module names are relative to (default: detected)')
    .option('-f, --format <format>', `report format: ${OUTPUT_FORMATS.join(', ')}`)
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--rule <ids>', 'run only these rules (comma-separated, repeatable)', collect)
    .option(
      '--fail-on <severity>',
      'exit 1 when a finding at or above this severity remains: error, warning, info, never',
    )
    .option('--report <kind>', "extra report: 'status' (per driver class and spec method migration table)")
    .option('--report-unused-suppressions', 'report # backlevel: ignore[...] comments that suppress nothing')
    .option('--baseline <file>', 'report only findings not recorded in this baseline')
    .option('--write-baseline <file>', "record today's findings as the baseline, exit 0")
    .option('--changed-since <rev>', 'report only findings on lines changed since a git revision')
    .option('--list-rules', 'list the rules and exit')
    .option('--timing', 'print where the time went (run phases, then per rule and per-file phase) to stderr')
    .action(async (paths: string[], opts: LintOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      if (opts.listRules) {
        for (const r of RULES) {
          process.stdout.write(`${r.meta.id.padEnd(30)} ${r.meta.severity.padEnd(8)} ${r.meta.title}\n`);
          process.stdout.write(
            `${''.padEnd(30)} scope: ${r.meta.scope.join(', ')}${r.meta.fixableBy ? `; fix: ${r.meta.fixableBy}` : ''}\n`,
          );
        }
        return;
      }
      const root = opts.root ? resolve(opts.root) : treeRootFor(paths);
      if (!existsSync(root)) throw new UsageError(`--root ${opts.root}: no such directory`);
      const project = openProject(root, g.config);
      const cfg = (project.config.lint ?? {}) as LintConfig;
      const format = opts.format ?? cfg.format ?? 'text';
      if (!isReportFormat(format))
        throw new UsageError(`--format ${format}: expected one of ${OUTPUT_FORMATS.join(', ')}`);
      const failOn = opts.failOn ?? cfg.failOn ?? 'warning';
      if (!['error', 'warning', 'info', 'never'].includes(failOn))
        throw new UsageError(`--fail-on ${failOn}: expected error, warning, info or never`);
      if (opts.report !== undefined && opts.report !== 'status')
        throw new UsageError(`--report ${opts.report}: expected 'status'`);
      if (opts.baseline && opts.writeBaseline)
        throw new UsageError('--baseline and --write-baseline exclude each other');
      const baselineFile =
        opts.baseline ?? (cfg.baseline && !opts.writeBaseline ? resolve(root, cfg.baseline) : undefined);
      const result = await lintProject({
        project,
        paths: paths.length ? paths : [root],
        ...(opts.rule ? { only: opts.rule } : {}),
        ...(g.jobs ? { jobs: g.jobs } : {}),
        quiet: g.quiet,
        ...(baselineFile ? { baseline: readBaseline(baselineFile) } : {}),
        ...(opts.changedSince ? { changed: changedLinesSince(root, opts.changedSince) } : {}),
        ...(opts.reportUnusedSuppressions ? { reportUnusedSuppressions: true } : {}),
        ...(opts.timing ? { timing: true } : {}),
      });
      if (opts.writeBaseline) {
        const n = await writeBaseline(resolve(opts.writeBaseline), result.findings);
        if (!g.quiet) process.stderr.write(`backlevel: wrote ${n} finding(s) to ${opts.writeBaseline}\n`);
        process.exitCode = ExitCode.Clean;
        return;
      }
      const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string };
      const toStdout = !opts.output;
      const color = toStdout && g.color && process.stdout.isTTY === true;
      const { elapsedMs: _elapsed, ...stableSummary } = result.summary;
      let text = await renderReport(
        format,
        {
          findings: result.findings,
          summary: format === 'json' ? result.summary : stableSummary,
          rules: ruleDescriptors(),
          tool: { name: 'backlevel', version: pkg.version },
          command: 'lint',
          source: (file) => {
            try {
              return readFileSync(join(root, file), 'utf8');
            } catch {
              return undefined;
            }
          },
          ...(opts.report === 'status' && result.status
            ? {
                extra: {
                  status: result.status,
                  ...(format === 'html'
                    ? {
                        xenapi: await (await import('../../report/html/index.js')).lintXenapiProgress(
                          project,
                          result.findings,
                          g.jobs,
                        ),
                        subject: root,
                      }
                    : {}),
                },
              }
            : {}),
        },
        { color },
      );
      if (format === 'text' && opts.report === 'status' && result.status)
        text += `\n${formatStatusTable(result.status, { color })}`;
      if (opts.output) await writeFileAtomic(resolve(opts.output), text);
      else process.stdout.write(text);
      if (!g.quiet) {
        const s = result.summary;
        const extra = [
          `${s.filesParsed} parsed`,
          `${s.findings} finding${s.findings === 1 ? '' : 's'}`,
          ...(s.suppressed ? [`${s.suppressed} suppressed`] : []),
          ...(s.baselined !== undefined ? [`${s.baselined} in baseline`] : []),
          ...(s.outsideChangedLines !== undefined ? [`${s.outsideChangedLines} outside changed lines`] : []),
        ];
        for (const line of formatSkipped(s)) process.stderr.write(`backlevel: ${line}\n`);
        process.stderr.write(`backlevel lint: ${formatSummary(s, extra)}\n`);
      }
      if (result.timing) process.stderr.write(formatTiming(result.timing));
      const failing =
        failOn !== 'never' && result.findings.some((f) => atLeast(f.severity, failOn as Severity));
      process.exitCode = failing ? ExitCode.Findings : ExitCode.Clean;
    });
}
