/**
 * The public API of one Python module, read from its tree: top-level functions, classes (bases,
 * `__init__` signature, methods, class attributes) and constants, with structured signatures; and,
 * for functions that call a dom0 plugin through `session.call_plugin*`, which plugin entry point
 * they call and where each of their parameters goes (positional / keyword argument, args-dict key,
 * network_config subcommand). Used by the os-xenapi index generator; works on any module.
 */
import { captures, type PyNode } from '../python/parser.js';
import type { PyFile } from '../python/source-file.js';
import { callArguments, calleeName, literalDict, literalString } from '../python/syntax-helpers.js';

export type ParamKind = 'positional' | 'keyword-only' | 'var-positional' | 'var-keyword';

export interface ParamInfo {
  name: string;
  kind: ParamKind;
  /** Default value as written (whitespace collapsed); absent when required. */
  default?: string;
}

export type SymbolKind = 'function' | 'class' | 'method' | 'constant' | 'attribute';

export interface SymbolInfo {
  /** `XenAPISession` or `XenAPISession.call_plugin`. */
  name: string;
  kind: SymbolKind;
  /** `call_plugin(plugin, fn, args)`; `class Failure(Exception); __init__(details)`; `DOMAIN = 'os-xenapi'`. */
  signature: string;
  /** Parameters (without self/cls for methods; the `__init__` ones for classes). */
  params?: ParamInfo[];
  bases?: string[];
  decorators?: string[];
  /** Name starts with `_` (kept for methods: tests mock private methods). */
  private?: boolean;
}

export type PluginMethod = 'call_plugin' | 'call_plugin_serialized' | 'call_plugin_serialized_with_retry';

export interface WrapperArgument {
  /** The wrapper's parameter. */
  param: string;
  /** Where its value goes in the plugin call. */
  via: 'arg' | 'kwarg' | 'key' | 'retry';
  /** `arg`: index among the plugin's positional arguments (after plugin, fn and the retry arguments). */
  index?: number;
  /** `kwarg`: keyword name; `retry`: num_retries / callback / retry_cb. */
  name?: string;
  /** `key`: key of the args dict (for network_config: of the inner 'args' dict). */
  key?: string;
  /** The value expression as written (`str(vdi_size)`, `'True' if ignore_missing_path else 'False'`). */
  expression: string;
  /** The key is only set under a condition (`if image_id: args['cached-image'] = image_id`). */
  conditional?: boolean;
}

export interface PluginWrapper {
  /** The wrapper function's name in its module. */
  function: string;
  plugin: string;
  pluginFunction: string;
  method: PluginMethod;
  /** network_config's `{'cmd': C, ...}`. */
  subcommand?: string;
  /** The wrapper returns the plugin call's result. */
  returnsResult: boolean;
  arguments: WrapperArgument[];
}

export interface ModuleApi {
  symbols: SymbolInfo[];
  wrappers: PluginWrapper[];
}

const PLUGIN_METHODS = new Set<string>([
  'call_plugin',
  'call_plugin_serialized',
  'call_plugin_serialized_with_retry',
]);
const RETRY_PARAMS = ['num_retries', 'callback', 'retry_cb'] as const;

