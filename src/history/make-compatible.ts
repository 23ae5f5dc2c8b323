/**
 * Reduces the body of an `obj_make_compatible(self, primitive, target_version)` override to the
 * actions the runtime can replay (see `MakeCompatibleAction` in `src/objects/model.ts`):
 *
 * - `target_version = versionutils.convert_version_to_tuple(target_version)` (or
 *   `utils.convert_version_to_tuple`, or inline in a comparison) marks the target variable;
 * - `if target_version < (1, 2):` (also `<=`, reversed operands, `and 'foo' in primitive`, nested
 *   ifs, `elif`) sets the version below which the body runs;
 * - `primitive.pop('foo'[, None])`, `del primitive['foo']`, loops over literal or module-constant
 *   field lists (`for f in FIELDS: primitive.pop(f, None)`) are `drop-field`;
 * - `self.child.obj_make_compatible(primitive['child']['nova_object.data'], '1.4')` plus the version
 *   overwrite, for a single child or each element of a list, is `backport-child`;
 * - `raise_on_too_new_values(target, primitive, 'field', (values))` is `raise-too-new-values`;
 * - `primitive['x'] = <literal>` / `primitive['new'] = primitive.pop('old')` are `convert-field`;
 * - `super(...).obj_make_compatible(...)` is `super`.
 *
 * Everything else is kept as an `unrecognised` action with its source text, in order. Values that
 * name constants of other modules (`fields.VideoModel.GOP`) are kept as expressions here and
 * evaluated by the resolver against the revision's constant index.
 */

import type { ConvertHow, JsonValue } from '../objects/model.js';
import type { PyNode } from '../python/parser.js';
import { literalString } from '../python/syntax-helpers.js';
import { exprText, type NameQualifier, type PyExpr, toExpr } from './python-expr.js';

/**
 * A compat action as extracted: the model's `MakeCompatibleAction` plus its 1-based source `line`;
 * `valuesExpr` holds unevaluated `raise_on_too_new_values` values. `notBelow` (carried into the
 * model) is set on actions of an `elif` branch after pure version tests and of
 * `if (A, B) <= target < (X, Y)`: they run only for targets >= it.
 */
export type RawCompatAction =
  | {
      kind: 'drop-field';
      field: string;
      belowVersion: string;
      guarded?: boolean;
      notBelow?: string;
      line: number;
    }
  | {
      kind: 'convert-field';
      field: string;
      belowVersion: string;
      how: ConvertHow;
      notBelow?: string;
      line: number;
      /**
       * `if primitive[f] in (A, B): primitive[f] = C` before evaluation: the resolver turns these
       * into `how: {op: 'map-values'}` (A -> C, B -> C) against the revision's constants.
       */
      mapFrom?: PyExpr[];
      mapTo?: PyExpr;
    }
  | {
      kind: 'backport-child';
      field: string;
      belowVersion?: string;
      childVersion: string;
      guarded?: boolean;
      notBelow?: string;
      line: number;
    }
  | {
      kind: 'raise-too-new-values';
      field: string;
      belowVersion: string;
      valuesExpr: PyExpr;
      notBelow?: string;
      line: number;
    }
  | { kind: 'super'; line: number }
  | { kind: 'unrecognised'; text: string; line: number };

export interface RawMakeCompatible {
  actions: RawCompatAction[];
  callsSuper: boolean;
  line: number;
}

interface Ctx {
  primitive: string;
  targets: Set<string>;
  /** Names bound to list constants inside the function. */
  locals: Map<string, string[]>;
  /** Other local assignments (`added = (fields.X.Y,)`), for raise_on_too_new_values arguments. */
  localExprs: Map<string, PyExpr>;
  /** Locals holding a field's value: `bus = primitive.get('hw_disk_bus')` (absent -> None). */
  fieldLocals: Map<string, { field: string; get: boolean }>;
  moduleLists: Map<string, string[]>;
  qualify: NameQualifier;
  lineOf: (node: PyNode) => number;
  out: RawCompatAction[];
  callsSuper: boolean;
}

