import { describe, expect, it } from 'vitest';
import { parseObjectVersionDefs } from '../../src/objects/def-schema.js';
import type { MakeCompatibleAction } from '../../src/objects/model.js';
import { createObject, objToPrimitive } from '../../src/objects/versioned-object.js';
import { dataOf, def, field, int, str } from './helpers.js';

// if target < (1, 2): drop a
// elif target < (1, 4): drop b          -> b dropped only for 1.2 <= target < 1.4
// if (1, 4) <= target and target < (1, 6): raise on status 'new'
const actions: MakeCompatibleAction[] = [
  { kind: 'drop-field', field: 'a', belowVersion: '1.2' },
  { kind: 'drop-field', field: 'b', belowVersion: '1.4', notBelow: '1.2' },
  { kind: 'raise-too-new-values', field: 'status', belowVersion: '1.6', values: ['new'], notBelow: '1.4' },
  {
    kind: 'convert-field',
    field: 'status',
    belowVersion: '1.7',
    notBelow: '1.6',
    how: { op: 'map-values', mapping: { '"new"': 'old' } },
  },
];
const gadget = def('Gadget', '1.7', { a: field(int), b: field(int), status: field(str) }, 'ovo-manifest', {
  makeCompatible: actions,
});

describe('notBelow: the lower bound of an action (elif branches, version windows)', () => {
  const prim = (target: string, status = 'new') =>
    dataOf(objToPrimitive(createObject(gadget, { a: 1, b: 2, status }), { targetVersion: target }));

  it('runs an action only for targets in [notBelow, belowVersion)', () => {
    expect(prim('1.1', 'ok')).toEqual({ b: 2, status: 'ok' });
    expect(prim('1.2', 'ok')).toEqual({ a: 1, status: 'ok' });
    expect(prim('1.3', 'ok')).toEqual({ a: 1, status: 'ok' });
    expect(prim('1.4', 'ok')).toEqual({ a: 1, b: 2, status: 'ok' });
  });

  it('raises and converts values only inside the window', () => {
    expect(() => prim('1.5')).toThrow(/status=new not supported in version 1\.5/);
    expect(prim('1.6')).toEqual({ a: 1, b: 2, status: 'old' });
    expect(prim('1.7')).toEqual({ a: 1, b: 2, status: 'new' });
    // Below the window neither the raise nor the mapping runs.
    expect(prim('1.3')).toEqual({ a: 1, status: 'new' });
  });

  it('is part of the published definition schema', () => {
    expect(parseObjectVersionDefs(JSON.parse(JSON.stringify(gadget)), 'g.json')).toHaveLength(1);
    const bad = { ...gadget, makeCompatible: [{ ...actions[1]!, notBelow: 'one.two' }] };
    expect(() => parseObjectVersionDefs(bad, 'g.json')).toThrow(/makeCompatible/);
  });
});
