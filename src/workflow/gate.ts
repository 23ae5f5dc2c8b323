/**
 * `backlevel gate`: the pre-merge CI gate over one change. Three analyzers, one combined `Finding[]`
 * and one exit code:
 *
 * 1. lint (src/lint `lintProject`) on the files the change touches, findings kept only on changed
 *    lines, or, with a baseline, every finding the baseline does not know;
 * 2. object checks on the objects the change touches: the version-bump check between the base and
 *    the work tree (schema or remotable signature changed without a VERSION bump; a bump with no
 *    change), plus, from the tree alone, VERSION against the class's own version-history comments;
 *    then `verify objects` for the touched objects (through `analyzers.ts`);
 * 3. the pin verifier (`verify pins`) over the tree: the os-xenapi uses against the requirement and
 *    constraint lines (the backport's os-xenapi rules are the same verifier over the backported tree).
 *
 * It never fetches: a shallow clone, a tree outside git, or a base missing from history is stated
 * (what history is missing, what was skipped) and the gate falls back to full-tree lint and
 * tree-only object checks.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openProject, type Project } from '../engine/project.js';
import { GitObjectStore } from '../history/git-objects.js';
import { DEFAULT_OBJECT_DIRS, schemaKeyOf, TreeReader } from '../history/history-walk.js';
import type { ExtractedObject } from '../history/object-resolver.js';
import { type Baseline, readBaseline } from '../lint/baseline.js';
import type { ChangedLines } from '../lint/changed-lines.js';
import { lintProject } from '../lint/runner.js';
import { compareVersions } from '../objects/versions.js';
import { initPython } from '../python/parser.js';
import { atLeast, compareFindings, type Finding, type Severity } from '../report/finding.js';
import { resolvePinsSettings, verifyPins } from '../verify/pins/verify-pins.js';
import { type ObjectVerifier, objectVerifier } from './analyzers.js';
import {
  type BaseChoice,
  type ChangeSet,
  changesSince,
  chooseBase,
  isDirty,
  openRepo,
  type RepoContext,
} from './git.js';
import {
  describeSchemaChange,
  type ObjectTree,
  objectLocation,
  objectTreeAt,
  objectTreeOnDisk,
  versionLine,
} from './object-tree.js';

export interface GateOptions {
  repo: string;
  base?: string;
  /** A lint baseline file (from `backlevel lint --write-baseline`). */
  baseline?: string;
  configFile?: string;
  jobs?: number;
  quiet?: boolean;
  /** Skip analyzers by name. */
  skip?: readonly AnalyzerName[];
  /** `verify objects` for the touched objects (default: the seam in analyzers.ts). */
  objectVerifier?: ObjectVerifier;
}

export type AnalyzerName = 'lint' | 'objects' | 'pins';

export interface AnalyzerRun {
  name: AnalyzerName;
  status: 'ran' | 'skipped';
  /** What it looked at, or why it did not run. */
  detail: string;
  findings: number;
  elapsedMs: number;
}

export interface GateReport {
  tree: string;
  repo: Pick<RepoContext, 'gitRoot' | 'prefix' | 'head' | 'shallow' | 'shallowBoundary'>;
  base: BaseChoice;
  dirty: boolean;
  changes?: { files: number; untracked: number; paths: string[] };
  analyzers: AnalyzerRun[];
  findings: Finding[];
  /** Every sentence about missing history and what was skipped because of it. */
  skipped: string[];
  failOn: Severity;
  exitCode: 0 | 1;
}

interface GateSettings {
  failOn?: Severity;
  objectsDir?: string;
  baseline?: string;
  skip?: AnalyzerName[];
}

