import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryCache } from '../../src/history/cache.js';
import { GitObjectStore, GitRefError, ShallowHistoryError } from '../../src/history/git-objects.js';
import {
  commitsTouching,
  novaTagKey,
  releaseTagRefs,
  releaseTags,
  TreeReader,
  walkHistory,
} from '../../src/history/history-walk.js';
import { EXTRACTOR_VERSION } from '../../src/history/object-extractor.js';

const SNAPSHOTS = join(import.meta.dirname, '..', '..', 'fixtures', 'objects-history', 'repo-snapshots');
let dir: string;
let repo: string;
const commits: string[] = [];

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
  dir = mkdtempSync(join(tmpdir(), 'backlevel-history-'));
  repo = join(dir, 'nova');
  git(dir, 'init', '-q', '-b', 'master', repo);
  const step = (n: number, date: string, tags: string[]) => {
    rmSync(join(repo, 'nova'), { recursive: true, force: true });
    cpSync(join(SNAPSHOTS, String(n), 'nova'), join(repo, 'nova'), { recursive: true });
    git(repo, 'add', '-A');
    execFileSync('git', ['commit', '-q', '-m', `step ${n}`, '--date', date], {
      cwd: repo,
      env: {
        ...process.env,
        GIT_COMMITTER_DATE: date,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@e',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@e',
        GIT_CONFIG_GLOBAL: '/dev/null',
      },
    });
    commits.push(git(repo, 'rev-parse', 'HEAD'));
    for (const t of tags) git(repo, 'tag', '-a', '-m', t, t);
  };
  step(1, '2015-04-30T00:00:00Z', ['2015.1.0']);
  step(2, '2015-10-15T00:00:00Z', ['12.0.0']);
  // A commit that does not touch nova/objects.
  writeFileSync(join(repo, 'README'), 'docs\n');
  git(repo, 'add', 'README');
  git(repo, 'commit', '-q', '-m', 'docs only');
  step(3, '2016-03-01T00:00:00Z', ['13.0.0.0rc1']);
  step(4, '2016-04-07T00:00:00Z', ['13.0.0']);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('release tags', () => {
  it('sorts dated before semantic releases and skips pre-releases unless asked', () => {
    const tags = new Map(
      [
        '13.0.0',
        '2015.1.0',
        '12.0.0',
        '2013.2',
        '2014.2.b3',
        '13.0.0.0rc1',
        'kilo-eol',
        '2011.3.1',
        '2013.1.g3',
        '9.0',
      ].map((t) => [t, t]),
    );
    expect(releaseTags(tags).map((r) => r.label)).toEqual([
      '2011.3.1',
      '2013.2',
      '2015.1.0',
      '12.0.0',
      '13.0.0',
    ]);
    expect(releaseTags(tags, { includePrereleases: true }).map((r) => r.label)).toEqual([
      '2011.3.1',
      '2013.1.g3',
      '2013.2',
      '2014.2.b3',
      '2015.1.0',
      '12.0.0',
      '13.0.0.0rc1',
      '13.0.0',
    ]);
    expect(novaTagKey('2015.1.0rc2')).toBeUndefined();
  });
});

