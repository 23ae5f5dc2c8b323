/**
 * Nova's `nova.network.model` as far as the NetworkModel / NetworkVIFModel field types need it:
 * `NetworkInfo.hydrate` and `VIF.hydrate` checks (mappings where Python does `cls(**x)`, iterables
 * where it loops, IP addresses that must parse when no version is given). Values are kept as the
 * JSON they were hydrated from; the defaults Python's constructors fill in are not added.
 */
import { PyTypeError, PyValueError } from './errors.js';
import type { JsonObject, JsonValue } from './model.js';
import { ipAddress } from './netaddr.js';
import { isPyIterable, pyIterate, pyTruthy } from './python-builtins.js';
import { isPlainDict, PyNetworkInfo, type PyValue, PyVIF, pyTypeName } from './python-values.js';

function asMapping(v: PyValue, what: string): JsonObject {
  if (v instanceof PyVIF) return v.data;
  if (!isPlainDict(v)) {
    throw new PyTypeError(`${what}() argument after ** must be a mapping, not ${pyTypeName(v)}`);
  }
  return v as JsonObject;
}

function listField(obj: JsonObject, key: string): JsonValue[] {
  const v = obj[key];
  if (v === undefined || !pyTruthy(v)) return [];
  if (!isPyIterable(v)) throw new PyTypeError(`'${pyTypeName(v)}' object is not iterable`);
  return pyIterate(v) as JsonValue[];
}

function hydrateIP(ip: JsonValue | undefined, what = 'IP'): void {
  if (ip === undefined || !pyTruthy(ip)) return;
  const m = asMapping(ip, what);
  const address = m.address;
  if (address !== undefined && pyTruthy(address) && (m.version === undefined || !pyTruthy(m.version))) {
    try {
      ipAddress(address);
    } catch {
      throw new PyValueError(`Invalid IP format ${String(address)}`, 'InvalidIpAddressError');
    }
  }
}

function hydrateFixedIP(ip: JsonValue): void {
  const m = asMapping(ip, 'FixedIP');
  hydrateIP(m, 'FixedIP');
  for (const f of listField(m, 'floating_ips')) hydrateIP(f);
}

function hydrateSubnet(subnet: JsonValue): void {
  const m = asMapping(subnet, 'Subnet');
  for (const d of listField(m, 'dns')) hydrateIP(d);
  for (const ip of listField(m, 'ips')) hydrateFixedIP(ip);
  for (const r of listField(m, 'routes')) {
    const route = asMapping(r, 'Route');
    hydrateIP(route.gateway);
  }
  hydrateIP(m.gateway);
}

function hydrateNetwork(network: JsonValue | undefined): void {
  if (network === undefined || !pyTruthy(network)) return;
  const m = asMapping(network, 'Network');
  for (const s of listField(m, 'subnets')) hydrateSubnet(s);
}

/** `VIF.hydrate(vif)`. */
export function hydrateVIF(vif: PyValue): PyVIF {
  const m = asMapping(vif, 'VIF');
  hydrateNetwork(m.network);
  return new PyVIF(m);
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    throw new PyValueError(`Expecting value: ${(e as Error).message}`, 'JSONDecodeError');
  }
}

/** `NetworkInfo.hydrate(network_info)`: a JSON string is loaded first, then every VIF hydrated. */
export function hydrateNetworkInfo(value: PyValue): PyNetworkInfo {
  if (value instanceof PyNetworkInfo) return value;
  const loaded: PyValue = typeof value === 'string' ? parseJson(value) : value;
  if (!isPyIterable(loaded)) throw new PyTypeError(`'${pyTypeName(loaded)}' object is not iterable`);
  return new PyNetworkInfo(pyIterate(loaded).map(hydrateVIF));
}

/** `VIF.hydrate(jsonutils.loads(value))` for NetworkVIFModel.from_primitive. */
export function loadVIF(value: PyValue): PyVIF {
  if (typeof value !== 'string') {
    throw new PyTypeError(`the JSON object must be str, bytes or bytearray, not ${pyTypeName(value)}`);
  }
  return hydrateVIF(parseJson(value));
}
