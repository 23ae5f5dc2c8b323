/**
 * The plan of the xenapi-cleanup codemod, computed once over the whole tree (tests included):
 *
 * 1. Candidates: modules that duplicate an os-xenapi module (the in-tree client package), files that
 *    copy an os-xenapi dom0 plugin (extension-less Python 2 plugins included), the project's dom0
 *    plugin-version plugin once the tree uses os_xenapi, and package `__init__` files left with
 *    nothing but candidates.
 * 2. Dead tests and fakes: test modules that mirror a candidate (`tests/.../client/test_session.py`
 *    for `client/session.py`), test-support modules imported only by deleted files, and test
 *    packages left empty.
 * 3. The import-graph check, to a fixpoint: a candidate with an importer that is not itself deleted
 *    is kept (and reported with its importers), which may keep others in turn.
 * 4. The version check: once the tree imports os_xenapi, the required-version constant, the method
 *    asking dom0 for its plugin version, its calls and its tests are removed from the files that
 *    stay (os-xenapi's session performs the check).
 */
import { lstat, readdir, readlink } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { escapeRegex } from '../engine/escape-regex.js';
import { readSourceSync } from '../engine/read-source.js';
import { initPython } from '../python/parser.js';
import { moduleNameForPath, PyFile, pyFileOptionsFor } from '../python/source-file.js';
import { type ApiIndex, loadOsXenapiIndex } from '../xenapi/api-index.js';
import { detectDuplicates, isPluginPath, isTestPath, looksLikePython } from './detect.js';
import { ImportGraph } from './import-graph.js';
import { describeMatch, type FingerprintIndex, fingerprintIndexFor, releaseSpan } from './matcher.js';
import type { DuplicatesOptions } from './options.js';
import { findVersionCheck, VERSION_PLUGIN_RE } from './version-check.js';

export interface CleanupPlan {
  /** relPath -> why it is deleted. */
  delete: Record<string, string>;
  /** Candidates kept because something still imports them. */
  kept: Record<string, { reason: string; importers: string[] }>;
  /** Symlinks (extension-less plugin aliases) pointing at deleted files: relPath -> target. */
  aliases: Record<string, string>;
  usesOsXenapi: boolean;
  versionCheck: { methods: string[]; constants: string[]; files: string[] };
}

const TRIGGERS = ['XenAPI', 'xenapi', 'call_plugin'];

function stem(relPath: string): string {
  return basename(relPath).replace(/\.py$/, '');
}

/**
 * What the plan needs from one parsed file: what it imports, whether it duplicates os-xenapi code,
 * its part of a dom0 plugin version check. Structured-cloneable: migrate gathers it in its workers,
 * from the parse the other codemods share.
 */
export interface CleanupFileFacts {
  /**
   * Absent when the file was not parsed (`cleanupNeedsParse` said no): the plan parses it only
   * when its text may import a module the plan asks about.
   */
  imports?: { module: string; importedName?: string; target: string }[];
  /** Why the file is a deletion candidate (it duplicates an os-xenapi module or plugin). */
  candidate?: string;
  versionCheck?: { sites: number; methods: string[]; constants: string[] };
  /** The text has `os_xenapi` as a whole word (it may import the library). */
  osXenapi?: true;
  /** The text builds a path into a dom0 plugins directory (tests load plugins by path). */
  loader?: true;
  /** The text names a dom0 plugin version check (a test of one). */
  versionRef?: true;
}

