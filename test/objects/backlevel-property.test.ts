/**
 * Property: for a well-formed history (every added field dropped below the version that added it,
 * child bumps recorded in obj_relationships / child_versions / hand-written backports as the era
 * requires), backlevelling a populated object to any older version yields a primitive the strict
 * schema of that version accepts, and that the older peer hydrates without ignoring anything.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EraName } from '../../src/objects/eras.js';
import { objectArbitrary } from '../../src/objects/graph-builder.js';
import { ObjectSchemaValidator } from '../../src/objects/json-schema.js';
import type {
  FieldDef,
  FieldTypeDesc,
  MakeCompatibleAction,
  ObjectVersionDef,
  VersionManifest,
  VersionPair,
} from '../../src/objects/model.js';
import { ObjectRegistry } from '../../src/objects/registry.js';
import {
  type HydrationRecord,
  objFromPrimitive,
  objToPrimitive,
} from '../../src/objects/versioned-object.js';
import { def, field, int, listDef, listOf, obj } from './helpers.js';

type Step =
  | { kind: 'add-scalar'; type: number; nullable: boolean }
  | { kind: 'add-kid' }
  | { kind: 'add-kids' }
  | { kind: 'bump-kid' };

const SCALARS: FieldTypeDesc[] = [
  { kind: 'String' },
  { kind: 'Integer' },
  { kind: 'DateTime', tzinfoAware: true },
  { kind: 'Set', element: { type: { kind: 'String' }, nullable: false } },
  { kind: 'Dict', element: { type: { kind: 'Integer' }, nullable: true } },
  { kind: 'Enum', name: 'Colour', validValues: ['red', 'green'] },
  { kind: 'IPV4Network' },
];

interface Family {
  registry: ObjectRegistry;
  parentVersions: string[];
  kidAt: string[];
  listVersions: string[];
}

const v = (minor: number) => `1.${minor}`;

function buildFamily(era: EraName, kidMax: number, steps: Step[]): Family {
  const defs: ObjectVersionDef[] = [];
  // Kid 1.0..1.kidMax: each minor adds an int field, dropped for older targets.
  for (let k = 0; k <= kidMax; k++) {
    const fields: Record<string, FieldDef> = { a: field(int) };
    const drops: MakeCompatibleAction[] = [];
    for (let m = 1; m <= k; m++) {
      fields[`f${m}`] = field(int);
      drops.push({ kind: 'drop-field', field: `f${m}`, belowVersion: v(m) });
    }
    defs.push(def('Kid', v(k), fields, era, { makeCompatible: drops }));
  }
  // KidList 1.j holds Kid 1.j; both tables say so with exact keys.
  const listVersions: string[] = [];
  for (let j = 0; j <= kidMax; j++) {
    const pairs: VersionPair[] = Array.from({ length: j + 1 }, (_, i) => [v(i), v(i)]);
    defs.push(
      listDef('KidList', v(j), 'Kid', era, { childVersions: pairs, relationships: { objects: pairs } }),
    );
    listVersions.push(v(j));
  }
  // Parent 1.0..1.N from the steps.
  let kid = 0;
  const kidAt: string[] = [v(0)];
  const fields: Record<string, FieldDef> = { id: field(int) };
  const actions: MakeCompatibleAction[] = [];
  const relationships: Record<string, VersionPair[]> = {};
  const backports: MakeCompatibleAction[] = [];
  defs.push(def('Parent', '1.0', { ...fields }, era));
  const parentVersions = ['1.0'];
  steps.forEach((step, idx) => {
    const ver = v(idx + 1);
    const objectFields = ['kid', 'kids'].filter((f) => Object.hasOwn(fields, f));
    switch (step.kind) {
      case 'add-scalar': {
        const name = `s${idx + 1}`;
        fields[name] = field(SCALARS[step.type % SCALARS.length] as FieldTypeDesc, {
          nullable: step.nullable,
        });
        actions.push({ kind: 'drop-field', field: name, belowVersion: ver });
        break;
      }
      case 'add-kid':
      case 'add-kids': {
        const name = step.kind === 'add-kid' ? 'kid' : 'kids';
        if (Object.hasOwn(fields, name)) break;
        fields[name] = field(step.kind === 'add-kid' ? obj('Kid') : listOf('Kid'), {
          nullable: step.kind === 'add-kid',
        });
        relationships[name] = [[ver, v(kid)]];
        actions.push({ kind: 'drop-field', field: name, belowVersion: ver });
        break;
      }
      case 'bump-kid':
        if (kid < kidMax) {
          const before = kid;
          kid++;
          for (const f of objectFields) {
            relationships[f]?.push([ver, v(kid)]);
            backports.unshift({
              kind: 'backport-child',
              field: f,
              belowVersion: ver,
              childVersion: v(before),
            });
          }
        }
        break;
    }
    kidAt.push(v(kid));
    parentVersions.push(ver);
    const rels: Record<string, VersionPair[]> = {};
    for (const [k, r] of Object.entries(relationships)) rels[k] = r.map((p) => [...p] as VersionPair);
    // Hand-written child backports are how 2014 objects did it; later eras use the base.
    const own: MakeCompatibleAction[] = era === 'nova-2014' ? [...actions, ...backports] : [...actions];
    defs.push(def('Parent', ver, { ...fields }, era, { relationships: rels, makeCompatible: own }));
  });
  return { registry: new ObjectRegistry(defs), parentVersions, kidAt, listVersions };
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('add-scalar' as const),
    type: fc.nat(SCALARS.length - 1),
    nullable: fc.boolean(),
  }),
  fc.constant<Step>({ kind: 'add-kid' }),
  fc.constant<Step>({ kind: 'add-kids' }),
  fc.constant<Step>({ kind: 'bump-kid' }),
);

const familyArb = fc.record({
  kidMax: fc.integer({ min: 0, max: 3 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 6 }),
});

function releaseManifest(fam: Family, parentIndex: number): VersionManifest {
  return { Parent: fam.parentVersions[parentIndex] as string, Kid: fam.kidAt[parentIndex] as string };
}

function checkBacklevel(
  era: EraName,
  fam: Family,
  name: 'Parent' | 'KidList',
  seedObj: ReturnType<typeof objectArbitrary>,
) {
  const validators = new Map<string, ObjectSchemaValidator>();
  const validatorFor = (manifest: VersionManifest): ObjectSchemaValidator => {
    const key = JSON.stringify(manifest);
    let validator = validators.get(key);
    if (!validator) {
      validator = new ObjectSchemaValidator(fam.registry, { manifest });
      validators.set(key, validator);
    }
    return validator;
  };
  return fc.property(seedObj, (o) => {
    const versions = name === 'Parent' ? fam.parentVersions : fam.listVersions;
    versions.forEach((target, i) => {
      const manifest: VersionManifest =
        name === 'Parent' ? releaseManifest(fam, i) : { KidList: target, Kid: target };
      const prim = objToPrimitive(o, {
        targetVersion: target,
        ...(era === 'ovo-manifest' ? { manifest } : {}),
      });
      const result = validatorFor(manifest).validate(prim, name, target);
      if (!result.valid) {
        throw new Error(
          `${era} ${name} -> ${target}: ${JSON.stringify(result.errors)} in ${JSON.stringify(prim)}`,
        );
      }
      const report: HydrationRecord[] = [];
      objFromPrimitive(JSON.parse(JSON.stringify(prim)), fam.registry.view(manifest), { report, era });
      expect(report.flatMap((r) => r.ignoredDataKeys)).toEqual([]);
    });
  });
}

describe.each<EraName>(['nova-2014', 'nova-kilo', 'ovo-liberty', 'ovo-manifest'])(
  'well-formed histories in %s',
  (era) => {
    it('backlevel then validate passes for every target', () => {
      fc.assert(
        fc.property(familyArb, fc.nat(1000), ({ kidMax, steps }, seed) => {
          const fam = buildFamily(era, kidMax, steps);
          const latest = fam.parentVersions[fam.parentVersions.length - 1] as string;
          fc.assert(checkBacklevel(era, fam, 'Parent', objectArbitrary(fam.registry, 'Parent', latest)), {
            numRuns: 5,
            seed,
          });
          const latestList = fam.listVersions[fam.listVersions.length - 1] as string;
          fc.assert(
            checkBacklevel(era, fam, 'KidList', objectArbitrary(fam.registry, 'KidList', latestList)),
            {
              numRuns: 3,
              seed,
            },
          );
        }),
        { numRuns: 25, seed: 20240601 },
      );
    });
  },
);

describe('the check fails on ill-formed histories', () => {
  it('a missing drop-field leaks a key the older version lacks', () => {
    const fam = buildFamily('ovo-manifest', 0, [{ kind: 'add-scalar', type: 1, nullable: false }]);
    const leaky = fam.registry.require('Parent', '1.1');
    const broken = new ObjectRegistry([
      ...fam.registry.all().filter((d) => d !== leaky),
      { ...leaky, makeCompatible: [] },
    ]);
    const o = fc.sample(objectArbitrary(broken, 'Parent', '1.1', { allowUnset: false }), {
      numRuns: 1,
      seed: 3,
    })[0];
    if (!o) throw new Error('no sample');
    const prim = objToPrimitive(o, { targetVersion: '1.0', manifest: { Parent: '1.0', Kid: '1.0' } });
    const result = new ObjectSchemaValidator(broken).validate(prim, 'Parent', '1.0');
    expect(result.valid).toBe(false);
    expect(result.errors[0]?.message).toBe("unexpected key 's1'");
  });
  it('a stale relationship table leaves the child too new for the older peer (OVO beyond-range)', () => {
    const fam = buildFamily('ovo-liberty', 1, [
      { kind: 'add-kid' },
      { kind: 'bump-kid' },
      { kind: 'add-scalar', type: 0, nullable: true },
    ]);
    const p13 = fam.registry.require('Parent', '1.3');
    // Forget the bump entry: relationships say the child stayed at 1.0.
    const stale = { ...p13, relationships: { kid: [['1.1', '1.0']] as VersionPair[] } };
    const reg = new ObjectRegistry([...fam.registry.all().filter((d) => d !== p13), stale]);
    const o = fc.sample(
      objectArbitrary(reg, 'Parent', '1.3', { allowUnset: false, manifest: { Kid: '1.1' } }),
      {
        numRuns: 1,
        seed: 1,
      },
    )[0];
    if (!o) throw new Error('no sample');
    const prim = objToPrimitive(o, { targetVersion: '1.2' });
    const result = new ObjectSchemaValidator(reg, { manifest: releaseManifest(fam, 2) }).validate(
      prim,
      'Parent',
      '1.2',
    );
    if (o.get('kid') !== null) expect(result.valid).toBe(false);
  });
});
