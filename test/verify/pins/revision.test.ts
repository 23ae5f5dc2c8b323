import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProject, type Project } from '../../../src/engine/project.js';
import { GitRefError } from '../../../src/history/git-objects.js';
import { GitTreeSource } from '../../../src/verify/pins/tree-source.js';
import { analyzePins, resolvePinsSettings } from '../../../src/verify/pins/verify-pins.js';

// A small repository written by the test: v1 uses host_network (os-xenapi 0.2.0) with a >=0.1.1
// pin; v2 raises the pin; v3 adds an include (-r) and a constraint file; the work tree then gets an
// uncommitted change that must not leak into revision checks.
let work: string;
let bare: string;

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  });

function write(rel: string, text: string) {
  const p = path.join(work, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
}

const VIF = `from os_xenapi.client import host_network


class OvsDriver(object):
    def __init__(self, session):
        self._session = session

    def delete_bridge(self, bridge):
        host_network.ovs_del_br(self._session, bridge)
        return self._session.call_xenapi('network.get_all')
`;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'pins-rev-'));
  git(work, 'init', '-q', '-b', 'main');
  write('nova/__init__.py', '');
  write('nova/virt/__init__.py', '');
  write('nova/virt/xenapi/__init__.py', '');
  write('nova/virt/xenapi/vif.py', VIF);
  write('nova/compute/manager.py', 'def f(session):\n    return session.call_xenapi("x")\n');
  write('requirements.txt', 'pbr>=2.0.0 # Apache-2.0\nos-xenapi>=0.1.1 # Apache-2.0\n');
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'v1');
  git(work, 'tag', 'v1');
  write('requirements.txt', 'pbr>=2.0.0 # Apache-2.0\nos-xenapi>=0.2.0 # Apache-2.0\n');
  git(work, 'commit', '-q', '-am', 'v2');
  git(work, 'tag', '-a', 'v2', '-m', 'annotated');
  write('requirements.txt', '-r requirements/base.txt\n');
  write('requirements/base.txt', 'os-xenapi>=0.2.0 # Apache-2.0\n');
  write('upper-constraints.txt', 'os-xenapi===0.1.1\n');
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'v3');
  git(work, 'tag', 'v3');
  // Uncommitted: the work tree no longer uses os-xenapi at all.
  rmSync(path.join(work, 'nova/virt/xenapi/vif.py'));
  bare = `${work}-bare.git`;
  execFileSync('git', ['clone', '-q', '--bare', work, bare]);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(bare, { recursive: true, force: true });
});

async function atRev(repo: string, rev: string) {
  const source = await GitTreeSource.open(repo, rev);
  try {
    const project: Project = { root: source.root, config: {}, projectPackages: [] };
    const { settings, index } = resolvePinsSettings(source.root, undefined, {});
    return await analyzePins({ project, settings, index, source, jobs: 1 });
  } finally {
    source.close();
  }
}

const rules = (a: Awaited<ReturnType<typeof atRev>>) =>
  a.report.findings.map((f) => `${f.rule}@${f.file}:${f.line}`);

describe('verify pins at a git revision (no work tree)', () => {
  it('reads code and requirements of the revision, not of the work tree', async () => {
    const v1 = await atRev(work, 'v1');
    expect(rules(v1)).toEqual(['pin-too-low@requirements.txt:2']);
    expect(v1.report.findings[0]!.data).toMatchObject({ neededVersion: '0.2.0', specifier: '>=0.1.1' });
    expect(v1.report.files).toMatchObject({ discovered: 5, importing: 1 });
    // Instance uses outside the scope (nova/compute) are not parsed at all.
    expect(v1.report.files.parsed).toBe(1);
    const here = openProject(work);
    const { settings, index } = resolvePinsSettings(here.root, undefined, {});
    const disk = await analyzePins({ project: here, settings, index, jobs: 1 });
    expect(disk.report.files.importing).toBe(0);
    expect(disk.report.findings.map((f) => f.rule)).toEqual(['unused-pin']);
  });

  it('a bare repository, annotated tags, abbreviated commits', async () => {
    expect(rules(await atRev(bare, 'v2'))).toEqual([]);
    const head = git(work, 'rev-parse', 'v1').trim();
    expect(rules(await atRev(bare, head.slice(0, 10)))).toEqual(['pin-too-low@requirements.txt:2']);
  });

  it('follows -r includes and reads constraint files at the revision', async () => {
    const v3 = await atRev(bare, 'v3');
    expect(v3.report.requirements.map((r) => `${r.file}:${r.line} ${r.specifier}`)).toEqual([
      'requirements/base.txt:1 >=0.2.0',
      'upper-constraints.txt:1 ===0.1.1',
    ]);
    expect(rules(v3)).toEqual(['constraint-conflict@upper-constraints.txt:1']);
  });

  it('a broken ref is a GitRefError naming the ref', async () => {
    await expect(GitTreeSource.open(bare, 'no-such-tag')).rejects.toThrow(GitRefError);
    await expect(GitTreeSource.open(bare, 'no-such-tag')).rejects.toThrow(/no-such-tag/);
  });

  const bin = new URL('../../../bin/backlevel.js', import.meta.url).pathname;
  const built = existsSync(new URL('../../../dist/src/verify/pins/tree-source.js', import.meta.url));
  it.skipIf(!built)('CLI: --rev checks the revision; a broken ref exits 2 naming it', () => {
    const ok = spawnSync(
      process.execPath,
      [bin, 'verify', 'pins', '--repo', bare, '--rev', 'v1', '--format', 'json', '-q'],
      {
        encoding: 'utf8',
      },
    );
    expect(ok.status).toBe(1);
    const json = JSON.parse(ok.stdout) as { findings: { rule: string; neededVersion: string }[] };
    expect(json.findings.map((f) => [f.rule, f.neededVersion])).toEqual([['pin-too-low', '0.2.0']]);
    const bad = spawnSync(process.execPath, [bin, 'verify', 'pins', '--repo', bare, '--rev', 'v9.9'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--rev v9.9: unknown revision 'v9.9'");
    const notGit = spawnSync(process.execPath, [bin, 'verify', 'pins', '--repo', tmpdir(), '--rev', 'v1'], {
      encoding: 'utf8',
    });
    expect(notGit.status).toBe(2);
    expect(notGit.stderr).toContain('not a git repository');
  });
});