const LOADER_RE = /xapi\.d\/plugins|xapi\.d['"]/;
const VERSION_REF_RE = /_verify_plugin_version|PLUGIN_REQUIRED_VERSION|plugin_version/;

/**
 * What the plan reads from any file's text, parsed or not: the workers send these instead of the
 * text, which the plan then reads only where it needs more (importers of a candidate).
 */
export function cleanupTextFacts(text: string): CleanupFileFacts {
  return {
    ...(hasWord(text, 'os_xenapi') ? { osXenapi: true as const } : {}),
    ...(LOADER_RE.test(text) ? { loader: true as const } : {}),
    ...(VERSION_REF_RE.test(text) ? { versionRef: true as const } : {}),
  };
}

const VERSION_CHECK_RE = /plugin_version|PLUGIN\w*VERSION/;
const RELATIVE_IMPORT_RE = /\bfrom[\s\\]*\./;

/**
 * Whether the plan needs a file's facts up front: it may be a duplicate (a trigger word outside
 * the tests, which exercise the library rather than re-implement it), hold a version check, or
 * import relatively (then its text need not hold every part of the module it imports). Any other
 * file matters only as an importer of a module the plan asks about, which its text shows: its
 * imports are read when the plan asks (importers of a candidate, whether the tree imports
 * os_xenapi).
 */
export function cleanupNeedsParse(text: string, relPath: string): boolean {
  return (
    (!relPath.startsWith('os_xenapi/') && !isTestPath(relPath) && TRIGGERS.some((t) => text.includes(t))) ||
    VERSION_CHECK_RE.test(text) ||
    RELATIVE_IMPORT_RE.test(text)
  );
}

function importFacts(file: PyFile): NonNullable<CleanupFileFacts['imports']> {
  return file.bindings.imports.map((b) => ({
    module: b.module,
    target: b.target,
    ...(b.importedName !== undefined ? { importedName: b.importedName } : {}),
  }));
}

const wordRes = new Map<string, RegExp>();

/** `word` as a whole word of `text` (ASCII word characters; a superset for other identifiers). */
function hasWord(text: string, word: string): boolean {
  if (!text.includes(word)) return false;
  let re = wordRes.get(word);
  if (!re) {
    re = new RegExp(`(?<![A-Za-z0-9_])${word}(?![A-Za-z0-9_])`);
    wordRes.set(word, re);
  }
  return re.test(text);
}

/** The facts of one file (`file.text` as read from the tree). */
export function scanCleanupFile(
  file: PyFile,
  relPath: string,
  index: FingerprintIndex,
  options: Partial<DuplicatesOptions>,
): CleanupFileFacts {
  const text = file.text;
  const facts: CleanupFileFacts = { ...cleanupTextFacts(text), imports: importFacts(file) };
  // Tests exercise the library, they do not re-implement it (as the xenapi-duplicates rule has
  // it); the tests of a deleted copy go with it through the import graph.
  if (!relPath.startsWith('os_xenapi/') && !isTestPath(relPath) && TRIGGERS.some((t) => text.includes(t))) {
    for (const d of detectDuplicates(file, relPath, { index, options, modulesOnly: true })) {
      facts.candidate = `${d.kind === 'plugin' ? 'copy of' : 'duplicates'} ${describeMatch(d.match)} (os-xenapi ${releaseSpan(d.match)}, similarity ${d.match.score.toFixed(2)})`;
    }
  }
  if (VERSION_CHECK_RE.test(text)) {
    const vc = findVersionCheck(file);
    if (vc.sites.length || vc.methods.length || vc.constants.length)
      facts.versionCheck = { sites: vc.sites.length, methods: vc.methods, constants: vc.constants };
  }
  return facts;
}

/**
 * `scanned`: facts already gathered for some files (from their text as read here); the others are
 * read and parsed here.
 */
export async function planCleanup(
  root: string,
  relFiles: readonly string[],
  options: Partial<DuplicatesOptions> = {},
  apiIndex: ApiIndex = loadOsXenapiIndex(),
  scanned?: ReadonlyMap<string, CleanupFileFacts>,
): Promise<CleanupPlan> {
  await initPython();
  const index = fingerprintIndexFor(apiIndex);
  const pyFiles = relFiles.filter((r) => r.endsWith('.py') || isPluginPath(r));
  const graph = new ImportGraph(pyFiles);
  const candidates = new Map<string, string>();
  const checkSites = new Map<string, NonNullable<CleanupFileFacts['versionCheck']>>();
  const pluginDirs = new Map<string, Set<string>>();
  for (const r of pyFiles) {
    if (!isPluginPath(r)) continue;
    const d = dirname(r);
    if (!pluginDirs.has(d))
      pluginDirs.set(d, new Set(pyFiles.filter((x) => dirname(x) === d).map((x) => basename(x))));
  }
  let usesOsXenapi = false;
  /** Texts read so far: only where the facts gathered do not say enough. */
  const texts = new Map<string, string>();
  const textOf = (relPath: string): string => {
    let text = texts.get(relPath);
    if (text === undefined) {
      const read = readSourceSync(join(root, relPath));
      text = read.ok ? read.text : '';
      texts.set(relPath, text);
    }
    return text;
  };
  /** The files the plan is about (readable; extension-less plugin files that are Python), with their facts. */
  const factsOf = new Map<string, CleanupFileFacts>();
  /** Files whose imports are not read yet: read when the plan may need them. */
  const unread = new Set<string>();
  const addImports = (relPath: string, imports: NonNullable<CleanupFileFacts['imports']>) => {
    graph.addImports(relPath, imports, isPluginPath(relPath) ? pluginDirs.get(dirname(relPath)) : undefined);
    if (imports.some((b) => (b.module || b.target).startsWith('os_xenapi'))) usesOsXenapi = true;
  };
  for (const relPath of pyFiles) {
    let facts = scanned?.get(relPath);
    const plugin = isPluginPath(relPath);
    if (facts === undefined || (plugin && !relPath.endsWith('.py'))) {
      const read = readSourceSync(join(root, relPath));
      if (!read.ok) continue;
      const text = read.text;
      if (plugin && !relPath.endsWith('.py') && !looksLikePython(text)) continue;
      texts.set(relPath, text);
      if (facts === undefined) {
        if (!cleanupNeedsParse(text, relPath)) facts = cleanupTextFacts(text);
        else {
          const file = PyFile.parse(relPath, text, pyFileOptionsFor(relPath));
          try {
            facts = scanCleanupFile(file, relPath, index, options);
          } finally {
            file.dispose();
          }
        }
      }
    }
    factsOf.set(relPath, facts);
    if (facts.imports) addImports(relPath, facts.imports);
    else unread.add(relPath);
    if (facts.candidate !== undefined) candidates.set(relPath, facts.candidate);
    if (facts.versionCheck) checkSites.set(relPath, facts.versionCheck);
  }
  const read = (relPath: string) => {
    if (!unread.delete(relPath)) return;
    const file = PyFile.parse(relPath, textOf(relPath), pyFileOptionsFor(relPath));
    try {
      addImports(relPath, importFacts(file));
    } finally {
      file.dispose();
    }
  };
  const asked = new Set<string>();
  /**
   * The graph with every file's imports read that may matter: a file importing `a.b.c` (or
   * `a.b.c.d`, or `from a.b import c`) holds each part of it as a word unless the import is
   * relative (those files were read up front); a dom0 plugin imports a sibling by its bare name.
   */
  const view: GraphView = {
    importsOf(relPath) {
      read(relPath);
      return graph.importsOf(relPath);
    },
    importersOf(relPath) {
      if (unread.size && !asked.has(relPath)) {
        asked.add(relPath);
        const words = importWords(relPath);
        const dir = isPluginPath(relPath) ? dirname(relPath) : undefined;
        if (words) {
          for (const r of [...unread]) {
            if (dir !== undefined && dirname(r) !== dir) continue;
            const t = textOf(r);
            if (words.every((w) => hasWord(t, w))) read(r);
          }
        }
      }
      return graph.importersOf(relPath);
    },
  };
  // Whether the tree imports os_xenapi: any such import holds the word (relative imports inside
  // an os_xenapi package were read up front).
  if (!usesOsXenapi) {
    for (const r of [...unread]) {
      if (!factsOf.get(r)?.osXenapi) continue;
      read(r);
      if (usesOsXenapi) break;
    }
  }
  if (usesOsXenapi) {
    for (const r of pyFiles) {
      if (isPluginPath(r) && VERSION_PLUGIN_RE.test(stem(r)) && factsOf.has(r))
        candidates.set(
          r,
          "the project's dom0 plugin-version plugin: os-xenapi's session checks dom0_plugin_version itself",
        );
    }
  }
  // Dotted strings naming candidate modules (mock.patch targets) are references too.
  const candidateModules = [...graph.modules].filter(([, rel]) => candidates.has(rel)).map(([m]) => m);
  // Plugin loaders: files that build a path into a plugins directory (tests load plugins by path).
  const loaders = new Set([...factsOf].filter(([r, f]) => !isPluginPath(r) && f.loader).map(([r]) => r));
  const pluginCandidates = [...candidates.keys()].filter((c) => isPluginPath(c));
  /** Names a candidate plugin is quoted by (`'xenhost'`, `"xenhost.py"`). */
  const quotedAs = (c: string) => {
    const name = basename(c);
    return [name, name.replace(/\.py$/, '')];
  };
  // One scan per text for every quoted name (the closing quote is looked ahead, not consumed, so
  // adjacent quoted strings are all seen).
  const names = [...new Set(pluginCandidates.flatMap(quotedAs))];
  const quotedRe = names.length
    ? new RegExp(`(['"])(${names.map(escapeRegex).join('|')})(?=\\1)`, 'g')
    : undefined;
  // Only when there is something to look for: then every text is read.
  for (const r of candidateModules.length || quotedRe ? factsOf.keys() : []) {
    if (isPluginPath(r)) continue;
    const t = textOf(r);
    graph.addStringReferences(r, t, candidateModules);
    if (!quotedRe) continue;
    const quoted = new Set<string>();
    for (const m of t.matchAll(quotedRe)) quoted.add(m[2]!);
    if (!quoted.size) continue;
    const named = pluginCandidates.filter((c) => quotedAs(c).some((n) => quoted.has(n)));
    if (!named.length) continue;
    // Whether r imports a loader, asked of the loaders' importers (r's own imports may be unread).
    const usesLoader = loaders.has(r) || [...loaders].some((l) => view.importersOf(l).includes(r));
    if (!usesLoader) continue;
    for (const c of named) graph.addPathReference(r, c);
  }
  // Package __init__ files whose siblings are all candidates (and that hold no code of their own).
  const addInits = () => {
    for (const r of pyFiles) {
      if (basename(r) !== '__init__.py' || candidates.has(r) || isTestPath(r)) continue;
      const dir = dirname(r);
      const siblings = pyFiles.filter((x) => dirname(x) === dir && x !== r);
      if (!siblings.length || !siblings.every((s) => candidates.has(s)) || !factsOf.has(r)) continue;
      const code = textOf(r)
        .replace(/^\s*#.*$/gm, '')
        .trim();
      if (code === '')
        candidates.set(r, `package of deleted modules (${siblings.map((s) => basename(s)).join(', ')})`);
    }
  };
  addInits();
  const kept: CleanupPlan['kept'] = {};
  let dead = new Map<string, string>();
  for (;;) {
    dead = deadTests(pyFiles, candidates, view, loaders);
    let changed = false;
    for (const [c, why] of [...candidates]) {
      const live = view.importersOf(c).filter((i) => !candidates.has(i) && !dead.has(i));
      if (live.length) {
        candidates.delete(c);
        kept[c] = { reason: why, importers: live };
        changed = true;
      }
    }
    if (!changed) break;
  }
  // Importers of what is kept, against the final deletion set (a mirror test of a kept module stays).
  for (const [c, k] of Object.entries(kept)) {
    k.importers = view.importersOf(c).filter((i) => !candidates.has(i) && !dead.has(i));
  }
  const del: Record<string, string> = {};
  for (const [r, why] of [...candidates, ...dead].sort(([a], [b]) => a.localeCompare(b))) {
    del[r] = candidates.has(r) ? `${why}; nothing imports it` : why;
  }
  // Version check edits in files that stay (not in kept duplicates: those still serve importers).
  const methods = new Set<string>();
  const constants = new Set<string>();
  const files: string[] = [];
  if (usesOsXenapi) {
    for (const [r, vc] of checkSites) {
      if (del[r] || kept[r]) continue;
      for (const m of vc.methods) methods.add(m);
      for (const c of vc.constants) constants.add(c);
    }
    for (const [r, vc] of checkSites) {
      if (del[r] || kept[r]) continue;
      if (vc.sites || (isTestPath(r) && (vc.methods.length || vc.constants.length))) files.push(r);
    }
    // Tests of a deleted or stayed check in test files that only reference the names.
    for (const [r, f] of factsOf) {
      if (del[r] || kept[r] || files.includes(r) || !isTestPath(r)) continue;
      if (f.versionRef) files.push(r);
    }
  }
  // Extension-less aliases (symlinks) of deleted plugin files: runs never visit them; list them.
  const aliases: Record<string, string> = {};
  for (const d of pluginDirs.keys()) {
    let names: string[] = [];
    try {
      names = await readdir(join(root, d));
    } catch {
      continue;
    }
    for (const n of names) {
      const rel = posix.join(d, n);
      try {
        if (!(await lstat(join(root, rel))).isSymbolicLink()) continue;
        const target = posix.join(d, await readlink(join(root, rel)));
        if (del[target]) aliases[rel] = target;
      } catch {
        // unreadable: skip
      }
    }
  }
  return {
    delete: del,
    kept,
    aliases,
    usesOsXenapi,
    versionCheck: { methods: [...methods].sort(), constants: [...constants].sort(), files: files.sort() },
  };
}

/** The import graph as the plan reads it (imports read on demand). */
interface GraphView {
  importsOf(relPath: string): string[];
  importersOf(relPath: string): string[];
}

/**
 * Words any import of the file holds: every part of its module name (a dom0 plugin: its bare
 * name); undefined when nothing can import it (not a module).
 */
function importWords(relPath: string): string[] | undefined {
  if (isPluginPath(relPath)) return [basename(relPath).replace(/\.py$/, '')];
  if (!relPath.endsWith('.py')) return undefined;
  return moduleNameForPath(relPath)?.moduleName.split('.');
}

/** Test modules and test support that die with the candidates. */
function deadTests(
  pyFiles: readonly string[],
  candidates: ReadonlyMap<string, string>,
  graph: GraphView,
  loaders: ReadonlySet<string>,
): Map<string, string> {
  const dead = new Map<string, string>();
  const byStem = new Map<string, string[]>();
  for (const c of candidates.keys()) {
    const s = stem(c);
    if (s === '__init__') continue;
    byStem.set(s, [...(byStem.get(s) ?? []), c]);
  }
  for (const r of pyFiles) {
    if (!isTestPath(r) || isPluginPath(r)) continue;
    const m = /^test_(.+)\.py$/.exec(basename(r));
    if (!m) continue;
    const subjects = byStem.get(m[1]!) ?? [];
    const dirs = dirname(r).split('/');
    const subject = subjects.find((c) => dirs.includes(basename(dirname(c))));
    if (!subject) continue;
    const imports = graph.importsOf(r);
    if (imports.includes(subject) || imports.some((x) => loaders.has(x)) || loaders.has(r))
      dead.set(r, `tests ${subject}, which is deleted`);
  }
  // Support modules under tests imported only by deleted files; empty test packages. To a fixpoint.
  /** What the deleted files import. */
  const gone = new Set<string>();
  const goes = (r: string) => {
    for (const x of graph.importsOf(r)) gone.add(x);
  };
  for (const c of candidates.keys()) goes(c);
  for (const r of dead.keys()) goes(r);
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of pyFiles) {
      if (dead.has(r) || candidates.has(r) || !isTestPath(r) || isPluginPath(r)) continue;
      const name = basename(r);
      if (name === '__init__.py') {
        const siblings = pyFiles.filter((x) => dirname(x) === dirname(r) && x !== r);
        const others = pyFiles.filter((x) => x.startsWith(`${dirname(r)}/`) && x !== r);
        if (siblings.length && others.every((x) => dead.has(x) || candidates.has(x))) {
          dead.set(r, 'test package left empty');
          goes(r);
          changed = true;
        }
        continue;
      }
      if (/^test_/.test(name)) continue;
      // Imported only by deleted files: then imported by one of them (most files are not).
      if (!gone.has(r)) continue;
      const importers = graph.importersOf(r);
      if (importers.length && importers.every((i) => dead.has(i) || candidates.has(i))) {
        dead.set(
          r,
          `test support only imported by deleted files (${importers.map((i) => basename(i)).join(', ')})`,
        );
        goes(r);
        changed = true;
      }
    }
  }
  return dead;
}
