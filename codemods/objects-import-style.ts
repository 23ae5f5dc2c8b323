/**
 * objects-import-style: per-module object aliases (`from nova.objects import instance as
 * instance_obj` + `instance_obj.Instance`) become `from nova import objects` + `objects.Instance`,
 * as Nova switched in Juno (migrations.md A.8, P9b). No duplicate import; a module-level name that
 * would collide with `objects` is renamed (`from nova.virt.xenapi.client import objects` ->
 * `... import objects as client_objects`, uses updated); `isinstance` checks on a specific class and
 * uses of module-level functions are left manual (their alias import stays). Continuation lines
 * aligned with a call's opening bracket move with the shorter prefix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { releaseHasObjectsNamespace } from '../src/codemod/nova-objects.js';
import type { CodemodApi, CodemodFile, CodemodOptions, PrepareContext } from '../src/codemod/types.js';
import { type ImportBinding, identifierAt, isReference, wordOccurrences } from '../src/python/bindings.js';
import { planImportInsertion, planImportRemoval, readImportBlock } from '../src/python/import-block.js';
import type { PyNode } from '../src/python/parser.js';
import type { PyFile } from '../src/python/source-file.js';
import { EditSet, type TextEdit } from '../src/python/text-edits.js';

export const meta = {
  name: 'objects-import-style',
  description:
    'from nova.objects import M as M_obj + M_obj.Cls -> from nova import objects + objects.Cls (Juno style), renaming colliding names',
};

/** What the run knows about `objects.Cls`: whether the target sets classes on nova.objects. */
export interface ObjectsImportStylePrepared {
  /** undefined: unknown (no nova/objects in the tree and no --nova-release): trust the user. */
  objectsNamespace?: boolean;
  where?: string;
}

