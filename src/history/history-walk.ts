/**
 * Walking history: read the object definitions of a tree at a revision, then fold many revisions
 * (release tags, a revision range, every commit touching the objects directories) into the
 * historical manifest: object -> version -> schema, the child versions seen with it, the first and
 * last revision it was seen at, and every revision where the same version number carried a
 * different schema (a missing version bump).
 *
 * Cost model: a blob is parsed once ever (module summaries are cached by blob id in memory and on
 * disk); a tree whose (path, blob) list was resolved before is not resolved again (cached by a
 * hash of that list); git objects come through one `cat-file --batch` process.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { EraName } from '../objects/eras.js';
import type { FieldDef, ObjectVersionDef, RemotableMethodDef, VersionPair } from '../objects/model.js';
import { compareVersions } from '../objects/versions.js';
import { initPython } from '../python/parser.js';
import { moduleNameForPath } from '../python/source-file.js';
import { HistoryCache } from './cache.js';
import type { GitObjectStore, TreeEntry } from './git-objects.js';
import { EXTRACTOR_VERSION, extractModule, type ModuleSummary } from './object-extractor.js';
import {
  type ExtractedObject,
  IncrementalResolver,
  type ResolvedTree,
  resolveObjects,
} from './object-resolver.js';
import { SummaryPool } from './summary-pool.js';
import type { SummaryJob } from './summary-worker.js';

/** Where Nova keeps versioned objects. */
export const DEFAULT_OBJECT_DIRS = ['nova/objects', 'nova/notifications/objects'];

/** Modules read only for their constants (enum values of 2015.1's fields.py, VIF models). */
export const DEFAULT_CONSTANT_MODULES = [
  'nova/compute/arch.py',
  'nova/compute/hv_type.py',
  'nova/compute/vm_mode.py',
  'nova/compute/cpumodel.py',
  'nova/network/model.py',
  'nova/virt/arch.py',
];

export interface TreeOptions {
  /**
   * Where the tree sits inside the repository (`''`, or `sub/tree/`): directories and files are
   * read below it, while paths and module names stay relative to the tree (`nova/objects/x.py`).
   */
  prefix?: string;
  objectDirs?: string[];
  constantModules?: string[];
  /** Force an era instead of detecting it from the code. */
  era?: EraName;
  cache?: HistoryCache;
  /**
   * Resolve each revision from the one resolved before it, re-resolving only the classes a changed
   * module can affect (`IncrementalResolver`). Default true; false resolves every tree from scratch
   * (same result, slower: the reference the incremental path is tested against).
   */
  incremental?: boolean;
  /**
   * Threads that parse modules during a cold walk (`TreeReader.prefetch`): default the machine's
   * available parallelism (at most 8); 1 parses on the calling thread only.
   */
  jobs?: number;
}

export interface RevisionSnapshot {
  /** What the caller asked for (tag name or commit id). */
  label: string;
  commit: string;
  committerTime: number;
  tree: ResolvedTree;
  /** Python files read (objects dirs and constant modules). */
  files: number;
  /** Files with syntax errors (extraction continued around them), also on cache hits. */
  syntaxErrors: SyntaxErrorAt[];
}

/** A syntax error in one of a revision's files (1-based line). */
export interface SyntaxErrorAt {
  path: string;
  line: number;
}

/** Reads and summarises modules, remembering summaries by blob id for the life of the reader. */
export class TreeReader {
  private readonly memory = new Map<string, ModuleSummary>();
  private readonly treeMemory = new Map<string, ResolvedTree>();
  readonly cache: HistoryCache;
  readonly stats = {
    parsed: 0,
    summaryHits: 0,
    treesResolved: 0,
    treeHits: 0,
    /** Classes whose previous resolution was reused / objects resolved anew (incremental mode). */
    objectsReused: 0,
    objectsResolved: 0,
  };
  private readonly incremental: IncrementalResolver | undefined;
  /** Blob ids parsed by this reader (cache misses), in order. */
  readonly parsedBlobs: string[] = [];

