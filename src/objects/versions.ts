/**
 * Object version strings as oslo_utils.versionutils treats them: 'X.Y' or 'X.Y.Z' compared as
 * integer tuples ('1.10' > '1.9'; '1.5' < '1.5.0' because a shorter tuple prefix sorts first).
 */
import { PyValueError } from './errors.js';

export type VersionTuple = readonly number[];

/** Parsed versions (a run compares a few hundred distinct strings millions of times). */
const tupleCache = new Map<string, VersionTuple>();

/** `versionutils.convert_version_to_tuple`: strips a trailing pre-release tag, then int() each part. */
export function convertVersionToTuple(version: string): VersionTuple {
  let tuple = tupleCache.get(version);
  if (tuple === undefined) {
    tuple = Object.freeze(parseVersionTuple(version));
    if (tupleCache.size < 100_000) tupleCache.set(version, tuple);
  }
  return tuple;
}

function parseVersionTuple(version: string): number[] {
  const stripped = version.replace(/(\d+)(a|alpha|b|beta|rc)\d+$/, '$1');
  return stripped.split('.').map((part) => {
    const text = part.trim();
    if (!/^[+-]?\d+(?:_\d+)*$/.test(text)) {
      throw new PyValueError(`invalid literal for int() with base 10: '${part}'`);
    }
    return Number.parseInt(text.replaceAll('_', ''), 10);
  });
}

/** Python tuple ordering: negative, zero or positive. */
export function compareTuples(a: VersionTuple, b: VersionTuple): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compareVersions(a: string, b: string): number {
  return compareTuples(convertVersionToTuple(a), convertVersionToTuple(b));
}

export function versionLessThan(a: string, b: string): boolean {
  return compareVersions(a, b) < 0;
}

/**
 * `versionutils.is_compatible(requested, current, same_major=True)`: same major version and
 * current >= requested.
 */
export function isCompatible(requested: string, current: string, sameMajor = true): boolean {
  const req = convertVersionToTuple(requested);
  const cur = convertVersionToTuple(current);
  if (sameMajor && req[0] !== cur[0]) return false;
  return compareTuples(cur, req) >= 0;
}

/** Major component of a version string. */
export function majorOf(version: string): number {
  return convertVersionToTuple(version)[0] as number;
}

/** Sort version strings newest first (tuple order). */
export function sortVersionsDescending(versions: Iterable<string>): string[] {
  return [...versions].sort((a, b) => compareVersions(b, a));
}

/** '1.4' -> ['1.0', '1.1', '1.2', '1.3', '1.4']: every minor of the same major up to the version. */
export function minorsUpTo(version: string): string[] {
  const t = convertVersionToTuple(version);
  const major = t[0] as number;
  const minor = t[1] ?? 0;
  const out: string[] = [];
  for (let m = 0; m <= minor; m++) out.push(`${major}.${m}`);
  return out;
}
