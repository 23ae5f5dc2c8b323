/**
 * xenapi-cleanup: after the swap to os-xenapi, delete what os-xenapi now provides. Deletes the
 * in-tree client package and the dom0 plugin copies (found by the xenapi-duplicates fingerprints)
 * once nothing imports them (import graph of the whole tree, tests included), their now-dead tests
 * and fakes, and the project's own dom0 plugin version check (required-version constant, the method
 * asking dom0 for its plugin version, its calls, its tests). Whatever is still imported is kept and
 * reported with its importers. Deletions are listed in the dry run like edits; `--write` removes
 * files only inside the target tree. Options: `duplicates` (thresholds, see config-duplicates).
 */

import { resolve } from 'node:path';
import type {
  CodemodApi,
  CodemodCollector,
  CodemodFile,
  CodemodMeta,
  CodemodOptions,
  PrepareContext,
} from '../src/codemod/types.js';
import {
  type CleanupFileFacts,
  type CleanupPlan,
  cleanupNeedsParse,
  cleanupTextFacts,
  planCleanup,
  scanCleanupFile,
} from '../src/duplicates/cleanup-plan.js';
import { fingerprintIndexFor } from '../src/duplicates/matcher.js';
import type { DuplicatesOptions } from '../src/duplicates/options.js';
import { findVersionCheck } from '../src/duplicates/version-check.js';
import { discoverProjectFiles } from '../src/engine/project.js';
import { statementLineRange } from '../src/python/syntax-helpers.js';
import { EditSet } from '../src/python/text-edits.js';
import { type ApiIndex, loadApiIndex, loadOsXenapiIndex } from '../src/xenapi/api-index.js';

const PLUGIN_GLOBS = ['**/etc/xapi.d/plugins/*'];

export const meta: CodemodMeta = {
  name: 'xenapi-cleanup',
  description:
    'Delete the in-tree XenAPI client package, dom0 plugin copies, their dead tests and fakes and the dom0 plugin version check once nothing imports them (after the swap to os-xenapi)',
  fixes: ['xenapi-duplicates'],
  files: PLUGIN_GLOBS,
};

/** Every file the plan looks at: the whole tree's Python and dom0 plugins, whatever paths the run visits. */
async function treeFiles(ctx: PrepareContext): Promise<string[]> {
  const all = await discoverProjectFiles(ctx.project, [], {
    include: [...(ctx.project.config.include ?? ['**/*.py']), ...PLUGIN_GLOBS],
  });
  return all.inputs.map((i) => i.relPath);
}

/** `osXenapiIndex`: another API index file (absolute, or relative to the tree root). */
function apiIndexFor(root: string, options: CodemodOptions): ApiIndex | undefined {
  const indexFile = options.osXenapiIndex as string | undefined;
  return indexFile ? loadApiIndex(resolve(root, indexFile)) : undefined;
}

export async function prepare(ctx: PrepareContext): Promise<CleanupPlan> {
  const opts = (ctx.options.duplicates ?? {}) as Partial<DuplicatesOptions>;
  return planCleanup(
    ctx.project.root,
    await treeFiles(ctx),
    opts,
    apiIndexFor(ctx.project.root, ctx.options),
  );
}

/** Dry runs: the import graph and duplicate fingerprints come from the workers' parses. */
export const collect: CodemodCollector<CleanupFileFacts, CleanupPlan> = {
  file(input, ctx) {
    // Other files' imports are read by the plan, and only where it may need them.
    if (!cleanupNeedsParse(input.source, input.relPath)) return cleanupTextFacts(input.source);
    const opts = (ctx.options.duplicates ?? {}) as Partial<DuplicatesOptions>;
    const index = fingerprintIndexFor(apiIndexFor(ctx.project.root, ctx.options) ?? loadOsXenapiIndex());
    return scanCleanupFile(input.parse(), input.relPath, index, opts);
  },
  async plan(ctx, facts) {
    const opts = (ctx.options.duplicates ?? {}) as Partial<DuplicatesOptions>;
    const index = apiIndexFor(ctx.project.root, ctx.options);
    return planCleanup(ctx.project.root, await treeFiles(ctx), opts, index, facts);
  },
  concerns(plan, relPath) {
    return (
      plan.delete[relPath] !== undefined ||
      plan.kept[relPath] !== undefined ||
      plan.versionCheck.files.includes(relPath)
    );
  },
};

export default function transform(file: CodemodFile, api: CodemodApi, _options: CodemodOptions) {
  const plan = api.prepared as CleanupPlan | undefined;
  if (!plan) return undefined;
  const why = plan.delete[file.relPath];
  if (why !== undefined) {
    if (!api.removeFile) {
      api.manual({ line: 1, column: 1, kind: 'delete', reason: `delete this file: ${why}` });
      return undefined;
    }
    const aliases = Object.entries(plan.aliases).filter(([, t]) => t === file.relPath);
    for (const [alias] of aliases) api.note('remove symlink too', alias);
    api.converted({ line: 1, column: 1, kind: 'file-deleted', detail: why });
    api.removeFile(why);
    return undefined;
  }
  const kept = plan.kept[file.relPath];
  if (kept) {
    api.manual({
      line: 1,
      column: 1,
      kind: 'still-imported',
      reason: `kept: ${kept.reason}, but still imported by ${kept.importers.join(', ')}`,
    });
    return undefined;
  }
  if (!plan.versionCheck.files.includes(file.relPath)) return undefined;
  const parsed = api.parse();
  const check = findVersionCheck(parsed, plan.versionCheck);
  if (!check.sites.length) return undefined;
  const edits = new EditSet(file.source);
  const done: { start: number; end: number }[] = [];
  for (const site of check.sites) {
    const range = statementLineRange(parsed, site.statement);
    // A test nested in a removed test (or a call inside a removed method) goes with it.
    if (done.some((d) => d.start <= range.start && range.end <= d.end)) continue;
    // Blank lines after a removed definition go with it, so no double gap is left.
    let end = range.end;
    if (site.kind !== 'call' && site.kind !== 'constant') {
      while (end < file.source.length) {
        const nl = file.source.indexOf('\n', end);
        const line = file.source.slice(end, nl === -1 ? file.source.length : nl);
        if (line.trim() !== '' || nl === -1) break;
        end = nl + 1;
      }
    }
    edits.delete(range.start, end, site.kind);
    done.push({ start: range.start, end });
    const pos = parsed.position(site.node.startIndex);
    api.converted({
      line: pos.line,
      column: pos.column,
      kind: `version-check-${site.kind}`,
      detail: site.what,
    });
  }
  return edits.apply();
}
