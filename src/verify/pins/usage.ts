/**
 * Uses of a library in one Python file, resolved through the file's import bindings: every module,
 * function, class and method of the library the file names (imports, attribute chains, calls with
 * their argument shape, `mock.patch.object(X, 'name')` and `mock.patch('pkg.mod.name')` targets),
 * methods called on instances of the library's classes (receivers named in the configuration or
 * assigned from a constructor call in the file), dom0 plugin calls made through those instances, and
 * imports of legacy modules the library replaced.
 */
import { escapeRegex } from '../../engine/escape-regex.js';
import type { PyNode } from '../../python/parser.js';
import type { PyFile } from '../../python/source-file.js';
import { callArguments, literalDict, literalString } from '../../python/syntax-helpers.js';
import { attributeNamesMatching, referencesByText, stringArgumentsContaining } from './references.js';
import type { CallShape } from './signature-match.js';

export interface Site {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type UseVia = 'import' | 'reference' | 'instance' | 'patch' | 'string';

export interface SymbolUse extends Site {
  via: UseVia;
  /** Qualified name: `os_xenapi.client.session.XenAPISession.http_connection`. */
  name: string;
  /** The use is called (with this argument shape). */
  call?: CallShape;
  /** Called through a class, not an instance (`Cls.method(obj, ...)`): the first argument is self. */
  unbound?: boolean;
  /** Instance uses: the receiver as written, and whether it matched by a configured receiver name. */
  receiver?: string;
  byReceiverName?: boolean;
  /** A dom0 plugin call with literal plugin and function names. */
  plugin?: { plugin: string; function: string; subcommand?: string };
  /** The source text of the use (first line, trimmed). */
  text: string;
}

export interface LegacyUse extends Site {
  module: string;
  text: string;
}

export interface FileUsage {
  relPath: string;
  uses: SymbolUse[];
  legacy: LegacyUse[];
  /** The file imports the library (some import binding targets it). */
  importsLibrary: boolean;
  skipped?: string;
  syntaxErrors: number;
}

export interface UsageOptions {
  importName: string;
  legacyModules: readonly string[];
  /** Method name -> classes (qualified) that have it in some version. */
  instanceMethods: Record<string, string[]>;
  /** Receiver name -> classes (qualified) it holds, from the configuration. */
  receivers: Record<string, string[]>;
  /** Classes whose constructor calls make the assigned name a receiver in this file. */
  trackedClasses: readonly string[];
  pluginCallMethods: readonly string[];
}

const PATCH_OBJECT_CALLEES = new Set(['patch.object', 'mock.patch.object', 'unittest.mock.patch.object']);

function siteOf(file: PyFile, relPath: string, node: PyNode): Site {
  const start = file.position(node.startIndex);
  const end = file.position(node.endIndex);
  return { file: relPath, line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

function snippet(node: PyNode): string {
  const text = node.text;
  const nl = text.indexOf('\n');
  return (nl < 0 ? text : `${text.slice(0, nl)} ...`).trim();
}

function callShape(call: PyNode): CallShape | undefined {
  const args = callArguments(call);
  if (!args) return undefined;
  return {
    positional: args.positional.length,
    keywords: [...args.keywords.keys()],
    starArgs: args.starArgs.length > 0,
    starKwargs: args.starKwargs.length > 0,
  };
}

/** The call whose callee is exactly `node`, if any. */
function calledBy(node: PyNode): PyNode | undefined {
  const p = node.parent;
  return p?.type === 'call' && p.childForFieldName('function')?.id === node.id ? p : undefined;
}

/** The name a receiver expression ends in: `session`, or `_session` for `self._session`. */
function receiverName(node: PyNode): string | undefined {
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text ?? undefined;
  return undefined;
}

/** `mock.patch.object(TARGET, 'name', ...)` with `node` as TARGET: the patched attribute name. */
function patchedAttribute(node: PyNode, file: PyFile): string | undefined {
  const list = node.parent;
  if (list?.type !== 'argument_list') return undefined;
  const call = list.parent;
  if (call?.type !== 'call') return undefined;
  const args = callArguments(call);
  if (!args || args.positional[0]?.id !== node.id) return undefined;
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  const written = fn.text.replace(/\s+/g, '');
  const qualified = file.bindings.qualifiedName(fn);
  if (!PATCH_OBJECT_CALLEES.has(written) && !(qualified && PATCH_OBJECT_CALLEES.has(qualified)))
    return undefined;
  return literalString(args.positional[1]);
}

/** Collects the uses of `options.importName` in a parsed file. */
export function analyzeFile(file: PyFile, relPath: string, options: UsageOptions): FileUsage {
  const { importName } = options;
  const uses: SymbolUse[] = [];
  const legacy: LegacyUse[] = [];
  const bindings = file.bindings;
  const inLibrary = (name: string) => name === importName || name.startsWith(`${importName}.`);
  let importsLibrary = false;

  for (const b of bindings.imports) {
    const name = b.form === 'import' ? b.module : b.target;
    if (inLibrary(name) || inLibrary(b.target)) {
      importsLibrary = true;
      uses.push({ ...siteOf(file, relPath, b.nameNode), via: 'import', name, text: snippet(b.statement) });
    }
    const legacyHit = options.legacyModules.find(
      (m) => b.module === m || b.module.startsWith(`${m}.`) || b.target === m || b.target.startsWith(`${m}.`),
    );
    if (legacyHit) {
      legacy.push({ ...siteOf(file, relPath, b.nameNode), module: b.target, text: snippet(b.statement) });
    }
  }

  // Receivers: configured names, plus names assigned from a tracked constructor in this file.
  const localReceivers = new Map<string, Set<string>>();
  const tracked = new Set(options.trackedClasses);

  if (importsLibrary) {
    for (const ref of referencesByText(file, importName)) {
      const call = calledBy(ref.node);
      let name = ref.qualifiedName;
      let via: UseVia = 'reference';
      const patched = call ? undefined : patchedAttribute(ref.node, file);
      if (patched) {
        name = `${name}.${patched}`;
        via = 'patch';
      }
      const use: SymbolUse = {
        ...siteOf(file, relPath, ref.node),
        via,
        name,
        text: snippet(call ?? ref.node),
      };
      if (call) {
        const shape = callShape(call);
        if (shape) use.call = shape;
        if (tracked.has(name) && call.parent?.type === 'assignment') {
          const left = call.parent.childForFieldName('left');
          const target =
            left && call.parent.childForFieldName('right')?.id === call.id ? receiverName(left) : undefined;
          if (target) {
            const set = localReceivers.get(target) ?? new Set<string>();
            set.add(name);
            localReceivers.set(target, set);
          }
        }
      }
      uses.push(use);
    }
  }

  // String targets: mock.patch('os_xenapi.client.session.XenAPISession._get_host_ref').
  if (file.text.includes(`${importName}.`)) {
    for (const node of stringArgumentsContaining(file, importName)) {
      const value = literalString(node);
      if (!value || !inLibrary(value) || !/^[A-Za-z_][\w.]*$/.test(value)) continue;
      uses.push({
        ...siteOf(file, relPath, node),
        via: 'string',
        name: value,
        text: snippet(node.parent!.parent!),
      });
    }
  }

  // Instance methods.
  const methodNames = Object.keys(options.instanceMethods).sort();
  if (methodNames.length) {
    const re = new RegExp(`\\.\\s*(?:${methodNames.map(escapeRegex).join('|')})\\b`);
    if (re.test(file.text)) {
      for (const attrName of attributeNamesMatching(file, methodNames)) {
        const attr = attrName.parent!;
        const receiver = attr.childForFieldName('object');
        if (!receiver) continue;
        const rname = receiverName(receiver);
        if (!rname) continue;
        // A receiver bound by an import is a module or class: handled as a reference above.
        const root = receiver.type === 'identifier' ? receiver : undefined;
        if (root && bindings.mayBeImported(root.text) && bindings.resolve(root.text, root).kind === 'import')
          continue;
        if (receiver.type === 'attribute' && bindings.qualifiedName(receiver) !== undefined) continue;
        const method = attrName.text;
        const classes = options.instanceMethods[method] ?? [];
        const local = localReceivers.get(rname);
        const configured = options.receivers[rname];
        const cls = classes.find((c) => local?.has(c)) ?? classes.find((c) => configured?.includes(c));
        if (!cls) continue;
        const call = calledBy(attr);
        const use: SymbolUse = {
          ...siteOf(file, relPath, attr),
          via: 'instance',
          name: `${cls}.${method}`,
          receiver: receiver.text,
          byReceiverName: !local?.has(cls),
          text: snippet(call ?? attr),
        };
        if (call) {
          const shape = callShape(call);
          if (shape) use.call = shape;
          if (options.pluginCallMethods.includes(method)) {
            const plugin = pluginCall(call);
            if (plugin) use.plugin = plugin;
          }
        }
        uses.push(use);
      }
    }
  }

  return { relPath, uses, legacy, importsLibrary, syntaxErrors: file.syntaxIssues().length };
}

/** `S.call_plugin('xenhost.py', 'network_config', {'cmd': 'ovs_add_port', ...})`: literal names. */
function pluginCall(call: PyNode): SymbolUse['plugin'] | undefined {
  const args = callArguments(call);
  if (!args) return undefined;
  const plugin = literalString(args.positional[0] ?? args.keywords.get('plugin'));
  const fn = literalString(args.positional[1] ?? args.keywords.get('fn'));
  if (!plugin || !fn) return undefined;
  const out: NonNullable<SymbolUse['plugin']> = {
    plugin: plugin.endsWith('.py') ? plugin : `${plugin}.py`,
    function: fn,
  };
  for (const value of [...args.positional.slice(2), ...args.keywords.values()]) {
    const cmd = literalDict(value)?.find((e) => e.key === 'cmd');
    const sub = cmd ? literalString(cmd.value) : undefined;
    if (sub) {
      out.subcommand = sub;
      break;
    }
  }
  return out;
}

/** Whether a file's text could hold any use (cheap pre-filter before parsing). */
export function mayUse(text: string, options: UsageOptions): boolean {
  if (text.includes(options.importName)) return true;
  if (options.legacyModules.some((m) => text.includes(m) || text.includes(m.slice(0, m.lastIndexOf('.'))))) {
    // `from nova.virt.xenapi import client` spells the parent module.
    return true;
  }
  const names = Object.keys(options.instanceMethods);
  return names.some((m) => text.includes(`.${m}`));
}
