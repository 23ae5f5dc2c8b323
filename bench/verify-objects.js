#!/usr/bin/env node
/**
 * `verify objects` over a real Nova clone: every object x every historical version (release tags
 * from --support, default 2014.1..) x every older target, warm (the history cache filled by a
 * first load in the same process), for the code under test only ('current') and for every
 * historical version as a sender ('history'); wall time per phase, counts and peak RSS.
 *
 * Peer, in the same run: oslo.versionedobjects' own compatibility routine
 * (`ObjectVersionChecker.test_compatibility_routines(use_manifest=True)`: EMPTY objects of every
 * registered class backported to every older minor, no output check) over Debian's Nova objects
 * through the real library. Ratio = our time per backlevel (populated graphs, validated, round
 * trips included) / the peer's time per backport.
 *
 *   npm run build && node bench/verify-objects.js [--repo /work/.mirror/openstack+nova/repo] [--support 2014.1..]
 */
import { spawnSync } from 'node:child_process';
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
const support = opt('--support', '2014.1..');
const m = (p) => import(pathToFileURL(join(buildRoot, 'src', 'verify', 'objects', p)).href);
const { loadObjectsHistory } = await m('history-source.js');
const { runChecks } = await m('runner.js');

await loadObjectsHistory({ repo, support }); // fills the on-disk history cache (cold run)
const results = {};
let t = performance.now();
const h = await loadObjectsHistory({ repo, support });
results.loadWarmMs = Math.round(performance.now() - t);
for (const senders of ['current', 'history']) {
  t = performance.now();
  const r = runChecks(h, { senders });
  results[senders] = {
    ms: Math.round(performance.now() - t),
    findings: r.findings.length,
    ...r.counters,
  };
}
results.releases = h.releases.length;
results.versions = [...h.versions.values()].reduce((n, x) => n + x.size, 0);
results.maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);

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
  results.peer = {
    name: 'oslo ObjectVersionChecker.test_compatibility_routines (Nova 26, empty objects)',
    ms,
    backports: n,
  };
  const ours = results.history.ms / results.history.backlevels;
  results.ratioPerBacklevel = Number((ours / (ms / n)).toFixed(2));
} else {
  results.peer = { error: py.stderr.trim().split('\n').at(-1) };
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