interface Scope {
  below?: string;
  notBelow?: string;
  /** Fields proven present by `'x' in primitive`. */
  guarded: Set<string>;
  /** Loop variable -> the field names it ranges over. */
  loopVar?: { name: string; fields: string[] };
}

const CONVERT_FNS = /(^|\.)convert_version_to_tuple$/;

function named(node: PyNode | null | undefined): PyNode[] {
  return node ? node.namedChildren.filter((c): c is PyNode => !!c && c.type !== 'comment') : [];
}

function unparen(node: PyNode | null | undefined): PyNode | null | undefined {
  let n = node;
  while (n && n.type === 'parenthesized_expression') {
    const inner = named(n);
    if (inner.length !== 1) break;
    n = inner[0];
  }
  return n;
}

/** `(1, 2)` or `'1.2'` -> '1.2'. */
function versionLiteral(node: PyNode | null | undefined): string | undefined {
  const n = unparen(node);
  if (!n) return undefined;
  if (n.type === 'tuple') {
    const parts = named(n).map((c) => (c.type === 'integer' ? c.text : undefined));
    if (parts.length < 2 || parts.some((p) => p === undefined)) return undefined;
    return parts.join('.');
  }
  const s = literalString(n);
  return s !== undefined && /^\d+(\.\d+)+$/.test(s) ? s : undefined;
}

function bumpMinor(version: string): string {
  const parts = version.split('.').map(Number);
  parts[parts.length - 1] = (parts[parts.length - 1] ?? 0) + 1;
  return parts.join('.');
}

function isTargetExpr(node: PyNode | null | undefined, ctx: Ctx): boolean {
  const n = unparen(node);
  if (!n) return false;
  if (n.type === 'identifier') return ctx.targets.has(n.text);
  if (n.type === 'call') {
    const fn = n.childForFieldName('function')?.text ?? '';
    const args = named(n.childForFieldName('arguments'));
    return CONVERT_FNS.test(fn) && args.length === 1 && isTargetExpr(args[0], ctx);
  }
  return false;
}

/** `primitive['f'] == V` / `x in (V, W)` with `x = primitive.get('f')`: the value test of a condition. */
interface ValueTest {
  field: string;
  values: PyExpr[];
  /** Read with `primitive['f']` (KeyError when absent) rather than `.get`. */
  subscript: boolean;
}

type Cond = { below?: string; atLeast?: string; guards: string[]; value?: ValueTest } | undefined;

/** The field a value expression reads: `primitive['f']`, or a local bound to it. */
function fieldValue(
  node: PyNode | null | undefined,
  ctx: Ctx,
): { field: string; subscript: boolean } | undefined {
  const n = unparen(node);
  if (!n) return undefined;
  if (n.type === 'identifier') {
    const l = ctx.fieldLocals.get(n.text);
    return l ? { field: l.field, subscript: !l.get } : undefined;
  }
  if (n.type !== 'subscript') return undefined;
  const obj = unparen(n.childForFieldName('value'));
  const subs = n.childrenForFieldName('subscript').filter((x): x is PyNode => !!x);
  const key = subs.length === 1 ? literalString(subs[0]) : undefined;
  return obj?.type === 'identifier' && obj.text === ctx.primitive && key !== undefined
    ? { field: key, subscript: true }
    : undefined;
}

/** The values of `in (A, B)` / `== A`: literal items, or a local tuple. */
function valueList(node: PyNode | null | undefined, ctx: Ctx, op: string): PyExpr[] | undefined {
  const n = unparen(node);
  if (!n) return undefined;
  if (op === '==') return [toExpr(n, ctx.qualify)];
  if (n.type === 'tuple' || n.type === 'list' || n.type === 'set')
    return named(n).map((c) => toExpr(c, ctx.qualify));
  if (n.type === 'identifier') {
    const local = ctx.localExprs.get(n.text);
    if (local && (local.k === 'tuple' || local.k === 'list' || local.k === 'set')) return local.items;
    const strings = ctx.locals.get(n.text);
    if (strings) return strings.map((v) => ({ k: 'str', v }));
  }
  return undefined;
}

