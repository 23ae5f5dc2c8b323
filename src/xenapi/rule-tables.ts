/**
 * The two hand-kept rule tables of the os-xenapi move, validated against their JSON Schemas:
 * `rules/xenapi-imports.yaml` (module renames, moved names, string targets, call-signature changes)
 * and `rules/xenapi-plugin-calls.yaml` (dom0 plugin entry point -> os_xenapi python function).
 * Loaded once per process; the returned objects are frozen lookups, safe to share.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config-file.js';
import { packagePath } from '../config/package-root.js';
import { compileSchema, formatSchemaErrors } from '../config/schemas.js';
import { parseYaml } from '../config/yaml.js';
import { escapeRegex } from '../engine/escape-regex.js';
import { readYamlTable } from '../lint/table-cache.js';

// ---------------------------------------------------------------- xenapi-imports.yaml

export interface ImportSpec {
  from: string;
  name: string;
  as?: string;
}

export interface ModuleRename {
  legacy: string;
  /** null: no os_xenapi equivalent. */
  new: string | null;
  since: string;
  /** false: the os_xenapi module has no pre-move module (reverse reports it). */
  reverse?: boolean;
  reason?: string;
  note?: string;
}

export interface NameMove {
  legacy: string;
  new: string;
  kind: 'exception' | 'class' | 'function' | 'module';
  since: string;
  import: ImportSpec;
  alsoInDefiningModule?: boolean;
  reverse?: { legacy: string; import: ImportSpec } | null;
  reason?: string;
  note?: string;
}

export interface StringTargetCall {
  callee?: string;
  method?: string;
  argument: number;
  action: 'rewrite' | 'manual';
  reason?: string;
}

export interface CallChange {
  callee: string;
  since: string;
  legacyParams: string[];
  addKeywords: { name: string; value: string; option?: string; reason?: string }[];
}

export interface XenapiImportRulesData {
  schemaVersion: 1;
  legacyPackage: string;
  newPackage: string;
  modules: ModuleRename[];
  names: NameMove[];
  stringTargets: StringTargetCall[];
  callChanges: CallChange[];
}

/**
 * Every way source text can reach a legacy package, as patterns for a file pre-check that
 * over-matches and never misses a reference written as Python code does. For
 * nova.virt.xenapi.client: the dotted name `xenapi.client` (absolute imports, attribute chains,
 * one-literal string targets; the library's own `os_xenapi.client` does not count), `client` among
 * the names imported from a `...xenapi` package or a relative one (`from nova.virt.xenapi import
 * vm_utils, client`, also parenthesized over several lines; `from . import client`), and relative
 * imports of the package (`from .client import x`). A dotted name split across concatenated string
 * literals is not seen.
 */
export function legacyReferencePatterns(legacyPackage: string): RegExp[] {
  const parts = legacyPackage.split('.').map(escapeRegex);
  const last = parts[parts.length - 1]!;
  const parent = parts[parts.length - 2];
  if (!parent) return [new RegExp(`(?<![\\p{L}\\p{N}_])${last}(?![\\p{L}\\p{N}_])`, 'u')];
  return [
    new RegExp(`(?<![\\p{L}\\p{N}_])${parent}\\.${last}`, 'u'),
    new RegExp(`\\bfrom\\s+(?:\\.+|[\\w.]*${parent})\\s+import\\s*\\(?[\\w\\s,\\\\()]*?\\b${last}\\b`),
    new RegExp(`\\bfrom\\s+\\.+\\s*${last}\\b`),
  ];
}

export class XenapiImportRules {
  readonly legacyPackage: string;
  readonly newPackage: string;
  private readonly byLegacy = new Map<string, ModuleRename>();
  private readonly byNew = new Map<string, ModuleRename>();

  constructor(readonly data: XenapiImportRulesData) {
    this.legacyPackage = data.legacyPackage;
    this.newPackage = data.newPackage;
    for (const m of data.modules) {
      this.byLegacy.set(m.legacy, m);
      if (m.new) this.byNew.set(m.new, m);
    }
  }

