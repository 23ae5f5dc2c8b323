/**
 * `verifyPins`: is the version of a library that the code needs actually required? Collects every
 * use of the library in a tree (worker pool, one file task per file), evaluates each use against
 * every version of the library's API index, reads the requirement and constraint lines, and returns
 * the findings with a summary (the versions that work, the minimum and the uses that decide it).
 */
import { isUtf8 } from 'node:buffer';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { isMatch } from '../../engine/glob-match.js';
import type { Project } from '../../engine/project.js';
import { DEFAULT_MAX_FILE_BYTES, decodeSource } from '../../engine/read-source.js';
import { runFileTask } from '../../engine/worker-pool.js';
import { initPython } from '../../python/parser.js';
import { compareFindings, type Finding } from '../../report/finding.js';
import { pythonEnvironment } from '../../requirements/index.js';
import type { ApiIndex } from '../../xenapi/api-index.js';
import { loadApiIndex } from '../../xenapi/api-index.js';
import { checkPins } from './check.js';
import { evaluateUses, type UseGroup, workingVersions } from './compatibility.js';
import {
  OS_XENAPI_DEFAULTS,
  type PinsConfigSection,
  type PinsSettings,
  validatePinsSection,
} from './config.js';
import { type PinSourceOptions, type PinSources, readPinSources } from './pin-sources.js';
import { directCandidate, namesMethod, planPrefilter, scopePredicate } from './prefilter.js';
import { DiskTreeSource, type TreeFile, type TreeSource } from './tree-source.js';
import type { LegacyUse, Site, SymbolUse } from './usage.js';
import {
  analyzeText,
  type UsageTaskInput,
  type UsageTaskOptions,
  type UsageTaskResult,
} from './usage-task.js';

export interface PinsOverrides {
  package?: string;
  importName?: string;
  index?: string;
  requirementFiles?: string[];
  constraints?: string[];
  pythonVersion?: string;
}

/** Settings from the defaults, the config file's `pins` section and command-line overrides. */
export function resolvePinsSettings(
  root: string,
  section: unknown,
  overrides: PinsOverrides = {},
): { settings: PinsSettings; index: ApiIndex } {
  const cfg: PinsConfigSection = section === undefined ? {} : validatePinsSection(section);
  const indexFile = overrides.index ?? (cfg.index ? path.resolve(root, cfg.index) : undefined);
  const index = indexFile ? loadApiIndex(path.resolve(indexFile)) : loadApiIndex();
  const explicit = (overrides.constraints ?? []).map((f) => path.resolve(f));
  const settings: PinsSettings = {
    ...OS_XENAPI_DEFAULTS,
    ...cfg,
    package: overrides.package ?? cfg.package ?? index.data.package,
    importName: overrides.importName ?? cfg.importName ?? index.data.importName,
    ...(indexFile ? { index: path.resolve(indexFile) } : {}),
    requirementFiles:
      overrides.requirementFiles ?? cfg.requirementFiles ?? OS_XENAPI_DEFAULTS.requirementFiles,
    constraintFiles: cfg.constraintFiles ?? OS_XENAPI_DEFAULTS.constraintFiles,
    explicitConstraintFiles: explicit,
    pythonVersion: overrides.pythonVersion ?? cfg.pythonVersion ?? OS_XENAPI_DEFAULTS.pythonVersion,
    exclude: cfg.exclude ?? [],
  };
  // A different library with the os-xenapi defaults would look for os-xenapi's legacy modules and
  // session class: keep those only when they belong to the configured import package.
  if (!cfg.instances)
    settings.instances = settings.instances.filter((i) => i.class.startsWith(`${settings.importName}.`));
  if (!cfg.legacyModules && settings.importName !== 'os_xenapi') settings.legacyModules = [];
  return { settings, index };
}

export interface UseSummary {
  symbol: string;
  kind?: string;
  firstVersion: string | null;
  lastVersion: string | null;
  /** Versions where it works (contiguous ranges written `a–b`). */
  works: string[];
  uses: number;
  example: string;
  call?: string;
  unknown?: boolean;
}

