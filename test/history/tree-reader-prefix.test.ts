/**
 * TreeReader additions for trees inside a larger repository (`prefix`) and for callers that need
 * the module summaries behind a resolved tree (`summaries`).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryCache } from '../../src/history/cache.js';
import { GitObjectStore } from '../../src/history/git-objects.js';
import { TreeReader } from '../../src/history/history-walk.js';

const BASE = join(import.meta.dirname, '..', '..', 'fixtures', 'workflow', 'base');
let dir: string;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.org',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.org',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
    },
  }).trim();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'backlevel-prefix-'));
  git(dir, 'init', '-q', '-b', 'master', 'repo');
  cpSync(BASE, join(dir, 'repo', 'sub', 'tree'), { recursive: true });
  git(join(dir, 'repo'), 'add', '-A');
  git(join(dir, 'repo'), 'commit', '-q', '-m', 'tree below sub/tree');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TreeReader with a prefix', () => {
  it('reads the tree below the prefix with paths and modules relative to it', async () => {
    const store = GitObjectStore.open(join(dir, 'repo'));
    try {
      const plain = new TreeReader(store, { cache: HistoryCache.disabled() });
      expect((await plain.read('HEAD')).tree.objects).toEqual([]);
      const reader = new TreeReader(store, { prefix: 'sub/tree/', cache: HistoryCache.disabled() });
      const snap = await reader.read('HEAD');
      const inst = snap.tree.objects.find((o) => o.def.name === 'Instance')!;
      expect(inst.qname).toBe('nova.objects.instance.Instance');
      expect(inst.def.version).toBe('1.2');
      expect(inst.def.source?.file).toBe('nova/objects/instance.py');
      expect(Object.keys(inst.def.fields).sort()).toEqual(['host', 'id', 'task_state', 'uuid']);
      const summaries = await reader.summaries('HEAD');
      expect(summaries.map((s) => s.path).sort()).toEqual([
        'nova/objects/__init__.py',
        'nova/objects/base.py',
        'nova/objects/fields.py',
        'nova/objects/instance.py',
      ]);
      expect(summaries.find((s) => s.module === 'nova.objects.instance')!.classes[0]!.attrLines.VERSION).toBe(
        9,
      );
    } finally {
      store.close();
    }
  });
});
