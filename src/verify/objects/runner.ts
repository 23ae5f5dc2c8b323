/**
 * The check runner: every sender (the code under test's objects, or with `senders: 'history'`
 * every historical version) x every older target version x graph variants (full, nulls, empty,
 * lists of 0/1/3, partial, an enum sweep), backleveled once each and judged by checks 1 and 6;
 * round trips per pair (check 2); the static checks 3-5 over the history; the runtime bridge
 * (check 7) when a Python is given. Graph variants are built once per sender and reused for every
 * target; schemas are compiled once per (object, version).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildEnumSweep, buildGraphVariants, type GraphVariant } from '../../objects/graph-builder.js';
import type { JsonObject } from '../../objects/model.js';
import { objToPrimitive } from '../../objects/versioned-object.js';
import type { Finding } from '../../report/finding.js';
import { backlevel } from './backlevel.js';
import { checkBackleveledPrimitive } from './backlevel-accepted.js';
import type { ObjectsHistory } from './history-source.js';
import { checkMakeCompatibleCoverage } from './make-compatible-coverage.js';
import { type Fingerprint, fingerprintOf } from './ovo-fingerprint.js';
import { type Pair, pairsFor, type Sender, type SenderScope, senders } from './pairs.js';
import { PrimitiveChecker, type ValidationEngine } from './primitive-check.js';
import { checkRelationships } from './relationships.js';
import { checkRoundTrip } from './round-trip.js';
import { type BridgeCase, type BridgeOptions, PythonBridge, runBridge } from './runtime-bridge.js';
import { FindingSet, OBJECT_CHECKS, type ObjectCheckId } from './types.js';
import { reportCrash, reportEnumIssues } from './value-domain-and-crash.js';
import { checkVersionBumps } from './version-bump.js';

export interface RunOptions {
  checks?: readonly ObjectCheckId[];
  senders?: SenderScope;
  /** Only these object names. */
  objects?: readonly string[];
  seed?: number;
  /** Validation engine of check 1 (default 'fast'; 'ajv' is the reference path). */
  engine?: ValidationEngine;
  /** Called for every (sender, pair, variant, outcome) the bridge should replay. */
  onBacklevel?: (pair: Pair, variant: GraphVariant, tsOutcome: ReturnType<typeof backlevel>) => void;
}

export interface RunCounters {
  senders: number;
  pairs: number;
  backlevels: number;
  refused: number;
  crashes: number;
  roundTrips: number;
  modelGaps: number;
  elapsedMs: number;
  [k: string]: number;
}

export interface RunResult {
  findings: Finding[];
  counters: RunCounters;
  notes: string[];
  fingerprints: Fingerprint[];
}

/** What one sender contributes: kept findings (with kinds), notes and counter increments. */
export interface SenderResult {
  findings: [Finding, string][];
  notes: string[];
  counters: Record<string, number>;
}

/** Shared state of the dynamic checks within one thread. */
export interface SenderContext {
  h: ObjectsHistory;
  checks: Set<ObjectCheckId>;
  seed: number;
  checker: PrimitiveChecker;
  onBacklevel?: RunOptions['onBacklevel'];
  /** Round trips: the older peers' primitives, shared by every sender (round-trip.ts). */
  olderPrimitives?: Map<string, JsonObject | Error>;
}

function addCounter(c: Record<string, number>, k: string, v: number): void {
  c[k] = (c[k] ?? 0) + v;
}

