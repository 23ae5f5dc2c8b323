/**
 * conductor-to-objects: raw conductor / VirtAPI / nova.db calls in virt drivers become
 * versioned-object calls, in the forms Nova used in the virt-objects work (migrations.md A.2-A.3):
 *
 *   P1  X.instance_update(CTX, OBJ['uuid'], {'k': v})  ->  OBJ.k = v; OBJ.save()
 *   P2  the uuid argument is a local assigned from OBJ['uuid'] / OBJ.uuid earlier in the function
 *   P3  the updates argument is a local dict built earlier in the function (inlined, then deleted)
 *   P4  system_metadata / metadata merged through utils.instance_sys_meta(OBJ) + .update(E)
 *       -> OBJ.system_metadata.update(E); aggregate_metadata_add/_delete -> AGG.update_metadata()
 *   P5/P6  getters -> PFX.Cls.method(CTX, ...), with `result['f']` reads -> `result.f`
 *   P6  service_update(CTX, SVC, values) and other updates on an object the function got -> sets + save()
 *   P8  OBJ['field'] reads on a converted receiver -> OBJ.field (fields of that class only)
 *   P8b OBJ['f'] / OBJ.get('f') / OBJ['f'] = v on the Instance a virt driver method receives (the
 *       sites the dict-style-object-access lint rule finds, with its own finder) -> OBJ.f, when the
 *       target release passes that method an object (src/codemod/nova-target.ts) and `f` is a
 *       field (or, for reads, a property) of Instance there
 *   P9  the object import in the file's (or tree's) style; `from nova import conductor` and
 *       `self._conductor_api = conductor.API()` removed when nothing uses them any more.
 *
 * The mapping comes from rules/conductor-methods.yaml (shared with the raw-conductor-call lint
 * rule). Which classes, methods and fields exist comes from the target tree's nova/objects/ (or
 * the table's `since` and --nova-release). A site that cannot be converted safely is reported
 * manual with the reason and a suggested replacement; nothing is guessed.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { methodCalls } from '../src/codemod/method-calls.js';
import {
  compareNovaReleases,
  type NovaObjectsInfo,
  releaseHasObjectsNamespace,
  scanNovaObjects,
} from '../src/codemod/nova-objects.js';
import { factsFor, inferTarget, type NovaTarget, objectArgumentRefusal } from '../src/codemod/nova-target.js';
import { detectFileStyle, type ObjectsImportStyle, ObjectsImports } from '../src/codemod/objects-imports.js';
import {
  collapseText,
  columnOf,
  insideAny,
  isStoreTarget,
  isWrite,
  MAX_LINE,
  referencesIn,
  renderAssignment,
  rewrapCall,
  simpleAssignments,
} from '../src/codemod/python-rewrite.js';
import type {
  CodemodApi,
  CodemodFile,
  CodemodOptions,
  ConvertedSite,
  ManualSite,
  PrepareContext,
} from '../src/codemod/types.js';
import { matchesAnyGlob } from '../src/engine/glob-match.js';
import {
  bindArguments,
  type ConductorMethod,
  type ConductorMethodTable,
  loadConductorMethods,
  renderReplacement,
  type Surface,
} from '../src/lint/conductor-methods.js';
import { type DriverMethodUse, driverMethodUses, manualOnlyAccess } from '../src/lint/driver-methods.js';
import { dictStyleObjectAccess } from '../src/lint/rules/dict-style-object-access.js';
import { loadVirtDriverMethods } from '../src/lint/virt-driver-methods.js';
import { identifierAt, isReference, wordOccurrences } from '../src/python/bindings.js';
import { callsByName, callsThroughImports } from '../src/python/call-sites.js';
import { planImportRemoval, readImportBlock } from '../src/python/import-block.js';
import type { PyNode } from '../src/python/parser.js';
import type { PyFile } from '../src/python/source-file.js';
import {
  callArguments,
  dottedName,
  enclosingFunction,
  enclosingStatement,
  indentationOf,
  literalDict,
  literalSubscript,
  parameterNames,
  standsAlone,
  statementLineRange,
} from '../src/python/syntax-helpers.js';
import { applyEdits, EditConflictError, EditSet, type TextEdit } from '../src/python/text-edits.js';

export const meta = {
  name: 'conductor-to-objects',
  description:
    'Raw conductor / VirtAPI / nova.db calls -> versioned-object calls (attribute sets + save(), classmethod getters, update_metadata)',
  fixes: ['raw-conductor-call', 'dict-style-object-access'],
};

export interface ConductorToObjectsPrepared {
  objects: NovaObjectsInfo;
  release?: string;
  /** The target release (option or inferred from the tree) for driver-method eras. */
  target?: NovaTarget;
  /** Whether the target's compute_utils.add_instance_fault_from_exc() takes a conductor (undefined: unknown). */
  faultHelperTakesConductor?: boolean;
  /** The validated rule table's methods (parsed once in the main thread, cloned to workers). */
  methods?: ConductorMethod[];
}

const tables = new WeakMap<ConductorMethod[], ConductorMethodTable>();

/** A table view over already-validated methods (what prepare() hands to workers). */
function tableOf(prepared: ConductorToObjectsPrepared | undefined): ConductorMethodTable {
  const methods = prepared?.methods;
  if (!methods) return loadConductorMethods();
  let t = tables.get(methods);
  if (!t) {
    const byName = new Map(methods.map((m) => [m.method, m]));
    t = {
      file: 'prepared',
      methods,
      byName,
      get: (name) => byName.get(name),
      onSurface: (surface) => methods.filter((m) => m.surfaces[surface] !== undefined),
    };
    tables.set(methods, t);
  }
  return t;
}

/** Classes and methods from the rule table, filtered by `since` <= release (all when no release). */
export function objectsFromTable(table: ConductorMethodTable, release: string | undefined): NovaObjectsInfo {
  const classes: NovaObjectsInfo['classes'] = {};
  for (const m of table.methods) {
    if (!m.object || !m.objectMethod) continue;
    if (release && m.since && compareNovaReleases(m.since, release) > 0) continue;
    if (release && !m.since) continue;
    classes[m.object] ??= { module: '', bases: [], methods: [], fields: [] };
    const c = classes[m.object]!;
    if (!c.methods.includes(m.objectMethod)) c.methods.push(m.objectMethod);
  }
  // The Instance field list of that release (src/codemod/nova-release-facts.ts).
  const facts = release ? factsFor(release) : undefined;
  if (facts?.instanceFields.length) {
    classes.Instance ??= { module: 'instance', bases: [], methods: [], fields: [] };
    classes.Instance.fields = [...facts.instanceFields];
    classes.Instance.properties = [...facts.instanceProperties];
  }
  return {
    source: release ? 'release' : 'none',
    ...(release ? { origin: release } : {}),
    objectsNamespace: release ? releaseHasObjectsNamespace(release) : true,
    classes,
  };
}

export async function prepare(ctx: PrepareContext): Promise<ConductorToObjectsPrepared> {
  const release = typeof ctx.options.novaRelease === 'string' ? ctx.options.novaRelease : undefined;
  const pkg = ctx.project.projectPackages.includes('nova')
    ? 'nova'
    : (ctx.project.projectPackages[0] ?? 'nova');
  const table = loadConductorMethods();
  const scanned = await scanNovaObjects(ctx.project.root, pkg);
  const objects = scanned && Object.keys(scanned.classes).length ? scanned : objectsFromTable(table, release);
  const target = inferTarget(ctx.project.root, pkg, scanned, release);
  const faultHelper = faultHelperTakesConductor(ctx.project.root, pkg, target);
  return {
    objects,
    methods: table.methods,
    target,
    ...(faultHelper !== undefined ? { faultHelperTakesConductor: faultHelper } : {}),
    ...(release ? { release } : {}),
  };
}

/**
 * Does the target's `nova.compute.utils.add_instance_fault_from_exc` take a conductor? Read from the
 * tree's nova/compute/utils.py when it has one, else by release: the argument went in 2014.2
 * (migrations.md A.3, A.6), when the helper began creating an InstanceFault object itself.
 */
export function faultHelperTakesConductor(
  root: string,
  pkg: string,
  target: NovaTarget,
): boolean | undefined {
  const path = join(root, pkg, 'compute', 'utils.py');
  if (existsSync(path)) {
    const m = /^def add_instance_fault_from_exc\(([^)]*)\)/m.exec(readFileSync(path, 'utf8'));
    if (m) return /\bconductor\b/.test(m[1]!);
  }
  if (!target.release) return undefined;
  const before = compareNovaReleases(target.release, '2014.2') < 0;
  // An inferred release is a lower bound: only "2014.2 or later" is a definite answer.
  if (target.source !== 'option') return before ? undefined : false;
  return before;
}

const QUICK = /virtapi|conductor|\bdb\b/;

