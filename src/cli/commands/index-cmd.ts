/**
 * `backlevel index os-xenapi --repo DIR [--out FILE] [--tags REGEX] [--check]`: builds the os-xenapi
 * API index from a git repository's release tags and writes it (default
 * `rules/os-xenapi-api.json` in backlevel's own package). `--check` compares instead of writing and
 * exits 1 when the committed file is out of date.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import writeFileAtomic from 'write-file-atomic';
import { packagePath } from '../../config/package-root.js';
import { GitError } from '../../xenapi/git-reader.js';
import { generateApiIndex, serializeApiIndex } from '../../xenapi/index-generator.js';
import { globalOptions } from '../context.js';
import { InputError, UsageError } from '../errors.js';

interface IndexCmdOptions {
  repo?: string;
  out?: string;
  tags?: string;
  package?: string;
  import?: string;
  check?: boolean;
}

export function register(program: Command): void {
  const index = program.command('index').description('Generate API indexes kept in rules/');
  index
    .command('os-xenapi')
    .description('Build the os-xenapi API index from an os-xenapi git checkout (every release tag)')
    .requiredOption('--repo <dir>', 'os-xenapi git repository (checkout, .git directory or bare clone)')
    .option('--out <file>', 'where to write the index (default: rules/os-xenapi-api.json of backlevel)')
    .option('--tags <regex>', 'tags to index (default: release versions such as 0.3.4)')
    .option('--package <name>', 'distribution name recorded in the index', 'os-xenapi')
    .option('--import <name>', 'import package to read', 'os_xenapi')
    .option('--check', 'do not write: exit 1 when the file differs from what the repository gives')
    .action(async (opts: IndexCmdOptions, cmd: Command) => {
      const { quiet } = globalOptions(cmd);
      let tagPattern: RegExp | undefined;
      if (opts.tags) {
        try {
          tagPattern = new RegExp(opts.tags);
        } catch (err) {
          throw new UsageError(`--tags: invalid regular expression (${(err as Error).message})`);
        }
      }
      const out = opts.out ?? packagePath('rules', 'os-xenapi-api.json');
      const started = performance.now();
      let result: Awaited<ReturnType<typeof generateApiIndex>>;
      try {
        result = await generateApiIndex({
          repo: opts.repo!,
          ...(opts.package ? { package: opts.package } : {}),
          ...(opts.import ? { importName: opts.import } : {}),
          ...(tagPattern ? { tagPattern } : {}),
          ...(quiet ? {} : { onProgress: (tag, i, n) => process.stderr.write(`  [${i + 1}/${n}] ${tag}\n`) }),
        });
      } catch (err) {
        if (err instanceof GitError) throw new InputError(err.message, opts.repo);
        throw err;
      }
      const text = serializeApiIndex(result.index);
      const { index: idx, stats } = result;
      const summary =
        `${Object.keys(idx.modules).length} modules, ${stats.tags} tags ` +
        `(${idx.versions[0]!.version} ... ${idx.versions[idx.versions.length - 1]!.version}), ` +
        `${stats.blobsParsed} distinct files parsed in ${Math.round(performance.now() - started)} ms`;
      for (const f of stats.syntaxErrors)
        process.stderr.write(`warning: ${f}: syntax errors; symbols read around them\n`);
      if (opts.check) {
        let current = '';
        try {
          current = readFileSync(out, 'utf8');
        } catch {
          // missing counts as different
        }
        if (current !== text) {
          process.stdout.write(`${out} is out of date (${summary})\n`);
          process.exitCode = 1;
          return;
        }
        if (!quiet) process.stdout.write(`${out} is up to date (${summary})\n`);
        return;
      }
      await writeFileAtomic(out, text);
      if (!quiet) process.stdout.write(`wrote ${out}: ${summary}\n`);
    });
}
