/**
 * `backlevel backport --onto REF [REV...|--range A..B] [--fix]`: validates commits to be
 * cherry-picked onto a stable branch in a temporary work tree (src/workflow/backport.ts). Changes
 * no branch. Exit 1 when a commit conflicts or has a finding at error level.
 */
import type { Command } from 'commander';
import { runBackport } from '../../workflow/backport.js';
import { WorkflowGitError } from '../../workflow/git.js';
import { renderBackportText, renderSharedFormat } from '../../workflow/render.js';
import { globalOptions } from '../context.js';
import { InputError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

const FORMATS = ['text', 'json', 'sarif', 'junit', 'github'];

interface BackportCliOptions {
  onto?: string;
  range?: string;
  repo: string;
  fix?: boolean;
  format: string;
}

export function register(program: Command): void {
  program
    .command('backport')
    .description('Validate commits to be cherry-picked onto a stable branch, in a temporary work tree')
    .argument('[revs...]', 'commits to backport, applied in the order given')
    .requiredOption('--onto <ref>', 'the branch, tag (an end-of-life tag) or commit to backport onto')
    .option('--range <A..B>', 'backport every commit of A..B (oldest first, merges skipped)')
    .option('--repo <dir>', 'the repository (any directory inside it)', '.')
    .option(
      '--fix',
      'on a branch from before the os-xenapi move, apply the xenapi-imports-reverse codemod in the temporary tree and show the result',
    )
    .option('--format <format>', `report format: ${FORMATS.join(', ')}`, 'text')
    .action(async (revs: string[], o: BackportCliOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      if (!FORMATS.includes(o.format))
        throw new UsageError(`--format ${o.format}: expected one of ${FORMATS.join(', ')}`);
      if (!revs.length && !o.range)
        throw new UsageError('give the commits to backport (REV...) or --range A..B');
      if (revs.length && o.range) throw new UsageError('give either REV... or --range, not both');
      let report: Awaited<ReturnType<typeof runBackport>>;
      try {
        report = await runBackport({
          repo: o.repo,
          onto: o.onto!,
          ...(o.range ? { range: o.range } : { revs }),
          fix: o.fix === true,
          ...(g.config ? { configFile: g.config } : {}),
          onCommit: (i, n, c) => {
            if (!g.quiet && o.format === 'text' && process.stderr.isTTY)
              process.stderr.write(`\rbackport: ${i + 1}/${n} ${c.slice(0, 12)}`);
          },
        });
      } catch (err) {
        if (err instanceof WorkflowGitError) throw new InputError(err.message);
        throw err;
      }
      if (!g.quiet && o.format === 'text' && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      let out: string;
      if (o.format === 'text') out = renderBackportText(report, g.color && process.stdout.isTTY === true);
      else if (o.format === 'json') out = `${JSON.stringify(report, null, 2)}\n`;
      else
        out = renderSharedFormat(o.format as 'sarif' | 'junit' | 'github', report.findings, {
          command: 'backport',
        });
      process.stdout.write(out);
      const failed = report.findings.some((f) => f.severity === 'error') || report.summary.errors > 0;
      process.exitCode = failed ? ExitCode.Findings : ExitCode.Clean;
    });
}
