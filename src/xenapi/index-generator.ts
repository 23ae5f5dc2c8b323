/**
 * Builds an API index (see api-index.ts) from a library's git repository: every release tag, every
 * public module under the import package (tests left out), parsed with the Python front end; dom0
 * plugins (`<pkg>/dom0/etc/xapi.d/plugins/*.py`) read for their entry points. Each blob is parsed
 * once however many tags share it. Output is deterministic (sorted keys, no timestamps).
 */
import { compare as pepCompare, valid as pepValid } from '@renovatebot/pep440';
import {
  type FileUnitFingerprint,
  FingerprintMerger,
  fileUnitFingerprints,
} from '../duplicates/index-fingerprints.js';
import { initPython } from '../python/parser.js';
import { moduleNameForPath, PyFile } from '../python/source-file.js';
import type {
  ApiIndexData,
  IndexedDom0Plugin,
  IndexedModule,
  IndexedSymbol,
  IndexedVersion,
  SignatureRange,
  VersionRange,
  WrapperRange,
} from './api-index.js';
import { GitError, GitReader } from './git-reader.js';
import { type Dom0Plugin, type ModuleApi, readDom0Plugin, readModuleApi } from './module-api.js';

export interface IndexOptions {
  /** Repository directory (checkout, `.git` or bare). */
  repo: string;
  package?: string;
  importName?: string;
  /** Tags to index; default: release versions `N.N.N`. */
  tagPattern?: RegExp;
  /** Directory of dom0 plugins inside the repository; default `<importName>/dom0/etc/xapi.d/plugins`. */
  dom0Dir?: string;
  onProgress?: (tag: string, index: number, total: number) => void;
}

export interface IndexResult {
  index: ApiIndexData;
  stats: { tags: number; blobsParsed: number; filesSeen: number; syntaxErrors: string[] };
}

const DEFAULT_TAGS = /^v?\d+(\.\d+)+$/;

function isTestPath(path: string): boolean {
  return (
    /(^|\/)tests?\//.test(path) || /(^|\/)test_[^/]*\.py$/.test(path) || /(^|\/)conftest\.py$/.test(path)
  );
}

interface VersionFacts {
  modules: Map<string, { path: string; isPackage: boolean; api: ModuleApi }>;
  dom0: Map<string, { path: string; plugin: Dom0Plugin }>;
}

/** Per-blob structural fingerprints (src/duplicates), parsed along with the API. */
interface ParsedFingerprints {
  role: 'library' | 'dom0';
  units: FileUnitFingerprint[];
}

