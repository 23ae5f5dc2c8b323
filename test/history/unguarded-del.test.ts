/**
 * `del primitive['x']` in obj_make_compatible: with no `'k' in primitive` guard anywhere above it,
 * Python raises KeyError when x is unset, so the drop is `guarded: false` (the runtime raises the
 * same KeyError). Guarded by its own key it is `guarded: true`; under a guard on another key the
 * drop depends on that key, which the model does not express, so it says nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { extractModule } from '../../src/history/object-extractor.js';
import { resolveObjects } from '../../src/history/object-resolver.js';
import { PyKeyError } from '../../src/objects/errors.js';
import { createObject, objToPrimitive } from '../../src/objects/versioned-object.js';
import { initPython } from '../../src/python/parser.js';
import { moduleNameForPath } from '../../src/python/source-file.js';

const BASE = `from oslo_versionedobjects import base as ovoo_base


class NovaObjectRegistry(ovoo_base.VersionedObjectRegistry):
    pass


class NovaObject(ovoo_base.VersionedObject):
    OBJ_SERIAL_NAMESPACE = 'nova_object'
    OBJ_PROJECT_NAMESPACE = 'nova'
`;

const KITE = `from nova.objects import base
from oslo_utils import versionutils
from oslo_versionedobjects import fields


@base.NovaObjectRegistry.register
class Kite(base.NovaObject):
    VERSION = '1.3'
    fields = {
        'tail': fields.IntegerField(),
        'line': fields.IntegerField(),
        'spool': fields.IntegerField(),
        'reel': fields.IntegerField(),
        'bridle': fields.IntegerField(),
    }

    def obj_make_compatible(self, primitive, target_version):
        target_version = versionutils.convert_version_to_tuple(target_version)
        if target_version < (1, 1):
            del primitive['tail']
        if target_version < (1, 2) and 'line' in primitive:
            del primitive['line']
        if target_version < (1, 3):
            if 'spool' in primitive:
                del primitive['spool']
                del primitive['reel']
            primitive.pop('bridle')
`;

function kite() {
  const summaries = Object.entries({ 'nova/objects/base.py': BASE, 'nova/objects/kite.py': KITE }).map(
    ([path, text]) => {
      const mod = moduleNameForPath(path)!;
      return extractModule(path, text, mod.moduleName, mod.isPackage);
    },
  );
  const o = resolveObjects(summaries).objects.find((x) => x.def.name === 'Kite');
  if (!o) throw new Error('Kite not resolved');
  return o.def;
}

beforeAll(async () => {
  await initPython();
});

describe('unguarded del in obj_make_compatible', () => {
  it('is guarded: false with no guard, true under its own guard, unset under another key', () => {
    const drops = kite().makeCompatible.filter((a) => a.kind === 'drop-field');
    const by = Object.fromEntries(drops.map((a) => [(a as { field: string }).field, a]));
    expect(by.tail).toMatchObject({ belowVersion: '1.1', guarded: false });
    expect(by.line).toMatchObject({ belowVersion: '1.2', guarded: true });
    expect(by.spool).toMatchObject({ belowVersion: '1.3', guarded: true });
    expect(by.reel).toMatchObject({ belowVersion: '1.3' });
    expect(by.reel).not.toHaveProperty('guarded');
  });

  it('the runtime raises the KeyError Python raises, and only then', () => {
    const def = kite();
    const full = createObject(def, { tail: 1, line: 2, spool: 3, reel: 4, bridle: 5 });
    const data = objToPrimitive(full, { targetVersion: '1.0' })['nova_object.data'];
    expect(data).toEqual({});
    const noTail = createObject(def, { line: 2, spool: 3, reel: 4, bridle: 5 });
    expect(() => objToPrimitive(noTail, { targetVersion: '1.0' })).toThrow(PyKeyError);
    // 1.1 and above do not reach the del.
    expect(objToPrimitive(noTail, { targetVersion: '1.1' })['nova_object.data']).not.toHaveProperty('line');
  });
});
