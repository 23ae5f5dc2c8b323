/**
 * What `verify objects` checks against: the object definitions of the code under test (a work
 * tree on disk, or a revision of a git repository, bare or not) and the history before it: every
 * release tag the revision contains (or those `--support` names), each with the registered
 * objects and its version manifest ({objname: version}), folded into the historical manifest of
 * src/history. A tree without git (a distribution package) gets its history from the objects'
 * version comments instead, optionally merged with `--history-from` a git repository.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { HistoryCache } from '../../history/cache.js';
import { summarizeDiskTree } from '../../history/disk-tree.js';
import { findGitDir, GitObjectStore, runGit } from '../../history/git-objects.js';
import {
  commitsTouching,
  DEFAULT_CONSTANT_MODULES,
  DEFAULT_OBJECT_DIRS,
  type HistoricalManifest,
  ManifestBuilder,
  novaTagKey,
  type RevisionRef,
  releaseTags,
  TreeReader,
} from '../../history/history-walk.js';
import { EXTRACTOR_VERSION } from '../../history/object-extractor.js';
import type { ExtractedObject, ResolvedTree } from '../../history/object-resolver.js';
import { resolveObjects } from '../../history/object-resolver.js';
import { reconstructFieldSets } from '../../history/version-comments.js';
import type { EraName } from '../../objects/eras.js';
import type { ObjectVersionDef, VersionManifest } from '../../objects/model.js';
import { ObjectRegistry } from '../../objects/registry.js';
import { compareVersions, majorOf } from '../../objects/versions.js';

const execFileAsync = promisify(execFile);

/** One revision the history holds: a release tag, the code under test, or the `--base`. */
export interface Release {
  label: string;
  commit: string | undefined;
  era: EraName;
  /** `{objname: VERSION}` of every registered object: what a peer running it has registered. */
  manifest: VersionManifest;
  /** Registered definitions by name (several majors of one name: newest first). */
  defs: Map<string, ObjectVersionDef[]>;
  objects: ExtractedObject[];
}

/** One historical (object, version) and where it comes from. */
export interface VersionEntry {
  name: string;
  version: string;
  def: ObjectVersionDef;
  /** First release that shipped it (undefined for reconstructed or unreleased versions). */
  firstSeen: string | undefined;
  lastSeen: string | undefined;
  /** 'history' (seen at a walked revision), 'reconstructed' (version comments), 'current'. */
  source: 'history' | 'reconstructed' | 'current';
}

export interface ObjectsHistory {
  /** The code under test. */
  current: Release;
  /** Walked releases in release order (current excluded). */
  releases: Release[];
  /** Releases whose versions must still be talked to (a subset of `releases`). */
  supported: Release[];
  /** name -> version -> entry (every version known, current included). */
  versions: Map<string, Map<string, VersionEntry>>;
  /** Every known (name, version), for schemas and graph building. */
  registry: ObjectRegistry;
  /** The src/history manifest (schema changes under one version number, child versions seen). */
  manifest: HistoricalManifest | undefined;
  base: Release | undefined;
  /** Names of notification payload objects (sent to consumers, never backleveled). */
  notifications: Set<string>;
  repo: string;
  notes: string[];
}

export interface HistoryOptions {
  /** Work tree or git directory (bare repositories included). */
  repo: string;
  /** Code under test (default: the work tree, or HEAD of a bare repository). */
  rev?: string;
  /** `2014.1..`, `2014.1..2015.1.0`, `..13.0.0` or a comma-separated list of tags. */
  support?: string;
  /** A git repository to take the history from when `repo` has none. */
  historyFrom?: string;
  /** Compare with this revision (version-bump between base and the code under test). */
  base?: string;
  era?: EraName;
  noCache?: boolean;
  cacheDir?: string;
  objectDirs?: string[];
  /**
   * When the repository has no release tags, walk the commits that touched the object directories
   * instead (each commit is a release of the history; `support` does not apply to them), and take
   * the versions older than an object's first commit from its version comments (history that
   * predates the repository, or a shallow clone's cut).
   */
  commitsWithoutTags?: boolean;
}

/** Where a directory sits in git: its repository's work tree root and its prefix (`a/b/`). */
export interface GitLocation {
  gitRoot: string;
  prefix: string;
}

/**
 * The git work tree holding `dir` (a sub-directory of a larger repository included), or undefined
 * when `dir` is not inside one. A bare git directory is not a work tree.
 */