  constructor(
    readonly store: GitObjectStore,
    readonly options: TreeOptions = {},
  ) {
    this.cache = options.cache ?? HistoryCache.open(EXTRACTOR_VERSION);
    if (options.incremental !== false)
      this.incremental = new IncrementalResolver((o) => this.internObject(o));
  }

  /** The summary of a blob when known (memory, then disk), without parsing. */
  private knownSummary(key: string): ModuleSummary | undefined {
    const mem = this.memory.get(key);
    if (mem) return mem;
    const disk = this.cache.summaries?.get(key) as ModuleSummary | undefined;
    if (disk && disk.extractorVersion === EXTRACTOR_VERSION) {
      this.memory.set(key, disk);
      return disk;
    }
    return undefined;
  }

  private rememberSummary(key: string, oid: string, s: ModuleSummary): void {
    this.stats.parsed++;
    this.parsedBlobs.push(oid);
    this.memory.set(key, s);
    this.cache.summaries?.set(key, s);
  }

  private async summary(path: string, oid: string): Promise<ModuleSummary | undefined> {
    const mod = moduleNameForPath(path);
    if (!mod) return undefined;
    const key = `${oid}:${mod.moduleName}`;
    const mem = this.memory.get(key);
    if (mem) {
      this.stats.summaryHits++;
      return mem.path === path ? mem : { ...mem, path };
    }
    const disk = this.cache.summaries?.get(key) as ModuleSummary | undefined;
    if (disk && disk.extractorVersion === EXTRACTOR_VERSION) {
      this.stats.summaryHits++;
      this.memory.set(key, disk);
      return disk.path === path ? disk : { ...disk, path };
    }
    const ahead = this.parsing.get(key);
    if (ahead) {
      const s = await ahead;
      this.stats.summaryHits++;
      return s.path === path ? s : { ...s, path };
    }
    const text = (await this.store.readBlob(oid)).toString('utf8');
    await initPython();
    const s = extractModule(path, text, mod.moduleName, mod.isPackage);
    this.rememberSummary(key, oid, s);
    return s;
  }

  /** The commit-record key of a commit (the resolved tree it maps to, under these options). */
  private commitKey(oid: string): string {
    const optionsKey = `${(this.options.objectDirs ?? DEFAULT_OBJECT_DIRS).join(',')}|${(this.options.constantModules ?? DEFAULT_CONSTANT_MODULES).join(',')}|${this.options.era ?? ''}${this.options.prefix ? `|${this.options.prefix}` : ''}`;
    return `commit:${oid}:${createHash('sha1').update(optionsKey).digest('hex').slice(0, 12)}`;
  }

  /** File lists listed ahead by `prefetch`, taken by `read`. */
  private readonly filesAhead = new Map<string, Promise<{ path: string; oid: string }[]>>();
  /** Summaries being parsed by `prefetch`'s workers, by summary key. */
  private readonly parsing = new Map<string, Promise<ModuleSummary>>();