interface Ctx {
  file: CodemodFile;
  py: PyFile;
  api: CodemodApi;
  table: ConductorMethodTable;
  objects: NovaObjectsInfo;
  release: string | undefined;
  target: NovaTarget;
  edits: EditSet;
  imports: ObjectsImports;
  /** Ranges whose text the codemod replaced or deleted (their old contents no longer count). */
  replaced: { start: number; end: number }[];
  /** `fnId:name` -> class, for locals that now hold an object (getter results). */
  established: Map<string, string>;
  /** Receivers converted per function: `fnId` -> [{text, cls}], for P8. */
  receivers: Map<number, { text: string; cls: string }[]>;
  converted: number;
  convertedSites: ConvertedSite[];
  manualSites: ManualSite[];
  /** Identifier node id -> call id of the raw update / object-method call it is the receiver of. */
  receiverArgs: Map<number, number>;
  /** Getter call id -> raw calls (ids) its result is handed to as their receiver. */
  dependents: Map<number, number[]>;
  /** Getter calls left manual because a call their result feeds stays raw. */
  blocked: ReadonlySet<number>;
  /** Raw call ids that ended manual. */
  manualCalls: Set<number>;
}

class Manual extends Error {
  constructor(
    readonly reason: string,
    readonly suggestion?: string,
  ) {
    super(reason);
  }
}

function surfaceOf(recv: PyNode, py: PyFile): Surface | undefined {
  const dn = dottedName(recv);
  if (dn) {
    const last = dn.split('.').pop()!;
    if (/^_?virtapi$/.test(last)) return 'virtapi';
    if (/^_?conductor(_api)?$/.test(last)) return 'conductor';
    const qn = py.bindings.qualifiedName(recv);
    if (qn === 'nova.db' || qn === 'nova.db.api') return 'db';
    return undefined;
  }
  if (recv.type === 'call') {
    const qn = py.bindings.qualifiedName(recv.childForFieldName('function')!);
    if (
      qn === 'nova.conductor.API' ||
      qn === 'nova.conductor.api.API' ||
      qn === 'nova.conductor.api.LocalAPI'
    ) {
      return 'conductor';
    }
  }
  return undefined;
}

function fnKey(fn: PyNode | undefined, name: string): string {
  return `${fn?.id ?? 0}:${name}`;
}

function classInfo(ctx: Ctx, cls: string) {
  return ctx.objects.classes[cls];
}

/** Throws Manual when `Cls.method` is not in the target tree / release. */
function requireObjectMethod(ctx: Ctx, m: ConductorMethod): void {
  const cls = m.object!;
  const method = m.objectMethod!;
  const info = classInfo(ctx, cls);
  const where =
    ctx.objects.source === 'tree'
      ? 'the target tree (nova/objects)'
      : ctx.objects.source === 'release'
        ? `Nova ${ctx.release}`
        : 'the rule table';
  if (!info) throw new Manual(`${cls} does not exist in ${where}${m.since ? ` (added in ${m.since})` : ''}`);
  if (!info.methods.includes(method)) {
    throw new Manual(`${cls}.${method} does not exist in ${where}${m.since ? ` (added in ${m.since})` : ''}`);
  }
}

/** Fields of a class when known (tree scan), else undefined (field checks are skipped). */
function fieldsOf(ctx: Ctx, cls: string): Set<string> | undefined {
  const f = classInfo(ctx, cls)?.fields;
  return f?.length ? new Set(f) : undefined;
}

/** Is `expr` an object we may call methods on / set attributes of? */
function checkObjectReceiver(ctx: Ctx, expr: PyNode, at: PyNode, cls: string): void {
  const fn = enclosingFunction(at);
  if (expr.type === 'identifier') {
    const name = expr.text;
    if (fn && ctx.established.get(fnKey(fn, name)) === cls) return;
    if (fn && parameterNames(fn).includes(name)) {
      // A parameter is taken for an object only when its name says which (`instance`, `service`,
      // `aggregate`, `instance_ref`): `reservations` is not a Quotas object.
      if (name.replace(/_ref$/, '') !== snake(cls)) {
        throw new Manual(
          `receiver '${name}' is a parameter whose name does not say it is ${article(cls)} object`,
        );
      }
      const sites = ctx.py.bindings.sitesIn(fn, name);
      if (sites.every((s) => s.kind === 'param')) return;
      throw new Manual(
        `receiver '${name}' is reassigned in the function; not known to be ${article(cls)} object`,
      );
    }
    throw new Manual(
      `receiver '${name}' is not known to be ${article(cls)} object (not a parameter or an object getter result)`,
    );
  }
  const dn = dottedName(expr);
  if (dn?.startsWith('self.')) return;
  throw new Manual(`receiver '${ctx.py.slice(expr)}' is not a name or a self attribute`);
}

