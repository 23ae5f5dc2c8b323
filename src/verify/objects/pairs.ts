/**
 * The (sender, target) pairs the dynamic checks run over, with everything each needs resolved
 * once: the sender's definition, era and registry (the release whose code sends), the target's
 * receiving release and its version manifest, and the manifest the sender passes to
 * `obj_to_primitive` (manifest eras only).
 */
import { ERAS, type EraConfig } from '../../objects/eras.js';
import type { ObjectVersionDef, VersionManifest } from '../../objects/model.js';
import { ObjectRegistry } from '../../objects/registry.js';
import { compareVersions, majorOf } from '../../objects/versions.js';
import type { ObjectsHistory, Release, VersionEntry } from './history-source.js';

export interface Sender {
  def: ObjectVersionDef;
  era: EraConfig;
  /** The code that sends: the current tree or the release that last had this version. */
  release: Release;
  registry: ObjectRegistry;
  revision: string;
}

export interface Target {
  entry: VersionEntry;
  version: string;
  /** The receiver's release (first to ship the version), if known. */
  release: Release | undefined;
  /** What the receiver registered; undefined when unknown (reconstructed versions). */
  manifest: VersionManifest | undefined;
}

export interface Pair {
  sender: Sender;
  target: Target;
  /** Passed as `version_manifest` (manifest eras only). */
  sendManifest: VersionManifest | null;
}

export type SenderScope = 'current' | 'history';

const registries = new WeakMap<Release, ObjectRegistry>();

export function releaseRegistry(release: Release): ObjectRegistry {
  let r = registries.get(release);
  if (!r) {
    r = new ObjectRegistry();
    for (const defs of release.defs.values()) for (const d of defs) r.register(d);
    registries.set(release, r);
  }
  return r;
}

/** Senders: the current code's objects, plus (scope 'history') every historical version. */
export function senders(h: ObjectsHistory, scope: SenderScope, only?: Set<string>): Sender[] {
  const out: Sender[] = [];
  for (const [name, defs] of h.current.defs) {
    if ((only && !only.has(name)) || h.notifications.has(name)) continue;
    for (const def of defs) {
      out.push({
        def,
        era: ERAS[def.era],
        release: h.current,
        registry: releaseRegistry(h.current),
        revision: h.current.label,
      });
    }
  }
  if (scope === 'history') {
    for (const [name, byVersion] of h.versions) {
      if ((only && !only.has(name)) || h.notifications.has(name)) continue;
      const currentVersions = new Set((h.current.defs.get(name) ?? []).map((d) => d.version));
      for (const e of byVersion.values()) {
        if (e.source !== 'history' || currentVersions.has(e.version)) continue;
        const release = h.releases.find((r) => r.label === e.lastSeen);
        if (!release) continue;
        const def = release.defs.get(name)?.find((d) => d.version === e.version) ?? e.def;
        out.push({
          def,
          era: ERAS[def.era],
          release,
          registry: releaseRegistry(release),
          revision: release.label,
        });
      }
    }
  }
  return out.sort(
    (a, b) => a.def.name.localeCompare(b.def.name) || compareVersions(a.def.version, b.def.version),
  );
}

/** Versions of `name` older than the sender's (same major) that a supported peer may run. */
export function targetsFor(h: ObjectsHistory, sender: Sender): Target[] {
  const byVersion = h.versions.get(sender.def.name);
  if (!byVersion) return [];
  const supportedLabels = new Set(h.supported.map((r) => r.label));
  const haveSupportFilter = h.releases.length > 0;
  const out: Target[] = [];
  for (const e of byVersion.values()) {
    if (e.source === 'current') continue;
    if (majorOf(e.version) !== majorOf(sender.def.version)) continue;
    if (compareVersions(e.version, sender.def.version) >= 0) continue;
    if (haveSupportFilter && e.source === 'history') {
      // Some supported release ran this version.
      const shippedBySupported = h.supported.some(
        (r) => r.manifest[e.name] === e.version || r.defs.get(e.name)?.some((d) => d.version === e.version),
      );
      if (!shippedBySupported && !supportedLabels.has(e.firstSeen ?? '')) continue;
    }
    const release = e.firstSeen ? h.releases.find((r) => r.label === e.firstSeen) : undefined;
    out.push({ entry: e, version: e.version, release, manifest: release?.manifest });
  }
  return out.sort((a, b) => compareVersions(a.version, b.version));
}

export function pairsFor(h: ObjectsHistory, sender: Sender): Pair[] {
  return targetsFor(h, sender).map((target) => ({
    sender,
    target,
    sendManifest: sender.era.manifestSupported ? sendManifest(h, sender, target) : null,
  }));
}

/**
 * The manifest a manifest-era sender backports with: the receiving release's, or for a receiver of
 * unknown release `obj_tree_get_versions` of the sender (children at their newest, as oslo's own
 * checker does), with the top-level entry at the target.
 */
function sendManifest(h: ObjectsHistory, sender: Sender, target: Target): VersionManifest {
  if (target.manifest) return target.manifest;
  void h;
  const tree = { ...sender.release.manifest };
  tree[sender.def.name] = target.version;
  return tree;
}
