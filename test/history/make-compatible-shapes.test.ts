import { beforeAll, describe, expect, it } from 'vitest';
import { extractModule } from '../../src/history/object-extractor.js';
import { resolveObjects } from '../../src/history/object-resolver.js';
import type { ObjectVersionDef } from '../../src/objects/model.js';
import { createObject, objToPrimitive } from '../../src/objects/versioned-object.js';
import { initPython } from '../../src/python/parser.js';
import { moduleNameForPath } from '../../src/python/source-file.js';

// Nova-style compat shapes: elif chains, version windows, value tests through a local or a
// subscript (raise on new values, value mappings), raise_on_too_new_values with a local tuple.
const BASE = `from oslo_versionedobjects import base as ovoo_base


class NovaObjectRegistry(ovoo_base.VersionedObjectRegistry):
    pass


class NovaObject(ovoo_base.VersionedObject):
    OBJ_SERIAL_NAMESPACE = 'nova_object'
    OBJ_PROJECT_NAMESPACE = 'nova'


def raise_on_too_new_values(target_version, primitive, field, new_values):
    pass
`;

const FIELDS = `from oslo_versionedobjects import fields


class DockState(object):
    DOCKED = 'docked'
    DOCKING = 'docking'
    UNDOCKING = 'undocking'
    LEGACY = 'legacy'
    ALL = (DOCKED, DOCKING, UNDOCKING, LEGACY)


StringField = fields.StringField
IntegerField = fields.IntegerField
`;

const BOAT = `from nova import exception
from nova.objects import base
from nova.objects import fields
from oslo_utils import versionutils


@base.NovaObjectRegistry.register
class Boat(base.NovaObject):
    VERSION = '1.6'
    fields = {
        'mast': fields.IntegerField(),
        'keel': fields.IntegerField(),
        'state': fields.StringField(),
        'hull': fields.StringField(),
        'sail': fields.StringField(),
        'flag': fields.StringField(),
    }

    def obj_make_compatible(self, primitive, target_version):
        super(Boat, self).obj_make_compatible(primitive, target_version)
        target_version = versionutils.convert_version_to_tuple(target_version)
        if target_version < (1, 1):
            primitive.pop('mast', None)
        elif target_version < (1, 3):
            primitive.pop('keel', None)
        if target_version < (1, 2):
            state = primitive.get('state')
            if state in (fields.DockState.DOCKING,
                         fields.DockState.UNDOCKING):
                raise exception.ObjectActionError(
                    action='obj_make_compatible',
                    reason='state=%s not supported in version %s' % (
                        state, target_version))
        if (target_version < (1, 4) and 'hull' in primitive and
                fields.DockState.LEGACY == primitive['hull']):
            primitive['hull'] = fields.DockState.DOCKED
        if target_version >= (1, 4) and target_version < (1, 5):
            new_sails = ('spinnaker', 'gennaker')
            base.raise_on_too_new_values(
                target_version, primitive, 'sail', new_sails)
        if target_version < (1, 6) and 'flag' in primitive:
            if primitive['flag'] == 'none':
                primitive.pop('flag')


@base.NovaObjectRegistry.register
class Dinghy(base.NovaObject):
    VERSION = '1.3'
    fields = {
        'oars': fields.IntegerField(),
        'tags': fields.StringField(),
    }

    def obj_make_compatible(self, primitive, target_version):
        target_version = versionutils.convert_version_to_tuple(target_version)
        if target_version < (1, 1) and 'oars' in primitive:
            del primitive['oars']
        elif target_version < (1, 3) and 'tags' in primitive:
            del primitive['tags']
`;

function boat(name = 'Boat'): ObjectVersionDef {
  const tree: Record<string, string> = {
    'nova/objects/base.py': BASE,
    'nova/objects/fields.py': FIELDS,
    'nova/objects/boat.py': BOAT,
  };
  const summaries = Object.entries(tree).map(([path, text]) => {
    const mod = moduleNameForPath(path)!;
    return extractModule(path, text, mod.moduleName, mod.isPackage);
  });
  const o = resolveObjects(summaries).objects.find((x) => x.def.name === name);
  if (!o) throw new Error(`${name} not resolved`);
  return o.def;
}