function snake(cls: string): string {
  return cls.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function article(cls: string): string {
  return /^[AEIOU]/.test(cls) ? `an ${cls}` : `a ${cls}`;
}

/** The object an `OBJ['uuid']` / `OBJ.uuid` / local-alias argument designates. */
function receiverFromUuid(
  ctx: Ctx,
  arg: PyNode,
  call: PyNode,
): { obj: PyNode; alias?: { name: string; stmt: PyNode; value: PyNode } } {
  const direct = uuidOf(arg);
  if (direct) return { obj: direct };
  if (arg.type === 'identifier') {
    const fn = enclosingFunction(call);
    if (!fn) throw new Manual('uuid argument is not traceable to an object');
    const sites = ctx.py.bindings.sitesIn(fn, arg.text);
    const assigns = simpleAssignments(fn, arg.text);
    if (sites.length === 1 && assigns.length === 1 && assigns[0]!.stmt.endIndex <= call.startIndex) {
      const obj = uuidOf(assigns[0]!.value);
      if (obj) return { obj, alias: { name: arg.text, stmt: assigns[0]!.stmt, value: assigns[0]!.value } };
    }
  }
  throw new Manual('uuid argument is not traceable to an object');
}

function uuidOf(node: PyNode): PyNode | undefined {
  const sub = literalSubscript(node);
  if (sub && sub.key === 'uuid') return sub.object;
  if (node.type === 'attribute' && node.childForFieldName('attribute')?.text === 'uuid') {
    return node.childForFieldName('object') ?? undefined;
  }
  return undefined;
}

interface FieldUpdate {
  key: string;
  value: PyNode;
}

interface UpdatesPlan {
  entries: FieldUpdate[];
  /** The statement that built the dict (P3), deleted after inlining. */
  dictStmt?: PyNode;
}

/** The field updates of a `field-values` argument (literal dict, local dict, or **kwargs). */
function updatesOf(
  ctx: Ctx,
  arg: PyNode | undefined,
  kwargs: Map<string, PyNode>,
  call: PyNode,
): UpdatesPlan {
  if (!arg) {
    if (kwargs.size) return { entries: [...kwargs].map(([key, value]) => ({ key, value })) };
    throw new Manual('no updates argument');
  }
  const lit = literalDict(arg);
  if (lit) return { entries: lit.map((e) => ({ key: e.key, value: e.value })) };
  if (
    arg.type === 'dictionary' ||
    (arg.type === 'call' && arg.childForFieldName('function')?.text === 'dict')
  ) {
    throw new Manual('updates dict has computed keys or a ** splat');
  }
  if (arg.type !== 'identifier') throw new Manual('updates argument is not a dict literal or a local dict');
  const fn = enclosingFunction(call);
  const name = arg.text;
  const sites = fn ? ctx.py.bindings.sitesIn(fn, name) : [];
  if (!fn || sites.length === 0) throw new Manual('dict built in another function');
  const assigns = simpleAssignments(fn, name);
  if (assigns.length === 0) throw new Manual('dict built in another function');
  if (sites.length !== 1 || assigns.length !== 1)
    throw new Manual(`updates dict '${name}' is assigned more than once`);
  const { stmt, value } = assigns[0]!;
  const entries = literalDict(value);
  if (!entries) throw new Manual(`updates dict '${name}' is not built from a literal dict`);
  if (stmt.endIndex > call.startIndex || enclosingStatement(stmt.parent ?? stmt)?.type === 'for_statement') {
    throw new Manual(`updates dict '${name}' is built after the call or in a loop`);
  }
  const others = referencesIn(fn, name).filter(
    (id) => id.id !== arg.id && !(id.startIndex >= stmt.startIndex && id.endIndex <= stmt.endIndex),
  );
  if (others.length)
    throw new Manual(
      `updates dict '${name}' escapes or is mutated elsewhere in the function (line ${ctx.py.position(others[0]!.startIndex).line})`,
    );
  // Values are evaluated later once inlined: their names must not be rebound in between.
  for (const e of entries) {
    for (const id of e.value.descendantsOfType('identifier')) {
      if (!id || !isReference(id)) continue;
      for (const s of ctx.py.bindings.sitesIn(fn, id.text)) {
        if (s.node.startIndex > stmt.endIndex && s.node.startIndex < call.startIndex) {
          throw new Manual(`'${id.text}' changes between the updates dict '${name}' and the call`);
        }
      }
    }
  }
  if (!standsAlone(ctx.py, stmt)) throw new Manual(`updates dict '${name}' shares its line with other code`);
  return { entries: entries.map((e) => ({ key: e.key, value: e.value })), dictStmt: stmt };
}

const META_HELPERS: Record<string, string> = {
  system_metadata: 'instance_sys_meta',
  metadata: 'instance_meta',
};

interface MetaPlan {
  key: string;
  assignStmt: PyNode;
  updateReceivers: PyNode[];
}

/** P4: `SM = utils.instance_sys_meta(OBJ); SM.update(E)` feeding `{'system_metadata': SM}`. */
function metadataMerge(ctx: Ctx, key: string, value: PyNode, objText: string, call: PyNode): MetaPlan {
  const helper = META_HELPERS[key]!;
  const bad = `${key} update is not built through utils.${helper}(${objText}) + .update()`;
  if (value.type !== 'identifier') throw new Manual(bad, `${objText}.${key}.update(...); ${objText}.save()`);
  const fn = enclosingFunction(call);
  if (!fn) throw new Manual(bad);
  const assigns = simpleAssignments(fn, value.text);
  if (assigns.length !== 1 || ctx.py.bindings.sitesIn(fn, value.text).length !== 1) throw new Manual(bad);
  const { stmt, value: init } = assigns[0]!;
  const callee = init.type === 'call' ? init.childForFieldName('function') : null;
  const calleeName =
    callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
  const initArgs = init.type === 'call' ? callArguments(init) : undefined;
  if (
    calleeName !== helper ||
    initArgs?.positional.length !== 1 ||
    initArgs.positional[0]!.text !== objText
  ) {
    throw new Manual(bad, `${objText}.${key}.update(...); ${objText}.save()`);
  }
  if (!standsAlone(ctx.py, stmt) || stmt.endIndex > call.startIndex) throw new Manual(bad);
  const updateReceivers: PyNode[] = [];
  for (const id of referencesIn(fn, value.text)) {
    if (id.id === value.id || (id.startIndex >= stmt.startIndex && id.endIndex <= stmt.endIndex)) continue;
    const attr = id.parent;
    const c = attr?.parent;
    if (
      attr?.type === 'attribute' &&
      attr.childForFieldName('attribute')?.text === 'update' &&
      c?.type === 'call' &&
      c.parent?.type === 'expression_statement' &&
      id.startIndex > stmt.endIndex &&
      id.endIndex < call.startIndex
    ) {
      updateReceivers.push(id);
      continue;
    }
    throw new Manual(
      `${key} dict '${value.text}' is used other than by .update() (line ${ctx.py.position(id.startIndex).line})`,
    );
  }
  return { key, assignStmt: stmt, updateReceivers };
}

function deleteStatement(ctx: Ctx, stmt: PyNode): void {
  const r = statementLineRange(ctx.py, stmt);
  ctx.edits.delete(r.start, r.end, 'delete statement');
  ctx.replaced.push(r);
}

function replaceRange(ctx: Ctx, start: number, end: number, text: string, label: string): void {
  ctx.edits.replace(start, end, text, label);
  ctx.replaced.push({ start, end });
}

/** The call's statement when it is `CALL` alone on its lines (the result is not used). */
function bareCallStatement(ctx: Ctx, call: PyNode): PyNode {
  const stmt = call.parent;
  if (stmt?.type !== 'expression_statement' || stmt.namedChildCount !== 1) {
    throw new Manual(
      'the call result is used (the raw call returned the updated row; the object has the values)',
    );
  }
  if (!standsAlone(ctx.py, stmt)) throw new Manual('the call shares its line with other code');
  return stmt;
}

function commentsIn(node: PyNode): PyNode[] {
  return node.descendantsOfType('comment').filter((c): c is PyNode => !!c);
}

/** Replace `stmt` by lines (each without indentation); comments inside the statement are kept above. */
function replaceStatement(ctx: Ctx, stmt: PyNode, lines: string[], label: string): void {
  const indent = indentationOf(ctx.py, stmt);
  const nl = ctx.py.newline;
  const kept = commentsIn(stmt).map((c) => c.text);
  const all = [...kept, ...lines];
  const text = all.map((l, i) => (i === 0 ? l.slice(indent.length) : l)).join(nl);
  replaceRange(ctx, stmt.startIndex, stmt.endIndex, text, label);
}

// --- updates (P1-P4, P6) ---------------------------------------------------------------------------

function convertUpdate(ctx: Ctx, call: PyNode, m: ConductorMethod, surface: Surface): void {
  const args = callArguments(call);
  if (!args) throw new Manual('call arguments could not be read');
  const bound = bindArguments(m, surface, args);
  if (bound.dynamic) throw new Manual('*args / **kwargs in the call: arguments cannot be mapped');
  if (bound.unmatched.length) throw new Manual('arguments that match no parameter of the raw method');
  const cls = m.object!;
  const stmt = bareCallStatement(ctx, call);
  requireObjectMethod(ctx, m);
  let obj: PyNode | undefined;
  let alias: { name: string; stmt: PyNode; value: PyNode } | undefined;
  let updatesArg: PyNode | undefined;
  for (const a of m.args) {
    const node = bound.params.get(a.param);
    if (!node) continue;
    switch (a.role) {
      case 'context':
        break;
      case 'receiver':
        obj = node;
        break;
      case 'receiver-uuid': {
        const r = receiverFromUuid(ctx, node, call);
        obj = r.obj;
        alias = r.alias;
        break;
      }
      case 'receiver-id':
        throw new Manual(
          `the ${cls} is identified by id ('${node.text}'); the object is not in reach`,
          `${cls}.get_by_id(...) then set fields and save()`,
        );
      case 'field-values':
        updatesArg = node;
        break;
      case 'dropped':
        throw new Manual(`argument '${a.param}' has no object equivalent: ${a.reason ?? 'dropped'}`);
      default:
        throw new Manual(`argument '${a.param}' (${a.role}) has no place in the object form`);
    }
  }
  if (!obj) throw new Manual('the object to update is not an argument of the call');
  checkObjectReceiver(ctx, obj, call, cls);
  const objText = ctx.py.slice(obj);
  const plan = updatesOf(ctx, updatesArg, bound.varKeyword, call);
  if (plan.entries.length === 0) throw new Manual('empty updates: nothing to set');
  const fields = fieldsOf(ctx, cls);
  const seen = new Set<string>();
  for (const e of plan.entries) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.key))
      throw new Manual(`update key '${e.key}' is not an identifier`);
    if (seen.has(e.key)) throw new Manual(`update key '${e.key}' appears twice`);
    seen.add(e.key);
    if (fields && !fields.has(e.key)) throw new Manual(`'${e.key}' is not a field of ${cls}`);
  }
  const indent = indentationOf(ctx.py, stmt);
  const lines: string[] = [];
  const metaPlans: MetaPlan[] = [];
  for (const e of plan.entries) {
    if (META_HELPERS[e.key] && cls === 'Instance') {
      metaPlans.push(metadataMerge(ctx, e.key, e.value, objText, call));
      continue;
    }
    lines.push(renderAssignment(ctx.py, `${objText}.${e.key}`, e.value, indent));
  }
  lines.push(`${indent}${objText}.${m.objectMethod}()`);
  // Everything checked: plan the edits.
  for (const mp of metaPlans) {
    deleteStatement(ctx, mp.assignStmt);
    for (const id of mp.updateReceivers) {
      const upCall = id.parent!.parent!;
      const upStmt = upCall.parent!;
      const newCallee = `${objText}.${mp.key}.update`;
      const text = rewrapCall(
        ctx.py,
        upCall,
        newCallee,
        undefined,
        columnOf(ctx.py, upCall.startIndex),
        indentationOf(ctx.py, upStmt),
      );
      replaceRange(ctx, upCall.startIndex, upCall.endIndex, text, 'metadata update');
    }
  }
  if (plan.dictStmt) deleteStatement(ctx, plan.dictStmt);
  replaceStatement(ctx, stmt, lines, m.method);
  const fn = enclosingFunction(call);
  if (alias && fn) {
    const others = referencesIn(fn, alias.name).filter(
      (id) =>
        !(id.startIndex >= call.startIndex && id.endIndex <= call.endIndex) &&
        !(id.startIndex >= alias!.stmt.startIndex && id.endIndex <= alias!.stmt.endIndex),
    );
    if (others.length === 0 && standsAlone(ctx.py, alias.stmt)) deleteStatement(ctx, alias.stmt);
  }
  addReceiver(ctx, fn, objText, cls);
  const pos = ctx.py.position(call.startIndex);
  ctx.convertedSites.push({
    line: pos.line,
    column: pos.column,
    kind: m.method,
    detail: `${objText}: ${plan.entries.map((e) => e.key).join(', ')}; ${objText}.save()`,
  });
  ctx.converted++;
}

function addReceiver(ctx: Ctx, fn: PyNode | undefined, text: string, cls: string): void {
  const key = fn?.id ?? 0;
  const list = ctx.receivers.get(key) ?? [];
  if (!list.some((r) => r.text === text)) list.push({ text, cls });
  ctx.receivers.set(key, list);
}

