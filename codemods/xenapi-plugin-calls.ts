/**
 * xenapi-plugin-calls: `S.call_plugin('plugin', 'fn', {...})`, `S.call_plugin_serialized(...)` and
 * `S.call_plugin_serialized_with_retry(...)` with literal names become the os_xenapi python
 * function that wraps the entry point (`host_network.fetch_all_bandwidth(S)`), with the argument
 * mapping of rules/xenapi-plugin-calls.yaml; `from os_xenapi.client import <module>` is added in
 * hacking order. Computed names, arguments that cannot be mapped, entry points with no python
 * function and calls whose result the wrapper would drop are reported, never guessed. The summary
 * notes the minimum os-xenapi version the rewritten file needs.
 */

import { methodCalls } from '../src/codemod/method-calls.js';
import type { CodemodApi, CodemodFile, CodemodMeta } from '../src/codemod/types.js';
import type { PyNode } from '../src/python/parser.js';
import type { PyFile } from '../src/python/source-file.js';
import { callArguments, enclosingClass, literalDict, literalString } from '../src/python/syntax-helpers.js';
import type { TextEdit } from '../src/python/text-edits.js';
import {
  applyWithImports,
  asReceiver,
  columnOf,
  expressionFor,
  formatCall,
  hangingIndentFor,
  maxVersion,
  nameAvailable,
  resultUsed,
  siteOf,
  type WantedImport,
} from '../src/xenapi/codemod-support.js';
import {
  loadPluginCallTable,
  PLUGIN_CALL_METHODS,
  type PluginCallEntry,
  type PluginCallTable,
  type PluginParam,
} from '../src/xenapi/rule-tables.js';

export const meta: CodemodMeta = {
  name: 'xenapi-plugin-calls',
  description:
    'dom0 plugin calls (session.call_plugin*) -> the os_xenapi.client python functions that wrap them',
  fixes: ['dom0-plugin-call'],
};

const METHODS = new Set(PLUGIN_CALL_METHODS);
const STYLE_OF: Record<string, PluginCallEntry['style']> = {
  call_plugin: 'dict',
  call_plugin_serialized: 'serialized',
  call_plugin_serialized_with_retry: 'serialized-with-retry',
};
const RETRY = ['num_retries', 'callback', 'retry_cb'] as const;

class Unmappable extends Error {}

/** Values of the plugin call, keyed by python parameter name; throws Unmappable with the reason. */
function mapArguments(entry: PluginCallEntry, call: PyNode, file: PyFile): Map<string, string> {
  const py = entry.python!;
  const args = callArguments(call);
  if (!args) throw new Unmappable('the call has a generator argument');
  if (args.starArgs.length || args.starKwargs.length) {
    throw new Unmappable('the call passes *args/**kwargs, so its arguments cannot be mapped statically');
  }
  const values = new Map<string, string>();
  const rest = args.positional.slice(2);
  const text = (n: PyNode) => file.slice(n);
  if (entry.style === 'dict' || entry.subcommand) {
    let dictNode: PyNode | undefined;
    if (entry.subcommand) {
      const outer = literalDict(rest[0] ?? args.keywords.get('args'));
      const inner = outer?.find((e) => e.key === 'args');
      if (!outer || outer.some((e) => e.key !== 'cmd' && e.key !== 'args')) {
        throw new Unmappable("network_config's argument is not a literal {'cmd': ..., 'args': {...}}");
      }
      dictNode = inner?.value;
      if (!dictNode) throw new Unmappable("network_config's argument has no 'args' dict");
    } else {
      dictNode = rest[0] ?? args.keywords.get('args');
      if (rest.length > 1) throw new Unmappable('call_plugin takes one args dict');
      if (!dictNode) {
        if (py.params.some((p) => !p.optional)) throw new Unmappable('no args dict');
        return values;
      }
    }
    const entries = literalDict(dictNode);
    if (!entries) {
      throw new Unmappable(
        `the args dict is not a literal at the call (${dictNode.type === 'identifier' ? `variable '${dictNode.text}'` : dictNode.type}); its keys cannot be mapped`,
      );
    }
    for (const e of entries) {
      const p = py.params.find((x) => x.key === e.key);
      if (!p) throw new Unmappable(`key '${e.key}' has no parameter in ${py.function}()`);
      values.set(p.name, convert(p, e.value, file));
    }
  } else {
    const dom0 = entry.dom0Params ?? [];
    let positional = rest;
    if (entry.style === 'serialized-with-retry') {
      RETRY.forEach((r, i) => {
        const v = rest[i] ?? args.keywords.get(r);
        if (v) values.set(paramFor(py.params, { retry: r })!.name, text(v));
      });
      positional = rest.slice(RETRY.length);
    }
    if (positional.length > dom0.length)
      throw new Unmappable(`more positional arguments than ${entry.function}() takes`);
    const bound = new Map<string, PyNode>();
    positional.forEach((v, i) => {
      bound.set(dom0[i]!, v);
    });
    for (const [k, v] of args.keywords) {
      if (entry.style === 'serialized-with-retry' && (RETRY as readonly string[]).includes(k)) continue;
      if (!dom0.includes(k))
        throw new Unmappable(`keyword '${k}' is not a parameter of ${entry.plugin} ${entry.function}()`);
      if (bound.has(k)) throw new Unmappable(`'${k}' is passed twice`);
      bound.set(k, v);
    }
    for (const [k, v] of bound) {
      if (py.unmappedArgs?.includes(k)) {
        throw new Unmappable(`${py.function}() never sends '${k}' (the retry callback must supply it)`);
      }
      const p = paramFor(py.params, { arg: k });
      if (!p) throw new Unmappable(`'${k}' has no parameter in ${py.function}()`);
      values.set(p.name, text(v));
    }
  }
  for (const p of py.params) {
    if (values.has(p.name) || p.optional) continue;
    if (p.retry === 'retry_cb') {
      values.set(p.name, 'None');
      continue;
    }
    throw new Unmappable(
      `the call does not pass ${p.key ? `key '${p.key}'` : `'${p.arg ?? p.name}'`}, which ${py.function}() requires`,
    );
  }
  return values;
}

