/**
 * The backport rules, each a function of one applied commit (`BackportContext`) returning findings
 * positioned in the temporary tree after the apply (paths relative to the repository root):
 *
 * - backport-object-version-bump: the commit bumps a versioned object's VERSION (parent -> commit).
 * - backport-object-schema-change: the commit changes an object's fields without a bump (also
 *   forbidden on a stable branch: peers of the same version would disagree on the schema).
 * - backport-object-version-unknown: an object version the backported code defines or asks for
 *   (`target_version='1.x'`, `version_manifest={...}`) never existed, with that schema, in the
 *   target branch's history.
 * - backport-object-missing / backport-object-method-missing: the backported code uses an object
 *   class, or an object method, the target branch lacks.
 * - backport-os-xenapi-*: see backport-os-xenapi.ts (decided by the pin verifier).
 * - backport-reintroduces-raw-call: a raw conductor / VirtAPI / db call the branch had already
 *   converted to objects comes back.
 */

import { type GitObjectStore, runGit } from '../history/git-objects.js';
import {
  commitsTouching,
  DEFAULT_OBJECT_DIRS,
  type HistoricalManifest,
  schemaKeyOf,
  type TreeReader,
  walkHistory,
} from '../history/history-walk.js';
import type { ExtractedObject } from '../history/object-resolver.js';
import { type ConductorMethodTable, loadConductorMethods } from '../lint/conductor-methods.js';
import { findRawCalls } from '../lint/raw-calls.js';
import type { PyNode } from '../python/parser.js';
import { PyFile, pyFileOptionsFor } from '../python/source-file.js';
import { callArguments, literalDict, literalString } from '../python/syntax-helpers.js';
import type { Finding } from '../report/finding.js';
import { type ChangedFile, rangeChanged } from './git.js';
import {
  describeSchemaChange,
  methodsOf,
  type ObjectTree,
  objectLocation,
  objectTreeAt,
  snakeName,
} from './object-tree.js';

export interface BackportContext {
  store: GitObjectStore;
  /** The temporary work tree, checked out at `after`. */
  dir: string;
  /** The commit being backported, and its (first) parent. */
  commit: string;
  parent: string;
  /** What `--onto` named (`stable/ocata`), and the temporary tree's HEAD before and after the apply. */
  ontoName: string;
  before: string;
  after: string;
  /** Files the apply changed in the temporary tree, with new-side line ranges. */
  changes: ChangedFile[];
  /** src/history's reader for this repository (its object directories are the run's). */
  reader: TreeReader;
  /** Lazily computed, shared between rules. */
  cache: Map<string, unknown>;
}

async function cached<T>(ctx: BackportContext, key: string, make: () => Promise<T>): Promise<T> {
  if (!ctx.cache.has(key)) ctx.cache.set(key, make());
  return (await ctx.cache.get(key)) as T;
}

const objectDirsOf = (ctx: BackportContext) => ctx.reader.options.objectDirs ?? DEFAULT_OBJECT_DIRS;

export const treeAt = (
  ctx: BackportContext,
  which: 'parent' | 'commit' | 'before' | 'after',
): Promise<ObjectTree> =>
  cached(ctx, `tree:${which}`, () =>
    objectTreeAt(
      ctx.reader,
      ctx[which],
      which === 'before'
        ? ctx.ontoName
        : which === 'after'
          ? `${ctx.ontoName} + backport`
          : ctx[which].slice(0, 12),
    ),
  );

/** Python files the backport changed, parsed in the temporary tree after the apply (caller disposes). */
async function changedPython(ctx: BackportContext): Promise<{ change: ChangedFile; text: string }[]> {
  return cached(ctx, 'py', async () => {
    const out: { change: ChangedFile; text: string }[] = [];
    for (const change of ctx.changes) {
      if (!change.path.endsWith('.py') || change.status === 'deleted') continue;
      const oid = await ctx.store.blobId(ctx.after, change.path);
      if (!oid) continue;
      out.push({ change, text: (await ctx.store.readBlob(oid)).toString('utf8') });
    }
    return out;
  });
}

function withParsed<T>(path: string, text: string, fn: (file: PyFile) => T): T {
  const file = PyFile.parse(path, text, pyFileOptionsFor(path));
  try {
    return fn(file);
  } finally {
    file.dispose();
  }
}

function nodeRange(file: PyFile, node: PyNode) {
  const s = file.position(node.startIndex);
  const e = file.position(node.endIndex);
  return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
}

/** Object modules the commit changed. */
function touchedObjectFiles(ctx: BackportContext): Set<string> {
  const dirs = objectDirsOf(ctx).map((d) => `${d}/`);
  return new Set(
    ctx.changes
      .filter((c) => c.path.endsWith('.py') && dirs.some((d) => c.path.startsWith(d)))
      .map((c) => c.path),
  );
}

