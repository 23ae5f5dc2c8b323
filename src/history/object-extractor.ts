/**
 * Per-module extraction: everything the object history needs from ONE Python module, in a plain
 * JSON `ModuleSummary` that depends only on the module's text (so it is cached by blob id, in
 * memory and on disk, and never recomputed for an unchanged file).
 *
 * A summary holds every top-level class with its bases, decorators, metaclass, class attributes
 * (`VERSION`, `fields`, `obj_relationships`, `child_versions`, namespaces, `AUTO_TYPE`, enum
 * constants), `fields.update(...)` calls, version-history comments, remotable method signatures and
 * the reduced `obj_make_compatible` body; plus the module's imports and module-level constants.
 * Nothing here decides what is a versioned object: that needs the classes of other modules and is
 * done per revision by `resolveObjects` (object-resolver.ts).
 */
import type { RemotableMethodDef } from '../objects/model.js';
import { readImportStatement } from '../python/bindings.js';
import type { PyNode } from '../python/parser.js';
import { PyFile } from '../python/source-file.js';
import { type RawMakeCompatible, reduceMakeCompatible } from './make-compatible.js';
import { makeQualifier, type NameQualifier, type PyExpr, toExpr } from './python-expr.js';
import { parseVersionComments, type VersionComment } from './version-comments.js';

/** Bumped whenever the summary format or extraction rules change: invalidates disk caches. */
export const EXTRACTOR_VERSION = 8;

export interface RawClass {
  name: string;
  /** `<module>.<name>`. */
  qname: string;
  line: number;
  bases: PyExpr[];
  /** Class keywords (`metaclass=...`). */
  keywords: Record<string, PyExpr>;
  decorators: PyExpr[];
  /** Class-body assignments to plain names, last one wins (`VERSION`, `fields`, ...). */
  attrs: Record<string, PyExpr>;
  /** Line of each class attribute assignment. */
  attrLines: Record<string, number>;
  /** Lines of the entries of a literal `fields` dict (or the dict part of `dict(X.fields, **{})`). */
  fieldLines: Record<string, number>;
  /** `fields.update(<expr>)` calls in the class body, in order. */
  fieldsUpdates: PyExpr[];
  /** Class-body `del fields['x']` (rare, used to hide an inherited field). */
  fieldsDeleted: string[];
  historyComments: VersionComment[];
  remotable: RemotableMethodDef[];
  /** Names of every method defined in the class body. */
  methods: string[];
  makeCompatible?: RawMakeCompatible;
  /** `valid_values=` passed to `super().__init__` in an Enum subclass's `__init__`. */
  initValidValues?: PyExpr;
  /** `__init__` calls `obj_set_defaults()` (ephemeral objects). */
  initSetsDefaults?: boolean;
  /** `def obj_name(cls): return 'Instance'` (several majors of one object in one file). */
  objNameOverride?: string;
}

export interface ModuleSummary {
  extractorVersion: number;
  module: string;
  path: string;
  /** Local name -> qualified target of module-level imports. */
  imports: Record<string, string>;
  /** Module-level `NAME = <expr>` assignments, last one wins. */
  constants: Record<string, PyExpr>;
  classes: RawClass[];
  /** Module-level `Cls.fields.update(<expr>)` / `Cls.fields['x'] = <expr>`. */
  fieldsUpdates: { target: string; expr: PyExpr; line: number }[];
  syntaxErrors: { line: number; message: string }[];
}

function named(node: PyNode | null | undefined): PyNode[] {
  return node ? node.namedChildren.filter((c): c is PyNode => !!c && c.type !== 'comment') : [];
}

function lineOf(file: PyFile): (n: PyNode) => number {
  return (n) => file.position(n.startIndex).line;
}

/** Module-level imports (including ones inside module-level try/except), as `file.bindings` has them. */
export function moduleImportsFromBindings(file: PyFile): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of file.bindings.imports) {
    if (b.scope.type === 'module') out.set(b.local, b.target);
  }
  return out;
}

/** Statements that hold statements without opening a scope (where module-level imports hide). */
const STATEMENT_CONTAINERS = new Set([
  'block',
  'if_statement',
  'elif_clause',
  'else_clause',
  'try_statement',
  'except_clause',
  'except_group_clause',
  'finally_clause',
  'with_statement',
  'for_statement',
  'while_statement',
  'match_statement',
  'case_clause',
  'ERROR',
]);

/**
 * Module-level imports: local name -> qualified target, last binding wins. The same table as
 * `moduleImportsFromBindings` (the front end's import bindings filtered to the module scope), read
 * from the statements that can hold a module-level import instead of a query over the whole tree,
 * which costs as much as the rest of the extraction on large modules.
 */
