/**
 * Builds small git repositories from the overlays in fixtures/workflow: `base` first, then each
 * overlay as one commit on the current branch (files in `.backlevel-delete` are removed).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURES = new URL('../../fixtures/workflow/', import.meta.url).pathname;

export function sh(cwd: string, args: string[]): string {
  return execFileSync('git', ['-C', cwd, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Fixture Author',
      GIT_AUTHOR_EMAIL: 'author@example.org',
      GIT_COMMITTER_NAME: 'Fixture Author',
      GIT_COMMITTER_EMAIL: 'author@example.org',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
    },
  }).trim();
}

export function overlay(dir: string, name: string): void {
  const src = join(FIXTURES, name);
  cpSync(src, dir, { recursive: true, filter: (p) => !p.endsWith('.backlevel-delete') });
  const del = join(src, '.backlevel-delete');
  if (existsSync(del)) {
    for (const p of readFileSync(del, 'utf8').split('\n').filter(Boolean))
      rmSync(join(dir, p), { force: true });
  }
}

export function commitOverlay(dir: string, name: string, message: string): string {
  overlay(dir, name);
  sh(dir, ['add', '-A']);
  sh(dir, ['commit', '-q', '-m', message]);
  return sh(dir, ['rev-parse', 'HEAD']);
}

export type CommitName =
  | 'base'
  | 'stableConvert'
  | 'stableSix'
  | 'postMove'
  | 'convert'
  | 'bump'
  | 'useFlavor'
  | 'osXenapi'
  | 'rawAgain'
  | 'masterSix';

export interface FixtureRepo {
  dir: string;
  commits: Record<CommitName, string>;
  cleanup(): void;
}

/**
 * master: base, convert, bump, use-flavor, os-xenapi, raw-again, master-six
 * stable/one (pre-move): base, convert (its own commit), stable-six
 * stable/newer (post-move): base, post-move
 */
export function buildRepo(root = mkdtempSync(join(tmpdir(), 'bl-wf-test-'))): FixtureRepo {
  const dir = join(root, 'repo');
  cpSync(join(FIXTURES, 'base'), dir, { recursive: true });
  sh(dir, ['init', '-q', '-b', 'master']);
  sh(dir, ['add', '-A']);
  sh(dir, ['commit', '-q', '-m', 'Initial tree']);
  const commits = { base: sh(dir, ['rev-parse', 'HEAD']) } as Record<CommitName, string>;
  sh(dir, ['checkout', '-q', '-b', 'stable/one']);
  commits.stableConvert = commitOverlay(
    dir,
    'convert',
    'xenapi: use Instance.save() instead of virtapi.instance_update',
  );
  commits.stableSix = commitOverlay(dir, 'stable-six', 'Exclude six 1.10.1');
  sh(dir, ['checkout', '-q', '-b', 'stable/newer', commits.base]);
  commits.postMove = commitOverlay(dir, 'post-move', 'Use os-xenapi');
  sh(dir, ['checkout', '-q', 'master']);
  commits.convert = commitOverlay(dir, 'convert', 'xenapi: convert instance_update calls to objects');
  commits.bump = commitOverlay(dir, 'bump', 'Instance 1.3: add flavor');
  commits.useFlavor = commitOverlay(dir, 'use-flavor', 'xenapi: report the flavor on resize');
  commits.osXenapi = commitOverlay(dir, 'os-xenapi', 'xenapi: fetch bandwidth through os-xenapi');
  commits.rawAgain = commitOverlay(dir, 'raw-again', 'xenapi: mark instances in error');
  commits.masterSix = commitOverlay(dir, 'master-six', 'Raise six to 1.10.0');
  return { dir, commits, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
