/**
 * `backlevel verify objects` as a user runs it (the built bin): exit codes 0 (clean), 1
 * (findings), 2 (usage, configuration or input: a broken --rev names the ref), and the JSON report's
 * per-finding fields. `npm test` builds before running the tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BAD, buildRepo, GOOD } from './fixture-repo.js';

const bin = new URL('../../../bin/backlevel.js', import.meta.url).pathname;
const built = existsSync(new URL('../../../dist/src/verify/objects/command.js', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(...args: string[]) {
  return spawnSync(process.execPath, [bin, 'verify', 'objects', '--no-cache', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
}

function repo(snaps: typeof GOOD): string {
  const d = buildRepo(snaps);
  dirs.push(d);
  return d;
}

describe.skipIf(!built)('backlevel verify objects (CLI)', () => {
  it('exits 0 on a clean history and prints the per-check summary', () => {
    const r = run('--repo', repo(GOOD));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/verify objects: work tree: 2 objects, \d+ versions, 3 releases in history/);
    expect(r.stdout).toMatch(/^ {2}backlevel-accepted: 0$/m);
  });

  it('exits 1 on findings; JSON findings carry check, object, version, targetVersion, field, revision, message', () => {
    const dir = repo(BAD);
    const r = run('--repo', dir, '--format', 'json');
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as {
      findings: Record<string, unknown>[];
      summary: Record<string, unknown>;
    };
    expect(report.findings.length).toBeGreaterThan(0);
    for (const f of report.findings) {
      for (const k of ['check', 'object', 'version', 'targetVersion', 'field', 'revision', 'message'])
        expect(Object.hasOwn(f, k), `${k} in ${JSON.stringify(f).slice(0, 200)}`).toBe(true);
      expect(typeof f.check).toBe('string');
      expect(typeof f.message).toBe('string');
      expect(f.revision).toBe('work tree');
    }
    // Widget 1.2 added `label` without a drop: backlevelled to 1.1 it leaks.
    const leak = report.findings.find(
      (f) => f.check === 'backlevel-accepted' && f.object === 'Widget' && f.field === 'label',
    );
    expect(leak).toMatchObject({ version: '1.2', revision: 'work tree' });
    expect(['1.0', '1.1']).toContain(leak?.targetVersion);
    expect(String(leak?.message)).toContain('label');
    expect(report.summary.backlevels).toBeGreaterThan(0);
    // --check narrows the report; the other formats exit the same way.
    const only = run('--repo', dir, '--format', 'json', '--check', 'make-compatible-coverage');
    expect(only.status).toBe(1);
    const checks = new Set((JSON.parse(only.stdout).findings as { check: string }[]).map((f) => f.check));
    expect([...checks]).toEqual(['make-compatible-coverage']);
    const sarif = run('--repo', dir, '--format', 'sarif');
    expect(sarif.status).toBe(1);
    expect(JSON.parse(sarif.stdout).runs[0].results.length).toBeGreaterThan(0);
    const junit = run('--repo', dir, '--format', 'junit');
    expect(junit.status).toBe(1);
    expect(junit.stdout).toContain('<testsuite');
  });

  it('--rev checks a revision of the history; a broken ref exits 2 naming it', () => {
    const dir = repo(BAD);
    // 14.0.0 is a tagged, correct release: its history (13.0.0) is clean.
    const tagged = run('--repo', dir, '--rev', '14.0.0', '--format', 'json');
    expect(tagged.status).toBe(0);
    expect(JSON.parse(tagged.stdout).summary.code).toBe('14.0.0');
    const broken = run('--repo', dir, '--rev', 'no-such-ref');
    expect(broken.status).toBe(2);
    expect(broken.stderr).toContain('--rev no-such-ref');
    expect(broken.stderr).toContain("'no-such-ref'");
    expect(broken.stdout).toBe('');
  });

  it('exits 2 on usage and input errors', () => {
    const dir = repo(GOOD);
    const cases: [string[], RegExp][] = [
      [['--repo', dir, '--format', 'xml'], /--format must be one of/],
      [['--repo', join(tmpdir(), 'backlevel-no-such-dir')], /no such directory/],
      [['--repo', dir, '--check', 'bogus'], /unknown check 'bogus'/],
      [['--repo', dir, '--support', '9.9.9'], /--support: 9\.9\.9 not among the release tags/],
      [['--repo', dir, '--era', 'nova-1999'], /unknown era/],
      [['--repo', dir, '--seed', 'x'], /--seed expects an integer/],
      [['--repo', tmpdir(), '--rev', 'HEAD'], /--rev needs a git repository/],
    ];
    for (const [args, message] of cases) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
