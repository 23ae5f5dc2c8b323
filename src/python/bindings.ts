/**
 * Name bindings and qualified names per module, in the manner of LibCST's QualifiedNameProvider:
 * every form of `import` (aliases, relative imports, imports inside functions and inside
 * `try/except ImportError`), scopes (module, class, function, lambda, comprehension) and the local
 * bindings that shadow an import (parameters, assignments, loop and `with`/`except` targets,
 * `def`/`class` names). Names are resolved through these bindings, never by regex on text.
 */
import { captures, type PyNode } from './parser.js';
import type { PyFile } from './source-file.js';

export type ImportForm = 'import' | 'import-as' | 'from' | 'from-as';

export interface ImportBinding {
  kind: 'import';
  /** The name the import binds in its scope (`session`, `xenapi_session`, `nova`). */
  local: string;
  /**
   * What the local name refers to, fully qualified: `nova.virt.xenapi.client.session` for
   * `from nova.virt.xenapi.client import session`; `nova` for `import nova.virt.xenapi`.
   */
  target: string;
  /** The module written in the statement (absolute after resolving relative imports). */
  module: string;
  /** For `from M import N [as A]`: N. */
  importedName?: string;
  alias?: string;
  form: ImportForm;
  /** Number of leading dots of a relative import (0 for absolute). */
  relativeLevel: number;
  /** True when a relative import could not be made absolute (unknown module name). */
  unresolvedRelative: boolean;
  /** `import_statement` / `import_from_statement` node. */
  statement: PyNode;
  /** The `dotted_name` or `aliased_import` node for this one name inside the statement. */
  nameNode: PyNode;
  /** The scope node (module, function_definition, class_definition, ...) the binding lives in. */
  scope: PyNode;
  /** Inside a `try:` whose handlers catch ImportError (or everything). */
  inTryImportError: boolean;
  /** Directly at module level (not nested in a function, class, if or try). */
  topLevel: boolean;
}

export interface WildcardImport {
  module: string;
  statement: PyNode;
  scope: PyNode;
}

export type BindingKind =
  | 'import'
  | 'param'
  | 'assign'
  | 'def'
  | 'class'
  | 'for'
  | 'with'
  | 'except'
  | 'global'
  | 'nonlocal'
  | 'comprehension'
  | 'del';

export interface BindingSite {
  kind: BindingKind;
  name: string;
  node: PyNode;
  import?: ImportBinding;
}

export type NameResolution =
  | { kind: 'import'; imports: ImportBinding[]; scope: PyNode }
  | { kind: 'local'; sites: BindingSite[]; scope: PyNode }
  | { kind: 'unbound' };

export interface NameReference {
  /** The outermost attribute chain that starts at the bound name (or the identifier itself). */
  node: PyNode;
  /** The identifier that refers to the import binding. */
  root: PyNode;
  qualifiedName: string;
  binding: ImportBinding;
}

/** Node types that open a name scope (the module, functions, classes, lambdas, comprehensions). */
export const SCOPE_TYPES: ReadonlySet<string> = new Set([
  'module',
  'function_definition',
  'class_definition',
  'lambda',
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
]);

const BINDING_QUERY = `
(function_definition name: (identifier) @def)
(class_definition name: (identifier) @class)
(parameters (identifier) @param)
(parameters (tuple_pattern) @param-pattern)
(lambda_parameters (identifier) @param)
(default_parameter name: (identifier) @param)
(typed_parameter (identifier) @param)
(typed_default_parameter name: (identifier) @param)
(list_splat_pattern (identifier) @param)
(dictionary_splat_pattern (identifier) @param)
(assignment left: (_) @assign)
(augmented_assignment left: (identifier) @assign)
(named_expression name: (identifier) @assign)
(for_statement left: (_) @for)
(for_in_clause left: (_) @comprehension)
(as_pattern_target (_) @with)
(except_clause value: (_) . value: (identifier) @except)
(global_statement (identifier) @global)
(nonlocal_statement (identifier) @nonlocal)
(delete_statement (identifier) @del)
`;

/**
 * The import statements of a module, in source order: each has exactly one `import` keyword, so
 * the keyword's occurrences in the text (as a whole word) lead to them; strings and comments that
 * contain the word lead to no keyword node. A query would walk every node of the tree to find the
 * few dozen statements. `from __future__ import ...` is a future import, not a binding.
 */