  /**
   * Starts parsing ahead of a walk over `revisions`, in the background: the files of each revision
   * not cached yet are listed in walk order, and each blob without a summary is parsed by one of
   * `jobs` worker threads (see `TreeOptions.jobs`) while the caller resolves earlier revisions;
   * `read` waits for the summaries it needs. Call `close()` on the result when the walk ends. Does
   * nothing (and `read` parses as it goes) with one job or without the compiled worker (tests).
   */
  prefetch(revisions: readonly string[]): { close(): Promise<void> } {
    const jobs = Math.min(8, Math.max(1, this.options.jobs ?? availableParallelism()));
    if (jobs < 2 || revisions.length < 2 || !SummaryPool.available()) return { close: async () => {} };
    type Item = { key: string; path: string; oid: string; moduleName: string; isPackage: boolean };
    const waiting = new Map<string, { resolve: (s: ModuleSummary) => void; reject: (e: Error) => void }>();
    const queue: Item[] = [];
    let listed = false;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    let pool: SummaryPool | undefined;
    const fail = (err: Error) => {
      failure ??= err;
      for (const [key, w] of waiting) {
        w.reject(err);
        this.parsing.delete(key);
      }
      waiting.clear();
      notify();
    };
    const lister = (async () => {
      for (const rev of revisions) {
        if (failure) return;
        const info = await this.store.readCommit(rev);
        if (this.cache.trees?.get(this.commitKey(info.oid)) || this.filesAhead.has(info.oid)) continue;
        const filesP = this.files(info.oid);
        this.filesAhead.set(info.oid, filesP);
        for (const f of await filesP) {
          const mod = moduleNameForPath(f.path);
          if (!mod) continue;
          const key = `${f.oid}:${mod.moduleName}`;
          if (this.parsing.has(key) || this.knownSummary(key)) continue;
          const promise = new Promise<ModuleSummary>((resolve, reject) =>
            waiting.set(key, { resolve, reject }),
          );
          promise.catch(() => {}); // observed by `summary`, or never needed
          this.parsing.set(key, promise);
          queue.push({ key, path: f.path, oid: f.oid, moduleName: mod.moduleName, isPackage: mod.isPackage });
          if (!pool) pool = new SummaryPool(jobs);
          notify();
        }
      }
    })()
      .catch((err: unknown) => fail(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        listed = true;
        notify();
      });
    const BATCH = 4;
    // Two feeders per worker: one batch is read from git while the other is parsed.
    const feed = async (worker: number): Promise<void> => {
      for (;;) {
        if (failure) return;
        if (!queue.length) {
          if (listed) return;
          await new Promise<void>((r) => {
            const prev = wake;
            wake = () => {
              prev?.();
              r();
            };
          });
          continue;
        }
        const batch = queue.splice(0, BATCH);
        const texts = await Promise.all(batch.map((t) => this.store.readBlob(t.oid)));
        const results = await pool!.run(
          worker,
          batch.map(
            (t, i): SummaryJob => ({
              id: i,
              path: t.path,
              text: texts[i]!.toString('utf8'),
              moduleName: t.moduleName,
              isPackage: t.isPackage,
            }),
          ),
        );
        batch.forEach((t, i) => {
          const summary = results.get(i)!;
          this.rememberSummary(t.key, t.oid, summary);
          this.parsing.delete(t.key);
          waiting.get(t.key)?.resolve(summary);
          waiting.delete(t.key);
        });
      }
    };
    const feeders = Promise.all(Array.from({ length: jobs * 2 }, (_, i) => feed(i % jobs))).catch(
      (err: unknown) => fail(err instanceof Error ? err : new Error(String(err))),
    );
    return {
      close: async () => {
        fail(new Error('prefetch closed'));
        await lister;
        await feeders;
        this.filesAhead.clear();
        await pool?.close();
      },
    };
  }

  /** (path, blob id) of every module the resolution of `commit` needs. */
  async files(commit: string): Promise<{ path: string; oid: string }[]> {
    const out: { path: string; oid: string }[] = [];
    const dirs = this.options.objectDirs ?? DEFAULT_OBJECT_DIRS;
    const prefix = this.options.prefix ?? '';
    for (const dir of dirs) {
      const entries: TreeEntry[] | undefined = await this.store.listDirectory(commit, `${prefix}${dir}`);
      for (const e of entries ?? []) {
        if (e.type === 'blob' && e.name.endsWith('.py')) out.push({ path: `${dir}/${e.name}`, oid: e.oid });
      }
    }
    if (out.length === 0) return out;
    for (const path of this.options.constantModules ?? DEFAULT_CONSTANT_MODULES) {
      const oid = await this.store.blobId(commit, `${prefix}${path}`);
      if (oid) out.push({ path, oid });
    }
    return out;
  }

  /** The module summaries of one revision (what `read` resolves; parsed once per blob). */
  async summaries(rev: string): Promise<ModuleSummary[]> {
    const commit = (await this.store.readCommit(rev)).oid;
    const out: ModuleSummary[] = [];
    for (const f of await this.files(commit)) {
      const s = await this.summary(f.path, f.oid);
      if (s) out.push(s);
    }
    return out;
  }

  /** Objects by content hash: equal objects of different revisions share one instance. */
  private readonly objectsByHash = new Map<string, ExtractedObject>();
  /** Content hash of each interned instance (hashed once, however many revisions share it). */
  private readonly hashOf = new WeakMap<ExtractedObject, string>();

