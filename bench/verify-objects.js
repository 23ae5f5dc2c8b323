#!/usr/bin/env node
/**
 * `verify objects` over a real Nova clone: every object x every historical version (release tags
 * from --support, default 2014.1..) x every older target, warm (the history cache filled by a
 * first load in the same process), for the code under test only ('current') and for every
 * historical version as a sender ('history', what `--all-versions` runs); wall and CPU time (all
 * threads), counts and peak RSS.
 *
 * Peers, in the same run:
 * - the first version of the verifier (`--peer-rev`, default 86ba325: ajv validation of every
 *   node, one thread), built from git into a temporary directory; runs are interleaved with ours
 *   (peer, ours on workers, ours on one thread; `--rounds` times) and medians compared, because
 *   the machine is shared and its load changes by the minute;
 * - oslo.versionedobjects' own compatibility routine
 *   (`ObjectVersionChecker.test_compatibility_routines(use_manifest=True)`: EMPTY objects of every
 *   registered class backported to every older minor, no output check) over Debian's Nova objects.
 *
 *   npm run build && node bench/verify-objects.js [--repo /work/.mirror/openstack+nova/repo]
 *     [--support 2014.1..] [--peer-rev 86ba325] [--rounds 3] [--jobs 2]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '..');
const buildRoot = resolve(process.env.BACKLEVEL_BUILD ?? join(root, 'dist'));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const repo = opt('--repo', '/work/.mirror/openstack+nova/repo');
const support = opt('--support', '2014.1..');
const peerRev = opt('--peer-rev', '86ba325');
const rounds = Number(opt('--rounds', '3'));
const jobs = Number(opt('--jobs', '2'));

/** The peer revision built into a temporary directory (reused when already there). */
function peerBuild(rev) {
  const commit = execFileSync('git', ['-C', root, 'rev-parse', '--verify', `${rev}^{commit}`], {
    encoding: 'utf8',
  }).trim();
  const dir = join(tmpdir(), `backlevel-bench-${commit.slice(0, 12)}`);
  if (existsSync(join(dir, 'dist', 'src', 'verify', 'objects', 'runner.js'))) return { dir, commit };
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git -C '${root}' archive ${commit} | tar -x -C '${dir}'`]);
  if (!existsSync(join(dir, 'node_modules')))
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  // Type errors elsewhere in the tree at that revision do not stop tsc from emitting.
  spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: dir });
  if (!existsSync(join(dir, 'dist', 'src', 'verify', 'objects', 'runner.js')))
    throw new Error(`${rev}: the build emitted no verify objects runner`);
  return { dir, commit };
}

async function load(build) {
  const m = (p) => import(pathToFileURL(join(build, 'src', 'verify', 'objects', p)).href);
  return { ...(await m('history-source.js')), ...(await m('runner.js')) };
}

const ours = await load(buildRoot);
const peer = peerRev === 'none' ? undefined : peerBuild(peerRev);
const theirs = peer ? await load(join(peer.dir, 'dist')) : undefined;

await ours.loadObjectsHistory({ repo, support }); // fills the on-disk history cache (cold run)
const results = { repo, support, rounds, jobs };
const t = performance.now();
const h = await ours.loadObjectsHistory({ repo, support });
results.loadWarmMs = Math.round(performance.now() - t);
const hPeer = theirs ? await theirs.loadObjectsHistory({ repo, support }) : undefined;

async function timed(fn) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = await fn();
  const c = process.cpuUsage(c0);
  return { wallMs: Math.round(performance.now() - t0), cpuMs: Math.round((c.user + c.system) / 1000), r };
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

for (const senders of ['current', 'history']) {
  const runs = { peer: [], workers: [], oneThread: [] };
  const last = {};
  for (let i = 0; i < rounds; i++) {
    if (theirs) {
      const p = await timed(() => theirs.runChecks(hPeer, { senders }));
      runs.peer.push(p);
      last.peer = p.r;
    }
    const w = await timed(() => ours.runChecksParallel(h, { senders, jobs }));
    runs.workers.push(w);
    last.workers = w.r;
    const o = await timed(() => ours.runChecks(h, { senders }));
    runs.oneThread.push(o);
    last.oneThread = o.r;
  }
  const summary = {};
  for (const [k, xs] of Object.entries(runs)) {
    if (!xs.length) continue;
    summary[k] = {
      wallMs: median(xs.map((x) => x.wallMs)),
      cpuMs: median(xs.map((x) => x.cpuMs)),
      wallRuns: xs.map((x) => x.wallMs),
      findings: last[k].findings.length,
    };
  }
  const c = last.oneThread.counters;
  summary.counters = {
    senders: c.senders,
    pairs: c.pairs,
    backlevels: c.backlevels,
    roundTrips: c.roundTrips,
    schemasCompiled: c.schemasCompiled,
    schemasInterpreted: c.schemasInterpreted,
    nodesValidated: c.nodesValidated,
    nodesRejected: c.nodesRejected,
    buildMs: c.buildMs,
    backlevelMs: c.backlevelMs,
    validateMs: c.validateMs,
    roundTripMs: c.roundTripMs,
  };
  summary.sameFindingsWorkersVsOneThread = isDeepStrictEqual(last.workers.findings, last.oneThread.findings);
  if (last.peer) {
    summary.peerCounters = {
      backlevels: last.peer.counters.backlevels,
      schemasCompiled: last.peer.counters.schemasCompiled,
      validateMs: last.peer.counters.validateMs,
      backlevelMs: last.peer.counters.backlevelMs,
    };
    summary.sameFindingsAsPeer = isDeepStrictEqual(
      last.peer.findings.map((f) => f.message).sort(),
      last.oneThread.findings.map((f) => f.message).sort(),
    );
    summary.ratio = {
      wallWorkers: Number((summary.workers.wallMs / summary.peer.wallMs).toFixed(2)),
      wallOneThread: Number((summary.oneThread.wallMs / summary.peer.wallMs).toFixed(2)),
      cpuOneThread: Number((summary.oneThread.cpuMs / summary.peer.cpuMs).toFixed(2)),
      cpuWorkers: Number((summary.workers.cpuMs / summary.peer.cpuMs).toFixed(2)),
    };
  }
  results[senders] = summary;
}
if (peer) results.peerRev = peer.commit.slice(0, 12);
results.releases = h.releases.length;
results.versions = [...h.versions.values()].reduce((n, x) => n + x.size, 0);
results.maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
results.loadAverage = (await import('node:os')).loadavg().map((x) => Number(x.toFixed(2)));

const peerScript = `
import time
from nova import objects; objects.register_all()
from nova.objects import base
from oslo_versionedobjects import fixture
classes = {n: c for n, c in base.NovaObjectRegistry.obj_classes().items() if c[0].OBJ_PROJECT_NAMESPACE == 'nova'}
checker = fixture.ObjectVersionChecker(classes)
n = 0
orig = checker._test_object_compatibility
def counting(*a, **k):
    global n
    n += int(a[0].VERSION.split('.')[1]) + 1
    return orig(*a, **k)
checker._test_object_compatibility = counting
t = time.perf_counter()
checker.test_compatibility_routines(use_manifest=True)
print(round((time.perf_counter() - t) * 1000), n)
`;
const py = spawnSync('/usr/bin/python3', ['-c', peerScript], { encoding: 'utf8' });
if (py.status === 0) {
  const [ms, n] = py.stdout.trim().split(/\s+/).map(Number);
  results.oslo = {
    name: 'oslo ObjectVersionChecker.test_compatibility_routines (Nova 26, empty objects)',
    ms,
    backports: n,
  };
  const oursPer = results.history.oneThread.wallMs / results.history.counters.backlevels;
  results.oslo.ratioPerBacklevel = Number((oursPer / (ms / n)).toFixed(2));
} else {
  results.oslo = { error: py.stderr.trim().split('\n').at(-1) };
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