export interface PinsReport {
  package: string;
  importName: string;
  indexVersions: string[];
  /** Versions where every use works. */
  working: string[];
  /** The minimum: `working[0]`, or null. */
  neededVersion: string | null;
  /** The uses that set the minimum (they fail on every version below it). */
  decidedBy: UseSummary[];
  uses: UseSummary[];
  requirements: { file: string; line: number; raw: string; specifier: string; constraint: boolean }[];
  findings: Finding[];
  files: { discovered: number; parsed: number; importing: number; skipped: string[] };
}

export interface VerifyPinsOptions {
  project: Project;
  settings: PinsSettings;
  index: ApiIndex;
  jobs?: number;
  onProgress?: (done: number, total: number) => void;
  /** The tree to read (default: `project.root` on disk); `GitTreeSource` reads a git revision. */
  source?: TreeSource;
  /** Candidate bytes from which parsing moves to worker threads (default `WORKER_MIN_BYTES`). */
  workerMinBytes?: number;
}

function methodsOf(index: ApiIndex, cls: string): string[] {
  const hit = index.lookup(cls);
  if (!hit || hit.entry?.kind !== 'class') return [];
  const prefix = `${hit.symbol}.`;
  return Object.entries(hit.moduleEntry.symbols)
    .filter(
      ([name, s]) =>
        name.startsWith(prefix) && s.kind === 'method' && !name.slice(prefix.length).includes('.'),
    )
    .map(([name]) => name.slice(prefix.length));
}

export function usageOptionsFor(settings: PinsSettings, index: ApiIndex): UsageTaskOptions {
  const instanceMethods: Record<string, string[]> = {};
  const receivers: Record<string, string[]> = {};
  const add = (map: Record<string, string[]>, key: string, value: string) => {
    const list = map[key] ?? [];
    list.push(value);
    map[key] = list;
  };
  for (const rule of settings.instances) {
    for (const m of methodsOf(index, rule.class)) add(instanceMethods, m, rule.class);
    for (const r of rule.receivers) add(receivers, r, rule.class);
  }
  return {
    importName: settings.importName,
    legacyModules: settings.legacyModules,
    instanceMethods,
    receivers,
    trackedClasses: settings.instances.map((i) => i.class),
    pluginCallMethods: settings.pluginCallMethods,
  };
}

/** Keeps receiver-name matches only where instances of the library's classes plausibly flow. */
export function scopeInstanceUses(
  results: readonly UsageTaskResult[],
  scope: PinsSettings['instanceScope'],
): SymbolUse[] {
  const importingDirs = results
    .filter((r) => r.importsLibrary)
    .map((r) => path.posix.dirname(r.relPath))
    .filter((d) => d !== '.');
  const inScope = (file: string) =>
    scope === 'import-dirs'
      ? importingDirs.some((d) => file.startsWith(`${d}/`))
      : scope.some((g) => isMatch(file, g));
  const out: SymbolUse[] = [];
  for (const r of results) {
    for (const u of r.uses) if (!u.byReceiverName || inScope(u.file)) out.push(u);
  }
  return out;
}

function ranges(versions: readonly string[], all: readonly string[]): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= all.length; i++) {
    const inSet = i < all.length && versions.includes(all[i]!);
    if (inSet && start < 0) start = i;
    if (!inSet && start >= 0) {
      out.push(start === i - 1 ? all[start]! : `${all[start]}–${all[i - 1]}`);
      start = -1;
    }
  }
  return out;
}

function summarize(g: UseGroup, all: readonly string[]): UseSummary {
  const s = g.sites[0]!;
  return {
    symbol: g.plugin
      ? `${g.resolved ?? g.name} -> ${g.plugin.plugin} ${g.plugin.function}${g.plugin.subcommand ? ` ${g.plugin.subcommand}` : ''}`
      : (g.resolved ?? g.name),
    ...(g.kind ? { kind: g.kind } : {}),
    firstVersion: g.works[0] ?? null,
    lastVersion: g.works.at(-1) ?? null,
    works: ranges(g.works, all),
    uses: g.sites.length,
    example: `${s.file}:${s.line}`,
    ...(g.call
      ? {
          call: `${g.call.positional} positional${g.call.keywords.length ? `, ${g.call.keywords.join(', ')}=` : ''}${g.call.starArgs ? ', *args' : ''}${g.call.starKwargs ? ', **kwargs' : ''}`,
        }
      : {}),
    ...(g.unknown ? { unknown: true } : {}),
  };
}