export function moduleImports(file: PyFile, isPackage: boolean): Map<string, string> {
  const out = new Map<string, string>();
  const collect = (stmt: PyNode) => {
    for (const e of readImportStatement(stmt, file.moduleName, isPackage).entries) out.set(e.local, e.target);
  };
  const visit = (node: PyNode) => {
    for (const c of node.namedChildren) {
      if (!c) continue;
      if (c.type === 'import_statement' || c.type === 'import_from_statement') collect(c);
      else if (STATEMENT_CONTAINERS.has(c.type)) visit(c);
    }
  };
  visit(file.root);
  return out;
}

/** Names the module binds at top level (classes, defs, assignments), recursing into if/try. */
function moduleBoundNames(root: PyNode): Set<string> {
  const names = new Set<string>();
  const visit = (block: PyNode) => {
    for (const s of named(block)) {
      const def = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
      if (def && (def.type === 'class_definition' || def.type === 'function_definition')) {
        const n = def.childForFieldName('name')?.text;
        if (n) names.add(n);
      } else if (s.type === 'expression_statement') {
        const a = named(s)[0];
        const left = a?.type === 'assignment' ? a.childForFieldName('left') : undefined;
        if (left?.type === 'identifier') names.add(left.text);
      } else if (s.type === 'if_statement' || s.type === 'try_statement') {
        for (const c of named(s)) if (c.type === 'block') visit(c);
        for (const c of named(s)) for (const b of named(c)) if (b.type === 'block') visit(b);
      }
    }
  };
  visit(root);
  return names;
}

function remotableKind(decorators: PyNode[]): 'method' | 'classmethod' | undefined {
  for (const d of decorators) {
    const e = named(d)[0];
    const text = (e?.type === 'call' ? e.childForFieldName('function')?.text : e?.text) ?? '';
    const last = text.slice(text.lastIndexOf('.') + 1);
    if (last === 'remotable_classmethod') return 'classmethod';
    if (last === 'remotable') return 'method';
  }
  return undefined;
}

function signature(fn: PyNode, name: string, classmethod: boolean): RemotableMethodDef {
  const args: string[] = [];
  const defaults: string[] = [];
  let varargs: string | null = null;
  let varkw: string | null = null;
  for (const p of named(fn.childForFieldName('parameters'))) {
    switch (p.type) {
      case 'identifier':
        args.push(p.text);
        break;
      case 'typed_parameter': {
        const inner = named(p)[0];
        if (inner?.type === 'list_splat_pattern') varargs = named(inner)[0]?.text ?? null;
        else if (inner?.type === 'dictionary_splat_pattern') varkw = named(inner)[0]?.text ?? null;
        else if (inner) args.push(inner.text);
        break;
      }
      case 'default_parameter':
      case 'typed_default_parameter':
        args.push(p.childForFieldName('name')?.text ?? '');
        defaults.push(p.childForFieldName('value')?.text ?? '');
        break;
      case 'list_splat_pattern':
        varargs = named(p)[0]?.text ?? null;
        break;
      case 'dictionary_splat_pattern':
        varkw = named(p)[0]?.text ?? null;
        break;
      default:
        break;
    }
  }
  return { name, classmethod, args, varargs, varkw, defaults };
}

