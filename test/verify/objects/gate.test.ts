/**
 * The gate seam (src/verify/objects/gate.ts) over the bundled sample tree: as a sub-directory of
 * backlevel's own git work tree, as a copy with no git, and in a git repository with a release tag
 * that shipped Service 1.3 (before the planted defect) and a work tree at 1.4.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openProject } from '../../../src/engine/project.js';
import type { Finding } from '../../../src/report/finding.js';
import { gateObjects } from '../../../src/verify/objects/gate.js';
import { loadObjectsHistory } from '../../../src/verify/objects/history-source.js';

const SAMPLE = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'sample-nova');
const SERVICE = 'nova/objects/service.py';
const CONFIG = 'backlevel.config.json';

/** Every registered object of the sample (what a change touching every object module would give). */
const SAMPLE_OBJECTS = [
  'Agent',
  'AgentList',
  'Aggregate',
  'AggregateList',
  'BlockDeviceMapping',
  'BlockDeviceMappingList',
  'Flavor',
  'FlavorList',
  'Instance',
  'InstanceList',
  'InstanceInfoCache',
  'Migration',
  'MigrationList',
  'SecurityGroup',
  'SecurityGroupList',
  'Service',
  'ServiceList',
];

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'backlevel-gate-objects-'));
  temps.push(d);
  return d;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'fixture',
      GIT_AUTHOR_EMAIL: 'fixture@example.org',
      GIT_COMMITTER_NAME: 'fixture',
      GIT_COMMITTER_EMAIL: 'fixture@example.org',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
    },
  });
}

function summary(findings: Finding[]): string[] {
  return findings
    .map(
      (f) =>
        `${f.rule} ${f.data?.object} ${f.data?.version}->${f.data?.targetVersion ?? '-'} ${f.data?.path ?? f.data?.field}`,
    )
    .sort();
}

/** The planted defect, as the gate must report it, and nothing else. */
function expectOnlyForcedDown(findings: Finding[], targets = ['1.0', '1.1', '1.2', '1.3']): void {
  expect(findings.length).toBeGreaterThan(0);
  for (const f of findings) {
    expect(['make-compatible-coverage', 'backlevel-accepted']).toContain(f.rule);
    expect(['Service', 'ServiceList']).toContain(f.data?.object);
    // A list's leak is reported on its field, with the path down to the child's field.
    expect(String(f.data?.path ?? f.data?.field)).toMatch(/(^|\.)forced_down$/);
    expect(f.file).toBe(SERVICE);
    expect(f.severity).toBe('error');
  }
  const coverage = findings.filter((f) => f.rule === 'make-compatible-coverage');
  expect(coverage).toHaveLength(1);
  expect(coverage[0]?.data).toMatchObject({ object: 'Service', version: '1.4', field: 'forced_down' });
  expect(coverage[0]?.data?.targetVersion).toBe('1.3');
  // A backport of Service 1.4 to every older version a peer may run leaks the key.
  const leaks = findings
    .filter((f) => f.rule === 'backlevel-accepted' && f.data?.object === 'Service')
    .map((f) => f.data?.targetVersion)
    .sort();
  expect(leaks).toEqual(targets);
}

/** Service and ServiceList as they were before forced_down (1.3). */
function service13(text: string): string {
  const out = text
    .replace("    # Version 1.4: Added forced_down\n    VERSION = '1.4'", "    VERSION = '1.3'")
    .replace("        'forced_down': fields.BooleanField(default=False),\n", '')
    .replace("    # Version 1.4: Service version 1.4\n    VERSION = '1.4'", "    VERSION = '1.3'")
    .replace(
      ",\n                    ('1.3', '1.3'), ('1.4', '1.4')]",
      ",\n                    ('1.3', '1.3')]",
    );
  expect(out).not.toContain('1.4');
  return out;
}

/** The fix: drop forced_down for targets before 1.4. */
function fixed(text: string): string {
  const anchor = "            del primitive['disabled_reason']\n";
  expect(text).toContain(anchor);
  return text.replace(
    anchor,
    `${anchor}        if target_version < (1, 4) and 'forced_down' in primitive:\n            del primitive['forced_down']\n`,
  );
}