/** Understands `T < V`, `V > T`, `T <= V`, `T >= V`, `'f' in primitive` and `and` of those. */
function condition(node: PyNode | null | undefined, ctx: Ctx): Cond {
  const n = unparen(node);
  if (!n) return undefined;
  if (n.type === 'boolean_operator') {
    const op = n.childForFieldName('operator')?.text;
    if (op !== 'and') return undefined;
    const l = condition(n.childForFieldName('left'), ctx);
    const r = condition(n.childForFieldName('right'), ctx);
    if (!l || !r || (l.value && r.value)) return undefined;
    // A subscript value test after `'f' in primitive` on its left is safe (short-circuit).
    const value =
      l.value ??
      (r.value && r.value.subscript && l.guards.includes(r.value.field)
        ? { ...r.value, subscript: false }
        : r.value);
    return {
      below: l.below ?? r.below,
      atLeast: l.atLeast ?? r.atLeast,
      guards: [...l.guards, ...r.guards],
      ...(value ? { value } : {}),
    };
  }
  if (n.type === 'comparison_operator') {
    const ops = n.children.filter((c) => c && !c.isNamed).map((c) => c!.text);
    const operands = named(n);
    if (ops.length !== 1 || operands.length !== 2) return undefined;
    const [a, b] = operands as [PyNode, PyNode];
    const op = ops[0]!;
    if (op === 'in' || op === '==') {
      // `primitive['f'] == V`, `V == primitive['f']`, `x in (V, W)`
      const [subject, other] = op === '==' && !fieldValue(a, ctx) ? [b, a] : [a, b];
      const fv = fieldValue(subject, ctx);
      const values = fv ? valueList(other, ctx, op) : undefined;
      if (fv && values) return { guards: [], value: { field: fv.field, values, subscript: fv.subscript } };
    }
    if (op === 'in') {
      const key = literalString(a);
      if (key !== undefined && unparen(b)?.type === 'identifier' && unparen(b)?.text === ctx.primitive)
        return { guards: [key] };
      return undefined;
    }
    let version: string | undefined;
    let norm: string | undefined;
    if (isTargetExpr(a, ctx)) {
      version = versionLiteral(b);
      norm = op;
    } else if (isTargetExpr(b, ctx)) {
      version = versionLiteral(a);
      norm = ({ '<': '>', '>': '<', '<=': '>=', '>=': '<=' } as Record<string, string>)[op];
    }
    if (!version || !norm) return undefined;
    if (norm === '<') return { below: version, guards: [] };
    if (norm === '<=') return { below: bumpMinor(version), guards: [] };
    if (norm === '>=') return { atLeast: version, guards: [] };
    if (norm === '>') return { atLeast: bumpMinor(version), guards: [] };
    return undefined;
  }
  return undefined;
}

/** `primitive['x']` -> 'x' (or the loop variable's field list). */
function primitiveKey(node: PyNode | null | undefined, ctx: Ctx, scope: Scope): string[] | undefined {
  const n = unparen(node);
  if (n?.type !== 'subscript') return undefined;
  const obj = unparen(n.childForFieldName('value'));
  if (obj?.type !== 'identifier' || obj.text !== ctx.primitive) return undefined;
  const subs = n.childrenForFieldName('subscript').filter((s): s is PyNode => !!s);
  if (subs.length !== 1) return undefined;
  const key = literalString(subs[0]);
  if (key !== undefined) return [key];
  if (scope.loopVar && subs[0]!.type === 'identifier' && subs[0]!.text === scope.loopVar.name)
    return scope.loopVar.fields;
  return undefined;
}

/** Field names of a literal list/tuple/set, a local or a module constant. */
function fieldList(node: PyNode | null | undefined, ctx: Ctx): string[] | undefined {
  const n = unparen(node);
  if (!n) return undefined;
  if (n.type === 'list' || n.type === 'tuple' || n.type === 'set') {
    const items = named(n).map((c) => literalString(c));
    return items.every((i) => i !== undefined) ? (items as string[]) : undefined;
  }
  if (n.type === 'identifier') return ctx.locals.get(n.text) ?? ctx.moduleLists.get(n.text);
  return undefined;
}

