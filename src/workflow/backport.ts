/**
 * `backlevel backport --onto REF [REV...|--range A..B]`: validates commits that are to be
 * cherry-picked onto a stable branch, without changing any branch. One temporary work tree of REF
 * (always removed, also on Ctrl-C); each commit is applied with `git cherry-pick --no-commit` on top
 * of the previous ones; conflicts are reported per file; every commit that applies is checked by the
 * backport rules (src/workflow/backport-rules.ts). With `fix`, a branch from before the os-xenapi
 * move gets the `xenapi-imports-reverse` codemod applied in the temporary tree, and the resulting
 * diff is shown.
 */
import { join } from 'node:path';
import { type BacklevelConfig, loadConfig } from '../config/config-file.js';
import { GitObjectStore } from '../history/git-objects.js';
import { DEFAULT_OBJECT_DIRS, TreeReader } from '../history/history-walk.js';
import { initPython } from '../python/parser.js';
import { compareFindings, type Finding } from '../report/finding.js';
import type { PinsSettings } from '../verify/pins/config.js';
import { resolvePinsSettings } from '../verify/pins/verify-pins.js';
import type { ApiIndex } from '../xenapi/api-index.js';
import { type ApplyResult, cherryPickNoCommit, resetTempTree } from './apply-commit.js';
import { backportPins, LEGACY_CLIENT_INIT, type XenapiRuleResult } from './backport-os-xenapi.js';
import {
  type BackportContext,
  ruleObjectMethodsExist,
  ruleObjectVersionBump,
  ruleObjectVersionsExist,
  ruleRawConductor,
} from './backport-rules.js';
import {
  changesBetween,
  commitMeta,
  git,
  listCommits,
  openRepo,
  resolveCommit,
  WorkflowGitError,
} from './git.js';
import { withTempWorktree } from './worktree.js';

export interface BackportOptions {
  /** Any directory inside the repository. */
  repo: string;
  /** Branch, tag (an end-of-life tag) or commit to backport onto. */
  onto: string;
  revs?: readonly string[];
  range?: string;
  /** Apply the reverse os-xenapi codemod in the temporary tree and show the result. */
  fix?: boolean;
  objectsDir?: string;
  requirementsFile?: string;
  configFile?: string;
  /** Called before each commit is applied (progress, tests that interrupt mid-run). */
  onCommit?: (index: number, total: number, commit: string) => void;
}

export interface ReverseCodemodResult {
  /** Unified diff the codemod proposes (or, with fix, applied in the temporary tree). */
  diff: string;
  applied: boolean;
  /** Sites it could not convert, with the reason. */
  manual: { file: string; line: number; reason: string }[];
  /** What os-xenapi findings remain after the fix (when applied). */
  remaining?: Finding[];
  unavailable?: string;
}

export interface CommitReport {
  commit: string;
  subject: string;
  status: 'clean' | 'findings' | 'conflict' | 'empty' | 'error';
  apply: ApplyResult;
  findings: Finding[];
  reverse?: ReverseCodemodResult;
  /** What was not checked for this commit, and why. */
  skipped: string[];
}

export interface BackportReport {
  onto: string;
  ontoCommit: string;
  commits: CommitReport[];
  findings: Finding[];
  summary: {
    commits: number;
    clean: number;
    withFindings: number;
    conflicts: number;
    empty: number;
    errors: number;
    findings: number;
  };
}

/** What every commit of one run is checked with. */
interface RunSettings {
  config: BacklevelConfig;
  /** Reads object trees for every commit of the run (summaries parsed once per blob). */
  reader: TreeReader;
  pins: { settings: PinsSettings; index: ApiIndex };
}

export async function runBackport(opts: BackportOptions): Promise<BackportReport> {
  await initPython();
  const repo = await openRepo(opts.repo);
  if (!repo.gitRoot) throw new WorkflowGitError(`${opts.repo} is not inside a git work tree`);
  const gitRoot = repo.gitRoot;
  const ontoCommit = await resolveCommit(gitRoot, opts.onto);
  if (!ontoCommit) {
    throw new WorkflowGitError(
      `--onto ${opts.onto}: unknown revision in ${gitRoot}${repo.shallow ? ' (this is a shallow clone; backlevel fetches nothing)' : ''}`,
    );
  }
  const config = loadConfig(gitRoot, opts.configFile).config;
  const section = (config.backport ?? {}) as Pick<BackportOptions, 'objectsDir' | 'requirementsFile'>;
  opts = { ...section, ...opts };
  // `requirementsFile` (backport's own setting) narrows the pin verifier's requirement files.
  const pins = resolvePinsSettings(gitRoot, config.pins, {
    ...(opts.requirementsFile ? { requirementFiles: [opts.requirementsFile] } : {}),
  });
  const commits = await listCommits(gitRoot, {
    ...(opts.range ? { range: opts.range } : {}),
    ...(opts.revs ? { revs: opts.revs } : {}),
  });
  if (!commits.length)
    throw new WorkflowGitError(
      `no commit to backport (${opts.range ? `--range ${opts.range} is empty` : 'give REV... or --range A..B'})`,
    );
  const store = GitObjectStore.open(gitRoot);
  const reader = new TreeReader(store, {
    objectDirs: opts.objectsDir ? [opts.objectsDir] : DEFAULT_OBJECT_DIRS,
  });
  const run: RunSettings = { config, pins, reader };
  const reports: CommitReport[] = [];
  try {
    await withTempWorktree(gitRoot, ontoCommit, async (wt) => {
      for (const [i, commit] of commits.entries()) {
        opts.onCommit?.(i, commits.length, commit);
        reports.push(await backportOne(store, wt.dir, commit, opts, run));
      }
    });
  } finally {
    reader.cache.flush();
    store.close();
  }
  const findings = reports.flatMap((r) => r.findings);
  return {
    onto: opts.onto,
    ontoCommit,
    commits: reports,
    findings,
    summary: {
      commits: reports.length,
      clean: reports.filter((r) => r.status === 'clean').length,
      withFindings: reports.filter((r) => r.status === 'findings').length,
      conflicts: reports.filter((r) => r.status === 'conflict').length,
      empty: reports.filter((r) => r.status === 'empty').length,
      errors: reports.filter((r) => r.status === 'error').length,
      findings: findings.length,
    },
  };
}

