/**
 * A worker thread of the parallel dynamic checks (sender-pool.ts): rebuilds the history from its
 * snapshot, lists the senders as the main thread does, and runs the sender it is asked for.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { senders } from './pairs.js';
import { PrimitiveChecker } from './primitive-check.js';
import { runSender, type SenderContext } from './runner.js';
import {
  type FromWorker,
  type HistorySnapshot,
  historyFromSnapshot,
  type ToWorker,
  type WorkerRunOptions,
} from './sender-pool.js';

const port = parentPort;
if (!port) throw new Error('sender-worker runs in a worker thread');
const { snapshot, options } = workerData as { snapshot: HistorySnapshot; options: WorkerRunOptions };
const h = historyFromSnapshot(snapshot);
const list = senders(h, options.senders, options.objects?.length ? new Set(options.objects) : undefined);
const checker = new PrimitiveChecker(h.registry, options.engine);
const ctx: SenderContext = {
  h,
  checks: new Set(options.checks),
  seed: options.seed,
  checker,
  olderPrimitives: new Map(),
};
const post = (m: FromWorker) => port.postMessage(m);
port.on('message', (m: ToWorker) => {
  if (m.type === 'run') {
    post({ type: 'result', index: m.index, result: runSender(ctx, list[m.index] as (typeof list)[number]) });
  } else {
    post({ type: 'stats', stats: { ...checker.stats } });
    port.close();
  }
});
post({ type: 'ready', senders: list.length });
