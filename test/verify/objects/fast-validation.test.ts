/**
 * The fast validation path (schema interpreter + synthesised leak errors, ajv only for the rest)
 * against the reference ajv path: the same issues, word for word and in order, for every node, and
 * the same findings for whole runs. Inputs: the fixture histories, the sample tree, Debian's Nova
 * 26 objects when installed, each with generated graphs backleveled to every older version, and
 * the same primitives mutated (extra keys, wrong types, nulls, wrong child versions, wrapper damage).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGraphVariants, seededRandom } from '../../../src/objects/graph-builder.js';
import type { JsonObject, JsonValue } from '../../../src/objects/model.js';
import { backlevel } from '../../../src/verify/objects/backlevel.js';
import { loadObjectsHistory, type ObjectsHistory } from '../../../src/verify/objects/history-source.js';
import { pairsFor, senders } from '../../../src/verify/objects/pairs.js';
import { PrimitiveChecker } from '../../../src/verify/objects/primitive-check.js';
import { runChecks } from '../../../src/verify/objects/runner.js';
import { interpretSchema } from '../../../src/verify/objects/schema-interpreter.js';
import { BAD, buildRepo, GOOD, LIBERTY_BAD, LIBERTY_GOOD } from './fixture-repo.js';

const SAMPLE = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'sample-nova');
const DEBIAN = '/usr/lib/python3/dist-packages';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Damaged copies of a primitive: each exercises a different schema keyword. */
function mutations(prim: JsonObject, rnd: () => number): JsonObject[] {
  const out: JsonObject[] = [];
  const dataKey = Object.keys(prim).find((k) => k.endsWith('.data')) as string;
  const data = prim[dataKey] as JsonObject;
  const fields = Object.keys(data);
  const pick = () => fields[Math.floor(rnd() * fields.length)] as string;
  const withData = (d: JsonObject): JsonObject => ({ ...clone(prim), [dataKey]: d });
  out.push(withData({ ...clone(data), zz_leak: 1, aa_leak: 'x' }));
  if (fields.length) {
    const f = pick();
    for (const bad of [
      null,
      {},
      [1, 'two'],
      'not-a-number',
      1.5,
      true,
      { 'nova_object.name': 'X' },
    ] as JsonValue[]) {
      out.push(withData({ ...clone(data), [f]: bad }));
      out.push(withData({ ...clone(data), [f]: bad, extra_field: 2 }));
    }
  }
  const wrapper = clone(prim);
  wrapper.unexpected = 1;
  out.push(wrapper);
  const noVersion = clone(prim);
  delete noVersion[dataKey.replace('.data', '.version')];
  out.push(noVersion);
  const badChanges = clone(prim);
  badChanges[dataKey.replace('.data', '.changes')] = [1, 2];
  out.push(badChanges);
  out.push(withData({ ...clone(data), ['__proto__' as string]: 3 }));
  return out;
}

/** Every (sender, target, variant) primitive of a history, and mutations of a sample of them. */
function compareNodes(h: ObjectsHistory, limit = Infinity): { nodes: number; rejected: number } {
  const fast = new PrimitiveChecker(h.registry, 'fast');
  const ajv = new PrimitiveChecker(h.registry, 'ajv');
  const rnd = seededRandom(7);
  let nodes = 0;
  for (const sender of senders(h, 'history')) {
    const pairs = pairsFor(h, sender);
    if (!pairs.length) continue;
    const variants = buildGraphVariants(sender.registry, sender.def.name, sender.def.version, {
      seed: 3,
      manifest: sender.release.manifest,
      era: sender.era,
    });
    for (const pair of pairs) {
      for (const variant of variants) {
        const out = backlevel(variant.object, pair);
        if (out.kind !== 'primitive') continue;
        const inputs = [out.primitive, ...(nodes < limit ? mutations(out.primitive, rnd) : [])];
        for (const prim of inputs) {
          const a = ajv.check(prim, sender.def.name, pair.target.version, pair.target.manifest);
          const b = fast.check(prim, sender.def.name, pair.target.version, pair.target.manifest);
          expect(
            b,
            `${sender.def.name} ${sender.def.version} -> ${pair.target.version} ${variant.label}`,
          ).toEqual(a);
          nodes++;
        }
      }
    }
  }
  expect(fast.stats.disagreed).toBe(0);
  return { nodes, rejected: fast.stats.rejected };
}

