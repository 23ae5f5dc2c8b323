import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisPassResult } from '../../src/engine/analysis-pass.js';
import { compiledTaskUrl, runFileTask } from '../../src/engine/worker-pool.js';

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
});