describe('gateObjects', () => {
  it('reports the sample tree planted defect (Service.forced_down) and nothing else', async () => {
    const findings = await gateObjects(openProject(SAMPLE), SAMPLE_OBJECTS, { noCache: true });
    expectOnlyForcedDown(findings);
    expect(summary(findings)).toContain('make-compatible-coverage Service 1.4->1.3 forced_down');
    expect(summary(findings)).toContain('backlevel-accepted ServiceList 1.4->1.3 objects[0].forced_down');
  });

  it('reads the history of a sub-directory tree from the enclosing git repository', async () => {
    const h = await loadObjectsHistory({
      repo: SAMPLE,
      noCache: true,
      commitsWithoutTags: true,
    });
    // The sample is committed in backlevel's own history (no release tags there: commits instead).
    expect(h.releases.length).toBeGreaterThan(0);
    expect(h.releases.every((r) => /^[0-9a-f]{12}$/.test(r.label))).toBe(true);
    expect(h.releases.at(-1)?.defs.get('Service')?.[0]?.fields).toHaveProperty('disabled_reason');
    // Service 1.0-1.3 were never committed: they come from the version comments.
    expect(h.versions.get('Service')?.get('1.3')?.source).toBe('reconstructed');
    expect(h.versions.get('Service')?.get('1.3')?.def.fields).not.toHaveProperty('forced_down');
  });

  it('checks only the objects it is given', async () => {
    const p = openProject(SAMPLE);
    expect(await gateObjects(p, [], { noCache: true })).toEqual([]);
    expect(await gateObjects(p, ['Instance', 'InstanceList', 'Flavor'], { noCache: true })).toEqual([]);
    expect(await gateObjects(p, ['NoSuchObject'], { noCache: true })).toEqual([]);
    const only = await gateObjects(p, ['ServiceList'], { noCache: true });
    expect(only.length).toBeGreaterThan(0);
    expect(only.every((f) => f.data?.object === 'ServiceList')).toBe(true);
  });

  it('works on a tree with no git (history from version comments)', async () => {
    const dir = join(tempDir(), 'sample');
    cpSync(SAMPLE, dir, { recursive: true });
    expectOnlyForcedDown(await gateObjects(openProject(dir), SAMPLE_OBJECTS, { noCache: true }));
    writeFileSync(join(dir, SERVICE), fixed(readFileSync(join(dir, SERVICE), 'utf8')));
    expect(await gateObjects(openProject(dir), SAMPLE_OBJECTS, { noCache: true })).toEqual([]);
  });

  it('takes the shipped versions from the release tags of a git repository', async () => {
    const dir = join(tempDir(), 'repo');
    cpSync(SAMPLE, dir, { recursive: true });
    const original = readFileSync(join(dir, SERVICE), 'utf8');
    writeFileSync(join(dir, SERVICE), service13(original));
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'Service 1.3');
    git(dir, 'tag', '13.0.0');
    // The change under test: forced_down added in 1.4 in the (dirty) work tree.
    writeFileSync(join(dir, SERVICE), original);
    // The sample's own base backports list children through obj_relationships, as Nova's did from
    // Liberty; detected from the code it reads as Kilo (lists by child_versions, so children at 1.0,
    // a version this history never shipped).
    const era = { era: 'ovo-liberty' };
    writeFileSync(join(dir, CONFIG), JSON.stringify({ verify: { objects: era } }));
    const h = await loadObjectsHistory({ repo: dir, noCache: true, commitsWithoutTags: true });
    expect(h.releases.map((r) => r.label)).toEqual(['13.0.0']);
    expect(h.versions.get('Service')?.get('1.3')?.source).toBe('history');
    const findings = await gateObjects(openProject(dir), ['Service', 'ServiceList'], { noCache: true });
    expectOnlyForcedDown(findings, ['1.3']);
    // Versions older than the tags are not reconstructed from the comments: 1.0-1.2 are no target.
    expect(h.versions.get('Service')?.has('1.2')).toBe(false);
    // The configured support range applies to the tags: without 13.0.0 nothing older is talked to.
    writeFileSync(
      join(dir, CONFIG),
      JSON.stringify({ verify: { objects: { ...era, support: '14.0.0..' } } }),
    );
    expect(await gateObjects(openProject(dir), ['Service', 'ServiceList'], { noCache: true })).toEqual([]);
    writeFileSync(join(dir, CONFIG), JSON.stringify({ verify: { objects: era } }));
    writeFileSync(join(dir, SERVICE), fixed(original));
    expect(await gateObjects(openProject(dir), ['Service', 'ServiceList'], { noCache: true })).toEqual([]);
  });
});