/** The dynamic checks (1, 2, 6) of one sender over every pair and graph variant. */
export function runSender(ctx: SenderContext, sender: Sender): SenderResult {
  const { h, checks, seed, checker } = ctx;
  const findings = new FindingSet();
  const notes: string[] = [];
  const counters: Record<string, number> = {};
  const pairs = pairsFor(h, sender);
  if (pairs.length === 0) return { findings: [], notes, counters };
  counters.senders = 1;
  let variants: GraphVariant[];
  const tb = performance.now();
  try {
    const gopts = { seed, manifest: sender.release.manifest, era: sender.era };
    variants = [
      ...buildGraphVariants(sender.registry, sender.def.name, sender.def.version, gopts),
      ...(checks.has('value-domain-and-crash')
        ? buildEnumSweep(sender.registry, sender.def.name, sender.def.version, gopts)
        : []),
    ];
  } catch (e) {
    notes.push(`${sender.def.name} ${sender.def.version}: cannot build graphs: ${(e as Error).message}`);
    counters.modelGaps = 1;
    return { findings: [], notes, counters };
  }
  addCounter(counters, 'buildMs', performance.now() - tb);
  for (const pair of pairs) {
    addCounter(counters, 'pairs', 1);
    for (const variant of variants) {
      const t1 = performance.now();
      const out = backlevel(variant.object, pair);
      addCounter(counters, 'backlevelMs', performance.now() - t1);
      addCounter(counters, 'backlevels', 1);
      ctx.onBacklevel?.(pair, variant, out);
      if (out.kind === 'refused') addCounter(counters, 'refused', 1);
      else if (out.kind === 'crash') {
        addCounter(counters, 'crashes', 1);
        if (checks.has('value-domain-and-crash')) reportCrash(pair, variant.label, out.error, findings);
      } else if (out.kind === 'model-gap') {
        addCounter(counters, 'modelGaps', 1);
        notes.push(
          `${sender.def.name} ${sender.def.version} -> ${pair.target.version} (${variant.label}): ${out.error.message}`,
        );
      } else {
        const t2 = performance.now();
        const local = new FindingSet();
        const issues = checkBackleveledPrimitive(pair, variant.label, out.primitive, checker, local);
        if (checks.has('backlevel-accepted'))
          for (const f of local.list()) findings.add(f, String(f.data?.kind));
        if (checks.has('value-domain-and-crash')) reportEnumIssues(pair, variant.label, issues, findings);
        addCounter(counters, 'validateMs', performance.now() - t2);
      }
    }
    if (checks.has('round-trip')) {
      const t3 = performance.now();
      addCounter(
        counters,
        'roundTrips',
        checkRoundTrip(
          pair,
          {
            historyRegistry: h.registry,
            seed,
            ...(ctx.olderPrimitives ? { olderPrimitives: ctx.olderPrimitives } : {}),
          },
          findings,
          notes,
        ),
      );
      addCounter(counters, 'roundTripMs', performance.now() - t3);
    }
  }
  return { findings: findings.kept(), notes, counters };
}

function emptyCounters(): RunCounters {
  return {
    senders: 0,
    pairs: 0,
    backlevels: 0,
    refused: 0,
    crashes: 0,
    roundTrips: 0,
    modelGaps: 0,
    elapsedMs: 0,
  };
}

function isDynamic(checks: Set<ObjectCheckId>, opts: RunOptions): boolean {
  return (
    checks.has('backlevel-accepted') ||
    checks.has('value-domain-and-crash') ||
    checks.has('round-trip') ||
    !!opts.onBacklevel
  );
}

/** The static checks (3, 4, 5) and the fingerprints, after the dynamic results. */
function finishRun(
  h: ObjectsHistory,
  opts: RunOptions,
  list: Sender[],
  dynamic: SenderResult[],
  stats: Record<string, number>,
  t0: number,
): RunResult {
  const checks = new Set<ObjectCheckId>(opts.checks ?? OBJECT_CHECKS);
  const only = opts.objects?.length ? new Set(opts.objects) : undefined;
  const findings = new FindingSet();
  const notes: string[] = [];
  const counters = emptyCounters();
  for (const r of dynamic) {
    findings.merge(r.findings);
    notes.push(...r.notes);
    for (const [k, v] of Object.entries(r.counters)) addCounter(counters, k, v);
  }
  if (checks.has('relationships')) checkRelationships(h, findings);
  if (checks.has('version-bump')) checkVersionBumps(h, findings);
  if (checks.has('make-compatible-coverage')) {
    checkMakeCompatibleCoverage(
      h,
      list.map((s) => ({ def: s.def, revision: s.revision })),
      findings,
    );
  }
  const fingerprints: Fingerprint[] = [];
  for (const defs of h.current.defs.values()) {
    const newest = defs[0];
    if (newest && (!only || only.has(newest.name))) fingerprints.push(fingerprintOf(newest));
  }
  let result = findings.list();
  if (only) result = result.filter((f) => only.has(String(f.data?.object)));
  counters.elapsedMs = Math.round(performance.now() - t0);
  counters.schemasCompiled = stats.compiled ?? 0;
  counters.schemasInterpreted = stats.interpreted ?? 0;
  counters.nodesValidated = stats.validated ?? 0;
  counters.nodesRejected = stats.rejected ?? 0;
  if (stats.disagreed) notes.push(`schema interpreter: ${stats.disagreed} verdict(s) overruled by ajv`);
  for (const k of ['buildMs', 'backlevelMs', 'validateMs', 'roundTripMs'])
    if (counters[k] !== undefined) counters[k] = Math.round(counters[k] as number);
  return { findings: result, counters, notes: [...new Set(notes)], fingerprints };
}

export function runChecks(h: ObjectsHistory, opts: RunOptions = {}): RunResult {
  const t0 = performance.now();
  const checks = new Set<ObjectCheckId>(opts.checks ?? OBJECT_CHECKS);
  const only = opts.objects?.length ? new Set(opts.objects) : undefined;
  const list: Sender[] = senders(h, opts.senders ?? 'current', only);
  const checker = new PrimitiveChecker(h.registry, opts.engine ?? 'fast');
  const ctx: SenderContext = {
    h,
    checks,
    seed: opts.seed ?? 1,
    checker,
    olderPrimitives: new Map(),
    ...(opts.onBacklevel ? { onBacklevel: opts.onBacklevel } : {}),
  };
  const dynamic = isDynamic(checks, opts) ? list.map((sender) => runSender(ctx, sender)) : [];
  return finishRun(h, opts, list, dynamic, checker.stats, t0);
}

