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

import { pyFileOptionsFor } from '../engine/project.js';
import { type GitObjectStore, runGit } from '../history/git-objects.js';
import { type ConductorMethodTable, loadConductorMethods } from '../lint/conductor-methods.js';
import { findRawCalls } from '../lint/raw-calls.js';
import type { PyNode } from '../python/parser.js';
import { PyFile } from '../python/source-file.js';
import { callArguments, literalDict, literalString } from '../python/syntax-helpers.js';
import type { Finding } from '../report/finding.js';
import { type ChangedFile, rangeChanged } from './git.js';
import {
  DEFAULT_OBJECTS_DIR,
  describeDiff,
  diffFields,
  gitTreeReader,
  type ObjectInfo,
  type ObjectSnapshot,
  objectVersionHistory,
  readObjects,
  snakeName,
  type TreeReader,
  type VersionSighting,
} from './object-snapshot.js';

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
  objectsDir?: string;
  /** Lazily computed, shared between rules. */
  cache: Map<string, unknown>;
}

async function cached<T>(ctx: BackportContext, key: string, make: () => Promise<T>): Promise<T> {
  if (!ctx.cache.has(key)) ctx.cache.set(key, make());
  return (await ctx.cache.get(key)) as T;
}

const objectsDirOf = (ctx: BackportContext) => ctx.objectsDir ?? DEFAULT_OBJECTS_DIR;

function reader(ctx: BackportContext, rev: string, label: string): TreeReader {
  return gitTreeReader(ctx.store, rev, '', label);
}

