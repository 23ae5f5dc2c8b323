import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadObjectsHistory,
  type ObjectsHistory,
  selectSupported,
} from '../../../src/verify/objects/history-source.js';
import { type RunResult, runChecks } from '../../../src/verify/objects/runner.js';
import { BAD, buildRepo, GOOD } from './fixture-repo.js';

const dirs: string[] = [];
let good: { h: ObjectsHistory; r: RunResult };
let bad: { h: ObjectsHistory; r: RunResult };

async function load(snaps: typeof GOOD, opts: { rev?: string } = {}) {
  const dir = buildRepo(snaps);
  dirs.push(dir);
  const h = await loadObjectsHistory({ repo: dir, noCache: true, ...opts });
  return { h, r: runChecks(h) };
}

const of = (r: RunResult, check: string) => r.findings.filter((f) => f.rule === check);
const keyed = (r: RunResult, check: string) =>
  of(r, check).map(
    (f) => `${f.data?.object} ${f.data?.version}->${f.data?.targetVersion ?? ''} ${f.data?.field ?? ''}`,
  );

beforeAll(async () => {
  good = await load(GOOD);
  bad = await load(BAD);
}, 60_000);
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('history source', () => {
  it('reads release tags and the work tree as the code under test', () => {
    expect(good.h.releases.map((r) => r.label)).toEqual(['13.0.0', '14.0.0', '15.0.0']);
    expect(good.h.current.label).toBe('work tree');
    expect(good.h.current.manifest).toEqual({ Gadget: '1.1', Widget: '1.2' });
    expect([...(good.h.versions.get('Widget')?.keys() ?? [])].sort()).toEqual(['1.0', '1.1', '1.2']);
  });
  it('selects supported releases by range and list', () => {
    const labels = ['2014.1', '2014.2', '2015.1.0', '12.0.0', '13.0.0'];
    expect(selectSupported(labels, '2015.1.0..')).toEqual(['2015.1.0', '12.0.0', '13.0.0']);
    expect(selectSupported(labels, '..2014.2')).toEqual(['2014.1', '2014.2']);
    expect(selectSupported(labels, '2014.2,13.0.0')).toEqual(['2014.2', '13.0.0']);
    expect(() => selectSupported(labels, '9.9.9')).toThrow(/not among/);
  });
  it('--support narrows the targets', async () => {
    const dir = buildRepo(BAD);
    dirs.push(dir);
    const h = await loadObjectsHistory({ repo: dir, noCache: true, support: '14.0.0..' });
    const r = runChecks(h, { checks: ['backlevel-accepted'] });
    const targets = new Set(r.findings.map((f) => f.data?.targetVersion));
    expect(targets.has('1.0')).toBe(false);
    expect(targets.has('1.1')).toBe(true);
  });
});

describe('passing fixtures', () => {
  it('a correct history has no findings in any check', () => {
    expect(good.r.findings.map((f) => f.message)).toEqual([]);
    expect(good.r.counters.pairs).toBe(3);
    expect(good.r.counters.refused).toBeGreaterThan(0); // raise_on_too_new_values is a pass
  });
});

describe('failing fixtures', () => {
  it('backlevel-accepted: fields added without a drop leak, in the object and its children', () => {
    expect(keyed(bad.r, 'backlevel-accepted')).toEqual(
      expect.arrayContaining([
        'Widget 1.2->1.1 label',
        'Widget 1.2->1.0 label',
        'Widget 1.2->1.1 gadget',
        'Gadget 1.1->1.0 serial',
      ]),
    );
    const f = of(bad.r, 'backlevel-accepted').find((x) => x.data?.path === 'gadget.serial');
    expect(f?.message).toMatch(/Widget 1\.2 -> 1\.\d at work tree leaks a field: gadget\.serial/);
  });
  it('round-trip: a converted value comes back changed; data a peer sent crashes the way back', () => {
    expect(keyed(bad.r, 'round-trip').sort()).toEqual(['Widget 1.2->1.0 ', 'Widget 1.2->1.1 name']);
    const [crash, changed] = of(bad.r, 'round-trip').sort((a, b) =>
      String(a.data?.targetVersion).localeCompare(String(b.data?.targetVersion)),
    );
    expect(changed?.message).toMatch(/changes name from .* to "legacy"/);
    // `del primitive['shade']` with no guard: a 1.0 peer's data has no shade.
    expect(crash?.message).toMatch(/crashes sending back data a 1\.0 peer sent: KeyError: 'shade'/);
  });
  it('value-domain-and-crash: an unguarded del crashes on objects without the field', () => {
    const crashes = of(bad.r, 'value-domain-and-crash').filter((f) => f.data?.kind === 'crash');
    expect(crashes.map((f) => f.message)).toEqual([
      "Widget 1.2 -> 1.0 at work tree crashes on the empty object: KeyError: 'shade'; only a deliberate ObjectActionError may stop a backlevel",
    ]);
  });
  it('value-domain-and-crash: an enum value added later is sent to a version that lacks it', () => {
    expect(keyed(bad.r, 'value-domain-and-crash')).toContain('Widget 1.2->1.1 shade');
  });
  it('version-bump: a field added without a bump', () => {
    const f = of(bad.r, 'version-bump');
    expect(f.map((x) => x.message)).toEqual([
      'Gadget 1.1 changed between 14.0.0 and work tree without a version bump: field serial added',
    ]);
    expect(f[0]?.data?.field).toBe('serial');
  });
  it('make-compatible-coverage: missing drops and drops of fields that never existed', () => {
    expect(keyed(bad.r, 'make-compatible-coverage').sort()).toEqual([
      'Gadget 1.1->1.0 serial',
      'Widget 1.2-> colour',
      'Widget 1.2->1.1 label',
    ]);
  });
  it('findings carry check, object, version, targetVersion, field, revision', () => {
    for (const f of bad.r.findings) {
      expect(f.data).toMatchObject({ check: f.rule });
      expect(f.data).toHaveProperty('object');
      expect(f.data).toHaveProperty('revision');
      expect(f.message).toContain(String(f.data?.object));
    }
  });
});
