/**
 * The API index of a Python library across its release tags (`rules/os-xenapi-api.json`): per
 * module and symbol, the first and last version, the signature in each version range, and the dom0
 * plugin wrappers; per version, the tag and commit it was read from. Written by
 * `backlevel index os-xenapi`, read by the pin verifier and the os-xenapi codemods.
 */
import { compare as pepCompare } from '@renovatebot/pep440';
import { ConfigError } from '../config/config-file.js';
import { compileSchema, formatSchemaErrors } from '../config/schemas.js';
import { loadCachedApiIndex } from './api-index-cache.js';
import type { Dom0EntryPoint, ParamInfo, PluginMethod, SymbolKind, WrapperArgument } from './module-api.js';

export interface IndexedVersion {
  version: string;
  tag: string;
  commit: string;
  /** Annotated tags only. */
  tagObject?: string;
  commitDate: string;
  tagDate?: string;
}

/** A run of consecutive versions (inclusive) with one value. */
export interface VersionRange {
  from: string;
  to: string;
}

export interface SignatureRange extends VersionRange {
  signature: string;
  params?: ParamInfo[];
  bases?: string[];
  decorators?: string[];
}

export interface IndexedSymbol {
  kind: SymbolKind;
  private?: boolean;
  firstVersion: string;
  lastVersion: string;
  /** In version order; gaps mean the symbol was absent in between. */
  signatures: SignatureRange[];
}

export interface WrapperRange extends VersionRange {
  plugin: string;
  pluginFunction: string;
  method: PluginMethod;
  subcommand?: string;
  returnsResult: boolean;
  arguments: WrapperArgument[];
}

export interface IndexedModule {
  path: string;
  isPackage: boolean;
  firstVersion: string;
  lastVersion: string;
  /** Presence ranges of the module itself. */
  present: VersionRange[];
  symbols: Record<string, IndexedSymbol>;
  /** Functions of this module that call a dom0 plugin, by function name. */
  pluginWrappers?: Record<string, WrapperRange[]>;
}

export interface IndexedEntryPoint {
  style: Dom0EntryPoint['style'];
  firstVersion: string;
  lastVersion: string;
  params?: ParamInfo[];
}

export interface IndexedDom0Plugin {
  path: string;
  firstVersion: string;
  lastVersion: string;
  entryPoints: Record<string, IndexedEntryPoint>;
  subcommands?: Record<string, VersionRange>;
}

export type FingerprintUnitKind = 'module' | 'class' | 'function' | 'method' | 'dom0-file' | 'dom0-function';

/** A unit's structural fingerprint over a run of versions (see src/duplicates/fingerprint.ts). */
export interface FingerprintRange extends VersionRange {
  tokens: number;
  flow: string;
  hashes: string;
}

export interface IndexedUnit {
  kind: FingerprintUnitKind;
  /** Dotted module (`os_xenapi.client.session`) or dom0 plugin file name (`xenhost.py`). */
  module: string;
  /** The symbol in the module (`XenAPISession.call_plugin`); absent for modules and dom0 files. */
  name?: string;
  path: string;
  ranges: FingerprintRange[];
}

export interface IndexedFingerprints {
  algorithm: { name: string; version: number; k: number; window: number };
  /** By unit id: `module`, `module:Class.method`, `dom0:file.py`, `dom0:file.py:function`. */
  units: Record<string, IndexedUnit>;
}

export interface ApiIndexData {
  schemaVersion: 1;
  /** Distribution name (`os-xenapi`). */
  package: string;
  /** Import package (`os_xenapi`). */
  importName: string;
  generatedBy: string;
  source: { remote?: string; tagPattern: string };
  /** Oldest first. */
  versions: IndexedVersion[];
  modules: Record<string, IndexedModule>;
  dom0Plugins?: Record<string, IndexedDom0Plugin>;
  /** Structural fingerprints per release (indexes generated before they existed have none). */
  fingerprints?: IndexedFingerprints;
}

export interface SymbolLookup {
  module: string;
  /** `XenAPISession.call_plugin`; empty for the module itself. */
  symbol: string;
  entry?: IndexedSymbol;
  moduleEntry: IndexedModule;
}

