/**
 * An `obj_make_compatible_from_manifest` override (Nova's Service drops uuid, version, forced_down
 * and last_seen_up there) is reduced like `obj_make_compatible`: its super() call runs the chain
 * first, then its own drops apply.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { extractModule } from '../../src/history/object-extractor.js';
import { resolveObjects } from '../../src/history/object-resolver.js';
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

const LOCK = `from nova.objects import base
from oslo_utils import versionutils
from oslo_versionedobjects import fields


@base.NovaObjectRegistry.register
class Lock(base.NovaObject):
    VERSION = '1.3'
    fields = {
        'key': fields.StringField(),
        'pin': fields.IntegerField(),
        'seal': fields.StringField(),
    }

    def obj_make_compatible_from_manifest(self, primitive, target_version,
                                          version_manifest):
        super(Lock, self).obj_make_compatible_from_manifest(
            primitive, target_version, version_manifest)
        _target_version = versionutils.convert_version_to_tuple(target_version)
        if _target_version < (1, 3) and 'seal' in primitive:
            del primitive['seal']
        self._audit(primitive)


@base.NovaObjectRegistry.register
class Latch(base.NovaObject):
    VERSION = '1.2'
    fields = {
        'bolt': fields.IntegerField(),
        'spring': fields.IntegerField(),
    }

    def obj_make_compatible_from_manifest(self, primitive, target_version,
                                          version_manifest):
        super(Latch, self).obj_make_compatible_from_manifest(
            primitive, target_version, version_manifest)
        if versionutils.convert_version_to_tuple(target_version) < (1, 2):
            primitive.pop('spring', None)

    def obj_make_compatible(self, primitive, target_version):
        super(Latch, self).obj_make_compatible(primitive, target_version)
        if versionutils.convert_version_to_tuple(target_version) < (1, 1):
            primitive.pop('bolt', None)
`;

function defs() {
  const summaries = Object.entries({ 'nova/objects/base.py': BASE, 'nova/objects/lock.py': LOCK }).map(
    ([path, text]) => {
      const mod = moduleNameForPath(path)!;
      return extractModule(path, text, mod.moduleName, mod.isPackage);
    },
  );
  const objects = resolveObjects(summaries).objects;
  const get = (n: string) => {
    const o = objects.find((x) => x.def.name === n);
    if (!o) throw new Error(`${n} not resolved`);
    return o.def;
  };
  return { lock: get('Lock'), latch: get('Latch') };
}

beforeAll(async () => {
  await initPython();
});

describe('obj_make_compatible_from_manifest overrides', () => {
  it('are reduced: super first, then the drops; unknown calls stay unrecognised', () => {
    const { lock, latch } = defs();
    expect(lock.makeCompatible.map((a) => a.kind)).toEqual(['super', 'drop-field', 'unrecognised']);
    expect(lock.makeCompatible[1]).toMatchObject({ field: 'seal', belowVersion: '1.3', guarded: true });
    // With an obj_make_compatible of its own, the override's actions follow it.
    const fields = latch.makeCompatible
      .filter((a) => 'field' in a)
      .map((a) => (a as { field: string }).field);
    expect(fields).toEqual(['bolt', 'spring']);
  });

  it('the runtime drops what the override drops', () => {
    const { lock } = defs();
    const obj = createObject(lock, { key: 'k', pin: 1, seal: 's' });
    const manifest = { Lock: '1.2' };
    const p = objToPrimitive(obj, { targetVersion: '1.2', manifest });
    expect(p['nova_object.data']).toEqual({ key: 'k', pin: 1 });
    expect(objToPrimitive(obj, { targetVersion: '1.3', manifest })['nova_object.data']).toHaveProperty(
      'seal',
    );
  });
});