export const snapshotAt = (
  ctx: BackportContext,
  which: 'parent' | 'commit' | 'before' | 'after',
): Promise<ObjectSnapshot> =>
  cached(ctx, `snap:${which}`, () =>
    readObjects(
      reader(
        ctx,
        ctx[which],
        which === 'before'
          ? ctx.ontoName
          : which === 'after'
            ? `${ctx.ontoName} + backport`
            : ctx[which].slice(0, 12),
      ),
      objectsDirOf(ctx),
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

function objectLine(o: ObjectInfo) {
  const line = o.versionLine ?? o.line;
  return { file: o.file, line, column: 1, endLine: line, endColumn: 1 };
}

/** Objects defined in object modules the commit changed. */
function touchedObjectFiles(ctx: BackportContext): Set<string> {
  const dir = `${objectsDirOf(ctx)}/`;
  return new Set(
    ctx.changes.filter((c) => c.path.startsWith(dir) && c.path.endsWith('.py')).map((c) => c.path),
  );
}

/** Rule: no object version bump (and no schema change) may be backported. */
export async function ruleObjectVersionBump(ctx: BackportContext): Promise<Finding[]> {
  const touched = touchedObjectFiles(ctx);
  if (!touched.size) return [];
  const [parent, commit, after] = await Promise.all([
    snapshotAt(ctx, 'parent'),
    snapshotAt(ctx, 'commit'),
    snapshotAt(ctx, 'after'),
  ]);
  const out: Finding[] = [];
  for (const o of commit.objects.values()) {
    const a = after.objects.get(o.name);
    if (!a || !touched.has(a.file)) continue;
    const p = parent.objects.get(o.name);
    if (!p) {
      out.push({
        rule: 'backport-object-version-bump',
        severity: 'error',
        ...objectLine(a),
        message: `the commit adds the versioned object ${o.name} ${o.version}: a new object cannot be backported to ${ctx.ontoName} (older services would not know it)`,
        data: { object: o.name, version: o.version, commit: ctx.commit },
      });
      continue;
    }
    if (p.version !== o.version) {
      const d = describeDiff(diffFields(p, o));
      out.push({
        rule: 'backport-object-version-bump',
        severity: 'error',
        ...objectLine(a),
        message: `the commit bumps ${o.name} ${p.version} -> ${o.version}${d ? ` (${d})` : ''}: no object version bump may be backported to ${ctx.ontoName}`,
        suggestion: `backport without the object change, or keep ${o.name} at the branch's version`,
        data: { object: o.name, version: p.version, targetVersion: o.version, commit: ctx.commit },
      });
    } else if (p.schema !== o.schema) {
      const d = describeDiff(diffFields(p, o));
      out.push({
        rule: 'backport-object-schema-change',
        severity: 'error',
        ...objectLine(a),
        message: `the commit ${d} on ${o.name} without a version bump; backported, ${o.name} ${o.version} would mean different schemas on different branches`,
        data: { object: o.name, version: o.version, commit: ctx.commit },
      });
    }
  }
  return out;
}

async function branchHistory(
  ctx: BackportContext,
  names: Set<string>,
): Promise<Map<string, Map<string, VersionSighting[]>>> {
  const key = `hist:${[...names].sort().join(',')}`;
  return cached(ctx, key, () =>
    objectVersionHistory(ctx.store, ctx.before, names, { objectsDir: objectsDirOf(ctx) }),
  );
}

function versionsText(byVersion: Map<string, VersionSighting[]> | undefined): string {
  if (!byVersion?.size) return 'none';
  return [...byVersion.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).join(', ');
}

interface VersionRequest {
  object: string;
  version: string;
  at: { file: string; line: number; column: number; endLine: number; endColumn: number };
  how: string;
}

/** `target_version='1.2'` / `obj_to_primitive('1.2')` / `version_manifest={'Instance': '1.2'}` on added lines. */
function versionRequests(
  path: string,
  text: string,
  change: ChangedFile,
  objects: ObjectSnapshot,
): VersionRequest[] {
  return withParsed(path, text, (file) => {
    const out: VersionRequest[] = [];
    const classOf = (expr: PyNode | null | undefined): string | undefined => {
      let n = expr;
      while (n) {
        const qn = file.bindings.qualifiedName(n);
        const last = (qn ?? n.text).split('.').pop() ?? '';
        if (objects.objects.has(last)) return last;
        for (const o of objects.objects.keys())
          if (snakeName(o) === last || snakeName(o) === last.replace(/^_+/, '')) return o;
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
          if (entry.key && ver && objects.objects.has(entry.key)) {
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
  const after = await snapshotAt(ctx, 'after');
  const before = await snapshotAt(ctx, 'before');
  const defined = [...after.objects.values()].filter((o) => touched.has(o.file));
  const requests: VersionRequest[] = [];
  for (const { change, text } of await changedPython(ctx)) {
    if (!/target_version|version_manifest|obj_to_primitive|obj_make_compatible/.test(text)) continue;
    requests.push(...versionRequests(change.path, text, change, after));
  }
  const needHistory = new Set<string>();
  for (const o of defined) {
    const tip = before.objects.get(o.name);
    if (!tip || tip.version !== o.version || tip.schema !== o.schema) needHistory.add(o.name);
  }
  for (const r of requests) {
    const tip = before.objects.get(r.object);
    if (!tip || tip.version !== r.version) needHistory.add(r.object);
  }
  if (!needHistory.size) return [];
  const history = await branchHistory(ctx, needHistory);
  const out: Finding[] = [];
  for (const o of defined) {
    if (!needHistory.has(o.name)) continue;
    const byVersion = history.get(o.name);
    const sightings = byVersion?.get(o.version);
    if (!sightings) {
      out.push({
        rule: 'backport-object-version-unknown',
        severity: 'error',
        ...objectLine(o),
        message: `${o.name} ${o.version} never existed in ${ctx.ontoName}'s history (versions there: ${versionsText(byVersion)}); older services on the branch cannot accept it`,
        data: { object: o.name, version: o.version, commit: ctx.commit },
      });
    } else if (!sightings.some((s) => s.schema === o.schema)) {
      const shipped = sightings[0]!;
      const d = describeDiff(diffFields({ ...o, fields: shipped.fields }, o));
      out.push({
        rule: 'backport-object-version-unknown',
        severity: 'error',
        ...objectLine(o),
        message: `${o.name} ${o.version} exists in ${ctx.ontoName}'s history with another schema (as of ${shipped.commit.slice(0, 12)}); after the backport it ${d}`,
        data: { object: o.name, version: o.version, commit: ctx.commit },
      });
    }
  }
  for (const r of requests) {
    if (!needHistory.has(r.object)) continue;
    const byVersion = history.get(r.object);
    if (byVersion?.has(r.version)) continue;
    out.push({
      rule: 'backport-object-version-unknown',
      severity: 'error',
      ...r.at,
      message: `the backported code asks for ${r.object} ${r.version} (${r.how}), which ${ctx.ontoName}'s history never had (versions there: ${versionsText(byVersion)})`,
      data: { object: r.object, version: r.version, commit: ctx.commit },
    });
  }
  return out;
}

/** Rule: object classes and methods used by added lines exist on the branch. */
export async function ruleObjectMethodsExist(ctx: BackportContext): Promise<Finding[]> {
  const [source, before] = await Promise.all([snapshotAt(ctx, 'commit'), snapshotAt(ctx, 'after')]);
  if (!source.objects.size) return [];
  const bySnake = new Map<string, string>();
  for (const name of source.objects.keys()) bySnake.set(snakeName(name), name);
  const out: Finding[] = [];
  const objectsPkg = objectsDirOf(ctx).replace(/\//g, '.');
  for (const { change, text } of await changedPython(ctx)) {
    if (change.path.startsWith(`${objectsDirOf(ctx)}/`)) continue;
    withParsed(change.path, text, (file) => {
      for (const attr of file.root.descendantsOfType('attribute')) {
        if (!attr) continue;
        const range = nodeRange(file, attr);
        if (!rangeChanged(change, range.line, range.endLine)) continue;
        const recv = attr.childForFieldName('object');
        const name = attr.childForFieldName('attribute')?.text;
        if (!recv || !name) continue;
        // objects.Instance / instance_obj.Instance / from nova.objects.instance import Instance
        const qn = file.bindings.qualifiedName(attr);
        if (qn?.startsWith(`${objectsPkg}.`) && source.objects.has(name) && !before.objects.has(name)) {
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
        if (recvQn?.startsWith(`${objectsPkg}.`) && source.objects.has(recvLast)) cls = recvLast;
        else if (recv.type === 'identifier' || recv.type === 'attribute')
          cls = bySnake.get(recvLast.replace(/^_+/, ''));
        if (!cls) continue;
        const src = source.objects.get(cls);
        const tgt = before.objects.get(cls);
        if (!src?.methods.includes(name) || !tgt || tgt.methods.includes(name)) continue;
        out.push({
          rule: 'backport-object-method-missing',
          severity: 'error',
          file: change.path,
          ...range,
          message: `${cls}.${name}() exists where the commit was written but not on ${ctx.ontoName} (${cls} ${tgt.version} there has no ${name})`,
          data: { object: cls, version: tgt.version, method: name, commit: ctx.commit },
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
