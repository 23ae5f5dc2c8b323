/**
 * The Nova release a migration targets, and what it implies for virt driver methods: whether the
 * compute manager of that release passes a method an Instance object (rules/virt-driver-methods.yaml
 * gives each method's first release and compute RPC version), and which Instance fields and
 * properties exist there when the tree has no nova/objects to scan.
 *
 * The target is `--nova-release` when given. Otherwise it is inferred from the tree, as a lower
 * bound: the compute manager's RPC API version (nova/compute/manager.py) names the newest release
 * whose RPC version it has reached; failing that, the newest first-release among the object
 * classes the tree's nova/objects defines. Methods with an RPC version in the table are compared
 * with the tree's RPC version directly.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VirtDriverMethod } from '../lint/virt-driver-methods.js';
import { compareNovaReleases, type NovaObjectsInfo } from './nova-objects.js';
import { classFirstTag, type ReleaseFacts, releaseFacts } from './nova-release-facts.js';

export interface NovaTarget {
  /** The release (`option`), or the release the tree is at least (inferred). */
  release?: string;
  source?: 'option' | 'compute-rpc' | 'objects';
  /** The tree's compute RPC API version. */
  computeRpc?: string;
}

/** Compares dotted RPC API versions numerically (`3.9` < `3.23` < `4.0`). */
export function compareRpcVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

const RPC_PATTERNS = [
  /\btarget\s*=\s*messaging\.Target\(\s*version\s*=\s*['"]([0-9.]+)['"]/,
  /\bRPC_API_VERSION\s*=\s*['"]([0-9.]+)['"]/,
];

/** The compute manager's RPC API version in a tree, when it has nova/compute/manager.py. */
export function readComputeRpc(root: string, pkg = 'nova'): string | undefined {
  const path = join(root, pkg, 'compute', 'manager.py');
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  for (const re of RPC_PATTERNS) {
    const m = re.exec(text);
    if (m) return m[1];
  }
  return undefined;
}

/** The target: the option, else a lower bound inferred from the tree (see the module comment). */
export function inferTarget(
  root: string,
  pkg: string,
  objects: NovaObjectsInfo | undefined,
  release?: string,
): NovaTarget {
  const computeRpc = readComputeRpc(root, pkg);
  const rpc = computeRpc ? { computeRpc } : {};
  if (release) return { release, source: 'option', ...rpc };
  if (computeRpc) {
    let best: string | undefined;
    for (const f of releaseFacts()) {
      if (f.computeRpc && compareRpcVersions(f.computeRpc, computeRpc) <= 0) best = f.tag;
    }
    if (best) return { release: best, source: 'compute-rpc', ...rpc };
  }
  if (objects?.source === 'tree') {
    let best: string | undefined;
    for (const cls of Object.keys(objects.classes)) {
      const tag = classFirstTag(cls);
      if (tag && (!best || compareNovaReleases(tag, best) > 0)) best = tag;
    }
    if (objects.objectsNamespace && (!best || compareNovaReleases('2014.2', best) > 0)) best = '2014.2';
    if (best) return { release: best, source: 'objects', ...rpc };
  }
  return { ...rpc };
}

/** The facts of the newest known release tag at or before `release`. */
export function factsFor(release: string): ReleaseFacts | undefined {
  let hit: ReleaseFacts | undefined;
  for (const f of releaseFacts()) if (compareNovaReleases(f.tag, release) <= 0) hit = f;
  return hit;
}

/**
 * The release from which a driver method receives an Instance object: the table's `objectSince`;
 * for methods outside the virt-objects-juno spec without one, 2014.1 (the spec, written at the
 * Icehouse release, lists the 25 methods that still received dicts); undefined for the spec
 * methods the table gives no release for.
 */
export function objectEra(entry: VirtDriverMethod): string | undefined {
  if (entry.objectSince) return entry.objectSince;
  return entry.spec ? undefined : '2014.1';
}

function describe(target: NovaTarget): string {
  if (target.source === 'option') return `the target is Nova ${target.release}`;
  if (target.source === 'compute-rpc')
    return `the tree is Nova ${target.release} or later (compute RPC API ${target.computeRpc}); pass --nova-release for a later target`;
  return `the tree is Nova ${target.release} or later (by its object classes); pass --nova-release for a later target`;
}

/** Undefined when the method receives an object in the target; else the reason it may not. */
export function objectArgumentRefusal(entry: VirtDriverMethod, target: NovaTarget): string | undefined {
  const era = objectEra(entry);
  const name = `${entry.method}()`;
  if (!era) {
    return `no release is known from which ${name} receives an Instance object (rules/virt-driver-methods.yaml); check its callers`;
  }
  const since = `${name} receives an Instance object only from Nova ${era}${entry.rpc ? ` (compute RPC ${entry.rpc})` : ''}`;
  if (target.source === 'option') {
    return compareNovaReleases(era, target.release!) <= 0 ? undefined : `${since}; ${describe(target)}`;
  }
  if (entry.rpc && target.computeRpc) {
    return compareRpcVersions(target.computeRpc, entry.rpc) >= 0
      ? undefined
      : `${since}; the tree's compute RPC API is ${target.computeRpc}`;
  }
  if (target.release) {
    return compareNovaReleases(era, target.release) <= 0 ? undefined : `${since}; ${describe(target)}`;
  }
  return `${since}; the target release is unknown (no nova/compute/manager.py or known object classes): pass --nova-release`;
}