// --- creates: `Cls(context=CTX)`, one attribute set per value, `.create()` -------------------------

/** Short local names for new objects, as Nova's own code named them. */
const CREATE_NAMES: Record<string, string> = {
  InstanceFault: 'fault',
  BlockDeviceMapping: 'bdm',
  ComputeNode: 'compute_node',
  Service: 'service',
};

/**
 * Dropped raw parameters (rules/conductor-methods.yaml role `dropped`) and when dropping one keeps
 * the meaning: `update_cells` is what create() does anyway unless the call passed False; objects
 * take the new BDM format, which the raw call used only with an explicit `legacy=False`.
 */
function droppedArgRefusal(param: string, text: string | undefined, reason: string): string | undefined {
  if (param === 'update_cells') {
    return text === undefined || text === 'True'
      ? undefined
      : `update_cells=${text}: ${reason}, so the call would start updating cells`;
  }
  if (param === 'legacy') {
    return text === 'False'
      ? undefined
      : `the values are in the legacy block device mapping format (legacy=${text ?? 'True'} by default); ${reason}`;
  }
  return `argument '${param}' has no object equivalent: ${reason}`;
}

function convertCreate(ctx: Ctx, call: PyNode, m: ConductorMethod, surface: Surface): void {
  const args = callArguments(call);
  if (!args) throw new Manual('call arguments could not be read');
  const bound = bindArguments(m, surface, args);
  if (bound.dynamic) throw new Manual('*args / **kwargs in the call: arguments cannot be mapped');
  if (bound.unmatched.length) throw new Manual('arguments that match no parameter of the raw method');
  const cls = m.object!;
  if (m.args.some((a) => a.role !== 'context' && a.role !== 'field-values' && a.role !== 'dropped')) {
    throw new Manual(
      `${cls}.${m.objectMethod}() takes its values as arguments, not as fields: a human builds the call`,
    );
  }
  if (cls === 'BlockDeviceMapping' && surface === 'conductor') {
    throw new Manual(
      'the conductor stores these values in the legacy block device mapping format; BlockDeviceMapping takes the new format',
    );
  }
  requireObjectMethod(ctx, m);
  const stmt = bareCallStatement(ctx, call);
  let context: PyNode | undefined;
  let values: PyNode | undefined;
  for (const a of m.args) {
    const node = bound.params.get(a.param);
    if (a.role === 'dropped') {
      const info = m.surfaces[surface]!;
      if (!info.params.some((p) => p.name === a.param)) continue;
      const refusal = droppedArgRefusal(
        a.param,
        node ? ctx.py.slice(node) : undefined,
        a.reason ?? 'dropped',
      );
      if (refusal) throw new Manual(refusal);
      continue;
    }
    if (!node) continue;
    if (a.role === 'context') context = node;
    else values = node;
  }
  if (!context) throw new Manual('no context argument for the new object');
  const ctxText = ctx.py.slice(context);
  if (ctxText.includes('\n')) throw new Manual('the context argument spans lines');
  const plan = updatesOf(ctx, values, bound.varKeyword, call);
  if (plan.entries.length === 0) throw new Manual('no values: nothing to set');
  const fields = fieldsOf(ctx, cls);
  if (!fields) throw new Manual(`the fields of ${cls} are unknown in the target: the keys cannot be checked`);
  const seen = new Set<string>();
  for (const e of plan.entries) {
    if (!IDENT.test(e.key)) throw new Manual(`key '${e.key}' is not an identifier`);
    if (seen.has(e.key)) throw new Manual(`key '${e.key}' appears twice`);
    seen.add(e.key);
    if (!fields.has(e.key)) throw new Manual(`'${e.key}' is not a field of ${cls}`);
  }
  const scope = enclosingFunction(call) ?? ctx.py.root;
  const base = CREATE_NAMES[cls] ?? snake(cls);
  const name = [base, `${base}_obj`].find((n) => !new RegExp(`\\b${n}\\b`).test(ctx.py.slice(scope)));
  if (!name) throw new Manual(`the names '${base}' and '${base}_obj' are both taken in the function`);
  const indent = indentationOf(ctx.py, stmt);
  const prefix = ctx.imports.prefixFor(cls);
  const lines = [`${indent}${name} = ${prefix}.${cls}(context=${ctxText})`];
  for (const e of plan.entries) lines.push(renderAssignment(ctx.py, `${name}.${e.key}`, e.value, indent));
  lines.push(`${indent}${name}.${m.objectMethod}()`);
  if (plan.dictStmt) deleteStatement(ctx, plan.dictStmt);
  replaceStatement(ctx, stmt, lines, m.method);
  const pos = ctx.py.position(call.startIndex);
  ctx.convertedSites.push({
    line: pos.line,
    column: pos.column,
    kind: m.method,
    detail: `${name} = ${prefix}.${cls}(context=${ctxText}); ${plan.entries.map((e) => e.key).join(', ')}; ${name}.${m.objectMethod}()`,
  });
  ctx.converted++;
}

// --- compute_utils.add_instance_fault_from_exc(CTX, CONDUCTOR, ...) (P10 helper signature) ----------

const FAULT_HELPER_QUICK = /add_instance_fault_from_exc/;
const FAULT_HELPER = 'nova.compute.utils.add_instance_fault_from_exc';

/** `X.API()` of nova.conductor, or a name / attribute that the surface naming calls a conductor. */
function isConductorExpr(ctx: Ctx, node: PyNode, fn: PyNode | undefined): { local?: PyNode } | undefined {
  if (surfaceOf(node, ctx.py) === 'conductor') return {};
  if (node.type !== 'identifier' || !fn) return undefined;
  const assigns = simpleAssignments(fn, node.text);
  if (assigns.length !== 1 || ctx.py.bindings.sitesIn(fn, node.text).length !== 1) return undefined;
  const value = assigns[0]!.value;
  return value.type === 'call' && surfaceOf(value, ctx.py) === 'conductor'
    ? { local: assigns[0]!.stmt }
    : undefined;
}

/**
 * Nova 2014.2 made add_instance_fault_from_exc() create an InstanceFault object itself and dropped
 * its conductor parameter: callers drop the argument (and a `capi = conductor.API()` local that
 * only fed it). Where the target's helper still takes the conductor, the site is manual.
 */
function convertFaultHelperCalls(ctx: Ctx, takesConductor: boolean | undefined): void {
  const calls = callsByName(ctx.py, ['add_instance_fault_from_exc']).map((c) => c.call);
  for (const call of calls.sort((a, b) => a.startIndex - b.startIndex)) {
    const callee = call.childForFieldName('function')!;
    if (ctx.py.bindings.qualifiedName(callee) !== FAULT_HELPER) continue;
    if (insideAny(ctx.replaced, call.startIndex, call.endIndex)) continue;
    const args = callArguments(call);
    const fn = enclosingFunction(call);
    const conductorArg = args?.positional[1] ?? args?.keywords.get('conductor');
    if (!args || !conductorArg) continue; // already the object-era signature
    const found = isConductorExpr(ctx, conductorArg, fn);
    if (!found) continue; // the second argument is the instance: the new signature
    const pos = ctx.py.position(call.startIndex);
    const newArgs = args.list.namedChildren
      .filter((a) => a && a.id !== conductorArg.id && a.parent?.id === args.list.id)
      .map((a) =>
        a!.type === 'keyword_argument' && a!.childForFieldName('name')?.text === 'conductor' ? '' : a!.text,
      )
      .filter(Boolean);
    const suggestion = `${ctx.py.slice(callee)}(${newArgs.join(', ')})`;
    const manual = (reason: string): void => {
      const end = ctx.py.position(call.endIndex);
      ctx.manualCalls.add(call.id);
      ctx.manualSites.push({
        line: pos.line,
        column: pos.column,
        endLine: end.line,
        endColumn: end.column,
        reason,
        kind: 'add_instance_fault_from_exc',
        suggestion,
      });
    };
    if (ctx.py.touchesErrorRegion(call.startIndex, call.endIndex)) {
      manual('inside a syntax-error region');
      continue;
    }
    if (takesConductor === undefined) {
      manual(
        "whether the target's add_instance_fault_from_exc() still takes a conductor is unknown (no nova/compute/utils.py, no release): pass --nova-release",
      );
      continue;
    }
    if (takesConductor) {
      manual(
        "the target's add_instance_fault_from_exc() still takes the conductor (it calls instance_fault_create); the helper creates an InstanceFault object itself from Nova 2014.2",
      );
      continue;
    }
    // Remove `, CONDUCTOR` (positional: from the end of the previous argument).
    const items = args.list.namedChildren.filter((a): a is PyNode => !!a && a.type !== 'comment');
    const at = items.findIndex(
      (a) => a.id === conductorArg.id || a.childForFieldName('value')?.id === conductorArg.id,
    );
    const prev = items[at - 1];
    if (at < 1 || !prev) {
      manual('the conductor argument is not where it can be removed');
      continue;
    }
    const item = items[at]!;
    if (
      args.list
        .descendantsOfType('comment')
        .some((c) => c && c.startIndex > prev.endIndex && c.endIndex < item.endIndex)
    ) {
      manual('a comment sits next to the conductor argument');
      continue;
    }
    replaceRange(ctx, prev.endIndex, item.endIndex, '', 'drop conductor argument');
    if (found.local && fn) {
      const uses = referencesIn(fn, conductorArg.text).filter(
        (id) =>
          id.id !== conductorArg.id &&
          !(id.startIndex >= found.local!.startIndex && id.endIndex <= found.local!.endIndex),
      );
      if (uses.length === 0 && standsAlone(ctx.py, found.local)) deleteStatement(ctx, found.local);
    }
    ctx.convertedSites.push({
      line: pos.line,
      column: pos.column,
      kind: 'add_instance_fault_from_exc',
      detail: `conductor argument '${ctx.py.slice(conductorArg)}' dropped (the helper creates an InstanceFault)`,
    });
    ctx.converted++;
  }
}

