/**
 * PEP 440 versions and version specifier sets.
 *
 * Parsing, validation and version ordering come from `@renovatebot/pep440` (4.2). Containment is
 * implemented here, following the PyPA `packaging` library (`Specifier` / `SpecifierSet`), because the
 * library's `satisfies` differs from it in a few places that matter for pin checking:
 *
 * - pre-releases: a set such as `>=1.0b1,<2.0` allows pre-releases as a whole (packaging); the library
 *   decides per clause, so `<2.0` rejects `1.0b2`;
 * - exclusive `<V`: only pre-releases of V itself are excluded (`<2.0rc2` admits `2.0rc1`, `<1.0.post1`
 *   admits `1.0rc1`);
 * - exclusive `>V`: post-releases of V (unless V is a post-release) and local versions of V are excluded,
 *   not those of other versions (`>1.0rc1` admits `1.0.post1` and `1.0+local`);
 * - epochs are honoured by `<`/`>` (`1.0 < 1!0.5`).
 *
 * `===` (arbitrary equality) is a case-insensitive string comparison, never a version comparison, so
 * `===1.0` does not admit `1.0.0`, and `===foo-bar` works although `foo-bar` is no PEP 440 version.
 */
import { compare as pepCompare, explain as pepExplain } from '@renovatebot/pep440';
import { parse as pepParseSpecifier } from '@renovatebot/pep440/lib/specifier.js';

export type SpecifierOperator = '===' | '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>';

/** One clause of a specifier set, e.g. `>=0.1.1` or `==1.4.*`. */
export interface SpecifierClause {
  readonly operator: SpecifierOperator;
  /** The version as written, without a trailing `.*` (`1.4` for `==1.4.*`). */
  readonly version: string;
  /** `==X.*` / `!=X.*` prefix match. */
  readonly wildcard: boolean;
  /** Normalized clause text without whitespace, e.g. `>=0.1.1`, `==1.4.*`. */
  readonly text: string;
}

/** A parsed PEP 440 version (normalized strings, numeric parts). */
export interface VersionInfo {
  readonly epoch: number;
  readonly release: readonly number[];
  /** `['a'|'b'|'rc', n]` or null. */
  readonly pre: readonly [string, number] | null;
  readonly post: number | null;
  readonly dev: number | null;
  readonly local: string | null;
  /** Normalized version without the local part, e.g. `1!2.0rc1.post2.dev3`. */
  readonly public: string;
  /** Epoch and release only, e.g. `1!2.0`. */
  readonly baseVersion: string;
  readonly isPrerelease: boolean;
  readonly isDevrelease: boolean;
  readonly isPostrelease: boolean;
}

/** Options for containment: `prereleases` undefined = the PEP 440 default. */
export interface SpecifierOptions {
  /**
   * `true`: pre-releases (and dev releases) are admitted; `false`: never admitted; `undefined`
   * (default): admitted only if the set itself names a pre-release in a clause other than `!=` (see
   * specifierAllowsPrereleases). filterVersions additionally falls back to pre-releases when nothing
   * else matches; specifierContains does not (it answers for one version on its own, as packaging did
   * before 25.0 and `@renovatebot/pep440` does).
   */
  readonly prereleases?: boolean;
}

export type SpecifierParseResult =
  | { readonly ok: true; readonly clauses: readonly SpecifierClause[] }
  | {
      readonly ok: false;
      readonly message: string;
      /** The offending clause as written. */
      readonly clause: string;
      /** 0-based offset of the offending clause in the input. */
      readonly offset: number;
    };

const OPERATORS: readonly SpecifierOperator[] = ['===', '~=', '==', '!=', '<=', '>=', '<', '>'];

/** Parse a PEP 440 version; null if it is not one. Accepts the usual non-normalized spellings. */
export function parseVersion(version: string): VersionInfo | null {
  const trimmed = version.trim();
  if (trimmed === '') return null;
  const info = pepExplain(trimmed);
  if (!info) return null;
  // The library's typings say arrays for post/dev; at runtime explain() returns numbers or null.
  const raw = info as unknown as {
    pre: [string, number] | null;
    post: number | null | undefined;
    dev: number | null | undefined;
  };
  return {
    epoch: info.epoch,
    release: info.release,
    pre: raw.pre ?? null,
    post: raw.post ?? null,
    dev: raw.dev ?? null,
    local: info.local ?? null,
    public: info.public,
    baseVersion: info.base_version,
    isPrerelease: info.is_prerelease,
    isDevrelease: info.is_devrelease,
    isPostrelease: info.is_postrelease,
  };
}

export function isValidVersion(version: string): boolean {
  return parseVersion(version) !== null;
}

/** Normalized form of a version (`1.0-RC1` → `1.0rc1`), or null if invalid. */
export function normalizeVersion(version: string): string | null {
  const info = parseVersion(version);
  if (!info) return null;
  return info.local ? `${info.public}+${info.local}` : info.public;
}