export async function runGate(opts: GateOptions): Promise<GateReport> {
  await initPython();
  const project = openProject(opts.repo, opts.configFile);
  const settings = (project.config.gate ?? {}) as GateSettings;
  const failOn = settings.failOn ?? 'error';
  const skip = new Set([...(settings.skip ?? []), ...(opts.skip ?? [])]);
  const repo = await openRepo(project.root);
  const skipped: string[] = [];
  const base = await chooseBase(repo, opts.base);
  if (base.missing) skipped.push(`history: ${base.missing}`);
  if (repo.shallow && !base.missing) {
    skipped.push(
      `history: shallow clone (history stops at ${repo.shallowBoundary.map((c) => c.slice(0, 12)).join(', ') || '?'}); the base ${base.rev?.slice(0, 12)} is present, so the change is complete; object history older than the boundary is not read`,
    );
  }
  let changes: ChangeSet | undefined;
  if (base.rev) changes = await changesSince(repo, base.rev);
  const dirty = await isDirty(repo);
  const baselinePath = opts.baseline ?? settings.baseline;
  const baseline = baselinePath ? readBaseline(join(process.cwd(), baselinePath)) : undefined;
  const analyzers: AnalyzerRun[] = [];
  const findings: Finding[] = [];
  const timed = async (name: AnalyzerName, fn: () => Promise<{ findings: Finding[]; detail: string }>) => {
    if (skip.has(name)) {
      analyzers.push({
        name,
        status: 'skipped',
        detail: 'skipped by configuration or --skip',
        findings: 0,
        elapsedMs: 0,
      });
      return;
    }
    const t = performance.now();
    const r = await fn();
    findings.push(...r.findings);
    analyzers.push({
      name,
      status: 'ran',
      detail: r.detail,
      findings: r.findings.length,
      elapsedMs: performance.now() - t,
    });
  };
  await timed('lint', () => gateLint(project, changes, baseline, opts, skipped));
  await timed('objects', () =>
    gateObjects(
      {
        project,
        repo,
        base,
        changes,
        objectDirs: settings.objectsDir ? [settings.objectsDir] : DEFAULT_OBJECT_DIRS,
        skipped,
      },
      'objectVerifier' in opts ? opts.objectVerifier : objectVerifier,
    ),
  );
  await timed('pins', () => gatePins(project, opts.jobs));
  dropRestatedFindings(findings);
  findings.sort(compareFindings);
  const exitCode = findings.some((f) => atLeast(f.severity, failOn)) ? 1 : 0;
  return {
    tree: project.root,
    repo: {
      ...(repo.gitRoot ? { gitRoot: repo.gitRoot } : {}),
      prefix: repo.prefix,
      ...(repo.head ? { head: repo.head } : {}),
      shallow: repo.shallow,
      shallowBoundary: repo.shallowBoundary,
    },
    base,
    dirty,
    ...(changes
      ? {
          changes: {
            files: changes.files.length,
            untracked: changes.files.filter((f) => f.status === 'untracked').length,
            paths: changes.files.map((f) => f.path),
          },
        }
      : {}),
    analyzers,
    findings,
    skipped,
    failOn,
    exitCode,
  };
}

function changedLinesOf(changes: ChangeSet): ChangedLines {
  const out: ChangedLines = new Map();
  for (const f of changes.files) {
    if (f.status === 'deleted') continue;
    if (f.lines === 'all') out.set(f.path, 'all');
    else {
      const set = new Set<number>();
      for (const [a, b] of f.lines) for (let l = a; l <= b; l++) set.add(l);
      out.set(f.path, set);
    }
  }
  return out;
}

async function gateLint(
  project: Project,
  changes: ChangeSet | undefined,
  baseline: Baseline | undefined,
  opts: GateOptions,
  skipped: string[],
): Promise<{ findings: Finding[]; detail: string }> {
  const common = { project, quiet: opts.quiet ?? true, ...(opts.jobs ? { jobs: opts.jobs } : {}) };
  if (baseline) {
    const r = await lintProject({ ...common, baseline });
    return {
      findings: r.findings,
      detail: `whole tree against the baseline (${r.summary.baselined ?? 0} known, ${r.summary.baselineGone ?? 0} gone)`,
    };
  }
  if (!changes) {
    skipped.push('lint: no usable base, so every line counts as changed (full-tree lint)');
    const r = await lintProject(common);
    return { findings: r.findings, detail: `whole tree: ${r.summary.filesRead} files` };
  }
  const paths = changes.files
    .filter((f) => f.status !== 'deleted' && f.path.endsWith('.py'))
    .map((f) => join(project.root, f.path));
  if (!paths.length) return { findings: [], detail: 'no Python file changed' };
  const r = await lintProject({ ...common, paths, changed: changedLinesOf(changes) });
  return {
    findings: r.findings,
    detail: `${paths.length} changed Python file(s); ${r.summary.outsideChangedLines ?? 0} finding(s) outside the changed lines not reported`,
  };
}

