import { describe, expect, it } from 'vitest';
import { pythonEnvironment } from '../../src/requirements/markers.js';
import { parseRequirement } from '../../src/requirements/requirement-line.js';
import {
  allowedVersions,
  excludedVersions,
  highestSatisfying,
  lowestSatisfying,
  minimumAllowed,
  minimumBound,
  pinnedVersion,
  satisfies,
  whichVersionsSatisfy,
} from '../../src/requirements/version-range.js';

/** os-xenapi release tags (reference, section 1.1). */
const OS_XENAPI = ['0.1.0', '0.1.1', '0.2.0', '0.3.0', '0.3.1', '0.3.2', '0.3.3', '0.3.4'];

const entry = (text: string, constraint = false) => ({ ...parseRequirement(text), constraint });

describe('whichVersionsSatisfy / lowestSatisfying', () => {
  it.each([
    ['>=0.1.1', ['0.1.1', '0.2.0', '0.3.0', '0.3.1', '0.3.2', '0.3.3', '0.3.4']],
    ['>0.3.1', ['0.3.2', '0.3.3', '0.3.4']],
    ['<0.2.0', ['0.1.0', '0.1.1']],
    ['<=0.2.0', ['0.1.0', '0.1.1', '0.2.0']],
    ['==0.3.3', ['0.3.3']],
    ['===0.3.4', ['0.3.4']],
    ['!=0.3.0,>=0.2.0,<0.3.3', ['0.2.0', '0.3.1', '0.3.2']],
    ['<0.3.3,!=0.3.0,>=0.2.0', ['0.2.0', '0.3.1', '0.3.2']],
    ['~=0.3.1', ['0.3.1', '0.3.2', '0.3.3', '0.3.4']],
    ['~=0.1', ['0.1.0', '0.1.1', '0.2.0', '0.3.0', '0.3.1', '0.3.2', '0.3.3', '0.3.4']],
    ['==0.3.*', ['0.3.0', '0.3.1', '0.3.2', '0.3.3', '0.3.4']],
    ['!=0.3.*', ['0.1.0', '0.1.1', '0.2.0']],
    ['', OS_XENAPI],
    ['>=1.0', []],
  ])('%s', (spec, expected) => {
    expect(whichVersionsSatisfy(spec, OS_XENAPI)).toEqual(expected);
    expect(lowestSatisfying(spec, OS_XENAPI)).toBe(expected[0] ?? null);
    expect(highestSatisfying(spec, OS_XENAPI)).toBe(expected.at(-1) ?? null);
  });

  it('sorts by PEP 440 (not by string) and drops duplicates', () => {
    expect(whichVersionsSatisfy('>=0.3', ['0.10.0', '0.9.0', '0.3.0', '0.9.0', '0.2.0'])).toEqual([
      '0.3.0',
      '0.9.0',
      '0.10.0',
    ]);
  });

  it('=== does not match a version spelled differently', () => {
    expect(whichVersionsSatisfy('===0.3', ['0.3.0', '0.3'])).toEqual(['0.3']);
    expect(whichVersionsSatisfy('==0.3', ['0.3.0', '0.3'])).toEqual(['0.3.0', '0.3']);
  });

  it('pre-release handling', () => {
    const known = ['0.3.3', '0.3.4rc1', '0.3.4', '0.4.0.dev1'];
    expect(whichVersionsSatisfy('>0.3.3', known)).toEqual(['0.3.4']);
    expect(whichVersionsSatisfy('>0.3.3', known, { prereleases: true })).toEqual([
      '0.3.4rc1',
      '0.3.4',
      '0.4.0.dev1',
    ]);
    expect(whichVersionsSatisfy('>0.3.4', known)).toEqual(['0.4.0.dev1']);
    expect(whichVersionsSatisfy('>0.3.4', known, { prereleases: false })).toEqual([]);
    expect(whichVersionsSatisfy('>=0.3.4rc1', known)).toEqual(['0.3.4rc1', '0.3.4', '0.4.0.dev1']);
    expect(lowestSatisfying('>=0.3.4rc1', known)).toBe('0.3.4rc1');
  });

  it('satisfies', () => {
    expect(satisfies('0.3.1', '>=0.1.1,!=0.2.0')).toBe(true);
    expect(satisfies('0.2.0', '>=0.1.1,!=0.2.0')).toBe(false);
    expect(satisfies('0.3.1.dev2', '>=0.3.0')).toBe(false);
    expect(satisfies('0.3.1.dev2', '>=0.3.0', { prereleases: true })).toBe(true);
  });
});

