import { describe, expect, it } from 'vitest';
import { PyOverflowError, PyTypeError, PyValueError } from '../../src/objects/errors.js';
import { isotime, parseIsotime } from '../../src/objects/iso8601.js';
import { ipAddress, ipNetwork } from '../../src/objects/netaddr.js';
import {
  pyEquals,
  pyFloatOf,
  pyFloatRepr,
  pyInt,
  pyIterate,
  pyRepr,
  pyStr,
  pyTruthy,
  pythonJsonDumps,
} from '../../src/objects/python-builtins.js';
import { PyDateTime, PyDict, PyFloat, PySet, PyTuple, UTC } from '../../src/objects/python-values.js';
import {
  compareVersions,
  convertVersionToTuple,
  isCompatible,
  minorsUpTo,
} from '../../src/objects/versions.js';

describe('int()', () => {
  it('follows Python int() for strings, floats and bools', () => {
    expect(pyInt('12')).toBe(12);
    expect(pyInt(' -7 ')).toBe(-7);
    expect(pyInt('1_000')).toBe(1000);
    expect(pyInt(1.9)).toBe(1);
    expect(pyInt(-1.9)).toBe(-1);
    expect(pyInt(true)).toBe(1);
    expect(pyInt(new PyFloat(3))).toBe(3);
  });
  it('raises ValueError, TypeError and OverflowError like Python', () => {
    expect(() => pyInt('1.5')).toThrow(PyValueError);
    expect(() => pyInt('1.5')).toThrow("invalid literal for int() with base 10: '1.5'");
    expect(() => pyInt('')).toThrow(PyValueError);
    expect(() => pyInt([1])).toThrow(PyTypeError);
    expect(() => pyInt(Number.NaN)).toThrow(PyValueError);
    expect(() => pyInt(Number.POSITIVE_INFINITY)).toThrow(PyOverflowError);
  });
});

