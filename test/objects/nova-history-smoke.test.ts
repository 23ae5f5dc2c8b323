/**
 * Opt-in integration check against a real Nova clone: every registered object of a few release
 * tags (extracted by src/history) is populated, backlevelled to every minor of its major and
 * re-hydrated. Python-level errors are expected (they are what the verifier reports); any other
 * error is a runtime bug. Set BACKLEVEL_NOVA_MIRROR to a Nova git directory to run it, and
 * BACKLEVEL_NOVA_TAGS to choose the tags.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { HistoryCache } from '../../src/history/cache.js';
import { GitObjectStore } from '../../src/history/git-objects.js';
import { TreeReader } from '../../src/history/history-walk.js';
import { EXTRACTOR_VERSION } from '../../src/history/object-extractor.js';
import { PythonError } from '../../src/objects/errors.js';
import { buildGraphVariants } from '../../src/objects/graph-builder.js';
import { ObjectSchemaValidator } from '../../src/objects/json-schema.js';
import { ObjectRegistry } from '../../src/objects/registry.js';
import { objFromPrimitive, objToPrimitive } from '../../src/objects/versioned-object.js';
import { minorsUpTo } from '../../src/objects/versions.js';

const MIRROR = process.env.BACKLEVEL_NOVA_MIRROR;

it.skipIf(!MIRROR)(
  'runs every object of real Nova release trees without runtime errors',
  async () => {
    const store = GitObjectStore.open(MIRROR as string);
    const cacheDir = mkdtempSync(join(tmpdir(), 'backlevel-smoke-'));
    onTestFinished(() => rmSync(cacheDir, { recursive: true, force: true }));
    const cache = HistoryCache.open(EXTRACTOR_VERSION, cacheDir);
    const reader = new TreeReader(store, { cache });
    const runtimeErrors: string[] = [];
    for (const tag of (process.env.BACKLEVEL_NOVA_TAGS ?? '2014.2,2015.1.0,12.0.0,13.0.0').split(',')) {
      const snap = await reader.read(tag);
      const registry = new ObjectRegistry(snap.tree.objects.filter((o) => o.registered).map((o) => o.def));
      const release: Record<string, string> = {};
      for (const n of registry.names()) release[n] = (registry.latest(n) as { version: string }).version;
      const validator = new ObjectSchemaValidator(registry, { manifest: release });
      const manifests = snap.tree.era === 'ovo-liberty' || snap.tree.era === 'ovo-manifest';
      for (const d of registry.all()) {
        const run = (what: string, fn: () => void) => {
          try {
            fn();
          } catch (e) {
            if (!(e instanceof PythonError))
              runtimeErrors.push(`${tag} ${d.name} ${d.version} ${what}: ${(e as Error).message}`);
          }
        };
        run('build', () => {
          for (const v of buildGraphVariants(registry, d.name, d.version, { listSizes: [1] })) {
            for (const target of minorsUpTo(d.version)) {
              run(`${v.label} -> ${target}`, () => {
                const prim = objToPrimitive(v.object, {
                  targetVersion: target,
                  ...(manifests ? { manifest: registry.objTreeGetVersions(d.name) } : {}),
                });
                if (target === d.version) {
                  validator.validate(prim);
                  objFromPrimitive(JSON.parse(JSON.stringify(prim)), registry, { era: snap.tree.era });
                }
              });
            }
          }
        });
      }
    }
    store.close();
    expect(runtimeErrors).toEqual([]);
  },
  900_000,
);
