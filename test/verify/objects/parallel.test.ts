/**
 * The dynamic checks spread over worker threads give the in-process run's findings, notes and
 * counts, in the same order. The worker is the compiled twin under dist/ (`npm test` builds first).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadObjectsHistory } from '../../../src/verify/objects/history-source.js';
import { runChecks, runChecksParallel, senderWorkerUrl } from '../../../src/verify/objects/runner.js';
import { historyFromSnapshot, snapshotHistory } from '../../../src/verify/objects/sender-pool.js';
import { BAD, buildRepo, LIBERTY_BAD } from './fixture-repo.js';

const SAMPLE = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'sample-nova');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const PROBLEM_COUNTERS = ['senders', 'pairs', 'backlevels', 'refused', 'crashes', 'roundTrips', 'modelGaps'];

describe('parallel dynamic checks', () => {
  it('a snapshot rebuilds what the dynamic checks read', async () => {
    const dir = buildRepo(BAD);
    dirs.push(dir);
    const h = await loadObjectsHistory({ repo: dir, noCache: true });
    const copy = historyFromSnapshot(structuredClone(snapshotHistory(h)));
    for (const scope of ['current', 'history'] as const) {
      const a = runChecks(h, {
        senders: scope,
        checks: ['backlevel-accepted', 'round-trip', 'value-domain-and-crash'],
      });
      const b = runChecks(copy, {
        senders: scope,
        checks: ['backlevel-accepted', 'round-trip', 'value-domain-and-crash'],
      });
      expect(b.findings).toEqual(a.findings);
      expect(b.findings.length).toBeGreaterThan(0);
    }
  });

  it.skipIf(!senderWorkerUrl())(
    'workers give the in-process results',
    async () => {
      const histories = [
        await loadObjectsHistory({ repo: SAMPLE, noCache: true, commitsWithoutTags: true }),
        ...[BAD, LIBERTY_BAD].map((snaps) => {
          const dir = buildRepo(snaps);
          dirs.push(dir);
          return dir;
        }),
      ];
      for (const entry of histories) {
        const h =
          typeof entry === 'string' ? await loadObjectsHistory({ repo: entry, noCache: true }) : entry;
        for (const scope of ['current', 'history'] as const) {
          const seq = runChecks(h, { senders: scope });
          const par = await runChecksParallel(h, { senders: scope, jobs: 2 });
          expect(par.counters.workers).toBe(2);
          expect(par.findings).toEqual(seq.findings);
          expect(par.notes).toEqual(seq.notes);
          for (const k of PROBLEM_COUNTERS) expect(par.counters[k], k).toBe(seq.counters[k]);
        }
      }
    },
    120_000,
  );

  it('one job runs in-process', async () => {
    const h = await loadObjectsHistory({ repo: SAMPLE, noCache: true, commitsWithoutTags: true });
    const r = await runChecksParallel(h, { jobs: 1 });
    expect(r.counters.workers).toBeUndefined();
    expect(r.findings).toEqual(runChecks(h).findings);
  });
});

describe('shared older primitives (round trips)', () => {
  it('sharing the older peers primitives across senders changes nothing', async () => {
    const { checkRoundTrip } = await import('../../../src/verify/objects/round-trip.js');
    const { pairsFor, senders } = await import('../../../src/verify/objects/pairs.js');
    const { FindingSet } = await import('../../../src/verify/objects/types.js');
    let shares = 0;
    for (const snaps of [BAD, LIBERTY_BAD]) {
      const dir = buildRepo(snaps);
      dirs.push(dir);
      const h = await loadObjectsHistory({ repo: dir, noCache: true });
      const shared = new Map();
      const a = new FindingSet();
      const b = new FindingSet();
      const notesA: string[] = [];
      const notesB: string[] = [];
      let runs = 0;
      for (const sender of senders(h, 'history')) {
        for (const pair of pairsFor(h, sender)) {
          runs += checkRoundTrip(pair, { historyRegistry: h.registry, seed: 1 }, a, notesA);
          checkRoundTrip(pair, { historyRegistry: h.registry, seed: 1, olderPrimitives: shared }, b, notesB);
        }
      }
      // Round trips to the same older version reuse its primitive.
      shares += runs - shared.size;
      expect(b.list()).toEqual(a.list());
      expect(notesB).toEqual(notesA);
    }
    expect(shares).toBeGreaterThan(0);
  });
});