async function backportOne(
  store: GitObjectStore,
  dir: string,
  commit: string,
  opts: BackportOptions,
  run: RunSettings,
): Promise<CommitReport> {
  const meta = await commitMeta(dir, commit);
  const before = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  const apply = await cherryPickNoCommit(dir, commit);
  const base: Omit<CommitReport, 'status'> = {
    commit,
    subject: meta.subject,
    apply,
    findings: [],
    skipped: [],
  };
  if (apply.error) {
    base.skipped.push(`not checked: git could not apply it (${apply.error.split('\n')[0]})`);
    return { ...base, status: 'error' };
  }
  if (!apply.ok) {
    base.findings = apply.conflicts.map((c) => ({
      rule: 'backport-conflict',
      severity: 'error' as const,
      file: c.path,
      line: c.markerLines?.[0] ?? 1,
      column: 1,
      endLine: c.markerLines?.[0] ?? 1,
      endColumn: 1,
      message: `${meta.subject}: does not apply onto ${opts.onto}: ${c.kind} (${c.detail})${c.markerLines?.length ? `, ${c.markerLines.length} conflict hunk(s)` : ''}`,
      data: { commit, conflict: c.kind },
    }));
    base.skipped.push(
      'backport rules not run: the commit does not apply (later commits are applied without it)',
    );
    await resetTempTree(dir);
    return { ...base, status: 'conflict' };
  }
  if (apply.empty || !apply.appliedAs) {
    base.skipped.push(`the change is already on ${opts.onto} (empty cherry-pick)`);
    return { ...base, status: 'empty' };
  }
  const changes = await changesBetween(dir, before, apply.appliedAs);
  const ctx: BackportContext = {
    store,
    dir,
    commit,
    parent: meta.parents[0] ?? before,
    ontoName: opts.onto,
    before,
    after: apply.appliedAs,
    changes: changes.files,
    reader: run.reader,
    cache: new Map(),
  };
  if (!meta.parents.length)
    base.skipped.push('root commit: object version comparison uses the branch tip as the parent');
  const findings: Finding[] = [];
  findings.push(...(await ruleObjectVersionBump(ctx)));
  findings.push(...(await ruleObjectVersionsExist(ctx)));
  findings.push(...(await ruleObjectMethodsExist(ctx)));
  const xen = await osXenapiRule(ctx, run);
  findings.push(...xen.findings);
  findings.push(...(await ruleRawConductor(ctx)));
  const report: CommitReport = {
    ...base,
    findings: findings.sort(compareFindings),
    status: findings.length ? 'findings' : 'clean',
  };
  for (const f of report.findings) f.data = { ...f.data, commit };
  if (xen.preMove && xen.reverseCandidates.length) {
    report.reverse = await reverseCodemod(dir, xen.reverseCandidates, opts, ctx, run);
  }
  return report;
}

async function reverseCodemod(
  dir: string,
  files: string[],
  opts: BackportOptions,
  ctx: BackportContext,
  run: RunSettings,
): Promise<ReverseCodemodResult> {
  let runCodemods: typeof import('../codemod/runner.js').runCodemods;
  try {
    ({ runCodemods } = await import('../codemod/runner.js'));
  } catch (err) {
    return {
      diff: '',
      applied: false,
      manual: [],
      unavailable: `codemod runner unavailable: ${(err as Error).message}`,
    };
  }
  try {
    const result = await runCodemods({
      project: dir,
      paths: files.map((f) => join(dir, f)),
      codemods: ['xenapi-imports-reverse'],
      mode: opts.fix ? 'write' : 'dry',
      diff: true,
      quiet: true,
      jobs: 1,
    });
    const manual = result.files.flatMap((f) =>
      f.manual.map((m) => ({ file: f.relPath, line: m.line, reason: m.reason })),
    );
    if (!opts.fix) return { diff: result.files.map((f) => f.diff ?? '').join(''), applied: false, manual };
    const diff = await git(dir, ['diff', '--no-color', '--', ...files]);
    await git(dir, [
      '-c',
      'user.name=backlevel',
      '-c',
      'user.email=backlevel@localhost',
      'commit',
      '--quiet',
      '--no-verify',
      '-am',
      'backlevel: xenapi-imports-reverse',
    ]).catch(() => '');
    const after = (await git(dir, ['rev-parse', 'HEAD'])).trim();
    const changes = await changesBetween(dir, ctx.before, after);
    const remaining = (await osXenapiRule({ ...ctx, after, changes: changes.files, cache: new Map() }, run))
      .findings;
    return { diff, applied: true, manual, remaining };
  } catch (err) {
    return { diff: '', applied: false, manual: [], unavailable: (err as Error).message };
  }
}

/** The os-xenapi rules over the temporary tree as it stands at `ctx.after`. */
async function osXenapiRule(ctx: BackportContext, run: RunSettings): Promise<XenapiRuleResult> {
  return backportPins({
    dir: ctx.dir,
    config: run.config,
    ...run.pins,
    ontoName: ctx.ontoName,
    changes: ctx.changes,
    preMove: (await ctx.store.blobId(ctx.before, LEGACY_CLIENT_INIT)) !== undefined,
  });
}