/** Comment lines of a class body that precede its first method (where version history lives). */
function classCommentLines(file: PyFile, cls: PyNode, body: PyNode): { line: number; text: string }[] {
  const start = file.position(cls.startIndex).line + 1;
  let end = file.position(cls.endIndex).line;
  for (const s of named(body)) {
    if (s.type === 'function_definition' || s.type === 'decorated_definition') {
      end = file.position(s.startIndex).line - 1;
      break;
    }
  }
  const out: { line: number; text: string }[] = [];
  for (let l = start; l <= end; l++) {
    const text = file.lineText(l);
    if (/^\s*#/.test(text)) out.push({ line: l, text });
  }
  return out;
}

function extractClass(
  file: PyFile,
  node: PyNode,
  decorators: PyNode[],
  qualify: NameQualifier,
  moduleLists: Map<string, string[]>,
): RawClass | undefined {
  const name = node.childForFieldName('name')?.text;
  const body = node.childForFieldName('body');
  if (!name || !body) return undefined;
  const line = lineOf(file);
  const cls: RawClass = {
    name,
    qname: `${file.moduleName ?? ''}.${name}`,
    line: line(node),
    bases: [],
    keywords: {},
    decorators: decorators.map((d) => toExpr(named(d)[0], qualify)),
    attrs: {},
    attrLines: {},
    fieldLines: {},
    fieldsUpdates: [],
    fieldsDeleted: [],
    historyComments: parseVersionComments(classCommentLines(file, node, body)),
    remotable: [],
    methods: [],
  };
  let fromManifest: RawMakeCompatible | undefined;
  for (const a of named(node.childForFieldName('superclasses'))) {
    if (a.type === 'keyword_argument') {
      const k = a.childForFieldName('name')?.text;
      if (k) cls.keywords[k] = toExpr(a.childForFieldName('value'), qualify);
    } else cls.bases.push(toExpr(a, qualify));
  }
  for (const stmt of named(body)) {
    if (stmt.type === 'expression_statement') {
      const e = named(stmt)[0];
      if (e?.type === 'assignment') {
        const left = e.childForFieldName('left');
        const right = e.childForFieldName('right');
        if (left?.type === 'identifier' && right) {
          cls.attrs[left.text] = toExpr(right, qualify);
          cls.attrLines[left.text] = line(stmt);
          if (left.text === 'fields') {
            cls.fieldLines = {};
            const dict = right.type === 'dictionary' ? right : dictArgOf(right);
            for (const pair of named(dict)) {
              if (pair.type !== 'pair') continue;
              const k = toExpr(pair.childForFieldName('key'), qualify);
              if (k.k === 'str') cls.fieldLines[k.v] = line(pair);
            }
          }
        } else if (
          left?.type === 'subscript' &&
          left.childForFieldName('value')?.text === 'fields' &&
          right
        ) {
          const key = toExpr(left.childrenForFieldName('subscript')[0], qualify);
          if (key.k === 'str') {
            cls.fieldsUpdates.push({ k: 'dict', entries: [[key, toExpr(right, qualify)]] });
            cls.fieldLines[key.v] = line(stmt);
          }
        }
      } else if (e?.type === 'call' && e.childForFieldName('function')?.text === 'fields.update') {
        const arg = named(e.childForFieldName('arguments'))[0];
        if (arg) cls.fieldsUpdates.push(toExpr(arg, qualify));
      }
    } else if (stmt.type === 'delete_statement') {
      for (const t of named(stmt)) {
        if (t.type === 'subscript' && t.childForFieldName('value')?.text === 'fields') {
          const key = toExpr(t.childrenForFieldName('subscript')[0], qualify);
          if (key.k === 'str') cls.fieldsDeleted.push(key.v);
        }
      }
    } else if (stmt.type === 'function_definition' || stmt.type === 'decorated_definition') {
      const fn = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
      if (fn?.type !== 'function_definition') continue;
      const fname = fn.childForFieldName('name')?.text ?? '';
      cls.methods.push(fname);
      const decs =
        stmt.type === 'decorated_definition' ? named(stmt).filter((d) => d.type === 'decorator') : [];
      const kind = remotableKind(decs);
      if (kind) cls.remotable.push(signature(fn, fname, kind === 'classmethod'));
      if (fname === 'obj_make_compatible')
        cls.makeCompatible = reduceMakeCompatible(fn, qualify, moduleLists, line);
      if (fname === 'obj_make_compatible_from_manifest')
        fromManifest = reduceMakeCompatible(fn, qualify, moduleLists, line);
      if (fname === '__init__') initFacts(fn, cls, qualify);
      if (fname === 'obj_name') {
        const ret = named(fn.childForFieldName('body')).find((b) => b.type === 'return_statement');
        const v = ret ? toExpr(named(ret)[0], qualify) : undefined;
        if (v?.k === 'str') cls.objNameOverride = v.v;
      }
    }
  }
  if (fromManifest) cls.makeCompatible = withFromManifest(cls.makeCompatible, fromManifest);
  return cls;
}

/**
 * An `obj_make_compatible_from_manifest` override (Service) runs the `obj_make_compatible` chain
 * through its `super()` call, then its own statements: its actions follow the class's own
 * `obj_make_compatible` actions, or, without one, stand for the chain with `super` first.
 */
function withFromManifest(own: RawMakeCompatible | undefined, fm: RawMakeCompatible): RawMakeCompatible {
  if (!own) return fm;
  return { ...own, actions: [...own.actions, ...fm.actions.filter((a) => a.kind !== 'super')] };
}

/** The dict display inside `dict(X.fields, **{...})`. */
function dictArgOf(node: PyNode): PyNode | undefined {
  if (node.type !== 'call') return undefined;
  for (const a of named(node.childForFieldName('arguments'))) {
    if (a.type === 'dictionary_splat') {
      const inner = named(a)[0];
      if (inner?.type === 'dictionary') return inner;
    }
  }
  return undefined;
}

function initFacts(fn: PyNode, cls: RawClass, qualify: NameQualifier): void {
  const body = fn.childForFieldName('body');
  if (!body) return;
  for (const stmt of named(body)) {
    const e = named(stmt)[0];
    if (stmt.type !== 'expression_statement' || e?.type !== 'call') continue;
    const f = e.childForFieldName('function');
    if (f?.type === 'attribute' && f.childForFieldName('attribute')?.text === '__init__') {
      for (const a of named(e.childForFieldName('arguments'))) {
        if (a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'valid_values') {
          cls.initValidValues = toExpr(a.childForFieldName('value'), qualify);
        }
      }
    }
    if (f?.text === 'self.obj_set_defaults') cls.initSetsDefaults = true;
  }
}

function stringList(e: PyExpr, constants: Map<string, PyExpr>, depth = 0): string[] | undefined {
  if (depth > 8) return undefined;
  if (e.k === 'list' || e.k === 'tuple' || e.k === 'set') {
    const out: string[] = [];
    for (const i of e.items) {
      if (i.k !== 'str') return undefined;
      out.push(i.v);
    }
    return out;
  }
  if (e.k === 'binop' && e.op === '+') {
    const l = stringList(e.l, constants, depth + 1);
    const r = stringList(e.r, constants, depth + 1);
    return l && r ? [...l, ...r] : undefined;
  }
  if (e.k === 'name') {
    const local = e.q.slice(e.q.lastIndexOf('.') + 1);
    const c = constants.get(local);
    return c ? stringList(c, constants, depth + 1) : undefined;
  }
  return undefined;
}

/** Extracts the summary of a parsed module. The caller owns `file` (and disposes it). */
export function summarizeModule(file: PyFile): ModuleSummary {
  const moduleName = file.moduleName ?? '';
  const imports = moduleImports(file, file.options.isPackage ?? false);
  const qualify = makeQualifier(moduleName, imports, moduleBoundNames(file.root));
  const line = lineOf(file);
  const summary: ModuleSummary = {
    extractorVersion: EXTRACTOR_VERSION,
    module: moduleName,
    path: file.path,
    imports: Object.fromEntries(imports),
    constants: {},
    classes: [],
    fieldsUpdates: [],
    syntaxErrors: file.hasSyntaxErrors
      ? file.syntaxIssues().map((i) => ({
          line: file.position(i.start).line,
          message: i.kind === 'missing' ? `missing ${i.nodeType}` : 'syntax error',
        }))
      : [],
  };
  const constants = new Map<string, PyExpr>();
  const topLevel = named(file.root);
  for (const s of topLevel) {
    if (s.type !== 'expression_statement') continue;
    const a = named(s)[0];
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type === 'identifier' && right) constants.set(left.text, toExpr(right, qualify));
  }
  const moduleLists = new Map<string, string[]>();
  for (const [k, v] of constants) {
    const l = stringList(v, constants);
    if (l) moduleLists.set(k, l);
  }
  summary.constants = Object.fromEntries(constants);
  for (const s of topLevel) {
    const def = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
    if (def?.type === 'class_definition') {
      const decs = s.type === 'decorated_definition' ? named(s).filter((d) => d.type === 'decorator') : [];
      const cls = extractClass(file, def, decs, qualify, moduleLists);
      if (cls) summary.classes.push(cls);
      continue;
    }
    if (s.type === 'expression_statement') {
      const e = named(s)[0];
      // Cls.fields.update({...})
      if (e?.type === 'call') {
        const f = e.childForFieldName('function');
        const m = f ? /^([A-Za-z_][\w.]*)\.fields\.update$/.exec(f.text) : null;
        const arg = named(e.childForFieldName('arguments'))[0];
        if (m && arg)
          summary.fieldsUpdates.push({ target: qualify(m[1]!), expr: toExpr(arg, qualify), line: line(s) });
      } else if (e?.type === 'assignment') {
        const left = e.childForFieldName('left');
        const right = e.childForFieldName('right');
        const m =
          left?.type === 'subscript'
            ? /^([A-Za-z_][\w.]*)\.fields$/.exec(left.childForFieldName('value')?.text ?? '')
            : null;
        const key =
          left?.type === 'subscript' ? toExpr(left.childrenForFieldName('subscript')[0], qualify) : undefined;
        if (m && key?.k === 'str' && right) {
          summary.fieldsUpdates.push({
            target: qualify(m[1]!),
            expr: { k: 'dict', entries: [[key, toExpr(right, qualify)]] },
            line: line(s),
          });
        }
      }
    }
  }
  return summary;
}

/** Parses `text` as module `moduleName` and summarises it. */
export function extractModule(
  path: string,
  text: string,
  moduleName: string,
  isPackage = false,
): ModuleSummary {
  const file = PyFile.parse(path, text, { moduleName, isPackage });
  try {
    return summarizeModule(file);
  } finally {
    file.dispose();
  }
}
