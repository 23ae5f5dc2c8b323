/**
 * Matches code units against the fingerprints of an API index: for a unit's fingerprint, the most
 * similar indexed unit of a compatible kind, with the os-xenapi releases in which that fingerprint
 * holds. Candidates come from an inverted index of k-gram hashes; a candidate is scored only when
 * it shares enough hashes to reach the threshold (Jaccard ≥ t implies shared ≥ t·|own hashes|).
 */
import { compare as pepCompare } from '@renovatebot/pep440';
import type { ApiIndex, FingerprintUnitKind, IndexedUnit } from '../xenapi/api-index.js';
import {
  type DecodedFingerprint,
  decodeHashes,
  FINGERPRINT_ALGORITHM,
  flowRatio,
  jaccard,
  round3,
} from './fingerprint.js';

export interface IndexEntry {
  /** Unit id in the index (`os_xenapi.client.session:XenAPISession`, `dom0:xenhost.py`). */
  id: string;
  unit: IndexedUnit;
  from: string;
  to: string;
  fingerprint: DecodedFingerprint;
}

export interface UnitMatch {
  id: string;
  kind: FingerprintUnitKind;
  /** Dotted module or dom0 file name. */
  module: string;
  name?: string;
  path: string;
  /** The os-xenapi releases whose copy scores best (first and last). */
  from: string;
  to: string;
  score: number;
  tokenSimilarity: number;
  flowSimilarity: number;
}

export class IndexMismatchError extends Error {}

export class FingerprintIndex {
  readonly entries: IndexEntry[] = [];
  private readonly byHash = new Map<number, number[]>();
  /** Scratch for `best`: shared-hash counts per entry, reset after each call. */
  private counts = new Uint32Array(0);
  readonly byId = new Map<string, IndexEntry[]>();

  constructor(readonly index: ApiIndex) {
    const fps = index.data.fingerprints;
    if (!fps) {
      throw new IndexMismatchError(
        'the os-xenapi index has no fingerprints: regenerate it with `backlevel index os-xenapi --repo <os-xenapi>`',
      );
    }
    if (
      fps.algorithm.name !== FINGERPRINT_ALGORITHM.name ||
      fps.algorithm.version !== FINGERPRINT_ALGORITHM.version
    ) {
      throw new IndexMismatchError(
        `the os-xenapi index fingerprints are ${fps.algorithm.name} v${fps.algorithm.version}, this backlevel computes ` +
          `${FINGERPRINT_ALGORITHM.name} v${FINGERPRINT_ALGORITHM.version}: regenerate the index`,
      );
    }
    for (const [id, unit] of Object.entries(fps.units)) {
      const list: IndexEntry[] = [];
      for (const r of unit.ranges) {
        const entry: IndexEntry = {
          id,
          unit,
          from: r.from,
          to: r.to,
          fingerprint: { tokens: r.tokens, flow: r.flow, hashes: decodeHashes(r.hashes) },
        };
        const at = this.entries.push(entry) - 1;
        list.push(entry);
        for (const h of entry.fingerprint.hashes) {
          let l = this.byHash.get(h);
          if (!l) {
            l = [];
            this.byHash.set(h, l);
          }
          l.push(at);
        }
      }
      this.byId.set(id, list);
    }
    this.counts = new Uint32Array(this.entries.length);
  }

