/**
 * The base-class semantics a Nova tree ran under ("eras"). Each era is a set of switches the
 * runtime consults; presets reproduce the code at the tags named below, and every switch can be
 * overridden (for example to model Kilo before dddd37d091, or OVO before 1.17.0).
 *
 * - nova-2014 (2014.1, 2014.2; Havana has no obj_make_compatible and is treated alike): Nova's own
 *   base, a no-op `obj_make_compatible`, hand-written child backports, lists by
 *   `child_versions.get(target, '1.0')` (exact string key).
 * - nova-kilo (2015.1.x): the base walks `obj_relationships`; a set object field with no rule
 *   raises "No rule for"; after dddd37d091 a target beyond every entry gives the last child
 *   version. Lists still use child_versions.
 * - ovo-liberty (12.0.x): oslo.versionedobjects' base with Nova overrides; lists through
 *   obj_relationships; manifests exist (conductor backports) but the early OVO releases Liberty
 *   ran with skipped the compat step when the top-level target equalled VERSION.
 * - ovo-manifest (13.0.0 to master): plain OVO; no obj_relationships left, backports are
 *   manifest-only; a list with no rule backports children to '1.0', an object field with no rule
 *   and no manifest raises "No rule for".
 */

export type EraName = 'nova-2014' | 'nova-kilo' | 'ovo-liberty' | 'ovo-manifest';

export const ERA_NAMES: readonly EraName[] = ['nova-2014', 'nova-kilo', 'ovo-liberty', 'ovo-manifest'];

export interface EraConfig {
  name: EraName;
  /**
   * When `obj_to_primitive` runs the compat step: 'target-given' (`if target_version:`, Nova before
   * OVO and OVO 0.1.0), 'target-differs' (`target != VERSION`), 'target-differs-or-manifest'
   * (OVO 0.11.0+, e8a7589).
   */
  compatTrigger: 'target-given' | 'target-differs' | 'target-differs-or-manifest';
  /** `InvalidTargetVersion` for a target above VERSION (OVO 0.8.0+). */
  rejectNewerTarget: boolean;
  /**
   * What the base `obj_make_compatible` does with set ObjectField/ListOfObjectsField fields:
   * 'none' (2014), 'kilo' (Nova's obj_calculate_child_version), 'ovo' (_get_subobject_version).
   */
  objectFieldRule: 'none' | 'kilo' | 'ovo';
  /** Kilo after dddd37d091: a target beyond every entry gives the last child version. */
  kiloLastMappingBeyondRange: boolean;
  /** Kilo after dddd37d091: no child compat call when the child primitive is already at the version. */
  kiloSkipSameVersion: boolean;
  /** Kilo before the `is None` fix: `if not obj: return` also skips empty lists and empty list objects. */
  skipFalsyChild: boolean;
  /** Lists: 'child-versions-exact' (`child_versions.get(target, '1.0')`) or 'ovo'. */
  listRule: 'child-versions-exact' | 'ovo';
  /** OVO lists consult the manifest (OVO 0.11.0, 6d57394). */
  listsUseManifest: boolean;
  /** `obj_to_primitive(..., version_manifest=...)` exists. */
  manifestSupported: boolean;
  /** `changes` filtered to keys still in `data` and omitted when empty (OVO 1.17.0, 39a057b). */
  filterChanges: boolean;
  /** IncompatibleObjectVersion's message includes ", supported version is X" (OVO). */
  incompatibleMessageIncludesSupported: boolean;
  /** ObjectListBase.__init__ sets `objects = []` (7497d6e27f, 2014.2). */
  listInitialisesObjects: boolean;
  /** `read_only` fields refuse a second, different value. */
  readOnlyEnforced: boolean;
  serialNamespace: string;
  projectNamespace: string;
}

const COMMON = { serialNamespace: 'nova_object', projectNamespace: 'nova' } as const;