describe('git object store', () => {
  it('reads directories and files at any revision through one cat-file process, trees cached by id', async () => {
    const store = GitObjectStore.open(repo);
    try {
      const at1 = (await store.listDirectory('2015.1.0', 'nova/objects'))!.map((e) => e.name);
      expect(at1).toEqual(['base.py', 'fields.py', 'gadget.py', 'widget.py']);
      const at3 = (await store.listDirectory('13.0.0.0rc1', 'nova/objects'))!.map((e) => e.name);
      expect(at3).toContain('gadgets.py');
      expect(await store.readFile('12.0.0', 'nova/objects/gadget.py')).toContain("'size'");
      expect(await store.listDirectory('12.0.0', 'nova/nope')).toBeUndefined();
      // base.py did not change between steps 1 and 2: same blob id.
      expect(await store.blobId('2015.1.0', 'nova/objects/base.py')).toBe(
        await store.blobId('12.0.0', 'nova/objects/base.py'),
      );
      const ls = await store.lsTree('12.0.0', 'nova/objects');
      expect(ls.map((e) => e.name)).toEqual(['base.py', 'fields.py', 'gadget.py', 'widget.py']);
      expect(ls.map((e) => e.oid)).toEqual(
        (await store.listDirectory('12.0.0', 'nova/objects'))!.map((e) => e.oid),
      );
    } finally {
      store.close();
    }
  });

  it('names the broken ref or missing path', async () => {
    const store = GitObjectStore.open(repo);
    try {
      await expect(store.readCommit('14.0.0')).rejects.toThrow(GitRefError);
      await expect(store.readCommit('14.0.0')).rejects.toThrow(/unknown revision '14\.0\.0'/);
      await expect(store.readFile('12.0.0', 'nova/objects/gadgets.py')).rejects.toThrow(
        /12\.0\.0:nova\/objects\/gadgets\.py/,
      );
      await expect(store.revList(['nope..master'], ['nova/objects'])).rejects.toThrow(/'nope'/);
    } finally {
      store.close();
    }
  });

  it('says which history a shallow clone lacks', async () => {
    const shallow = join(dir, 'shallow');
    git(dir, 'clone', '-q', '--depth', '1', '--no-local', `file://${repo}`, shallow);
    const store = GitObjectStore.open(shallow);
    try {
      expect(store.isShallow).toBe(true);
      const head = await store.readCommit('HEAD');
      expect(head.parents).toEqual([commits[2]]);
      const err = await store.readCommit(commits[2]!).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ShallowHistoryError);
      expect(String(err)).toContain(commits[2]!);
      expect(String(err)).toContain(head.oid.slice(0, 10));
    } finally {
      store.close();
    }
  });
});

