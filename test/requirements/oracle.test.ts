/**
 * Conformance with PyPA `packaging`: fixtures/requirements/oracle/packaging-oracle.json holds its answers
 * (regenerate with make_oracle.py in the same folder). `contains` with prereleases unset is left out on
 * purpose: packaging 25+ then admits a lone pre-release, specifierContains does not (see specifier.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateMarker, type MarkerEnvironment } from '../../src/requirements/markers.js';
import { filterVersions, specifierContains } from '../../src/requirements/specifier.js';

interface Oracle {
  packaging: string;
  versions: string[];
  specifiers: { specifier: string; filter: Record<string, string[]>; contains: Record<string, string[]> }[];
  environments: Record<string, MarkerEnvironment>;
  markers: { marker: string; results: Record<string, boolean> }[];
}

const oracle = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../fixtures/requirements/oracle/packaging-oracle.json', import.meta.url)),
    'utf8',
  ),
) as Oracle;

const options = (key: string) => (key === 'null' ? {} : { prereleases: key === 'true' });

describe(`specifier sets agree with packaging ${oracle.packaging}`, () => {
  it('has cases', () => {
    expect(oracle.specifiers.length).toBeGreaterThan(30);
  });

  it.each(oracle.specifiers.map((row) => [row.specifier || '(empty)', row] as const))('%s', (_, row) => {
    for (const [key, expected] of Object.entries(row.filter)) {
      expect(
        filterVersions(row.specifier, oracle.versions, options(key)),
        `filter prereleases=${key}`,
      ).toEqual(expected);
    }
    for (const [key, expected] of Object.entries(row.contains)) {
      const mine = oracle.versions.filter((v) => specifierContains(row.specifier, v, options(key)));
      expect(mine, `contains prereleases=${key}`).toEqual(expected);
    }
  });
});

describe(`markers agree with packaging ${oracle.packaging}`, () => {
  it.each(oracle.markers.map((row) => [row.marker, row] as const))('%s', (_, row) => {
    for (const [name, expected] of Object.entries(row.results)) {
      expect(evaluateMarker(row.marker, oracle.environments[name]), name).toBe(expected);
    }
  });
});