function literalJson(node: PyNode | null | undefined, ctx: Ctx): JsonValue | undefined {
  const e = toExpr(node, ctx.qualify);
  return exprToJson(e);
}

export function exprToJson(e: PyExpr): JsonValue | undefined {
  switch (e.k) {
    case 'str':
      return e.v;
    case 'num':
      return e.v;
    case 'bool':
      return e.v;
    case 'none':
      return null;
    case 'list':
    case 'tuple': {
      const items = e.items.map(exprToJson);
      return items.every((i) => i !== undefined) ? (items as JsonValue[]) : undefined;
    }
    case 'dict': {
      if (e.splats?.length) return undefined;
      const out: Record<string, JsonValue> = {};
      for (const [k, v] of e.entries) {
        const val = exprToJson(v);
        if (k.k !== 'str' || val === undefined) return undefined;
        out[k.v] = val;
      }
      return out;
    }
    default:
      return undefined;
  }
}

function push(ctx: Ctx, scope: Scope, node: PyNode, action: Record<string, unknown>): void {
  const a = { ...action, line: ctx.lineOf(node) } as RawCompatAction;
  if (scope.notBelow && a.kind !== 'super' && a.kind !== 'unrecognised')
    (a as { notBelow?: string }).notBelow = scope.notBelow;
  ctx.out.push(a);
}

function unrecognised(ctx: Ctx, node: PyNode): void {
  ctx.out.push({ kind: 'unrecognised', text: node.text, line: ctx.lineOf(node) });
}

/** `self.<field>` or a loop element of `self.<field>`. */
function childReceiver(
  node: PyNode | null | undefined,
  scope: Scope,
  elementOf: Map<string, string>,
): string | undefined {
  const n = unparen(node);
  if (!n) return undefined;
  if (n.type === 'attribute') {
    const obj = n.childForFieldName('object');
    if (obj?.type === 'identifier' && obj.text === 'self') return n.childForFieldName('attribute')?.text;
    return undefined;
  }
  if (n.type === 'identifier') return elementOf.get(n.text);
  void scope;
  return undefined;
}

/** `primitive['child']['nova_object.data']` or `primitive['child'][i]['nova_object.data']`. */
function childDataField(node: PyNode | null | undefined, ctx: Ctx): string | undefined {
  let n = unparen(node);
  const keys: (string | undefined)[] = [];
  while (n && n.type === 'subscript') {
    const subs = n.childrenForFieldName('subscript').filter((s): s is PyNode => !!s);
    keys.unshift(subs.length === 1 ? literalString(subs[0]) : undefined);
    n = unparen(n.childForFieldName('value'));
  }
  if (n?.type !== 'identifier' || n.text !== ctx.primitive) return undefined;
  if (keys.length < 2 || !keys[keys.length - 1]?.endsWith('.data')) return undefined;
  return keys[0];
}

function statements(
  block: PyNode | null | undefined,
  ctx: Ctx,
  scope: Scope,
  elementOf = new Map<string, string>(),
): void {
  for (const stmt of named(block)) statement(stmt, ctx, scope, elementOf);
}

