import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisPassResult } from '../../src/engine/analysis-pass.js';
import { processFiles } from '../../src/engine/file-task.js';
import { compiledTaskUrl, FilePool, runFileTask } from '../../src/engine/worker-pool.js';

let dir: string;
const inputs: { path: string; relPath: string }[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'backlevel-pool-'));
  for (let i = 0; i < 60; i++) {
    const rel = `m${i}.py`;
    const body = i === 7 ? 'def broken(:\n' : `import os\nfrom nova import exception\nx${i} = ${i}\n`;
    writeFileSync(join(dir, rel), body);
    inputs.push({ path: join(dir, rel), relPath: rel });
  }
  writeFileSync(join(dir, 'bin.py'), Buffer.from([0, 1, 2]));
  inputs.push({ path: join(dir, 'bin.py'), relPath: 'bin.py' });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const taskTs = new URL('../../src/engine/analysis-pass.ts', import.meta.url).href;

function check(results: AnalysisPassResult[]): void {
  expect(results).toHaveLength(61);
  expect(results.map((r) => r.relPath)).toEqual(inputs.map((i) => i.relPath));
  expect(results[0]).toMatchObject({ imports: 2, syntaxErrors: 0 });
  expect(results[7]!.syntaxErrors).toBeGreaterThan(0);
  expect(results[60]!.skipped).toMatch(/bin\.py: binary file/);
}

describe('worker pool', () => {
  it('runs a TypeScript task in-process, in input order, with progress', async () => {
    const seen: number[] = [];
    const results = await runFileTask<object, AnalysisPassResult>(
      taskTs,
      inputs,
      {},
      {
        jobs: 2,
        onProgress: (done) => seen.push(done),
      },
    );
    check(results);
    expect(seen).toEqual(Array.from({ length: 61 }, (_, i) => i + 1));
  });

  it('runs the compiled task in worker threads with the same results', async () => {
    const jsUrl = compiledTaskUrl(taskTs);
    if (!jsUrl || !existsSync(new URL(jsUrl))) throw new Error('dist/ is missing: npm test builds it first');
    const results = await runFileTask<object, AnalysisPassResult>(
      jsUrl,
      inputs,
      {},
      {
        jobs: 2,
        minFilesForWorkers: 1,
        batchSize: 7,
      },
    );
    check(results);
  });

  it('main lane: this thread and the workers share the queued batches; every result comes back', async () => {
    // A plain JavaScript task (workers load it as is) that says which thread ran it.
    const task = join(dir, 'which-thread.mjs');
    writeFileSync(
      task,
      [
        "import { threadId } from 'node:worker_threads';",
        'export function processFile(input) {',
        '  const until = Date.now() + 15;',
        '  while (Date.now() < until);',
        '  return { relPath: input.relPath, thread: threadId };',
        '}',
      ].join('\n'),
    );
    const pool = FilePool.open<object, { relPath: string; thread: number }>(
      new URL(`file://${task}`).href,
      {},
      { jobs: 2, mainLane: true },
    );
    try {
      expect(pool.threads).toBe(1);
      const batches = Array.from({ length: 12 }, (_, b) => inputs.slice(b * 2, b * 2 + 2));
      const pending = batches.map((files) => pool.submit(files));
      await pool.drain();
      const results = await Promise.all(pending);
      for (const [b, out] of results.entries())
        expect(out.map((r) => r.relPath)).toEqual(batches[b]!.map((f) => f.relPath));
      const threads = new Set(results.flat().map((r) => r.thread));
      expect(threads.has(0)).toBe(true);
      expect([...threads].some((t) => t !== 0)).toBe(true);
    } finally {
      await pool.close();
    }
  });
});

describe('processFiles', () => {
  const files = Array.from({ length: 10 }, (_, i) => ({ path: `/x/f${i}.py`, relPath: `f${i}.py` }));

  it('keeps up to `concurrency` files in progress, results in input order, each file done once', async () => {
    let inFlight = 0;
    let most = 0;
    const started: string[] = [];
    const mod = {
      concurrency: 3,
      async processFile(f: { relPath: string }) {
        started.push(f.relPath);
        inFlight++;
        most = Math.max(most, inFlight);
        // Later files finish first: completion order differs from input order.
        await new Promise((r) => setTimeout(r, 20 - Number(f.relPath.slice(1, -3)) * 2));
        inFlight--;
        return f.relPath.toUpperCase();
      },
    };
    const done: string[] = [];
    const out = await processFiles(mod, files, {}, (f) => done.push(f.relPath));
    expect(out).toEqual(files.map((f) => f.relPath.toUpperCase()));
    expect(most).toBe(3);
    expect(started).toEqual(files.map((f) => f.relPath));
    expect([...done].sort()).toEqual(files.map((f) => f.relPath).sort());
    expect(done).not.toEqual(files.map((f) => f.relPath));
  });

  it('one at a time by default', async () => {
    let inFlight = 0;
    let most = 0;
    const mod = {
      async processFile(f: { relPath: string }) {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
        return f.relPath;
      },
    };
    expect(await processFiles(mod, files, {})).toEqual(files.map((f) => f.relPath));
    expect(most).toBe(1);
  });
});
