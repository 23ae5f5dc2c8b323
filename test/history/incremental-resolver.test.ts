import { beforeAll, describe, expect, it } from 'vitest';
import { extractModule, type ModuleSummary } from '../../src/history/object-extractor.js';
import { IncrementalResolver, type ResolvedTree, resolveObjects } from '../../src/history/object-resolver.js';
import { initPython } from '../../src/python/parser.js';
import { moduleNameForPath } from '../../src/python/source-file.js';

// A small Kilo-style tree (metaclass registration, Nova's own fields module, an enum whose values
// come from a constant module, a persistent mixin, a list with obj_relationships, a cross-module
// subclass), edited step by step below.
const BASE = `import six
from nova.objects import fields


class NovaObjectMetaclass(type):
    pass


def remotable(fn):
    return fn


@six.add_metaclass(NovaObjectMetaclass)
class NovaObject(object):
    VERSION = '1.0'
    fields = {}
    obj_relationships = {}

    def obj_make_compatible(self, primitive, target_version):
        pass


class NovaPersistentObject(object):
    fields = {
        'created_at': fields.DateTimeField(nullable=True),
        'deleted': fields.BooleanField(default=False),
    }


class ObjectListBase(object):
    fields = {}
`;

const FIELDS = `from nova.compute import colors


class FieldType(object):
    pass


class String(FieldType):
    pass


class Integer(FieldType):
    pass


class Boolean(FieldType):
    pass


class DateTime(FieldType):
    pass


class Enum(String):
    def __init__(self, valid_values, **kwargs):
        self._valid_values = valid_values


class Color(Enum):
    def __init__(self, **kwargs):
        super(Color, self).__init__(valid_values=colors.ALL, **kwargs)


class Field(object):
    pass


class AutoTypedField(Field):
    AUTO_TYPE = None


class StringField(AutoTypedField):
    AUTO_TYPE = String()


class IntegerField(AutoTypedField):
    AUTO_TYPE = Integer()


class BooleanField(AutoTypedField):
    AUTO_TYPE = Boolean()


class DateTimeField(AutoTypedField):
    AUTO_TYPE = DateTime()


class ColorField(AutoTypedField):
    AUTO_TYPE = Color()


class ObjectField(AutoTypedField):
    def __init__(self, objtype, **kwargs):
        pass


class ListOfObjectsField(AutoTypedField):
    def __init__(self, objtype, **kwargs):
        pass
`;

const COLORS = `RED = 'red'
BLUE = 'blue'
ALL = (RED, BLUE)
`;

const WIDGET = `from nova.objects import base
from nova.objects import fields


class Widget(base.NovaObject):
    # Version 1.0: Initial version
    # Version 1.1: Added color
    VERSION = '1.1'

    fields = {
        'id': fields.IntegerField(),
        'color': fields.ColorField(nullable=True),
    }

    def obj_make_compatible(self, primitive, target_version):
        target_version = utils.convert_version_to_tuple(target_version)
        if target_version < (1, 1):
            primitive.pop('color', None)


class WidgetList(base.ObjectListBase, base.NovaObject):
    VERSION = '1.1'
    fields = {
        'objects': fields.ListOfObjectsField('Widget'),
    }
    obj_relationships = {
        'objects': [('1.0', '1.0'), ('1.1', '1.1')],
    }
`;

const GADGET = `from nova.objects import base
from nova.objects import fields


class Gadget(base.NovaPersistentObject, base.NovaObject):
    VERSION = '1.0'
    fields = {
        'id': fields.IntegerField(),
        'widget': fields.ObjectField('Widget', nullable=True),
    }

    @base.remotable
    def save(self, context):
        pass
`;

const SPROCKET = `from nova.objects import fields
from nova.objects.widget import Widget as BaseWidget


class Sprocket(BaseWidget):
    VERSION = '1.0'
    fields = dict(BaseWidget.fields, teeth=fields.IntegerField())
`;

type Tree = Record<string, string>;

const initial: Tree = {
  'nova/objects/base.py': BASE,
  'nova/objects/fields.py': FIELDS,
  'nova/compute/colors.py': COLORS,
  'nova/objects/widget.py': WIDGET,
  'nova/objects/gadget.py': GADGET,
};

/** Summaries shared by text, as the history reader shares them by blob id. */
const summaries = new Map<string, ModuleSummary>();
function summarize(tree: Tree): ModuleSummary[] {
  return Object.entries(tree).map(([path, text]) => {
    const key = `${path}\0${text}`;
    let s = summaries.get(key);
    if (!s) {
      const mod = moduleNameForPath(path)!;
      s = extractModule(path, text, mod.moduleName, mod.isPackage);
      summaries.set(key, s);
    }
    return s;
  });
}

function names(tree: ResolvedTree): string[] {
  return tree.objects.map((o) => `${o.def.name} ${o.def.version}`).sort();
}