/** The report with what it was decided from: each use group's sites and the library's import sites. */
export interface PinsAnalysis {
  report: PinsReport;
  groups: UseGroup[];
  importSites: Site[];
  sources: PinSources;
  timings: PinsTimings;
}

export async function verifyPins(options: VerifyPinsOptions): Promise<PinsReport> {
  return (await analyzePins(options)).report;
}

/** Time spent per phase of a run, in milliseconds (see bench/pins.mjs). */
export interface PinsTimings {
  discovery: number;
  reads: number;
  prefilter: number;
  /** Parsing the candidate files (in-process runs). */
  parse: number;
  /** Collecting uses from the parsed files (in-process) and evaluating them against the index. */
  analysis: number;
  /** The worker-pool run (start-up, parse and per-file analysis) when workers are used. */
  workerRun: number;
  requirements: number;
  check: number;
  total: number;
}

/** Files below this many candidate bytes are parsed on the main thread (workers cost more to start). */
export const WORKER_MIN_BYTES = 3 * 1024 * 1024;

/** `verifyPins`, keeping the evaluated use groups (callers that relate findings to sites). */
export async function analyzePins(options: VerifyPinsOptions): Promise<PinsAnalysis> {
  const { project, settings, index } = options;
  const started = performance.now();
  const timings: PinsTimings = {
    discovery: 0,
    reads: 0,
    prefilter: 0,
    parse: 0,
    analysis: 0,
    workerRun: 0,
    requirements: 0,
    check: 0,
    total: 0,
  };
  let t = performance.now();
  const lap = (k: keyof PinsTimings) => {
    const now = performance.now();
    timings[k] += now - t;
    t = now;
  };
  const tree: TreeSource = options.source ?? new DiskTreeSource(project.root);
  const listed = await tree.list({
    ...((settings.include ?? project.config.include)
      ? { include: settings.include ?? project.config.include }
      : {}),
    exclude: [...(project.config.exclude ?? []), ...settings.exclude],
  });
  lap('discovery');
  const maxBytes = project.config.maxFileSize ?? DEFAULT_MAX_FILE_BYTES;
  const reads = await tree.readAll(listed, maxBytes);
  lap('reads');

  // Main-thread byte search: only files that can hold a use are decoded and parsed.
  const taskOptions = usageOptionsFor(settings, index);
  const plan = planPrefilter(taskOptions, settings.instanceScope);
  const results: UsageTaskResult[] = [];
  const empty = (relPath: string, skipped?: string): UsageTaskResult => ({
    relPath,
    uses: [],
    legacy: [],
    importsLibrary: false,
    syntaxErrors: 0,
    parsed: false,
    ...(skipped ? { skipped } : {}),
  });
  const direct: { input: TreeFile; text: string }[] = [];
  const rest: { input: TreeFile; buf: Buffer }[] = [];
  const naming: string[] = [];
  for (let i = 0; i < listed.length; i++) {
    const f = listed[i]!;
    const r = reads[i]!;
    if (!r.ok) {
      const message =
        r.message === 'too-large'
          ? `${f.path}: ${r.size} bytes is over the ${maxBytes}-byte limit (--max-file-size), skipped`
          : r.message;
      results.push(empty(f.relPath, message));
      continue;
    }
    const probe = r.bytes.subarray(0, Math.min(r.bytes.length, 8192));
    if (probe.includes(0) || !isUtf8(r.bytes)) {
      const d = decodeSource(f.path, r.bytes);
      results.push(empty(f.relPath, d.ok ? undefined : d.message));
      continue;
    }
    const hit = directCandidate(r.bytes, f.relPath, plan);
    if (hit.namesLibrary) naming.push(f.relPath);
    if (hit.candidate) {
      const d = decodeSource(f.path, r.bytes);
      if (d.ok) direct.push({ input: f, text: d.text });
    } else rest.push({ input: f, buf: r.bytes });
  }
  const inScope = scopePredicate(plan, naming);
  const candidates = [...direct];
  for (const r of rest) {
    if (plan.methods.length && inScope(r.input.relPath)) {
      const text = r.buf.toString('utf8');
      if (namesMethod(text, plan)) {
        candidates.push({ input: r.input, text });
        continue;
      }
    }
    results.push(empty(r.input.relPath));
  }
  candidates.sort((a, b) => (a.input.relPath < b.input.relPath ? -1 : 1));
  lap('prefilter');

  const bytes = candidates.reduce((n, c) => n + c.text.length, 0);
  const jobs = Math.max(1, options.jobs ?? availableParallelism());
  const useWorkers = jobs > 1 && bytes >= (options.workerMinBytes ?? WORKER_MIN_BYTES);
  if (useWorkers) {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const taskUrl = new URL(`./usage-task${ext}`, import.meta.url).href;
    const inputs: UsageTaskInput[] = candidates.map((c) => ({
      path: c.input.path,
      relPath: c.input.relPath,
      text: c.text,
    }));
    results.push(
      ...(await runFileTask<UsageTaskOptions, UsageTaskResult>(taskUrl, inputs, taskOptions, {
        jobs,
        minFilesForWorkers: 1,
        ...(options.onProgress ? { onProgress: (d: number, n: number) => options.onProgress!(d, n) } : {}),
      })),
    );
    lap('workerRun');
  } else if (candidates.length) {
    await initPython();
    let done = 0;
    const clock = { parse: 0, analysis: 0 };
    for (const c of candidates) {
      results.push(analyzeText({ path: c.input.path, relPath: c.input.relPath }, c.text, taskOptions, clock));
      options.onProgress?.(++done, candidates.length);
    }
    timings.parse += clock.parse;
    timings.analysis += clock.analysis;
    t = performance.now();
  }
  results.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  const uses = scopeInstanceUses(results, settings.instanceScope);
  const groups = evaluateUses(index, uses, settings.ignoreSymbols);
  const working = workingVersions(index, groups);
  const importSites: Site[] = uses.filter((u) => u.via === 'import');
  const legacy: LegacyUse[] = results.flatMap((r) => r.legacy);
  lap('analysis');
  const sources: PinSources = await readPinSourcesFrom(tree, {
    root: project.root,
    package: settings.package,
    requirementFiles: settings.requirementFiles,
    constraintFiles: settings.constraintFiles,
    explicitConstraintFiles: settings.explicitConstraintFiles,
    env: pythonEnvironment({ python: settings.pythonVersion }),
  });
  lap('requirements');
  const findings = checkPins({
    package: settings.package,
    importName: settings.importName,
    versions: index.versionList,
    groups,
    working,
    importSites,
    legacy,
    sources,
  }).sort(compareFindings);
  const all = index.versionList;
  const needed = working[0] ?? null;
  const below = needed ? all.filter((v) => index.compareVersions(v, needed) < 0) : [];
  const decidedBy = groups
    .filter((g) => !g.unknown && below.length > 0 && !g.status[below.at(-1)!]!.ok)
    .map((g) => summarize(g, all));
  const report: PinsReport = {
    package: settings.package,
    importName: settings.importName,
    indexVersions: all,
    working,
    neededVersion: needed,
    decidedBy,
    uses: groups.map((g) => summarize(g, all)).sort((a, b) => a.symbol.localeCompare(b.symbol)),
    requirements: [...sources.requirements, ...sources.constraints].map((e) => ({
      file: e.file,
      line: e.line,
      raw: e.raw.trim(),
      specifier: e.specifier,
      constraint: e.constraint,
    })),
    findings,
    files: {
      discovered: listed.length,
      parsed: results.filter((r) => r.parsed).length,
      importing: results.filter((r) => r.importsLibrary).length,
      skipped: results.filter((r) => r.skipped).map((r) => r.skipped!),
    },
  };
  lap('check');
  timings.total = performance.now() - started;
  return { report, groups, importSites, sources, timings };
}

/**
 * `readPinSources` over any tree: from disk directly; from a revision through a reader over the
 * blobs fetched so far, re-run until every file it asked for (includes found on the way) is fetched.
 */
export async function readPinSourcesFrom(
  tree: TreeSource,
  options: Omit<PinSourceOptions, 'reader'>,
): Promise<PinSources> {
  if (tree instanceof DiskTreeSource) return readPinSources(options);
  const fetched = new Map<string, string | undefined>();
  for (;;) {
    const misses = new Set<string>();
    const sources = readPinSources({
      ...options,
      reader: (file) => {
        if (fetched.has(file)) return fetched.get(file);
        misses.add(file);
        return undefined;
      },
    });
    if (misses.size === 0) return sources;
    for (const f of misses) fetched.set(f, await tree.readText(f));
  }
}
