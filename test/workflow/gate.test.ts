import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGate } from '../../src/workflow/gate.js';
import { changesBetween, parseUnifiedZero } from '../../src/workflow/git.js';
import { TEMP_PREFIX } from '../../src/workflow/worktree.js';
import { buildRepo, commitOverlay, FIXTURES, type FixtureRepo, overlay, sh } from './repo-builder.js';

let repo: FixtureRepo;
beforeAll(() => {
  repo = buildRepo();
});
afterAll(() => repo.cleanup());

describe('git plumbing', () => {
  it('parses -U0 hunks into new-side ranges, deletions give none', () => {
    const m = parseUnifiedZero('+++ b/a.py\n@@ -1,0 +2,3 @@\n@@ -9 +12 @@\n@@ -20,2 +22,0 @@\n');
    expect(m.get('a.py')).toEqual([
      [2, 4],
      [12, 12],
    ]);
  });

  it('changed lines between two commits', async () => {
    const c = await changesBetween(repo.dir, repo.commits.osXenapi, repo.commits.rawAgain);
    expect(c.files).toEqual([{ path: 'nova/virt/xenapi/vmops.py', status: 'modified', lines: [[12, 15]] }]);
  });
});

describe('gate', () => {
  it('on a dirty work tree: the touched object without a bump, lint on changed lines only, untracked files', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'bl-gate-')), 'repo');
    execFileSync('git', ['clone', '-q', repo.dir, dir]);
    const inst = join(dir, 'nova/objects/instance.py');
    writeFileSync(
      inst,
      readFileSync(inst, 'utf8').replace(
        "        'flavor'",
        "        'node': fields.StringField(nullable=True),\n        'flavor'",
      ),
    );
    overlay(dir, 'dirty');
    const r = await runGate({ repo: dir, base: 'HEAD' });
    expect(r.dirty).toBe(true);
    expect(r.changes?.paths).toEqual(['nova/objects/instance.py', 'nova/virt/new_driver.py']);
    const rules = r.findings.map((f) => `${f.rule} ${f.file}:${f.line}`);
    expect(rules).toContain('version-bump nova/objects/instance.py:10');
    expect(r.findings.find((f) => f.rule === 'version-bump')!.message).toContain(
      'Instance adds node but VERSION stays 1.3',
    );
    expect(rules).toContain('raw-conductor-call nova/virt/new_driver.py:5');
    // vmops.py's committed raw call (mark_error) is not part of the change
    expect(rules.some((x) => x.includes('vmops.py'))).toBe(false);
    expect(r.exitCode).toBe(1);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a clean change against its merge-base passes; pins are checked', async () => {
    const r = await runGate({ repo: repo.dir, base: repo.commits.rawAgain });
    expect(r.findings.map((f) => f.rule)).toEqual(['pin-missing']);
    // verify pins names the need (host_network arrived in os-xenapi 0.2.0) and the line to add.
    expect(r.findings[0]!.message).toContain("add 'os-xenapi>=0.2.0'");
    expect(r.findings[0]!.data).toMatchObject({ package: 'os-xenapi', neededVersion: '0.2.0' });
    const clean = await runGate({ repo: repo.dir, base: repo.commits.rawAgain, skip: ['pins'] });
    expect(clean.exitCode).toBe(0);
    expect(clean.analyzers.map((a) => `${a.name}:${a.status}`)).toEqual([
      'lint:ran',
      'objects:ran',
      'pins:skipped',
    ]);
  });

  it('a shallow clone: says which history is missing, fetches nothing, runs full-tree lint', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'bl-gate-')), 'shallow');
    execFileSync('git', ['clone', '-q', '--depth', '1', '--branch', 'master', `file://${repo.dir}`, dir]);
    const r = await runGate({ repo: dir });
    expect(r.repo.shallow).toBe(true);
    expect(r.base.rev).toBeUndefined();
    expect(r.skipped.join('\n')).toContain("HEAD's parent is not in this shallow clone (history stops at");
    expect(r.skipped.join('\n')).toContain('full-tree lint');
    expect(r.findings.map((f) => `${f.rule} ${f.file}:${f.line}`)).toContain(
      'raw-conductor-call nova/virt/xenapi/vmops.py:13',
    );
    expect(sh(dir, ['rev-list', '--count', '--all'])).toBe('1');
    const explicit = await runGate({ repo: dir, base: repo.commits.base });
    expect(explicit.skipped[0]).toContain(`--base ${repo.commits.base} is not in this shallow clone`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a tree with no git at all, and a tree that is a sub-directory of a larger repository', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bl-gate-'));
    const plain = join(root, 'plain');
    cpSync(join(FIXTURES, 'base'), plain, { recursive: true });
    const r = await runGate({ repo: plain });
    expect(r.repo.gitRoot).toBeUndefined();
    expect(r.base.missing).toContain('is not inside a git work tree');
    expect(r.findings.filter((f) => f.rule === 'raw-conductor-call')).toHaveLength(2);

    const outer = join(root, 'outer');
    mkdirSync(join(outer, 'tools'), { recursive: true });
    writeFileSync(join(outer, 'tools', 'x.py'), 'print(1)\n');
    sh(root, ['init', '-q', outer]);
    sh(outer, ['add', '-A']);
    sh(outer, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'outer']);
    const tree = join(outer, 'sub', 'tree');
    cpSync(join(FIXTURES, 'base'), tree, { recursive: true });
    sh(outer, ['add', '-A']);
    sh(outer, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'add tree']);
    writeFileSync(join(outer, 'tools', 'y.py'), 'print(2)\n');
    sh(outer, ['add', '-A']);
    sh(outer, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'unrelated']);
    const s = await runGate({ repo: tree });
    expect(s.repo.prefix).toBe('sub/tree/');
    expect(s.base.source).toBe('path-history');
    expect(s.changes?.paths.every((p) => !p.startsWith('tools') && !p.startsWith('sub/'))).toBe(true);
    expect(s.changes?.paths).toContain('nova/virt/xenapi/vmops.py');
    commitOverlay(tree, 'convert', 'convert');
    const s2 = await runGate({ repo: tree });
    expect(s2.changes?.paths).toEqual(['nova/virt/xenapi/vmops.py']);
    expect(s2.findings.filter((f) => f.rule === 'raw-conductor-call')).toEqual([]);
    rmSync(root, { recursive: true, force: true });
  });
});

