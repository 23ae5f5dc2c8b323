/**
 * A plain method overriding a remotable one hides it: the object's remotable methods (and so its
 * oslo fingerprint) are those the first class in the MRO defining each name declares remotable.
 * Nova's QuotasNoOp overrides Quotas' remotable reserve/commit/rollback/check_deltas this way.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { extractModule } from '../../src/history/object-extractor.js';
import { resolveObjects } from '../../src/history/object-resolver.js';
import { initPython } from '../../src/python/parser.js';
import { moduleNameForPath } from '../../src/python/source-file.js';

const BASE = `from oslo_versionedobjects import base as ovoo_base


class NovaObjectRegistry(ovoo_base.VersionedObjectRegistry):
    pass


class NovaObject(ovoo_base.VersionedObject):
    OBJ_SERIAL_NAMESPACE = 'nova_object'
    OBJ_PROJECT_NAMESPACE = 'nova'


remotable = ovoo_base.remotable
remotable_classmethod = ovoo_base.remotable_classmethod
`;

const TALLY = `from nova.objects import base
from oslo_versionedobjects import fields


@base.NovaObjectRegistry.register
class Tally(base.NovaObject):
    VERSION = '1.0'
    fields = {'count': fields.IntegerField()}

    @base.remotable
    def bump(self, by):
        pass

    @base.remotable
    def reset(self):
        pass

    @base.remotable_classmethod
    def total(cls, context):
        pass


@base.NovaObjectRegistry.register
class TallyNoOp(Tally):
    def bump(self, by=None):
        pass

    @staticmethod
    def total(context):
        pass


@base.NovaObjectRegistry.register
class TallyAgain(TallyNoOp):
    @base.remotable
    def bump(self, by, why):
        pass
`;

function remotables(name: string): string[] {
  const summaries = Object.entries({ 'nova/objects/base.py': BASE, 'nova/objects/tally.py': TALLY }).map(
    ([path, text]) => {
      const mod = moduleNameForPath(path)!;
      return extractModule(path, text, mod.moduleName, mod.isPackage);
    },
  );
  const o = resolveObjects(summaries).objects.find((x) => x.qname.endsWith(`.${name}`));
  if (!o) throw new Error(`${name} not resolved`);
  return o.def.remotableMethods.map((m) => m.name).sort();
}

beforeAll(async () => {
  await initPython();
});

describe('remotable methods through the MRO', () => {
  it('a plain override hides the inherited remotable; a remotable override shows again', () => {
    expect(remotables('Tally')).toEqual(['bump', 'reset', 'total']);
    expect(remotables('TallyNoOp')).toEqual(['reset']);
    expect(remotables('TallyAgain')).toEqual(['bump', 'reset']);
  });
});