export async function generateApiIndex(opts: IndexOptions): Promise<IndexResult> {
  const pkg = opts.package ?? 'os-xenapi';
  const importName = opts.importName ?? 'os_xenapi';
  const tagPattern = opts.tagPattern ?? DEFAULT_TAGS;
  const dom0Dir = (opts.dom0Dir ?? `${importName}/dom0/etc/xapi.d/plugins`).replace(/\/$/, '');
  await initPython();
  const reader = await GitReader.open(opts.repo);
  try {
    const tags = (await reader.tags())
      .filter((t) => tagPattern.test(t.name) && pepValid(t.name.replace(/^v/, '')))
      .sort((a, b) => pepCompare(a.name.replace(/^v/, ''), b.name.replace(/^v/, '')));
    if (tags.length === 0) throw new GitError(`${opts.repo}: no tags match ${tagPattern}`);
    const remote = (await reader.git(['config', '--get', 'remote.origin.url']).catch(() => '')).trim();

    const moduleCache = new Map<string, ModuleApi>();
    const dom0Cache = new Map<string, Dom0Plugin>();
    const fpCache = new Map<string, ParsedFingerprints>();
    const fingerprints = new FingerprintMerger();
    const syntaxErrors: string[] = [];
    let filesSeen = 0;
    const versions: IndexedVersion[] = [];
    const facts: VersionFacts[] = [];

    for (const [i, tag] of tags.entries()) {
      opts.onProgress?.(tag.name, i, tags.length);
      const version = tag.name.replace(/^v/, '');
      versions.push({
        version,
        tag: tag.name,
        commit: tag.commit,
        ...(tag.tagObject ? { tagObject: tag.tagObject } : {}),
        commitDate: tag.commitDate,
        ...(tag.tagDate ? { tagDate: tag.tagDate } : {}),
      });
      const files = (await reader.listFiles(tag.commit, importName)).filter((f) => f.path.endsWith('.py'));
      filesSeen += files.length;
      const vf: VersionFacts = { modules: new Map(), dom0: new Map() };
      const texts = await Promise.all(
        files.map((f) =>
          moduleCache.has(f.blob) || dom0Cache.has(f.blob) ? undefined : reader.readBlob(f.blob),
        ),
      );
      for (const [j, f] of files.entries()) {
        const inDom0 = f.path.startsWith(`${dom0Dir}/`);
        if (inDom0) {
          if (f.path.slice(dom0Dir.length + 1).includes('/')) continue;
          let plugin = dom0Cache.get(f.blob);
          if (!plugin) {
            const file = PyFile.parse(f.path, texts[j]!);
            try {
              plugin = readDom0Plugin(file);
              fpCache.set(f.blob, { role: 'dom0', units: fileUnitFingerprints(file, 'dom0') });
            } finally {
              file.dispose();
            }
            dom0Cache.set(f.blob, plugin);
          }
          const pluginName = f.path.slice(dom0Dir.length + 1);
          fingerprints.add(i, version, pluginName, f.path, `dom0:${pluginName}`, fpCache.get(f.blob)!.units);
          if (plugin.entryPoints.length)
            vf.dom0.set(f.path.slice(dom0Dir.length + 1), { path: f.path, plugin });
          continue;
        }
        if (isTestPath(f.path) || f.path.startsWith(`${importName}/dom0/`)) continue;
        const naming = moduleNameForPath(f.path);
        if (!naming) continue;
        let api = moduleCache.get(f.blob);
        if (!api) {
          const file = PyFile.parse(f.path, texts[j]!, naming);
          try {
            if (file.hasSyntaxErrors) syntaxErrors.push(`${tag.name}:${f.path}`);
            api = readModuleApi(file);
            fpCache.set(f.blob, { role: 'library', units: fileUnitFingerprints(file, 'library') });
          } finally {
            file.dispose();
          }
          moduleCache.set(f.blob, api);
        }
        vf.modules.set(naming.moduleName, { path: f.path, isPackage: naming.isPackage, api });
        fingerprints.add(
          i,
          version,
          naming.moduleName,
          f.path,
          naming.moduleName,
          fpCache.get(f.blob)!.units,
        );
      }
      facts.push(vf);
    }

    const versionNames = versions.map((v) => v.version);
    const index: ApiIndexData = {
      schemaVersion: 1,
      package: pkg,
      importName,
      generatedBy: `backlevel index ${pkg}`,
      source: { ...(remote ? { remote } : {}), tagPattern: tagPattern.source },
      versions,
      modules: mergeModules(versionNames, facts),
      ...(facts.some((f) => f.dom0.size) ? { dom0Plugins: mergeDom0(versionNames, facts) } : {}),
      fingerprints: fingerprints.result(),
    };
    return {
      index,
      stats: { tags: tags.length, blobsParsed: moduleCache.size + dom0Cache.size, filesSeen, syntaxErrors },
    };
  } finally {
    reader.close();
  }
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** Accumulates per-version values into ranges of consecutive versions with equal values. */
class RangeBuilder<T> {
  readonly ranges: (VersionRange & { value: T; key: string; lastIndex: number })[] = [];

  add(versionIndex: number, version: string, value: T, key: string): void {
    const last = this.ranges[this.ranges.length - 1];
    if (last && last.key === key && last.lastIndex === versionIndex - 1) {
      last.to = version;
      last.lastIndex = versionIndex;
    } else this.ranges.push({ from: version, to: version, value, key, lastIndex: versionIndex });
  }
}

function sortedRecord<T>(map: Map<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of [...map.keys()].sort()) out[k] = map.get(k)!;
  return out;
}

