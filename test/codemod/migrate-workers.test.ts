/**
 * `backlevel migrate` through the built CLI with worker threads (the in-process runs of the other
 * tests never start any): the pool opened before discovery, the options set once the codemods have
 * prepared, several files in progress per thread while python3 compiles. Two workers must report
 * exactly what one thread does, and write the same files.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = new URL('../../bin/backlevel.js', import.meta.url).pathname;
const CODEMODS =
  'conductor-to-objects,objects-import-style,xenapi-imports,xenapi-plugin-calls,xenapi-cleanup';
let root: string;

function migrate(cwd: string, jobs: number, ...extra: string[]) {
  const r = spawnSync(
    process.execPath,
    [bin, '-q', '-j', String(jobs), 'migrate', '.', '--codemod', CODEMODS, '--format', 'json', ...extra],
    { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
  );
  const out = JSON.parse(r.stdout) as { summary: Record<string, unknown>; files: unknown[] };
  delete out.summary.elapsedMs;
  return { code: r.status, out };
}

function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else files[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return files;
}

beforeAll(() => {
  // The sample twice over: more files than the runner keeps in one thread.
  root = mkdtempSync(join(tmpdir(), 'backlevel-workers-'));
  cpSync('fixtures/sample-nova', root, { recursive: true });
  cpSync(join(root, 'nova', 'virt'), join(root, 'nova', 'virt2'), { recursive: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('migrate with worker threads', () => {
  it('reports what one thread reports, file for file, and writes the same tree', () => {
    const one = migrate(root, 1);
    const two = migrate(root, 2);
    expect(one.out.summary.filesVisited as number).toBeGreaterThanOrEqual(48);
    expect((one.out.summary.filesChanged as number) > 5).toBe(true);
    expect(two.out).toEqual(one.out);
    expect(two.code).toBe(one.code);
    const copy = mkdtempSync(join(tmpdir(), 'backlevel-workers-write-'));
    try {
      cpSync(root, copy, { recursive: true });
      migrate(root, 1, '--write');
      migrate(copy, 2, '--write');
      expect(tree(copy)).toEqual(tree(root));
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