/** PEP 440 ordering. Throws a TypeError naming the value if either side is not a valid version. */
export function compareVersions(a: string, b: string): number {
  for (const v of [a, b]) {
    if (!isValidVersion(v)) throw new TypeError(`not a PEP 440 version: '${v}'`);
  }
  return Math.sign(pepCompare(a.trim(), b.trim()));
}

/** Valid versions sorted ascending by PEP 440; strings that are no version follow in input order. */
export function sortVersions(versions: readonly string[]): string[] {
  const valid = versions.filter(isValidVersion);
  const invalid = versions.filter((v) => !isValidVersion(v));
  return [...valid.sort(compareVersions), ...invalid];
}

/**
 * Parse a comma-separated specifier set (`>=0.1.1, !=0.2.0`). The empty string is the empty set (any
 * version). Clause validity is decided by `@renovatebot/pep440` (e.g. `~=1` and `>=1.0.*` are invalid).
 */
export function parseSpecifierSet(text: string): SpecifierParseResult {
  if (text.trim() === '') return { ok: true, clauses: [] };
  const clauses: SpecifierClause[] = [];
  let offset = 0;
  for (const part of text.split(',')) {
    const clauseOffset = offset + (part.length - part.trimStart().length);
    offset += part.length + 1;
    const trimmed = part.trim();
    const fail = (message: string): SpecifierParseResult => ({
      ok: false,
      message,
      clause: trimmed,
      offset: clauseOffset,
    });
    if (trimmed === '') return fail('empty clause in specifier set');
    const operator = OPERATORS.find((op) => trimmed.startsWith(op));
    if (!operator) return fail(`specifier clause '${trimmed}' has no comparison operator`);
    const rest = trimmed.slice(operator.length).trim();
    if (rest === '') return fail(`specifier clause '${trimmed}' has no version`);
    const wildcard = (operator === '==' || operator === '!=') && rest.endsWith('.*');
    const version = wildcard ? rest.slice(0, -2) : rest;
    const parsed = pepParseSpecifier(`${operator}${rest}`) as unknown as unknown[] | null;
    if (parsed?.length !== 1) {
      return fail(`invalid version specifier '${trimmed}'${explainInvalid(operator, rest)}`);
    }
    clauses.push({ operator, version, wildcard, text: `${operator}${version}${wildcard ? '.*' : ''}` });
  }
  return { ok: true, clauses };
}

function explainInvalid(operator: SpecifierOperator, rest: string): string {
  if (/[<>=!~]/.test(rest)) return ' (several operators in one clause: missing comma?)';
  if (operator === '~=' && /^\d+$/.test(rest)) return ' (~= needs at least two release segments)';
  if (rest.endsWith('.*')) return ` (.* is only allowed with == and !=)`;
  if (rest.includes('+') && operator !== '==' && operator !== '!=' && operator !== '===') {
    return ' (local versions are only allowed with ==, != and ===)';
  }
  if (operator !== '===') return ' (not a PEP 440 version)';
  return '';
}

/** Like parseSpecifierSet but throws a SyntaxError. */
export function specifierClauses(specifier: string | readonly SpecifierClause[]): readonly SpecifierClause[] {
  if (typeof specifier !== 'string') return specifier;
  const result = parseSpecifierSet(specifier);
  if (!result.ok) throw new SyntaxError(`${result.message} in '${specifier}'`);
  return result.clauses;
}

/** Normalized text of a set: clauses joined by `,` in the order written. */
export function formatSpecifierSet(clauses: readonly SpecifierClause[]): string {
  return clauses.map((c) => c.text).join(',');
}

/**
 * Whether the set admits pre-releases by itself: some clause other than `!=` and `==X.*` names a
 * pre-release (`>=1.0b1`, `<2.0rc2`, `===1.0b1`), as in packaging 25+.
 */
export function specifierAllowsPrereleases(specifier: string | readonly SpecifierClause[]): boolean {
  return specifierClauses(specifier).some((c) => {
    if (c.operator === '!=' || c.wildcard) return false;
    return parseVersion(c.version)?.isPrerelease ?? false;
  });
}

/**
 * Whether `version` satisfies every clause. Pre-release gating: see SpecifierOptions. A string that is
 * not a PEP 440 version can only satisfy a set made of `===` clauses.
 */
export function specifierContains(
  specifier: string | readonly SpecifierClause[],
  version: string,
  options: SpecifierOptions = {},
): boolean {
  const clauses = specifierClauses(specifier);
  const prereleases = options.prereleases ?? specifierAllowsPrereleases(clauses);
  const info = parseVersion(version);
  if (info?.isPrerelease && !prereleases) return false;
  return clauses.every((clause) => clauseContains(clause, version, info));
}

