/** Builds git repositories from the fixture snapshots in fixtures/verify-objects (one commit + tag each). */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'verify-objects');

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'fixture',
      GIT_AUTHOR_EMAIL: 'fixture@example.org',
      GIT_COMMITTER_NAME: 'fixture',
      GIT_COMMITTER_EMAIL: 'fixture@example.org',
    },
  });
}

/** [snapshot dir relative to FIXTURES, tag or undefined][] -> a work tree at the last snapshot. */
export function buildRepo(snapshots: [string, string | undefined][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'backlevel-verify-objects-'));
  git(dir, 'init', '-q', '-b', 'main');
  let t = 1_600_000_000;
  for (const [snap, tag] of snapshots) {
    rmSync(join(dir, 'nova'), { recursive: true, force: true });
    cpSync(join(FIXTURES, snap), dir, { recursive: true });
    git(dir, 'add', '-A');
    t += 86_400;
    execFileSync('git', ['commit', '-q', '-m', `snapshot ${snap}`], {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'fixture',
        GIT_AUTHOR_EMAIL: 'fixture@example.org',
        GIT_COMMITTER_NAME: 'fixture',
        GIT_COMMITTER_EMAIL: 'fixture@example.org',
        GIT_AUTHOR_DATE: `${t} +0000`,
        GIT_COMMITTER_DATE: `${t} +0000`,
      },
    });
    if (tag) git(dir, 'tag', tag);
  }
  return dir;
}

export const GOOD: [string, string | undefined][] = [
  ['manifest/1', '13.0.0'],
  ['manifest/2', '14.0.0'],
  ['manifest/3good', '15.0.0'],
];
export const BAD: [string, string | undefined][] = [
  ['manifest/1', '13.0.0'],
  ['manifest/2', '14.0.0'],
  ['manifest/3bad', undefined],
];

export const LIBERTY_GOOD: [string, string | undefined][] = [
  ['liberty/1', '12.0.0'],
  ['liberty/2good', '12.1.0'],
];
export const LIBERTY_BAD: [string, string | undefined][] = [
  ['liberty/1', '12.0.0'],
  ['liberty/2bad', '12.1.0'],
];