  private internObject(o: ExtractedObject): ExtractedObject {
    if (this.hashOf.has(o)) return o;
    const h = createHash('sha1').update(JSON.stringify(o)).digest('hex');
    const known = this.objectsByHash.get(h);
    if (known) return known;
    this.objectsByHash.set(h, o);
    this.hashOf.set(o, h);
    this.cache.objects?.set(h, o);
    return o;
  }

  private intern(tree: ResolvedTree, key: string, syntaxErrors: SyntaxErrorAt[]): ResolvedTree {
    const objects = tree.objects.map((o) => this.internObject(o));
    const hashes = objects.map((o) => this.hashOf.get(o)!);
    const { objects: _o, ...rest } = tree;
    this.cache.trees?.set(key, {
      ...rest,
      objects: hashes,
      ...(syntaxErrors.length ? { syntaxErrors } : {}),
    });
    return { ...tree, objects };
  }

  private loadTree(key: string): ResolvedTree | undefined {
    const rec = this.cache.trees?.get(key) as
      | (Omit<ResolvedTree, 'objects'> & { objects: string[]; syntaxErrors?: SyntaxErrorAt[] })
      | undefined;
    if (!rec) return undefined;
    const objects: ExtractedObject[] = [];
    for (const h of rec.objects) {
      let o = this.objectsByHash.get(h);
      if (!o) {
        o = this.cache.objects?.get(h) as ExtractedObject | undefined;
        if (!o) return undefined;
        this.objectsByHash.set(h, o);
        this.hashOf.set(o, h);
      }
      objects.push(o);
    }
    const { syntaxErrors, ...tree } = rec;
    this.treeSyntaxErrors.set(key, syntaxErrors ?? []);
    return { ...tree, objects };
  }

  /** Syntax errors of the files of each resolved tree (by tree key), so tree hits report them too. */
  private readonly treeSyntaxErrors = new Map<string, SyntaxErrorAt[]>();

  /** The resolved objects of one revision. */
  async read(label: string): Promise<RevisionSnapshot> {
    const info = await this.store.readCommit(label);
    // A commit's tree never changes: remember which resolved tree it maps to (keyed with the
    // options that choose the files), so a warm walk reads no directories at all.
    const commitKey = this.commitKey(info.oid);
    const known = this.cache.trees?.get(commitKey) as { key: string; files: number } | undefined;
    if (known) {
      const tree = this.treeMemory.get(known.key) ?? this.loadTree(known.key);
      if (tree) {
        this.stats.treeHits++;
        this.remember(known.key, tree);
        return {
          label,
          commit: info.oid,
          committerTime: info.committerTime,
          tree,
          files: known.files,
          syntaxErrors: this.treeSyntaxErrors.get(known.key) ?? [],
        };
      }
    }
    const ahead = this.filesAhead.get(info.oid);
    this.filesAhead.delete(info.oid);
    const files = (ahead ? await ahead.catch(() => undefined) : undefined) ?? (await this.files(info.oid));
    const key = createHash('sha1')
      .update(`${EXTRACTOR_VERSION}|${this.options.era ?? ''}|`)
      .update(files.map((f) => `${f.path}:${f.oid}`).join('\n'))
      .digest('hex');
    this.cache.trees?.set(commitKey, { key, files: files.length });
    let tree = this.treeMemory.get(key) ?? this.loadTree(key);
    if (tree) {
      this.stats.treeHits++;
    } else {
      const summaries: ModuleSummary[] = [];
      const syntaxErrors: SyntaxErrorAt[] = [];
      for (const f of files) {
        const s = await this.summary(f.path, f.oid);
        if (!s) continue;
        summaries.push(s);
        for (const e of s.syntaxErrors) syntaxErrors.push({ path: f.path, line: e.line });
      }
      const options = this.options.era ? { era: this.options.era } : {};
      let resolved: ResolvedTree;
      if (this.incremental) {
        const before = { ...this.incremental.stats };
        resolved = this.incremental.resolve(summaries, options);
        this.stats.objectsReused += this.incremental.stats.objectsReused - before.objectsReused;
        this.stats.objectsResolved += this.incremental.stats.objectsResolved - before.objectsResolved;
      } else resolved = resolveObjects(summaries, options);
      tree = this.intern(resolved, key, syntaxErrors);
      this.treeSyntaxErrors.set(key, syntaxErrors);
      this.stats.treesResolved++;
    }
    this.remember(key, tree);
    return {
      label,
      commit: info.oid,
      committerTime: info.committerTime,
      tree,
      files: files.length,
      syntaxErrors: this.treeSyntaxErrors.get(key) ?? [],
    };
  }