/** What the object analyzer looks at. */
interface ObjectScope {
  project: Project;
  repo: RepoContext;
  base: BaseChoice;
  changes: ChangeSet | undefined;
  objectDirs: string[];
  /** Sentences about what was skipped (appended to). */
  skipped: string[];
}

async function gateObjects(
  scope: ObjectScope,
  verifier: ObjectVerifier | undefined,
): Promise<{ findings: Finding[]; detail: string }> {
  const own = await ownObjectChecks(scope);
  if (!own.touched) return own;
  const note = verifier
    ? await runVerifier(verifier, scope.project, own.touched, own.findings)
    : '; verify objects not run (no object verifier)';
  return { findings: own.findings, detail: `${own.detail}${note}` };
}

/** The gate's own object checks: VERSION against version comments, and base vs work tree. */
async function ownObjectChecks({
  project,
  repo,
  base,
  changes,
  objectDirs,
  skipped,
}: ObjectScope): Promise<{ findings: Finding[]; detail: string; touched?: ExtractedObject[] }> {
  const present = objectDirs.filter((d) => existsSync(join(project.root, d)));
  if (!present.length) return { findings: [], detail: `no ${objectDirs.join('/ or ')}/ in the tree` };
  const current = await objectTreeOnDisk(project.root, present);
  const findings: Finding[] = [];
  const inObjects = (p: string) => p.endsWith('.py') && present.some((d) => p.startsWith(`${d}/`));
  const touchedFiles = changes
    ? new Set(changes.files.filter((f) => inObjects(f.path)).map((f) => f.path))
    : new Set(current.summaries.map((s) => s.path).filter(inObjects));
  const touched = [...current.byClass.values()].filter((o) => touchedFiles.has(o.def.source?.file ?? ''));
  findings.push(...versionCommentChecks(current, touched));
  if (!changes || !base.rev || !repo.gitRoot) {
    skipped.push(
      `objects: no usable base, so the version-bump check (base vs work tree) did not run; checked all ${touched.length} objects from the tree alone`,
    );
    return { findings, detail: `${touched.length} object(s), tree only`, touched };
  }
  if (!touched.length) return { findings, detail: 'no object module changed' };
  const store = GitObjectStore.open(repo.gitRoot);
  try {
    const reader = new TreeReader(store, { prefix: repo.prefix, objectDirs: present });
    const before = await objectTreeAt(reader, base.rev, base.rev.slice(0, 12));
    reader.cache.flush();
    for (const o of touched) {
      const b = before.byClass.get(o.qname.slice(o.qname.lastIndexOf('.') + 1));
      if (b) findings.push(...versionBump(b, o, current));
    }
  } catch (err) {
    skipped.push(`objects: could not read ${present.join(', ')} at the base: ${(err as Error).message}`);
  } finally {
    store.close();
  }
  return {
    findings,
    detail: `${touched.length} touched object(s) in ${touchedFiles.size} module(s)`,
    touched,
  };
}

/**
 * Runs `verify objects` on the touched objects. Its findings join the gate's own, said once: a
 * finding with the rule and file of one the gate already has, about the same object (or at the same
 * line), restates it (both run version-bump) and is dropped.
 */
