import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ENVIRONMENT,
  evaluateMarker,
  formatMarker,
  MarkerEvaluationError,
  MarkerSyntaxError,
  markerVariables,
  parseMarker,
  pythonEnvironment,
  tryParseMarker,
} from '../../src/requirements/markers.js';

const py27 = pythonEnvironment({ python: '2.7.18' });
const py36 = pythonEnvironment({ python: '3.6' });
const py310 = pythonEnvironment({ python: '3.10.4' });
const win = pythonEnvironment({ python: '3.8', platform: 'win32' });

describe('environments', () => {
  it('default is CPython 3 on x86_64 Linux', () => {
    expect(DEFAULT_ENVIRONMENT).toMatchObject({
      python_version: '3.8',
      python_full_version: '3.8.10',
      sys_platform: 'linux',
      platform_system: 'Linux',
      os_name: 'posix',
      platform_machine: 'x86_64',
      implementation_name: 'cpython',
      platform_python_implementation: 'CPython',
      extra: '',
    });
  });

  it('pythonEnvironment derives short and full versions and platform names', () => {
    expect(py36.python_version).toBe('3.6');
    expect(py36.python_full_version).toBe('3.6.0');
    expect(py27.python_version).toBe('2.7');
    expect(py27.python_full_version).toBe('2.7.18');
    expect(win).toMatchObject({ sys_platform: 'win32', os_name: 'nt', platform_system: 'Windows' });
    expect(pythonEnvironment({ overrides: { platform_machine: 'aarch64' } }).platform_machine).toBe(
      'aarch64',
    );
  });
});

describe('parseMarker', () => {
  it('parses comparisons with single or double quotes and either side', () => {
    expect(parseMarker("python_version=='2.7'")).toEqual({
      type: 'compare',
      left: { type: 'variable', name: 'python_version' },
      op: '==',
      right: { type: 'string', value: '2.7' },
    });
    expect(parseMarker('"linux" == sys_platform')).toMatchObject({
      left: { type: 'string', value: 'linux' },
      right: { type: 'variable', name: 'sys_platform' },
    });
  });

  it('and binds tighter than or; parentheses group', () => {
    const m = parseMarker("python_version=='2.7' or python_version=='3.6' and sys_platform=='linux'");
    expect(m.type).toBe('or');
    expect(formatMarker(m)).toBe(
      'python_version == "2.7" or (python_version == "3.6" and sys_platform == "linux")',
    );
    const grouped = parseMarker("(python_version=='2.7' or python_version=='3.6') and sys_platform=='linux'");
    expect(grouped.type).toBe('and');
    expect(formatMarker(grouped)).toBe(
      '(python_version == "2.7" or python_version == "3.6") and sys_platform == "linux"',
    );
  });

  it('parses every operator including in / not in', () => {
    for (const op of ['===', '==', '!=', '~=', '<=', '>=', '<', '>', 'in', 'not in']) {
      const m = parseMarker(`python_version ${op} '3.6'`);
      expect(m).toMatchObject({ type: 'compare', op });
    }
    expect(parseMarker("'linux' not   in sys_platform")).toMatchObject({ op: 'not in' });
  });

  it('maps legacy dotted names to PEP 508 names', () => {
    expect(markerVariables(parseMarker("sys.platform == 'linux' and os.name == 'posix'"))).toEqual(
      new Set(['sys_platform', 'os_name']),
    );
    expect(markerVariables(parseMarker("python_implementation == 'CPython'"))).toEqual(
      new Set(['platform_python_implementation']),
    );
  });

  it.each([
    ['', /empty marker/],
    ["python_version == '2.7", /unterminated string/],
    ["python_verison == '2.7'", /unknown marker variable 'python_verison'/],
    ["python_version '2.7'", /expected a comparison operator/],
    ["python_version == '2.7' and", /expected a marker variable or quoted string/],
    ["(python_version == '2.7'", /expected '\)'/],
    ["python_version == '2.7')", /expected 'and', 'or' or end/],
    ["python_version not '2.7'", /expected 'in' after 'not'/],
    ["python_version = '2.7'", /unexpected character '='/],
    ['python_version == 2.7', /unexpected character '2'/],
  ])('rejects %j', (text, message) => {
    expect(() => parseMarker(text)).toThrow(MarkerSyntaxError);
    expect(() => parseMarker(text)).toThrow(message);
  });

  it('reports the column', () => {
    const r = tryParseMarker("python_version == '2.7' andd sys_platform == 'x'");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.offset).toBe(24);
  });
});

