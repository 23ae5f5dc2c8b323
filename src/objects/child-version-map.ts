/**
 * Which version of a child object a parent at a given version was shipped with: the version an
 * older peer running that parent version has registered for the child. Used by the JSON schemas
 * (what nested version a strict receiver expects) and the graph builder (what version to build
 * nested children at).
 *
 * Sources, in order: a release manifest ({name: version}, e.g. from the history of one tag); the
 * legacy list `child_versions` (exact key, else the newest entry at or below the parent version);
 * `obj_relationships[field]` (the last entry at or below the parent version; none means the field
 * did not exist yet). Without any of them the result is 'unknown'.
 */
import { childVersionsDict } from './make-compatible.js';
import type { ObjectVersionDef, VersionManifest } from './model.js';
import type { ObjectRegistry } from './registry.js';
import { compareVersions, majorOf } from './versions.js';

export type ChildVersionResolution =
  | { kind: 'version'; version: string; source: 'manifest' | 'child-versions' | 'relationships' }
  | { kind: 'absent'; reason: string }
  | { kind: 'unknown' };

export interface ChildVersionOptions {
  /** Versions a peer has registered ({objname: version}); wins over the definitions' tables. */
  manifest?: VersionManifest;
}

export function shippedChildVersion(
  parent: ObjectVersionDef,
  field: string,
  childName: string,
  opts: ChildVersionOptions = {},
): ChildVersionResolution {
  if (opts.manifest && Object.hasOwn(opts.manifest, childName)) {
    return { kind: 'version', version: opts.manifest[childName] as string, source: 'manifest' };
  }
  if (parent.isList && field === 'objects' && parent.childVersions.length > 0) {
    const pairs = childVersionsDict(parent.childVersions);
    const exact = pairs.find(([p]) => p === parent.version);
    if (exact) return { kind: 'version', version: exact[1], source: 'child-versions' };
    const atOrBelow = pairs
      .filter(([p]) => compareVersions(p, parent.version) <= 0)
      .sort((a, b) => compareVersions(a[0], b[0]));
    const best = atOrBelow[atOrBelow.length - 1];
    if (best) return { kind: 'version', version: best[1], source: 'child-versions' };
  }
  const rels = parent.relationships[field];
  if (rels && rels.length > 0) {
    let found: string | undefined;
    for (const [p, c] of rels) if (compareVersions(p, parent.version) <= 0) found = c;
    if (found !== undefined) return { kind: 'version', version: found, source: 'relationships' };
    return {
      kind: 'absent',
      reason: `first obj_relationships entry for ${field} is after ${parent.version}`,
    };
  }
  return { kind: 'unknown' };
}

/**
 * A concrete child version to use: the shipped version if it is registered, else the newest
 * registered version (of the same major as the shipped one when there is one).
 */
export function childVersionOrLatest(
  registry: ObjectRegistry,
  parent: ObjectVersionDef,
  field: string,
  childName: string,
  opts: ChildVersionOptions = {},
): string | undefined {
  const res = shippedChildVersion(parent, field, childName, opts);
  const versions = registry.versionsOf(childName);
  if (res.kind === 'version') {
    if (versions.includes(res.version)) return res.version;
    const major = majorOf(res.version);
    return versions.find((v) => majorOf(v) === major && compareVersions(v, res.version) <= 0) ?? versions[0];
  }
  return versions[0];
}

/** Registered versions of `name` a peer with `shipped` accepts: same major, not newer. */
export function compatibleRegisteredVersions(
  registry: ObjectRegistry,
  name: string,
  shipped: string,
): string[] {
  const major = majorOf(shipped);
  return registry.versionsOf(name).filter((v) => majorOf(v) === major && compareVersions(v, shipped) <= 0);
}