function statement(stmt: PyNode, ctx: Ctx, scope: Scope, elementOf: Map<string, string>): void {
  switch (stmt.type) {
    case 'pass_statement':
      return;
    case 'expression_statement': {
      const e = named(stmt)[0];
      if (!e) return;
      if (e.type === 'string') return; // docstring
      if (e.type === 'assignment') {
        assignment(e, stmt, ctx, scope, elementOf);
        return;
      }
      if (e.type === 'call') {
        call(e, stmt, ctx, scope, elementOf);
        return;
      }
      unrecognised(ctx, stmt);
      return;
    }
    case 'delete_statement': {
      const targets = named(stmt);
      const list =
        targets.length === 1 && targets[0]!.type === 'expression_list' ? named(targets[0]) : targets;
      const fields: string[] = [];
      for (const t of list) {
        const keys = primitiveKey(t, ctx, scope);
        if (!keys) {
          unrecognised(ctx, stmt);
          return;
        }
        fields.push(...keys);
      }
      if (!scope.below) {
        unrecognised(ctx, stmt);
        return;
      }
      // `del primitive['x']` with nothing proving any key present raises KeyError when x is unset:
      // `guarded: false`. Under a guard on another key the drop depends on that key (not modelled).
      const unguarded = scope.guarded.size === 0 && !scope.loopVar;
      for (const f of fields) {
        push(ctx, scope, stmt, {
          kind: 'drop-field',
          field: f,
          belowVersion: scope.below,
          ...(scope.guarded.has(f) || scope.loopVar
            ? { guarded: true }
            : unguarded
              ? { guarded: false }
              : {}),
        });
      }
      return;
    }
    case 'if_statement': {
      ifStatement(stmt, ctx, scope, elementOf);
      return;
    }
    case 'for_statement': {
      const left = unparen(stmt.childForFieldName('left'));
      const right = unparen(stmt.childForFieldName('right'));
      const body = stmt.childForFieldName('body');
      if (left?.type === 'identifier') {
        const fields = fieldList(right, ctx);
        if (fields) {
          statements(body, ctx, { ...scope, loopVar: { name: left.text, fields } }, elementOf);
          return;
        }
      }
      // for i, item in enumerate(self.child): / for item in self.child:
      let iterNode = right;
      let elementName: string | undefined;
      if (iterNode?.type === 'call' && iterNode.childForFieldName('function')?.text === 'enumerate') {
        iterNode = named(iterNode.childForFieldName('arguments'))[0];
        const names = left?.type === 'pattern_list' || left?.type === 'tuple_pattern' ? named(left) : [];
        elementName = names[1]?.type === 'identifier' ? names[1].text : undefined;
      } else if (left?.type === 'identifier') elementName = left.text;
      const child = iterNode ? childReceiver(iterNode, scope, elementOf) : undefined;
      if (child && elementName) {
        const inner = new Map(elementOf);
        inner.set(elementName, child);
        statements(body, ctx, scope, inner);
        return;
      }
      unrecognised(ctx, stmt);
      return;
    }
    default: {
      unrecognised(ctx, stmt);
      return;
    }
  }
}

function assignment(e: PyNode, stmt: PyNode, ctx: Ctx, scope: Scope, elementOf: Map<string, string>): void {
  const left = e.childForFieldName('left');
  const right = e.childForFieldName('right');
  if (!left || !right) {
    unrecognised(ctx, stmt);
    return;
  }
  // target_version = versionutils.convert_version_to_tuple(target_version)
  if (left.type === 'identifier' && isTargetExpr(right, ctx)) {
    ctx.targets.add(left.text);
    return;
  }
  if (left.type === 'identifier') {
    // status = primitive.get('status'[, None]) / status = primitive['status'] (guarded): a value read.
    const r0 = unparen(right);
    if (r0?.type === 'call' && r0.childForFieldName('function')?.text === `${ctx.primitive}.get`) {
      const a = named(r0.childForFieldName('arguments'));
      const key = literalString(a[0]);
      if (key !== undefined && (a.length === 1 || (a.length === 2 && a[1]!.type === 'none'))) {
        ctx.fieldLocals.set(left.text, { field: key, get: true });
        return;
      }
    }
    const read = fieldValue(r0, ctx);
    if (read && r0?.type === 'subscript' && scope.guarded.has(read.field)) {
      ctx.fieldLocals.set(left.text, { field: read.field, get: false });
      return;
    }
    const list = fieldList(right, ctx);
    if (list) {
      ctx.locals.set(left.text, list);
      return;
    }
    const r = unparen(right);
    if (r && (r.type === 'tuple' || r.type === 'list' || r.type === 'set')) {
      ctx.localExprs.set(left.text, toExpr(r, ctx.qualify));
      return;
    }
  }
  // primitive['child']['nova_object.version'] = 'X.Y' -> part of a backport-child already recorded
  const chainKeys = subscriptKeys(left, ctx);
  if (chainKeys && chainKeys.length >= 2 && chainKeys[chainKeys.length - 1]?.endsWith('.version')) {
    const field = chainKeys[0];
    const last = ctx.out[ctx.out.length - 1];
    if (last?.kind === 'backport-child' && last.field === field) return;
    const v = literalString(right);
    if (field && v !== undefined) {
      push(ctx, scope, stmt, {
        kind: 'convert-field',
        field,
        belowVersion: scope.below ?? '',
        how: { op: 'opaque', text: stmt.text },
      });
      return;
    }
    unrecognised(ctx, stmt);
    return;
  }
  const keys = primitiveKey(left, ctx, scope);
  if (keys && keys.length === 1 && scope.below) {
    const field = keys[0]!;
    const r = unparen(right);
    if (r?.type === 'call' && r.childForFieldName('function')?.text === `${ctx.primitive}.pop`) {
      const from = literalString(named(r.childForFieldName('arguments'))[0]);
      if (from !== undefined) {
        push(ctx, scope, stmt, {
          kind: 'convert-field',
          field: from,
          belowVersion: scope.below,
          how: { op: 'rename', to: field },
        });
        return;
      }
    }
    const value = literalJson(right, ctx);
    if (value !== undefined) {
      push(ctx, scope, stmt, {
        kind: 'convert-field',
        field,
        belowVersion: scope.below,
        how: { op: 'set-constant', value },
      });
      return;
    }
    push(ctx, scope, stmt, {
      kind: 'convert-field',
      field,
      belowVersion: scope.below,
      how: { op: 'opaque', text: stmt.text },
    });
    return;
  }
  void elementOf;
  unrecognised(ctx, stmt);
  return;
}

