import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadObjectsHistory } from '../../../src/verify/objects/history-source.js';
import { runChecks } from '../../../src/verify/objects/runner.js';
import { buildRepo, LIBERTY_BAD, LIBERTY_GOOD } from './fixture-repo.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function run(snaps: typeof LIBERTY_GOOD) {
  const dir = buildRepo(snaps);
  dirs.push(dir);
  const h = await loadObjectsHistory({ repo: dir, noCache: true });
  return { h, r: runChecks(h) };
}

describe('relationships (obj_relationships era)', () => {
  it('a parent bumped with its child and a matching entry passes every check', async () => {
    const { h, r } = await run(LIBERTY_GOOD);
    expect(h.current.era).toBe('ovo-liberty');
    expect(r.findings.map((f) => f.message)).toEqual([]);
  });
  it('reports a key that is not a field, a stale mapping and a child bump without a parent bump', async () => {
    const { r } = await run(LIBERTY_BAD);
    const rel = r.findings.filter((f) => f.rule === 'relationships');
    const kinds = rel.map((f) => `${f.data?.kind} ${f.data?.field}`).sort();
    expect(kinds).toEqual([
      'bad-key Gadget',
      'child-bump-without-parent-bump gadget',
      'stale-mapping gadget',
    ]);
    expect(rel.find((f) => f.data?.kind === 'child-bump-without-parent-bump')?.severity).toBe('error');
    expect(rel.find((f) => f.data?.kind === 'stale-mapping')?.message).toMatch(
      /Widget 1\.0 at 12\.1\.0 maps gadget to Gadget 1\.0, but 12\.1\.0 ships Gadget 1\.1/,
    );
  });
});