export interface ParallelOptions extends RunOptions {
  /**
   * Worker threads for the dynamic checks (default 1: in-process). Each worker pays its own module
   * load and JIT warm-up (about 2 s of CPU over Nova's history), so workers only pay off with idle
   * cores: on a shared 2-core machine one thread finished first (bench/verify-objects.js).
   */
  jobs?: number;
}

/**
 * runChecks with the senders spread over worker threads (each gets a snapshot of the history and
 * asks for the next sender when done); results are merged in sender order, so findings, notes and
 * counts are those of the in-process run. In-process when one job is asked for, when a callback
 * must see every backlevel, or when no compiled worker exists (tests from source without a build).
 */
export async function runChecksParallel(h: ObjectsHistory, opts: ParallelOptions = {}): Promise<RunResult> {
  const t0 = performance.now();
  const checks = new Set<ObjectCheckId>(opts.checks ?? OBJECT_CHECKS);
  const only = opts.objects?.length ? new Set(opts.objects) : undefined;
  const list: Sender[] = senders(h, opts.senders ?? 'current', only);
  const jobs = Math.min(opts.jobs ?? 1, list.length);
  const workerUrl = senderWorkerUrl();
  if (jobs <= 1 || opts.onBacklevel || !workerUrl || !isDynamic(checks, opts)) return runChecks(h, opts);
  const { runInWorkers } = await import('./sender-pool.js');
  const { results, stats } = await runInWorkers(workerUrl, h, list.length, jobs, {
    checks: [...checks],
    senders: opts.senders ?? 'current',
    ...(opts.objects ? { objects: [...opts.objects] } : {}),
    seed: opts.seed ?? 1,
    engine: opts.engine ?? 'fast',
  });
  const result = finishRun(h, opts, list, results, stats, t0);
  result.counters.workers = jobs;
  return result;
}

export interface VerifyOptions extends ParallelOptions {
  /** Run check 7 through the project's real Python objects. */
  bridge?: BridgeOptions;
  /** Cap on replayed cases (default 20000). */
  maxBridgeCases?: number;
  /** Which backlevels the bridge replays (default: every one of the code under test). */
  bridgeFilter?: (pair: Pair, variantLabel: string) => boolean;
}

/** The compiled sender worker (from source, its twin under dist/), or undefined. */
export function senderWorkerUrl(): URL | undefined {
  const own = new URL(import.meta.url);
  if (own.pathname.endsWith('.js')) return new URL('./sender-worker.js', own);
  const path = fileURLToPath(own);
  const cut = path.lastIndexOf('/src/');
  if (cut < 0) return undefined;
  const js = `${path.slice(0, cut)}/dist${path.slice(cut).replace(/runner\.ts$/, 'sender-worker.js')}`;
  return existsSync(js) ? new URL(`file://${js}`) : undefined;
}

/** runChecks plus the runtime bridge (check 7) when a Python is configured. */
export async function verifyObjects(h: ObjectsHistory, opts: VerifyOptions = {}): Promise<RunResult> {
  const checks = new Set<ObjectCheckId>(opts.checks ?? OBJECT_CHECKS);
  if (!opts.bridge || !checks.has('runtime-bridge')) return runChecksParallel(h, opts);
  const cases: BridgeCase[] = [];
  const max = opts.maxBridgeCases ?? 20000;
  const result = runChecks(h, {
    ...opts,
    onBacklevel: (pair, variant, ts) => {
      if (pair.sender.release !== h.current || cases.length >= max) return;
      if (opts.bridgeFilter && !opts.bridgeFilter(pair, variant.label)) return;
      try {
        cases.push({ pair, variant: variant.label, input: objToPrimitive(variant.object), ts });
      } catch {
        // An object the runtime cannot serialize is already a note of the main run.
      }
    },
  });
  const t0 = performance.now();
  const bridge = await PythonBridge.start(opts.bridge);
  try {
    const findings = new FindingSet();
    for (const f of result.findings) findings.add(f, `${String(f.data?.kind)}:${f.message}`);
    const stats = await runBridge(bridge, cases, new PrimitiveChecker(h.registry), findings);
    result.findings = findings.list();
    result.counters.bridgeReplayed = stats.replayed;
    result.counters.bridgeAgreed = stats.agreed;
    result.counters.bridgeDifferences = stats.differences;
    result.counters.bridgeMs = Math.round(performance.now() - t0);
  } finally {
    bridge.close();
  }
  return result;
}