export function importStatements(file: { text: string; root: PyNode }): PyNode[] {
  const out: PyNode[] = [];
  const text = file.text;
  for (let i = text.indexOf('import'); i !== -1; i = text.indexOf('import', i + 6)) {
    if (isIdentChar(text[i - 1]) || isIdentChar(text[i + 6])) continue;
    const kw = file.root.descendantForIndex(i, i + 6);
    if (!kw || kw.type !== 'import' || kw.startIndex !== i) continue;
    const stmt = kw.parent;
    if (stmt && (stmt.type === 'import_statement' || stmt.type === 'import_from_statement')) out.push(stmt);
  }
  return out;
}

function isScope(node: PyNode): boolean {
  return SCOPE_TYPES.has(node.type);
}

/** Identifiers a target pattern binds (`a, (b, c)` -> a, b, c; `x.y` / `x[0]` bind nothing). */
function patternNames(node: PyNode, out: PyNode[] = []): PyNode[] {
  switch (node.type) {
    case 'identifier':
      out.push(node);
      break;
    case 'pattern_list':
    case 'tuple_pattern':
    case 'list_pattern':
    case 'tuple':
    case 'list':
    case 'parenthesized_expression':
      for (const c of node.namedChildren) if (c) patternNames(c, out);
      break;
    case 'list_splat_pattern':
    case 'list_splat':
      for (const c of node.namedChildren) if (c) patternNames(c, out);
      break;
    default:
      break;
  }
  return out;
}

/** Nodes `patternNames` descends through. */
const PATTERN_CONTAINERS = new Set([
  'pattern_list',
  'tuple_pattern',
  'list_pattern',
  'tuple',
  'list',
  'parenthesized_expression',
  'list_splat_pattern',
  'list_splat',
]);

/** The pattern index of each capture in BINDING_QUERY (the query's order of captures). */
const PATTERN_INDEX = {
  def: 0,
  class: 1,
  param: 2,
  'param-pattern': 3,
  'lambda-param': 4,
  'default-param': 5,
  'typed-param': 6,
  'typed-default-param': 7,
  'list-splat-param': 8,
  'dict-splat-param': 9,
  assign: 10,
  'augmented-assign': 11,
  'named-expression': 12,
  for: 13,
  comprehension: 14,
  with: 15,
  except: 16,
  global: 17,
  nonlocal: 18,
  del: 19,
} as const;

function isField(parent: PyNode, field: string, node: PyNode): boolean {
  const c = parent.childForFieldName(field);
  return !!c && c.startIndex === node.startIndex && c.endIndex === node.endIndex && c.type === node.type;
}

/**
 * The binding sites an identifier is, as BINDING_QUERY (plus `patternNames`) captures them: the
 * kind, the start of the captured node (the pattern root for targets) and the query pattern.
 * Usually none or one; an identifier can be two (`a, *b = x`: an assignment target and, as the
 * query has it, a splat parameter).
 */