// --- metadata add / delete, object methods (P4, P7) ------------------------------------------------

function convertObjectMethod(ctx: Ctx, call: PyNode, m: ConductorMethod, surface: Surface): void {
  const args = callArguments(call);
  if (!args) throw new Manual('call arguments could not be read');
  const bound = bindArguments(m, surface, args);
  if (bound.dynamic || bound.unmatched.length)
    throw new Manual('arguments cannot be mapped to the raw method');
  const cls = m.object!;
  requireObjectMethod(ctx, m);
  const stmt = bareCallStatement(ctx, call);
  let obj: PyNode | undefined;
  const passed: string[] = [];
  for (const a of m.args) {
    const node = bound.params.get(a.param);
    if (!node) continue;
    switch (a.role) {
      case 'context':
        break;
      case 'receiver':
        obj = node;
        break;
      case 'receiver-uuid':
        obj = receiverFromUuid(ctx, node, call).obj;
        break;
      case 'receiver-id':
        throw new Manual(`the ${cls} is identified by id ('${node.text}'); the object is not in reach`);
      case 'metadata':
        passed.push(ctx.py.slice(node));
        break;
      case 'metadata-key':
        passed.push(`{${ctx.py.slice(node)}: None}`);
        break;
      case 'argument':
        passed.push(
          a.to && (args.keywords.get(a.param) || a.keyword)
            ? `${a.to}=${ctx.py.slice(node)}`
            : ctx.py.slice(node),
        );
        break;
      default:
        throw new Manual(`argument '${a.param}' has no object equivalent: ${a.reason ?? a.role}`);
    }
  }
  if (!obj) throw new Manual(`the ${cls} is not an argument of the call`);
  checkObjectReceiver(ctx, obj, call, cls);
  const objText = ctx.py.slice(obj);
  const indent = indentationOf(ctx.py, stmt);
  const text = rewrapCall(
    ctx.py,
    call,
    `${objText}.${m.objectMethod}`,
    passed,
    columnOf(ctx.py, call.startIndex),
    indent,
  );
  replaceRange(ctx, call.startIndex, call.endIndex, text, m.method);
  addReceiver(ctx, enclosingFunction(call), objText, cls);
  const pos = ctx.py.position(call.startIndex);
  ctx.convertedSites.push({
    line: pos.line,
    column: pos.column,
    kind: m.method,
    detail: `${objText}.${m.objectMethod}(...)`,
  });
  ctx.converted++;
}

// --- getters (P5, P6) ------------------------------------------------------------------------------

interface UsePlan {
  /** `x['f']` subscripts to rewrite as `x.f`. */
  subscripts: { node: PyNode; object: string; key: string }[];
}

/** Uses of a getter result `name` after `from` in `fn`: which are safe, which need a human. */
function planResultUses(
  ctx: Ctx,
  fn: PyNode,
  name: string,
  cls: string,
  from: number,
  list: boolean,
  getterCall?: PyNode,
): UsePlan {
  const plan: UsePlan = { subscripts: [] };
  const itemCls = cls.endsWith('List') ? cls.slice(0, -4) : cls;
  const fields = fieldsOf(ctx, list ? itemCls : cls);
  const visit = (
    id: PyNode,
    asList: boolean,
    varName: string,
    fieldSet: Set<string> | undefined,
    ofCls: string,
  ): void => {
    const p = id.parent!;
    const line = ctx.py.position(id.startIndex).line;
    if (p.type === 'subscript' && p.childForFieldName('value')?.id === id.id) {
      if (asList) throw new Manual(`result '${varName}' is indexed (line ${line})`);
      const sub = literalSubscript(p);
      if (!sub) throw new Manual(`result '${varName}' is read with a computed key (line ${line})`);
      if (isStoreTarget(p)) throw new Manual(`result '${varName}' is written as a mapping (line ${line})`);
      if (!fieldSet)
        throw new Manual(
          `fields of ${ofCls} are unknown: cannot rewrite ${varName}['${sub.key}'] (line ${line})`,
        );
      if (!fieldSet.has(sub.key)) throw new Manual(`'${sub.key}' is not a field of ${ofCls} (line ${line})`);
      if (classInfo(ctx, ofCls)?.objectFields?.includes(sub.key)) {
        throw new Manual(
          `field '${sub.key}' of ${ofCls} holds a nested object; the row had another shape (line ${line})`,
        );
      }
      // A field that is itself indexed or sliced may have another shape on the object (a
      // Service's compute_node is one ComputeNode, the row had a list): a human decides.
      if (p.parent?.type === 'subscript' && p.parent.childForFieldName('value')?.id === p.id) {
        throw new Manual(
          `field '${sub.key}' of ${ofCls} is indexed (${varName}['${sub.key}'][...], line ${line}); the object field may differ in shape`,
        );
      }
      plan.subscripts.push({ node: p, object: varName, key: sub.key });
      return;
    }
    if (p.type === 'attribute' && p.childForFieldName('object')?.id === id.id) {
      const attr = p.childForFieldName('attribute')!.text;
      if (
        [
          'get',
          'items',
          'keys',
          'values',
          'iteritems',
          'iterkeys',
          'itervalues',
          'copy',
          'update',
          'setdefault',
          'pop',
        ].includes(attr)
      ) {
        throw new Manual(`result used as a mapping (${varName}.${attr}, line ${line})`);
      }
      return;
    }
    if (
      p.type === 'binary_operator' &&
      p.childForFieldName('right')?.id === id.id &&
      p.childForFieldName('operator')?.text === '%'
    ) {
      throw new Manual(
        `result used as a %-format mapping (line ${line})`,
        `an explicit dict: {'key': ${varName}.key, ...}`,
      );
    }
    if (
      p.type === 'if_statement' ||
      p.type === 'while_statement' ||
      p.type === 'not_operator' ||
      p.type === 'boolean_operator' ||
      p.type === 'conditional_expression'
    )
      return;
    if (p.type === 'comparison_operator' && /\bis\b/.test(p.text)) return;
    if (asList && p.type === 'for_statement' && p.childForFieldName('right')?.id === id.id) {
      const left = p.childForFieldName('left');
      if (left?.type !== 'identifier') throw new Manual(`items of '${varName}' are unpacked (line ${line})`);
      const body = p.childForFieldName('body')!;
      const itemFields = fieldsOf(ctx, itemCls);
      for (const use of referencesIn(body, left.text)) {
        if (isWrite(use))
          throw new Manual(
            `loop variable '${left.text}' is rebound (line ${ctx.py.position(use.startIndex).line})`,
          );
        visit(use, false, left.text, itemFields, itemCls);
      }
      return;
    }
    if (asList && p.type === 'argument_list' && p.parent?.childForFieldName('function')?.text === 'len')
      return;
    if (p.type === 'argument_list' && ctx.receiverArgs.has(id.id) && getterCall) {
      // Handed to a raw update that is converted too (it becomes `name.f = v; name.save()`).
      const list = ctx.dependents.get(getterCall.id) ?? [];
      list.push(ctx.receiverArgs.get(id.id)!);
      ctx.dependents.set(getterCall.id, list);
      return;
    }
    if (p.type === 'argument_list') {
      const callee = p.parent?.childForFieldName('function');
      throw new Manual(
        `result passed to ${callee ? ctx.py.slice(callee) : 'a call'}(), which may use it as a mapping (line ${line})`,
      );
    }
    if (p.type === 'return_statement')
      throw new Manual(`result returned to the caller, which may use it as a mapping (line ${line})`);
    throw new Manual(`result used as a mapping or in an unknown way (line ${line})`);
  };
  for (const id of referencesIn(fn, name)) {
    if (id.startIndex < from) continue;
    if (isWrite(id))
      throw new Manual(`result '${name}' is reassigned (line ${ctx.py.position(id.startIndex).line})`);
    visit(id, list, name, fields, cls);
  }
  return plan;
}

