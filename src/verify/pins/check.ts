/**
 * The pin findings, from the uses (evaluated per indexed version) and the requirement lines:
 *
 * - `pin-missing` (error): the code imports the library and no requirement file names it;
 * - `pin-too-low` (error): the lowest version a requirement line allows lacks a used symbol (or a
 *   call does not bind there); the message names the symbol, the version that introduced it and the
 *   line to write;
 * - `constraint-conflict` (error): a constraint line (lower/upper constraints, `-c`) pins a version
 *   outside a requirement line, or one lacking a used symbol;
 * - `excluded-needed` (error): `!=` clauses exclude the only versions that work;
 * - `unused-pin` (warning): a requirement line, and nothing imports the library;
 * - `legacy-module` (error): code imports a module the library replaced while the library is required.
 *
 * And three the others do not cover: `pin-allows-removed` (a line allows versions *above* its lowest
 * that lack something used: a removed symbol, a changed signature; an error unless every constraint
 * pins a working version), `incompatible-uses` (no indexed version provides every use) and
 * `unknown-symbol` (a use that no indexed version provides: a typo or an out-of-date index).
 */
import type { Finding, Severity } from '../../report/finding.js';
import {
  compareVersions,
  parseVersion,
  pinnedVersion,
  type RequirementEntry,
  type RequirementsDiagnostic,
  satisfies,
  specifierClauses,
  whichVersionsSatisfy,
} from '../../requirements/index.js';
import { failuresAt, type UseGroup } from './compatibility.js';
import { diagnosticConcerns, type PinSources } from './pin-sources.js';
import type { LegacyUse, Site } from './usage.js';

export interface CheckInput {
  package: string;
  importName: string;
  versions: readonly string[];
  groups: readonly UseGroup[];
  working: readonly string[];
  /** Sites of imports of the library (first is where pin-missing points). */
  importSites: readonly Site[];
  legacy: readonly LegacyUse[];
  sources: PinSources;
}

const LOWER_OPS = new Set(['>=', '>', '==', '===', '~=']);

function finding(
  rule: string,
  severity: Severity,
  at: Site | { file: string; line: number },
  message: string,
  data: Record<string, unknown>,
  suggestion?: string,
): Finding {
  const s = at as Partial<Site> & { file: string; line: number };
  return {
    rule,
    severity,
    file: s.file,
    line: s.line,
    column: s.column ?? 1,
    endLine: s.endLine ?? s.line,
    endColumn: s.endColumn ?? 1,
    message,
    ...(suggestion ? { suggestion } : {}),
    data,
  };
}

function lineSite(e: RequirementEntry): Site {
  return { file: e.file, line: e.line, column: 1, endLine: e.endLine, endColumn: e.raw.length + 1 };
}

function where(site: Site): string {
  return `${site.file}:${site.line}`;
}