export function bindingSitesOf(id: PyNode): { kind: BindingKind; captureStart: number; pattern: number }[] {
  const out: { kind: BindingKind; captureStart: number; pattern: number }[] = [];
  const p = id.parent;
  if (!p) return out;
  const self = (kind: BindingKind, pattern: number) =>
    out.push({ kind, captureStart: id.startIndex, pattern });
  switch (p.type) {
    case 'function_definition':
      if (isField(p, 'name', id)) self('def', PATTERN_INDEX.def);
      break;
    case 'class_definition':
      if (isField(p, 'name', id)) self('class', PATTERN_INDEX.class);
      break;
    case 'parameters':
      self('param', PATTERN_INDEX.param);
      break;
    case 'lambda_parameters':
      self('param', PATTERN_INDEX['lambda-param']);
      break;
    case 'default_parameter':
      if (isField(p, 'name', id)) self('param', PATTERN_INDEX['default-param']);
      break;
    case 'typed_parameter':
      self('param', PATTERN_INDEX['typed-param']);
      break;
    case 'typed_default_parameter':
      if (isField(p, 'name', id)) self('param', PATTERN_INDEX['typed-default-param']);
      break;
    case 'list_splat_pattern':
      self('param', PATTERN_INDEX['list-splat-param']);
      break;
    case 'dictionary_splat_pattern':
      self('param', PATTERN_INDEX['dict-splat-param']);
      break;
    case 'augmented_assignment':
      if (isField(p, 'left', id)) self('assign', PATTERN_INDEX['augmented-assign']);
      break;
    case 'named_expression':
      if (isField(p, 'name', id)) self('assign', PATTERN_INDEX['named-expression']);
      break;
    case 'except_clause': {
      // `except (A, B), e` (Python 2): a value immediately after another value.
      const values = p.childrenForFieldName('value').filter((v): v is PyNode => !!v);
      const at = values.findIndex((v) => v.startIndex === id.startIndex && v.type === id.type);
      if (at > 0 && values[at - 1]!.nextNamedSibling?.startIndex === id.startIndex)
        self('except', PATTERN_INDEX.except);
      break;
    }
    case 'global_statement':
      self('global', PATTERN_INDEX.global);
      break;
    case 'nonlocal_statement':
      self('nonlocal', PATTERN_INDEX.nonlocal);
      break;
    case 'delete_statement':
      self('del', PATTERN_INDEX.del);
      break;
    default:
      break;
  }
  // Targets: climb the pattern containers to the pattern root, then ask what binds the root.
  // (`parent` costs a descent from the tree's root in tree-sitter: each is fetched once.)
  let root: PyNode = id;
  let binder: PyNode | null = p;
  while (binder && PATTERN_CONTAINERS.has(binder.type)) {
    root = binder;
    binder = binder.parent;
  }
  if (binder) {
    const target = (kind: BindingKind, pattern: number) =>
      out.push({ kind, captureStart: root.startIndex, pattern });
    switch (binder.type) {
      case 'assignment':
        if (isField(binder, 'left', root)) target('assign', PATTERN_INDEX.assign);
        break;
      case 'for_statement':
        if (isField(binder, 'left', root)) target('for', PATTERN_INDEX.for);
        break;
      case 'for_in_clause':
        if (isField(binder, 'left', root)) target('comprehension', PATTERN_INDEX.comprehension);
        break;
      case 'as_pattern_target':
        target('with', PATTERN_INDEX.with);
        break;
      case 'parameters':
        if (root.type === 'tuple_pattern') target('param', PATTERN_INDEX['param-pattern']);
        break;
      default:
        break;
    }
  }
  return out;
}

/** Whether `node` sits in the part of a function/lambda/class that is evaluated in the outer scope. */
function evaluatedOutside(scope: PyNode, child: PyNode, node: PyNode): boolean {
  const t = scope.type;
  if (t === 'function_definition' || t === 'lambda' || t === 'class_definition') {
    const body = scope.childForFieldName('body');
    if (body && body.id === child.id) return false;
    if (t !== 'class_definition') {
      const params = scope.childForFieldName('parameters');
      if (params && params.id === child.id) return !isParameterName(node, params);
    }
    return true;
  }
  return false;
}

/** True when node is a parameter's own name (not part of a default value or annotation). */
function isParameterName(node: PyNode, params: PyNode): boolean {
  let cur: PyNode | null = node;
  while (cur && cur.id !== params.id) {
    const parent: PyNode | null = cur.parent;
    if (!parent) return false;
    if (
      (parent.type === 'default_parameter' || parent.type === 'typed_default_parameter') &&
      parent.childForFieldName('value')?.id === cur.id
    ) {
      return false;
    }
    if (parent.type === 'typed_parameter' || parent.type === 'typed_default_parameter') {
      if (parent.childForFieldName('type')?.id === cur.id) return false;
    }
    cur = parent;
  }
  return cur !== null;
}

function catchesImportError(tryStmt: PyNode): boolean {
  for (const c of tryStmt.namedChildren) {
    if (!c || c.type !== 'except_clause') continue;
    const first = c.namedChildren.find((n) => n && n.type !== 'block');
    if (!first) return true; // bare except
    const text = first.text;
    if (/\b(ImportError|ModuleNotFoundError|Exception|BaseException)\b/.test(text)) return true;
  }
  return false;
}

function dottedText(node: PyNode): string {
  return node.namedChildren.map((c) => c?.text ?? '').join('.');
}

/** What one import statement binds, without its scope: the part of ImportBinding the text decides. */
export type ImportEntry = Omit<
  ImportBinding,
  'kind' | 'statement' | 'scope' | 'inTryImportError' | 'topLevel'
>;

