import { satisfies as libSatisfies } from '@renovatebot/pep440';
import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  filterVersions,
  formatSpecifierSet,
  isValidVersion,
  normalizeVersion,
  parseSpecifierSet,
  parseVersion,
  sortVersions,
  specifierAllowsPrereleases,
  specifierClauses,
  specifierContains,
} from '../../src/requirements/specifier.js';

const contains = (spec: string, version: string, prereleases?: boolean) =>
  specifierContains(spec, version, prereleases === undefined ? {} : { prereleases });

describe('PEP 440 versions', () => {
  it('parses pre, post, dev, local and epochs', () => {
    const v = parseVersion('1!2.0rc1.post2.dev3+ubuntu.1');
    expect(v).toMatchObject({
      epoch: 1,
      release: [2, 0],
      pre: ['rc', 1],
      post: 2,
      dev: 3,
      local: 'ubuntu.1',
      public: '1!2.0rc1.post2.dev3',
      baseVersion: '1!2.0',
      isPrerelease: true,
      isDevrelease: true,
      isPostrelease: true,
    });
    expect(parseVersion('0.3.1')).toMatchObject({ epoch: 0, pre: null, post: null, dev: null, local: null });
    expect(parseVersion('1.0.post0')?.post).toBe(0);
    expect(parseVersion('1.0.dev0')?.dev).toBe(0);
  });

  it('rejects non-versions', () => {
    for (const bad of ['', 'foo', '1.0-foo', '2.0<2.1', '1..0', '^1.2'])
      expect(isValidVersion(bad)).toBe(false);
    expect(parseVersion('linux')).toBeNull();
  });

  it('normalizes spellings', () => {
    expect(normalizeVersion('1.0-RC1')).toBe('1.0rc1');
    expect(normalizeVersion('1.0alpha2')).toBe('1.0a2');
    expect(normalizeVersion('1.0-1')).toBe('1.0.post1');
    expect(normalizeVersion('v2.0')).toBe('2.0');
    expect(normalizeVersion('1.0+Local.7')).toBe('1.0+local.7');
    expect(normalizeVersion('nope')).toBeNull();
  });

  it('orders dev < pre < final < post, trailing zeros equal, epochs first', () => {
    const ordered = [
      '1.0.dev0',
      '1.0a1',
      '1.0b1',
      '1.0rc1',
      '1.0',
      '1.0+local',
      '1.0.post1',
      '1.1.dev1',
      '1.1',
    ];
    expect(sortVersions([...ordered].reverse())).toEqual(ordered);
    expect(compareVersions('1.0', '1.0.0')).toBe(0);
    expect(compareVersions('0.3.10', '0.3.9')).toBe(1);
    expect(compareVersions('1!0.1', '2.0')).toBe(1);
    expect(compareVersions('1.3b1', '1.3')).toBe(-1);
    expect(() => compareVersions('1.0', 'linux')).toThrow(/not a PEP 440 version: 'linux'/);
  });

  it('sorts invalid strings after valid ones', () => {
    expect(sortVersions(['2.0', 'weird', '1.0'])).toEqual(['1.0', '2.0', 'weird']);
  });
});