export const ERAS: Record<EraName, EraConfig> = {
  'nova-2014': {
    name: 'nova-2014',
    compatTrigger: 'target-given',
    rejectNewerTarget: false,
    objectFieldRule: 'none',
    kiloLastMappingBeyondRange: false,
    kiloSkipSameVersion: false,
    skipFalsyChild: true,
    listRule: 'child-versions-exact',
    listsUseManifest: false,
    manifestSupported: false,
    filterChanges: false,
    incompatibleMessageIncludesSupported: false,
    listInitialisesObjects: true,
    readOnlyEnforced: true,
    ...COMMON,
  },
  'nova-kilo': {
    name: 'nova-kilo',
    compatTrigger: 'target-given',
    rejectNewerTarget: false,
    objectFieldRule: 'kilo',
    kiloLastMappingBeyondRange: true,
    kiloSkipSameVersion: true,
    skipFalsyChild: false,
    listRule: 'child-versions-exact',
    listsUseManifest: false,
    manifestSupported: false,
    filterChanges: false,
    incompatibleMessageIncludesSupported: false,
    listInitialisesObjects: true,
    readOnlyEnforced: true,
    ...COMMON,
  },
  'ovo-liberty': {
    name: 'ovo-liberty',
    compatTrigger: 'target-differs',
    rejectNewerTarget: true,
    objectFieldRule: 'ovo',
    kiloLastMappingBeyondRange: false,
    kiloSkipSameVersion: false,
    skipFalsyChild: false,
    listRule: 'ovo',
    listsUseManifest: false,
    manifestSupported: true,
    filterChanges: false,
    incompatibleMessageIncludesSupported: true,
    listInitialisesObjects: true,
    readOnlyEnforced: true,
    ...COMMON,
  },
  'ovo-manifest': {
    name: 'ovo-manifest',
    compatTrigger: 'target-differs-or-manifest',
    rejectNewerTarget: true,
    objectFieldRule: 'ovo',
    kiloLastMappingBeyondRange: false,
    kiloSkipSameVersion: false,
    skipFalsyChild: false,
    listRule: 'ovo',
    listsUseManifest: true,
    manifestSupported: true,
    filterChanges: true,
    incompatibleMessageIncludesSupported: true,
    listInitialisesObjects: true,
    readOnlyEnforced: true,
    ...COMMON,
  },
};

/** An era preset with some switches overridden. */
export function eraConfig(name: EraName, overrides: Partial<Omit<EraConfig, 'name'>> = {}): EraConfig {
  return { ...ERAS[name], ...overrides };
}

export function isEraName(s: string): s is EraName {
  return (ERA_NAMES as readonly string[]).includes(s);
}

/** Facts about a tree's `nova/objects` the era can be told from. */
export interface EraFacts {
  /** nova/objects/base.py imports oslo_versionedobjects. */
  importsOsloVersionedObjects: boolean;
  /** Some object defines a non-empty `obj_relationships`. */
  hasObjRelationships: boolean;
  /** Some list object defines a non-empty `child_versions`. */
  hasChildVersions: boolean;
  /** The base class defines `obj_make_compatible` (false before 2014.1: Havana). */
  baseHasObjMakeCompatible?: boolean;
}

/**
 * Era from code facts, unless `override` names one. OVO base: relationships still present means
 * the Liberty transition, none means manifest-only. Nova's own base: relationships mean Kilo;
 * otherwise 2014 (child_versions or not).
 */
export function detectEra(facts: EraFacts, override?: EraName): EraName {
  if (override) return override;
  if (facts.importsOsloVersionedObjects) return facts.hasObjRelationships ? 'ovo-liberty' : 'ovo-manifest';
  if (facts.hasObjRelationships) return 'nova-kilo';
  return 'nova-2014';
}

/** Era of a Nova release tag ('2014.2', '2015.1.0', '12.0.0', '13.0.0', '29.0.0'...). */
export function eraForNovaTag(tag: string): EraName | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(tag);
  if (!m) return undefined;
  const major = Number.parseInt(m[1] as string, 10);
  if (major === 2013 || major === 2014) return 'nova-2014';
  if (major === 2015) return 'nova-kilo';
  if (major === 12) return 'ovo-liberty';
  if (major >= 13 && major < 2013) return 'ovo-manifest';
  return undefined;
}
