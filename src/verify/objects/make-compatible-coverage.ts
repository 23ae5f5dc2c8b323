/**
 * Check 5, make-compatible-coverage (static): for every field an object gained after version v
 * (known from history), its `obj_make_compatible` must drop, convert, refuse or (for a child
 * object) backport it for targets below the version that added it. The base class only covers
 * object fields through `obj_relationships` (before the first entry), never scalar fields and
 * never anything under a manifest. Also reports drops of fields no version ever had and drops
 * that start above the version that added the field (data a peer could hold is thrown away).
 */
import type { MakeCompatibleAction, ObjectVersionDef } from '../../objects/model.js';
import { objectFieldTarget } from '../../objects/model.js';
import { compareVersions, majorOf } from '../../objects/versions.js';
import type { ObjectsHistory } from './history-source.js';
import { type FindingSet, objectFinding } from './types.js';

type FieldAction = Extract<MakeCompatibleAction, { field: string }>;

function fieldActions(def: ObjectVersionDef, field: string): FieldAction[] {
  return def.makeCompatible.filter((a): a is FieldAction => 'field' in a && a.field === field);
}

/** Does unrecognised compat code mention the field (a loop, a helper call)? */
function mentionedOpaquely(def: ObjectVersionDef, field: string): boolean {
  const re = new RegExp(`['"]${field}['"]|\\b${field}\\b`);
  return def.makeCompatible.some(
    (a) =>
      (a.kind === 'unrecognised' && re.test(a.text)) ||
      (a.kind === 'convert-field' && a.how.op === 'opaque' && re.test(a.how.text)),
  );
}

export interface AddedField {
  field: string;
  /** Newest known version without the field. */
  lastWithout: string;
  /** Oldest known version with it (the field was added in (lastWithout, addedBy]). */
  addedBy: string;
}

/** Fields of `def` that some older known version of the same major lacked. */
export function fieldsAddedAfter(h: ObjectsHistory, def: ObjectVersionDef): AddedField[] {
  const byVersion = h.versions.get(def.name);
  if (!byVersion) return [];
  const older = [...byVersion.values()]
    .filter((e) => majorOf(e.version) === majorOf(def.version) && compareVersions(e.version, def.version) < 0)
    .sort((a, b) => compareVersions(a.version, b.version));
  const out: AddedField[] = [];
  for (const field of Object.keys(def.fields)) {
    let lastWithout: string | undefined;
    for (const e of older) if (!Object.hasOwn(e.def.fields, field)) lastWithout = e.version;
    if (!lastWithout) continue;
    const addedBy =
      older.find(
        (e) => compareVersions(e.version, lastWithout as string) > 0 && Object.hasOwn(e.def.fields, field),
      )?.version ?? def.version;
    out.push({ field, lastWithout, addedBy });
  }
  return out;
}

function coveredByRelationships(def: ObjectVersionDef, field: string, added: AddedField): boolean {
  const rels = def.relationships[field];
  if (!rels || rels.length === 0) return false;
  const first = rels[0]?.[0] as string;
  return compareVersions(first, added.lastWithout) > 0 && compareVersions(first, added.addedBy) <= 0;
}

export function checkMakeCompatibleCoverage(
  h: ObjectsHistory,
  defs: { def: ObjectVersionDef; revision: string }[],
  findings: FindingSet,
): void {
  for (const { def, revision } of defs) {
    const file = def.source?.file ?? '';
    const line = def.source?.line;
    const base = {
      check: 'make-compatible-coverage' as const,
      object: def.name,
      version: def.version,
      revision,
      file,
      ...(line ? { line } : {}),
    };
    for (const added of fieldsAddedAfter(h, def)) {
      const f = def.fields[added.field];
      const isObject = f ? objectFieldTarget(f.type) !== undefined : false;
      if (isObject && def.era !== 'ovo-manifest' && coveredByRelationships(def, added.field, added)) continue;
      const actions = fieldActions(def, added.field).filter((a) => a.belowVersion !== undefined);
      const covering = actions.filter(
        (a) => compareVersions(a.belowVersion as string, added.lastWithout) > 0,
      );
      const exact = covering.find((a) => compareVersions(a.belowVersion as string, added.addedBy) <= 0);
      if (exact) continue;
      const over = covering[0];
      if (over) {
        findings.add(
          objectFinding({
            ...base,
            severity: 'warning',
            field: added.field,
            targetVersion: added.addedBy,
            message: `${def.name} ${def.version} at ${revision} drops ${added.field} for targets below ${over.belowVersion}, but ${added.addedBy} already has it: a peer at ${added.addedBy} loses the value`,
            data: { kind: 'drop-too-high', belowVersion: over.belowVersion, addedBy: added.addedBy },
          }),
          'drop-too-high',
        );
        continue;
      }
      const under = actions.find((a) => compareVersions(a.belowVersion as string, added.lastWithout) <= 0);
      const opaque = mentionedOpaquely(def, added.field);
      findings.add(
        objectFinding({
          ...base,
          severity: opaque ? 'warning' : 'error',
          field: added.field,
          targetVersion: added.lastWithout,
          message: under
            ? `${def.name} ${def.version} at ${revision} drops ${added.field} only below ${under.belowVersion}, but ${added.lastWithout} lacks it too: a backlevel to ${added.lastWithout} leaks it (should be below ${added.addedBy})`
            : `${def.name} ${def.version} at ${revision}: ${added.field} was added after ${added.lastWithout} (present by ${added.addedBy}) but obj_make_compatible never drops it for older targets${isObject && def.era === 'ovo-manifest' ? ' (manifest backports keep object fields the target lacked)' : ''}${opaque ? '; it is named in compat code the checker cannot read, verify by hand or with --python' : ''}`,
          data: {
            kind: under ? 'drop-too-low' : 'missing-drop',
            lastWithout: added.lastWithout,
            addedBy: added.addedBy,
          },
        }),
        'missing',
      );
    }
    // Drops of fields no known version ever had.
    const everHad = new Set<string>();
    for (const e of h.versions.get(def.name)?.values() ?? [])
      for (const k of Object.keys(e.def.fields)) everHad.add(k);
    for (const k of Object.keys(def.fields)) everHad.add(k);
    for (const a of def.makeCompatible) {
      if (!('field' in a) || everHad.has(a.field)) continue;
      if (a.kind === 'convert-field' && a.how.op === 'rename') continue;
      findings.add(
        objectFinding({
          ...base,
          severity: 'warning',
          field: a.field,
          message: `${def.name} ${def.version} at ${revision}: obj_make_compatible ${a.kind === 'drop-field' ? 'drops' : 'handles'} '${a.field}', a field no version of ${def.name} ever had (a typo leaves the real field in the primitive)`,
          data: { kind: 'unknown-field' },
        }),
        'unknown-field',
      );
    }
  }
}
