/**
 * The matrix's history when it is built from the object history walk directly (src/history):
 * every final release tag from a first release on (stable point releases included, so a series'
 * column knows every version its peers ran), each release's version manifest, the historical
 * manifest (child versions seen, schema changes under one version number), and the code under
 * test (a revision or a work tree). Also: the findings the history alone proves (a version number
 * reused for a different schema), and before/after primitives through the objects runtime.
 */
import { HistoryCache } from '../../history/cache.js';
import { GitObjectStore } from '../../history/git-objects.js';
import {
  type HistoricalManifest,
  ManifestBuilder,
  novaTagKey,
  releaseTags,
  TreeReader,
} from '../../history/history-walk.js';
import { EXTRACTOR_VERSION } from '../../history/object-extractor.js';
import type { ResolvedTree } from '../../history/object-resolver.js';
import { ERAS } from '../../objects/eras.js';
import { buildPopulatedObject } from '../../objects/graph-builder.js';
import type { ObjectVersionDef } from '../../objects/model.js';
import { ObjectRegistry } from '../../objects/registry.js';
import { objToPrimitive } from '../../objects/versioned-object.js';
import { compareVersions } from '../../objects/versions.js';
import type { Finding } from '../finding.js';
import type { MatrixHistory, MatrixRelease, MatrixVersionEntry, PrimitiveProvider } from './matrix.js';

export interface WalkedRelease extends MatrixRelease {
  commit: string;
  defs: Map<string, ObjectVersionDef[]>;
}

export interface ReleaseHistory extends MatrixHistory {
  current: WalkedRelease;
  releases: WalkedRelease[];
  versions: Map<string, Map<string, MatrixVersionEntry & { def: ObjectVersionDef }>>;
  manifest: HistoricalManifest;
  notes: string[];
}

export interface ReleaseHistoryOptions {
  /** A git directory or work tree. */
  repo: string;
  /** The code under test (default HEAD). */
  rev?: string;
  /** First release (default: every release tag). */
  since?: string;
  /** Only x.y.0 / dated releases, no stable point releases. */
  majorOnly?: boolean;
  cacheDir?: string;
  onProgress?: (done: number, total: number, label: string) => void;
}

function releaseOf(label: string, commit: string, tree: ResolvedTree): WalkedRelease {
  const defs = new Map<string, ObjectVersionDef[]>();
  for (const o of tree.objects) {
    if (!o.registered) continue;
    const list = defs.get(o.def.name) ?? [];
    list.push(o.def);
    list.sort((a, b) => compareVersions(b.version, a.version));
    defs.set(o.def.name, list);
  }
  const manifest: Record<string, string> = {};
  for (const [name, list] of defs) manifest[name] = list[0]!.version;
  return { label, commit, manifest, defs };
}

function cmpKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** Walks the release tags of `repo` and reads the code under test. */
export async function loadReleaseHistory(opts: ReleaseHistoryOptions): Promise<ReleaseHistory> {
  const store = GitObjectStore.open(opts.repo);
  try {
    const cache = HistoryCache.open(EXTRACTOR_VERSION, opts.cacheDir);
    const reader = new TreeReader(store, { cache });
    const since = opts.since ? novaTagKey(opts.since) : undefined;
    if (opts.since && !since) throw new Error(`${opts.since}: not a release tag name`);
    const refs = releaseTags(await store.tags()).filter((r) => {
      const k = novaTagKey(r.label);
      if (!k) return false;
      if (since && cmpKeys(k, since) < 0) return false;
      return !opts.majorOnly || /^(20\d\d\.\d+|\d+\.\d+\.0)$/.test(r.label);
    });
    const builder = new ManifestBuilder();
    if (store.isShallow) builder.setShallowBoundary(store.shallowBoundary);
    const releases: WalkedRelease[] = [];
    const versions: ReleaseHistory['versions'] = new Map();
    const add = (def: ObjectVersionDef, label: string, source: string) => {
      const byVersion = versions.get(def.name) ?? new Map();
      versions.set(def.name, byVersion);
      const e = byVersion.get(def.version);
      if (!e)
        byVersion.set(def.version, { version: def.version, def, firstSeen: label, lastSeen: label, source });
      else {
        e.def = def;
        e.lastSeen = label;
      }
    };
    let done = 0;
    for (const r of refs) {
      const snap = await reader.read(r.commit);
      opts.onProgress?.(++done, refs.length + 1, r.label);
      if (snap.tree.objects.length === 0) continue;
      builder.add({ ...snap, label: r.label });
      const rel = releaseOf(r.label, snap.commit, snap.tree);
      releases.push(rel);
      for (const defs of rel.defs.values()) for (const d of defs) add(d, r.label, 'history');
    }
    const rev = opts.rev ?? 'HEAD';
    const snap = await reader.read(rev);
    opts.onProgress?.(refs.length + 1, refs.length + 1, rev);
    const current = releaseOf(rev, snap.commit, snap.tree);
    if (!releases.some((r) => r.commit === current.commit)) builder.add({ ...snap, label: rev });
    for (const defs of current.defs.values())
      for (const d of defs) {
        if (!versions.get(d.name)?.has(d.version)) add(d, rev, 'current');
        else {
          const e = versions.get(d.name)!.get(d.version)!;
          e.def = d;
        }
      }
    reader.cache.flush();
    const notes: string[] = [];
    if (store.isShallow)
      notes.push('shallow clone: releases older than the shallow boundary are missing from the history');
    return {
      current,
      releases,
      supported: releases,
      versions,
      manifest: builder.build(),
      notes,
    };
  } finally {
    store.close();
  }
}

/**
 * What the history alone proves, in `verify objects`' finding shape: a version number that
 * shipped with two different schemas (fields, remotable signatures or child versions changed
 * without a VERSION bump), reported at the revision where the schema changed.
 */
export function historyFindings(manifest: HistoricalManifest): Finding[] {
  const out: Finding[] = [];
  for (const [name, byVersion] of Object.entries(manifest.objects)) {
    for (const [version, vh] of Object.entries(byVersion)) {
      for (const ch of vh.schemaChanges) {
        out.push({
          rule: 'version-bump',
          severity: 'error',
          file: vh.def.source?.file ?? '',
          line: vh.def.source?.line ?? 1,
          column: 1,
          endLine: vh.def.source?.line ?? 1,
          endColumn: 1,
          message: `${name} ${version} changed schema at ${ch.revision} without a version bump (since ${ch.previous}): ${ch.changes.join('; ')}`,
          data: {
            check: 'version-bump',
            object: name,
            version,
            targetVersion: null,
            field: /^field (\S+)/.exec(ch.changes[0] ?? '')?.[1] ?? null,
            revision: ch.revision,
          },
        });
      }
    }
  }
  return out;
}

interface ProviderHistory {
  releases: readonly { label: string; manifest: Record<string, string> }[];
  versions?: Map<string, Map<string, { def?: ObjectVersionDef | unknown }>>;
}

/**
 * Before/after primitives of one backlevel through the objects runtime: a populated object of
 * (object, version) serialized at its own version, then backleveled to the target (with the
 * receiving release's manifest in eras that pass one).
 */
export function runtimePrimitives(h: ProviderHistory): PrimitiveProvider {
  const registry = new ObjectRegistry();
  for (const byVersion of h.versions?.values() ?? [])
    for (const e of byVersion.values()) if (e.def) registry.register(e.def as ObjectVersionDef);
  const manifests = new Map(h.releases.map((r) => [r.label, r.manifest]));
  return (object, version, target, receiver) => {
    const def = registry.get(object, version);
    if (!def) return { error: `${object} ${version} is not in the history` };
    let before: unknown;
    try {
      const era = ERAS[def.era];
      const obj = buildPopulatedObject(registry, object, version, { seed: 1, era: def.era });
      before = objToPrimitive(obj);
      const manifest = era.manifestSupported && receiver ? (manifests.get(receiver) ?? null) : null;
      const after = objToPrimitive(obj, { targetVersion: target, manifest });
      return { before, after };
    } catch (e) {
      return { before, error: `${(e as Error).name}: ${(e as Error).message}` };
    }
  };
}