export async function gitWorkTreeOf(dir: string): Promise<GitLocation | undefined> {
  try {
    const { stdout: out } = await execFileAsync(
      'git',
      ['-C', dir, 'rev-parse', '--show-toplevel', '--show-prefix'],
      {
        encoding: 'utf8',
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      },
    );
    const [top, prefix = ''] = out.split('\n');
    if (!top) return undefined;
    return { gitRoot: top, prefix: prefix.trim() };
  } catch {
    return undefined;
  }
}

function releaseOf(label: string, commit: string | undefined, tree: ResolvedTree): Release {
  const defs = new Map<string, ObjectVersionDef[]>();
  const manifest: VersionManifest = {};
  const objects = tree.objects.filter((o) => o.registered);
  for (const o of objects) {
    const list = defs.get(o.def.name) ?? [];
    list.push(o.def);
    list.sort((a, b) => compareVersions(b.version, a.version));
    defs.set(o.def.name, list);
  }
  for (const [name, list] of defs) manifest[name] = (list[0] as ObjectVersionDef).version;
  return { label, commit, era: tree.era, manifest, defs, objects };
}

/** Resolves the objects of a tree on disk (a work tree or an installed package root). */
export async function readTreeFromDisk(
  root: string,
  opts: { objectDirs?: string[]; era?: EraName } = {},
): Promise<ResolvedTree> {
  const summaries = await summarizeDiskTree(root, opts.objectDirs ?? DEFAULT_OBJECT_DIRS);
  return resolveObjects(summaries, opts.era ? { era: opts.era } : {});
}

/** Selects support releases from release-ordered labels. */
export function selectSupported(labels: string[], spec: string | undefined): string[] {
  if (!spec) return labels;
  const m = /^([^.,\s][^,\s]*?)?\.\.([^,\s]*)$/.exec(spec.trim());
  if (m && spec.includes('..') && !spec.includes(',')) {
    const from = m[1];
    const to = m[2];
    const key = (t: string) => novaTagKey(t, true);
    const cmp = (a: number[], b: number[]) => {
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const d = (a[i] ?? 0) - (b[i] ?? 0);
        if (d !== 0) return d;
      }
      return 0;
    };
    const fk = from ? key(from) : undefined;
    const tk = to ? key(to) : undefined;
    if ((from && !fk) || (to && !tk)) throw new Error(`--support ${spec}: not a release range`);
    return labels.filter((l) => {
      const k = key(l);
      if (!k) return false;
      if (fk && cmp(k, fk) < 0) return false;
      if (tk && cmp(k, tk) > 0) return false;
      return true;
    });
  }
  const wanted = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const missing = wanted.filter((w) => !labels.includes(w));
  if (missing.length)
    throw new Error(`--support: ${missing.join(', ')} not among the release tags of the history`);
  return labels.filter((l) => wanted.includes(l));
}

function addVersion(
  versions: Map<string, Map<string, VersionEntry>>,
  def: ObjectVersionDef,
  label: string | undefined,
  source: VersionEntry['source'],
): void {
  const byVersion = versions.get(def.name) ?? new Map<string, VersionEntry>();
  versions.set(def.name, byVersion);
  const e = byVersion.get(def.version);
  if (!e) {
    byVersion.set(def.version, {
      name: def.name,
      version: def.version,
      def,
      firstSeen: label,
      lastSeen: label,
      source,
    });
  } else if (source !== 'reconstructed') {
    if (e.source === 'reconstructed') {
      e.def = def;
      e.source = source;
      e.firstSeen = label;
    } else if (source === 'history') e.def = def;
    e.lastSeen = label ?? e.lastSeen;
  }
}

