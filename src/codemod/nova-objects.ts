/**
 * Which versioned-object classes, methods and fields a target Nova tree has: a quick scan of the
 * tree's own `nova/objects/*.py` (top-level classes, their `def`s, decorated or not, and the keys
 * of their literal `fields = {...}` dict, inherited through base classes of the same scan), and
 * whether the tree supports the `from nova import objects` + `objects.Cls` style (the registry
 * that sets each class on `nova.objects`, 2014.2+). Used by the conductor-to-objects codemods'
 * `prepare()`; the full history extractor lives in src/history.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentKey, readCached, writeCached } from '../engine/content-cache.js';
import { initPython, type PyNode } from '../python/parser.js';
import { PyFile } from '../python/source-file.js';
import { literalDict, parameterNames } from '../python/syntax-helpers.js';

export interface ObjectClassInfo {
  /** Module under nova/objects (`instance`, `block_device`). */
  module: string;
  bases: string[];
  methods: string[];
  fields: string[];
  /**
   * `@property` methods (own and inherited; `Instance.name`). Item reads reach them too: the dict
   * compatibility `__getitem__` is `getattr`, while `.get()` accepts declared fields only.
   */
  properties?: string[];
  /** Fields holding nested objects (ObjectField / ListOfObjectsField): their shape differs from the row's. */
  objectFields?: string[];
  /** Parameters of each method after self/cls and context (own methods only). */
  params?: Record<string, string[]>;
}

export interface NovaObjectsInfo {
  source: 'tree' | 'release' | 'none';
  /** The tree's nova/objects directory, or the release the table was filtered by. */
  origin?: string;
  /** `objects.Cls` works (classes are set on nova.objects). */
  objectsNamespace: boolean;
  classes: Record<string, ObjectClassInfo>;
}

/** Module-level class definitions, decorated or not, in source order (no whole-tree query). */
function topLevelClasses(root: PyNode): PyNode[] {
  const out: PyNode[] = [];
  for (const stmt of root.namedChildren) {
    const def = stmt?.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    if (def?.type === 'class_definition') out.push(def);
  }
  return out;
}

/** Assignments that are module-level expression statements, in source order. */
function topLevelAssignments(root: PyNode): PyNode[] {
  const out: PyNode[] = [];
  for (const stmt of root.namedChildren) {
    if (stmt?.type !== 'expression_statement') continue;
    for (const c of stmt.namedChildren) if (c?.type === 'assignment') out.push(c);
  }
  return out;
}

let scannerCode: string | undefined;

/**
 * The code a scan runs (this module and the syntax helpers it reads trees with): part of the
 * cache key, so that a changed scanner never reads an earlier one's results.
 */
function scannerSource(): string {
  if (scannerCode === undefined) {
    const self = fileURLToPath(import.meta.url);
    const ext = extname(self);
    scannerCode = [self, join(dirname(self), '..', 'python', `syntax-helpers${ext}`)]
      .map((f) => {
        try {
          return readFileSync(f, 'utf8');
        } catch {
          return f;
        }
      })
      .join('\0');
  }
  return scannerCode;
}

/**
 * Scans `<root>/nova/objects/*.py`; undefined when the tree has no such directory. The result is
 * cached by the files' names and texts (content-cache): a tree's objects are parsed once.
 */
export async function scanNovaObjects(root: string, pkg = 'nova'): Promise<NovaObjectsInfo | undefined> {
  const dir = join(root, pkg, 'objects');
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.py'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
  const key = contentKey('nova-objects 1', scannerSource(), pkg, ...files.flatMap((f) => [f.name, f.text]));
  const cached = readCached('nova-objects', key);
  if (cached !== undefined) {
    try {
      return { ...(JSON.parse(cached) as NovaObjectsInfo), origin: dir };
    } catch {
      // a damaged entry: scan again
    }
  }
  const info = await scanFiles(dir, pkg, files);
  writeCached('nova-objects', key, JSON.stringify(info));
  return info;
}