function paramFor(
  params: readonly PluginParam[],
  by: { arg?: string; retry?: string },
): PluginParam | undefined {
  return params.find((p) => (by.arg ? p.arg === by.arg : p.retry === by.retry));
}

function convert(p: PluginParam, value: PyNode, file: PyFile): string {
  if (p.convert === 'bool-string') {
    const s = literalString(value);
    if (s === 'True') return 'True';
    if (s === 'False') return 'False';
    throw new Unmappable(`'${p.key}' must be the literal 'True' or 'False' to become the bool ${p.name}`);
  }
  return file.slice(value);
}

export default function transform(file: CodemodFile, api: CodemodApi): string | undefined {
  if (!file.source.includes('call_plugin')) return undefined;
  const parsed = api.parse();
  const table: PluginCallTable = loadPluginCallTable();
  const edits: TextEdit[] = [];
  const imports: WantedImport[] = [];
  let minVersion: string | undefined;
  for (const call of methodCalls(parsed, METHODS)) {
    const fn = call.childForFieldName('function')!;
    const method = fn.childForFieldName('attribute')?.text ?? '';
    if (!METHODS.has(method)) continue;
    // The session classes themselves (they define call_plugin*) are not call sites to migrate.
    const cls = enclosingClass(call);
    if (cls && cls.childForFieldName('body')?.namedChildren.some((d) => isMethodDef(d, METHODS))) continue;
    const site = siteOf(parsed, call);
    if (parsed.touchesErrorRegion(call.startIndex, call.endIndex)) {
      api.manual({ ...site, reason: 'plugin call in a region with syntax errors', kind: 'plugin-call' });
      continue;
    }
    if (isMoxRecording(call, fn, method)) {
      api.manual({
        ...site,
        reason: `a mox expectation on ${method} (StubOutWithMock): the test has to stub the os_xenapi function instead`,
        kind: 'mock-expectation',
      });
      continue;
    }
    const args = callArguments(call);
    const pluginNode = args?.positional[0] ?? args?.keywords.get('plugin');
    const fnNode = args?.positional[1] ?? args?.keywords.get('fn');
    const plugin = literalString(pluginNode);
    const pluginFn = literalString(fnNode);
    if (plugin === undefined || pluginFn === undefined) {
      api.manual({
        ...site,
        reason: `${method}: the ${plugin === undefined ? 'plugin' : 'function'} name is computed (${(plugin === undefined ? pluginNode : fnNode)?.text ?? 'missing'}), so the python function cannot be chosen`,
        kind: 'plugin-call',
      });
      continue;
    }
    let subcommand: string | undefined;
    if (table.hasSubcommands(plugin, pluginFn)) {
      const outer = literalDict(args?.positional[2] ?? args?.keywords.get('args'));
      subcommand = literalString(outer?.find((e) => e.key === 'cmd')?.value);
      if (subcommand === undefined) {
        api.manual({
          ...site,
          reason: `${plugin} ${pluginFn}: the 'cmd' subcommand is not a literal`,
          kind: 'plugin-call',
        });
        continue;
      }
    }
    const entry = table.lookup(plugin, pluginFn, subcommand);
    const label = `${plugin} ${pluginFn}${subcommand ? ` ${subcommand}` : ''}`;
    if (!entry) {
      api.manual({
        ...site,
        reason: `${label} is not in rules/xenapi-plugin-calls.yaml`,
        kind: 'plugin-call',
      });
      continue;
    }
    if (!entry.python) {
      api.manual({
        ...site,
        reason: `${label}: ${entry.reason ?? 'no python function in os-xenapi'}`,
        kind: 'plugin-call-no-equivalent',
      });
      continue;
    }
    const py = entry.python;
    if (STYLE_OF[method] !== entry.style) {
      api.manual({
        ...site,
        reason: `${label} is a ${entry.style} entry point but is called with ${method}`,
        kind: 'plugin-call',
      });
      continue;
    }
    if (!py.returnsResult && resultUsed(call)) {
      api.manual({
        ...site,
        reason: `os_xenapi ${py.module.split('.').pop()}.${py.function}() does not return the plugin's result, but this call uses it`,
        kind: 'plugin-call-result',
      });
      continue;
    }
    let values: Map<string, string>;
    try {
      values = mapArguments(entry, call, parsed);
    } catch (err) {
      if (!(err instanceof Unmappable)) throw err;
      api.manual({ ...site, reason: `${label}: ${err.message}`, kind: 'plugin-call-arguments' });
      continue;
    }
    const modName = py.module.slice(py.module.lastIndexOf('.') + 1);
    const parent = py.module.slice(0, py.module.lastIndexOf('.'));
    let local = expressionFor(parsed, py.module, call);
    if (!local) {
      if (!nameAvailable(parsed, modName, [call], py.module)) {
        api.manual({
          ...site,
          reason: `${label}: the name '${modName}' is taken here, so ${py.module} cannot be imported under it`,
          kind: 'plugin-call',
        });
        continue;
      }
      local = modName;
      imports.push({ from: parent, name: modName });
    }
    const receiver = fn.childForFieldName('object')!;
    const callArgs = [asReceiver(receiver)];
    for (const p of py.params) {
      const v = values.get(p.name);
      if (v === undefined) continue;
      callArgs.push(p.optional ? `${p.name}=${v}` : v);
    }
    edits.push({
      start: call.startIndex,
      end: call.endIndex,
      text: formatCall(
        `${local}.${py.function}`,
        callArgs,
        columnOf(parsed, call),
        79,
        hangingIndentFor(parsed, call),
      ),
      label: 'plugin call',
    });
    api.converted({
      ...site,
      kind: 'plugin-call',
      detail: `${label} -> ${modName}.${py.function} (os-xenapi >= ${py.since})`,
    });
    minVersion = maxVersion(minVersion, py.since);
  }
  if (edits.length === 0) return undefined;
  if (minVersion) api.note('minimum os-xenapi', minVersion);
  return applyWithImports(api, file.source, edits, imports);
}

/** `self.mox.StubOutWithMock(RECV, 'call_plugin...')` earlier in the same function: a recorded expectation. */
function isMoxRecording(call: PyNode, fn: PyNode, method: string): boolean {
  const receiver = fn.childForFieldName('object')?.text;
  let scope: PyNode | null = call.parent;
  while (scope && scope.type !== 'function_definition') scope = scope.parent;
  if (!scope || !receiver) return false;
  for (const c of scope.descendantsOfType('call')) {
    if (!c || c.startIndex >= call.startIndex) continue;
    const f = c.childForFieldName('function');
    if (f?.type !== 'attribute' || f.childForFieldName('attribute')?.text !== 'StubOutWithMock') continue;
    const a = callArguments(c);
    if (a?.positional[0]?.text === receiver && literalString(a.positional[1]) === method) return true;
  }
  return false;
}

function isMethodDef(node: PyNode | null, names: Set<string>): boolean {
  if (!node) return false;
  const def = node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
  return def?.type === 'function_definition' && names.has(def.childForFieldName('name')?.text ?? '');
}
