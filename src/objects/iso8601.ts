/**
 * DateTime on the wire: `timeutils.parse_isotime` (the iso8601 package's grammar) going in, and
 * oslo.versionedobjects' `_utils.isotime` coming out ('%Y-%m-%dT%H:%M:%S' plus 'Z' or the zone
 * name; microseconds are dropped).
 */
import { PyValueError } from './errors.js';
import { PyDateTime, type PyTzInfo, UTC } from './python-values.js';

const ISO8601 =
  /^(?<year>[0-9]{4})(?:(?:-(?<monthdash>[0-9]{1,2})|(?<month>[0-9]{2})(?!$))(?:(?:-(?<daydash>[0-9]{1,2})|(?<day>[0-9]{2}))(?:(?<separator>[ T])(?<hour>[0-9]{2})(?::?(?<minute>[0-9]{2}))?(?::?(?<second>[0-9]{1,2})(?:[.,](?<fraction>[0-9]+))?)?(?<timezone>Z|(?<tzsign>[-+])(?<tzhour>[0-9]{2}):?(?<tzminute>[0-9]{2})?)?)?)?)?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** `datetime.datetime(...)` range checks. */
export function validateDateTimeParts(p: {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
}): void {
  if (p.year < 1 || p.year > 9999) throw new PyValueError(`year ${p.year} is out of range`);
  if (p.month < 1 || p.month > 12) throw new PyValueError('month must be in 1..12');
  if (p.day < 1 || p.day > daysInMonth(p.year, p.month))
    throw new PyValueError('day is out of range for month');
  if (p.hour > 23) throw new PyValueError('hour must be in 0..23');
  if (p.minute > 59) throw new PyValueError('minute must be in 0..59');
  if (p.second > 59) throw new PyValueError('second must be in 0..59');
  if (p.microsecond > 999999) throw new PyValueError('microsecond must be in 0..999999');
}

/**
 * `timeutils.parse_isotime(value)`: iso8601.parse_date with UTC as the default zone, so a string
 * always yields an aware datetime. Errors become ValueError, as oslo.utils does.
 */
export function parseIsotime(value: unknown): PyDateTime {
  if (typeof value !== 'string') {
    throw new PyValueError('expected string or bytes-like object');
  }
  // Python's `$` also matches before one trailing newline.
  const text = value.endsWith('\n') ? value.slice(0, -1) : value;
  const m = ISO8601.exec(text);
  if (!m?.groups) throw new PyValueError(`Unable to parse date string '${value}'`);
  const g = m.groups;
  const num = (s: string | undefined, dflt: number): number =>
    s === undefined ? dflt : Number.parseInt(s, 10);
  const fraction = g.fraction;
  const parts = {
    year: num(g.year, 1),
    month: num(g.month ?? g.monthdash, 1),
    day: num(g.day ?? g.daydash, 1),
    hour: num(g.hour, 0),
    minute: num(g.minute, 0),
    second: num(g.second, 0),
    microsecond: fraction === undefined ? 0 : Number.parseInt(fraction.padEnd(6, '0').slice(0, 6), 10),
  };
  validateDateTimeParts(parts);
  let tz: PyTzInfo = UTC;
  if (g.timezone !== undefined && g.timezone !== 'Z') {
    const hours = num(g.tzhour, 0);
    const minutes = num(g.tzminute, 0);
    const sign = g.tzsign === '-' ? -1 : 1;
    const offset = sign * (hours * 60 + minutes);
    if (Math.abs(offset) >= 24 * 60) {
      throw new PyValueError(
        'offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24).',
      );
    }
    tz = {
      offsetMinutes: offset,
      name: `${g.tzsign}${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`,
    };
  }
  return new PyDateTime(parts, tz);
}

/**
 * `oslo_versionedobjects._utils.isotime(at)`: `strftime('%Y-%m-%dT%H:%M:%S')` (glibc does not pad
 * years below 1000) then 'Z' for a UTC zone or a naive value, else the zone's `tzname()`.
 */
export function isotime(at: PyDateTime): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const st = `${at.year}-${p2(at.month)}-${p2(at.day)}T${p2(at.hour)}:${p2(at.minute)}:${p2(at.second)}`;
  const tz = at.tz ? at.tz.name : 'UTC';
  return st + (tz === 'UTC' || tz === 'UTC+00:00' ? 'Z' : tz);
}