const fileOf = (o: ExtractedObject) => o.def.source?.file ?? '';

/** Rule: no object version bump (and no schema change) may be backported. */
export async function ruleObjectVersionBump(ctx: BackportContext): Promise<Finding[]> {
  const touched = touchedObjectFiles(ctx);
  if (!touched.size) return [];
  const [parent, commit, after] = await Promise.all([
    treeAt(ctx, 'parent'),
    treeAt(ctx, 'commit'),
    treeAt(ctx, 'after'),
  ]);
  const out: Finding[] = [];
  for (const [cls, o] of commit.byClass) {
    const a = after.byClass.get(cls);
    if (!a || !touched.has(fileOf(a))) continue;
    const p = parent.byClass.get(cls);
    const { name, version } = o.def;
    if (!p) {
      out.push({
        rule: 'backport-object-version-bump',
        severity: 'error',
        ...objectLocation(after, a),
        message: `the commit adds the versioned object ${name} ${version}: a new object cannot be backported to ${ctx.ontoName} (older services would not know it)`,
        data: { object: name, version, commit: ctx.commit },
      });
      continue;
    }
    if (p.def.version !== version) {
      const d = describeSchemaChange(p.def, o.def);
      out.push({
        rule: 'backport-object-version-bump',
        severity: 'error',
        ...objectLocation(after, a),
        message: `the commit bumps ${name} ${p.def.version} -> ${version}${d ? ` (${d})` : ''}: no object version bump may be backported to ${ctx.ontoName}`,
        suggestion: `backport without the object change, or keep ${name} at the branch's version`,
        data: { object: name, version: p.def.version, targetVersion: version, commit: ctx.commit },
      });
    } else if (schemaKeyOf(p.def) !== schemaKeyOf(o.def)) {
      out.push({
        rule: 'backport-object-schema-change',
        severity: 'error',
        ...objectLocation(after, a),
        message: `the commit ${describeSchemaChange(p.def, o.def)} on ${name} without a version bump; backported, ${name} ${version} would mean different schemas on different branches`,
        data: { object: name, version, commit: ctx.commit },
      });
    }
  }
  return out;
}

/** Every (object, version, schema) the branch's history shipped: a walk of the commits touching the object directories. */
async function branchHistory(ctx: BackportContext): Promise<HistoricalManifest> {
  return cached(ctx, 'history', async () => {
    const revisions = await commitsTouching(ctx.store, [ctx.before], objectDirsOf(ctx));
    return (await walkHistory(ctx.store, revisions, { reader: ctx.reader })).manifest;
  });
}

function versionsText(byVersion: HistoricalManifest['objects'][string] | undefined): string {
  const versions = Object.keys(byVersion ?? {});
  if (!versions.length) return 'none';
  return versions.sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).join(', ');
}

interface VersionRequest {
  object: string;
  version: string;
  at: { file: string; line: number; column: number; endLine: number; endColumn: number };
  how: string;
}

/** The object (obj_name) an expression names: a class of the tree, or a variable named after one. */
function objectNamer(tree: ObjectTree): (last: string) => string | undefined {
  const bySnake = new Map<string, string>();
  for (const [cls, o] of tree.byClass) {
    bySnake.set(cls, o.def.name);
    bySnake.set(snakeName(cls), o.def.name);
    bySnake.set(o.def.name, o.def.name);
    bySnake.set(snakeName(o.def.name), o.def.name);
  }
  return (last) => bySnake.get(last) ?? bySnake.get(last.replace(/^_+/, ''));
}

