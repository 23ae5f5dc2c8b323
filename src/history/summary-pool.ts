/**
 * Parsing many module versions in parallel: worker threads (summary-worker.ts) each parse batches
 * of module texts into `ModuleSummary`s. Used by `TreeReader.prefetch` for cold history walks,
 * where parsing every distinct blob is most of the work. Needs the compiled worker (`dist/`); from
 * TypeScript sources (tests) `SummaryPool.available()` is false and callers parse in-process.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ModuleSummary } from './object-extractor.js';
import type { SummaryJob, SummaryResult } from './summary-worker.js';

const WORKER_URL = new URL('./summary-worker.js', import.meta.url);

interface Slot {
  worker: Worker;
  waiting: { resolve: (r: SummaryResult[]) => void; reject: (e: Error) => void }[];
}

export class SummaryPool {
  private readonly slots: Slot[] = [];
  private closed = false;

  /** True when the compiled worker module exists next to this one. */
  static available(): boolean {
    return import.meta.url.endsWith('.js') && existsSync(fileURLToPath(WORKER_URL));
  }

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(WORKER_URL);
      const slot: Slot = { worker, waiting: [] };
      worker.on('message', (r: SummaryResult[]) => slot.waiting.shift()?.resolve(r));
      const fail = (err: Error) => {
        for (const w of slot.waiting.splice(0)) w.reject(err);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (!this.closed) fail(new Error(`summary worker exited with code ${code}`));
      });
      this.slots.push(slot);
    }
  }

  /** Parses one batch on worker `index` (batches on one worker are answered in order). */
  run(index: number, jobs: SummaryJob[]): Promise<Map<number, ModuleSummary>> {
    const slot = this.slots[index % this.slots.length]!;
    return new Promise<SummaryResult[]>((resolve, reject) => {
      slot.waiting.push({ resolve, reject });
      slot.worker.postMessage(jobs);
    }).then((results) => {
      const out = new Map<number, ModuleSummary>();
      for (const r of results) {
        if ('error' in r) throw new Error(`parsing ${jobs.find((j) => j.id === r.id)?.path}: ${r.error}`);
        out.set(r.id, r.summary);
      }
      return out;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