function convertGetter(ctx: Ctx, call: PyNode, m: ConductorMethod, surface: Surface): void {
  if (ctx.blocked.has(call.id)) {
    throw new Manual('result is handed to a raw call that stays raw (see the manual site there)');
  }
  if (m.attribute) {
    throw new Manual(
      `the replacement is a field read (${m.object}.${m.objectMethod}) of an object that is not in reach`,
      renderReplacement(m, new Map()),
    );
  }
  const args = callArguments(call);
  if (!args) throw new Manual('call arguments could not be read');
  const bound = bindArguments(m, surface, args);
  if (bound.dynamic) throw new Manual('*args / **kwargs in the call: arguments cannot be mapped');
  if (bound.unmatched.length) throw new Manual('arguments that match no parameter of the raw method');
  requireObjectMethod(ctx, m);
  const cls = m.object!;
  const list = m.kind === 'list-getter';
  const out: string[] = [];
  let keywordsOnly = false;
  let hasContext = false;
  const info = m.surfaces[surface]!;
  for (const p of info.params) {
    const node = bound.params.get(p.name);
    if (!node) continue;
    const a = m.args.find((x) => x.param === p.name);
    if (!a) throw new Manual(`argument '${p.name}' is not in the rule table's mapping`);
    const text = ctx.py.slice(node);
    switch (a.role) {
      case 'context':
        out.push(text);
        hasContext = true;
        break;
      case 'argument': {
        if (a.since && ctx.release && compareNovaReleases(a.since, ctx.release) > 0) {
          throw new Manual(`argument '${p.name}' needs Nova ${a.since} (target ${ctx.release})`);
        }
        const value = a.transform ? a.transform.replace(`{${p.name}}`, text) : text;
        // Positional when the object method takes it at this position (or, without its signature,
        // when the raw call passed it positionally: the table lists arguments in the object order).
        const target = classInfo(ctx, cls)?.params?.[m.objectMethod!];
        const position = out.length - 1;
        const positionalOk = target
          ? target[position] === (a.to ?? p.name)
          : args.keywords.get(p.name) !== node;
        const byKeyword = args.keywords.get(p.name) === node || a.keyword === true || !positionalOk;
        if (byKeyword || keywordsOnly) {
          keywordsOnly = true;
          out.push(`${a.to ?? p.name}=${value}`);
        } else out.push(value);
        break;
      }
      case 'receiver-uuid': {
        const r = receiverFromUuid(ctx, node, call);
        out.push(ctx.py.slice(r.obj));
        break;
      }
      case 'dropped':
        throw new Manual(`argument '${p.name}' has no object equivalent: ${a.reason ?? 'dropped'}`);
      default:
        throw new Manual(`argument '${p.name}' (${a.role}) cannot be passed to ${cls}.${m.objectMethod}`);
    }
  }
  if (!hasContext) throw new Manual('no context argument for the object classmethod');
  // Where does the result go?
  const parent = call.parent!;
  const fn = enclosingFunction(call);
  let uses: UsePlan = { subscripts: [] };
  let resultVar: string | undefined;
  if (parent.type === 'assignment' && parent.childForFieldName('right')?.id === call.id) {
    const left = parent.childForFieldName('left');
    if (left?.type !== 'identifier' || !fn)
      throw new Manual('result is assigned to something other than a local name');
    resultVar = left.text;
    const sites = ctx.py.bindings.sitesIn(fn, resultVar);
    if (sites.length !== 1)
      throw new Manual(`result '${resultVar}' is assigned more than once in the function`);
    uses = planResultUses(ctx, fn, resultVar, cls, call.endIndex, list, call);
  } else if (parent.type === 'for_statement' && parent.childForFieldName('right')?.id === call.id && list) {
    const left = parent.childForFieldName('left');
    if (left?.type !== 'identifier') throw new Manual('items of the result are unpacked');
    const itemCls = cls.slice(0, -4);
    const body = parent.childForFieldName('body')!;
    for (const use of referencesIn(body, left.text)) {
      if (isWrite(use)) throw new Manual(`loop variable '${left.text}' is rebound`);
    }
    // Reuse the single-object analysis on the loop variable.
    uses = planResultUses(ctx, body, left.text, itemCls, body.startIndex, false);
  } else if (parent.type === 'expression_statement') {
    // result discarded
  } else {
    throw new Manual(
      'result is used in an expression (returned or passed on); callers may use it as a mapping',
    );
  }
  const prefix = ctx.imports.prefixFor(cls);
  const callee = `${prefix}.${cls}.${m.objectMethod}`;
  const stmt = enclosingStatement(call)!;
  const text = rewrapCall(
    ctx.py,
    call,
    callee,
    out,
    columnOf(ctx.py, call.startIndex),
    indentationOf(ctx.py, stmt),
  );
  replaceRange(ctx, call.startIndex, call.endIndex, text, m.method);
  for (const s of uses.subscripts)
    replaceRange(ctx, s.node.startIndex, s.node.endIndex, `${s.object}.${s.key}`, 'field read');
  if (resultVar && fn) ctx.established.set(fnKey(fn, resultVar), cls);
  const pos = ctx.py.position(call.startIndex);
  ctx.convertedSites.push({
    line: pos.line,
    column: pos.column,
    kind: m.method,
    detail: `${callee}(...)${uses.subscripts.length ? `; ${uses.subscripts.length} field reads` : ''}`,
  });
  ctx.converted++;
}

// --- P8 ------------------------------------------------------------------------------------------

/** `OBJ['field']` reads of converted receivers in the same function -> `OBJ.field`. */
function convertFieldReads(ctx: Ctx): void {
  for (const [fnId, receivers] of ctx.receivers) {
    const fn = findFunction(ctx, fnId);
    if (!fn) continue;
    for (const r of receivers) {
      const fields = fieldsOf(ctx, r.cls);
      if (!fields) continue;
      for (const sub of fn.descendantsOfType('subscript')) {
        if (!sub) continue;
        const lit = literalSubscript(sub);
        if (!lit || ctx.py.slice(lit.object) !== r.text || !fields.has(lit.key)) continue;
        if (classInfo(ctx, r.cls)?.objectFields?.includes(lit.key)) continue;
        if (isStoreTarget(sub) || insideAny(ctx.replaced, sub.startIndex, sub.endIndex)) continue;
        if (ctx.py.touchesErrorRegion(sub.startIndex, sub.endIndex)) continue;
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(lit.key)) continue;
        replaceRange(ctx, sub.startIndex, sub.endIndex, `${r.text}.${lit.key}`, 'field read');
      }
    }
  }
}

const functionIndex = new WeakMap<PyFile, Map<number, PyNode>>();

function findFunction(ctx: Ctx, id: number): PyNode | undefined {
  if (id === 0) return ctx.py.root;
  let index = functionIndex.get(ctx.py);
  if (!index) {
    index = new Map();
    for (const f of ctx.py.root.descendantsOfType('function_definition')) if (f) index.set(f.id, f);
    functionIndex.set(ctx.py, index);
  }
  return index.get(id);
}

// --- P8b: dict-style access on the Instance a driver method receives -------------------------------

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Instance fields and properties of the target, with where they come from (for reasons). */
function instanceMembers(
  ctx: Ctx,
): { fields: Set<string>; properties: Set<string>; where: string } | undefined {
  const info = classInfo(ctx, 'Instance');
  if (!info?.fields.length) return undefined;
  const where =
    ctx.objects.source === 'tree' ? 'the target tree (nova/objects)' : `Nova ${ctx.release ?? '?'}`;
  return {
    fields: new Set(info.fields),
    properties: new Set((info.properties ?? []).filter((p) => !p.startsWith('obj_'))),
    where,
  };
}

/**
 * `instance['f']`, `instance.get('f')` and `instance['f'] = v` on the Instance object a virt driver
 * method receives, found by the dict-style-object-access rule's own finder, become `instance.f`.
 * The finder already skips parameters the method rebinds or checks with isinstance(x, dict), and
 * names bound in nested scopes. Each site the rule reports is either rewritten here or reported
 * manual with the reason.
 */
