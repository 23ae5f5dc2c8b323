import { summarizeDiskTree } from '../history/disk-tree.js';
import { schemaDifferences, type TreeReader } from '../history/history-walk.js';
import type { ModuleSummary } from '../history/object-extractor.js';
import { type ExtractedObject, TreeResolver } from '../history/object-resolver.js';
import type { ObjectVersionDef } from '../objects/model.js';
import { compareVersions } from '../objects/versions.js';

export interface ObjectTree {
  /** `stable/ocata`, `work tree`, a short commit id. */
  label: string;
  /** Registered objects, by class name (`InstanceV2`), as the code names them. */
  byClass: Map<string, ExtractedObject>;
  /** Registered objects by `obj_name()`, newest VERSION first. */
  byName: Map<string, ExtractedObject[]>;
  summaries: readonly ModuleSummary[];
  resolver: TreeResolver;
}

/** The class name of an object (`nova.objects.instance.InstanceV2` -> `InstanceV2`). */
export function className(o: ExtractedObject): string {
  return o.qname.slice(o.qname.lastIndexOf('.') + 1);
}

function buildTree(label: string, summaries: ModuleSummary[], objects?: ExtractedObject[]): ObjectTree {
  const resolver = new TreeResolver(summaries);
  const registered = (objects ?? resolver.resolve().objects).filter((o) => o.registered);
  const byClass = new Map<string, ExtractedObject>();
  const byName = new Map<string, ExtractedObject[]>();
  for (const o of registered) {
    byClass.set(className(o), o);
    byName.set(o.def.name, [...(byName.get(o.def.name) ?? []), o]);
  }
  for (const list of byName.values()) list.sort((a, b) => compareVersions(b.def.version, a.def.version));
  return { label, byClass, byName, summaries, resolver };
}

/** The objects of a git revision. */
export async function objectTreeAt(reader: TreeReader, rev: string, label: string): Promise<ObjectTree> {
  const snap = await reader.read(rev);
  return buildTree(label, await reader.summaries(rev), snap.tree.objects);
}

/** The objects of a tree on disk (a work tree, dirty or not). */
export async function objectTreeOnDisk(
  root: string,
  objectDirs: readonly string[],
  label = 'work tree',
): Promise<ObjectTree> {
  const summaries = await summarizeDiskTree(root, objectDirs);
  return buildTree(label, summaries);
}

/** The line of the class's own `VERSION =` (undefined when the version is inherited or defaulted). */
export function versionLine(tree: ObjectTree, o: ExtractedObject): number | undefined {
  if (o.versionSource !== 'literal' && o.versionSource !== 'symbolic') return undefined;
  return tree.resolver.lookupClass(o.qname)?.raw.attrLines.VERSION;
}

/** Where findings about an object point: its VERSION line, else its class line. */
export function objectLocation(tree: ObjectTree, o: ExtractedObject) {
  const line = versionLine(tree, o) ?? o.def.source?.line ?? 1;
  return { file: o.def.source?.file ?? '', line, column: 1, endLine: line, endColumn: 1 };
}

/** Every method an instance of the object has: defined in it or in a class of the tree it inherits. */
export function methodsOf(tree: ObjectTree, o: ExtractedObject): Set<string> {
  const out = new Set<string>();
  const info = tree.resolver.lookupClass(o.qname);
  if (!info) return out;
  for (const c of tree.resolver.mro(info)) {
    if (c.external) continue;
    for (const m of c.raw.methods) out.add(m);
    for (const r of c.raw.remotable) out.add(r.name);
  }
  return out;
}

/**
 * What changed in the wire schema between two definitions, in words (`adds node; changes host;
 * changes remotable save`), from the history's own comparison (`schemaDifferences`, the same one
 * `schemaKeyOf` keys on: field type, nullability, default, read-only; remotable signatures;
 * child_versions).
 */
export function describeSchemaChange(before: ObjectVersionDef, after: ObjectVersionDef): string {
  const groups: Record<string, string[]> = {};
  const add = (k: string, v: string) => {
    groups[k] = [...(groups[k] ?? []), v];
  };
  for (const d of schemaDifferences(before, after)) {
    const field = /^field (\S+) (added|removed|changed)$/.exec(d);
    const remote = /^remotable (\S+) (added|removed|signature changed)$/.exec(d);
    if (field) add(field[2]!, field[1]!);
    else if (remote) add(`remotable ${remote[2]!}`, remote[1]!);
    else add('other', d);
  }
  const words: [string, string][] = [
    ['added', 'adds'],
    ['removed', 'removes'],
    ['changed', 'changes'],
    ['remotable added', 'adds remotable'],
    ['remotable removed', 'removes remotable'],
    ['remotable signature changed', 'changes remotable'],
  ];
  const parts = words.flatMap(([k, w]) => (groups[k] ? [`${w} ${groups[k].join(', ')}`] : []));
  if (groups.other)
    parts.push(...groups.other.map((d) => d.replace(/ changed$/, '').replace(/^/, 'changes ')));
  return parts.join('; ');
}

/** `Instance` -> `instance`, `BlockDeviceMapping` -> `block_device_mapping`. */
export function snakeName(cls: string): string {
  return cls
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}