  get modules(): readonly ModuleRename[] {
    return this.data.modules;
  }

  get names(): readonly NameMove[] {
    return this.data.names;
  }

  get stringTargets(): readonly StringTargetCall[] {
    return this.data.stringTargets;
  }

  get callChanges(): readonly CallChange[] {
    return this.data.callChanges;
  }

  /**
   * The os_xenapi name for a legacy dotted name (`nova.virt.xenapi.client.session.XenAPISession`
   * -> `os_xenapi.client.session.XenAPISession`), through the longest legacy module that prefixes
   * it. Undefined when the name is not under the legacy package.
   */
  forward(qualified: string): { name: string; rule: ModuleRename } | undefined {
    const rule = longestPrefix(this.byLegacy, qualified);
    if (!rule?.new) return undefined;
    return { name: rule.new + qualified.slice(rule.legacy.length), rule };
  }

  /** The legacy name for an os_xenapi dotted name; `rule.reverse === false` means none exists. */
  backward(qualified: string): { name: string; rule: ModuleRename } | undefined {
    const rule = longestPrefix(this.byNew, qualified);
    if (!rule) return undefined;
    return { name: rule.legacy + qualified.slice(rule.new!.length), rule };
  }

  private legacyText: RegExp[] | undefined;

  /** Whether `text` may reach the legacy package (`legacyReferencePatterns`). */
  mayReferenceLegacy(text: string): boolean {
    // Every pattern spells the package's last part (`client`).
    if (!text.includes(this.legacyPackage.slice(this.legacyPackage.lastIndexOf('.') + 1))) return false;
    this.legacyText ??= legacyReferencePatterns(this.legacyPackage);
    return this.legacyText.some((re) => re.test(text));
  }

  /** True for the legacy package and every dotted name below it. */
  isLegacy(qualified: string): boolean {
    return qualified === this.legacyPackage || qualified.startsWith(`${this.legacyPackage}.`);
  }

  isNew(qualified: string): boolean {
    return qualified === this.newPackage || qualified.startsWith(`${this.newPackage}.`);
  }

  nameMove(legacy: string): NameMove | undefined {
    return this.data.names.find((n) => n.legacy === legacy);
  }

  callChange(callee: string): CallChange | undefined {
    return this.data.callChanges.find((c) => c.callee === callee);
  }
}

function longestPrefix<T>(map: Map<string, T>, qualified: string): T | undefined {
  let name = qualified;
  for (;;) {
    const hit = map.get(name);
    if (hit) return hit;
    const dot = name.lastIndexOf('.');
    if (dot < 0) return undefined;
    name = name.slice(0, dot);
  }
}

// ---------------------------------------------------------------- xenapi-plugin-calls.yaml

export type PluginCallStyle = 'dict' | 'serialized' | 'serialized-with-retry';

export interface PluginParam {
  name: string;
  key?: string;
  arg?: string;
  retry?: 'num_retries' | 'callback' | 'retry_cb';
  optional?: boolean;
  default?: string;
  sendsDefault?: boolean;
  convert?: 'bool-string';
}

export interface PythonEquivalent {
  /** `os_xenapi.client.host_network` */
  module: string;
  function: string;
  since: string;
  params: PluginParam[];
  returnsResult: boolean;
  unmappedArgs?: string[];
}

export interface PluginCallEntry {
  plugin: string;
  function: string;
  subcommand?: string;
  style: PluginCallStyle;
  dom0Params?: string[];
  dom0Since?: string;
  dom0Until?: string;
  preMove: boolean;
  python: PythonEquivalent | null;
  reason?: string;
  note?: string;
}

export interface PluginCallTableData {
  schemaVersion: 1;
  entries: PluginCallEntry[];
}