describe('specifier sets: parsing', () => {
  it('normalizes whitespace and keeps clause order', () => {
    const r = parseSpecifierSet(' >= 1.0 , != 2.0,<3 ');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(formatSpecifierSet(r.clauses)).toBe('>=1.0,!=2.0,<3');
    expect(r.clauses.map((c) => c.operator)).toEqual(['>=', '!=', '<']);
  });

  it('parses every operator', () => {
    const r = specifierClauses('===0.3.4,~=2.2,==1.4.*,!=1.5.*,<=3,>=1,<4,>0.1');
    expect(r.map((c) => [c.operator, c.version, c.wildcard])).toEqual([
      ['===', '0.3.4', false],
      ['~=', '2.2', false],
      ['==', '1.4', true],
      ['!=', '1.5', true],
      ['<=', '3', false],
      ['>=', '1', false],
      ['<', '4', false],
      ['>', '0.1', false],
    ]);
  });

  it('empty text is the empty set', () => {
    expect(parseSpecifierSet('')).toEqual({ ok: true, clauses: [] });
    expect(parseSpecifierSet('   ')).toEqual({ ok: true, clauses: [] });
  });

  it.each([
    ['>=2.0<2.1', /missing comma/],
    ['~=1', /two release segments/],
    ['>=1.0.*', /only allowed with == and !=/],
    ['>=1.0+local', /local versions/],
    ['>=1.0,', /empty clause/],
    ['1.0', /no comparison operator/],
    ['>=', /no version/],
    ['==foo', /not a PEP 440 version/],
  ])('rejects %s', (text, message) => {
    const r = parseSpecifierSet(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('reports the offset of the bad clause', () => {
    const r = parseSpecifierSet('>=1.0, ~=2');
    expect(r).toMatchObject({ ok: false, clause: '~=2', offset: 7 });
  });

  it('accepts arbitrary strings after ===', () => {
    expect(specifierClauses('===foo-bar')[0]).toMatchObject({ operator: '===', version: 'foo-bar' });
  });

  it('throws a SyntaxError naming the set from specifierClauses', () => {
    expect(() => specifierClauses('>=2.0<2.1')).toThrow(/in '>=2.0<2.1'/);
  });
});

describe('specifier sets: containment', () => {
  it('>=, >, <, <=, ==, != on final releases', () => {
    expect(contains('>=0.3.1', '0.3.1')).toBe(true);
    expect(contains('>=0.3.1', '0.3.0')).toBe(false);
    expect(contains('>0.3.1', '0.3.1')).toBe(false);
    expect(contains('>0.3.1', '0.3.2')).toBe(true);
    expect(contains('<0.3.1', '0.3.0')).toBe(true);
    expect(contains('<0.3.1', '0.3.1')).toBe(false);
    expect(contains('<=0.3.1', '0.3.1')).toBe(true);
    expect(contains('==0.3.1', '0.3.1.0')).toBe(true);
    expect(contains('==0.3.1', '0.3.2')).toBe(false);
    expect(contains('!=0.2.0', '0.2.0')).toBe(false);
    expect(contains('!=0.2.0', '0.2.1')).toBe(true);
  });

  it('comma lists mean AND, in any order', () => {
    for (const spec of ['Babel!=2.4.0,>=2.3.4', '>=2.3.4,!=2.4.0']) {
      const s = spec.replace(/^[A-Za-z]+/, '');
      expect(contains(s, '2.3.4')).toBe(true);
      expect(contains(s, '2.4.0')).toBe(false);
      expect(contains(s, '2.5.0')).toBe(true);
      expect(contains(s, '2.3.3')).toBe(false);
    }
    expect(contains('<0.8,>=0.7.1', '0.7.2')).toBe(true);
    expect(contains('<0.8,>=0.7.1', '0.8')).toBe(false);
    expect(contains('>=0.4.10,!=0.4.14', '0.4.14')).toBe(false);
  });

  it('=== is a string match, not a version comparison', () => {
    expect(contains('===0.3.4', '0.3.4')).toBe(true);
    expect(contains('===0.3.4', '0.3.4.0')).toBe(false);
    expect(contains('==0.3.4', '0.3.4.0')).toBe(true);
    expect(contains('===1.0', '1.0+local')).toBe(false);
    expect(contains('===foo-bar', 'foo-bar')).toBe(true);
    expect(contains('===foo-bar', 'FOO-BAR')).toBe(true);
    expect(contains('===foo-bar', 'foo_bar')).toBe(false);
    // A non-version string satisfies nothing but ===.
    expect(contains('>=1.0', 'foo-bar')).toBe(false);
  });

  it('~= is compatible release', () => {
    expect(contains('~=2.2', '2.2.5')).toBe(true);
    expect(contains('~=2.2', '2.9')).toBe(true);
    expect(contains('~=2.2', '3.0')).toBe(false);
    expect(contains('~=2.2', '2.1')).toBe(false);
    expect(contains('~=1.4.2', '1.4.5')).toBe(true);
    expect(contains('~=1.4.2', '1.5.0')).toBe(false);
    expect(contains('~=1.4.2', '1.4.1')).toBe(false);
    expect(contains('~=2.2.0rc1', '2.2.0rc2')).toBe(true);
    expect(contains('~=2.2.0rc1', '2.3.0')).toBe(false);
    expect(contains('~=1!2.2', '1!2.5')).toBe(true);
    expect(contains('~=1!2.2', '2.5')).toBe(false);
  });

  it('==X.* and !=X.* are prefix matches', () => {
    expect(contains('==1.4.*', '1.4')).toBe(true);
    expect(contains('==1.4.*', '1.4.7')).toBe(true);
    expect(contains('==1.4.*', '1.4.7.post1')).toBe(true);
    expect(contains('==1.4.*', '1.40')).toBe(false);
    expect(contains('==1.4.*', '1.5')).toBe(false);
    expect(contains('==1.*', '1')).toBe(true);
    expect(contains('!=1.4.*', '1.4.2')).toBe(false);
    expect(contains('!=1.4.*', '1.5.0')).toBe(true);
    expect(contains('==1.4.*', '1.4rc1', true)).toBe(true);
  });

  it('local versions: ignored by == unless the clause has one; > excludes locals of V', () => {
    expect(contains('==1.0', '1.0+local.1')).toBe(true);
    expect(contains('==1.0+local.1', '1.0+local.1')).toBe(true);
    expect(contains('==1.0+local.1', '1.0+local.2')).toBe(false);
    expect(contains('>1.0', '1.0+local.1')).toBe(false);
    expect(contains('<=1.0', '1.0+local.1')).toBe(true);
  });

  it('exclusive < does not admit pre-releases of the bound; exclusive > does not admit its post-releases', () => {
    expect(contains('<2.0', '2.0rc1', true)).toBe(false);
    expect(contains('<2.0', '1.9rc1', true)).toBe(true);
    expect(contains('<2.0rc2', '2.0rc1', true)).toBe(true);
    // `<` naming a pre-release admits pre-releases (packaging 25+).
    expect(contains('<2.0rc2', '2.0rc1')).toBe(true);
    expect(contains('<1.0.post1', '1.0rc1', true)).toBe(true);
    expect(contains('<1.0.post1', '1.0.post1.dev1', true)).toBe(false);
    expect(contains('<1.0.dev5', '1.0.dev1')).toBe(true);
    expect(contains('<1.0rc1', '1.0b2')).toBe(true);
    expect(contains('>1.0rc1', '1.0.post1')).toBe(true);
    expect(contains('>1.0rc1', '1.0+local')).toBe(true);
    expect(contains('>1.0a1', '1.0a1+local', true)).toBe(false);
    expect(contains('>1.0', '1.0.post1')).toBe(false);
    expect(contains('>1.0', '1.1')).toBe(true);
    expect(contains('>1.0.post1', '1.0.post2')).toBe(true);
    expect(contains('>=1.0', '1.0.post1')).toBe(true);
  });

  it('epochs', () => {
    expect(contains('>=2.0', '1!1.0')).toBe(true);
    expect(contains('<1!0.5', '1.0')).toBe(true);
    expect(contains('==1!2.0', '1!2.0')).toBe(true);
    expect(contains('==1!2.0', '2.0')).toBe(false);
    expect(contains('<2.0', '1!1.0')).toBe(false);
  });

  it('empty set admits every final release', () => {
    expect(contains('', '0.0.1')).toBe(true);
    expect(contains('', '99')).toBe(true);
    expect(contains('', '1.0b1')).toBe(false);
    expect(contains('', '1.0b1', true)).toBe(true);
  });
});

describe('pre-releases', () => {
  it('are excluded by default, admitted with prereleases: true', () => {
    expect(contains('>=0.3.0', '0.3.1.dev2')).toBe(false);
    expect(contains('>=0.3.0', '0.3.1.dev2', true)).toBe(true);
    expect(contains('>=0.3.0', '0.3.1rc1')).toBe(false);
    expect(contains('>=1.0b1', '1.0b1', false)).toBe(false);
  });

  it('are admitted when an inclusive clause names one (as a whole set, unlike the library)', () => {
    expect(specifierAllowsPrereleases('>=1.0b1,<2.0')).toBe(true);
    expect(contains('>=1.0b1,<2.0', '1.0b2')).toBe(true);
    expect(libSatisfies('1.0b2', '>=1.0b1,<2.0')).toBe(false);
    expect(contains('==1.3rc1', '1.3rc1')).toBe(true);
    expect(contains('~=2.0a1', '2.0a3')).toBe(true);
  });

  it('!= and ==X.* naming a pre-release do not admit pre-releases; other operators do', () => {
    expect(specifierAllowsPrereleases('!=1.3b1,<1.4,>=1.2.1')).toBe(false);
    expect(specifierAllowsPrereleases('<1.4rc1')).toBe(true);
    expect(specifierAllowsPrereleases('>1.0.dev0')).toBe(true);
    expect(specifierAllowsPrereleases('===1.0b1')).toBe(true);
    expect(specifierAllowsPrereleases('===weird')).toBe(false);
    expect(specifierAllowsPrereleases('>=1.0,<2')).toBe(false);
    expect(contains('!=1.3b1,<1.4,>=1.2.1', '1.3b2')).toBe(false);
  });

  it('sphinx!=1.3b1,<1.4,>=1.2.1', () => {
    const spec = '!=1.3b1,<1.4,>=1.2.1';
    expect(contains(spec, '1.2.1')).toBe(true);
    expect(contains(spec, '1.3.6')).toBe(true);
    expect(contains(spec, '1.4')).toBe(false);
    expect(contains(spec, '1.2.0')).toBe(false);
    expect(contains(spec, '1.3b1', true)).toBe(false);
    expect(contains(spec, '1.3b2', true)).toBe(true);
    expect(contains(spec, '1.4b1', true)).toBe(false);
  });

  it('filterVersions falls back to pre-releases only when no final release matches', () => {
    expect(filterVersions('>=1.0', ['0.9', '1.0rc1', '1.1rc1', '1.1.dev1'])).toEqual(['1.1rc1', '1.1.dev1']);
    expect(filterVersions('>=1.0', ['0.9', '1.1rc1', '1.0'])).toEqual(['1.0']);
    expect(filterVersions('>=1.0', ['0.9', '1.1rc1'], { prereleases: false })).toEqual([]);
    expect(filterVersions('>=1.0', ['0.9', '1.1rc1', '1.0'], { prereleases: true })).toEqual([
      '1.1rc1',
      '1.0',
    ]);
    // 1.0rc1 sorts before 1.0, so >=1.0 never admits it.
    expect(filterVersions('>=1.0', ['1.0rc1'], { prereleases: true })).toEqual([]);
    expect(filterVersions('>=1.0b1', ['1.0b1', '1.0'])).toEqual(['1.0b1', '1.0']);
  });
});