/** The object registry that sets each class on `nova.objects` (Juno, 2014.2+), as base.py spells it. */
const REGISTRY_RE = /setattr\(\s*objects\s*,|NovaObjectRegistry/;

/**
 * Whether `objects.Cls` works in the target: the tree's own nova/objects/base.py when it has one,
 * else the `--nova-release` option. Before the registry, `from nova import objects` gives a
 * package without the classes, and the rewrite would fail at run time.
 */
export function prepare(ctx: PrepareContext): ObjectsImportStylePrepared {
  const pkg = ctx.project.projectPackages.includes('nova')
    ? 'nova'
    : (ctx.project.projectPackages[0] ?? 'nova');
  const base = join(ctx.project.root, pkg, 'objects', 'base.py');
  if (existsSync(base))
    return {
      objectsNamespace: REGISTRY_RE.test(readFileSync(base, 'utf8')),
      where: `${pkg}/objects/base.py`,
    };
  const release = typeof ctx.options.novaRelease === 'string' ? ctx.options.novaRelease : undefined;
  return release ? { objectsNamespace: releaseHasObjectsNamespace(release), where: `Nova ${release}` } : {};
}

/** nova.objects modules that hold helpers rather than object classes: their aliases stay. */
const NON_CLASS_MODULES = new Set(['base', 'fields', 'utils']);

/**
 * An object class name: CapWords (`Instance`, `KeyPairList`). The registry sets classes on
 * `nova.objects`, never a module's constants (`keypair_obj.KEYPAIR_TYPE_SSH` is not
 * `objects.KEYPAIR_TYPE_SSH`) or functions.
 */
function looksLikeClass(name: string): boolean {
  return /^[A-Z]/.test(name) && /[a-z]/.test(name) && !name.includes('_');
}

function isIsinstanceArg(node: PyNode): boolean {
  let cur: PyNode | null = node;
  // isinstance(x, M.Cls) or isinstance(x, (M.Cls, ...))
  while (cur?.parent && (cur.parent.type === 'tuple' || cur.parent.type === 'parenthesized_expression'))
    cur = cur.parent;
  const list = cur?.parent;
  const call = list?.parent;
  return (
    list?.type === 'argument_list' &&
    call?.type === 'call' &&
    ['isinstance', 'issubclass'].includes(call.childForFieldName('function')?.text ?? '')
  );
}

/**
 * The references that resolve to `b`, a module-level import binding, in source order: what
 * `referencesTo(b.target)` yields with `binding === b`, resolving only `b.local`'s occurrences
 * (`referencesTo` also resolves every use of a parent package's binding, `objects` of
 * `from nova import objects` included).
 */
function referencesOf(py: PyFile, b: ImportBinding): { root: PyNode }[] {
  const out: { root: PyNode }[] = [];
  for (const at of wordOccurrences(py.text, b.local, b.scope.startIndex, b.scope.endIndex)) {
    const id = identifierAt(py.root, at, b.local.length);
    if (!id || !isReference(id)) continue;
    const res = py.bindings.resolve(b.local, id);
    if (res.kind === 'import' && res.imports.includes(b)) out.push({ root: id });
  }
  return out;
}

function aliasBindings(py: PyFile): ImportBinding[] {
  return py.bindings.imports.filter(
    (b) =>
      b.topLevel &&
      !b.inTryImportError &&
      b.module === 'nova.objects' &&
      b.importedName !== undefined &&
      !NON_CLASS_MODULES.has(b.importedName) &&
      b.statement.childrenForFieldName('name').filter(Boolean).length === 1,
  );
}

/**
 * `from nova.objects import NAME` with NAME not a helper module (an alias binding's statement has
 * one name, so it comes first: after `import`, brackets, line continuations and comments), or a
 * relative import inside the nova package (it may resolve to nova.objects). When neither is in
 * the text, `aliasBindings` finds nothing and the file need not be parsed.
 */
const ALIAS_IMPORT =
  /\bfrom[\s\\]+nova[\s\\]*\.[\s\\]*objects[\s\\]+import(?:[\s\\(]|#[^\n]*)*(?!(?:base|fields|utils)(?![A-Za-z0-9_]))[A-Za-z_\u0080-\uffff]/;
const RELATIVE_IMPORT = /\bfrom[\s\\]*\./;
const ALIAS_IMPORTS = new RegExp(ALIAS_IMPORT.source, 'g');

function mayHaveAlias(file: CodemodFile): boolean {
  // The earlier gate, kept: the codemod never looked past files without the dotted name.
  if (!file.source.includes('nova.objects')) return false;
  return (
    ALIAS_IMPORT.test(file.source) || (file.relPath.startsWith('nova/') && RELATIVE_IMPORT.test(file.source))
  );
}

/**
 * The text up to the end of the line where the last alias import begins naming its module: every
 * alias import statement starts there or earlier (`ALIAS_IMPORT` finds them all). Undefined when a
 * relative import may be one (the pattern cannot see those).
 */
function aliasImportPrefix(file: CodemodFile): string | undefined {
  if (file.relPath.startsWith('nova/') && RELATIVE_IMPORT.test(file.source)) return undefined;
  let end = -1;
  for (const m of file.source.matchAll(ALIAS_IMPORTS)) end = m.index + m[0].length;
  if (end < 0) return undefined;
  const nl = file.source.indexOf('\n', end);
  return nl < 0 ? file.source : file.source.slice(0, nl + 1);
}

/**
 * A target without the object registry (before Nova 2014.2): `objects.Cls` would fail there, so
 * the aliases stay, with one report per file at its first alias (the reason is the tree's, not the
 * site's). The imports come from a parse of the file up to its last alias import: a statement is
 * classified by what precedes it and by itself, and when that text does not parse cleanly (the
 * cut fell inside a string, a bracket or a `try` whose handlers follow), the whole file is parsed.
 */
function reportNoRegistry(file: CodemodFile, api: CodemodApi, where: string | undefined): void {
  const prefix = aliasImportPrefix(file);
  const partial = prefix !== undefined && prefix !== file.source ? api.parseText(prefix) : undefined;
  try {
    let py = partial ?? api.parse();
    let aliases = aliasBindings(py);
    if (
      partial &&
      (partial.hasSyntaxErrors || aliases.some((b) => b.statement.endIndex >= partial.text.length))
    ) {
      py = api.parse();
      aliases = aliasBindings(py);
    }
    if (aliases.length === 0) return;
    const pos = py.position(aliases[0]!.statement.startIndex);
    const names = aliases.map((b) => b.local).join(', ');
    api.manual({
      line: pos.line,
      column: pos.column,
      kind: 'no-objects-namespace',
      reason: `${where ?? 'the target'} has no object registry that sets classes on nova.objects (Nova 2014.2+): objects.Cls would fail there; the aliases stay (${names})`,
    });
  } finally {
    partial?.dispose();
  }
}

/**
 * An argument list whose first argument follows the opening bracket on its line: its continuation
 * lines align with the bracket (pep8 E128) and move with it. A hanging indent (nothing after the
 * bracket) does not move.
 */
function visuallyAligned(list: PyNode): boolean {
  const firstLine = list.text.slice(1, list.text.indexOf('\n')).trim();
  return firstLine !== '' && !firstLine.startsWith('#');
}

/** Re-indents shifted continuation lines, one whitespace edit per line (never inside a string). */
function realign(py: PyFile, edits: EditSet, shifts: ReadonlyMap<number, number>): void {
  for (const [line, delta] of shifts) {
    if (delta === 0) continue;
    const start = py.lineStart(line);
    const text = py.lineText(line);
    const ws = /^ */.exec(text)![0].length;
    if (ws === text.length) continue;
    let node: PyNode | null = py.root.descendantForIndex(start + ws);
    let inString = false;
    for (; node; node = node.parent) {
      if (node.type === 'string' && node.startIndex < start) inString = true;
    }
    if (inString) continue;
    edits.replace(start, start + ws, ' '.repeat(Math.max(0, ws + delta)), 'realign');
  }
}

export default function transform(
  file: CodemodFile,
  api: CodemodApi,
  _options: CodemodOptions,
): string | undefined {
  if (!mayHaveAlias(file)) return undefined;
  const prepared = api.prepared as ObjectsImportStylePrepared | undefined;
  if (prepared?.objectsNamespace === false) {
    reportNoRegistry(file, api, prepared.where);
    return undefined;
  }
  const py = api.parse();
  const aliases = aliasBindings(py);
  if (aliases.length === 0) return undefined;
  const edits = new EditSet(file.source);
  let converted = 0;
  const removable: ImportBinding[] = [];
  /** 1-based line -> columns its indentation moves (continuation lines of shortened calls). */
  const shifts = new Map<number, number>();
  for (const b of aliases) {
    let kept = 0;
    for (const ref of referencesOf(py, b)) {
      const root = ref.root;
      const attr = root.parent?.type === 'attribute' ? root.parent : undefined;
      const name = attr?.childForFieldName('attribute')?.text;
      const pos = py.position(root.startIndex);
      if (!attr || !name || !looksLikeClass(name)) {
        kept++;
        api.manual({
          line: pos.line,
          column: pos.column,
          kind: 'module-function',
          reason: `${root.text}.${name ?? ''} is not an object class of nova.objects.${b.importedName} (only registered classes are set on nova.objects); the alias import stays`,
        });
        continue;
      }
      if (isIsinstanceArg(attr)) {
        kept++;
        api.manual({
          line: pos.line,
          column: pos.column,
          kind: 'isinstance',
          reason: `isinstance check on ${root.text}.${name}: use obj_base.NovaObject (from nova.objects import base as obj_base) or objects.${name}`,
          suggestion: `isinstance(..., obj_base.NovaObject)`,
        });
        continue;
      }
      if (py.touchesErrorRegion(root.startIndex, root.endIndex)) {
        kept++;
        continue;
      }
      // Keep continuation lines aligned with the call's bracket when the callee gets shorter.
      let top: PyNode = attr;
      while (top.parent?.type === 'attribute' && top.parent.childForFieldName('object')?.id === top.id)
        top = top.parent;
      const call =
        top.parent?.type === 'call' && top.parent.childForFieldName('function')?.id === top.id
          ? top.parent
          : undefined;
      const list = call?.childForFieldName('arguments');
      const delta = 'objects'.length - root.text.length;
      if (list && delta !== 0 && list.text.includes('\n') && visuallyAligned(list)) {
        // Continuation lines of this call move by delta (summed with any enclosing call's shift).
        const first = py.position(list.startIndex).line;
        const last = py.position(list.endIndex).line;
        for (let l = first + 1; l <= last; l++) shifts.set(l, (shifts.get(l) ?? 0) + delta);
      }
      edits.replace(root.startIndex, root.endIndex, 'objects', 'objects prefix');
      api.converted({
        line: pos.line,
        column: pos.column,
        kind: 'objects-prefix',
        detail: `${root.text}.${name} -> objects.${name}`,
      });
      converted++;
    }
    if (kept === 0) removable.push(b);
  }
  if (converted === 0) return undefined;
  realign(py, edits, shifts);
  const block = readImportBlock(py, { projectPackages: api.project.projectPackages });
  // A module-level `objects` that is not nova.objects: rename it (and its uses).
  const clash = py.bindings.imports.filter(
    (b) => b.topLevel && b.local === 'objects' && b.target !== 'nova.objects',
  );
  for (const c of clash) {
    const parent = c.target.split('.').slice(-2, -1)[0] ?? 'other';
    const alt = `${parent}_objects`;
    if (py.bindings.sitesIn(py.root, alt).length) {
      api.manual({
        line: py.position(c.statement.startIndex).line,
        column: 1,
        kind: 'name-collision',
        reason: `'objects' is bound to ${c.target} and '${alt}' is taken too`,
      });
      return undefined;
    }
    const nameNode = c.nameNode;
    edits.replace(
      nameNode.startIndex,
      nameNode.endIndex,
      `${py.slice(nameNode)} as ${alt}`,
      'rename colliding import',
    );
    for (const ref of referencesOf(py, c))
      edits.replace(ref.root.startIndex, ref.root.endIndex, alt, 'rename colliding name');
  }
  const hasObjects = py.bindings.imports.some(
    (b) => b.topLevel && b.local === 'objects' && b.target === 'nova.objects',
  );
  for (const b of removable)
    edits.add(planImportRemoval(py, b.statement, { projectPackages: api.project.projectPackages, block }));
  if (!hasObjects) {
    const ins = planImportInsertion(py, 'from nova import objects', {
      projectPackages: api.project.projectPackages,
      block,
    });
    edits.add(ins.edit);
  }
  edits.checkConflicts();
  return checkLocalShadowing(api, edits.apply(), { source: file.source, edits: edits.list() });
}

const IMPORT_OR_ATTRIBUTE = new Set(['attribute', 'dotted_name', 'aliased_import']);

/** Refuses (manual, no change) when a function binds `objects` locally and also uses the new prefix. */
function checkLocalShadowing(
  api: CodemodApi,
  text: string,
  from: { source: string; edits: readonly TextEdit[] },
): string | undefined {
  // The runner's parse of the result (re-parsed around the edits): its checks and the next
  // codemod read the same one.
  const after = api.parseShared(text, from);
  // Identifiers named `objects`, found through the text (whole words) and confirmed on the tree, in
  // source order: strings and comments have no identifier node.
  const ids: PyNode[] = [];
  for (const at of wordOccurrences(text, 'objects')) {
    const id = identifierAt(after.root, at, 'objects'.length);
    if (id) ids.push(id);
  }
  // Every binding site but an import's is an identifier outside attributes and import names: with
  // none, no `objects` resolves to a local and the scopes need not be built.
  if (!ids.some((id) => !IMPORT_OR_ATTRIBUTE.has(id.parent?.type ?? ''))) return text;
  for (const id of ids) {
    if (id.parent?.type !== 'attribute') continue;
    const res = after.bindings.resolve('objects', id);
    if (res.kind === 'local') {
      const pos = after.position(id.startIndex);
      api.manual({
        line: pos.line,
        column: pos.column,
        kind: 'name-collision',
        reason: "a local name 'objects' shadows the nova.objects import here; rename the local first",
      });
      return undefined;
    }
  }
  return text;
}
