/**
 * Check 3, relationships: every `obj_relationships` entry and legacy list `child_versions` item
 * points at a child version that existed, entries are in order (parent versions strictly rising,
 * child versions never falling, none above the parent's own VERSION, keyed by field name), the
 * child version a parent version maps to is the one the release that shipped that parent version
 * actually had, and a child whose version changed while its parent's did not is reported
 * (a parent bump is required in the eras that backport children by relationships).
 */
import { shippedChildVersion } from '../../objects/child-version-map.js';
import { childVersionsDict } from '../../objects/make-compatible.js';
import { type ObjectVersionDef, objectFieldTarget, type VersionPair } from '../../objects/model.js';
import { compareVersions, majorOf } from '../../objects/versions.js';
import type { ObjectsHistory, Release } from './history-source.js';
import { type FindingSet, objectFinding } from './types.js';

function childKnown(h: ObjectsHistory, child: string, version: string): 'yes' | 'no' | 'unknown-object' {
  const byVersion = h.versions.get(child);
  if (!byVersion || byVersion.size === 0) return 'unknown-object';
  if (byVersion.has(version)) return 'yes';
  // Versions between walked revisions are not observed: accept anything not above the newest of its major.
  let major: number;
  try {
    major = majorOf(version);
  } catch {
    return 'no';
  }
  const sameMajor = [...byVersion.keys()].filter((v) => majorOf(v) === major);
  if (sameMajor.length === 0) return 'no';
  const newest = sameMajor.sort(compareVersions).at(-1) as string;
  return compareVersions(version, newest) <= 0 ? 'yes' : 'no';
}

interface Ctx {
  h: ObjectsHistory;
  findings: FindingSet;
}

function report(
  ctx: Ctx,
  def: ObjectVersionDef,
  revision: string,
  field: string | undefined,
  message: string,
  kind: string,
  severity: 'error' | 'warning' | 'info' = 'error',
  targetVersion?: string,
): void {
  ctx.findings.add(
    objectFinding({
      check: 'relationships',
      severity,
      object: def.name,
      version: def.version,
      ...(targetVersion ? { targetVersion } : {}),
      ...(field ? { field } : {}),
      revision,
      message,
      file: def.source?.file ?? '',
      ...(def.source?.line ? { line: def.source.line } : {}),
      data: { kind },
    }),
    kind,
  );
}

function checkEntries(
  ctx: Ctx,
  def: ObjectVersionDef,
  revision: string,
  field: string,
  entries: VersionPair[],
  what: string,
): void {
  const f = def.fields[field];
  const target = f ? objectFieldTarget(f.type) : undefined;
  if (!target) {
    report(
      ctx,
      def,
      revision,
      field,
      `${def.name} ${def.version} at ${revision}: ${what} key '${field}' is not an object field of ${def.name} (keys are field names); the rule never applies`,
      'bad-key',
    );
    return;
  }
  let prev: VersionPair | undefined;
  for (const [p, c] of entries) {
    try {
      if (compareVersions(p, def.version) > 0) {
        report(
          ctx,
          def,
          revision,
          field,
          `${def.name} ${def.version} at ${revision}: ${what}['${field}'] maps parent ${p}, above ${def.name}'s own VERSION ${def.version}`,
          'parent-above-version',
        );
      }
      if (prev && what === 'obj_relationships') {
        if (compareVersions(p, prev[0]) <= 0)
          report(
            ctx,
            def,
            revision,
            field,
            `${def.name} ${def.version} at ${revision}: ${what}['${field}'] is out of order: parent ${p} after ${prev[0]}`,
            'order',
          );
        if (majorOf(c) === majorOf(prev[1]) && compareVersions(c, prev[1]) < 0)
          report(
            ctx,
            def,
            revision,
            field,
            `${def.name} ${def.version} at ${revision}: ${what}['${field}'] child version falls from ${prev[1]} to ${c} at parent ${p}`,
            'order',
          );
      }
      const known = childKnown(ctx.h, target.objName, c);
      if (known === 'no') {
        report(
          ctx,
          def,
          revision,
          field,
          `${def.name} ${def.version} at ${revision}: ${what}['${field}'] maps parent ${p} to ${target.objName} ${c}, a version ${target.objName} never had`,
          'child-never-existed',
        );
      }
    } catch (e) {
      report(
        ctx,
        def,
        revision,
        field,
        `${def.name} ${def.version} at ${revision}: ${what}['${field}'] has a malformed version (${(e as Error).message})`,
        'malformed',
      );
    }
    prev = [p, c];
  }
}