function convertDriverMethodAccesses(ctx: Ctx, uses: DriverMethodUse[]): void {
  const members = uses.some((u) => u.accesses.length) ? instanceMembers(ctx) : undefined;
  for (const use of uses) {
    if (!use.accesses.length) continue;
    const refusal = objectArgumentRefusal(use.entry, ctx.target);
    for (const a of use.accesses) {
      const node = a.node;
      if (insideAny(ctx.replaced, node.startIndex, node.endIndex)) continue;
      const attr = `${a.param}.${a.key}`;
      const manual = (reason: string, suggestion: string | undefined = attr): void => {
        const pos = ctx.py.position(node.startIndex);
        const end = ctx.py.position(node.endIndex);
        ctx.manualSites.push({
          line: pos.line,
          column: pos.column,
          endLine: end.line,
          endColumn: end.column,
          reason,
          kind: 'dict-access',
          ...(suggestion ? { suggestion } : {}),
        });
      };
      if (ctx.py.touchesErrorRegion(node.startIndex, node.endIndex)) {
        manual('inside a syntax-error region');
        continue;
      }
      if (refusal) {
        manual(refusal);
        continue;
      }
      if (!members) {
        manual(
          `the fields of Instance are unknown (the tree has no nova/objects and no --nova-release was given)`,
        );
        continue;
      }
      if (!IDENT.test(a.key)) {
        manual(`'${a.key}' is not an identifier`, undefined);
        continue;
      }
      const isField = members.fields.has(a.key);
      const isProperty = members.properties.has(a.key);
      if (a.kind === 'delete') {
        manual(
          `del ${a.param}['${a.key}']: objects have no item deletion; decide what the field should hold`,
          undefined,
        );
        continue;
      }
      if (!isField && !(isProperty && a.kind === 'read')) {
        manual(
          isProperty
            ? a.kind === 'get'
              ? `'${a.key}' is a property, not a field, of Instance: .get() accepts fields only`
              : `'${a.key}' is a read-only property of Instance`
            : `'${a.key}' is not a field of Instance in ${members.where}`,
          isProperty && a.kind === 'get' ? attr : undefined,
        );
        continue;
      }
      if (a.kind === 'get') {
        const only = manualOnlyAccess(a);
        if (only?.why === 'get-arguments') {
          manual(`${a.param}.get() with arguments that cannot be read`);
          continue;
        }
        if (only?.why === 'get-default') {
          const d = ctx.py.slice(only.dflt);
          manual(
            `${a.param}.get('${a.key}', ${d}) returns the default when the field is not set; ${attr} lazy-loads or raises instead`,
            `${attr} if ${a.param}.obj_attr_is_set('${a.key}') else ${d}`,
          );
          continue;
        }
      }
      replaceRange(ctx, node.startIndex, node.endIndex, attr, 'dict access');
      const pos = ctx.py.position(node.startIndex);
      const form = a.kind === 'get' ? `${a.param}.get('${a.key}')` : `${a.param}['${a.key}']`;
      ctx.convertedSites.push({
        line: pos.line,
        column: pos.column,
        kind: 'dict-access',
        detail: `${form} -> ${attr} in ${use.def.name}()`,
      });
      ctx.converted++;
    }
  }
}

// --- clean-up of imports and conductor attributes (P9) ---------------------------------------------