/** The XenAPISession methods that call a dom0 plugin (always through a session object). */
export const PLUGIN_CALL_METHODS: readonly string[] = [
  'call_plugin',
  'call_plugin_serialized',
  'call_plugin_serialized_with_retry',
];

/** `xenhost` and `xenhost.py` name the same plugin (the session appends `.py`). */
export function normalizePluginName(plugin: string): string {
  return plugin.endsWith('.py') ? plugin : `${plugin}.py`;
}

export class PluginCallTable {
  private readonly byCall = new Map<string, PluginCallEntry>();
  private readonly byPython = new Map<string, PluginCallEntry>();
  private readonly envelopes = new Set<string>();

  constructor(readonly data: PluginCallTableData) {
    for (const e of data.entries) {
      const key = callKey(e.plugin, e.function, e.subcommand);
      if (this.byCall.has(key)) throw new Error(`duplicate plugin call entry ${key}`);
      this.byCall.set(key, e);
      if (e.subcommand) this.envelopes.add(callKey(e.plugin, e.function));
      if (e.python) this.byPython.set(`${e.python.module}.${e.python.function}`, e);
    }
  }

  get entries(): readonly PluginCallEntry[] {
    return this.data.entries;
  }

  /** The entry for a literal plugin and function (and network_config subcommand). */
  lookup(plugin: string, fn: string, subcommand?: string): PluginCallEntry | undefined {
    return this.byCall.get(callKey(normalizePluginName(plugin), fn, subcommand));
  }

  /** True when the entry point dispatches on a `{'cmd': ..., 'args': {...}}` argument (network_config). */
  hasSubcommands(plugin: string, fn: string): boolean {
    return this.envelopes.has(callKey(normalizePluginName(plugin), fn));
  }

  /** The entry whose python function is `module.function` (`os_xenapi.client.host_network.ovs_add_port`). */
  byPythonFunction(qualified: string): PluginCallEntry | undefined {
    return this.byPython.get(qualified);
  }

  /** The python modules the table maps to (`os_xenapi.client.host_network`, ...). */
  pythonModules(): string[] {
    return [...new Set(this.data.entries.flatMap((e) => (e.python ? [e.python.module] : [])))].sort();
  }
}

function callKey(plugin: string, fn: string, subcommand?: string): string {
  return subcommand ? `${plugin}:${fn}:${subcommand}` : `${plugin}:${fn}`;
}

// ---------------------------------------------------------------- loading

function loadTable<T>(file: string, schemaId: string): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read (${(err as Error).message})`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file}: invalid YAML (${(err as Error).message})`);
  }
  const validate = compileSchema(schemaId);
  if (!validate(data)) {
    throw new ConfigError(
      `${file}: does not match ${schemaId}:\n  ${formatSchemaErrors(validate).join('\n  ')}`,
    );
  }
  return data as T;
}

let importRules: XenapiImportRules | undefined;
let pluginTable: PluginCallTable | undefined;

/** `rules/xenapi-imports.yaml` (or another file of that schema), validated; cached per path. */
export function loadXenapiImportRules(file?: string): XenapiImportRules {
  if (file) return new XenapiImportRules(loadTable(file, 'rules-xenapi-imports'));
  // The built-in table through the JSON cache (yaml and ajv stay unloaded in workers on a hit).
  importRules ??= new XenapiImportRules(
    readYamlTable(packagePath('rules', 'xenapi-imports.yaml'), 'rules-xenapi-imports', 'xenapi import rules'),
  );
  return importRules;
}

/** `rules/xenapi-plugin-calls.yaml` (or another file of that schema), validated; cached. */
export function loadPluginCallTable(file?: string): PluginCallTable {
  if (file) return new PluginCallTable(loadTable(file, 'rules-xenapi-plugin-calls'));
  pluginTable ??= new PluginCallTable(
    readYamlTable(
      packagePath('rules', 'xenapi-plugin-calls.yaml'),
      'rules-xenapi-plugin-calls',
      'xenapi plugin call table',
    ),
  );
  return pluginTable;
}
