/**
 * Versioned objects as the workflows need them: for one tree (a git revision or a work tree), every
 * object class in the objects package with its VERSION, its wire schema (fields after inheritance,
 * as source text of each field definition), its remotable method signatures and every method it
 * has (own and inherited); and, for a branch, which (object, version, schema) triples its history
 * ever shipped.
 *
 * Extraction goes through src/history's per-module extractor (`extractModule`), cached by blob id,
 * so the same file at many revisions is parsed once. Trees are read with one long-lived
 * `git cat-file --batch` (src/history's GitObjectStore); nothing needs a checkout.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type GitObjectStore, runGit } from '../history/git-objects.js';
import { extractModule, type ModuleSummary, type RawClass } from '../history/object-extractor.js';
import { exprText, type PyExpr } from '../history/python-expr.js';
import { moduleNameForPath } from '../python/source-file.js';

export const DEFAULT_OBJECTS_DIR = 'nova/objects';

/** Base classes that mark a versioned object (the last dotted component). */
const OBJECT_ROOTS = new Set([
  'NovaObject',
  'VersionedObject',
  'NovaEphemeralObject',
  'EphemeralObject',
  'ObjectListBase',
  'VersionedObjectDictCompat',
]);

export interface ObjectInfo {
  name: string;
  /** Path relative to the tree root. */
  file: string;
  line: number;
  version: string;
  /** Whether VERSION is written in the class itself (not inherited or defaulted). */
  versionLine?: number;
  /** Field name -> the field's definition as source text (after inheritance). */
  fields: Record<string, string>;
  /** Remotable methods: name -> signature text. */
  remotable: Record<string, string>;
  /** Every method, own and inherited from classes of the objects package. */
  methods: string[];
  /** Fingerprint of the wire schema (fields). */
  schema: string;
}

/** Reads Python files of one tree: a git revision, or a directory on disk. */
export interface TreeReader {
  /** `stable/ocata@1a2b3c4d`, `work tree`. */
  label: string;
  /** `.py` files directly in `dir` (relative to the tree root). */
  listPy(dir: string): Promise<string[]>;
  /** Text of a file, undefined when absent. */
  read(path: string): Promise<string | undefined>;
  /** A cache key for the file's content (blob id, or undefined: do not cache). */
  key(path: string): Promise<string | undefined>;
}

/** A tree at a git revision. `prefix` is the tree's path inside the repository ('' or 'a/b/'). */
export function gitTreeReader(
  store: GitObjectStore,
  rev: string,
  prefix = '',
  label = rev.slice(0, 12),
): TreeReader {
  return {
    label,
    async listPy(dir) {
      const entries = await store.listDirectory(rev, `${prefix}${dir}`);
      return (entries ?? [])
        .filter((e) => e.type === 'blob' && e.name.endsWith('.py'))
        .map((e) => `${dir}/${e.name}`);
    },
    async read(path) {
      const oid = await store.blobId(rev, `${prefix}${path}`);
      return oid ? (await store.readBlob(oid)).toString('utf8') : undefined;
    },
    key: (path) => store.blobId(rev, `${prefix}${path}`),
  };
}

/** A tree on disk (a work tree, dirty or not). */
export function fsTreeReader(root: string, label = 'work tree'): TreeReader {
  return {
    label,
    async listPy(dir) {
      try {
        return readdirSync(join(root, dir))
          .filter((n) => n.endsWith('.py') && statSync(join(root, dir, n)).isFile())
          .sort()
          .map((n) => `${dir}/${n}`);
      } catch {
        return [];
      }
    },
    async read(path) {
      try {
        return readFileSync(join(root, path), 'utf8');
      } catch {
        return undefined;
      }
    },
    key: async () => undefined,
  };
}

const summaryCache = new Map<string, ModuleSummary>();

