/**
 * What os-xenapi version a piece of code needs, and whether a tree's requirements provide it. Used by
 * `backport` (code that uses os_xenapi landing on a branch whose requirements lack it or pin too low)
 * and by `gate` while the full pin verifier (`verify pins`) is not wired in.
 *
 * Uses are found through import bindings (never text search); the version each symbol first appeared
 * in comes from the generated API index `rules/os-xenapi-api.json`.
 */
import { readFileSync } from 'node:fs';
import { packagePath } from '../config/package-root.js';
import type { PyFile } from '../python/source-file.js';
import type { Finding } from '../report/finding.js';
import {
  compareVersions,
  findRequirements,
  minimumBound,
  parseRequirementsText,
  type RequirementEntry,
} from '../requirements/index.js';

interface IndexSymbol {
  firstVersion: string;
}
interface IndexModule {
  firstVersion: string;
  symbols: Record<string, IndexSymbol>;
}
export interface ApiIndex {
  package: string;
  importName: string;
  modules: Record<string, IndexModule>;
}

let cachedIndex: ApiIndex | undefined;

export function loadApiIndex(file = packagePath('rules', 'os-xenapi-api.json')): ApiIndex {
  if (cachedIndex && !file.endsWith('.custom.json')) return cachedIndex;
  const data = JSON.parse(readFileSync(file, 'utf8')) as ApiIndex;
  cachedIndex = data;
  return data;
}

export interface LibraryUse {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  qualifiedName: string;
  /** First library version providing it; undefined when the index does not know the name. */
  since?: string;
}

/** The first version providing `qualifiedName` (`os_xenapi.client.host_network.ovs_add_port`). */
export function firstVersionOf(index: ApiIndex, qualifiedName: string): string | undefined {
  const parts = qualifiedName.split('.');
  for (let i = parts.length; i > 0; i--) {
    const mod = index.modules[parts.slice(0, i).join('.')];
    if (!mod) continue;
    const rest = parts.slice(i);
    for (let j = rest.length; j > 0; j--) {
      const sym = mod.symbols[rest.slice(0, j).join('.')];
      if (sym) return sym.firstVersion;
    }
    return mod.firstVersion;
  }
  return undefined;
}

/**
 * Every use of the library in a parsed file (longest attribute chain per use, plus each import
 * statement), optionally only on the lines `keep` accepts.
 */
export function libraryUses(
  file: PyFile,
  relPath: string,
  index: ApiIndex,
  keep?: (line: number, endLine: number) => boolean,
): LibraryUse[] {
  const out: LibraryUse[] = [];
  const seen = new Set<string>();
  const push = (start: number, end: number, qn: string) => {
    const s = file.position(start);
    const e = file.position(end);
    if (keep && !keep(s.line, e.line)) return;
    const key = `${s.line}:${s.column}:${qn}`;
    if (seen.has(key)) return;
    seen.add(key);
    const since = firstVersionOf(index, qn);
    out.push({
      file: relPath,
      line: s.line,
      column: s.column,
      endLine: e.line,
      endColumn: e.column,
      qualifiedName: qn,
      ...(since ? { since } : {}),
    });
  };
  for (const b of file.bindings.imports) {
    if (b.target === index.importName || b.target.startsWith(`${index.importName}.`))
      push(b.statement.startIndex, b.statement.endIndex, b.target);
  }
  for (const r of file.bindings.referencesTo(index.importName))
    push(r.node.startIndex, r.node.endIndex, r.qualifiedName);
  return out;
}

/** The highest `since` of a set of uses, with the use that needs it. */
export function neededVersion(uses: readonly LibraryUse[]): { version: string; use: LibraryUse } | undefined {
  let best: { version: string; use: LibraryUse } | undefined;
  for (const u of uses) {
    if (!u.since) continue;
    if (!best || compareVersions(u.since, best.version) > 0) best = { version: u.since, use: u };
  }
  return best;
}

export interface RequirementCheckInput {
  /** Text of the tree's requirements.txt (undefined: the file does not exist). */
  requirementsText: string | undefined;
  requirementsFile: string;
  uses: readonly LibraryUse[];
  index: ApiIndex;
  /** Words for the tree in messages (`stable/ocata`, `the work tree`). */
  where: string;
  /** Rule ids (gate uses the pin verifier's ids, backport its own). */
  rules: { missing: string; tooLow: string };
}

/** Findings: the library is used but not required, or the lowest allowed version lacks a used symbol. */
export function checkRequirement(input: RequirementCheckInput): Finding[] {
  const { uses, index } = input;
  if (!uses.length) return [];
  const first = uses[0]!;
  const need = neededVersion(uses);
  const at = (u: LibraryUse) => ({
    file: u.file,
    line: u.line,
    column: u.column,
    endLine: u.endLine,
    endColumn: u.endColumn,
  });
  const entries: RequirementEntry[] =
    input.requirementsText === undefined
      ? []
      : findRequirements(
          parseRequirementsText(input.requirementsText, input.requirementsFile, { reader: () => undefined }),
          index.package,
          { kind: 'requirements' },
        );
  const line = `${index.package}>=${need?.version ?? '0.1.0'} # Apache-2.0`;
  if (!entries.length) {
    const why =
      input.requirementsText === undefined
        ? `${input.where} has no ${input.requirementsFile}`
        : `${input.requirementsFile} on ${input.where} has no ${index.package} line`;
    return [
      {
        rule: input.rules.missing,
        severity: 'error',
        ...at(first),
        message: `${first.file}:${first.line} uses ${first.qualifiedName}, but ${why}${need ? ` (the code needs ${index.package}>=${need.version} for ${need.use.qualifiedName})` : ''}`,
        suggestion: `add '${line}' to ${input.requirementsFile}`,
        data: {
          package: index.package,
          symbol: first.qualifiedName,
          ...(need ? { neededVersion: need.version } : {}),
        },
      },
    ];
  }
  if (!need) return [];
  const out: Finding[] = [];
  for (const e of entries) {
    const bound = minimumBound(e.clauses);
    const lowest = bound?.version;
    if (lowest && compareVersions(lowest, need.version) >= 0) continue;
    out.push({
      rule: input.rules.tooLow,
      severity: 'error',
      ...at(need.use),
      message: `${need.use.qualifiedName} first appeared in ${index.package} ${need.version}, but ${e.file}:${e.line} on ${input.where} allows ${lowest ? `${index.package} ${lowest}` : 'any version'} ('${e.raw.trim()}')`,
      suggestion: `write '${line}' at ${e.file}:${e.line}`,
      data: {
        package: index.package,
        symbol: need.use.qualifiedName,
        neededVersion: need.version,
        specifier: e.specifier,
        requirementLine: e.line,
      },
    });
  }
  return out;
}