beforeAll(async () => {
  await initPython();
});

describe('IncrementalResolver', () => {
  it('equals resolution from scratch at every step, re-resolving only what a change can affect', () => {
    const inc = new IncrementalResolver();
    let tree: Tree = { ...initial };
    const step = (edit: (t: Tree) => Tree): { resolved: number; result: ResolvedTree } => {
      tree = edit({ ...tree });
      const before = inc.stats.objectsResolved;
      const result = inc.resolve(summarize(tree));
      expect(result).toEqual(resolveObjects(summarize(tree)));
      return { resolved: inc.stats.objectsResolved - before, result };
    };

    const first = step((t) => t);
    expect(names(first.result)).toEqual(['Gadget 1.0', 'Widget 1.1', 'WidgetList 1.1']);
    expect(first.resolved).toBe(3);

    // Nothing changed: nothing is resolved again.
    expect(step((t) => t).resolved).toBe(0);

    // A field added to Gadget: only Gadget.
    let s = step((t) => ({
      ...t,
      'nova/objects/gadget.py': GADGET.replace("VERSION = '1.0'", "VERSION = '1.1'").replace(
        "'id': fields.IntegerField(),",
        "'id': fields.IntegerField(),\n        'size': fields.IntegerField(),",
      ),
    }));
    expect(s.resolved).toBe(1);
    expect(Object.keys(s.result.objects.find((o) => o.def.name === 'Gadget')!.def.fields)).toContain('size');

    // A new enum value (in the constant module the enum reads): only Widget, which uses Color.
    s = step((t) => ({
      ...t,
      'nova/compute/colors.py': COLORS.replace('ALL = (RED, BLUE)', "ALL = (RED, BLUE, 'green')"),
    }));
    expect(s.resolved).toBe(1);
    const color = s.result.objects.find((o) => o.def.name === 'Widget')!.def.fields.color!.type;
    expect(color).toMatchObject({ kind: 'Enum', validValues: ['red', 'blue', 'green'] });

    // fields.py gains a class at the top: every other class moves down, none changes.
    s = step((t) => ({
      ...t,
      'nova/objects/fields.py': FIELDS.replace(
        'class FieldType(object):',
        'class Unused(object):\n    pass\n\n\nclass FieldType(object):',
      ),
    }));
    expect(s.resolved).toBe(0);

    // A mixin field in base.py: Gadget (persistent) only.
    s = step((t) => ({
      ...t,
      'nova/objects/base.py': BASE.replace(
        "'deleted': fields.BooleanField(default=False),",
        "'deleted': fields.BooleanField(default=False),\n        'deleted_by': fields.StringField(nullable=True),",
      ),
    }));
    expect(s.resolved).toBe(1);

    // A subclass in another module, then a change to its base class's fields.
    s = step((t) => ({ ...t, 'nova/objects/sprocket.py': SPROCKET }));
    expect(s.resolved).toBe(1);
    s = step((t) => ({
      ...t,
      'nova/objects/widget.py': t['nova/objects/widget.py']!.replace(
        "'id': fields.IntegerField(),",
        "'id': fields.IntegerField(),\n        'label': fields.StringField(),",
      ),
    }));
    // Widget and Sprocket (which copies Widget.fields); WidgetList's own lines moved too.
    expect(s.resolved).toBe(3);
    expect(Object.keys(s.result.objects.find((o) => o.def.name === 'Sprocket')!.def.fields)).toEqual([
      'id',
      'label',
      'color',
      'teeth',
    ]);

    // The base-class alias target changes: Sprocket now derives from Gadget.
    s = step((t) => ({
      ...t,
      'nova/objects/sprocket.py': SPROCKET.replace(
        'from nova.objects.widget import Widget as BaseWidget',
        'from nova.objects.gadget import Gadget as BaseWidget',
      ),
    }));
    expect(Object.keys(s.result.objects.find((o) => o.def.name === 'Sprocket')!.def.fields)).toContain(
      'size',
    );

    // A module-level fields.update elsewhere (tree-wide input), then a module removed.
    step((t) => ({
      ...t,
      'nova/objects/extra.py':
        "from nova.objects import fields\nfrom nova.objects import widget\n\nwidget.Widget.fields.update({'extra': fields.StringField()})\n",
    }));
    s = step((t) => {
      const { 'nova/objects/gadget.py': _g, ...rest } = t;
      return rest;
    });
    expect(names(s.result)).not.toContain('Gadget 1.1');

    // The era changes when the base starts importing oslo.versionedobjects: every object moves.
    s = step((t) => ({
      ...t,
      'nova/objects/base.py': `from oslo_versionedobjects import base as ovoo_base\n${t['nova/objects/base.py']}`,
    }));
    expect(s.result.era).not.toBe(first.result.era);
    expect(s.resolved).toBe(s.result.objects.length);
  });
});
