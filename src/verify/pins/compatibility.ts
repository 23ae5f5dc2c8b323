/**
 * Which indexed versions of the library provide each use: the module or symbol is present, a call
 * binds to that version's signature (arity and keywords), a dom0 plugin entry point (and
 * network_config subcommand) called directly or through a python wrapper exists. Uses with the same
 * name and shape are evaluated once.
 */
import type { ApiIndex, IndexedSymbol, SignatureRange } from '../../xenapi/api-index.js';
import { bindCall, type CallShape, describeCall } from './signature-match.js';
import type { SymbolUse } from './usage.js';

export type VersionStatus = { ok: true } | { ok: false; reason: string };

export interface UseGroup {
  key: string;
  /** Qualified name as used. */
  name: string;
  /** What the index resolved it to (`os_xenapi.client.session.XenAPISession.http_connection`). */
  resolved?: string;
  kind?: string;
  call?: CallShape;
  plugin?: SymbolUse['plugin'];
  sites: SymbolUse[];
  /** Not provided by any indexed version (unknown module/symbol/plugin). */
  unknown: boolean;
  /** Per indexed version. */
  status: Record<string, VersionStatus>;
  /** Versions where the use works, ascending. */
  works: string[];
}

function groupKey(u: SymbolUse): string {
  const call = u.call
    ? `(${u.call.positional}|${u.call.keywords.join(',')}|${u.call.starArgs ? '*' : ''}${u.call.starKwargs ? '**' : ''}|${u.unbound ? 'u' : ''})`
    : '';
  const plugin = u.plugin ? `@${u.plugin.plugin}:${u.plugin.function}:${u.plugin.subcommand ?? ''}` : '';
  const bound = u.via === 'instance' ? '#i' : '';
  return `${u.name}${bound}${call}${plugin}`;
}

function inRanges(index: ApiIndex, ranges: readonly { from: string; to: string }[], v: string): boolean {
  return ranges.some((r) => index.inRange(r, v));
}

function signatureAt(index: ApiIndex, entry: IndexedSymbol, v: string): SignatureRange | undefined {
  return entry.signatures.find((r) => index.inRange(r, v));
}