/** `target_version='1.2'` / `obj_to_primitive('1.2')` / `version_manifest={'Instance': '1.2'}` on added lines. */
function versionRequests(
  path: string,
  text: string,
  change: ChangedFile,
  objects: ObjectTree,
): VersionRequest[] {
  const named = objectNamer(objects);
  return withParsed(path, text, (file) => {
    const out: VersionRequest[] = [];
    const classOf = (expr: PyNode | null | undefined): string | undefined => {
      let n = expr;
      while (n) {
        const qn = file.bindings.qualifiedName(n);
        const hit = named((qn ?? n.text).split('.').pop() ?? '');
        if (hit) return hit;
        n =
          n.type === 'attribute'
            ? n.childForFieldName('object')
            : n.type === 'call'
              ? n.childForFieldName('function')
              : null;
      }
      return undefined;
    };
    for (const call of file.root.descendantsOfType('call')) {
      if (!call) continue;
      const range = nodeRange(file, call);
      if (!rangeChanged(change, range.line, range.endLine)) continue;
      const fn = call.childForFieldName('function');
      const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      const args = callArguments(call);
      if (!args) continue;
      const receiver = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
      const tv =
        args.keywords.get('target_version') ??
        (method && /^obj_(to_primitive|make_compatible)$/.test(method)
          ? args.positional[method === 'obj_to_primitive' ? 0 : 1]
          : undefined);
      const v = tv ? literalString(tv) : undefined;
      if (v && /^\d+\.\d+(\.\d+)?$/.test(v)) {
        const obj = classOf(receiver);
        if (obj)
          out.push({
            object: obj,
            version: v,
            at: { file: path, ...nodeRange(file, tv!) },
            how: `${method ?? 'call'}(target_version='${v}')`,
          });
      }
      const manifest = args.keywords.get('version_manifest');
      if (manifest?.type === 'dictionary') {
        for (const entry of literalDict(manifest) ?? []) {
          const ver = literalString(entry.value);
          if (entry.key && ver && objects.byName.has(entry.key)) {
            out.push({
              object: entry.key,
              version: ver,
              at: { file: path, ...nodeRange(file, entry.pair) },
              how: `version_manifest {'${entry.key}': '${ver}'}`,
            });
          }
        }
      }
    }
    return out;
  });
}

/** Rule: every object version the backport defines or requests exists with the same schema on the branch. */
export async function ruleObjectVersionsExist(ctx: BackportContext): Promise<Finding[]> {
  const touched = touchedObjectFiles(ctx);
  const after = await treeAt(ctx, 'after');
  const before = await treeAt(ctx, 'before');
  const defined = [...after.byClass.values()].filter((o) => touched.has(fileOf(o)));
  const requests: VersionRequest[] = [];
  for (const { change, text } of await changedPython(ctx)) {
    if (!/target_version|version_manifest|obj_to_primitive|obj_make_compatible/.test(text)) continue;
    requests.push(...versionRequests(change.path, text, change, after));
  }
  // What the branch tip already has needs no walk of its history.
  const atTip = (name: string, version: string) =>
    (before.byName.get(name) ?? []).find((t) => t.def.version === version);
  const newDefs = defined.filter((o) => {
    const tip = atTip(o.def.name, o.def.version);
    return !tip || schemaKeyOf(tip.def) !== schemaKeyOf(o.def);
  });
  const newRequests = requests.filter((r) => !atTip(r.object, r.version));
  if (!newDefs.length && !newRequests.length) return [];
  const history = (await branchHistory(ctx)).objects;
  const out: Finding[] = [];
  for (const o of newDefs) {
    const { name, version } = o.def;
    const shipped = history[name]?.[version];
    if (!shipped) {
      out.push({
        rule: 'backport-object-version-unknown',
        severity: 'error',
        ...objectLocation(after, o),
        message: `${name} ${version} never existed in ${ctx.ontoName}'s history (versions there: ${versionsText(history[name])}); older services on the branch cannot accept it`,
        data: { object: name, version, commit: ctx.commit },
      });
    } else if (!shipped.variants.some((v) => v.schemaKey === schemaKeyOf(o.def))) {
      out.push({
        rule: 'backport-object-version-unknown',
        severity: 'error',
        ...objectLocation(after, o),
        message: `${name} ${version} exists in ${ctx.ontoName}'s history with another schema (as of ${shipped.lastCommit.slice(0, 12)}); after the backport it ${describeSchemaChange(shipped.def, o.def)}`,
        data: { object: name, version, commit: ctx.commit },
      });
    }
  }
  for (const r of newRequests) {
    if (history[r.object]?.[r.version]) continue;
    out.push({
      rule: 'backport-object-version-unknown',
      severity: 'error',
      ...r.at,
      message: `the backported code asks for ${r.object} ${r.version} (${r.how}), which ${ctx.ontoName}'s history never had (versions there: ${versionsText(history[r.object])})`,
      data: { object: r.object, version: r.version, commit: ctx.commit },
    });
  }
  return out;
}

