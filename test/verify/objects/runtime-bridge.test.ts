import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadObjectsHistory, readTreeFromDisk } from '../../../src/verify/objects/history-source.js';
import { fingerprintOf, parseObjectData } from '../../../src/verify/objects/ovo-fingerprint.js';
import { verifyObjects } from '../../../src/verify/objects/runner.js';
import { findBridgePython, PythonBridge } from '../../../src/verify/objects/runtime-bridge.js';
import { BAD, buildRepo, GOOD } from './fixture-repo.js';

// Real oslo.versionedobjects (Debian's python3-oslo.versionedobjects, scripts/install-system-deps.sh).
const python = findBridgePython();
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.runIf(python)('runtime bridge over real oslo.versionedobjects', () => {
  async function run(snaps: typeof GOOD) {
    const dir = buildRepo(snaps);
    dirs.push(dir);
    const h = await loadObjectsHistory({ repo: dir, noCache: true });
    const r = await verifyObjects(h, {
      bridge: { python: python as string, paths: [dir], registerAll: ['nova.objects'] },
    });
    return { h, r, dir };
  }

  it('agrees with the TypeScript runtime on every case of a correct history', async () => {
    const { r } = await run(GOOD);
    expect(r.counters.bridgeReplayed).toBeGreaterThan(15);
    expect(r.counters.bridgeDifferences).toBe(0);
    expect(r.findings.map((f) => f.message)).toEqual([]);
  }, 60_000);

  it('finds the real defects of a faulty history, and agrees on the crash of an unguarded del', async () => {
    const { r } = await run(BAD);
    const py = r.findings.filter((f) => f.data?.source === 'python');
    expect(py.map((f) => `${f.data?.targetVersion} ${f.data?.field}`)).toEqual(
      expect.arrayContaining(['1.1 label', '1.0 label']),
    );
    // `del primitive['shade']` on an object without shade: KeyError in Python. The extractor
    // reduces an unguarded `del` to `guarded: false`, so the TypeScript runtime raises the same
    // KeyError and the bridge agrees with it (the crash is check 6's finding, not a difference).
    const diffs = r.findings.filter((f) => f.rule === 'runtime-bridge');
    expect(diffs.map((f) => f.message)).toEqual([]);
    expect(r.counters.bridgeDifferences).toBe(0);
    const crashes = r.findings.filter((f) => f.rule === 'value-domain-and-crash' && f.data?.kind === 'crash');
    expect(crashes.map((f) => f.data?.error)).toContain("KeyError: 'shade'");
  }, 60_000);

  it('reports a failing request per request and keeps going', async () => {
    const dir = buildRepo(GOOD);
    dirs.push(dir);
    const bridge = await PythonBridge.start({
      python: python as string,
      paths: [dir],
      registerAll: ['nova.objects'],
    });
    try {
      const bad = await bridge.backport({ 'nova_object.name': 'Nope' }, '1.0', null);
      expect(bad.ok).toBe(false);
      const objs = await bridge.objects();
      expect(objs.map((o) => `${o.name} ${o.version}`).sort()).toEqual(['Gadget 1.1', 'Widget 1.2']);
    } finally {
      bridge.close();
    }
  }, 30_000);
});

const NOVA = '/usr/lib/python3/dist-packages';
const novaTests = join(NOVA, 'nova/tests/unit/objects/test_objects.py');
const hasNova = (() => {
  try {
    readFileSync(novaTests);
    return true;
  } catch {
    return false;
  }
})();

describe.runIf(python && hasNova)("Debian's Nova objects", () => {
  it("fingerprints match Nova's own object_data hash table (exact ones)", async () => {
    const tree = await readTreeFromDisk(NOVA);
    const expected = parseObjectData(readFileSync(novaTests, 'utf8'));
    let exact = 0;
    const wrong: string[] = [];
    for (const o of tree.objects) {
      if (!o.registered || o.kind !== 'object') continue;
      const fp = fingerprintOf(o.def);
      if (!fp.exact) continue;
      exact++;
      if (expected.get(o.def.name) !== fp.fingerprint) wrong.push(o.def.name);
    }
    expect(exact).toBeGreaterThan(100);
    // QuotasNoOp's plain methods hide the remotable ones of Quotas (docs/nova-object-findings.md).
    expect(wrong).toEqual([]);
  }, 60_000);

  it('the bridge loads the real Nova registry and its real hashes agree with ours', async () => {
    const bridge = await PythonBridge.start({ python: python as string, registerAll: ['nova.objects'] });
    try {
      const real = await bridge.hashes('nova');
      const tree = await readTreeFromDisk(NOVA);
      let agree = 0;
      for (const o of tree.objects) {
        if (!o.registered || o.kind !== 'object') continue;
        const fp = fingerprintOf(o.def);
        if (fp.exact && real[o.def.name] === fp.fingerprint) agree++;
      }
      expect(Object.keys(real).length).toBeGreaterThanOrEqual(106);
      expect(agree).toBeGreaterThan(100);
    } finally {
      bridge.close();
    }
  }, 60_000);
});