/**
 * Absolute module for a `from` import written with `level` leading dots in module `own` (a package
 * when `isPackage`). Unresolvable relative imports keep their dots and say so.
 */
export function absoluteModuleName(
  written: string,
  level: number,
  own: string | undefined,
  isPackage: boolean,
): { module: string; unresolved: boolean } {
  if (level === 0) return { module: written, unresolved: false };
  if (!own) return { module: '.'.repeat(level) + written, unresolved: true };
  const parts = own.split('.');
  // A module's package is its name minus the last part; a package's is itself.
  const pkg = isPackage ? parts : parts.slice(0, -1);
  const up = level - 1;
  if (up > pkg.length) return { module: '.'.repeat(level) + written, unresolved: true };
  return {
    module: [...pkg.slice(0, pkg.length - up), ...(written ? [written] : [])].join('.'),
    unresolved: false,
  };
}

/**
 * The names an `import` / `from ... import` statement binds and what each refers to, resolving
 * relative imports against module `own`. A wildcard import binds nothing and gives its module.
 * Shared by ModuleBindings and the object-history extractor's module-level fast path.
 */
export function readImportStatement(
  stmt: PyNode,
  own: string | undefined,
  isPackage: boolean,
): { entries: ImportEntry[]; wildcardModule?: string } {
  const entries: ImportEntry[] = [];
  if (stmt.type === 'import_statement') {
    for (const n of stmt.childrenForFieldName('name')) {
      if (!n) continue;
      const common = { relativeLevel: 0, unresolvedRelative: false, nameNode: n };
      if (n.type === 'aliased_import') {
        const mod = dottedText(n.childForFieldName('name')!);
        const alias = n.childForFieldName('alias')!.text;
        entries.push({ ...common, local: alias, target: mod, module: mod, alias, form: 'import-as' });
      } else {
        const mod = dottedText(n);
        const first = mod.split('.')[0]!;
        entries.push({ ...common, local: first, target: first, module: mod, form: 'import' });
      }
    }
    return { entries };
  }
  const modNode = stmt.childForFieldName('module_name');
  if (!modNode) return { entries };
  let level = 0;
  let written = '';
  if (modNode.type === 'relative_import') {
    const prefix = modNode.namedChildren.find((c) => c?.type === 'import_prefix');
    level = prefix ? prefix.text.length : 0;
    const dn = modNode.namedChildren.find((c) => c?.type === 'dotted_name');
    written = dn ? dottedText(dn) : '';
  } else {
    written = dottedText(modNode);
  }
  const { module, unresolved } = absoluteModuleName(written, level, own, isPackage);
  if (stmt.namedChildren.some((c) => c?.type === 'wildcard_import'))
    return { entries, wildcardModule: module };
  const join = (name: string) =>
    !module ? name : module.endsWith('.') ? module + name : `${module}.${name}`;
  for (const n of stmt.childrenForFieldName('name')) {
    if (!n) continue;
    const common = { module, relativeLevel: level, unresolvedRelative: unresolved, nameNode: n };
    if (n.type === 'aliased_import') {
      const name = dottedText(n.childForFieldName('name')!);
      const alias = n.childForFieldName('alias')!.text;
      entries.push({
        ...common,
        local: alias,
        target: join(name),
        importedName: name,
        alias,
        form: 'from-as',
      });
    } else {
      const name = dottedText(n);
      entries.push({ ...common, local: name, target: join(name), importedName: name, form: 'from' });
    }
  }
  return { entries };
}

export class ModuleBindings {
  readonly imports: ImportBinding[] = [];
  readonly wildcards: WildcardImport[] = [];
  /** Every local name some import binds, in any scope. */
  private readonly importedLocals = new Set<string>();
  private readonly sitesByScope = new Map<number, Map<string, BindingSite[]>>();
  private readonly scopeNodes = new Map<number, PyNode>();
  private sitesCollected = false;
  /** Sites of one name declared in one scope, found lazily (`${scope.id} name`). */
  private readonly lazySites = new Map<string, BindingSite[]>();

  /** `resolve` answers by start scope and name. */
  private readonly resolutions = new Map<string, NameResolution>();

  constructor(readonly file: PyFile) {
    // Imports are cheap to find and are all most callers need; the other binding sites are
    // collected on the first name resolution.
    for (const stmt of importStatements(this.file)) this.collectImport(stmt);
  }

