#!/usr/bin/env node
/**
 * Object-history walk over a real Nova clone: all release tags and every commit touching
 * nova/objects (+ nova/notifications/objects), each cold (empty cache directory) and warm (same
 * directory, fresh process), with wall time, CPU time and peak RSS per scenario (each in its own
 * process; worker threads count in both).
 *
 * Peer, in the same run: CPython's `ast.parse` over the same distinct blobs the cold commit walk
 * parsed, read through one `git cat-file --batch` (the floor for "parse every version of every
 * objects module once"). Ratio = our cold commit walk / that peer (wall, and CPU).
 *
 * Also checked: the incremental walk's manifest is byte-identical to a from-scratch walk over a
 * slice of the mirror's commits (`--slice from:count`, default 900:400, which spans base.py and
 * fields.py changes), and the object / (object, version) counts at 2014.2, 17.0.0 and master.
 *
 *   npm run build && node bench/history.js [--repo /work/.mirror/openstack+nova/repo]
 *   BACKLEVEL_BUILD=<dir with src/history/*.js> overrides where the compiled modules are read from.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const buildRoot = resolve(process.env.BACKLEVEL_BUILD ?? join(here, '..', 'dist'));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const repo = opt('--repo', '/work/.mirror/openstack+nova/repo');

async function scenario(kind, cacheDir, blobsOut) {
  const h = (m) => import(pathToFileURL(join(buildRoot, 'src', 'history', m)).href);
  const { GitObjectStore } = await h('git-objects.js');
  const { walkHistory, releaseTagRefs, commitsTouching, pairsOf } = await h('history-walk.js');
  const { HistoryCache } = await h('cache.js');
  const { EXTRACTOR_VERSION } = await h('object-extractor.js');
  const t0 = performance.now();
  const store = GitObjectStore.open(repo);
  const revs = kind === 'tags' ? await releaseTagRefs(store) : await commitsTouching(store);
  const cache =
    cacheDir === 'none' ? HistoryCache.disabled() : HistoryCache.open(EXTRACTOR_VERSION, cacheDir);
  const jobs = process.env.BACKLEVEL_JOBS ? Number(process.env.BACKLEVEL_JOBS) : undefined;
  const { manifest, reader } = await walkHistory(store, revs, { cache, ...(jobs ? { jobs } : {}) });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage();
  let pairs = 0;
  let versions = 0;
  let bumps = 0;
  for (const byVersion of Object.values(manifest.objects)) {
    for (const h of Object.values(byVersion)) {
      versions++;
      if (h.schemaChanges.length) bumps++;
    }
  }
  pairs = manifest.revisions.at(-1)?.pairs ?? 0;
  if (blobsOut) writeFileSync(blobsOut, JSON.stringify(reader.parsedBlobs ?? []));
  store.close();
  const out = {
    kind,
    revisions: revs.length,
    ms: Math.round(ms),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    objectNames: Object.keys(manifest.objects).length,
    distinctVersions: versions,
    versionsWithSchemaChange: bumps,
    lastRevisionPairs: pairs,
    parsed: reader.stats.parsed,
    treesResolved: reader.stats.treesResolved,
    treeHits: reader.stats.treeHits,
    objectsReused: reader.stats.objectsReused,
    objectsResolved: reader.stats.objectsResolved,
    gitRequests: store.stats.requests,
  };
  void pairsOf;
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** Incremental vs from-scratch over a slice of the commit walk: the manifests must be identical. */
async function equalSlice(slice) {
  const h = (m) => import(pathToFileURL(join(buildRoot, 'src', 'history', m)).href);
  const { GitObjectStore } = await h('git-objects.js');
  const { walkHistory, commitsTouching } = await h('history-walk.js');
  const { HistoryCache } = await h('cache.js');
  const [from, count] = slice.split(':').map(Number);
  const store = GitObjectStore.open(repo);
  const revs = (await commitsTouching(store)).slice(from, from + count);
  // From scratch on one thread; incremental with the default worker threads (both paths checked).
  const run = async (incremental) => {
    const t0 = performance.now();
    const r = await walkHistory(store, revs, {
      cache: HistoryCache.disabled(),
      incremental,
      ...(incremental ? {} : { jobs: 1 }),
    });
    return {
      json: JSON.stringify(r.manifest),
      ms: Math.round(performance.now() - t0),
      stats: r.reader.stats,
    };
  };
  const scratch = await run(false);
  const inc = await run(true);
  store.close();
  process.stdout.write(
    `${JSON.stringify({
      check: 'incremental == from scratch',
      slice,
      revisions: revs.length,
      identical: scratch.json === inc.json,
      manifestBytes: inc.json.length,
      scratchResolveMs: scratch.ms,
      incrementalResolveMs: inc.ms,
      objectsResolved: inc.stats.objectsResolved,
      objectsReused: inc.stats.objectsReused,
    })}\n`,
  );
}