describe('evaluateMarker', () => {
  it("Nova's enum34 or-chain", () => {
    const m = "python_version=='2.7' or python_version=='2.6' or python_version=='3.3'";
    expect(evaluateMarker(m, py27)).toBe(true);
    expect(evaluateMarker(m, { python_version: '3.3' })).toBe(true);
    expect(evaluateMarker(m, py36)).toBe(false);
  });

  it('python_version compares as PEP 440, not as strings', () => {
    expect(evaluateMarker("python_version<'3.0'", py27)).toBe(true);
    expect(evaluateMarker("python_version<'3.0'", py36)).toBe(false);
    expect(evaluateMarker("python_version>='3.7'", py310)).toBe(true);
    expect(evaluateMarker("python_version<'3.10'", py36)).toBe(true);
    expect(evaluateMarker("python_version<'3.10'", py310)).toBe(false);
    expect(evaluateMarker("python_version=='3.6.0'", py36)).toBe(true);
    expect(evaluateMarker("python_full_version>='3.10.1'", py310)).toBe(true);
    expect(evaluateMarker("python_full_version<'3.10.4'", py310)).toBe(false);
    expect(evaluateMarker("python_version~='3.6'", py310)).toBe(true);
    expect(evaluateMarker("python_version~='3.6'", py27)).toBe(false);
    expect(evaluateMarker("python_version==='3.6'", py36)).toBe(true);
    expect(evaluateMarker("python_version==='3.6.0'", py36)).toBe(false);
    expect(evaluateMarker("'3.0' > python_version", py27)).toBe(true);
  });

  it("sys_platform!='win32' and other string variables", () => {
    expect(evaluateMarker("sys_platform!='win32'")).toBe(true);
    expect(evaluateMarker("sys_platform!='win32'", win)).toBe(false);
    expect(evaluateMarker("platform_system == 'Windows'", win)).toBe(true);
    expect(evaluateMarker("os_name == 'nt'", win)).toBe(true);
    expect(evaluateMarker("platform_machine == 'x86_64'")).toBe(true);
    expect(evaluateMarker("implementation_name == 'cpython'")).toBe(true);
    expect(evaluateMarker("platform_python_implementation != 'PyPy'")).toBe(true);
    // Plain string ordering for non-version variables.
    expect(evaluateMarker("sys_platform < 'win32'")).toBe(true);
    expect(evaluateMarker("sys_platform > 'win32'")).toBe(false);
  });

  it('in and not in are substring tests', () => {
    expect(evaluateMarker("python_version in '2.6 2.7'", py27)).toBe(true);
    expect(evaluateMarker("python_version in '2.6 2.7'", py36)).toBe(false);
    expect(evaluateMarker("'linux' in sys_platform")).toBe(true);
    expect(evaluateMarker("'win' not in sys_platform")).toBe(true);
    expect(evaluateMarker("'win' not in sys_platform", win)).toBe(false);
  });

  it('and / or / parentheses', () => {
    const m = "(python_version=='2.7' or python_version>='3.6') and sys_platform!='win32'";
    expect(evaluateMarker(m, py27)).toBe(true);
    expect(evaluateMarker(m, py310)).toBe(true);
    expect(evaluateMarker(m, { python_version: '3.5' })).toBe(false);
    expect(evaluateMarker(m, { ...py310, sys_platform: 'win32' })).toBe(false);
    expect(evaluateMarker("python_version=='2.7' and sys_platform=='linux' or os_name=='nt'", win)).toBe(
      true,
    );
  });

  it('extra: empty by default, names compared after normalisation', () => {
    expect(evaluateMarker("extra == 'xenapi'")).toBe(false);
    expect(evaluateMarker("extra == 'xenapi'", { extra: 'xenapi' })).toBe(true);
    expect(evaluateMarker("extra == 'Os_XenAPI'", { extra: 'os-xenapi' })).toBe(true);
  });

  it('partial environments fall back to the default', () => {
    expect(evaluateMarker("python_version=='2.7' and sys_platform=='linux'", { python_version: '2.7' })).toBe(
      true,
    );
  });

  it('~= on something that is no version is an evaluation error', () => {
    expect(() => evaluateMarker("sys_platform ~= 'linux'")).toThrow(MarkerEvaluationError);
  });

  it('accepts a parsed marker', () => {
    const m = parseMarker("python_version >= '3'");
    expect(evaluateMarker(m, py36)).toBe(true);
    expect(evaluateMarker(m, py27)).toBe(false);
  });
});