  /**
   * The best-scoring indexed unit among `kinds` with score ≥ `threshold` (undefined when none).
   * Among the ranges of the winning unit, `from`/`to` span every range with the best score.
   */
  best(
    fp: DecodedFingerprint,
    kinds: ReadonlySet<FingerprintUnitKind>,
    threshold: number,
  ): UnitMatch | undefined {
    if (fp.hashes.length === 0) return undefined;
    const counts = this.counts;
    const touched: number[] = [];
    for (const h of fp.hashes) {
      const list = this.byHash.get(h);
      if (!list) continue;
      for (const at of list) {
        const c = counts[at]!;
        if (c === 0) touched.push(at);
        counts[at] = c + 1;
      }
    }
    const need = threshold * fp.hashes.length - 1e-9;
    let best: { entry: IndexEntry; score: number; tokens: number; flow: number } | undefined;
    const scored: { entry: IndexEntry; score: number }[] = [];
    for (const at of touched) {
      const count = counts[at]!;
      counts[at] = 0;
      if (count < need) continue;
      const entry = this.entries[at]!;
      if (!kinds.has(entry.unit.kind)) continue;
      // Jaccard ≤ min/max of the two set sizes.
      const a = fp.hashes.length;
      const b = entry.fingerprint.hashes.length;
      if (Math.min(a, b) / Math.max(a, b) < threshold) continue;
      const tokens = jaccard(fp.hashes, entry.fingerprint.hashes);
      if (tokens < threshold) continue;
      const flow = flowRatio(fp.flow, entry.fingerprint.flow);
      const score = tokens * flow;
      if (score < threshold) continue;
      scored.push({ entry, score });
      if (
        !best ||
        score > best.score + 1e-9 ||
        (Math.abs(score - best.score) <= 1e-9 && preferEntry(entry, best.entry, this.index))
      )
        best = { entry, score, tokens, flow };
    }
    if (!best) return undefined;
    const winner = best.entry;
    const same = scored.filter((s) => s.entry.id === winner.id && Math.abs(s.score - best.score) <= 1e-9);
    const from = same.map((s) => s.entry.from).sort(pepCompare)[0]!;
    const to = same
      .map((s) => s.entry.to)
      .sort(pepCompare)
      .pop()!;
    return {
      id: winner.id,
      kind: winner.unit.kind,
      module: winner.unit.module,
      ...(winner.unit.name ? { name: winner.unit.name } : {}),
      path: winner.unit.path,
      from,
      to,
      score: round3(best.score),
      tokenSimilarity: round3(best.tokens),
      flowSimilarity: round3(best.flow),
    };
  }

  /** The score of a fingerprint against one indexed unit (its best range), or undefined. */
  scoreAgainst(fp: DecodedFingerprint, id: string): UnitMatch | undefined {
    const entries = this.byId.get(id);
    if (!entries?.length) return undefined;
    let best: UnitMatch | undefined;
    for (const e of entries) {
      const tokens = jaccard(fp.hashes, e.fingerprint.hashes);
      const flow = flowRatio(fp.flow, e.fingerprint.flow);
      const score = round3(tokens * flow);
      if (!best || score > best.score) {
        best = {
          id,
          kind: e.unit.kind,
          module: e.unit.module,
          ...(e.unit.name ? { name: e.unit.name } : {}),
          path: e.unit.path,
          from: e.from,
          to: e.to,
          score,
          tokenSimilarity: round3(tokens),
          flowSimilarity: round3(flow),
        };
      }
    }
    return best;
  }
}

/** On a tie, the earlier release (the copy most likely taken), then the shorter id. */
function preferEntry(a: IndexEntry, b: IndexEntry, index: ApiIndex): boolean {
  const c = index.compareVersions(a.from, b.from);
  if (c !== 0) return c < 0;
  return a.id.length < b.id.length || (a.id.length === b.id.length && a.id < b.id);
}

const cache = new WeakMap<ApiIndex, FingerprintIndex>();

/** One FingerprintIndex per loaded ApiIndex (per worker). */
export function fingerprintIndexFor(index: ApiIndex): FingerprintIndex {
  let fi = cache.get(index);
  if (!fi) {
    fi = new FingerprintIndex(index);
    cache.set(index, fi);
  }
  return fi;
}

/** `os_xenapi.client.session.XenAPISession` / `dom0 plugin xenhost.py` / `... function network_config`. */
export function describeMatch(m: UnitMatch): string {
  switch (m.kind) {
    case 'dom0-file':
      return `the os-xenapi dom0 plugin ${m.module}`;
    case 'dom0-function':
      return `${m.name}() of the os-xenapi dom0 plugin ${m.module}`;
    case 'module':
      return m.module;
    default:
      return `${m.module}.${m.name}`;
  }
}

export function releaseSpan(m: Pick<UnitMatch, 'from' | 'to'>): string {
  return m.from === m.to ? m.from : `${m.from}–${m.to}`;
}
