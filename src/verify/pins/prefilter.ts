/**
 * The main-thread byte search that decides which files the pin verifier parses. A file is parsed
 * only when its bytes could produce a use that survives to the report:
 *
 * - it names the import package or a legacy module (or the legacy module's parent, for
 *   `from nova.virt.xenapi import client`) anywhere in its text, or it makes a relative import
 *   and lives in the same top-level package as the library or a legacy module (relative imports do
 *   not spell the package);
 * - or it lies where instance uses count (the instance scope: directories of files that name the
 *   library, or the configured globs) and names one of the library's instance methods as a word.
 *
 * Every other file can yield only receiver-name matches outside the instance scope, which the
 * verifier drops anyway, so rejecting it here changes no result. The search runs on raw bytes
 * (`Buffer.indexOf`), so rejected files are never decoded.
 */
import path from 'node:path';
import { isMatch } from '../../engine/glob-match.js';
import { wordOccurrences } from '../../python/bindings.js';
import type { PinsSettings } from './config.js';
import type { UsageOptions } from './usage.js';

export interface PrefilterPlan {
  importName: string;
  /** Byte strings whose presence makes a file a candidate. */
  needles: Buffer[];
  /** Top-level packages where a relative import can reach the library or a legacy module. */
  relativeTops: Set<string>;
  methods: string[];
  scope: PinsSettings['instanceScope'];
}

export function planPrefilter(options: UsageOptions, scope: PinsSettings['instanceScope']): PrefilterPlan {
  const texts = new Set<string>([options.importName]);
  for (const m of options.legacyModules) {
    texts.add(m);
    const dot = m.lastIndexOf('.');
    if (dot > 0) texts.add(m.slice(0, dot));
  }
  return {
    importName: options.importName,
    needles: [...texts].map((t) => Buffer.from(t, 'utf8')),
    relativeTops: new Set([options.importName, ...options.legacyModules].map((m) => m.split('.')[0]!)),
    methods: Object.keys(options.instanceMethods).sort(),
    scope,
  };
}

const FROM = Buffer.from('from', 'latin1');

/** A `from` keyword followed by whitespace (or line continuations) and a dot. */
export function hasRelativeImport(buf: Buffer): boolean {
  for (let i = buf.indexOf(FROM); i !== -1; i = buf.indexOf(FROM, i + 4)) {
    const before = i > 0 ? buf[i - 1]! : 10;
    if (/[A-Za-z0-9_]/.test(String.fromCharCode(before)) || before >= 0x80) continue;
    let j = i + 4;
    let sawSpace = false;
    while (j < buf.length) {
      const c = buf[j]!;
      if (c === 32 || c === 9 || c === 12) sawSpace = true;
      else if (c === 92 && (buf[j + 1] === 10 || (buf[j + 1] === 13 && buf[j + 2] === 10))) {
        sawSpace = true;
        j += buf[j + 1] === 13 ? 2 : 1;
      } else break;
      j++;
    }
    if (sawSpace && buf[j] === 46) return true;
  }
  return false;
}

/** Whether the file can hold a use whatever the instance scope is (and whether it names the library). */
export function directCandidate(
  buf: Buffer,
  relPath: string,
  plan: PrefilterPlan,
): { candidate: boolean; namesLibrary: boolean } {
  const namesLibrary = buf.includes(plan.needles[0]!);
  if (namesLibrary) return { candidate: true, namesLibrary };
  for (let k = 1; k < plan.needles.length; k++)
    if (buf.includes(plan.needles[k]!)) return { candidate: true, namesLibrary };
  const top = relPath.split('/')[0]!;
  if (plan.relativeTops.has(top) && hasRelativeImport(buf))
    return { candidate: true, namesLibrary: top === plan.importName.split('.')[0] };
  return { candidate: false, namesLibrary };
}

/** The instance scope as a predicate, from the files that name the library (a superset of importers). */
export function scopePredicate(
  plan: PrefilterPlan,
  namingFiles: readonly string[],
): (relPath: string) => boolean {
  const scope = plan.scope;
  if (scope !== 'import-dirs') return (file) => scope.some((g) => isMatch(file, g));
  const dirs = [...new Set(namingFiles.map((f) => path.posix.dirname(f)).filter((d) => d !== '.'))];
  return (file) => dirs.some((d) => file.startsWith(`${d}/`));
}

/** An instance method name standing as a word in the text. */
export function namesMethod(text: string, plan: PrefilterPlan): boolean {
  for (const m of plan.methods) {
    if (text.includes(m) && wordOccurrences(text, m).length > 0) return true;
  }
  return false;
}