function squash(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function readParameters(fn: PyNode): ParamInfo[] {
  const params = fn.childForFieldName('parameters');
  if (!params) return [];
  const out: ParamInfo[] = [];
  let keywordOnly = false;
  for (const p of params.namedChildren) {
    if (!p) continue;
    switch (p.type) {
      case 'identifier':
        out.push({ name: p.text, kind: keywordOnly ? 'keyword-only' : 'positional' });
        break;
      case 'typed_parameter': {
        const inner = p.namedChildren[0];
        if (inner?.type === 'list_splat_pattern') {
          out.push({ name: inner.namedChildren[0]?.text ?? '', kind: 'var-positional' });
          keywordOnly = true;
        } else if (inner?.type === 'dictionary_splat_pattern') {
          out.push({ name: inner.namedChildren[0]?.text ?? '', kind: 'var-keyword' });
        } else if (inner) out.push({ name: inner.text, kind: keywordOnly ? 'keyword-only' : 'positional' });
        break;
      }
      case 'default_parameter':
      case 'typed_default_parameter':
        out.push({
          name: p.childForFieldName('name')?.text ?? '',
          kind: keywordOnly ? 'keyword-only' : 'positional',
          default: squash(p.childForFieldName('value')?.text ?? ''),
        });
        break;
      case 'list_splat_pattern':
        out.push({ name: p.namedChildren[0]?.text ?? '', kind: 'var-positional' });
        keywordOnly = true;
        break;
      case 'dictionary_splat_pattern':
        out.push({ name: p.namedChildren[0]?.text ?? '', kind: 'var-keyword' });
        break;
      case 'keyword_separator':
        keywordOnly = true;
        break;
      default:
        break;
    }
  }
  return out;
}

export function formatParams(params: readonly ParamInfo[]): string {
  const parts: string[] = [];
  let starDone = false;
  for (const p of params) {
    if (p.kind === 'keyword-only' && !starDone) {
      parts.push('*');
      starDone = true;
    }
    if (p.kind === 'var-positional') {
      parts.push(`*${p.name}`);
      starDone = true;
    } else if (p.kind === 'var-keyword') parts.push(`**${p.name}`);
    else parts.push(p.default !== undefined ? `${p.name}=${p.default}` : p.name);
  }
  return parts.join(', ');
}

function decoratorsOf(def: PyNode): string[] {
  const parent = def.parent;
  if (parent?.type !== 'decorated_definition') return [];
  return parent.namedChildren
    .filter((c): c is PyNode => c?.type === 'decorator')
    .map((d) => squash(d.text.replace(/^@/, '')));
}

/** The definitions directly in a block: (decorated) functions, classes, assignments. */
function* definitionsIn(block: PyNode): Generator<PyNode> {
  for (const c of block.namedChildren) {
    if (!c) continue;
    if (c.type === 'decorated_definition') {
      const d = c.childForFieldName('definition');
      if (d) yield d;
    } else yield c;
  }
}

function assignmentOf(stmt: PyNode): { name: string; value: PyNode } | undefined {
  if (stmt.type !== 'expression_statement') return undefined;
  const a = stmt.namedChildren[0];
  if (a?.type !== 'assignment') return undefined;
  const left = a.childForFieldName('left');
  const right = a.childForFieldName('right');
  if (left?.type !== 'identifier' || !right) return undefined;
  return { name: left.text, value: right };
}

function clip(text: string, max = 160): string {
  const s = squash(text);
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/** Reads the module's symbols and plugin wrappers. */
export function readModuleApi(file: PyFile): ModuleApi {
  const symbols: SymbolInfo[] = [];
  const wrappers: PluginWrapper[] = [];
  const seen = new Set<string>();
  const add = (s: SymbolInfo) => {
    // A later definition of the same name replaces the earlier (as Python does at import time).
    if (seen.has(s.name)) {
      const i = symbols.findIndex((x) => x.name === s.name);
      symbols.splice(i, 1);
    }
    seen.add(s.name);
    symbols.push(s);
  };
  for (const def of definitionsIn(file.root)) {
    if (def.type === 'function_definition') {
      const name = def.childForFieldName('name')?.text ?? '';
      const params = readParameters(def);
      const decorators = decoratorsOf(def);
      if (!name.startsWith('_')) {
        add({
          name,
          kind: 'function',
          signature: `${name}(${formatParams(params)})`,
          params,
          ...(decorators.length ? { decorators } : {}),
        });
      }
      const w = readWrapper(file, def, name, params);
      if (w) wrappers.push(w);
    } else if (def.type === 'class_definition') {
      const name = def.childForFieldName('name')?.text ?? '';
      if (name.startsWith('_')) continue;
      readClass(def, name, add);
    } else {
      const a = assignmentOf(def);
      if (a && !a.name.startsWith('_')) {
        add({ name: a.name, kind: 'constant', signature: `${a.name} = ${clip(a.value.text)}` });
      }
    }
  }
  return { symbols, wrappers };
}

function readClass(def: PyNode, name: string, add: (s: SymbolInfo) => void): void {
  const superclasses = def.childForFieldName('superclasses');
  const bases = superclasses
    ? superclasses.namedChildren
        .filter((c): c is PyNode => !!c && c.type !== 'comment')
        .map((c) => squash(c.text))
    : [];
  const body = def.childForFieldName('body');
  let initParams: ParamInfo[] | undefined;
  const members: SymbolInfo[] = [];
  if (body) {
    for (const m of definitionsIn(body)) {
      if (m.type === 'function_definition') {
        const mname = m.childForFieldName('name')?.text ?? '';
        const decorators = decoratorsOf(m);
        const all = readParameters(m);
        const isStatic = decorators.includes('staticmethod');
        const params = isStatic ? all : all.slice(1);
        if (mname === '__init__') {
          initParams = params;
          continue;
        }
        if (mname.startsWith('__') && mname.endsWith('__')) continue;
        members.push({
          name: `${name}.${mname}`,
          kind: 'method',
          signature: `${mname}(${formatParams(params)})`,
          params,
          ...(decorators.length ? { decorators } : {}),
          ...(mname.startsWith('_') ? { private: true } : {}),
        });
      } else {
        const a = assignmentOf(m);
        if (a && !a.name.startsWith('_')) {
          members.push({
            name: `${name}.${a.name}`,
            kind: 'attribute',
            signature: `${a.name} = ${clip(a.value.text)}`,
          });
        }
      }
    }
  }
  const head = `class ${name}${bases.length ? `(${bases.join(', ')})` : ''}`;
  add({
    name,
    kind: 'class',
    signature: initParams ? `${head}; __init__(${formatParams(initParams)})` : head,
    ...(initParams ? { params: initParams } : {}),
    bases,
  });
  for (const m of members) add(m);
}

const CALL_QUERY = '(call function: (attribute attribute: (identifier) @method)) @call';

interface ValueSite {
  value: PyNode;
  conditional: boolean;
}

/** `args = {...}` plus `args['k'] = v` assignments of a local dict in a function body. */
function localDict(fn: PyNode, name: string): Map<string, ValueSite> | undefined {
  const body = fn.childForFieldName('body');
  if (!body) return undefined;
  let found: Map<string, ValueSite> | undefined;
  for (const a of body.descendantsOfType('assignment')) {
    if (!a) continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || !right) continue;
    if (left.type === 'identifier' && left.text === name) {
      const entries = literalDict(right);
      if (!entries) return undefined;
      found = new Map(entries.map((e) => [e.key, { value: e.value, conditional: false }]));
    } else if (left.type === 'subscript' && found) {
      const obj = left.childForFieldName('value');
      const key = literalString(left.childForFieldName('subscript'));
      if (obj?.text === name && key !== undefined) {
        found.set(key, { value: right, conditional: isConditional(a, body) });
      }
    }
  }
  return found;
}

function isConditional(node: PyNode, body: PyNode): boolean {
  for (let cur = node.parent; cur && cur.id !== body.id; cur = cur.parent) {
    if (cur.type === 'if_statement' || cur.type === 'for_statement' || cur.type === 'while_statement')
      return true;
  }
  return false;
}

/** The parameter a value expression carries: `p`, `str(p)`, `'True' if p else 'False'`. */
function paramOf(value: PyNode, params: Set<string>): string | undefined {
  if (value.type === 'identifier') return params.has(value.text) ? value.text : undefined;
  if (value.type === 'call' && value.childForFieldName('function')?.text === 'str') {
    const args = callArguments(value);
    if (args?.positional.length === 1) return paramOf(args.positional[0]!, params);
  }
  if (value.type === 'conditional_expression') {
    const cond = value.namedChildren[1];
    if (cond) return paramOf(cond, params);
  }
  return undefined;
}

function dictEntries(value: PyNode, fn: PyNode): Map<string, ValueSite> | undefined {
  const lit = literalDict(value);
  if (lit) return new Map(lit.map((e) => [e.key, { value: e.value, conditional: false }]));
  if (value.type === 'identifier') return localDict(fn, value.text);
  return undefined;
}

function returnsCall(call: PyNode, fn: PyNode): boolean {
  let cur: PyNode | null = call.parent;
  while (cur && (cur.type === 'parenthesized_expression' || cur.type === 'expression_list')) cur = cur.parent;
  if (cur?.type === 'return_statement') return true;
  if (cur?.type === 'assignment') {
    const left = cur.childForFieldName('left');
    if (left?.type === 'identifier') {
      const body = fn.childForFieldName('body');
      return (body?.descendantsOfType('return_statement') ?? []).some(
        (r) => !!r && r.namedChildren[0]?.type === 'identifier' && r.namedChildren[0]?.text === left.text,
      );
    }
  }
  return false;
}

function readWrapper(file: PyFile, fn: PyNode, name: string, params: ParamInfo[]): PluginWrapper | undefined {
  const body = fn.childForFieldName('body');
  if (!body) return undefined;
  const names = new Set(params.map((p) => p.name));
  for (const cap of captures(CALL_QUERY, body)) {
    if (cap.name !== 'call') continue;
    const call = cap.node;
    const method = calleeName(call);
    if (!method || !PLUGIN_METHODS.has(method)) continue;
    const args = callArguments(call);
    if (!args) continue;
    const plugin = literalString(args.positional[0]);
    const pluginFunction = literalString(args.positional[1]);
    if (plugin === undefined || pluginFunction === undefined) continue;
    const out: WrapperArgument[] = [];
    let subcommand: string | undefined;
    let rest = args.positional.slice(2);
    if (method === 'call_plugin_serialized_with_retry') {
      RETRY_PARAMS.forEach((r, i) => {
        const v = rest[i] ?? args.keywords.get(r);
        const p = v ? paramOf(v, names) : undefined;
        if (v && p) out.push({ param: p, via: 'retry', name: r, expression: squash(v.text) });
      });
      rest = rest.slice(RETRY_PARAMS.length);
    }
    const addDict = (entries: Map<string, ValueSite>) => {
      for (const [key, site] of entries) {
        const p = paramOf(site.value, names);
        if (p)
          out.push({
            param: p,
            via: 'key',
            key,
            expression: squash(site.value.text),
            ...(site.conditional ? { conditional: true } : {}),
          });
      }
    };
    if (method === 'call_plugin') {
      const dictArg = rest[0] ?? args.keywords.get('args');
      const entries = dictArg ? dictEntries(dictArg, fn) : undefined;
      if (entries) addDict(entries);
    } else {
      rest.forEach((v, index) => {
        const entries = dictEntries(v, fn);
        const cmd = entries?.get('cmd');
        const inner = entries?.get('args');
        const cmdText = cmd ? literalString(cmd.value) : undefined;
        if (cmdText !== undefined && inner) {
          subcommand = cmdText;
          const innerEntries = dictEntries(inner.value, fn);
          if (innerEntries) addDict(innerEntries);
          return;
        }
        const p = paramOf(v, names);
        if (p) out.push({ param: p, via: 'arg', index, expression: squash(v.text) });
      });
      for (const [kw, v] of args.keywords) {
        if (
          method === 'call_plugin_serialized_with_retry' &&
          (RETRY_PARAMS as readonly string[]).includes(kw)
        )
          continue;
        const p = paramOf(v, names);
        if (p) out.push({ param: p, via: 'kwarg', name: kw, expression: squash(v.text) });
      }
      for (const splat of args.starKwargs) {
        const inner = splat.namedChildren[0];
        const entries = inner ? dictEntries(inner, fn) : undefined;
        if (!entries) continue;
        for (const [key, site] of entries) {
          const p = paramOf(site.value, names);
          if (p) out.push({ param: p, via: 'kwarg', name: key, expression: squash(site.value.text) });
        }
      }
    }
    void file;
    return {
      function: name,
      plugin,
      pluginFunction,
      method: method as PluginMethod,
      ...(subcommand !== undefined ? { subcommand } : {}),
      returnsResult: returnsCall(call, fn),
      arguments: out,
    };
  }
  return undefined;
}

// ------------------------------------------------------------------ dom0 plugins

export interface Dom0EntryPoint {
  name: string;
  /** dict: XenAPIPlugin.dispatch; serialized: utils.register_plugin_calls (pickled args). */
  style: 'dict' | 'serialized';
  /** The dom0 function's parameters after `session` (serialized) or `(session, arg_dict)`. */
  params?: ParamInfo[];
}

export interface Dom0Plugin {
  entryPoints: Dom0EntryPoint[];
  /** Keys of a module-level `ALLOWED_NETWORK_CMDS`-style dict (network_config subcommands). */
  subcommands?: string[];
}

const DISPATCH_QUERY = '(call function: (_) @fn arguments: (argument_list) @args) @call';

/** Entry points a dom0 plugin registers (`XenAPIPlugin.dispatch({...})`, `register_plugin_calls(f, ...)`). */
export function readDom0Plugin(file: PyFile): Dom0Plugin {
  const functions = new Map<string, PyNode>();
  for (const def of definitionsIn(file.root)) {
    if (def.type === 'function_definition') functions.set(def.childForFieldName('name')?.text ?? '', def);
  }
  const entries = new Map<string, Dom0EntryPoint>();
  let subcommands: string[] | undefined;
  for (const cap of captures(DISPATCH_QUERY, file.root)) {
    if (cap.name !== 'call') continue;
    const callee = cap.node.childForFieldName('function')?.text ?? '';
    const args = callArguments(cap.node);
    if (!args) continue;
    if (/(^|\.)dispatch$/.test(callee)) {
      for (const e of literalDict(args.positional[0]) ?? []) {
        const fn = e.value.type === 'identifier' ? functions.get(e.value.text) : undefined;
        entries.set(e.key, {
          name: e.key,
          style: 'dict',
          ...(fn ? { params: readParameters(fn).slice(1) } : {}),
        });
      }
    } else if (/(^|\.)register_plugin_calls$/.test(callee)) {
      for (const a of args.positional) {
        if (a.type !== 'identifier') continue;
        const fn = functions.get(a.text);
        entries.set(a.text, {
          name: a.text,
          style: 'serialized',
          ...(fn ? { params: readParameters(fn).slice(1) } : {}),
        });
      }
    }
  }
  for (const stmt of file.root.namedChildren) {
    const a = stmt ? assignmentOf(stmt) : undefined;
    if (a && /^ALLOWED_[A-Z_]*CMDS$/.test(a.name)) {
      const d = literalDict(a.value);
      if (d) subcommands = d.map((e) => e.key).sort();
    }
  }
  return {
    entryPoints: [...entries.values()].sort((x, y) => x.name.localeCompare(y.name)),
    ...(subcommands ? { subcommands } : {}),
  };
}