/** Older versions of the current objects from their version comments (no git history). */
export function reconstructFromComments(
  objects: ExtractedObject[],
  versions: Map<string, Map<string, VersionEntry>>,
  options: { olderOnly?: boolean } = {},
): number {
  let added = 0;
  for (const o of objects) {
    if (!o.registered) continue;
    const rec = reconstructFieldSets(o.def.version, Object.keys(o.def.fields), o.historyComments);
    // With olderOnly, only versions below the oldest one already known (of the same major).
    const known = [...(versions.get(o.def.name)?.keys() ?? [])].filter(
      (v) => majorOf(v) === majorOf(o.def.version),
    );
    const oldest = known.sort(compareVersions)[0];
    for (const r of rec) {
      if (r.version === o.def.version || majorOf(r.version) !== majorOf(o.def.version)) continue;
      if (versions.get(o.def.name)?.has(r.version)) continue;
      if (options.olderOnly && oldest && compareVersions(r.version, oldest) >= 0) continue;
      const fields: ObjectVersionDef['fields'] = {};
      for (const f of r.fields) fields[f] = o.def.fields[f] as ObjectVersionDef['fields'][string];
      const def: ObjectVersionDef = {
        ...o.def,
        version: r.version,
        fields,
        relationships: {},
        childVersions: [],
        source: { ...(o.def.source ?? { file: '' }), commit: 'version-comments' },
      };
      addVersion(versions, def, undefined, 'reconstructed');
      added++;
    }
  }
  return added;
}