async function summarize(
  reader: TreeReader,
  path: string,
  text?: string,
): Promise<ModuleSummary | undefined> {
  const key = await reader.key(path);
  const cached = key ? summaryCache.get(key) : undefined;
  if (cached) return cached;
  const src = text ?? (await reader.read(path));
  if (src === undefined) return undefined;
  const m = moduleNameForPath(path);
  const summary = extractModule(
    path,
    src,
    m?.moduleName ?? path.replace(/\.py$/, '').replace(/\//g, '.'),
    m?.isPackage ?? false,
  );
  if (key) summaryCache.set(key, summary);
  return summary;
}

function lastName(q: string): string {
  return q.slice(q.lastIndexOf('.') + 1);
}

function strValue(e: PyExpr | undefined): string | undefined {
  return e?.k === 'str' ? e.v : undefined;
}

/** Field entries written in a `fields` expression: a literal dict, `dict(Base.fields, **{...})`, `X.fields`. */
function fieldEntries(e: PyExpr | undefined, out: Map<string, string>, inherits: string[]): void {
  if (!e) return;
  if (e.k === 'dict') {
    for (const [k, v] of e.entries) if (k.k === 'str') out.set(k.v, exprText(v));
    for (const s of e.splats ?? []) fieldEntries(s, out, inherits);
  } else if (e.k === 'call' && e.f.k === 'name' && lastName(e.f.q) === 'dict') {
    for (const a of e.args) fieldEntries(a, out, inherits);
    for (const [k, v] of Object.entries(e.kw)) out.set(k, exprText(v));
    for (const s of e.starKw ?? []) fieldEntries(s, out, inherits);
  } else if (e.k === 'name' && e.q.endsWith('.fields')) {
    inherits.push(lastName(e.q.slice(0, -'.fields'.length)));
  } else if (e.k === 'binop') {
    fieldEntries(e.l, out, inherits);
    fieldEntries(e.r, out, inherits);
  }
}

function signatureText(m: RawClass['remotable'][number]): string {
  const args = [...m.args];
  if (m.varargs) args.push(`*${m.varargs}`);
  if (m.varkw) args.push(`**${m.varkw}`);
  return `${m.classmethod ? 'classmethod ' : ''}${m.name}(${args.join(', ')})${m.defaults.length ? ` defaults=${m.defaults.join(',')}` : ''}`;
}

interface ClassEntry {
  cls: RawClass;
  file: string;
  module: string;
}

export interface ObjectSnapshot {
  label: string;
  objects: Map<string, ObjectInfo>;
  /** Files of the objects package that were read. */
  files: string[];
}

/**
 * Every versioned object in `objectsDir` of a tree. `onlyFiles` limits the modules whose objects are
 * returned (bases and mixins are still read from the whole package so inheritance resolves).
 */
export async function readObjects(
  reader: TreeReader,
  objectsDir = DEFAULT_OBJECTS_DIR,
): Promise<ObjectSnapshot> {
  const files = await reader.listPy(objectsDir);
  const classes = new Map<string, ClassEntry>();
  for (const file of files) {
    const s = await summarize(reader, file);
    if (!s) continue;
    for (const cls of s.classes) {
      // Several majors in one file (InstanceV1 / InstanceV2) both named by obj_name: keep the later.
      classes.set(cls.name, { cls, file, module: s.module });
    }
  }
  const objects = new Map<string, ObjectInfo>();
  const isObject = (name: string, seen = new Set<string>()): boolean => {
    if (seen.has(name)) return false;
    seen.add(name);
    const c = classes.get(name);
    if (!c) return false;
    return c.cls.bases.some((b) => {
      const n = b.k === 'name' ? lastName(b.q) : b.k === 'call' && b.f.k === 'name' ? lastName(b.f.q) : '';
      return OBJECT_ROOTS.has(n) || isObject(n, seen);
    });
  };
  const baseNames = (c: RawClass): string[] =>
    c.bases.flatMap((b) => (b.k === 'name' ? [lastName(b.q)] : []));
  const resolveFields = (name: string, seen = new Set<string>()): Map<string, string> => {
    const out = new Map<string, string>();
    const c = classes.get(name);
    if (!c || seen.has(name)) return out;
    seen.add(name);
    // bases right to left so the leftmost base wins, then the class's own fields win
    for (const b of [...baseNames(c.cls)].reverse())
      for (const [k, v] of resolveFields(b, seen)) out.set(k, v);
    const inherits: string[] = [];
    const own = new Map<string, string>();
    fieldEntries(c.cls.attrs.fields, own, inherits);
    for (const i of inherits) for (const [k, v] of resolveFields(i, seen)) out.set(k, v);
    for (const [k, v] of own) out.set(k, v);
    for (const u of c.cls.fieldsUpdates) fieldEntries(u, out, []);
    for (const d of c.cls.fieldsDeleted) out.delete(d);
    return out;
  };
  const resolveVersion = (name: string, seen = new Set<string>()): string | undefined => {
    const c = classes.get(name);
    if (!c || seen.has(name)) return undefined;
    seen.add(name);
    const own = strValue(c.cls.attrs.VERSION);
    if (own) return own;
    for (const b of baseNames(c.cls)) {
      if (!isObject(b) && !classes.get(b)?.cls.attrs.VERSION) continue;
      const v = resolveVersion(b, seen);
      if (v && isObject(b)) return v;
    }
    return undefined;
  };
  const resolveMethods = (name: string, seen = new Set<string>()): Set<string> => {
    const c = classes.get(name);
    const out = new Set<string>();
    if (!c || seen.has(name)) return out;
    seen.add(name);
    for (const m of c.cls.methods) out.add(m);
    for (const m of c.cls.remotable) out.add(m.name);
    for (const b of baseNames(c.cls)) for (const m of resolveMethods(b, seen)) out.add(m);
    return out;
  };
  for (const [name, c] of classes) {
    if (/\.objects\.(base|fields)$/.test(c.module) || OBJECT_ROOTS.has(name) || !isObject(name)) continue;
    const fields = Object.fromEntries([...resolveFields(name)].sort(([a], [b]) => a.localeCompare(b)));
    const remotable = Object.fromEntries(c.cls.remotable.map((m) => [m.name, signatureText(m)]));
    const versionLine = c.cls.attrLines.VERSION;
    objects.set(name, {
      name,
      file: c.file,
      line: c.cls.line,
      version: resolveVersion(name) ?? '1.0',
      ...(strValue(c.cls.attrs.VERSION) && versionLine ? { versionLine } : {}),
      fields,
      remotable,
      methods: [...resolveMethods(name)].sort(),
      schema: JSON.stringify(fields),
    });
  }
  return { label: reader.label, objects, files };
}

export interface SchemaDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

export function diffFields(a: ObjectInfo, b: ObjectInfo): SchemaDiff {
  const added = Object.keys(b.fields).filter((k) => !(k in a.fields));
  const removed = Object.keys(a.fields).filter((k) => !(k in b.fields));
  const changed = Object.keys(b.fields).filter((k) => k in a.fields && a.fields[k] !== b.fields[k]);
  return { added, removed, changed };
}

export function describeDiff(d: SchemaDiff): string {
  const parts: string[] = [];
  if (d.added.length) parts.push(`adds ${d.added.join(', ')}`);
  if (d.removed.length) parts.push(`removes ${d.removed.join(', ')}`);
  if (d.changed.length) parts.push(`changes ${d.changed.join(', ')}`);
  return parts.join('; ');
}

export interface VersionSighting {
  schema: string;
  fields: Record<string, string>;
  /** The newest commit of the branch where this (version, schema) was seen. */
  commit: string;
}

/**
 * Which versions (and schemas) of the named objects a branch's history shipped: walks every commit
 * of `rev` that touched the objects package (newest first), reading only the modules that define
 * one of `names`. `maxCommits` bounds the walk (undefined: all).
 */
export async function objectVersionHistory(
  store: GitObjectStore,
  rev: string,
  names: ReadonlySet<string>,
  opts: { prefix?: string; objectsDir?: string; maxCommits?: number } = {},
): Promise<Map<string, Map<string, VersionSighting[]>>> {
  const prefix = opts.prefix ?? '';
  const objectsDir = opts.objectsDir ?? DEFAULT_OBJECTS_DIR;
  const out = new Map<string, Map<string, VersionSighting[]>>();
  if (!names.size) return out;
  const list = await runGit(store.gitDir, [
    'rev-list',
    ...(opts.maxCommits ? [`--max-count=${opts.maxCommits}`] : []),
    rev,
    '--',
    `${prefix}${objectsDir}`,
  ]);
  const commits = list.split('\n').filter(Boolean);
  const seenSnapshots = new Set<string>();
  const pattern = new RegExp(`^class (${[...names].map((n) => n.replace(/[^\w]/g, '')).join('|')})\\b`, 'm');
  for (const commit of commits) {
    const entries = await store.listDirectory(commit, `${prefix}${objectsDir}`);
    if (!entries) continue;
    // A snapshot = the set of blob ids of the package: identical ones need no second look.
    const snapshotKey = entries.map((e) => e.oid).join(',');
    if (seenSnapshots.has(snapshotKey)) continue;
    seenSnapshots.add(snapshotKey);
    const reader = gitTreeReader(store, commit, prefix);
    const relevant: string[] = [];
    for (const e of entries) {
      if (e.type !== 'blob' || !e.name.endsWith('.py')) continue;
      const text = (await store.readBlob(e.oid)).toString('utf8');
      if (pattern.test(text)) relevant.push(e.name);
    }
    if (!relevant.length) continue;
    const snap = await readObjects(reader, objectsDir);
    for (const name of names) {
      const o = snap.objects.get(name);
      if (!o) continue;
      let byVersion = out.get(name);
      if (!byVersion) {
        byVersion = new Map();
        out.set(name, byVersion);
      }
      let sightings = byVersion.get(o.version);
      if (!sightings) {
        sightings = [];
        byVersion.set(o.version, sightings);
      }
      if (!sightings.some((s) => s.schema === o.schema))
        sightings.push({ schema: o.schema, fields: o.fields, commit });
    }
  }
  return out;
}

/** `Instance` -> `instance`, `BlockDeviceMapping` -> `block_device_mapping`. */
export function snakeName(cls: string): string {
  return cls
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}