function subscriptKeys(node: PyNode, ctx: Ctx): (string | undefined)[] | undefined {
  let n: PyNode | null | undefined = node;
  const keys: (string | undefined)[] = [];
  while (n && n.type === 'subscript') {
    const subs = n.childrenForFieldName('subscript').filter((s): s is PyNode => !!s);
    keys.unshift(subs.length === 1 ? literalString(subs[0]) : undefined);
    n = unparen(n.childForFieldName('value'));
  }
  return n?.type === 'identifier' && n.text === ctx.primitive ? keys : undefined;
}

function call(e: PyNode, stmt: PyNode, ctx: Ctx, scope: Scope, elementOf: Map<string, string>): void {
  const fn = e.childForFieldName('function');
  const args = named(e.childForFieldName('arguments'));
  const fnText = fn?.text ?? '';
  // super(Cls, self).obj_make_compatible(...) / super().obj_make_compatible(...) / Base.obj_make_compatible(self, ...)
  // (and super().obj_make_compatible_from_manifest(...) in that override, which runs the chain)
  const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
  if (
    fn?.type === 'attribute' &&
    method === 'obj_make_compatible_from_manifest' &&
    unparen(fn.childForFieldName('object'))?.childForFieldName('function')?.text === 'super'
  ) {
    ctx.callsSuper = true;
    ctx.out.push({ kind: 'super', line: ctx.lineOf(stmt) });
    return;
  }
  if (fn?.type === 'attribute' && method === 'obj_make_compatible') {
    const recv = unparen(fn.childForFieldName('object'));
    if (recv?.type === 'call' && recv.childForFieldName('function')?.text === 'super') {
      ctx.callsSuper = true;
      ctx.out.push({ kind: 'super', line: ctx.lineOf(stmt) });
      return;
    }
    if (
      recv &&
      (recv.type === 'attribute' || recv.type === 'identifier') &&
      args[0]?.text === 'self' &&
      !childReceiver(recv, scope, elementOf)
    ) {
      ctx.callsSuper = true;
      ctx.out.push({ kind: 'super', line: ctx.lineOf(stmt) });
      return;
    }
    const child = childReceiver(recv, scope, elementOf);
    const dataField = childDataField(args[0], ctx);
    const version = literalString(args[1]);
    if (child && dataField === child && version !== undefined) {
      push(ctx, scope, stmt, {
        kind: 'backport-child',
        field: child,
        ...(scope.below ? { belowVersion: scope.below } : {}),
        childVersion: version,
        ...(scope.guarded.has(child) ? { guarded: true } : {}),
      });
      return;
    }
    unrecognised(ctx, stmt);
    return;
  }
  // primitive.pop('x'[, None]) / primitive.pop(f, None) in a loop
  if (fnText === `${ctx.primitive}.pop` && scope.below) {
    const first = args[0];
    const key = literalString(first);
    const fields =
      key !== undefined
        ? [key]
        : scope.loopVar && first?.type === 'identifier' && first.text === scope.loopVar.name
          ? scope.loopVar.fields
          : undefined;
    if (fields) {
      for (const f of fields) {
        push(ctx, scope, stmt, {
          kind: 'drop-field',
          field: f,
          belowVersion: scope.below,
          ...(args.length >= 2 || scope.guarded.has(f) ? { guarded: true } : {}),
        });
      }
      return;
    }
  }
  // raise_on_too_new_values(target_version, primitive, 'field', (values))
  if (/(^|\.)raise_on_too_new_values$/.test(fnText) && scope.below && args.length >= 4) {
    const field = literalString(args[2]);
    if (field !== undefined) {
      const valuesNode = unparen(args[3]);
      const name = valuesNode?.type === 'identifier' ? valuesNode.text : undefined;
      const strings = name !== undefined ? ctx.locals.get(name) : undefined;
      const local =
        name === undefined
          ? undefined
          : (ctx.localExprs.get(name) ??
            (strings
              ? { k: 'tuple' as const, items: strings.map((v) => ({ k: 'str' as const, v })) }
              : undefined));
      push(ctx, scope, stmt, {
        kind: 'raise-too-new-values',
        field,
        belowVersion: scope.below,
        valuesExpr: local ?? toExpr(args[3], ctx.qualify),
      });
      return;
    }
  }
  unrecognised(ctx, stmt);
  return;
}