function clauseContains(clause: SpecifierClause, version: string, info: VersionInfo | null): boolean {
  if (clause.operator === '===') return version.trim().toLowerCase() === clause.version.toLowerCase();
  if (!info) return false;
  const spec = parseVersion(clause.version);
  if (!spec) return false;
  const candidate = info.local ? `${info.public}+${info.local}` : info.public;
  switch (clause.operator) {
    case '==':
      return equalTo(clause, spec, info);
    case '!=':
      return !equalTo(clause, spec, info);
    case '<=':
      return pepCompare(info.public, spec.public) <= 0;
    case '>=':
      return pepCompare(info.public, spec.public) >= 0;
    case '<': {
      // "<V MUST NOT allow a pre-release of the specified version unless V is itself a pre-release":
      // anything from V.dev0 up is a pre-release of V (so `<1.0.post1` still admits `1.0rc1`).
      if (!(pepCompare(candidate, clause.version) < 0)) return false;
      if (spec.isPrerelease || !info.isPrerelease) return true;
      return pepCompare(candidate, `${spec.public}.dev0`) < 0;
    }
    case '>': {
      // ">V MUST NOT allow a post-release of V unless V is itself a post-release", nor a local version of V.
      if (!(pepCompare(candidate, clause.version) > 0)) return false;
      const postOfSpec = info.isPostrelease && pepCompare(postBase(info), spec.public) === 0;
      if (postOfSpec && !spec.isPostrelease) return false;
      return !(info.local !== null && pepCompare(info.public, spec.public) === 0);
    }
    case '~=': {
      if (pepCompare(info.public, spec.public) < 0) return false;
      const prefix = versionSplit(spec.public).filter(isNotSuffix).slice(0, -1);
      return prefixMatches(versionSplit(info.public), prefix);
    }
  }
}

/** The version a post-release is a post-release of: `1.0.post1` → `1.0`, `1.0a1.post0` → `1.0a1`. */
function postBase(v: VersionInfo): string {
  const epoch = v.epoch ? `${v.epoch}!` : '';
  return `${epoch}${v.release.join('.')}${v.pre ? `${v.pre[0]}${v.pre[1]}` : ''}`;
}

function equalTo(clause: SpecifierClause, spec: VersionInfo, info: VersionInfo): boolean {
  if (clause.wildcard) return prefixMatches(versionSplit(info.public), versionSplit(spec.public));
  if (spec.local !== null) {
    const candidate = info.local ? `${info.public}+${info.local}` : info.public;
    return pepCompare(candidate, clause.version) === 0;
  }
  return pepCompare(info.public, spec.public) === 0;
}

// `packaging.specifiers._version_split`: epoch, release numbers, then `0rc1` style pieces split apart.
function versionSplit(normalized: string): string[] {
  const bang = normalized.lastIndexOf('!');
  const epoch = bang >= 0 ? normalized.slice(0, bang) : '0';
  const rest = bang >= 0 ? normalized.slice(bang + 1) : normalized;
  const result = [epoch];
  for (const item of rest.split('.')) {
    const m = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/.exec(item);
    if (m) result.push(m[1]!, m[2]!);
    else result.push(item);
  }
  return result;
}

function isNotSuffix(segment: string): boolean {
  return !['dev', 'a', 'b', 'rc', 'post'].some((prefix) => segment.startsWith(prefix));
}

// `==X.*` semantics: pad the candidate's release with zeros to the prefix's length, then compare the
// leading segments (epoch included).
function prefixMatches(candidate: string[], prefix: string[]): boolean {
  const isDigits = (s: string) => /^[0-9]+$/.test(s);
  const leading = (xs: string[]) => {
    let n = 0;
    while (n < xs.length && isDigits(xs[n]!)) n += 1;
    return n;
  };
  const cLead = leading(candidate);
  const pLead = leading(prefix);
  const padded = [
    ...candidate.slice(0, cLead),
    ...Array<string>(Math.max(0, pLead - cLead)).fill('0'),
    ...candidate.slice(cLead),
  ];
  if (padded.length < prefix.length) return false;
  return prefix.every((segment, i) => {
    const other = padded[i]!;
    return isDigits(segment) && isDigits(other) ? Number(segment) === Number(other) : segment === other;
  });
}

/**
 * The versions (in input order) that satisfy the set. With `prereleases` undefined, pre-releases are
 * admitted as in specifierContains, and additionally when no final or post release satisfies the set
 * (PEP 440: "the only available version that satisfies the version specifier is a pre-release").
 */
export function filterVersions(
  specifier: string | readonly SpecifierClause[],
  versions: readonly string[],
  options: SpecifierOptions = {},
): string[] {
  const clauses = specifierClauses(specifier);
  if (options.prereleases !== undefined) {
    return versions.filter((v) => specifierContains(clauses, v, options));
  }
  const matches = versions.filter((v) => specifierContains(clauses, v, { prereleases: true }));
  if (specifierAllowsPrereleases(clauses)) return matches;
  const finals = matches.filter((v) => !parseVersion(v)?.isPrerelease);
  return finals.length > 0 ? finals : matches;
}