export class ApiIndex {
  readonly versionList: string[];

  constructor(readonly data: ApiIndexData) {
    this.versionList = data.versions.map((v) => v.version);
  }

  get latest(): string {
    return this.versionList[this.versionList.length - 1]!;
  }

  compareVersions(a: string, b: string): number {
    return pepCompare(a, b);
  }

  module(name: string): IndexedModule | undefined {
    return this.data.modules[name];
  }

  /**
   * Resolves a dotted name (`os_xenapi.client.session.XenAPISession.call_plugin`) to the longest
   * indexed module that prefixes it and the symbol below it. `entry` is undefined when the module is
   * known but the symbol is not (then the name is not in any indexed version).
   */
  lookup(qualified: string): SymbolLookup | undefined {
    const parts = qualified.split('.');
    for (let i = parts.length; i > 0; i--) {
      const mod = parts.slice(0, i).join('.');
      const moduleEntry = this.data.modules[mod];
      if (!moduleEntry) continue;
      const rest = parts.slice(i);
      if (rest.length === 0) return { module: mod, symbol: '', moduleEntry };
      // Longest symbol prefix: `XenAPISession.call_plugin`, then `XenAPISession`.
      for (let j = rest.length; j > 0; j--) {
        const sym = rest.slice(0, j).join('.');
        const entry = moduleEntry.symbols[sym];
        if (entry) return { module: mod, symbol: sym, entry, moduleEntry };
      }
      return { module: mod, symbol: rest.join('.'), moduleEntry };
    }
    return undefined;
  }

  /** The first version providing a dotted name (module or symbol), or undefined when never. */
  firstVersionOf(qualified: string): string | undefined {
    const hit = this.lookup(qualified);
    if (!hit) return undefined;
    if (!hit.symbol) return hit.moduleEntry.firstVersion;
    return hit.entry?.firstVersion;
  }

  /** The signature a symbol has in one version, or undefined when absent there. */
  signatureAt(qualified: string, version: string): SignatureRange | undefined {
    const hit = this.lookup(qualified);
    if (!hit?.entry) return undefined;
    return hit.entry.signatures.find((r) => this.inRange(r, version));
  }

  inRange(range: VersionRange, version: string): boolean {
    return pepCompare(range.from, version) <= 0 && pepCompare(version, range.to) <= 0;
  }

  /** The plugin wrapper a function is in a given version (default: the latest it exists in). */
  pluginWrapper(qualifiedFunction: string, version?: string): WrapperRange | undefined {
    const dot = qualifiedFunction.lastIndexOf('.');
    const mod = this.data.modules[qualifiedFunction.slice(0, dot)];
    const ranges = mod?.pluginWrappers?.[qualifiedFunction.slice(dot + 1)];
    if (!ranges?.length) return undefined;
    return version ? ranges.find((r) => this.inRange(r, version)) : ranges[ranges.length - 1];
  }

  /** Every wrapper (latest range per function), as `module.function` -> wrapper. */
  allPluginWrappers(): Map<string, WrapperRange> {
    const out = new Map<string, WrapperRange>();
    for (const [m, entry] of Object.entries(this.data.modules)) {
      for (const [fn, ranges] of Object.entries(entry.pluginWrappers ?? {})) {
        if (ranges.length) out.set(`${m}.${fn}`, ranges[ranges.length - 1]!);
      }
    }
    return out;
  }
}

export function validateApiIndex(data: unknown, file: string): ApiIndexData {
  const validate = compileSchema('rules-api-index');
  if (!validate(data)) {
    throw new ConfigError(
      `${file}: does not match rules-api-index:\n  ${formatSchemaErrors(validate).join('\n  ')}`,
    );
  }
  return data as ApiIndexData;
}

/**
 * Loads an API index file (default `rules/os-xenapi-api.json`): once per process, with the JSON
 * Schema check skipped when this exact content was validated before (see api-index-cache.ts).
 */
export function loadApiIndex(file?: string): ApiIndex {
  return loadCachedApiIndex(file);
}

/** The committed os-xenapi index. */
export function loadOsXenapiIndex(): ApiIndex {
  return loadApiIndex();
}