function referenceCounts(py: PyFile): Map<string, number> {
  const counts = new Map<string, number>();
  const locals = new Set(py.bindings.imports.filter((b) => b.topLevel).map((b) => b.local));
  // Each name's identifiers through the text (whole words), confirmed on the tree.
  for (const local of locals) {
    for (const at of wordOccurrences(py.text, local)) {
      const id = identifierAt(py.root, at, local.length);
      if (!id || !isReference(id)) continue;
      counts.set(local, (counts.get(local) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * After the conversions: drop `self.X = conductor.API()` when nothing reads `self.X` any more, then
 * every top-level import that was used before the run and is used no more.
 */
function cleanup(
  text: string,
  from: { source: string; edits: readonly TextEdit[] },
  before: Map<string, number>,
  api: CodemodApi,
  projectPackages: readonly string[],
): string {
  // Shared parses: the runner re-parses the result anyway (checks, second run, next codemod);
  // `from` (the file and the conversions' edits) lets it re-parse only around the edits.
  let py = api.parseShared(text, from);
  {
    const edits: TextEdit[] = [];
    for (const { call, qualifiedName: qn } of callsThroughImports(py, 'nova.conductor')) {
      const a = call.parent;
      if (a?.type !== 'assignment' || a.childForFieldName('right')?.id !== call.id) continue;
      const left = a.childForFieldName('left');
      if (left?.type !== 'attribute') continue;
      if (
        qn !== 'nova.conductor.API' &&
        qn !== 'nova.conductor.api.API' &&
        qn !== 'nova.conductor.api.LocalAPI'
      )
        continue;
      const attr = left.childForFieldName('attribute')!.text;
      // Attributes `X.attr` other than the assigned one, through the text and confirmed on the tree.
      const uses = wordOccurrences(py.text, attr).filter((at) => {
        const n = identifierAt(py.root, at, attr.length)?.parent;
        return (
          n?.type === 'attribute' && n.childForFieldName('attribute')?.startIndex === at && n.id !== left.id
        );
      });
      const stmt = a.parent;
      if (uses.length === 0 && stmt?.type === 'expression_statement' && standsAlone(py, stmt)) {
        const r = statementLineRange(py, stmt);
        edits.push({ start: r.start, end: r.end, text: '', label: 'remove conductor attribute' });
      }
    }
    if (edits.length) {
      const parsed = text;
      text = applyEdits(text, edits);
      py = api.parseShared(text, { source: parsed, edits });
    }
    const after = referenceCounts(py);
    const block = readImportBlock(py, { projectPackages });
    const removals: TextEdit[] = [];
    for (const b of py.bindings.imports) {
      if (!b.topLevel || b.inTryImportError) continue;
      if ((before.get(b.local) ?? 0) === 0 || (after.get(b.local) ?? 0) > 0) continue;
      const names =
        b.statement.type === 'import_statement'
          ? b.statement.childrenForFieldName('name')
          : b.statement.childrenForFieldName('name');
      if (names.filter(Boolean).length !== 1) continue;
      removals.push(planImportRemoval(py, b.statement, { projectPackages, block }));
    }
    return removals.length ? applyEdits(text, removals) : text;
  }
}

// --- the transform ---------------------------------------------------------------------------------

function chooseStyle(py: PyFile, options: CodemodOptions, objects: NovaObjectsInfo): ObjectsImportStyle {
  const opt = options.objectsImportStyle;
  let style: ObjectsImportStyle =
    opt === 'objects' || opt === 'module'
      ? opt
      : (detectFileStyle(py) ?? (objects.objectsNamespace ? 'objects' : 'module'));
  if (style === 'objects' && !ObjectsImports.objectsNameUsable(py)) style = 'module';
  return style;
}

/**
 * Files that implement the raw layer rather than use it (objects call nova.db by design; the
 * conductor, VirtAPI and the fake VirtAPI in virt/fake.py define the raw methods), and tests (their mocks need the A.4 rewrites, not
 * these): left alone unless `includeTests` asks for tests.
 */
export function outOfScope(relPath: string, options: CodemodOptions): boolean {
  if (/^[A-Za-z_]+\/(objects|db|conductor)\//.test(relPath)) return true;
  if (/(^|\/)virt\/(virtapi|fake)\.py$/.test(relPath)) return true;
  if (options.includeTests !== true && /(^|\/)tests?\//.test(relPath)) return true;
  return false;
}

const patterns = new WeakMap<ConductorMethodTable, RegExp>();

/** `.method(` for any method of the table: files without one have no raw call to look at. */
function rawCallPattern(table: ConductorMethodTable): RegExp {
  let re = patterns.get(table);
  if (!re) {
    re = new RegExp(`\\.\\s*(?:${table.methods.map((m) => m.method).join('|')})\\s*\\(`);
    patterns.set(table, re);
  }
  return re;
}

/** Files whose driver methods' dict-style accesses P8b rewrites: the lint rule's own scope. */
function inDriverScope(relPath: string, source: string): boolean {
  const meta = dictStyleObjectAccess.meta;
  if (!meta.triggers.some((t) => source.includes(t))) return false;
  return matchesAnyGlob(relPath, meta.scope) && !matchesAnyGlob(relPath, meta.exclude ?? []);
}

export default function transform(
  file: CodemodFile,
  api: CodemodApi,
  options: CodemodOptions,
): string | undefined {
  if (outOfScope(file.relPath, options)) return undefined;
  const prepared = api.prepared as ConductorToObjectsPrepared | undefined;
  const table = tableOf(prepared);
  const rawCalls =
    QUICK.test(file.source) &&
    (rawCallPattern(table).test(file.source) || FAULT_HELPER_QUICK.test(file.source));
  const driverScope = inDriverScope(file.relPath, file.source);
  if (!rawCalls && !driverScope) return undefined;
  const py = api.parse();
  const release =
    prepared?.release ?? (typeof options.novaRelease === 'string' ? options.novaRelease : undefined);
  const objects = prepared?.objects ?? objectsFromTable(table, release);
  const target: NovaTarget = prepared?.target ?? (release ? { release, source: 'option' } : {});
  const sites: { call: PyNode; m: ConductorMethod; surface: Surface }[] = [];
  for (const call of rawCalls ? methodCalls(py, table.byName.keys()) : []) {
    const fnNode = call.childForFieldName('function')!;
    const name = fnNode.childForFieldName('attribute')?.text;
    const m = name ? table.get(name) : undefined;
    if (!m) continue;
    const surface = surfaceOf(fnNode.childForFieldName('object')!, py);
    if (!surface || !m.surfaces[surface]) continue;
    sites.push({ call, m, surface });
  }
  const uses = driverScope ? driverMethodUses(py, loadVirtDriverMethods()) : [];
  const faultHelper = rawCalls && FAULT_HELPER_QUICK.test(file.source);
  if (sites.length === 0 && !faultHelper && !uses.some((u) => u.accesses.length)) return undefined;
  const style = chooseStyle(py, options, objects);
  let blocked = new Set<number>();
  let ctx: Ctx;
  // Plan; when a getter's result feeds a raw call that stays manual, plan again with that getter
  // left raw too (the raw call still expects a row). Terminates: `blocked` only grows.
  for (;;) {
    ctx = plan(file, py, api, table, objects, release, target, style, sites, blocked);
    const more = new Set(blocked);
    for (const [getter, calls] of ctx.dependents) {
      if (calls.some((c) => ctx.manualCalls.has(c))) more.add(getter);
    }
    if (more.size === blocked.size) break;
    blocked = more;
  }
  if (faultHelper) convertFaultHelperCalls(ctx, prepared?.faultHelperTakesConductor);
  const rawConverted = ctx.converted;
  if (rawConverted > 0) convertFieldReads(ctx);
  convertDriverMethodAccesses(ctx, uses);
  ctx.manualSites.sort((a, b) => a.line - b.line || a.column - b.column);
  ctx.convertedSites.sort((a, b) => a.line - b.line || a.column - b.column);
  for (const site of ctx.manualSites) api.manual(site);
  for (const site of ctx.convertedSites) api.converted(site);
  if (ctx.converted === 0) return undefined;
  for (const e of ctx.imports.edits()) ctx.edits.add(e);
  ctx.edits.checkConflicts();
  const text = ctx.edits.apply();
  if (rawConverted === 0 || !mayLeaveUnused(ctx)) return text;
  return cleanup(
    text,
    { source: file.source, edits: ctx.edits.list() },
    referenceCounts(py),
    api,
    api.project.projectPackages,
  );
}

const CONDUCTOR_ATTRIBUTE = /=\s*[\w.]*\.(?:Local)?API\(/;

/**
 * Whether the clean-up pass can find anything: a `self.X = conductor.API()` attribute, or a
 * top-level import name in the text the rewrite replaced or deleted. Otherwise every import keeps
 * the uses it had, and the output need not be parsed again.
 */
function mayLeaveUnused(ctx: Ctx): boolean {
  const source = ctx.file.source;
  if (CONDUCTOR_ATTRIBUTE.test(source)) return true;
  const names = new Set(ctx.py.bindings.imports.filter((b) => b.topLevel).map((b) => b.local));
  if (names.size === 0) return false;
  for (const r of ctx.replaced) {
    for (const m of source.slice(r.start, r.end).matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
      if (names.has(m[0])) return true;
    }
  }
  return false;
}

type Site = { call: PyNode; m: ConductorMethod; surface: Surface };

const OBJECT_GETTER = /^nova\.objects(?:\.[a-z_]+)?\.([A-Z][A-Za-z]+)\.[a-z_]+$/;

/**
 * Existing object getter results count as objects (`svc = objects.Service.get_by_args(...)`):
 * `name = <nova.objects...Cls.method>(...)` assignments, by (function, name), the last one
 * winning.
 */
function establishedObjects(py: PyFile): ReadonlyMap<string, string> {
  return py.memo(establishedObjects, () => {
    const out = new Map<string, string>();
    for (const { call, qualifiedName } of callsThroughImports(py, 'nova.objects')) {
      const asg = call.parent;
      if (asg?.type !== 'assignment' || asg.childForFieldName('right')?.id !== call.id) continue;
      const left = asg.childForFieldName('left');
      const m = OBJECT_GETTER.exec(qualifiedName);
      if (left?.type === 'identifier' && m) out.set(fnKey(enclosingFunction(asg), left.text), m[1]!);
    }
    return out;
  });
}

function plan(
  file: CodemodFile,
  py: PyFile,
  api: CodemodApi,
  table: ConductorMethodTable,
  objects: NovaObjectsInfo,
  release: string | undefined,
  target: NovaTarget,
  style: ObjectsImportStyle,
  sites: readonly Site[],
  blocked: ReadonlySet<number>,
): Ctx {
  const ctx: Ctx = {
    file,
    py,
    api,
    table,
    objects,
    release,
    target,
    edits: new EditSet(file.source),
    imports: new ObjectsImports(py, style, objects, api.project.projectPackages),
    replaced: [],
    established: new Map(),
    receivers: new Map(),
    converted: 0,
    convertedSites: [],
    manualSites: [],
    receiverArgs: new Map(),
    dependents: new Map(),
    blocked,
    manualCalls: new Set(),
  };
  for (const [k, cls] of establishedObjects(py)) ctx.established.set(k, cls);
  for (const { call, m, surface } of sites) {
    const args = callArguments(call);
    if (!args) continue;
    const bound = bindArguments(m, surface, args);
    for (const a of m.args) {
      const node = bound.params.get(a.param);
      if (a.role === 'receiver' && node?.type === 'identifier') ctx.receiverArgs.set(node.id, call.id);
    }
  }
  const order = (k: string): number => (k === 'getter' || k === 'list-getter' ? 0 : 1);
  const ordered = [...sites].sort(
    (a, b) => order(a.m.kind) - order(b.m.kind) || a.call.startIndex - b.call.startIndex,
  );
  for (const { call, m, surface } of ordered) {
    const pos = py.position(call.startIndex);
    const end = py.position(call.endIndex);
    const report = (reason: string, suggestion?: string): void => {
      ctx.manualCalls.add(call.id);
      const s = suggestion ?? suggestionFor(ctx, m, call, surface);
      ctx.manualSites.push({
        line: pos.line,
        column: pos.column,
        endLine: end.line,
        endColumn: end.column,
        reason,
        kind: m.method,
        ...(s ? { suggestion: s } : {}),
      });
    };
    if (py.touchesErrorRegion(call.startIndex, call.endIndex)) {
      report('inside a syntax-error region');
      continue;
    }
    if (m.kind === 'none') {
      if (m.surfaces[surface]?.gone)
        report(m.reason ?? 'no object equivalent', 'remove the use or move it out of the driver');
      continue;
    }
    const snapshot = ctx.edits.size;
    const replacedSnapshot = ctx.replaced.length;
    const convertedSnapshot = ctx.convertedSites.length;
    try {
      switch (m.kind) {
        case 'update':
          convertUpdate(ctx, call, m, surface);
          break;
        case 'getter':
        case 'list-getter':
          convertGetter(ctx, call, m, surface);
          break;
        case 'metadata-add':
        case 'metadata-delete':
        case 'object-method':
          convertObjectMethod(ctx, call, m, surface);
          break;
        case 'create':
          convertCreate(ctx, call, m, surface);
          break;
        default:
          throw new Manual(
            `${m.kind} conversions (${m.object}.${m.objectMethod}) need a human: the object must be built and its fields set`,
          );
      }
      ctx.edits.checkConflicts();
    } catch (err) {
      if (!(err instanceof Manual) && !(err instanceof EditConflictError)) throw err;
      // Drop any edit this site planned before it was found manual.
      rollback(ctx, snapshot, replacedSnapshot);
      ctx.convertedSites.length = convertedSnapshot;
      ctx.converted = convertedSnapshot;
      if (err instanceof Manual) report(err.reason, err.suggestion);
      else report('overlaps another rewrite in the same statement');
    }
  }
  return ctx;
}

function rollback(ctx: Ctx, size: number, replaced: number): void {
  const kept = ctx.edits.list().slice(0, size);
  const fresh = new EditSet(ctx.file.source);
  for (const e of kept) fresh.add(e);
  ctx.edits = fresh;
  ctx.replaced.length = replaced;
}

function suggestionFor(ctx: Ctx, m: ConductorMethod, call: PyNode, surface: Surface): string | undefined {
  const args = callArguments(call);
  if (!args) return m.replacement;
  const bound = bindArguments(m, surface, args);
  const texts = new Map<string, string>();
  for (const [k, v] of bound.params) texts.set(k, ctx.py.slice(v).replace(/\s*\n\s*/g, ' '));
  let obj: string | undefined =
    m.kind === 'create' && m.object ? (CREATE_NAMES[m.object] ?? snake(m.object)) : undefined;
  let fields: string | undefined;
  for (const a of m.args) {
    const node = bound.params.get(a.param);
    if (!node) continue;
    if (a.role === 'receiver') obj = ctx.py.slice(node);
    if (a.role === 'receiver-uuid') obj = uuidOf(node) ? ctx.py.slice(uuidOf(node)!) : undefined;
    if (a.role === 'field-values') {
      const lit = literalDict(node);
      if (lit?.length)
        fields = lit.map((e) => `${obj ?? 'OBJ'}.${e.key} = ${ctx.py.slice(e.value)}`).join('; ');
    }
  }
  if (fields && !obj) fields = undefined;
  const suggestion = renderReplacement(m, texts, {
    ...(obj ? { object: obj } : {}),
    ...(fields ? { fields } : {}),
  });
  return suggestion ? collapseIfShort(suggestion) : undefined;
}

function collapseIfShort(s: string): string {
  return s.length <= MAX_LINE * 2 ? collapseText(s) : s;
}