async function runVerifier(
  verifier: ObjectVerifier,
  project: Project,
  touched: readonly ExtractedObject[],
  findings: Finding[],
): Promise<string> {
  const names = [...new Set(touched.map((o) => o.def.name))].sort();
  if (!names.length) return '';
  const keys = (f: Finding) => {
    const object = (f.data as { object?: unknown } | undefined)?.object;
    return [
      `${f.rule}|${f.file}|${f.line}`,
      ...(typeof object === 'string' ? [`${f.rule}|${f.file}|@${object}`] : []),
    ];
  };
  const seen = new Set(findings.flatMap(keys));
  let added = 0;
  for (const f of await verifier(project, names)) {
    const k = keys(f);
    if (k.some((x) => seen.has(x))) continue;
    for (const x of k) seen.add(x);
    findings.push(f);
    added++;
  }
  return `; verify objects: ${names.length} object(s), ${added} finding(s)`;
}

/** Base vs work tree for one object (`tree`: the work tree, where the finding points). */
export function versionBump(before: ExtractedObject, after: ExtractedObject, tree: ObjectTree): Finding[] {
  const from = before.def.version;
  const to = after.def.version;
  const changed = schemaKeyOf(before.def) !== schemaKeyOf(after.def);
  const at = objectLocation(tree, after);
  const data = { object: after.def.name, version: from, targetVersion: to };
  if (from === to && changed) {
    return [
      {
        rule: 'version-bump',
        severity: 'error',
        ...at,
        message: `${after.def.name} ${describeSchemaChange(before.def, after.def)} but VERSION stays ${to}: bump it (and handle the change in obj_make_compatible for older targets)`,
        data,
      },
    ];
  }
  if (from !== to && compareVersions(to, from) < 0) {
    return [
      {
        rule: 'version-bump',
        severity: 'error',
        ...at,
        message: `${after.def.name} VERSION goes backwards: ${from} -> ${to}`,
        data,
      },
    ];
  }
  if (from !== to && !changed) {
    return [
      {
        rule: 'version-bump',
        severity: 'warning',
        ...at,
        message: `${after.def.name} is bumped ${from} -> ${to} with no field or remotable change`,
        data,
      },
    ];
  }
  return [];
}

/** From the tree alone: VERSION against the newest entry of the class's version-history comments. */
function versionCommentChecks(tree: ObjectTree, objects: readonly ExtractedObject[]): Finding[] {
  const out: Finding[] = [];
  for (const o of objects) {
    const version = o.def.version;
    if (!o.historyComments.length || versionLine(tree, o) === undefined) continue;
    const newest = o.historyComments.reduce((a, b) => (compareVersions(a.version, b.version) >= 0 ? a : b));
    if (newest.version === version) continue;
    const ahead = compareVersions(newest.version, version) > 0;
    out.push({
      rule: 'version-bump',
      severity: 'error',
      ...objectLocation(tree, o),
      message: ahead
        ? `${o.def.name}'s version history says ${newest.version} ("${newest.text.trim()}", line ${newest.line}) but VERSION is ${version}: the bump is missing`
        : `${o.def.name} VERSION is ${version} but its version history stops at ${newest.version}: document what ${version} changed`,
      data: { object: o.def.name, version, commentVersion: newest.version },
    });
  }
  return out;
}

async function gatePins(project: Project, jobs?: number): Promise<{ findings: Finding[]; detail: string }> {
  const { settings, index } = resolvePinsSettings(project.root, project.config.pins, {});
  const report = await verifyPins({ project, settings, index, ...(jobs ? { jobs } : {}) });
  const needed = report.uses.length && report.neededVersion ? `, needs >=${report.neededVersion}` : '';
  return {
    findings: report.findings,
    detail: `verify pins: ${report.package}: ${report.uses.length} use(s) in ${report.files.importing} file(s)${needed}`,
  };
}

/**
 * The pin verifier's `legacy-module` and lint's `legacy-xenapi-import` say the same thing about the
 * same import; the gate keeps lint's (it names the codemod that fixes it).
 */
function dropRestatedFindings(findings: Finding[]): void {
  const lintSites = new Set(
    findings.filter((f) => f.rule === 'legacy-xenapi-import').map((f) => `${f.file}:${f.line}`),
  );
  for (let i = findings.length - 1; i >= 0; i--) {
    const f = findings[i]!;
    if (f.rule === 'legacy-module' && lintSites.has(`${f.file}:${f.line}`)) findings.splice(i, 1);
  }
}
