/**
 * The main-thread side of the parallel dynamic checks: a snapshot of the history (plain data, one
 * structured clone per worker; shared definitions stay shared), worker threads that each ask for
 * the next sender when done (the costly senders are few and uneven), results kept by sender index.
 */
import { Worker } from 'node:worker_threads';
import type { ObjectVersionDef } from '../../objects/model.js';
import { ObjectRegistry } from '../../objects/registry.js';
import type { ObjectsHistory, Release, VersionEntry } from './history-source.js';
import type { SenderResult } from './runner.js';
import type { ObjectCheckId } from './types.js';

type ReleaseData = Omit<Release, 'objects'>;

export interface HistorySnapshot {
  current: ReleaseData;
  releases: ReleaseData[];
  supported: string[];
  versions: [string, [string, VersionEntry][]][];
  notifications: string[];
  repo: string;
}

export interface WorkerRunOptions {
  checks: ObjectCheckId[];
  senders: 'current' | 'history';
  objects?: string[];
  seed: number;
  engine: 'fast' | 'ajv';
}

export type ToWorker = { type: 'run'; index: number } | { type: 'done' };
export type FromWorker =
  | { type: 'ready'; senders: number }
  | { type: 'result'; index: number; result: SenderResult }
  | { type: 'stats'; stats: Record<string, number> };

function releaseData(r: Release): ReleaseData {
  return { label: r.label, commit: r.commit, era: r.era, manifest: r.manifest, defs: r.defs };
}

export function snapshotHistory(h: ObjectsHistory): HistorySnapshot {
  return {
    current: releaseData(h.current),
    releases: h.releases.map(releaseData),
    supported: h.supported.map((r) => r.label),
    versions: [...h.versions].map(([name, byVersion]) => [name, [...byVersion]]),
    notifications: [...h.notifications],
    repo: h.repo,
  };
}

/** What the dynamic checks read of a history, rebuilt from a snapshot. */
export function historyFromSnapshot(s: HistorySnapshot): ObjectsHistory {
  const withObjects = (r: ReleaseData): Release => ({ ...r, objects: [] });
  const releases = s.releases.map(withObjects);
  const supported = new Set(s.supported);
  const versions = new Map(s.versions.map(([name, entries]) => [name, new Map(entries)]));
  const registry = new ObjectRegistry();
  for (const byVersion of versions.values())
    for (const e of byVersion.values()) registry.register(e.def as ObjectVersionDef);
  return {
    current: withObjects(s.current),
    releases,
    supported: releases.filter((r) => supported.has(r.label)),
    versions,
    registry,
    manifest: undefined,
    base: undefined,
    notifications: new Set(s.notifications),
    repo: s.repo,
    notes: [],
  };
}

/** Runs senders 0..count-1 on `jobs` workers; results by sender index, checker stats summed. */
export async function runInWorkers(
  url: URL,
  h: ObjectsHistory,
  count: number,
  jobs: number,
  options: WorkerRunOptions,
): Promise<{ results: SenderResult[]; stats: Record<string, number> }> {
  const snapshot = snapshotHistory(h);
  const results: SenderResult[] = new Array(count);
  const stats: Record<string, number> = {};
  let next = 0;
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from(
        { length: jobs },
        () =>
          new Promise<void>((resolve, reject) => {
            const worker = new Worker(url, { workerData: { snapshot, options } });
            workers.push(worker);
            const send = (m: ToWorker) => worker.postMessage(m);
            const feed = () => {
              if (next < count) send({ type: 'run', index: next++ });
              else send({ type: 'done' });
            };
            worker.on('message', (m: FromWorker) => {
              if (m.type === 'ready') {
                if (m.senders !== count) {
                  reject(new Error(`sender worker sees ${m.senders} senders, the main thread ${count}`));
                  return;
                }
                feed();
              } else if (m.type === 'result') {
                results[m.index] = m.result;
                feed();
              } else {
                for (const [k, v] of Object.entries(m.stats)) stats[k] = (stats[k] ?? 0) + v;
                resolve();
              }
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (code !== 0) reject(new Error(`sender worker exited with code ${code}`));
            });
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  for (let i = 0; i < count; i++) if (!results[i]) throw new Error(`sender ${i} got no result`);
  return { results, stats };
}
