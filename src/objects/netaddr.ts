/**
 * The subset of netaddr the IP field types use: `IPAddress(value)` and `IPNetwork(value,
 * version=...)` construction (strict inet_pton parsing of text, integers accepted for addresses)
 * and `str()` (dotted quad; compact lower-case IPv6 with `::ffff:a.b.c.d` for mapped addresses).
 * Errors are raised as ValueError carrying netaddr's AddrFormatError text, as the field types
 * convert them.
 */
import { PyValueError } from './errors.js';
import { pyRepr } from './python-builtins.js';
import { PyFloat, PyIPAddress, PyIPNetwork, type PyValue } from './python-values.js';

const MAX4 = (1n << 32n) - 1n;
const MAX6 = (1n << 128n) - 1n;

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number.parseInt(p, 10);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIPv6(text: string): bigint | undefined {
  if (text.length === 0 || /[^0-9a-fA-F:.]/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string, allowV4Tail: boolean): number[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] as string;
      if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  let words: number[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0] as string, false);
    const tail = parseGroups(halves[1] as string, true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(text, true);
    if (!all) return undefined;
    if (all.length !== 8) return undefined;
    words = all;
  }
  return words.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
}

function formatIPv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => ((v >> s) & 0xffn).toString()).join('.');
}

function formatIPv6(v: bigint): string {
  if (v >> 32n === 0xffffn) return `::ffff:${formatIPv4(v & MAX4)}`;
  const words: string[] = [];
  for (let i = 7; i >= 0; i--) words.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return words.join(':');
  const head = words.slice(0, bestStart).join(':');
  const tail = words.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

export function makeIPAddress(version: 4 | 6, value: bigint): PyIPAddress {
  return new PyIPAddress(version, value, version === 4 ? formatIPv4(value) : formatIPv6(value));
}

/** `netaddr.IPAddress(value[, version])`. */
export function ipAddress(value: PyValue, version?: 4 | 6): PyIPAddress {
  if (value instanceof PyIPAddress) {
    if (version !== undefined && value.version !== version) {
      throw new PyValueError(`base address '${value.text}' is not IPv${version}`);
    }
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    if (typeof value === 'number' && !Number.isInteger(value)) {
      throw new PyValueError(`failed to detect a valid IP address from ${pyRepr(value)}`);
    }
    const n = BigInt(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    if (n < 0n || n > MAX6 || (version === 4 && n > MAX4)) {
      throw new PyValueError(`failed to detect a valid IP address from ${pyRepr(value)}`);
    }
    const v = version ?? (n <= MAX4 ? 4 : 6);
    return makeIPAddress(v, n);
  }
  if (typeof value === 'string') {
    if (version !== 6) {
      const v4 = parseIPv4(value);
      if (v4 !== undefined) return makeIPAddress(4, v4);
    }
    if (version !== 4) {
      const v6 = parseIPv6(value);
      if (v6 !== undefined) return makeIPAddress(6, v6);
    }
    throw new PyValueError(`failed to detect a valid IP address from ${pyRepr(value)}`);
  }
  if (value instanceof PyFloat)
    throw new PyValueError(`failed to detect a valid IP address from ${pyRepr(value)}`);
  throw new PyValueError(`unexpected type ${typeof value} for addr arg`);
}

function netmaskToPrefix(mask: bigint, bits: number): number | undefined {
  let prefix = 0;
  let seenZero = false;
  for (let i = bits - 1; i >= 0; i--) {
    const bit = (mask >> BigInt(i)) & 1n;
    if (bit === 1n) {
      if (seenZero) return undefined;
      prefix++;
    } else {
      seenZero = true;
    }
  }
  return prefix;
}

/** `netaddr.IPNetwork(value[, version])`: 'addr', 'addr/prefix' or 'addr/netmask'. */
export function ipNetwork(value: PyValue, version?: 4 | 6): PyIPNetwork {
  if (value instanceof PyIPNetwork) {
    if (version !== undefined && value.version !== version) {
      throw new PyValueError(`invalid IPNetwork ${value.toString()}`);
    }
    return value;
  }
  if (value instanceof PyIPAddress) return ipNetwork(value.text, version);
  if (typeof value !== 'string') throw new PyValueError(`invalid IPNetwork ${pyRepr(value)}`);
  const slash = value.split('/');
  if (slash.length > 2) throw new PyValueError(`invalid IPNetwork ${value}`);
  let ip: PyIPAddress;
  try {
    ip = ipAddress(slash[0] as string, version);
  } catch {
    throw new PyValueError(`invalid IPNetwork ${value}`);
  }
  if (typeof slash[0] !== 'string' || !/^[0-9a-fA-F:.]+$/.test(slash[0])) {
    throw new PyValueError(`invalid IPNetwork ${value}`);
  }
  const bits = ip.version === 4 ? 32 : 128;
  if (slash.length === 1) return new PyIPNetwork(ip, bits);
  const suffix = slash[1] as string;
  if (/^\d+$/.test(suffix)) {
    const prefix = Number.parseInt(suffix, 10);
    if (prefix > bits) throw new PyValueError(`invalid IPNetwork ${value}`);
    return new PyIPNetwork(ip, prefix);
  }
  if (ip.version === 4) {
    const mask = parseIPv4(suffix);
    const prefix = mask === undefined ? undefined : netmaskToPrefix(mask, 32);
    if (prefix !== undefined) return new PyIPNetwork(ip, prefix);
  }
  throw new PyValueError(`invalid IPNetwork ${value}`);
}