function isGitRepo(path: string): boolean {
  try {
    findGitDir(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Loads the code under test and its history. The store is closed before returning.
 */
export async function loadObjectsHistory(opts: HistoryOptions): Promise<ObjectsHistory> {
  const notes: string[] = [];
  const objectDirs = opts.objectDirs ?? DEFAULT_OBJECT_DIRS;
  const repoIsGit = isGitRepo(opts.repo);
  // A sub-directory of a larger work tree (backlevel's own fixtures/sample-nova) takes its history
  // from that repository, read below its prefix.
  const location = repoIsGit ? undefined : await gitWorkTreeOf(opts.repo);
  const inGit = repoIsGit || location !== undefined;
  const gitSource = repoIsGit ? opts.repo : (location?.gitRoot ?? opts.historyFrom);
  const prefix = location?.prefix ?? '';
  if (!inGit && opts.rev) throw new Error(`--rev needs a git repository; ${opts.repo} has none`);
  const workTree = location !== undefined || (repoIsGit && existsSync(join(opts.repo, '.git')));
  let current: Release;
  const releases: Release[] = [];
  let manifest: HistoricalManifest | undefined;
  let base: Release | undefined;
  const versions = new Map<string, Map<string, VersionEntry>>();
  let store: GitObjectStore | undefined;
  try {
    if (gitSource) {
      store = GitObjectStore.open(gitSource);
      const cache = opts.noCache
        ? HistoryCache.disabled()
        : HistoryCache.open(EXTRACTOR_VERSION, opts.cacheDir ?? undefined);
      // `prefix` is read by TreeReader (src/history) for trees below the repository root.
      const treeOptions = {
        objectDirs,
        ...(opts.era ? { era: opts.era } : {}),
        cache,
        ...(prefix ? { prefix } : {}),
      };
      const reader = new TreeReader(store, treeOptions);
      const useDisk = !inGit || (workTree && !opts.rev);
      let currentCommit: string | undefined;
      if (useDisk) {
        current = releaseOf(
          'work tree',
          undefined,
          await readTreeFromDisk(opts.repo, { objectDirs, ...(opts.era ? { era: opts.era } : {}) }),
        );
        if (inGit) currentCommit = await store.resolveCommit('HEAD');
      } else {
        const rev = opts.rev ?? 'HEAD';
        currentCommit = await store.resolveCommit(rev);
        const snap = await reader.read(currentCommit);
        current = releaseOf(rev, currentCommit, snap.tree);
      }
      // Release tags contained in the code under test (all of them for --history-from).
      const tagMap = await store.tags();
      let contained: Set<string> | undefined;
      if (inGit && currentCommit) {
        const out = await runGit(store.gitDir, ['tag', '--merged', currentCommit]);
        contained = new Set(out.split('\n').filter(Boolean));
      }
      // Release tags live on stable branches: a tag is history when the code under test contains
      // it or it was committed no later than the code under test.
      const cutoff = currentCommit ? (await store.readCommit(currentCommit)).committerTime : Infinity;
      let refs: RevisionRef[] = [];
      for (const r of releaseTags(tagMap)) {
        if (!contained || contained.has(r.label)) refs.push(r);
        else if ((await store.readCommit(r.commit)).committerTime <= cutoff) refs.push(r);
      }
      let byCommit = false;
      if (refs.length === 0 && opts.commitsWithoutTags && inGit && currentCommit) {
        const dirs = [...objectDirs, ...DEFAULT_CONSTANT_MODULES].map((d) => `${prefix}${d}`);
        refs = (await commitsTouching(store, [currentCommit], dirs)).map((r) => ({
          label: r.commit.slice(0, 12),
          commit: r.commit,
        }));
        byCommit = true;
        notes.push(
          `no release tags: the history is the ${refs.length} commit(s) that touched ${objectDirs.join(', ')}${opts.support ? ` (--support ${opts.support} not applied)` : ''}`,
        );
      }
      const supportedLabels = new Set(
        byCommit
          ? refs.map((r) => r.label)
          : selectSupported(
              refs.map((r) => r.label),
              opts.support,
            ),
      );
      // History starts at the first supported release: nothing older needs talking to.
      const first = refs.findIndex((r) => supportedLabels.has(r.label));
      const walked = first >= 0 ? refs.slice(first) : [];
      const builder = new ManifestBuilder();
      for (const r of walked) {
        const snap = await reader.read(r.commit);
        if (snap.tree.objects.length === 0) continue;
        builder.add({ ...snap, label: r.label });
        const rel = releaseOf(r.label, r.commit, snap.tree);
        releases.push(rel);
        for (const defs of rel.defs.values())
          for (const d of defs) addVersion(versions, d, r.label, 'history');
      }
      if (current.commit === undefined || !walked.some((r) => r.commit === current.commit)) {
        const snapTree: ResolvedTree = {
          objects: current.objects,
          era: current.era,
          eraFacts: {
            importsOsloVersionedObjects: false,
            hasObjRelationships: false,
            hasChildVersions: false,
          },
          unregistered: [],
        };
        builder.add({
          label: current.label,
          commit: current.commit ?? 'work tree',
          committerTime: 0,
          tree: snapTree,
          files: 0,
          syntaxErrors: [],
        });
      }
      manifest = builder.build();
      if (opts.base) {
        const bc = await store.resolveCommit(opts.base);
        base = releaseOf(opts.base, bc, (await reader.read(bc)).tree);
      }
      reader.cache.flush();
      if (!inGit) {
        notes.push(`history taken from ${opts.historyFrom} (release tags), the code from ${opts.repo}`);
      }
      const supported = releases.filter((r) => supportedLabels.has(r.label));
      for (const defs of current.defs.values())
        for (const d of defs) addVersion(versions, d, undefined, 'current');
      if (!inGit) reconstructFromComments(current.objects, versions);
      else if (byCommit) {
        const n = reconstructFromComments(current.objects, versions, { olderOnly: true });
        if (n) notes.push(`${n} version(s) older than the first commit reconstructed from version comments`);
      }
      return finish({ current, releases, supported, versions, manifest, base, repo: opts.repo, notes });
    }
    current = releaseOf(
      'work tree',
      undefined,
      await readTreeFromDisk(opts.repo, { objectDirs, ...(opts.era ? { era: opts.era } : {}) }),
    );
    if (current.objects.length === 0) {
      throw new Error(`${opts.repo}: no versioned objects under ${objectDirs.join(', ')}`);
    }
    for (const defs of current.defs.values())
      for (const d of defs) addVersion(versions, d, undefined, 'current');
    const n = reconstructFromComments(current.objects, versions);
    notes.push(
      `${opts.repo} has no git history: ${n} older versions reconstructed from version comments (give --history-from a git repository for the real schemas)`,
    );
    return finish({ current, releases, supported: [], versions, manifest, base, repo: opts.repo, notes });
  } finally {
    store?.close();
  }
}

function finish(h: Omit<ObjectsHistory, 'registry' | 'notifications'>): ObjectsHistory {
  const notifications = new Set<string>();
  for (const rel of [...h.releases, h.current])
    for (const o of rel.objects) if (o.kind === 'notification') notifications.add(o.def.name);
  const registry = new ObjectRegistry();
  for (const byVersion of h.versions.values()) for (const e of byVersion.values()) registry.register(e.def);
  return { ...h, registry, notifications };
}

/** The release a peer at (name, version) ran: the first that shipped it. */
export function receiverRelease(h: ObjectsHistory, name: string, version: string): Release | undefined {
  const e = h.versions.get(name)?.get(version);
  if (!e?.firstSeen) return undefined;
  return h.releases.find((r) => r.label === e.firstSeen);
}

/** Relative path of a definition's source for findings. */
export function sourceFile(def: ObjectVersionDef, root?: string): string {
  const f = def.source?.file ?? '';
  return root && f.startsWith('/') ? relative(root, f) : f;
}
