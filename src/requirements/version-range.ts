/**
 * Version-range helpers for the pin checker: which known versions a specifier set (or a group of
 * requirement lines) allows, the lowest allowed one, and the lower bound of a set in general.
 *
 * Semantics (see specifier.ts): clauses are ANDed; `===` is a string match; `!=` excludes (also
 * `!=X.*`); `~=X.Y` means `>=X.Y,==X.*`; pre-releases follow PEP 440 unless `prereleases` is given.
 */
import { evaluateMarker, type Marker, type MarkerEnvironment } from './markers.js';
import {
  compareVersions,
  filterVersions,
  parseVersion,
  type SpecifierClause,
  type SpecifierOptions,
  sortVersions,
  specifierClauses,
  specifierContains,
} from './specifier.js';

export type { SpecifierOptions } from './specifier.js';

/** A specifier given as text (`>=0.1.1,!=0.2.0`) or as parsed clauses. */
export type SpecifierInput = string | readonly SpecifierClause[];

/** Whether `version` satisfies the set (no fallback to pre-releases: see SpecifierOptions). */
export function satisfies(
  version: string,
  specifier: SpecifierInput,
  options: SpecifierOptions = {},
): boolean {
  return specifierContains(specifier, version, options);
}

/**
 * The known versions the set allows, ascending by PEP 440, duplicates removed. With `prereleases`
 * undefined, pre-releases are returned if the set names one, or if nothing else satisfies it.
 */
export function whichVersionsSatisfy(
  specifier: SpecifierInput,
  knownVersions: readonly string[],
  options: SpecifierOptions = {},
): string[] {
  return sortVersions([...new Set(filterVersions(specifier, knownVersions, options))]);
}

/** The lowest known version the set allows, or null. */
export function lowestSatisfying(
  specifier: SpecifierInput,
  knownVersions: readonly string[],
  options: SpecifierOptions = {},
): string | null {
  return whichVersionsSatisfy(specifier, knownVersions, options)[0] ?? null;
}

/** The highest known version the set allows, or null. */
export function highestSatisfying(
  specifier: SpecifierInput,
  knownVersions: readonly string[],
  options: SpecifierOptions = {},
): string | null {
  return whichVersionsSatisfy(specifier, knownVersions, options).at(-1) ?? null;
}

/** A lower bound: `version` itself allowed (`inclusive`) or only what is above it. */
export interface MinimumBound {
  readonly version: string;
  readonly inclusive: boolean;
  /** The clause that sets it, e.g. `>=0.3.1`. */
  readonly clause: string;
}

/**
 * The lower bound of a set without a list of versions: the highest of the bounds given by `>=`, `>`,
 * `==` (also `==X.*`: `X`), `===`, `~=` clauses; null if nothing bounds it from below (`''`, `<2`,
 * `!=1.0`). A `!=V` clause on an inclusive bound V makes it exclusive. `===` on a string that is not a
 * PEP 440 version is returned as is (inclusive).
 */
export function minimumBound(specifier: SpecifierInput): MinimumBound | null {
  const clauses = specifierClauses(specifier);
  let best: MinimumBound | null = null;
  for (const c of clauses) {
    if (!['>=', '>', '==', '===', '~='].includes(c.operator)) continue;
    if (c.operator === '===' && !parseVersion(c.version)) {
      if (!best) best = { version: c.version, inclusive: true, clause: c.text };
      continue;
    }
    const candidate: MinimumBound = { version: c.version, inclusive: c.operator !== '>', clause: c.text };
    if (!best || !parseVersion(best.version)) {
      best = candidate;
      continue;
    }
    const order = compareVersions(candidate.version, best.version);
    if (order > 0 || (order === 0 && !candidate.inclusive)) best = candidate;
  }
  if (best?.inclusive && parseVersion(best.version)) {
    const bound = best;
    const excluded = clauses.some(
      (c) => c.operator === '!=' && !c.wildcard && compareVersions(c.version, bound.version) === 0,
    );
    if (excluded) best = { ...bound, inclusive: false };
  }
  return best;
}

/** The exact version a set pins (`==V` without `.*`, or `===V`), or null. */
export function pinnedVersion(specifier: SpecifierInput): string | null {
  const pin = specifierClauses(specifier).find(
    (c) => c.operator === '===' || (c.operator === '==' && !c.wildcard),
  );
  return pin ? pin.version : null;
}

/** The versions a set excludes with `!=` (wildcards as `X.*`). */
export function excludedVersions(specifier: SpecifierInput): string[] {
  return specifierClauses(specifier)
    .filter((c) => c.operator === '!=')
    .map((c) => (c.wildcard ? `${c.version}.*` : c.version));
}

/** The part of a requirement line the helpers below need (RequirementEntry fits). */
export interface VersionedRequirement {
  readonly specifier: string;
  readonly marker?: Marker | null;
  readonly normalizedName?: string;
  /** Read through `-c`: restricts versions but does not make the project required. */
  readonly constraint?: boolean;
}

/** The lowest known version one requirement line allows (its marker is not consulted), or null. */
export function minimumAllowed(
  entry: VersionedRequirement,
  knownVersions: readonly string[],
  options: SpecifierOptions = {},
): string | null {
  return lowestSatisfying(entry.specifier, knownVersions, options);
}

export interface AllowedVersions<E extends VersionedRequirement> {
  /** Known versions allowed by every applicable line, ascending. */
  readonly versions: string[];
  /** `versions[0]`, or null when no known version is allowed (or none is known). */
  readonly minimum: string | null;
  /** Lines whose marker holds in the environment (requirements and constraints). */
  readonly applicable: E[];
  /** Lines whose marker does not hold. */
  readonly skipped: E[];
  /** Whether some applicable line is a requirement (not only constraints). */
  readonly required: boolean;
}

/**
 * Intersect the lines for one project (e.g. `findRequirements(set, 'os-xenapi')`, requirements and
 * constraints together) in an environment: lines whose marker does not hold are skipped, the others
 * are ANDed. With no applicable line every known version is allowed (`required` false).
 * Throws a TypeError if the lines name different projects.
 */
export function allowedVersions<E extends VersionedRequirement>(
  entries: readonly E[],
  knownVersions: readonly string[],
  env: Partial<MarkerEnvironment> = {},
  options: SpecifierOptions = {},
): AllowedVersions<E> {
  const names = new Set(entries.map((e) => e.normalizedName).filter((n) => n !== undefined));
  if (names.size > 1)
    throw new TypeError(`allowedVersions: lines for several projects: ${[...names].join(', ')}`);
  const applicable: E[] = [];
  const skipped: E[] = [];
  for (const e of entries) {
    if (!e.marker || evaluateMarker(e.marker, env)) applicable.push(e);
    else skipped.push(e);
  }
  const clauses = applicable.flatMap((e) => specifierClauses(e.specifier));
  const versions = whichVersionsSatisfy(clauses, knownVersions, options);
  return {
    versions,
    minimum: versions[0] ?? null,
    applicable,
    skipped,
    required: applicable.some((e) => !e.constraint),
  };
}