  /** The scope a node's names are resolved in (function defaults and decorators: the outer one). */
  scopeOf(node: PyNode): PyNode {
    let child = node;
    let cur = node.parent;
    while (cur) {
      if (isScope(cur) && !evaluatedOutside(cur, child, node)) return cur;
      child = cur;
      cur = cur.parent;
    }
    return this.file.root;
  }

  /** The scope a binding site binds into (a `def`'s own name belongs to the enclosing scope). */
  private bindingScopeOf(node: PyNode, kind: BindingKind): PyNode {
    if (kind === 'def' || kind === 'class') return this.scopeOf(node.parent ?? node);
    return this.scopeOf(node);
  }

  private addSite(scope: PyNode, site: BindingSite): void {
    let m = this.sitesByScope.get(scope.id);
    if (!m) {
      m = new Map();
      this.sitesByScope.set(scope.id, m);
      this.scopeNodes.set(scope.id, scope);
    }
    const list = m.get(site.name);
    if (list) list.push(site);
    else m.set(site.name, [site]);
  }

  private collectSites(): void {
    if (this.sitesCollected) return;
    this.sitesCollected = true;
    for (const cap of captures(BINDING_QUERY, this.file.root)) {
      const node = cap.node;
      switch (cap.name) {
        case 'param-pattern':
          for (const id of patternNames(node))
            this.addSite(this.scopeOf(id), { kind: 'param', name: id.text, node: id });
          break;
        case 'assign':
        case 'for':
        case 'comprehension':
        case 'with': {
          const kind: BindingKind = cap.name === 'with' ? 'with' : (cap.name as BindingKind);
          for (const id of patternNames(node))
            this.addSite(this.scopeOf(id), { kind, name: id.text, node: id });
          break;
        }
        default: {
          const kind = cap.name as BindingKind;
          this.addSite(this.bindingScopeOf(node, kind), { kind, name: node.text, node });
        }
      }
    }
  }

  private collectImport(stmt: PyNode): void {
    const scope = this.scopeOf(stmt);
    const topLevel = stmt.parent?.type === 'module';
    let inTry = false;
    for (let cur = stmt.parent; cur && !isScope(cur); cur = cur.parent) {
      if (cur.type === 'try_statement' && catchesImportError(cur)) {
        inTry = true;
        break;
      }
    }
    const read = readImportStatement(stmt, this.file.moduleName, this.file.options.isPackage === true);
    if (read.wildcardModule !== undefined) {
      this.wildcards.push({ module: read.wildcardModule, statement: stmt, scope });
      return;
    }
    for (const entry of read.entries) {
      this.pushImport({
        kind: 'import',
        statement: stmt,
        scope,
        inTryImportError: inTry,
        topLevel,
        ...entry,
      });
    }
  }

  private pushImport(b: ImportBinding): void {
    this.imports.push(b);
    this.importedLocals.add(b.local);
    this.addSite(b.scope, { kind: 'import', name: b.local, node: b.nameNode, import: b });
  }

  /**
   * False when no import anywhere in the module binds `name`: then no use of it can resolve to an
   * import, and callers can skip the scope analysis that `resolve` needs.
   */
  mayBeImported(name: string): boolean {
    return this.importedLocals.has(name);
  }

  /**
   * Binding sites of `name` declared directly in `scope`. Before a whole-module collection (which
   * `namesIn` needs), they are found from the name's occurrences in the scope's text: each
   * identifier there is classified by its context exactly as BINDING_QUERY captures it. A
   * resolution then costs the occurrences of one name in the scopes it walks through, not a
   * query over every binding of the module.
   */
  sitesIn(scope: PyNode, name: string): BindingSite[] {
    if (this.sitesCollected) return this.sitesByScope.get(scope.id)?.get(name) ?? [];
    const key = `${scope.id} ${name}`;
    let sites = this.lazySites.get(key);
    if (!sites) {
      sites = [...(this.sitesByScope.get(scope.id)?.get(name) ?? [])];
      const found: { site: BindingSite; at: number; pattern: number }[] = [];
      const text = this.file.text;
      const root = this.file.root;
      for (const at of wordOccurrences(text, name, scope.startIndex, scope.endIndex)) {
        const id = identifierAt(root, at, name.length);
        if (!id) continue;
        for (const b of bindingSitesOf(id)) {
          const target =
            b.kind === 'def' || b.kind === 'class' ? this.scopeOf(id.parent ?? id) : this.scopeOf(id);
          if (target.id === scope.id)
            found.push({ site: { kind: b.kind, name, node: id }, at: b.captureStart, pattern: b.pattern });
        }
      }
      // Capture order: by the captured node's start, then by pattern (as the query returns them).
      found.sort(
        (a, b) => a.at - b.at || a.pattern - b.pattern || a.site.node.startIndex - b.site.node.startIndex,
      );
      for (const f of found) sites.push(f.site);
      this.lazySites.set(key, sites);
    }
    return sites;
  }