describe('history walk', () => {
  it('builds the manifest over release tags: versions, first/last seen, child versions, missing bumps', async () => {
    const store = GitObjectStore.open(repo);
    try {
      const tags = await releaseTagRefs(store);
      expect(tags.map((t) => t.label)).toEqual(['2015.1.0', '12.0.0', '13.0.0']);
      const { manifest } = await walkHistory(store, tags, { cache: HistoryCache.disabled() });
      expect(Object.keys(manifest.objects).sort()).toEqual(['Gadget', 'Widget']);
      expect(Object.keys(manifest.objects.Widget!).sort()).toEqual(['1.0', '1.1']);
      const w11 = manifest.objects.Widget!['1.1']!;
      expect([w11.firstSeen, w11.lastSeen]).toEqual(['12.0.0', '13.0.0']);
      expect(w11.schemaChanges).toEqual([]);
      const g10 = manifest.objects.Gadget!['1.0']!;
      expect([g10.firstSeen, g10.lastSeen]).toEqual(['2015.1.0', '12.0.0']);
      expect(g10.variants.map((v) => Object.keys(v.def.fields))).toEqual([['id'], ['id', 'size']]);
      expect(g10.schemaChanges).toEqual([
        { revision: '12.0.0', commit: commits[1], previous: '2015.1.0', changes: ['field size added'] },
      ]);
      expect(manifest.objects.Gadget!['1.1']!.firstSeen).toBe('13.0.0');
      expect(manifest.revisions.map((r) => [r.label, r.objects, r.pairs])).toEqual([
        ['2015.1.0', 2, 2],
        ['12.0.0', 2, 3],
        ['13.0.0', 2, 4],
      ]);
    } finally {
      store.close();
    }
  });

  it('walks every commit touching nova/objects across a file rename, and a second run hits the disk cache', async () => {
    const cacheDir = join(dir, 'cache');
    const store = GitObjectStore.open(repo);
    try {
      const revs = await commitsTouching(store);
      expect(revs.map((r) => r.commit)).toEqual(commits);
      const first = await walkHistory(store, revs, { cache: HistoryCache.open(EXTRACTOR_VERSION, cacheDir) });
      const g10 = first.manifest.objects.Gadget!['1.0']!;
      expect(g10.lastCommit).toBe(commits[2]);
      expect(g10.def.source?.file).toBe('nova/objects/gadgets.py');
      expect(g10.schemaChanges.map((c) => c.commit)).toEqual([commits[1]]);
      expect(first.reader.stats.parsed).toBeGreaterThan(0);
      const second = await walkHistory(store, revs, {
        cache: HistoryCache.open(EXTRACTOR_VERSION, cacheDir),
      });
      expect(second.reader.stats.parsed).toBe(0);
      expect(second.reader.stats.treesResolved).toBe(0);
      expect(JSON.stringify(second.manifest)).toBe(JSON.stringify(first.manifest));
      const range = await commitsTouching(store, [`${commits[1]}..master`]);
      expect(range.map((r) => r.commit)).toEqual(commits.slice(2));
    } finally {
      store.close();
    }
  });

  it('walks incrementally to exactly the manifest of a from-scratch walk', async () => {
    const store = GitObjectStore.open(repo);
    try {
      const revs = [
        ...(await releaseTagRefs(store, { includePrereleases: true })),
        ...(await commitsTouching(store)),
      ];
      const scratch = await walkHistory(store, revs, { cache: HistoryCache.disabled(), incremental: false });
      const incremental = await walkHistory(store, revs, { cache: HistoryCache.disabled() });
      expect(JSON.stringify(incremental.manifest)).toBe(JSON.stringify(scratch.manifest));
      expect(scratch.reader.stats.objectsReused).toBe(0);
      expect(incremental.reader.stats.objectsReused).toBeGreaterThan(0);
      expect(incremental.reader.stats.objectsResolved).toBeLessThan(
        incremental.manifest.revisions.reduce((n, r) => n + r.objects, 0),
      );
    } finally {
      store.close();
    }
  });

  it('reports syntax errors of a revision on cache hits too', async () => {
    const broken = join(dir, 'broken');
    git(dir, 'init', '-q', '-b', 'master', broken);
    cpSync(join(SNAPSHOTS, '1', 'nova'), join(broken, 'nova'), { recursive: true });
    writeFileSync(
      join(broken, 'nova', 'objects', 'gadget.py'),
      'class Gadget(base.NovaObject:\n    VERSION = "1.0"\n',
    );
    git(broken, 'add', '-A');
    git(broken, 'commit', '-q', '-m', 'broken gadget');
    const cacheDir = join(dir, 'cache-broken');
    const store = GitObjectStore.open(broken);
    try {
      const revs = await commitsTouching(store);
      const expected = [{ path: 'nova/objects/gadget.py', line: 1 }];
      const cold = new TreeReader(store, { cache: HistoryCache.open(EXTRACTOR_VERSION, cacheDir) });
      expect((await cold.read(revs[0]!.commit)).syntaxErrors).toEqual(expected);
      // The same tree again (memory), then a new reader over the disk cache.
      expect((await cold.read(revs[0]!.commit)).syntaxErrors).toEqual(expected);
      cold.cache.flush();
      const warm = new TreeReader(store, { cache: HistoryCache.open(EXTRACTOR_VERSION, cacheDir) });
      const snap = await warm.read(revs[0]!.commit);
      expect(warm.stats.treeHits).toBe(1);
      expect(warm.stats.parsed).toBe(0);
      expect(snap.syntaxErrors).toEqual(expected);
    } finally {
      store.close();
    }
  });

  it('parses each blob once per reader even across revisions', async () => {
    const store = GitObjectStore.open(repo);
    try {
      const reader = new TreeReader(store, { cache: HistoryCache.disabled() });
      for (const c of commits) await reader.read(c);
      // distinct (blob, module) pairs: base, fields, widget x2, gadget x2 (+ rename = new module name), gadgets x1
      expect(reader.stats.parsed).toBe(8);
    } finally {
      store.close();
    }
  });
});
