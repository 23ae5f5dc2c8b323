/**
 * The backport's os-xenapi rules, decided by the pin verifier (`verify pins`) so that `gate` and
 * `backport` give the same verdict for the same tree: the uses are collected from the temporary
 * work tree after the apply (the branch plus the backported code), the requirement and constraint
 * lines are the branch's own (with whatever the backport changes in them), and `checkPins` decides.
 *
 * A backport is answerable only for what it brings: a pin finding is kept when it stands on a line
 * the backport changed, or when a use it depends on (the uses failing at the version it names, or
 * every use for a missing requirement) sits on a changed line. Rule ids: `pin-missing` becomes
 * `backport-os-xenapi-missing`, every other pin rule `backport-os-xenapi-<rule>`. Each message
 * names the branch and the requirement line, then carries the pin verifier's message verbatim.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectProjectPackages, type Project } from '../engine/project.js';
import type { Finding } from '../report/finding.js';
import { failuresAt, type UseGroup } from '../verify/pins/compatibility.js';
import type { PinsSettings } from '../verify/pins/config.js';
import type { Site } from '../verify/pins/usage.js';
import { mayUse } from '../verify/pins/usage.js';
import { analyzePins, type PinsAnalysis, usageOptionsFor } from '../verify/pins/verify-pins.js';
import type { ApiIndex } from '../xenapi/api-index.js';
import { type ChangedFile, rangeChanged } from './git.js';

/** The in-tree client whose presence marks a branch from before the move to os-xenapi. */
export const LEGACY_CLIENT_INIT = 'nova/virt/xenapi/client/__init__.py';

export interface PinsRuleInput {
  /** The temporary work tree, checked out at the applied commit. */
  dir: string;
  /** The run's configuration (its `pins` section was resolved into `settings`). */
  config: Project['config'];
  settings: PinsSettings;
  index: ApiIndex;
  ontoName: string;
  changes: readonly ChangedFile[];
  /** The branch still has the in-tree client (nova/virt/xenapi/client/). */
  preMove: boolean;
  jobs?: number;
}

export interface XenapiRuleResult {
  findings: Finding[];
  /** Changed files whose changed lines use the library (what the reverse codemod would rewrite). */
  reverseCandidates: string[];
  preMove: boolean;
}

const NONE: Omit<XenapiRuleResult, 'preMove'> = { findings: [], reverseCandidates: [] };

/** Whether the change could alter the pin verdict: a changed file that may use the library, or a changed requirement file. */
function changeMayMatter(input: PinsRuleInput): boolean {
  const usage = usageOptionsFor(input.settings, input.index);
  const reqFiles = new Set([...input.settings.requirementFiles, ...input.settings.constraintFiles]);
  return input.changes.some((c) => {
    if (c.status === 'deleted') return false;
    if (reqFiles.has(c.path) || /(^|\/)[\w.-]*(requirements|constraints)[\w.-]*\.txt$/.test(c.path))
      return true;
    if (!c.path.endsWith('.py')) return false;
    try {
      return mayUse(readFileSync(join(input.dir, c.path), 'utf8'), usage);
    } catch {
      return false;
    }
  });
}

/** The uses a pin finding depends on. */
function implicatedSites(f: Finding, a: PinsAnalysis): Site[] {
  const data = (f.data ?? {}) as Record<string, unknown>;
  const version = [data.lowestAllowed, data.removedIn, data.pinned].find(
    (v): v is string => typeof v === 'string',
  );
  if (version) return failuresAt(a.groups, version).flatMap((g) => g.sites);
  if (f.rule === 'pin-missing' || f.rule === 'incompatible-uses' || f.rule === 'excluded-needed')
    return [...a.importSites, ...a.groups.filter((g) => !g.unknown).flatMap((g) => g.sites)];
  return [];
}

/** The group a finding names (`data.symbol`), for the reason it fails at a version. */
function namedGroup(f: Finding, groups: readonly UseGroup[], version: string): UseGroup | undefined {
  const symbol = (f.data as { symbol?: unknown } | undefined)?.symbol;
  const failing = failuresAt(groups, version);
  return (
    failing.find(
      (g) => symbol === (g.resolved ?? g.name) || String(symbol).startsWith(`${g.resolved ?? g.name} `),
    ) ?? failing[0]
  );
}

function listFiles(files: readonly string[]): string {
  return files.length <= 1 ? (files[0] ?? '') : `${files.slice(0, -1).join(', ')} or ${files.at(-1)}`;
}

