/**
 * `backlevel gate [--repo DIR] [--base REV] [--baseline FILE] [--format F]`: the pre-merge CI gate
 * (src/workflow/gate.ts). Exit 1 when a finding at or above `gate.failOn` (default error) exists.
 */
import type { Command } from 'commander';
import { packageVersion } from '../../config/package-root.js';
import { gateHtml } from '../../report/html/index.js';
import { type AnalyzerName, runGate } from '../../workflow/gate.js';
import { WorkflowGitError } from '../../workflow/git.js';
import { FORMATS, type Format, renderGateText, renderSharedFormat } from '../../workflow/render.js';
import { globalOptions } from '../context.js';
import { InputError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

/** The shared formats plus the HTML report (src/report/html). */
const GATE_FORMATS = [...FORMATS, 'html'] as const;

interface GateCliOptions {
  repo: string;
  base?: string;
  baseline?: string;
  format: string;
  skip?: string;
}

export function register(program: Command): void {
  program
    .command('gate')
    .description(
      'Pre-merge CI gate: lint on changed lines, object verifier on touched objects, pin verifier; one report, one exit code',
    )
    .option('--repo <dir>', 'the tree to gate (a work tree, or a sub-directory of one)', '.')
    .option(
      '--base <rev>',
      'measure the change against this revision (default: merge-base with the upstream branch, else HEAD~1)',
    )
    .option(
      '--baseline <file>',
      'lint: fail only on findings this baseline (backlevel lint --write-baseline) does not know',
    )
    .option('--format <format>', `report format: ${GATE_FORMATS.join(', ')}`, 'text')
    .option('--skip <analyzers>', 'comma-separated analyzers not to run: lint, objects, pins')
    .action(async (o: GateCliOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      if (!(GATE_FORMATS as readonly string[]).includes(o.format))
        throw new UsageError(`--format ${o.format}: expected one of ${GATE_FORMATS.join(', ')}`);
      const skip = (o.skip ?? '').split(',').filter(Boolean);
      for (const s of skip)
        if (!['lint', 'objects', 'pins'].includes(s))
          throw new UsageError(`--skip ${s}: expected lint, objects or pins`);
      let report: Awaited<ReturnType<typeof runGate>>;
      try {
        report = await runGate({
          repo: o.repo,
          ...(o.base ? { base: o.base } : {}),
          ...(o.baseline ? { baseline: o.baseline } : {}),
          ...(g.config ? { configFile: g.config } : {}),
          ...(g.jobs ? { jobs: g.jobs } : {}),
          quiet: g.quiet || o.format !== 'text' || !process.stderr.isTTY,
          skip: skip as AnalyzerName[],
        });
      } catch (err) {
        if (err instanceof WorkflowGitError) throw new InputError(err.message);
        throw err;
      }
      process.stdout.write(
        o.format === 'html'
          ? await gateHtml(report, {
              tool: { name: 'backlevel', version: packageVersion() },
              ...(g.jobs ? { jobs: g.jobs } : {}),
            })
          : await render(o.format as Format, report, g.color && process.stdout.isTTY === true),
      );
      process.exitCode = report.exitCode === 0 ? ExitCode.Clean : ExitCode.Findings;
    });
}

async function render(
  format: Format,
  report: Awaited<ReturnType<typeof runGate>>,
  color: boolean,
): Promise<string> {
  if (format === 'text') return renderGateText(report, color);
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  return renderSharedFormat(format, report.findings, { command: 'gate' });
}