async function scanFiles(
  dir: string,
  pkg: string,
  files: readonly { name: string; text: string }[],
): Promise<NovaObjectsInfo> {
  await initPython();
  const classes: Record<string, ObjectClassInfo> = {};
  let objectsNamespace = false;
  const aliases: [string, string][] = [];
  for (const { name, text } of files) {
    const module = name.slice(0, -3);
    if (module === 'base' && /setattr\(\s*objects\s*,|NovaObjectRegistry/.test(text)) objectsNamespace = true;
    if (module === '__init__') continue;
    const file = PyFile.parse(join(dir, name), text, { moduleName: `${pkg}.objects.${module}` });
    try {
      for (const node of topLevelClasses(file.root)) {
        const cname = node.childForFieldName('name')?.text;
        if (!cname) continue;
        const bases = (node.childForFieldName('superclasses')?.namedChildren ?? [])
          .filter((b) => b && (b.type === 'identifier' || b.type === 'attribute'))
          .map((b) => b!.text.split('.').pop()!);
        const methods: string[] = [];
        const fields: string[] = [];
        const params: Record<string, string[]> = {};
        const objectFields: string[] = [];
        const properties: string[] = [];
        for (const stmt of node.childForFieldName('body')?.namedChildren ?? []) {
          if (!stmt) continue;
          const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
          if (def?.type === 'function_definition') {
            const n = def.childForFieldName('name')?.text;
            if (n) {
              methods.push(n);
              if (stmt.type === 'decorated_definition' && isPropertyDef(stmt)) properties.push(n);
              params[n] = parameterNames(def).filter(
                (p, i) => !(i === 0 && (p === 'self' || p === 'cls')) && p !== 'context',
              );
            }
          } else if (stmt.type === 'expression_statement') {
            const asg = stmt.namedChild(0);
            if (asg?.type === 'assignment' && asg.childForFieldName('left')?.text === 'fields') {
              for (const e of literalDict(asg.childForFieldName('right')) ?? []) {
                fields.push(e.key);
                if (/ObjectField|ListOfObjectsField/.test(e.value.text)) objectFields.push(e.key);
              }
            }
          }
        }
        classes[cname] = { module, bases, methods, fields, params, objectFields, properties };
      }
      for (const node of topLevelAssignments(file.root)) {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (left?.type === 'identifier' && right?.type === 'identifier' && /^[A-Z]/.test(left.text)) {
          aliases.push([left.text, right.text]);
        }
      }
    } finally {
      file.dispose();
    }
  }
  // Inherit methods and fields from bases found in the same scan.
  type Members = { methods: Set<string>; fields: Set<string>; properties: Set<string> };
  const resolved = new Map<string, Members>();
  const resolve = (n: string, seen: Set<string>): Members => {
    const hit = resolved.get(n);
    if (hit) return hit;
    const c = classes[n];
    const out = {
      methods: new Set(c?.methods ?? []),
      fields: new Set(c?.fields ?? []),
      properties: new Set(c?.properties ?? []),
    };
    if (c && !seen.has(n)) {
      seen.add(n);
      for (const b of c.bases) {
        const r = resolve(b, seen);
        for (const m of r.methods) out.methods.add(m);
        for (const f of r.fields) out.fields.add(f);
        for (const p of r.properties) out.properties.add(p);
      }
    }
    resolved.set(n, out);
    return out;
  };
  for (const n of Object.keys(classes)) {
    const r = resolve(n, new Set());
    classes[n]!.methods = [...r.methods].sort();
    classes[n]!.fields = [...r.fields].sort();
    classes[n]!.properties = [...r.properties].filter((p) => !r.fields.has(p)).sort();
  }
  // Module-level aliases of a scanned class (Liberty: `Instance = InstanceV2`).
  for (const [alias, target] of aliases) {
    const c = classes[target];
    if (c && !classes[alias]) classes[alias] = { ...c };
  }
  return { source: 'tree', origin: dir, objectsNamespace, classes };
}

function isPropertyDef(decorated: PyNode): boolean {
  return decorated.namedChildren.some((d) => d?.type === 'decorator' && /^@\s*property\s*$/.test(d.text));
}

/** Compares Nova release tags (2013.2 < 2014.1 < 2014.2 < 2015.1.0 < 12.0.0 < 13.0.0). */
export function compareNovaReleases(a: string, b: string): number {
  const key = (v: string): number[] => {
    const parts = v.split('.').map((p) => Number.parseInt(p, 10) || 0);
    // Date-based tags (2011.x - 2015.x) precede the semantic ones (12.0.0 = Liberty, 2015.2).
    return parts[0]! >= 2000 ? [0, ...parts] : [1, ...parts];
  };
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
    const d = (ka[i] ?? 0) - (kb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** `objects.Cls` exists from 2014.2 on (migrations.md A.8). */
export function releaseHasObjectsNamespace(release: string): boolean {
  return compareNovaReleases(release, '2014.2') >= 0;
}
