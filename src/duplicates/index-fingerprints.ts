/**
 * The `fingerprints` section of an API index (rules/os-xenapi-api.json): which units of a library
 * file are fingerprinted, and the merge of per-release fingerprints into release ranges. Used by
 * the index generator (src/xenapi/index-generator.ts), which parses every blob once.
 */

import { basename } from 'node:path';
import { moduleNameForPath, PyFile } from '../python/source-file.js';
import {
  ApiIndex,
  type FingerprintRange,
  type IndexedFingerprints,
  type IndexedUnit,
} from '../xenapi/api-index.js';
import { isPluginPath } from './detect.js';
import { encodeFingerprint, FINGERPRINT_ALGORITHM, type ShapeFingerprint } from './fingerprint.js';
import { codeUnits } from './units.js';

/** Units under this many tokens are not recorded (a `pass` body, a one-line property). */
export const INDEX_MIN_TOKENS = 12;

export interface FileUnitFingerprint {
  /** Suffix of the unit id after the module: `''`, `:XenAPISession`, `:XenAPISession.call_plugin`. */
  suffix: string;
  kind: IndexedUnit['kind'];
  name?: string;
  fingerprint: ShapeFingerprint;
}

/**
 * The fingerprinted units of one library file. `library`: the module, its public functions and
 * classes and every method of those classes. `dom0`: the plugin file and every top-level function
 * (dom0 files are copied whole, private helpers included).
 */
export function fileUnitFingerprints(file: PyFile, role: 'library' | 'dom0'): FileUnitFingerprint[] {
  const out: FileUnitFingerprint[] = [];
  const units = codeUnits(file, { publicOnly: role === 'library' });
  for (const u of units) {
    if (u.kind !== 'module' && u.fingerprint.tokens < INDEX_MIN_TOKENS) continue;
    if (role === 'dom0' && (u.kind === 'class' || u.kind === 'method')) continue;
    const kind: IndexedUnit['kind'] =
      role === 'dom0' ? (u.kind === 'module' ? 'dom0-file' : 'dom0-function') : u.kind;
    out.push({
      suffix: u.name ? `:${u.name}` : '',
      kind,
      ...(u.name ? { name: u.name } : {}),
      fingerprint: encodeFingerprint(u.fingerprint),
    });
  }
  return out;
}

/** Collects per-version unit fingerprints into ranges of consecutive versions with one value. */
export class FingerprintMerger {
  private readonly units = new Map<string, IndexedUnit & { lastIndex: number; lastKey: string }>();

  add(
    versionIndex: number,
    version: string,
    module: string,
    path: string,
    unitPrefix: string,
    fps: readonly FileUnitFingerprint[],
  ): void {
    for (const u of fps) {
      const id = `${unitPrefix}${u.suffix}`;
      const key = `${u.fingerprint.tokens}\0${u.fingerprint.flow}\0${u.fingerprint.hashes}`;
      let entry = this.units.get(id);
      if (!entry) {
        entry = {
          kind: u.kind,
          module,
          ...(u.name ? { name: u.name } : {}),
          path,
          ranges: [],
          lastIndex: -2,
          lastKey: '',
        };
        this.units.set(id, entry);
      }
      entry.path = path;
      const last = entry.ranges[entry.ranges.length - 1];
      if (last && entry.lastKey === key && entry.lastIndex === versionIndex - 1) last.to = version;
      else {
        const range: FingerprintRange = { from: version, to: version, ...u.fingerprint };
        entry.ranges.push(range);
      }
      entry.lastKey = key;
      entry.lastIndex = versionIndex;
    }
  }

  result(): IndexedFingerprints {
    const units: Record<string, IndexedUnit> = {};
    for (const id of [...this.units.keys()].sort()) {
      const { lastIndex: _i, lastKey: _k, ...unit } = this.units.get(id)!;
      units[id] = unit;
    }
    return { algorithm: { ...FINGERPRINT_ALGORITHM }, units };
  }
}

/**
 * A one-release API index holding only fingerprints, built from library sources in memory
 * (`{ 'os_xenapi/client/session.py': text, 'os_xenapi/dom0/etc/xapi.d/plugins/netwrap.py': text }`):
 * to compare a tree against a library that has no git history at hand, and for tests.
 */
export function apiIndexFromSources(
  files: Record<string, string>,
  opts: { version?: string; importName?: string; package?: string } = {},
): ApiIndex {
  const version = opts.version ?? '0.0.0';
  const importName = opts.importName ?? 'os_xenapi';
  const merger = new FingerprintMerger();
  for (const [path, text] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const plugin = isPluginPath(path);
    const naming = moduleNameForPath(path);
    const file = PyFile.parse(path, text, naming ?? {});
    try {
      if (plugin) {
        const name = basename(path);
        merger.add(0, version, name, path, `dom0:${name}`, fileUnitFingerprints(file, 'dom0'));
      } else if (naming) {
        merger.add(
          0,
          version,
          naming.moduleName,
          path,
          naming.moduleName,
          fileUnitFingerprints(file, 'library'),
        );
      }
    } finally {
      file.dispose();
    }
  }
  return new ApiIndex({
    schemaVersion: 1,
    package: opts.package ?? 'os-xenapi',
    importName,
    generatedBy: 'apiIndexFromSources',
    source: { tagPattern: '' },
    versions: [{ version, tag: version, commit: '0'.repeat(40), commitDate: '' }],
    modules: {},
    fingerprints: merger.result(),
  });
}