describe('schema interpreter', () => {
  it('gives ajv verdicts on the keywords the schema builder emits', () => {
    const v = interpretSchema({
      type: 'object',
      properties: {
        a: { anyOf: [{ type: 'null' }, { type: ['string', 'number', 'boolean'] }] },
        b: { type: 'integer', minimum: 0 },
        c: { enum: ['x', 'y'] },
        d: { type: 'array', items: { type: 'string', pattern: '^[a-z]+$' }, uniqueItems: true },
        e: { type: 'object', additionalProperties: { type: 'number' } },
      },
      required: ['b'],
      additionalProperties: false,
    });
    expect(v).toBeDefined();
    const ok = v as (d: unknown) => boolean;
    expect(ok({ b: 1 })).toBe(true);
    expect(ok({ b: 1, a: null, c: 'y', d: ['ab', 'cd'], e: { k: 1.5 } })).toBe(true);
    expect(ok({})).toBe(false); // required
    expect(ok({ b: 1.5 })).toBe(false); // integer
    expect(ok({ b: -1 })).toBe(false); // minimum
    expect(ok({ b: Number.NaN })).toBe(false); // ajv numbers are finite
    expect(ok({ b: 1, a: [] })).toBe(false); // anyOf
    expect(ok({ b: 1, c: 'z' })).toBe(false); // enum
    expect(ok({ b: 1, d: ['ab', 'ab'] })).toBe(false); // uniqueItems
    expect(ok({ b: 1, d: ['AB'] })).toBe(false); // pattern
    expect(ok({ b: 1, e: { k: 'x' } })).toBe(false); // additionalProperties schema
    expect(ok({ b: 1, z: 1 })).toBe(false); // additionalProperties false
    expect(ok({ b: 1, a: undefined })).toBe(true); // undefined is absent, as in ajv
    expect(interpretSchema({ oneOf: [] })).toBeUndefined();
    expect(interpretSchema({ properties: { a: { $ref: 'x' } } })).toBeUndefined();
  });
});

describe('fast validation path = ajv path', () => {
  it('on the fixture histories: every node and every finding', async () => {
    let total = 0;
    let rejected = 0;
    for (const snaps of [GOOD, BAD, LIBERTY_GOOD, LIBERTY_BAD]) {
      const dir = buildRepo(snaps);
      dirs.push(dir);
      const h = await loadObjectsHistory({ repo: dir, noCache: true });
      const n = compareNodes(h);
      total += n.nodes;
      rejected += n.rejected;
      for (const scope of ['current', 'history'] as const) {
        const a = runChecks(h, { engine: 'ajv', senders: scope });
        const b = runChecks(h, { engine: 'fast', senders: scope });
        expect(b.findings).toEqual(a.findings);
        expect(b.notes).toEqual(a.notes);
        expect(b.counters.backlevels).toBe(a.counters.backlevels);
      }
    }
    expect(total).toBeGreaterThan(200);
    expect(rejected).toBeGreaterThan(50);
  }, 120_000);

  it('on the sample tree (history from version comments)', async () => {
    const h = await loadObjectsHistory({ repo: SAMPLE, noCache: true, commitsWithoutTags: true });
    const n = compareNodes(h);
    expect(n.nodes).toBeGreaterThan(500);
    const a = runChecks(h, { engine: 'ajv' });
    const b = runChecks(h, { engine: 'fast' });
    expect(b.findings).toEqual(a.findings);
    expect(b.findings.length).toBeGreaterThan(0);
  }, 120_000);

  it.skipIf(!existsSync(join(DEBIAN, 'nova', 'objects')))(
    "on Debian's Nova 26 objects (a sample of mutated graphs)",
    async () => {
      const h = await loadObjectsHistory({ repo: DEBIAN, noCache: true });
      const n = compareNodes(h, 1500);
      expect(n.nodes).toBeGreaterThan(3000);
      const a = runChecks(h, { engine: 'ajv', checks: ['backlevel-accepted', 'value-domain-and-crash'] });
      const b = runChecks(h, { engine: 'fast', checks: ['backlevel-accepted', 'value-domain-and-crash'] });
      expect(b.findings).toEqual(a.findings);
      expect(b.counters.schemasCompiled ?? 0).toBeLessThan(a.counters.schemasCompiled ?? 0);
    },
    180_000,
  );
});