  private remember(key: string, tree: ResolvedTree): void {
    this.treeMemory.set(key, tree);
    if (this.treeMemory.size > 64) {
      const oldest = this.treeMemory.keys().next().value as string;
      this.treeMemory.delete(oldest);
      this.treeSyntaxErrors.delete(oldest);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Revisions to walk

export interface RevisionRef {
  label: string;
  commit: string;
}

/**
 * Nova's release tags in release order: 2011.1 < ... < 2015.1.4 < 12.0.0 < ... < 33.0.2.
 * Pre-releases (`rc`, `b`, `a`, `.0b1`, `2013.1.g3`) and named tags (`*-eol`, `*-eom`, `essex-1`)
 * are left out unless `includePrereleases`.
 */
export function releaseTags(
  tags: Map<string, string>,
  options: { includePrereleases?: boolean } = {},
): RevisionRef[] {
  const out: { label: string; commit: string; key: number[] }[] = [];
  for (const [label, commit] of tags) {
    const key = novaTagKey(label, options.includePrereleases ?? false);
    if (key) out.push({ label, commit, key });
  }
  out.sort((a, b) => {
    for (let i = 0; i < Math.max(a.key.length, b.key.length); i++) {
      const d = (a.key[i] ?? 0) - (b.key[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
  return out.map(({ label, commit }) => ({ label, commit }));
}

/**
 * Sort key of a Nova tag, or undefined when it is not a release (or pre-release when allowed).
 * Date-versioned releases (2011.1 ... 2015.1.4) sort before semantic ones (12.0.0 ...): the first
 * key component is 0 for them and 1 for the rest. A pre-release sorts before its final release.
 */
export function novaTagKey(tag: string, includePrereleases = false): number[] | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:\.?(a|b|g|rc|0b|0rc)(\d+))?$/.exec(tag);
  if (!m) return undefined;
  const [, a, b, c, pre, preN] = m;
  if (pre && !includePrereleases) return undefined;
  const major = Number(a);
  const dated = major >= 2010 && major < 2100;
  if (!dated && major > 1000) return undefined;
  if (!dated && major < 12 && major !== 0) return undefined; // 0.9.0 is an ancient tag; keep out
  if (major === 0) return undefined;
  const preRank = pre ? ({ a: 0, g: 1, b: 1, '0b': 1, rc: 2, '0rc': 2 } as Record<string, number>)[pre]! : 3;
  return [dated ? 0 : 1, major, Number(b), Number(c ?? 0), preRank, Number(preN ?? 0)];
}

/** All release tags of the repository, in release order. */
export async function releaseTagRefs(
  store: GitObjectStore,
  options: { includePrereleases?: boolean } = {},
): Promise<RevisionRef[]> {
  return releaseTags(await store.tags(), options);
}

/** Every commit of `range` (default HEAD) touching the object directories, oldest first. */
export async function commitsTouching(
  store: GitObjectStore,
  range: string[] = ['HEAD'],
  dirs: string[] = DEFAULT_OBJECT_DIRS,
): Promise<RevisionRef[]> {
  const commits = await store.revList(range, dirs);
  return commits.map((c) => ({ label: c, commit: c }));
}

// ---------------------------------------------------------------------------------------------
// The historical manifest

export interface SchemaVariant {
  /** The definition as first seen with this schema. */
  def: ObjectVersionDef;
  schemaKey: string;
  firstSeen: string;
  lastSeen: string;
  /** Number of walked revisions showing this variant. */
  seen: number;
}

export interface SchemaChange {
  /** Revision where the schema changed while the version number stayed. */
  revision: string;
  commit: string;
  /** Revision just before, with the previous schema. */
  previous: string;
  changes: string[];
}

export interface VersionHistory {
  name: string;
  version: string;
  /** The schema as last seen (what a peer at this version most recently ran). */
  def: ObjectVersionDef;
  qname: string;
  kind: 'object' | 'notification';
  firstSeen: string;
  lastSeen: string;
  firstCommit: string;
  lastCommit: string;
  /** For each object-typed field: the child VERSIONs that were current alongside this version. */
  childVersionsSeen: Record<string, string[]>;
  variants: SchemaVariant[];
  /** Same version number, different schema: a missing version bump. */
  schemaChanges: SchemaChange[];
}

export interface HistoricalManifest {
  revisions: {
    label: string;
    commit: string;
    committerTime: number;
    era: EraName;
    objects: number;
    pairs: number;
  }[];
  objects: Record<string, Record<string, VersionHistory>>;
  /** Shallow-clone boundary commits when the repository was shallow (history before them is absent). */
  shallowBoundary: string[];
}

function fieldSchema(f: FieldDef): unknown {
  return { t: f.type, n: f.nullable, d: f.default ?? null, r: f.readOnly ?? false };
}

/** What must not change without a version bump: fields, remotable signatures, child_versions. */
export function schemaKeyOf(def: ObjectVersionDef): string {
  return JSON.stringify({
    f: Object.keys(def.fields)
      .sort()
      .map((k) => [k, fieldSchema(def.fields[k]!)]),
    m: def.remotableMethods.map((m: RemotableMethodDef) => [m.name, m.args, m.varargs, m.varkw, m.defaults]),
    c: [...def.childVersions].sort((a: VersionPair, b: VersionPair) => compareVersions(a[0], b[0])),
  });
}

/** Human-readable differences between two definitions of the same version. */
export function schemaDifferences(before: ObjectVersionDef, after: ObjectVersionDef): string[] {
  const out: string[] = [];
  for (const k of Object.keys(after.fields)) {
    if (!(k in before.fields)) out.push(`field ${k} added`);
    else if (JSON.stringify(fieldSchema(before.fields[k]!)) !== JSON.stringify(fieldSchema(after.fields[k]!)))
      out.push(`field ${k} changed`);
  }
  for (const k of Object.keys(before.fields)) if (!(k in after.fields)) out.push(`field ${k} removed`);
  const bm = new Map(before.remotableMethods.map((m) => [m.name, JSON.stringify(m)]));
  const am = new Map(after.remotableMethods.map((m) => [m.name, JSON.stringify(m)]));
  for (const [k, v] of am) {
    if (!bm.has(k)) out.push(`remotable ${k} added`);
    else if (bm.get(k) !== v) out.push(`remotable ${k} signature changed`);
  }
  for (const k of bm.keys()) if (!am.has(k)) out.push(`remotable ${k} removed`);
  if (JSON.stringify(before.childVersions) !== JSON.stringify(after.childVersions))
    out.push('child_versions changed');
  return out;
}

/** Folds revision snapshots (in walk order) into the historical manifest. */
export class ManifestBuilder {
  private readonly manifest: HistoricalManifest = { revisions: [], objects: {}, shallowBoundary: [] };
  private readonly lastKey = new Map<VersionHistory, string>();

  add(snap: RevisionSnapshot): void {
    const current = new Map<string, string>();
    for (const o of snap.tree.objects) current.set(o.def.name, o.def.version);
    let pairs = 0;
    for (const o of snap.tree.objects) pairs += pairsOf(o.def.version);
    this.manifest.revisions.push({
      label: snap.label,
      commit: snap.commit,
      committerTime: snap.committerTime,
      era: snap.tree.era,
      objects: snap.tree.objects.length,
      pairs,
    });
    for (const o of snap.tree.objects) this.addObject(o, snap, current);
  }

  private readonly lastVariant = new Map<VersionHistory, SchemaVariant>();
  private readonly objectFields = new WeakMap<ObjectVersionDef, [string, string][]>();

  /** (field, child object name) of the object-typed fields of a definition, computed once per instance. */
  private objectFieldsOf(def: ObjectVersionDef): [string, string][] {
    let out = this.objectFields.get(def);
    if (!out) {
      out = [];
      for (const [field, f] of Object.entries(def.fields))
        if (f.type.kind === 'Object' || f.type.kind === 'ListOfObjects') out.push([field, f.type.objName]);
      this.objectFields.set(def, out);
    }
    return out;
  }

  /** Schema keys per object instance: interned objects repeat across revisions, keys are computed once. */
  private readonly keys = new WeakMap<ObjectVersionDef, string>();

  private keyOf(def: ObjectVersionDef): string {
    let k = this.keys.get(def);
    if (k === undefined) {
      k = schemaKeyOf(def);
      this.keys.set(def, k);
    }
    return k;
  }

  private addObject(o: ExtractedObject, snap: RevisionSnapshot, current: Map<string, string>): void {
    this.manifest.objects[o.def.name] ??= {};
    const byVersion = this.manifest.objects[o.def.name]!;
    const key = this.keyOf(o.def);
    let h = byVersion[o.def.version];
    if (!h) {
      h = {
        name: o.def.name,
        version: o.def.version,
        def: o.def,
        qname: o.qname,
        kind: o.kind,
        firstSeen: snap.label,
        lastSeen: snap.label,
        firstCommit: snap.commit,
        lastCommit: snap.commit,
        childVersionsSeen: {},
        variants: [{ def: o.def, schemaKey: key, firstSeen: snap.label, lastSeen: snap.label, seen: 1 }],
        schemaChanges: [],
      };
      byVersion[o.def.version] = h;
      this.lastKey.set(h, key);
      this.lastVariant.set(h, h.variants[0]!);
    } else {
      const sameSchema = this.lastKey.get(h) === key;
      let variant = sameSchema ? this.lastVariant.get(h) : undefined;
      variant ??= h.variants.find((v) => v.schemaKey === key);
      if (!variant) {
        variant = { def: o.def, schemaKey: key, firstSeen: snap.label, lastSeen: snap.label, seen: 0 };
        h.variants.push(variant);
      }
      this.lastVariant.set(h, variant);
      if (!sameSchema) {
        h.schemaChanges.push({
          revision: snap.label,
          commit: snap.commit,
          previous: h.lastSeen,
          changes: schemaDifferences(h.def, o.def),
        });
      }
      variant.lastSeen = snap.label;
      variant.seen++;
      h.def = o.def;
      this.lastKey.set(h, key);
      h.lastSeen = snap.label;
      h.lastCommit = snap.commit;
    }
    for (const [field, objName] of this.objectFieldsOf(o.def)) {
      const childVersion = current.get(objName);
      if (!childVersion) continue;
      h.childVersionsSeen[field] ??= [];
      const seen = h.childVersionsSeen[field]!;
      if (!seen.includes(childVersion)) seen.push(childVersion);
    }
  }

  setShallowBoundary(boundary: readonly string[]): void {
    this.manifest.shallowBoundary = [...boundary];
  }

  build(): HistoricalManifest {
    return this.manifest;
  }
}

/** (object, version) pairs an object at `version` implies: every minor of its major from X.0. */
export function pairsOf(version: string): number {
  const parts = version.split('.');
  return Number(parts[1] ?? 0) + 1;
}

export interface WalkProgress {
  index: number;
  total: number;
  label: string;
}

/** Walks revisions in the given order and builds the manifest. */
export async function walkHistory(
  store: GitObjectStore,
  revisions: RevisionRef[],
  options: TreeOptions & { onProgress?: (p: WalkProgress) => void; reader?: TreeReader } = {},
): Promise<{ manifest: HistoricalManifest; snapshots: number; reader: TreeReader }> {
  const reader = options.reader ?? new TreeReader(store, options);
  const ahead = reader.prefetch(revisions.map((r) => r.commit));
  const builder = new ManifestBuilder();
  if (store.isShallow) builder.setShallowBoundary(store.shallowBoundary);
  let i = 0;
  try {
    for (const r of revisions) {
      const snap = await reader.read(r.commit);
      builder.add({ ...snap, label: r.label });
      options.onProgress?.({ index: ++i, total: revisions.length, label: r.label });
    }
  } finally {
    await ahead.close();
  }
  reader.cache.flush();
  return { manifest: builder.build(), snapshots: revisions.length, reader };
}