  /**
   * Every binding site in the module, collected at once (one query): what `namesIn` needs. Public
   * so that tests can compare the lazy per-name answers with it.
   */
  collectAllSites(): void {
    this.collectSites();
  }

  /** Every name bound in a scope. */
  namesIn(scope: PyNode): string[] {
    this.collectSites();
    this.lazySites.clear();
    return [...(this.sitesByScope.get(scope.id)?.keys() ?? [])];
  }

  /**
   * Resolves a name as Python does: the innermost enclosing function scope that binds it (class
   * scopes only for code directly in the class body), then module globals. `global` declarations
   * send the lookup to the module.
   */
  resolve(name: string, at: PyNode): NameResolution {
    const start = this.scopeOf(at);
    // The answer depends on the scope the lookup starts in and the name only: uses of one name in
    // one function resolve once (callers read the result, never change it).
    const key = `${start.id}\0${name}`;
    let res = this.resolutions.get(key);
    if (!res) {
      res = this.resolveFrom(start, name);
      this.resolutions.set(key, res);
    }
    return res;
  }

  private resolveFrom(start: PyNode, name: string): NameResolution {
    let scope: PyNode | null = start;
    while (scope) {
      const skipClass = scope.type === 'class_definition' && scope.id !== start.id;
      if (!skipClass) {
        const sites = this.sitesIn(scope, name);
        if (sites.some((s) => s.kind === 'global') && scope.type !== 'module') {
          return this.resolveIn(this.file.root, name);
        }
        const real = sites.filter((s) => s.kind !== 'global' && s.kind !== 'nonlocal');
        if (real.length > 0) return this.classify(scope, real);
      }
      if (scope.type === 'module') break;
      scope = this.scopeOf(scope);
    }
    return { kind: 'unbound' };
  }

  private resolveIn(scope: PyNode, name: string): NameResolution {
    const sites = this.sitesIn(scope, name).filter((s) => s.kind !== 'global');
    return sites.length ? this.classify(scope, sites) : { kind: 'unbound' };
  }

  private classify(scope: PyNode, sites: BindingSite[]): NameResolution {
    if (sites.every((s) => s.kind === 'import')) {
      return { kind: 'import', imports: sites.map((s) => s.import!), scope };
    }
    return { kind: 'local', sites, scope };
  }

  /**
   * Qualified names an expression may denote: an identifier or an attribute chain of identifiers
   * whose root is bound by an import. `[]` for locals, calls, subscripts and unbound names.
   */
  qualifiedNames(node: PyNode): string[] {
    const parts: string[] = [];
    let cur: PyNode | null = node;
    while (cur && cur.type === 'attribute') {
      const attr = cur.childForFieldName('attribute');
      if (!attr) return [];
      parts.unshift(attr.text);
      cur = cur.childForFieldName('object');
    }
    if (!cur || cur.type !== 'identifier') return [];
    // Only an import binding gives a qualified name: a name no import binds has none, wherever it is.
    if (!this.importedLocals.has(cur.text)) return [];
    const res = this.resolve(cur.text, cur);
    if (res.kind !== 'import') return [];
    const tail = parts.length ? `.${parts.join('.')}` : '';
    const out = new Set<string>();
    for (const b of res.imports) out.add(b.target + tail);
    return [...out];
  }

  /** The single qualified name of an expression, or undefined when none or ambiguous. */
  qualifiedName(node: PyNode): string | undefined {
    const names = this.qualifiedNames(node);
    return names.length === 1 ? names[0] : undefined;
  }

