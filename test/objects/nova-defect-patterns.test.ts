/**
 * Shapes of real Nova defects, modelled with our own small definitions (no upstream code): the
 * runtime must reproduce what the Python did, and the strict checks must flag it.
 */
import { describe, expect, it } from 'vitest';
import { IncompatibleObjectVersion, InvalidTargetVersion } from '../../src/objects/errors.js';
import { buildPopulatedObject } from '../../src/objects/graph-builder.js';
import { type CompatTraceEntry, objFromPrimitive, objToPrimitive } from '../../src/objects/index.js';
import { ObjectSchemaValidator } from '../../src/objects/json-schema.js';
import { ObjectRegistry } from '../../src/objects/registry.js';
import { dataOf, def, field, int, listDef, obj, str, versionOf } from './helpers.js';

describe('a list table naming a child version that does not exist (Juno NetworkRequestList shape)', () => {
  const request = def('Request', '1.0', { net: field(str) }, 'nova-2014');
  const requests = listDef('RequestList', '1.1', 'Request', 'nova-2014', {
    childVersions: [
      ['1.0', '1.0'],
      ['1.1', '1.1'],
    ],
  });
  const registry = new ObjectRegistry([request, requests]);

  it('labels the children 1.1 and the receiving peer refuses them', () => {
    const l = buildPopulatedObject(registry, 'RequestList', '1.1', { listSize: 1 });
    const prim = objToPrimitive(l, { targetVersion: '1.1' });
    expect(versionOf((dataOf(prim).objects as unknown[])[0])).toBe('1.1');
    expect(() => objFromPrimitive(prim, registry, { era: 'nova-2014' })).toThrow(IncompatibleObjectVersion);
    expect(() => objFromPrimitive(prim, registry, { era: 'nova-2014' })).toThrow(
      'Version 1.1 of Request is not supported',
    );
    // Without a target the children travel at their own version and all is well.
    expect(() => objFromPrimitive(objToPrimitive(l), registry, { era: 'nova-2014' })).not.toThrow();
  });
});

describe('a stale relationship entry under Kilo (Instance.fault shape)', () => {
  const fault10 = def('Fault', '1.0', { code: field(int) }, 'nova-kilo');
  const fault12 = def(
    'Fault',
    '1.2',
    { code: field(int), host: field(str, { nullable: true }) },
    'nova-kilo',
    {
      makeCompatible: [{ kind: 'drop-field', field: 'host', belowVersion: '1.2' }],
    },
  );
  const inst = def(
    'Server',
    '1.5',
    { uuid: field(str), fault: field(obj('Fault'), { nullable: true }) },
    'nova-kilo',
    {
      relationships: { fault: [['1.0', '1.0']] },
    },
  );
  const registry = new ObjectRegistry([fault10, fault12, inst]);

  it('downgrades the child even when backporting to the current version, losing data', () => {
    const s = buildPopulatedObject(registry, 'Server', '1.5', { manifest: { Fault: '1.2' } });
    const trace: CompatTraceEntry[] = [];
    const prim = objToPrimitive(s, { targetVersion: '1.5', trace });
    const fault = dataOf(prim).fault as Record<string, unknown>;
    expect(versionOf(fault)).toBe('1.0');
    expect(dataOf(fault)).not.toHaveProperty('host');
    expect(trace).toContainEqual(
      expect.objectContaining({ event: 'backport-child', field: 'fault', toVersion: '1.0' }),
    );
  });
  it('is flagged by the schema of a peer that has Fault 1.2 registered', () => {
    const s = buildPopulatedObject(registry, 'Server', '1.5', { manifest: { Fault: '1.2' } });
    const prim = objToPrimitive(s, { targetVersion: '1.5' });
    const peer = new ObjectSchemaValidator(registry, { manifest: { Server: '1.5', Fault: '1.2' } });
    const result = peer.validate(prim);
    expect(result.valid).toBe(false);
    expect(result.errors.some((e) => e.path === '/nova_object.data/fault/nova_object.version')).toBe(true);
  });
});

describe('an object hydrated at an older version cannot be backported to a newer one (bug 1596119)', () => {
  it('raises InvalidTargetVersion from the instance VERSION', () => {
    const v10 = def('Spec', '1.0', { a: field(int) }, 'ovo-manifest');
    const v11 = def('Spec', '1.1', { a: field(int), b: field(int) }, 'ovo-manifest');
    const peer = new ObjectRegistry([v11]);
    const loaded = objFromPrimitive(
      objToPrimitive(buildPopulatedObject(new ObjectRegistry([v10]), 'Spec', '1.0')),
      peer,
    );
    expect(() => objToPrimitive(loaded, { targetVersion: '1.1' })).toThrow(InvalidTargetVersion);
  });
});