beforeAll(async () => {
  await initPython();
});

describe('obj_make_compatible shapes', () => {
  it('reduces elif chains, windows, value tests and local value tuples to model actions', () => {
    expect(boat().makeCompatible).toEqual([
      { kind: 'super' },
      { kind: 'drop-field', field: 'mast', belowVersion: '1.1', guarded: true },
      { kind: 'drop-field', field: 'keel', belowVersion: '1.3', guarded: true, notBelow: '1.1' },
      { kind: 'raise-too-new-values', field: 'state', belowVersion: '1.2', values: ['docking', 'undocking'] },
      {
        kind: 'convert-field',
        field: 'hull',
        belowVersion: '1.4',
        how: { op: 'map-values', mapping: { '"legacy"': 'docked' } },
      },
      {
        kind: 'raise-too-new-values',
        field: 'sail',
        belowVersion: '1.5',
        values: ['spinnaker', 'gennaker'],
        notBelow: '1.4',
      },
      // Dropping a field only for some values is beyond the model: kept as text.
      {
        kind: 'unrecognised',
        text: "if primitive['flag'] == 'none':\n                primitive.pop('flag')",
      },
    ]);
  });

  it('replays an elif after a guarded if from the bound up, and keeps the rest as text', () => {
    const def = boat('Dinghy');
    expect(def.makeCompatible).toEqual([
      { kind: 'drop-field', field: 'oars', belowVersion: '1.1', guarded: true },
      {
        kind: 'unrecognised',
        text: "elif target_version < (1, 3) and 'tags' in primitive:\n            del primitive['tags']",
      },
      { kind: 'drop-field', field: 'tags', belowVersion: '1.3', guarded: true, notBelow: '1.1' },
    ]);
    const data = (target: string) =>
      (
        objToPrimitive(createObject(def, { oars: 2, tags: 't' }), { targetVersion: target }) as Record<
          string,
          Record<string, unknown>
        >
      )['nova_object.data'];
    // Below 1.1 with oars set, Python keeps tags (the elif does not run): so does the replay.
    expect(data('1.0')).toEqual({ tags: 't' });
    expect(data('1.2')).toEqual({ oars: 2 });
    expect(data('1.3')).toEqual({ oars: 2, tags: 't' });
  });

  it('replays them in the runtime as the Python would run', () => {
    const def = boat();
    const make = (values: Record<string, string | number>) =>
      createObject(def, {
        mast: 1,
        keel: 2,
        state: 'docked',
        hull: 'legacy',
        sail: 'jib',
        flag: 'x',
        ...values,
      });
    const data = (target: string, values: Record<string, string | number> = {}) =>
      (objToPrimitive(make(values), { targetVersion: target }) as Record<string, Record<string, unknown>>)[
        'nova_object.data'
      ];
    // elif: keel is dropped only from 1.1 up to 1.3 (below 1.1 the first branch ran instead).
    expect(data('1.0')).toHaveProperty('keel', 2);
    expect(data('1.0')).not.toHaveProperty('mast');
    expect(data('1.2')).not.toHaveProperty('keel');
    expect(data('1.3')).toHaveProperty('keel', 2);
    // value test through a local: new states cannot go below 1.2.
    expect(() => data('1.1', { state: 'docking' })).toThrow(/state=docking not supported/);
    expect(data('1.2', { state: 'docking' })).toHaveProperty('state', 'docking');
    // value mapping
    expect(data('1.3')).toHaveProperty('hull', 'docked');
    expect(data('1.4')).toHaveProperty('hull', 'legacy');
    // a window: [1.4, 1.5)
    expect(() => data('1.4', { sail: 'spinnaker' })).toThrow(/sail=spinnaker not supported/);
    expect(data('1.3', { sail: 'spinnaker' })).toHaveProperty('sail', 'spinnaker');
  });
});
