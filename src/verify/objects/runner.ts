/**
 * The check runner: every sender (the code under test's objects, or with `senders: 'history'`
 * every historical version) x every older target version x graph variants (full, nulls, empty,
 * lists of 0/1/3, partial, an enum sweep), backleveled once each and judged by checks 1 and 6;
 * round trips per pair (check 2); the static checks 3-5 over the history; the runtime bridge
 * (check 7) when a Python is given. Graph variants are built once per sender and reused for every
 * target; schemas are compiled once per (object, version).
 */
import { buildEnumSweep, buildGraphVariants, type GraphVariant } from '../../objects/graph-builder.js';
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

export function runChecks(h: ObjectsHistory, opts: RunOptions = {}): RunResult {
  const t0 = performance.now();
  const checks = new Set<ObjectCheckId>(opts.checks ?? OBJECT_CHECKS);
  const findings = new FindingSet();
  const notes: string[] = [];
  const counters: RunCounters = {
    senders: 0,
    pairs: 0,
    backlevels: 0,
    refused: 0,
    crashes: 0,
    roundTrips: 0,
    modelGaps: 0,
    elapsedMs: 0,
  };
  const only = opts.objects?.length ? new Set(opts.objects) : undefined;
  const seed = opts.seed ?? 1;
  const list: Sender[] = senders(h, opts.senders ?? 'current', only);
  const dynamic =
    checks.has('backlevel-accepted') ||
    checks.has('value-domain-and-crash') ||
    checks.has('round-trip') ||
    !!opts.onBacklevel;
  const checker = new PrimitiveChecker(h.registry, opts.engine ?? 'fast');
  if (dynamic) {
    for (const sender of list) {
      const pairs = pairsFor(h, sender);
      if (pairs.length === 0) continue;
      counters.senders++;
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
        counters.modelGaps++;
        continue;
      }
      counters.buildMs = (counters.buildMs ?? 0) + performance.now() - tb;
      for (const pair of pairs) {
        counters.pairs++;
        for (const variant of variants) {
          const t1 = performance.now();
          const out = backlevel(variant.object, pair);
          counters.backlevelMs = (counters.backlevelMs ?? 0) + performance.now() - t1;
          counters.backlevels++;
          opts.onBacklevel?.(pair, variant, out);
          if (out.kind === 'refused') counters.refused++;
          else if (out.kind === 'crash') {
            counters.crashes++;
            if (checks.has('value-domain-and-crash')) reportCrash(pair, variant.label, out.error, findings);
          } else if (out.kind === 'model-gap') {
            counters.modelGaps++;
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
            counters.validateMs = (counters.validateMs ?? 0) + performance.now() - t2;
          }
        }
        if (checks.has('round-trip')) {
          const t3 = performance.now();
          counters.roundTrips += checkRoundTrip(pair, { historyRegistry: h.registry, seed }, findings, notes);
          counters.roundTripMs = (counters.roundTripMs ?? 0) + performance.now() - t3;
        }
      }
    }
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
  counters.schemasCompiled = checker.stats.compiled;
  counters.schemasInterpreted = checker.stats.interpreted;
  counters.nodesRejected = checker.stats.rejected;
  if (checker.stats.disagreed)
    notes.push(`schema interpreter: ${checker.stats.disagreed} verdict(s) overruled by ajv`);
  counters.nodesValidated = checker.stats.validated;
  for (const k of ['buildMs', 'backlevelMs', 'validateMs', 'roundTripMs'])
    if (counters[k] !== undefined) counters[k] = Math.round(counters[k] as number);
  return { findings: result, counters, notes: [...new Set(notes)], fingerprints };
}

export interface VerifyOptions extends RunOptions {
  /** Run check 7 through the project's real Python objects. */
  bridge?: BridgeOptions;
  /** Cap on replayed cases (default 20000). */
  maxBridgeCases?: number;
}

/** runChecks plus the runtime bridge (check 7) when a Python is configured. */
export async function verifyObjects(h: ObjectsHistory, opts: VerifyOptions = {}): Promise<RunResult> {
  const checks = new Set<ObjectCheckId>(opts.checks ?? OBJECT_CHECKS);
  if (!opts.bridge || !checks.has('runtime-bridge')) return runChecks(h, opts);
  const cases: BridgeCase[] = [];
  const max = opts.maxBridgeCases ?? 20000;
  const result = runChecks(h, {
    ...opts,
    onBacklevel: (pair, variant, ts) => {
      if (pair.sender.release !== h.current || cases.length >= max) return;
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