describe('float()', () => {
  it('parses Python float literals', () => {
    expect(pyFloatOf('1.5')).toBe(1.5);
    expect(pyFloatOf(' 1e3 ')).toBe(1000);
    expect(pyFloatOf('-inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(pyFloatOf('nan'))).toBe(true);
    expect(pyFloatOf('.5')).toBe(0.5);
    expect(pyFloatOf(false)).toBe(0);
    expect(() => pyFloatOf('1.2.3')).toThrow(PyValueError);
    expect(() => pyFloatOf({})).toThrow(PyTypeError);
  });
});

describe('str() and repr()', () => {
  it('formats floats as Python repr does', () => {
    expect(pyFloatRepr(1)).toBe('1.0');
    expect(pyFloatRepr(0.1)).toBe('0.1');
    expect(pyFloatRepr(1e16)).toBe('1e+16');
    expect(pyFloatRepr(1.5e16)).toBe('1.5e+16');
    expect(pyFloatRepr(123456789012345.6)).toBe('123456789012345.6');
    expect(pyFloatRepr(0.0001)).toBe('0.0001');
    expect(pyFloatRepr(0.00001)).toBe('1e-05');
    expect(pyFloatRepr(-2.5e-7)).toBe('-2.5e-07');
    expect(pyStr(new PyFloat(2))).toBe('2.0');
    expect(pyStr(2)).toBe('2');
  });
  it('formats str, bool, None and containers', () => {
    expect(pyRepr("it's")).toBe('"it\'s"');
    expect(pyRepr('a\nb')).toBe("'a\\nb'");
    expect(pyStr(true)).toBe('True');
    expect(pyStr(null)).toBe('None');
    expect(pyRepr(['a', 1, null])).toBe("['a', 1, None]");
    expect(pyRepr(new PyTuple([1]))).toBe('(1,)');
    expect(pyRepr(new PySet([]))).toBe('set()');
    expect(pyRepr({ a: 1 })).toBe("{'a': 1}");
  });
  it('formats datetimes as str(datetime)', () => {
    const d = new PyDateTime(
      { year: 2020, month: 1, day: 2, hour: 3, minute: 4, second: 5, microsecond: 60 },
      UTC,
    );
    expect(pyStr(d)).toBe('2020-01-02 03:04:05.000060+00:00');
    expect(pyStr(d.withTz(null).withMicrosecond(0))).toBe('2020-01-02 03:04:05');
  });
});

describe('truthiness, equality and iteration', () => {
  it('matches Python bool()', () => {
    expect(pyTruthy('false')).toBe(true);
    expect(pyTruthy('')).toBe(false);
    expect(pyTruthy(0)).toBe(false);
    expect(pyTruthy(Number.NaN)).toBe(true);
    expect(pyTruthy([])).toBe(false);
    expect(pyTruthy({})).toBe(false);
    expect(pyTruthy(new PySet([1]))).toBe(true);
    expect(pyTruthy(ipAddress('0.0.0.0'))).toBe(false);
  });
  it('compares across the numeric tower and containers', () => {
    expect(pyEquals(1, new PyFloat(1))).toBe(true);
    expect(pyEquals(true, 1)).toBe(true);
    expect(pyEquals('1', 1)).toBe(false);
    expect(pyEquals([1, 2], new PyTuple([1, 2]))).toBe(false);
    expect(pyEquals(new PySet([1, 2]), new PySet([2, 1]))).toBe(true);
    expect(pyEquals({ a: [1] }, new PyDict([['a', [1]]]))).toBe(true);
    const utc = new PyDateTime({ year: 2020, month: 1, day: 1, hour: 12 }, UTC);
    const plus2 = new PyDateTime(
      { year: 2020, month: 1, day: 1, hour: 14 },
      { offsetMinutes: 120, name: '+02:00' },
    );
    expect(pyEquals(utc, plus2)).toBe(true);
    expect(pyEquals(utc, utc.withTz(null))).toBe(false);
  });
  it('iterates str, dicts and sets as Python does', () => {
    expect(pyIterate('ab')).toEqual(['a', 'b']);
    expect(pyIterate({ x: 1, y: 2 })).toEqual(['x', 'y']);
    expect(() => pyIterate(5)).toThrow("'int' object is not iterable");
  });
  it('dumps JSON with Python separators', () => {
    expect(pythonJsonDumps({ a: [1, 'é', 1.5], b: null })).toBe('{"a": [1, "\\u00e9", 1.5], "b": null}');
  });
});

describe('iso8601', () => {
  it('parses ISO strings with UTC as the default zone', () => {
    const d = parseIsotime('2020-05-06T07:08:09.123456');
    expect(d.tz).toEqual(UTC);
    expect(d.microsecond).toBe(123456);
    expect(parseIsotime('2020-05-06 07:08').minute).toBe(8);
    expect(parseIsotime('20200506T070809Z').second).toBe(9);
    expect(parseIsotime('2020-05-06T07:08:09-05:30').tz).toEqual({ offsetMinutes: -330, name: '-05:30' });
    expect(parseIsotime('2020').month).toBe(1);
  });
  it('rejects malformed and out-of-range dates with ValueError', () => {
    expect(() => parseIsotime('2020-13-01')).toThrow(PyValueError);
    expect(() => parseIsotime('2021-02-29T00:00:00')).toThrow(PyValueError);
    expect(() => parseIsotime('yesterday')).toThrow(PyValueError);
    expect(() => parseIsotime(12)).toThrow(PyValueError);
  });
  it('formats isotime with Z or the zone name and without microseconds', () => {
    const d = new PyDateTime(
      { year: 2020, month: 5, day: 6, hour: 7, minute: 8, second: 9, microsecond: 5 },
      UTC,
    );
    expect(isotime(d)).toBe('2020-05-06T07:08:09Z');
    expect(isotime(d.withTz(null))).toBe('2020-05-06T07:08:09Z');
    expect(isotime(d.withTz({ offsetMinutes: 60, name: '+01:00' }))).toBe('2020-05-06T07:08:09+01:00');
  });
});

describe('netaddr', () => {
  it('parses and normalises addresses', () => {
    expect(ipAddress('192.168.0.1').version).toBe(4);
    expect(ipAddress('2001:DB8:0:0:0:0:0:1').text).toBe('2001:db8::1');
    expect(ipAddress('::ffff:10.0.0.1').text).toBe('::ffff:10.0.0.1');
    expect(ipAddress('1:0:1:1:1:1:1:1').text).toBe('1:0:1:1:1:1:1:1');
    expect(ipAddress(167772161).text).toBe('10.0.0.1');
    expect(() => ipAddress('10.0.0.256')).toThrow(PyValueError);
    expect(() => ipAddress('01.2.3.4')).toThrow(PyValueError);
    expect(() => ipAddress('10.0.0.1', 6)).toThrow(PyValueError);
  });
  it('parses networks keeping host bits', () => {
    expect(ipNetwork('10.0.0.5/8').toString()).toBe('10.0.0.5/8');
    expect(ipNetwork('10.0.0.0/255.255.0.0').toString()).toBe('10.0.0.0/16');
    expect(ipNetwork('fe80::1').toString()).toBe('fe80::1/128');
    expect(() => ipNetwork('10.0.0.0/33')).toThrow(PyValueError);
    expect(() => ipNetwork('10.0.0.0/8', 6)).toThrow(PyValueError);
  });
});

describe('versions', () => {
  it('compares as integer tuples', () => {
    expect(compareVersions('1.10', '1.9')).toBe(1);
    expect(compareVersions('1.5', '1.5.0')).toBe(-1);
    expect(convertVersionToTuple('1.2rc1')).toEqual([1, 2]);
    expect(() => convertVersionToTuple('1.x')).toThrow(PyValueError);
  });
  it('implements is_compatible with the same-major rule', () => {
    expect(isCompatible('1.2', '1.5')).toBe(true);
    expect(isCompatible('1.6', '1.5')).toBe(false);
    expect(isCompatible('2.0', '1.5')).toBe(false);
    expect(isCompatible('1.5.1', '1.5')).toBe(false);
    expect(minorsUpTo('2.2')).toEqual(['2.0', '2.1', '2.2']);
  });
});