describe('interruption', () => {
  const bin = new URL('../../bin/backlevel.js', import.meta.url).pathname;
  it.skipIf(!existsSync(new URL('../../dist/src/cli/main.js', import.meta.url)))(
    'SIGINT mid-backport removes the temporary work tree and its directory',
    async () => {
      const tmp = mkdtempSync(join(tmpdir(), 'bl-sigint-'));
      // many commits so the run is still going when the signal arrives
      sh(repo.dir, ['checkout', '-q', '-b', 'long', repo.commits.masterSix]);
      for (let i = 0; i < 40; i++) {
        writeFileSync(join(repo.dir, `note${i}.txt`), `${i}\n`);
        sh(repo.dir, ['add', '-A']);
        sh(repo.dir, ['commit', '-q', '-m', `note ${i}`]);
      }
      sh(repo.dir, ['checkout', '-q', 'master']);
      const child = spawn(
        process.execPath,
        [
          bin,
          'backport',
          '--repo',
          repo.dir,
          '--onto',
          'stable/one',
          '--range',
          `${repo.commits.masterSix}..long`,
        ],
        {
          env: { ...process.env, TMPDIR: tmp },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += String(d);
      });
      const started = Date.now();
      while (!readdirSync(tmp).some((n) => n.startsWith(TEMP_PREFIX)) && Date.now() - started < 20_000) {
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(readdirSync(tmp).some((n) => n.startsWith(TEMP_PREFIX))).toBe(true);
      await new Promise((r) => setTimeout(r, 150));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(code).toBe(130);
      expect(stderr).toContain('interrupted (SIGINT); removed 1 temporary work tree');
      expect(readdirSync(tmp)).toEqual([]);
      expect(sh(repo.dir, ['worktree', 'list']).split('\n')).toHaveLength(1);
      expect(sh(repo.dir, ['status', '--porcelain'])).toBe('');
      rmSync(tmp, { recursive: true, force: true });
    },
  );
});
