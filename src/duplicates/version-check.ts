/**
 * A project's own dom0 plugin version check (Nova's, before os-xenapi: migrations.md B.5): the
 * required-version constant (`PLUGIN_REQUIRED_VERSION = '1.8'`), the method that asks dom0 for its
 * plugin version (`call_plugin_serialized('nova_plugin_version.py', 'get_version')`), the
 * statements that call that method, and the tests of the check (test functions that call the
 * method, set the constant or call the version plugin). os-xenapi's `XenAPISession` performs the
 * check itself, so once a project uses it these are dead weight.
 */

import { queryMatches } from '../lint/query.js';
import type { PyNode } from '../python/parser.js';
import type { PyFile } from '../python/source-file.js';
import { literalString } from '../python/syntax-helpers.js';

export type VersionCheckSiteKind = 'constant' | 'method' | 'call' | 'test';

export interface VersionCheckSite {
  kind: VersionCheckSiteKind;
  /** The statement to remove (assignment statement, definition incl. decorators, call statement). */
  statement: PyNode;
  /** The node to point at. */
  node: PyNode;
  what: string;
}

export interface VersionCheck {
  sites: VersionCheckSite[];
  /** Method names that perform the check (`_verify_plugin_version`). */
  methods: string[];
  constants: string[];
}

export const VERSION_CONSTANT_RE =
  /^_?(PLUGIN_REQUIRED_VERSION|REQUIRED_PLUGIN_VERSION|PLUGIN_VERSION_REQUIRED)$/;
const VERSION_CONSTANT_TEXT_RE = /PLUGIN_REQUIRED_VERSION|REQUIRED_PLUGIN_VERSION|PLUGIN_VERSION_REQUIRED/;
export const VERSION_PLUGIN_RE = /(^|_)plugin_version(\.py)?$/;

const QUERY = `
(expression_statement (assignment left: (identifier) @name right: (string))) @assign
(call
  function: (attribute attribute: (identifier) @m (#match? @m "^call_plugin(_serialized(_with_retry)?)?$"))
  arguments: (argument_list . (string) @plugin . (string) @fn)) @pcall
(function_definition name: (identifier) @def) @fn_def
(call function: (attribute attribute: (identifier) @callee) arguments: (argument_list)) @mcall
(attribute attribute: (identifier) @attr) @attr_ref
`;

function enclosingDef(node: PyNode): PyNode | undefined {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'function_definition') return n;
  return undefined;
}

function withDecorators(def: PyNode): PyNode {
  return def.parent?.type === 'decorated_definition' ? def.parent : def;
}

function isTestFunction(def: PyNode): boolean {
  return /^test/.test(def.childForFieldName('name')?.text ?? '');
}

/**
 * False when the text cannot hold a version check site: every site names the version plugin, a
 * version constant or one of the `known` check methods / constants.
 */
export function mayHaveVersionCheck(
  text: string,
  known: { methods?: readonly string[]; constants?: readonly string[] } = {},
): boolean {
  return (
    text.includes('plugin_version') ||
    VERSION_CONSTANT_TEXT_RE.test(text) ||
    [...(known.methods ?? []), ...(known.constants ?? [])].some((n) => text.includes(n))
  );
}

/**
 * The version check sites of a file. `knownMethods` / `knownConstants`: names found in other files
 * (tests live apart from the session module); tests referencing them count as tests of the check.
 */
export function findVersionCheck(
  file: PyFile,
  known: { methods?: readonly string[]; constants?: readonly string[] } = {},
): VersionCheck {
  // Every site names the version plugin, a version constant or a known check method: a file that
  // mentions none of them has no sites, and is spared the query (it matches every call and def).
  if (!mayHaveVersionCheck(file.text, known)) return { sites: [], methods: [], constants: [] };
  const matches = queryMatches(QUERY, file.root);
  const sites: VersionCheckSite[] = [];
  const methods = new Set<string>();
  const constants = new Set<string>();
  const checkDefs: PyNode[] = [];
  const testDefs = new Map<number, PyNode>();
  for (const m of matches) {
    const { assign, name, pcall, plugin, fn } = m.nodes;
    if (assign && name && VERSION_CONSTANT_RE.test(name.text)) {
      constants.add(name.text);
      const def = enclosingDef(assign);
      if (def && isTestFunction(def)) testDefs.set(def.id, def);
      else if (!def) sites.push({ kind: 'constant', statement: assign, node: name, what: `${name.text}` });
    }
    if (pcall && plugin && fn) {
      const p = literalString(plugin);
      if (p === undefined || !VERSION_PLUGIN_RE.test(p) || literalString(fn) !== 'get_version') continue;
      const def = enclosingDef(pcall);
      if (!def) continue;
      if (isTestFunction(def)) testDefs.set(def.id, def);
      else checkDefs.push(def);
    }
  }
  for (const def of checkDefs) {
    const name = def.childForFieldName('name')!;
    methods.add(name.text);
    sites.push({ kind: 'method', statement: withDecorators(def), node: name, what: `${name.text}()` });
  }
  const allMethods = new Set([...methods, ...(known.methods ?? [])]);
  const allConstants = new Set([...constants, ...(known.constants ?? [])]);
  for (const m of matches) {
    const { mcall, callee, attr_ref, attr } = m.nodes;
    if (mcall && callee && allMethods.has(callee.text)) {
      const def = enclosingDef(mcall);
      if (def && isTestFunction(def)) testDefs.set(def.id, def);
      else if (mcall.parent?.type === 'expression_statement' && !checkDefs.some((d) => d.id === def?.id))
        sites.push({ kind: 'call', statement: mcall.parent, node: mcall, what: `call of ${callee.text}()` });
    } else if (attr_ref && attr && (allConstants.has(attr.text) || allMethods.has(attr.text))) {
      const def = enclosingDef(attr_ref);
      if (def && isTestFunction(def)) testDefs.set(def.id, def);
    }
  }
  for (const def of testDefs.values()) {
    const name = def.childForFieldName('name')!;
    sites.push({ kind: 'test', statement: withDecorators(def), node: name, what: `test ${name.text}` });
  }
  sites.sort((a, b) => a.statement.startIndex - b.statement.startIndex);
  return { sites, methods: [...methods], constants: [...constants] };
}