describe('minimumBound', () => {
  it.each([
    ['>=0.3.1', { version: '0.3.1', inclusive: true, clause: '>=0.3.1' }],
    ['>0.3.1', { version: '0.3.1', inclusive: false, clause: '>0.3.1' }],
    ['==0.3.3', { version: '0.3.3', inclusive: true, clause: '==0.3.3' }],
    ['===0.3.4', { version: '0.3.4', inclusive: true, clause: '===0.3.4' }],
    ['~=2.2', { version: '2.2', inclusive: true, clause: '~=2.2' }],
    ['==1.4.*', { version: '1.4', inclusive: true, clause: '==1.4.*' }],
    ['!=2.1.0,>=2.0.0', { version: '2.0.0', inclusive: true, clause: '>=2.0.0' }],
    ['>=1.0,>=1.5,<3', { version: '1.5', inclusive: true, clause: '>=1.5' }],
    ['>=1.5,>1.5', { version: '1.5', inclusive: false, clause: '>1.5' }],
    ['>=1.0,!=1.0', { version: '1.0', inclusive: false, clause: '>=1.0' }],
    ['>=1.0,!=1.0.0', { version: '1.0', inclusive: false, clause: '>=1.0' }],
    ['===foo', { version: 'foo', inclusive: true, clause: '===foo' }],
  ])('%s', (spec, bound) => {
    expect(minimumBound(spec)).toEqual(bound);
  });

  it.each(['', '<2', '<=2,!=1.0', '!=1.0'])('%s has no lower bound', (spec) => {
    expect(minimumBound(spec)).toBeNull();
  });

  it('pinnedVersion and excludedVersions', () => {
    expect(pinnedVersion('==0.3.3')).toBe('0.3.3');
    expect(pinnedVersion('===0.3.4')).toBe('0.3.4');
    expect(pinnedVersion('==0.3.*')).toBeNull();
    expect(pinnedVersion('>=0.3.3')).toBeNull();
    expect(excludedVersions('setuptools!=24.0.0,!=34.0.*,>=16.0'.slice('setuptools'.length))).toEqual([
      '24.0.0',
      '34.0.*',
    ]);
  });
});

describe('minimumAllowed / allowedVersions', () => {
  it('minimumAllowed for the os-xenapi line forms', () => {
    expect(minimumAllowed(entry('os-xenapi>=0.1.1'), OS_XENAPI)).toBe('0.1.1');
    expect(minimumAllowed(entry('os-xenapi>=0.3.4'), OS_XENAPI)).toBe('0.3.4');
    expect(minimumAllowed(entry('os-xenapi==0.3.1'), OS_XENAPI)).toBe('0.3.1');
    expect(minimumAllowed(entry('os-xenapi===0.2.0'), OS_XENAPI)).toBe('0.2.0');
    expect(minimumAllowed(entry('os-xenapi'), OS_XENAPI)).toBe('0.1.0');
    expect(minimumAllowed(entry('os-xenapi>=0.4'), OS_XENAPI)).toBeNull();
    expect(minimumAllowed(entry('os-xenapi>=0.1.1'), [])).toBeNull();
  });

  it('intersects requirement and constraint lines', () => {
    const result = allowedVersions(
      [entry('os-xenapi>=0.3.1'), entry('os-xenapi===0.3.4', true)],
      OS_XENAPI,
      pythonEnvironment(),
    );
    expect(result.versions).toEqual(['0.3.4']);
    expect(result.minimum).toBe('0.3.4');
    expect(result.required).toBe(true);
  });

  it('chooses lines by marker', () => {
    const lines = [
      entry("pytest===4.6.5;python_version=='2.7'", true),
      entry("pytest===5.1.2;python_version=='3.6'", true),
      entry("pytest===6.2.5;python_version>='3.7'", true),
    ];
    const known = ['4.6.5', '5.1.2', '6.2.5'];
    const py27 = allowedVersions(lines, known, pythonEnvironment({ python: '2.7' }));
    expect(py27.versions).toEqual(['4.6.5']);
    expect(py27.applicable).toHaveLength(1);
    expect(py27.skipped).toHaveLength(2);
    expect(py27.required).toBe(false);
    expect(allowedVersions(lines, known, { python_version: '3.6' }).versions).toEqual(['5.1.2']);
    expect(allowedVersions(lines, known, { python_version: '3.10' }).versions).toEqual(['6.2.5']);
  });

  it('no applicable line allows every known version', () => {
    const result = allowedVersions([entry("enum34;python_version=='2.7'")], ['1.1.6', '1.1.10'], {
      python_version: '3.8',
    });
    expect(result.versions).toEqual(['1.1.6', '1.1.10']);
    expect(result.required).toBe(false);
    expect(result.skipped).toHaveLength(1);
  });

  it('lines with no common version give an empty result', () => {
    const result = allowedVersions([entry('os-xenapi>=0.3.1'), entry('os-xenapi==0.2.0', true)], OS_XENAPI);
    expect(result.versions).toEqual([]);
    expect(result.minimum).toBeNull();
  });

  it('refuses lines for different projects', () => {
    expect(() => allowedVersions([entry('os-xenapi>=0.1'), entry('XenAPI>=1.2')], OS_XENAPI)).toThrow(
      /several projects: os-xenapi, xenapi/,
    );
    // os_xenapi and os-xenapi are one project.
    expect(allowedVersions([entry('os_xenapi>=0.2'), entry('OS.XenAPI<0.3')], OS_XENAPI).versions).toEqual([
      '0.2.0',
    ]);
  });
});