function mergeModules(versions: string[], facts: VersionFacts[]): Record<string, IndexedModule> {
  const presence = new Map<string, RangeBuilder<{ path: string; isPackage: boolean }>>();
  const symbols = new Map<
    string,
    Map<string, RangeBuilder<SignatureRange & { kind: IndexedSymbol['kind']; private?: boolean }>>
  >();
  const wrappers = new Map<string, Map<string, RangeBuilder<Omit<WrapperRange, 'from' | 'to'>>>>();
  facts.forEach((vf, vi) => {
    const version = versions[vi]!;
    for (const [mod, { path, isPackage, api }] of vf.modules) {
      const p = getOrCreate(presence, mod, () => new RangeBuilder());
      p.add(vi, version, { path, isPackage }, 'present');
      const syms = getOrCreate(symbols, mod, () => new Map());
      for (const s of api.symbols) {
        const b = getOrCreate(syms, s.name, () => new RangeBuilder());
        const value = {
          from: version,
          to: version,
          kind: s.kind,
          ...(s.private ? { private: true } : {}),
          signature: s.signature,
          ...(s.params ? { params: s.params } : {}),
          ...(s.bases ? { bases: s.bases } : {}),
          ...(s.decorators ? { decorators: s.decorators } : {}),
        };
        b.add(vi, version, value, JSON.stringify([s.kind, s.signature, s.params, s.bases, s.decorators]));
      }
      if (api.wrappers.length) {
        const ws = getOrCreate(wrappers, mod, () => new Map());
        for (const w of api.wrappers) {
          const b = getOrCreate(ws, w.function, () => new RangeBuilder());
          const { function: _fn, ...rest } = w;
          b.add(vi, version, rest, JSON.stringify(rest));
        }
      }
    }
  });
  const out = new Map<string, IndexedModule>();
  for (const [mod, p] of presence) {
    const last = p.ranges[p.ranges.length - 1]!;
    const syms = new Map<string, IndexedSymbol>();
    for (const [name, b] of symbols.get(mod) ?? []) {
      const first = b.ranges[0]!;
      syms.set(name, {
        kind: first.value.kind,
        ...(first.value.private ? { private: true } : {}),
        firstVersion: first.from,
        lastVersion: b.ranges[b.ranges.length - 1]!.to,
        signatures: b.ranges.map((r) => {
          const { kind: _k, private: _p, from: _f, to: _t, ...sig } = r.value;
          return { from: r.from, to: r.to, ...sig };
        }),
      });
    }
    const ws = wrappers.get(mod);
    out.set(mod, {
      path: last.value.path,
      isPackage: last.value.isPackage,
      firstVersion: p.ranges[0]!.from,
      lastVersion: last.to,
      present: p.ranges.map((r) => ({ from: r.from, to: r.to })),
      symbols: sortedRecord(syms),
      ...(ws
        ? {
            pluginWrappers: sortedRecord(
              new Map(
                [...ws].map(([fn, b]) => [fn, b.ranges.map((r) => ({ from: r.from, to: r.to, ...r.value }))]),
              ),
            ),
          }
        : {}),
    });
  }
  return sortedRecord(out);
}

function mergeDom0(versions: string[], facts: VersionFacts[]): Record<string, IndexedDom0Plugin> {
  const files = new Map<string, { path: string; presence: RangeBuilder<null> }>();
  const entries = new Map<
    string,
    Map<string, RangeBuilder<{ style: 'dict' | 'serialized'; params?: unknown }>>
  >();
  const subs = new Map<string, Map<string, RangeBuilder<null>>>();
  facts.forEach((vf, vi) => {
    const version = versions[vi]!;
    for (const [name, { path, plugin }] of vf.dom0) {
      const f = getOrCreate(files, name, () => ({ path, presence: new RangeBuilder<null>() }));
      f.path = path;
      f.presence.add(vi, version, null, '');
      const es = getOrCreate(entries, name, () => new Map());
      for (const e of plugin.entryPoints) {
        const b = getOrCreate(es, e.name, () => new RangeBuilder());
        b.add(
          vi,
          version,
          { style: e.style, ...(e.params ? { params: e.params } : {}) },
          JSON.stringify([e.style, e.params]),
        );
      }
      if (plugin.subcommands) {
        const ss = getOrCreate(subs, name, () => new Map());
        for (const s of plugin.subcommands) {
          const b = getOrCreate(ss, s, () => new RangeBuilder());
          b.add(vi, version, null, '');
        }
      }
    }
  });
  const out = new Map<string, IndexedDom0Plugin>();
  for (const [name, f] of files) {
    const r = f.presence.ranges;
    const eps = new Map(
      [...(entries.get(name) ?? [])].map(([ep, b]) => {
        const last = b.ranges[b.ranges.length - 1]!;
        return [
          ep,
          {
            style: last.value.style,
            firstVersion: b.ranges[0]!.from,
            lastVersion: last.to,
            ...(last.value.params ? { params: last.value.params as never } : {}),
          },
        ];
      }),
    );
    const ss = subs.get(name);
    out.set(name, {
      path: f.path,
      firstVersion: r[0]!.from,
      lastVersion: r[r.length - 1]!.to,
      entryPoints: sortedRecord(eps),
      ...(ss
        ? {
            subcommands: sortedRecord(
              new Map(
                [...ss].map(([s, b]) => [
                  s,
                  { from: b.ranges[0]!.from, to: b.ranges[b.ranges.length - 1]!.to },
                ]),
              ),
            ),
          }
        : {}),
    });
  }
  return sortedRecord(out);
}

/** Stable JSON text for the committed index (2-space indent, trailing newline). */
export function serializeApiIndex(index: ApiIndexData): string {
  return `${JSON.stringify(index, null, 2)}\n`;
}
