/**
 * Version-history comments (`# Version 1.1: Added foo`) above or inside an object class, and the
 * per-version field sets they let us reconstruct when a tree has no git history (a distribution
 * package such as Debian's python3-nova).
 *
 * Comment styles seen in Nova: `# Version 1.0: Initial version`, `# Version 1.3: Added
 * expected_vm_state and admin_state_reset to save()` (continued on following `#` lines indented
 * past the colon), `# 1.5: Added foo` in a few early objects, and `Version 2.0:` for major bumps.
 */
import { compareVersions } from '../objects/versions.js';

export interface VersionComment {
  version: string;
  text: string;
  line: number;
}

const HEAD_RE = /^\s*#\s*(?:Version|VERSION|version)?\s*(\d+\.\d+(?:\.\d+)?)\s*[:-]\s*(.*)$/;

/**
 * Parses the comment lines of a class (source lines with their 1-based numbers). Continuation
 * lines (a `#` line that is not a new version head) are appended to the previous entry.
 */
export function parseVersionComments(lines: { line: number; text: string }[]): VersionComment[] {
  const out: VersionComment[] = [];
  let current: VersionComment | undefined;
  let lastLine = -1;
  for (const { line, text } of lines) {
    const adjacent = lastLine === line - 1;
    lastLine = line;
    const m = HEAD_RE.exec(text);
    if (m) {
      current = { version: m[1]!, text: m[2]!.trim(), line };
      out.push(current);
      continue;
    }
    const cont = /^\s*#\s*(.*)$/.exec(text);
    if (current && adjacent && cont?.[1]) {
      current.text = `${current.text} ${cont[1].trim()}`.trim();
      continue;
    }
    current = undefined;
  }
  return out;
}

/** Words in a comment that name fields: `Added foo, bar and baz` / `Add 'foo' field`. */
export function fieldsNamedIn(text: string, known: Iterable<string>): { added: string[]; removed: string[] } {
  const knownSet = new Set(known);
  const added: string[] = [];
  const removed: string[] = [];
  // Split into clauses so "Added foo; removed bar" attributes each name to its verb.
  for (const clause of text.split(/[;.]\s+|\bwhile\b/)) {
    const verb =
      /\b(add(?:ed|s)?|introduc(?:ed|e)|new)\b|\b(remov(?:ed|e)|drop(?:ped)?|delet(?:ed|e))\b/i.exec(clause);
    if (!verb) continue;
    const target = verb[1] ? added : removed;
    const rest = clause.slice(verb.index + verb[0].length);
    for (const token of rest.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
      if (knownSet.has(token) && !target.includes(token)) target.push(token);
    }
  }
  return { added, removed };
}

export interface ReconstructedVersion {
  version: string;
  /** Fields present at this version, in the current class's field order. */
  fields: string[];
  /** True when the comment for this version named the fields it added (or it is the first). */
  certain: boolean;
}

/**
 * Field sets for every version in the comments of one class, working backwards from the current
 * field set: a field that a comment says was added in version N is absent below N. Fields no
 * comment mentions are assumed present from the first version. Versions without a comment that
 * names fields are marked uncertain (a type change or a method change, usually).
 */
export function reconstructFieldSets(
  currentVersion: string,
  currentFields: readonly string[],
  comments: readonly VersionComment[],
): ReconstructedVersion[] {
  const addedIn = new Map<string, string>();
  const removedIn = new Map<string, string>();
  const namesFields = new Set<string>();
  for (const c of comments) {
    const { added, removed } = fieldsNamedIn(c.text, currentFields);
    for (const f of added) if (!addedIn.has(f)) addedIn.set(f, c.version);
    for (const f of removed) removedIn.set(f, c.version);
    if (added.length || removed.length) namesFields.add(c.version);
  }
  const versions = [...new Set([...comments.map((c) => c.version), currentVersion])]
    .filter((v) => v.split('.')[0] === currentVersion.split('.')[0])
    .sort(compareVersions);
  const out: ReconstructedVersion[] = [];
  for (const v of versions) {
    if (compareVersions(v, currentVersion) > 0) continue;
    const fields = currentFields.filter((f) => {
      const a = addedIn.get(f);
      return a === undefined || compareVersions(a, v) <= 0;
    });
    out.push({ version: v, fields, certain: namesFields.has(v) || v === versions[0] });
  }
  void removedIn;
  return out;
}

/**
 * Per-version field sets of one extracted object from its comments alone (a tree with no git
 * history). Versions of other majors than the current one are not reconstructed.
 */
export function reconstructFromComments(obj: {
  def: { version: string; fields: Record<string, unknown> };
  historyComments: readonly VersionComment[];
}): ReconstructedVersion[] {
  return reconstructFieldSets(obj.def.version, Object.keys(obj.def.fields), obj.historyComments);
}