/** Child version a parent def maps its field to, if it says. */
function mappedChild(def: ObjectVersionDef, field: string, child: string): string | undefined {
  const res = shippedChildVersion(def, field, child);
  return res.kind === 'version' ? res.version : undefined;
}

function checkRelease(ctx: Ctx, rel: Release): void {
  for (const defs of rel.defs.values()) {
    for (const def of defs) {
      for (const [field, entries] of Object.entries(def.relationships))
        checkEntries(ctx, def, rel.label, field, entries, 'obj_relationships');
      if (def.isList && def.childVersions.length > 0) {
        checkEntries(ctx, def, rel.label, 'objects', childVersionsDict(def.childVersions), 'child_versions');
      }
      // What the parent's version maps each child to must be what this release shipped.
      for (const [field, f] of Object.entries(def.fields)) {
        const t = objectFieldTarget(f.type);
        if (!t) continue;
        const hasRule =
          Object.hasOwn(def.relationships, field) ||
          (def.isList && field === 'objects' && def.childVersions.length > 0);
        if (!hasRule) continue;
        const shipped = rel.manifest[t.objName];
        const mapped = mappedChild(def, field, t.objName);
        if (shipped && mapped && mapped !== shipped && majorOf(mapped) === majorOf(shipped)) {
          report(
            ctx,
            def,
            rel.label,
            field,
            `${def.name} ${def.version} at ${rel.label} maps ${field} to ${t.objName} ${mapped}, but ${rel.label} ships ${t.objName} ${shipped}: a ${def.version} peer ${compareVersions(mapped, shipped) < 0 ? `is sent ${field} backleveled to ${mapped}` : `cannot be sent ${mapped}`}; add a (${def.version}, ${shipped}) entry with a parent bump`,
            'stale-mapping',
          );
        }
      }
      // Legacy lists: child_versions.get(target, '1.0') for every older list version.
      if ((def.isList && rel.era === 'nova-2014') || (def.isList && rel.era === 'nova-kilo')) {
        if (def.childVersions.length === 0) continue;
        const keys = new Set(childVersionsDict(def.childVersions).map(([k]) => k));
        for (const v of ctx.h.versions.get(def.name)?.keys() ?? []) {
          if (majorOf(v) !== majorOf(def.version) || compareVersions(v, def.version) >= 0 || keys.has(v))
            continue;
          report(
            ctx,
            def,
            rel.label,
            'objects',
            `${def.name} ${def.version} at ${rel.label}: child_versions has no key '${v}', so a backlevel to ${v} sends every element at 1.0 (child_versions.get(target, '1.0'))`,
            'missing-child-versions-key',
            'error',
            v,
          );
        }
      }
    }
  }
}

/** A child's version changed between two consecutive revisions while the parent's did not. */
function checkParentBumps(ctx: Ctx, revs: Release[]): void {
  for (let i = 1; i < revs.length; i++) {
    const a = revs[i - 1] as Release;
    const b = revs[i] as Release;
    for (const [name, defs] of b.defs) {
      for (const def of defs) {
        const before = a.defs.get(name)?.find((d) => d.version === def.version);
        if (!before) continue;
        for (const [field, f] of Object.entries(def.fields)) {
          const t = objectFieldTarget(f.type);
          if (!t || !before.fields[field]) continue;
          const ca = a.manifest[t.objName];
          const cb = b.manifest[t.objName];
          if (!ca || !cb || ca === cb) continue;
          const manifestEra = b.era === 'ovo-manifest';
          report(
            ctx,
            def,
            b.label,
            field,
            `${name} stayed at ${def.version} from ${a.label} to ${b.label} while its ${field} child ${t.objName} went from ${ca} to ${cb}${manifestEra ? ' (manifest backports cover it; no relationship entry to add)' : ': bump the parent and map the new child version'}`,
            'child-bump-without-parent-bump',
            manifestEra ? 'info' : 'error',
          );
        }
      }
    }
  }
}

export function checkRelationships(h: ObjectsHistory, findings: FindingSet): void {
  const ctx: Ctx = { h, findings };
  const revs = [...h.releases];
  if (!revs.some((r) => r.commit !== undefined && r.commit === h.current.commit)) revs.push(h.current);
  for (const rel of revs) checkRelease(ctx, rel);
  checkParentBumps(ctx, revs);
}