/** Evaluates one use group against every indexed version. */
export function evaluateGroup(
  index: ApiIndex,
  group: Omit<UseGroup, 'status' | 'works' | 'unknown'>,
): UseGroup {
  const versions = index.versionList;
  const status: Record<string, VersionStatus> = {};
  const first = group.sites[0]!;
  const hit = index.lookup(group.name);
  const knownSymbol = hit && (hit.symbol === '' || hit.entry !== undefined);
  let unknown = !knownSymbol;
  let resolved: string | undefined;
  let kind: string | undefined;
  if (hit && knownSymbol) {
    resolved = hit.symbol ? `${hit.module}.${hit.symbol}` : hit.module;
    kind = hit.symbol ? hit.entry!.kind : 'module';
  }
  // A plugin that no indexed version ships.
  const dom0 = index.data.dom0Plugins;
  const pluginEntry = group.plugin ? dom0?.[group.plugin.plugin] : undefined;
  const entryPoint = group.plugin ? pluginEntry?.entryPoints[group.plugin.function] : undefined;
  if (group.plugin && dom0 && !entryPoint) unknown = true;

  // The call applies to the symbol itself only when the name is exactly the indexed symbol.
  const callApplies = group.call && hit?.entry && resolved === group.name;
  const isMethodViaClass = hit?.entry?.kind === 'method' && first.via !== 'instance';

  for (const v of versions) {
    if (unknown || !hit) {
      status[v] = { ok: false, reason: `not in ${index.data.package} ${v}` };
      continue;
    }
    if (!inRanges(index, hit.moduleEntry.present, v)) {
      status[v] = { ok: false, reason: `${v} has no module ${hit.module}` };
      continue;
    }
    if (hit.entry) {
      const sig = signatureAt(index, hit.entry, v);
      if (!sig) {
        status[v] = { ok: false, reason: `${v} has no ${resolved}` };
        continue;
      }
      if (
        callApplies &&
        sig.params &&
        (hit.entry.kind === 'function' || hit.entry.kind === 'class' || hit.entry.kind === 'method')
      ) {
        const decorators = sig.decorators ?? [];
        const skipFirst =
          isMethodViaClass && !decorators.includes('staticmethod') && !decorators.includes('classmethod');
        const bound = bindCall(sig.params, group.call!, skipFirst);
        if (!bound.ok) {
          status[v] = {
            ok: false,
            reason: `in ${v}, ${sig.signature.replace(/^class \w+\([^)]*\); __init__/, `${hit.symbol}`)} ${bound.reason} (call passes ${describeCall(group.call!)})`,
          };
          continue;
        }
      }
      // A python wrapper of a dom0 plugin: its entry point (and subcommand) must ship in v.
      if (hit.entry.kind === 'function' && dom0) {
        const wrapper = index.pluginWrapper(resolved!, v);
        if (wrapper) {
          const p = dom0[wrapper.plugin];
          const ep = p?.entryPoints[wrapper.pluginFunction];
          if (p && (!ep || !index.inRange({ from: ep.firstVersion, to: ep.lastVersion }, v))) {
            status[v] = {
              ok: false,
              reason: `${v} ships no dom0 ${wrapper.plugin} ${wrapper.pluginFunction}`,
            };
            continue;
          }
          const sub = wrapper.subcommand ? p?.subcommands?.[wrapper.subcommand] : undefined;
          if (wrapper.subcommand && p?.subcommands && (!sub || !index.inRange(sub, v))) {
            status[v] = {
              ok: false,
              reason: `${v} ships no dom0 ${wrapper.plugin} ${wrapper.pluginFunction} subcommand ${wrapper.subcommand}`,
            };
            continue;
          }
        }
      }
    }
    if (group.plugin && pluginEntry && entryPoint) {
      if (!index.inRange({ from: entryPoint.firstVersion, to: entryPoint.lastVersion }, v)) {
        status[v] = {
          ok: false,
          reason: `${v} ships no dom0 ${group.plugin.plugin} ${group.plugin.function}`,
        };
        continue;
      }
      const subName = group.plugin.subcommand;
      if (subName && pluginEntry.subcommands) {
        const sub = pluginEntry.subcommands[subName];
        if (!sub || !index.inRange(sub, v)) {
          status[v] = {
            ok: false,
            reason: `${v} ships no dom0 ${group.plugin.plugin} ${group.plugin.function} subcommand ${subName}`,
          };
          continue;
        }
      }
    }
    status[v] = { ok: true };
  }
  const works = versions.filter((v) => status[v]!.ok);
  return {
    ...group,
    ...(resolved ? { resolved } : {}),
    ...(kind ? { kind } : {}),
    unknown,
    status,
    works,
  };
}

/** Groups uses by name and shape and evaluates each group. `ignore`: qualified names (or prefixes) to skip. */
export function evaluateUses(
  index: ApiIndex,
  uses: readonly SymbolUse[],
  ignore: readonly string[] = [],
): UseGroup[] {
  const groups = new Map<string, Omit<UseGroup, 'status' | 'works' | 'unknown'>>();
  for (const u of uses) {
    if (ignore.some((i) => u.name === i || u.name.startsWith(`${i}.`))) continue;
    const key = groupKey(u);
    let g = groups.get(key);
    if (!g) {
      g = {
        key,
        name: u.name,
        sites: [],
        ...(u.call ? { call: u.call } : {}),
        ...(u.plugin ? { plugin: u.plugin } : {}),
      };
      groups.set(key, g);
    }
    g.sites.push(u);
  }
  const testLike = (f: string) => /(^|\/)tests?\/|(^|\/)test_[^/]*$/.test(f);
  for (const g of groups.values())
    g.sites.sort((a, b) => Number(testLike(a.file)) - Number(testLike(b.file)));
  const ordered = [...groups.values()].sort(
    (a, b) => Number(testLike(a.sites[0]!.file)) - Number(testLike(b.sites[0]!.file)),
  );
  return ordered.map((g) => evaluateGroup(index, g));
}

/** Versions where every known use works. */
export function workingVersions(index: ApiIndex, groups: readonly UseGroup[]): string[] {
  return index.versionList.filter((v) => groups.every((g) => g.unknown || g.status[v]!.ok));
}

/** The known groups that fail at `version`. */
export function failuresAt(groups: readonly UseGroup[], version: string): UseGroup[] {
  return groups.filter((g) => !g.unknown && !g.status[version]?.ok);
}
