/**
 * Check 4, version-bump: across the walked revisions (release tags and the code under test), a
 * version number that carried two different schemas (fields, their types, remotable signatures,
 * list child_versions) is a change without a version bump, or a version number reused; between
 * `--base` and the code under test the same; a bump whose schema, relationships and children did
 * not change at all is a warning (behaviour changes may justify it).
 */
import { type HistoricalManifest, schemaDifferences, schemaKeyOf } from '../../history/history-walk.js';
import type { ObjectVersionDef } from '../../objects/model.js';
import { compareVersions, majorOf } from '../../objects/versions.js';
import type { ObjectsHistory, Release } from './history-source.js';
import { type FindingSet, objectFinding } from './types.js';

function fileOf(def: ObjectVersionDef): { file: string; line?: number } {
  return { file: def.source?.file ?? '', ...(def.source?.line ? { line: def.source.line } : {}) };
}

/** Same version number, different schema, somewhere in the walked history. */
function reusedVersions(manifest: HistoricalManifest, findings: FindingSet): void {
  for (const [name, byVersion] of Object.entries(manifest.objects)) {
    for (const vh of Object.values(byVersion)) {
      for (const change of vh.schemaChanges) {
        const revisited = vh.variants.filter((v) => v.firstSeen !== change.revision).length > 1;
        findings.add(
          objectFinding({
            check: 'version-bump',
            object: name,
            version: vh.version,
            field: change.changes.find((c) => c.startsWith('field '))?.split(' ')[1],
            revision: change.revision,
            message: `${name} ${vh.version} changed between ${change.previous} and ${change.revision} without a version bump: ${change.changes.join(', ') || 'schema changed'}${revisited ? ' (the version number now names several schemas)' : ''}`,
            ...fileOf(vh.def),
            data: { kind: 'change-without-bump', previous: change.previous, changes: change.changes },
          }),
          `reuse:${change.revision}`,
        );
      }
    }
  }
}

/** Consecutive known versions with the same schema, relationships and children. */
function emptyBumps(h: ObjectsHistory, findings: FindingSet): void {
  if (!h.manifest) return;
  for (const [name, byVersion] of Object.entries(h.manifest.objects)) {
    const versions = Object.keys(byVersion).sort(compareVersions);
    for (let i = 1; i < versions.length; i++) {
      const a = byVersion[versions[i - 1] as string];
      const b = byVersion[versions[i] as string];
      if (!a || !b || majorOf(a.version) !== majorOf(b.version)) continue;
      const first = b.variants[0]?.def ?? b.def;
      if (schemaKeyOf(a.def) !== schemaKeyOf(first)) continue;
      if (JSON.stringify(a.def.relationships) !== JSON.stringify(first.relationships)) continue;
      const childChanged = Object.entries(first.fields).some(([field]) => {
        const ca = a.childVersionsSeen[field] ?? [];
        const cb = b.childVersionsSeen[field] ?? [];
        return cb.some((v) => !ca.includes(v));
      });
      if (childChanged) continue;
      // Only consecutive minors: a gap means unobserved versions in between that may have changed.
      const [amaj, amin] = a.version.split('.').map(Number);
      const [bmaj, bmin] = b.version.split('.').map(Number);
      if (amaj !== bmaj || (bmin as number) !== (amin as number) + 1) continue;
      findings.add(
        objectFinding({
          check: 'version-bump',
          severity: 'warning',
          object: name,
          version: b.version,
          targetVersion: a.version,
          revision: b.firstSeen,
          message: `${name} ${b.version} (first at ${b.firstSeen}) has the same fields, remotable signatures and children as ${a.version}: a bump with no schema change (fine if behaviour changed; say so in the version comment)`,
          ...fileOf(first),
          data: { kind: 'bump-without-change' },
        }),
        'empty-bump',
      );
    }
  }
}

/** `--base` against the code under test. */
function againstBase(base: Release, current: Release, findings: FindingSet): void {
  for (const [name, defs] of current.defs) {
    const baseDefs = base.defs.get(name) ?? [];
    for (const def of defs) {
      const same = baseDefs.find((d) => d.version === def.version);
      if (same && schemaKeyOf(same) !== schemaKeyOf(def)) {
        findings.add(
          objectFinding({
            check: 'version-bump',
            object: name,
            version: def.version,
            revision: current.label,
            field: schemaDifferences(same, def)
              .find((c) => c.startsWith('field '))
              ?.split(' ')[1],
            message: `${name} ${def.version} changed since ${base.label} without a version bump: ${schemaDifferences(same, def).join(', ')}`,
            ...fileOf(def),
            data: {
              kind: 'change-without-bump',
              previous: base.label,
              changes: schemaDifferences(same, def),
            },
          }),
          'base',
        );
      }
      const newestBase = baseDefs.find((d) => majorOf(d.version) === majorOf(def.version));
      if (newestBase && compareVersions(def.version, newestBase.version) < 0) {
        findings.add(
          objectFinding({
            check: 'version-bump',
            object: name,
            version: def.version,
            targetVersion: newestBase.version,
            revision: current.label,
            message: `${name} went back from ${newestBase.version} at ${base.label} to ${def.version}`,
            ...fileOf(def),
            data: { kind: 'version-decreased' },
          }),
          'decrease',
        );
      }
    }
  }
}

export function checkVersionBumps(h: ObjectsHistory, findings: FindingSet): void {
  if (h.manifest) reusedVersions(h.manifest, findings);
  emptyBumps(h, findings);
  if (h.base) againstBase(h.base, h.current, findings);
}