export async function ruleObjectMethodsExist(ctx: BackportContext): Promise<Finding[]> {
  const [source, target] = await Promise.all([treeAt(ctx, 'commit'), treeAt(ctx, 'after')]);
  if (!source.byClass.size) return [];
  const bySnake = new Map<string, string>();
  for (const cls of source.byClass.keys()) bySnake.set(snakeName(cls), cls);
  const out: Finding[] = [];
  const dirs = objectDirsOf(ctx);
  const packages = dirs.map((d) => `${d.replace(/\//g, '.')}.`);
  const inObjects = (qn: string | undefined) => !!qn && packages.some((p) => qn.startsWith(p));
  for (const { change, text } of await changedPython(ctx)) {
    if (dirs.some((d) => change.path.startsWith(`${d}/`))) continue;
    withParsed(change.path, text, (file) => {
      for (const attr of file.root.descendantsOfType('attribute')) {
        if (!attr) continue;
        const range = nodeRange(file, attr);
        if (!rangeChanged(change, range.line, range.endLine)) continue;
        const recv = attr.childForFieldName('object');
        const name = attr.childForFieldName('attribute')?.text;
        if (!recv || !name) continue;
        // objects.Instance / instance_obj.Instance / from nova.objects.instance import Instance
        if (
          inObjects(file.bindings.qualifiedName(attr)) &&
          source.byClass.has(name) &&
          !target.byClass.has(name)
        ) {
          out.push({
            rule: 'backport-object-missing',
            severity: 'error',
            file: change.path,
            ...range,
            message: `${attr.text} does not exist on ${ctx.ontoName}: the versioned object ${name} is not defined there`,
            data: { object: name, commit: ctx.commit },
          });
          continue;
        }
        if (attr.parent?.type !== 'call' || attr.parent.childForFieldName('function')?.id !== attr.id)
          continue;
        let cls: string | undefined;
        const recvQn = file.bindings.qualifiedName(recv);
        const recvLast = (recvQn ?? recv.text).split('.').pop() ?? '';
        if (inObjects(recvQn) && source.byClass.has(recvLast)) cls = recvLast;
        else if (recv.type === 'identifier' || recv.type === 'attribute')
          cls = bySnake.get(recvLast.replace(/^_+/, ''));
        if (!cls) continue;
        const src = source.byClass.get(cls);
        const tgt = target.byClass.get(cls);
        if (!src || !tgt || !methodsOf(source, src).has(name) || methodsOf(target, tgt).has(name)) continue;
        out.push({
          rule: 'backport-object-method-missing',
          severity: 'error',
          file: change.path,
          ...range,
          message: `${cls}.${name}() exists where the commit was written but not on ${ctx.ontoName} (${cls} ${tgt.def.version} there has no ${name})`,
          data: { object: tgt.def.name, version: tgt.def.version, method: name, commit: ctx.commit },
        });
      }
    });
  }
  return out;
}

let conductorTable: ConductorMethodTable | undefined;

/** Rule: a raw conductor / VirtAPI / db call the branch had already converted comes back. */
export async function ruleRawConductor(ctx: BackportContext): Promise<Finding[]> {
  conductorTable ??= loadConductorMethods();
  const table = conductorTable;
  const out: Finding[] = [];
  for (const { change, text } of await changedPython(ctx)) {
    const added = withParsed(change.path, text, (file) =>
      findRawCalls(file, table).flatMap((c) => {
        const range = nodeRange(file, c.call);
        return rangeChanged(change, range.line, range.endLine)
          ? [
              {
                method: c.method.method,
                surface: c.surface,
                receiver: c.receiverText,
                range,
                text: file.slice(c.callee),
              },
            ]
          : [];
      }),
    );
    if (!added.length) continue;
    const beforeOid = await ctx.store.blobId(ctx.before, change.path);
    const beforeText = beforeOid ? (await ctx.store.readBlob(beforeOid)).toString('utf8') : '';
    const onBranch = new Set(
      beforeText
        ? withParsed(change.path, beforeText, (file) => findRawCalls(file, table).map((c) => c.method.method))
        : [],
    );
    for (const a of added) {
      if (onBranch.has(a.method)) continue;
      const log = (
        await runGit(ctx.store.gitDir, [
          'log',
          '-1',
          '--format=%H%x00%s',
          `-S${a.method}(`,
          ctx.before,
          '--',
          change.path,
        ]).catch(() => '')
      ).trim();
      if (log) {
        const [sha = '', subject = ''] = log.split('\0');
        out.push({
          rule: 'backport-reintroduces-raw-call',
          severity: 'error',
          file: change.path,
          ...a.range,
          message: `${a.text}() is a raw ${a.surface} call that ${ctx.ontoName} already converted in ${sha.slice(0, 12)} ("${subject}"); the backport brings it back`,
          fix: { codemod: 'conductor-to-objects' },
          data: { method: a.method, surface: a.surface, convertedIn: sha, commit: ctx.commit },
        });
      } else {
        out.push({
          rule: 'backport-reintroduces-raw-call',
          severity: 'warning',
          file: change.path,
          ...a.range,
          message: `${a.text}() is a raw ${a.surface} call; ${change.path} on ${ctx.ontoName} makes none`,
          fix: { codemod: 'conductor-to-objects' },
          data: { method: a.method, surface: a.surface, commit: ctx.commit },
        });
      }
    }
  }
  return out;
}