  /**
   * Every expression in the module whose qualified name is `prefix` or starts with `prefix.`,
   * reached through an import binding: `session.XenAPISession` for prefix
   * `nova.virt.xenapi.client`. Returns the longest attribute chain for each use.
   */
  referencesTo(prefix: string): NameReference[] {
    const out: NameReference[] = [];
    const candidates = this.imports.filter(
      (b) => b.target === prefix || b.target.startsWith(`${prefix}.`) || prefix.startsWith(`${b.target}.`),
    );
    const byLocal = new Map<string, ImportBinding[]>();
    for (const b of candidates) byLocal.set(b.local, [...(byLocal.get(b.local) ?? []), b]);
    if (byLocal.size === 0) return out;
    const seen = new Set<number>();
    for (const [local, bindings] of byLocal) {
      const scopes = new Map<number, PyNode>();
      for (const b of bindings) scopes.set(b.scope.id, b.scope);
      for (const scope of scopes.values()) {
        // Candidates come from the text (whole-word hits) and the tree is asked only for the node
        // at each hit: no JS object for every identifier of a large module.
        for (const at of wordOccurrences(this.file.text, local, scope.startIndex, scope.endIndex)) {
          const id = identifierAt(this.file.root, at, local.length);
          if (!id || seen.has(id.id) || !isReference(id)) continue;
          seen.add(id.id);
          const res = this.resolve(local, id);
          if (res.kind !== 'import') continue;
          // Extend to the longest attribute chain rooted here.
          let top = id;
          const parts: string[] = [];
          while (top.parent?.type === 'attribute' && top.parent.childForFieldName('object')?.id === top.id) {
            const attr = top.parent.childForFieldName('attribute');
            if (!attr) break;
            parts.push(attr.text);
            top = top.parent;
          }
          for (const b of res.imports) {
            const qn = parts.length ? `${b.target}.${parts.join('.')}` : b.target;
            if (qn === prefix || qn.startsWith(`${prefix}.`))
              out.push({ node: top, root: id, qualifiedName: qn, binding: b });
          }
        }
      }
    }
    return out.sort((a, b) => a.node.startIndex - b.node.startIndex);
  }
}

const IDENT_CHAR = /[\p{L}\p{N}_\p{Mn}\p{Mc}\p{Pc}]/u;

function isIdentChar(ch: string | undefined): boolean {
  return ch !== undefined && IDENT_CHAR.test(ch);
}

/** Start indices of `word` in `text[from, to)` standing as a whole identifier. */
export function wordOccurrences(text: string, word: string, from = 0, to = text.length): number[] {
  const out: number[] = [];
  if (!word) return out;
  for (let i = text.indexOf(word, from); i !== -1 && i + word.length <= to; i = text.indexOf(word, i + 1)) {
    if (isIdentChar(text[i - 1]) || isIdentChar(text[i + word.length])) continue;
    out.push(i);
  }
  return out;
}

/** The identifier node spanning exactly `[start, start + length)`, if the tree has one there. */
export function identifierAt(root: PyNode, start: number, length: number): PyNode | undefined {
  const node = root.descendantForIndex(start, start + length);
  return node && node.type === 'identifier' && node.startIndex === start && node.endIndex === start + length
    ? node
    : undefined;
}

/** Identifiers with a given text inside a node. */
export function identifiersNamed(scope: PyNode, name: string): PyNode[] {
  return scope.descendantsOfType('identifier').filter((n): n is PyNode => !!n && n.text === name);
}

/**
 * True when an identifier is a name reference: not an attribute name (`x.NAME`), not a keyword
 * argument name, not a def/class/parameter name, not part of an import statement.
 */
export function isReference(id: PyNode): boolean {
  const p = id.parent;
  if (!p) return false;
  switch (p.type) {
    case 'attribute':
      return p.childForFieldName('object')?.id === id.id;
    case 'keyword_argument':
      return p.childForFieldName('name')?.id !== id.id;
    case 'function_definition':
    case 'class_definition':
      return p.childForFieldName('name')?.id !== id.id;
    case 'dotted_name':
    case 'aliased_import':
    case 'import_statement':
    case 'import_from_statement':
      return false;
    case 'parameters':
    case 'lambda_parameters':
    case 'default_parameter':
    case 'typed_parameter':
    case 'typed_default_parameter':
      return p.type === 'default_parameter' || p.type === 'typed_default_parameter'
        ? p.childForFieldName('name')?.id !== id.id
        : false;
    default:
      return true;
  }
}

export function collectBindings(file: PyFile): ModuleBindings {
  return new ModuleBindings(file);
}