/** The requirement line with a new specifier, keeping the name as written, marker and comment. */
export function rewriteLine(e: RequirementEntry, specifier: string): string {
  const comment = /(\s+#.*)$/.exec(e.raw.split('\n').at(-1) ?? '')?.[1] ?? '';
  const marker = e.markerText ? `;${e.markerText}` : '';
  const extras = e.extras.length ? `[${e.extras.join(',')}]` : '';
  return `${e.name}${extras}${specifier}${marker}${comment}`;
}

/** The line's clauses with every lower bound replaced by `>=version` (other clauses kept in order). */
export function raiseLowerBound(e: Pick<RequirementEntry, 'specifier'>, version: string): string {
  const out: string[] = [];
  let placed = false;
  for (const c of specifierClauses(e.specifier)) {
    if (LOWER_OPS.has(c.operator)) {
      if (!placed) out.push(`>=${version}`);
      placed = true;
    } else if (c.operator === '!=') {
      // Exclusions at or below the new bound say nothing any more.
      if (
        compareVersions(c.version, version) > 0 &&
        !satisfies(version, `==${c.version}${c.wildcard ? '.*' : ''}`)
      )
        out.push(c.text);
    } else if ((c.operator === '<' || c.operator === '<=') && !satisfies(version, c.text)) {
      // A cap below the new bound would make the line unsatisfiable: drop it.
    } else {
      out.push(c.text);
    }
  }
  if (!placed) out.unshift(`>=${version}`);
  return out.join(',');
}

function allowedBy(clauses: string[], versions: readonly string[]): string[] {
  return whichVersionsSatisfy(clauses.join(','), versions);
}

/** The first final release among versions (pre-releases only when there is nothing else). */
export function preferFinal(versions: readonly string[]): string | undefined {
  return versions.find((v) => !parseVersion(v)?.isPrerelease) ?? versions[0];
}

function firstWorkingAfter(g: UseGroup, version: string): string | undefined {
  return g.works.find((v) => compareVersions(v, version) > 0);
}

function describeFailure(g: UseGroup, version: string): string {
  const st = g.status[version];
  const reason = st && !st.ok ? st.reason : '';
  return reason;
}

function symbolOf(g: UseGroup): string {
  if (g.plugin)
    return `${g.plugin.plugin} ${g.plugin.function}${g.plugin.subcommand ? ` ${g.plugin.subcommand}` : ''}`;
  return g.resolved ?? g.name;
}

export function checkPins(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  const { package: pkg, versions, groups, working, sources } = input;
  const known = groups.filter((g) => !g.unknown);
  const uses = input.importSites.length > 0 || known.some((g) => g.sites.some((s) => s.via !== 'instance'));
  const required = sources.requirements.length > 0;
  const needed = preferFinal(working);
  const base = { package: pkg };

  // Requirement files that cannot be parsed.
  for (const d of sources.diagnostics) out.push(diagnosticFinding(d, pkg));

  for (const g of groups.filter((x) => x.unknown)) {
    const s = g.sites[0]!;
    out.push(
      finding(
        'unknown-symbol',
        'warning',
        s,
        `${symbolOf(g)} is in no indexed version of ${pkg} (${versions[0]}–${versions.at(-1)}): a typo, a private name, or an index older than the code (${g.sites.length} use${g.sites.length === 1 ? '' : 's'})`,
        { ...base, symbol: symbolOf(g), neededVersion: null, specifier: null, uses: g.sites.length },
      ),
    );
  }

  if (!uses) {
    for (const e of sources.requirements) {
      out.push(
        finding(
          'unused-pin',
          'warning',
          lineSite(e),
          `${e.raw.trim()}: nothing imports ${input.importName}; drop the requirement (and its constraint lines)`,
          { ...base, symbol: null, neededVersion: null, specifier: e.specifier },
        ),
      );
    }
  }

  if (required) {
    for (const l of input.legacy) {
      out.push(
        finding(
          'legacy-module',
          'error',
          l,
          `imports ${l.module} while ${pkg} is required (${where(lineSite(sources.requirements[0]!))}); use ${input.importName} instead`,
          { ...base, symbol: l.module, neededVersion: null, specifier: sources.requirements[0]!.specifier },
          'backlevel migrate --codemod xenapi-imports',
        ),
      );
    }
  }

  if (!uses) return out;

  if (!known.length && !input.importSites.length) return out;

  if (!working.length) {
    // No version provides every use: say which uses exclude each other.
    const byFirst = [...known]
      .filter((g) => g.works.length)
      .sort((a, b) => compareVersions(a.works[0]!, b.works[0]!));
    const latestStart = byFirst.at(-1);
    const early = latestStart
      ? byFirst.find((g) => compareVersions(g.works.at(-1)!, latestStart.works[0]!) < 0)
      : undefined;
    const never = known.find((g) => !g.works.length);
    const s = (never ?? latestStart ?? known[0]!).sites[0]!;
    const msg = never
      ? `${symbolOf(never)} works in no indexed version of ${pkg}: ${describeFailure(never, versions.at(-1)!)} (${where(never.sites[0]!)})`
      : `no version of ${pkg} provides every use: ${symbolOf(latestStart!)} (${where(latestStart!.sites[0]!)}) needs ${latestStart!.works[0]}–${latestStart!.works.at(-1)}` +
        (early
          ? `, ${symbolOf(early)} (${where(early.sites[0]!)}) needs ${early.works[0]}–${early.works.at(-1)}`
          : '');
    out.push(
      finding('incompatible-uses', 'error', s, msg, {
        ...base,
        symbol: symbolOf(never ?? latestStart ?? known[0]!),
        neededVersion: null,
        specifier: sources.requirements[0]?.specifier ?? null,
      }),
    );
    return out;
  }

  if (!required) {
    const s = input.importSites[0] ?? known[0]!.sites[0]!;
    const files = new Set(input.importSites.map((x) => x.file));
    out.push(
      finding(
        'pin-missing',
        'error',
        s,
        `${input.importName} is imported (${files.size} file${files.size === 1 ? '' : 's'}) but no requirement file names ${pkg}; add '${pkg}>=${needed}'`,
        { ...base, symbol: input.importName, neededVersion: needed, specifier: null },
        `${pkg}>=${needed}`,
      ),
    );
    return out;
  }

  // Versions every requirement line allows together (what pip resolves within).
  const reqClauses = sources.requirements.flatMap((e) => specifierClauses(e.specifier).map((c) => c.text));
  const allowedAll = allowedBy(reqClauses, versions);
  const constraintsOk =
    sources.constraints.length > 0 &&
    sources.constraints.every((c) => {
      const pin = pinnedVersion(c.specifier);
      return pin !== null && working.includes(pin);
    });

  for (const e of sources.requirements) {
    const clauses = specifierClauses(e.specifier);
    const allowed = allowedBy(
      clauses.map((c) => c.text),
      versions,
    );
    const spec = e.specifier || '(any version)';
    const data = (
      symbol: string | null,
      neededVersion: string | null,
      extra: Record<string, unknown> = {},
    ) => ({
      ...base,
      symbol,
      neededVersion,
      specifier: e.specifier,
      ...extra,
    });
    const works = allowed.filter((v) => working.includes(v));
    const withoutExclusions = allowedBy(
      clauses.filter((c) => c.operator !== '!=').map((c) => c.text),
      versions,
    );
    const withoutLower = allowedBy(
      clauses.filter((c) => !LOWER_OPS.has(c.operator)).map((c) => c.text),
      versions,
    );
    if (!works.length) {
      const unexcluded = withoutExclusions.filter((v) => working.includes(v));
      if (unexcluded.length && clauses.some((c) => c.operator === '!=')) {
        const culprits = clauses.filter(
          (c) => c.operator === '!=' && unexcluded.some((v) => !satisfies(v, c.text)),
        );
        let kept = clauses
          .filter((c) => !culprits.includes(c))
          .map((c) => c.text)
          .join(',');
        const keptLow = allowedBy([kept], versions)[0];
        if (keptLow && !working.includes(keptLow)) {
          kept = raiseLowerBound({ ...e, specifier: kept }, preferFinal(unexcluded)!);
        }
        const line = rewriteLine(e, kept);
        out.push(
          finding(
            'excluded-needed',
            'error',
            lineSite(e),
            `${e.name}${spec}: ${culprits.map((c) => c.text).join(',')} exclude${culprits.length === 1 ? 's' : ''} ${unexcluded.join(', ')}, the only version${unexcluded.length === 1 ? '' : 's'} that provide${unexcluded.length === 1 ? 's' : ''} every use; write '${line}'`,
            data(null, unexcluded[0]!, {
              excluded: culprits.map((c) => c.text),
              workingVersions: unexcluded,
            }),
            line,
          ),
        );
        continue;
      }
    }
    if (!allowed.length) continue; // beyond the index: nothing to say
    const low = allowed[0]!;
    if (!working.includes(low)) {
      const candidates = withoutLower.filter((v) => working.includes(v) && compareVersions(v, low) > 0);
      // When a cap cuts off every working version, the line to write drops it.
      const above = working.filter((v) => compareVersions(v, low) > 0);
      const target = preferFinal(works) ?? preferFinal(candidates) ?? preferFinal(above);
      const failing = failuresAt(groups, low);
      if (target && compareVersions(target, low) > 0) {
        const g = failing.find((x) => x.works.includes(target)) ?? failing[0]!;
        const introduced = firstWorkingAfter(g, low) ?? target;
        const line = rewriteLine(e, raiseLowerBound(e, target));
        const s = g.sites[0]!;
        out.push(
          finding(
            'pin-too-low',
            'error',
            lineSite(e),
            `${e.name}${spec} allows ${low}, which lacks ${symbolOf(g)} (${describeFailure(g, low)}; works from ${introduced}, used at ${where(s)}${g.sites.length > 1 ? ` and ${g.sites.length - 1} more` : ''}); write '${line}'`,
            data(symbolOf(g), target, {
              introducedIn: introduced,
              lowestAllowed: low,
              usedAt: where(s),
              failing: failing.map(symbolOf),
            }),
            line,
          ),
        );
        continue;
      }
    }
    const high = allowed.at(-1)!;
    if (!working.includes(high) || !works.length) {
      const bad = allowed.filter((v) => !working.includes(v) && compareVersions(v, working[0]!) > 0);
      if (!bad.length) continue;
      const firstBad = bad[0]!;
      const failing = failuresAt(groups, firstBad);
      const g = failing[0]!;
      const lastGood = working.filter((v) => compareVersions(v, firstBad) < 0).at(-1);
      const noneWorks = !works.length;
      const capped = lastGood
        ? rewriteLine(e, [e.specifier, `<${firstBad}`].filter(Boolean).join(','))
        : undefined;
      out.push(
        finding(
          'pin-allows-removed',
          noneWorks || !constraintsOk ? 'error' : 'warning',
          lineSite(e),
          `${e.name}${spec} allows ${bad.join(', ')}, which lack${bad.length === 1 ? 's' : ''} ${symbolOf(g)} (${describeFailure(g, firstBad)}; used at ${where(g.sites[0]!)})` +
            (capped ? `; move off it, or cap it: '${capped}'` : '') +
            (constraintsOk && !noneWorks ? ' (the constraint files pin a working version)' : ''),
          data(symbolOf(g), working[0]!, {
            removedIn: firstBad,
            lastWorking: lastGood ?? null,
            badVersions: bad,
          }),
          capped,
        ),
      );
    }
  }

  // Constraint lines.
  for (const c of sources.constraints) {
    const pin = pinnedVersion(c.specifier);
    const cset = pin ? versions.filter((v) => satisfies(v, c.specifier)) : allowedBy([c.specifier], versions);
    const outside = sources.requirements.filter((r) =>
      pin
        ? r.specifier !== '' && !satisfies(pin, r.specifier, { prereleases: true })
        : !cset.some((v) => allowedAll.includes(v) && satisfies(v, r.specifier)),
    );
    const dataC = (
      symbol: string | null,
      neededVersion: string | null,
      extra: Record<string, unknown> = {},
    ) => ({
      ...base,
      symbol,
      neededVersion,
      specifier: c.specifier,
      ...extra,
    });
    const goodAll = allowedAll.filter((v) => working.includes(v));
    const suggest = (what: string) => {
      if (!goodAll.length) return undefined;
      const target =
        pin && goodAll.every((v) => compareVersions(pin, v) > 0) ? goodAll.at(-1)! : preferFinal(goodAll)!;
      const op = c.specifier.startsWith('===') ? '===' : '==';
      return { target, line: rewriteLine(c, `${op}${target}`), what };
    };
    if (outside.length) {
      const r = outside[0]!;
      const s = suggest('outside');
      out.push(
        finding(
          'constraint-conflict',
          'error',
          lineSite(c),
          `${c.raw.trim()} is outside ${r.name}${r.specifier} (${where(lineSite(r))})${s ? `; write '${s.line}'` : ''}`,
          dataC(null, s?.target ?? needed ?? null, { requirement: `${r.file}:${r.line}` }),
          s?.line,
        ),
      );
      continue;
    }
    const good = cset.filter((v) => working.includes(v));
    if (cset.length && !good.length) {
      const at = pin && cset.includes(pin) ? pin : cset[0]!;
      const failing = failuresAt(groups, at);
      const g = failing[0]!;
      const s = suggest('lacks');
      const introduced = firstWorkingAfter(g, at);
      out.push(
        finding(
          'constraint-conflict',
          'error',
          lineSite(c),
          `${c.raw.trim()} pins ${at}, which lacks ${symbolOf(g)} (${describeFailure(g, at)}${introduced ? `; works from ${introduced}` : ''}; used at ${where(g.sites[0]!)})${s ? `; write '${s.line}'` : ''}`,
          dataC(symbolOf(g), s?.target ?? null, { pinned: at, introducedIn: introduced ?? null }),
          s?.line,
        ),
      );
    }
  }
  return out;
}

function diagnosticFinding(d: RequirementsDiagnostic, pkg: string): Finding {
  const concerns = diagnosticConcerns(d, pkg);
  const severity: Severity =
    d.severity === 'error' && (concerns || d.code === 'missing-include' || d.code === 'missing-file')
      ? 'error'
      : 'warning';
  return finding(
    'requirement-syntax',
    severity,
    {
      file: d.file,
      line: Math.max(1, d.line),
      column: d.column ?? 1,
      endLine: Math.max(1, d.line),
      endColumn: (d.raw?.length ?? 0) + 1,
    },
    d.message,
    { package: pkg, symbol: null, neededVersion: null, specifier: null, code: d.code },
  );
}