function ifStatement(stmt: PyNode, ctx: Ctx, scope: Scope, elementOf: Map<string, string>): void {
  const cond = condition(stmt.childForFieldName('condition'), ctx);
  const alternatives = stmt.childrenForFieldName('alternative').filter((a): a is PyNode => !!a);
  if (!cond) {
    unrecognised(ctx, stmt);
    return;
  }
  const inner = (c: NonNullable<Cond>, base: Scope, after?: string): Scope | undefined => {
    if (c.atLeast && !c.below) return undefined;
    const below = c.below && base.below ? smaller(c.below, base.below) : (c.below ?? base.below);
    const guarded = new Set([...base.guarded, ...c.guards]);
    const notBelow = [base.notBelow, c.atLeast, after].reduce<string | undefined>(
      (a, b) => (a && b ? larger(a, b) : (a ?? b)),
      undefined,
    );
    return { ...base, below, guarded, ...(notBelow ? { notBelow } : {}) };
  };
  const bodyScope = inner(cond, scope);
  if (cond.value) {
    valueBranch(stmt, cond.value, bodyScope, alternatives.length > 0, ctx);
    return;
  }
  if (!bodyScope) {
    // `if T >= V: ... else: <below V>`
    if (cond.atLeast && alternatives.length === 1 && alternatives[0]!.type === 'else_clause') {
      const body = stmt.childForFieldName('consequence');
      if (named(body).length) unrecognised(ctx, stmt);
      statements(
        alternatives[0]!.childForFieldName('body'),
        ctx,
        { ...scope, below: cond.atLeast },
        elementOf,
      );
      return;
    }
    unrecognised(ctx, stmt);
    return;
  }
  statements(stmt.childForFieldName('consequence'), ctx, bodyScope, elementOf);
  // An elif runs when every earlier condition failed: `not (T < V)` is `T >= V`, so after pure
  // version tests the branch's lower bound is the largest V so far. When an earlier condition also
  // tested something else (`T < V and 'x' in primitive`), the bound holds only from that largest V
  // up: the branch is replayed there, and what it does below V (when the other test failed) is
  // kept as unrecognised. After a window or a value test there is no bound at all.
  const bounded = (c: NonNullable<Cond>) => !c.atLeast && !c.value && c.below !== undefined;
  let failedBound: string | undefined = bounded(cond) ? cond.below : undefined;
  let exact = failedBound !== undefined && cond.guards.length === 0;
  for (const alt of alternatives) {
    if (alt.type === 'elif_clause') {
      const c = condition(alt.childForFieldName('condition'), ctx);
      const s = c && !c.value && failedBound ? inner(c, scope, failedBound) : undefined;
      if (!c || !s) {
        unrecognised(ctx, alt);
        failedBound = undefined;
        continue;
      }
      if (!exact) unrecognised(ctx, alt);
      if (!s.below || !s.notBelow || smaller(s.notBelow, s.below) === s.notBelow)
        statements(alt.childForFieldName('consequence'), ctx, s, elementOf);
      if (!bounded(c)) failedBound = undefined;
      else failedBound = larger(failedBound!, c.below!);
      if (c.guards.length) exact = false;
    } else {
      unrecognised(ctx, alt);
    }
  }
}