/** Where on the branch the verdict comes from, in words (the lead of the backport's message). */
function branchDetail(f: Finding, a: PinsAnalysis, onto: string): string {
  const pkg = a.report.package;
  const data = (f.data ?? {}) as Record<string, unknown>;
  if (f.rule === 'pin-missing') {
    const read = a.sources.files;
    const where = read.length
      ? `${read[0]} on ${onto} has no ${pkg} line${read.length > 1 ? `, nor ${read.length === 2 ? 'does' : 'do'} ${listFiles(read.slice(1))}` : ''}`
      : `${onto} has no requirement file`;
    const decider = a.report.decidedBy[0];
    const needed = a.report.neededVersion;
    return `${where}${needed ? `; the code needs ${pkg}>=${needed}${decider ? ` for ${decider.symbol} (${decider.example})` : ''}` : ''}`;
  }
  if (f.rule === 'pin-too-low' && typeof data.lowestAllowed === 'string') {
    const low = data.lowestAllowed;
    const line = a.report.requirements.find((r) => r.file === f.file && r.line === f.line);
    const g = namedGroup(f, a.groups, low);
    const status = g?.status[low];
    // `in 0.1.1, f(a, b) takes ...`: the symbol is there, the call does not bind.
    const binds = status && !status.ok && /^in \S+, /.test(status.reason);
    const since = typeof data.introducedIn === 'string' ? data.introducedIn : String(data.neededVersion);
    return `${f.file}:${f.line} on ${onto} allows ${pkg} ${low}${line ? ` ('${line.raw}')` : ''}, but ${String(data.symbol)} ${binds ? `is called in a way that binds only from ${pkg} ${since}` : `first appeared in ${pkg} ${since}`}`;
  }
  return `on ${onto}`;
}

function backportRule(rule: string): string {
  return rule === 'pin-missing' ? 'backport-os-xenapi-missing' : `backport-os-xenapi-${rule}`;
}

/** Rule: the backported code's os-xenapi uses against the branch's requirement lines. */
export async function backportPins(input: PinsRuleInput): Promise<XenapiRuleResult> {
  if (!changeMayMatter(input)) return { ...NONE, preMove: input.preMove };
  const project: Project = {
    root: input.dir,
    config: input.config,
    projectPackages: input.config.projectPackages ?? detectProjectPackages(input.dir),
  };
  const analysis = await analyzePins({
    project,
    settings: input.settings,
    index: input.index,
    ...(input.jobs ? { jobs: input.jobs } : {}),
  });
  const changed = new Map(input.changes.map((c) => [c.path, c]));
  const onChangedLines = (s: { file: string; line: number; endLine?: number }) => {
    const c = changed.get(s.file);
    return !!c && c.status !== 'deleted' && rangeChanged(c, s.line, s.endLine ?? s.line);
  };
  const findings: Finding[] = [];
  for (const f of analysis.report.findings) {
    if (!onChangedLines(f) && !implicatedSites(f, analysis).some(onChangedLines)) continue;
    const suggestion = f.suggestion
      ? f.rule === 'pin-missing'
        ? `add '${f.suggestion}' to ${analysis.sources.files.find((x) => x.endsWith('.txt')) ?? input.settings.requirementFiles[0] ?? 'requirements.txt'}`
        : `write '${f.suggestion}' at ${f.file}:${f.line}`
      : undefined;
    const out: Finding = {
      ...f,
      rule: backportRule(f.rule),
      message: `${branchDetail(f, analysis, input.ontoName)}. ${f.message}`,
      ...(suggestion ? { suggestion } : {}),
      data: { ...f.data, pinRule: f.rule },
    };
    if (input.preMove && (f.rule === 'pin-missing' || f.rule === 'pin-too-low')) {
      out.message += `; ${input.ontoName} predates the move to ${analysis.report.package} (it still has ${LEGACY_CLIENT_INIT.replace(/__init__\.py$/, '')})`;
      out.fix = {
        codemod: 'xenapi-imports-reverse',
        description: `rewrite ${analysis.report.importName} uses back to ${input.settings.legacyModules[0] ?? 'the in-tree client'}`,
      };
    }
    findings.push(out);
  }
  const useSites = [...analysis.importSites, ...analysis.groups.flatMap((g) => g.sites)];
  const reverseCandidates = findings.length
    ? [...new Set(useSites.filter(onChangedLines).map((s) => s.file))].sort()
    : [];
  return { findings, reverseCandidates, preMove: input.preMove };
}
