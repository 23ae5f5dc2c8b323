/**
 * Worker thread of `SummaryPool`: parses module texts and returns their `ModuleSummary`s (plain
 * JSON, so they cross the thread boundary by structured clone). One grammar instance per thread.
 */
import { parentPort } from 'node:worker_threads';
import { initPython } from '../python/parser.js';
import { extractModule } from './object-extractor.js';

export interface SummaryJob {
  id: number;
  path: string;
  text: string;
  moduleName: string;
  isPackage: boolean;
}

export type SummaryResult =
  | { id: number; summary: import('./object-extractor.js').ModuleSummary }
  | { id: number; error: string };

const port = parentPort;
if (port) {
  const ready = initPython();
  port.on('message', (batch: SummaryJob[]) => {
    void ready.then(() => {
      const out: SummaryResult[] = batch.map((j) => {
        try {
          return { id: j.id, summary: extractModule(j.path, j.text, j.moduleName, j.isPackage) };
        } catch (err) {
          return { id: j.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
        }
      });
      port.postMessage(out);
    });
  });
}