/**
 * `if <version test> and primitive[f] in (A, B):` (or `== A`, or through `x = primitive.get(f)`)
 * with a body of one statement: `raise ObjectActionError(...)` is `raise-too-new-values`;
 * `primitive[f] = C` is a value mapping (`convert-field`, `map-values`). Anything else in the body
 * depends on the value in a way the model cannot say: the whole statement is unrecognised.
 */
function valueBranch(
  stmt: PyNode,
  value: ValueTest,
  scope: Scope | undefined,
  hasElse: boolean,
  ctx: Ctx,
): void {
  const body = named(stmt.childForFieldName('consequence')).filter(
    (b) => !(b.type === 'expression_statement' && named(b)[0]?.type === 'string'),
  );
  if (!scope?.below || hasElse || body.length !== 1 || (value.subscript && !scope.guarded.has(value.field))) {
    unrecognised(ctx, stmt);
    return;
  }
  const only = body[0]!;
  if (only.type === 'raise_statement') {
    const exc = unparen(named(only)[0]);
    const fn = exc?.type === 'call' ? (exc.childForFieldName('function')?.text ?? '') : (exc?.text ?? '');
    if (/(^|\.)ObjectActionError$/.test(fn)) {
      push(ctx, scope, stmt, {
        kind: 'raise-too-new-values',
        field: value.field,
        belowVersion: scope.below,
        valuesExpr: { k: 'tuple', items: value.values },
      });
      return;
    }
  }
  const e = only.type === 'expression_statement' ? named(only)[0] : undefined;
  if (e?.type === 'assignment') {
    const target = fieldValue(e.childForFieldName('left'), ctx);
    const right = e.childForFieldName('right');
    if (target?.subscript && target.field === value.field && right) {
      push(ctx, scope, stmt, {
        kind: 'convert-field',
        field: value.field,
        belowVersion: scope.below,
        how: { op: 'map-values', mapping: {} },
        mapFrom: value.values,
        mapTo: toExpr(right, ctx.qualify),
      });
      return;
    }
  }
  unrecognised(ctx, stmt);
}

function larger(a: string, b: string): string {
  return smaller(a, b) === a ? b : a;
}

function smaller(a: string, b: string): string {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? a : b;
  }
  return a;
}

/**
 * Reduces an `obj_make_compatible` function_definition. `moduleLists` are module-level constants
 * that are lists of strings (for loops over field names).
 */
export function reduceMakeCompatible(
  fn: PyNode,
  qualify: NameQualifier,
  moduleLists: Map<string, string[]>,
  lineOf: (node: PyNode) => number,
): RawMakeCompatible {
  const params = named(fn.childForFieldName('parameters')).map((p) =>
    p.type === 'identifier' ? p.text : (p.childForFieldName('name')?.text ?? p.text),
  );
  const ctx: Ctx = {
    primitive: params[1] ?? 'primitive',
    targets: new Set([params[2] ?? 'target_version']),
    locals: new Map(),
    localExprs: new Map(),
    fieldLocals: new Map(),
    moduleLists,
    qualify,
    lineOf,
    out: [],
    callsSuper: false,
  };
  statements(fn.childForFieldName('body'), ctx, { guarded: new Set() });
  return { actions: ctx.out, callsSuper: ctx.callsSuper, line: lineOf(fn) };
}

export { exprText };