/** Registered objects (not notifications) and the (object, version) pairs they imply. */
async function counts() {
  const h = (m) => import(pathToFileURL(join(buildRoot, 'src', 'history', m)).href);
  const { GitObjectStore } = await h('git-objects.js');
  const { TreeReader, pairsOf } = await h('history-walk.js');
  const { HistoryCache } = await h('cache.js');
  const store = GitObjectStore.open(repo);
  const reader = new TreeReader(store, { cache: HistoryCache.disabled() });
  const out = {};
  for (const rev of ['2014.2', '17.0.0', 'master']) {
    const objs = (await reader.read(rev)).tree.objects.filter((o) => o.kind === 'object');
    out[rev] = `${objs.length}/${objs.reduce((n, o) => n + pairsOf(o.def.version), 0)}`;
  }
  store.close();
  process.stdout.write(`${JSON.stringify({ counts: out })}\n`);
}

if (args[0] === '--scenario') {
  await scenario(args[1], args[2], args[3]);
} else if (args[0] === '--equal') {
  await equalSlice(args[1]);
} else if (args[0] === '--counts') {
  await counts();
} else {
  const dir = mkdtempSync(join(tmpdir(), 'backlevel-history-bench-'));
  const results = [];
  const blobs = join(dir, 'blobs.json');
  try {
    for (const kind of ['tags', 'commits']) {
      const cache = join(dir, `cache-${kind}`);
      for (const temp of ['cold', 'warm']) {
        const r = spawnSync(
          process.execPath,
          [
            fileURLToPath(import.meta.url),
            '--scenario',
            kind,
            cache,
            kind === 'commits' && temp === 'cold' ? blobs : '',
            '--repo',
            repo,
          ],
          { encoding: 'utf8', env: process.env, maxBuffer: 1 << 26 },
        );
        if (r.status !== 0) throw new Error(`${kind} ${temp} failed:\n${r.stderr}`);
        const res = { temp, ...JSON.parse(r.stdout.trim().split('\n').at(-1)) };
        results.push(res);
        console.log(JSON.stringify(res));
      }
    }
    // Peer: CPython ast.parse of the same distinct blobs, read through one cat-file --batch.
    const py = `
import ast, json, subprocess, sys, time, resource
oids = json.load(open(sys.argv[2]))
t0 = time.time()
c0 = time.process_time()
p = subprocess.Popen(['git', '--git-dir', sys.argv[1], 'cat-file', '--batch'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
n = 0
for oid in oids:
    p.stdin.write((oid + '\\n').encode()); p.stdin.flush()
    hdr = p.stdout.readline().split()
    size = int(hdr[2]); data = p.stdout.read(size); p.stdout.read(1)
    try:
        ast.parse(data)
    except SyntaxError:
        pass
    n += 1
p.stdin.close(); p.wait()
print(json.dumps({'peer': 'cpython-ast', 'blobs': n, 'ms': round((time.time() - t0) * 1000), 'cpuMs': round((time.process_time() - c0) * 1000), 'maxRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
`;
    const pr = spawnSync('python3', ['-c', py, repo, blobs], { encoding: 'utf8' });
    if (pr.status === 0) {
      const peer = JSON.parse(pr.stdout.trim());
      const cold = results.find((r) => r.kind === 'commits' && r.temp === 'cold');
      console.log(JSON.stringify(peer));
      console.log(
        `ratio: cold commit walk / cpython ast.parse of the same ${peer.blobs} blobs = ${(cold.ms / peer.ms).toFixed(2)}x wall, ${(cold.cpuMs / peer.cpuMs).toFixed(2)}x CPU`,
      );
    } else console.log(`peer skipped: ${pr.stderr.trim()}`);
    const self = fileURLToPath(import.meta.url);
    for (const extra of [['--equal', opt('--slice', '900:400')], ['--counts']]) {
      const r = spawnSync(process.execPath, [self, ...extra, '--repo', repo], {
        encoding: 'utf8',
        env: process.env,
        maxBuffer: 1 << 26,
      });
      if (r.status !== 0) throw new Error(`${extra[0]} failed:\n${r.stderr}`);
      console.log(r.stdout.trim());
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
