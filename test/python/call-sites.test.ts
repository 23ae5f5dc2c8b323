import { beforeAll, describe, expect, it } from 'vitest';
import { callsByName, callsThroughImports, wordRegex } from '../../src/python/call-sites.js';
import { initPython } from '../../src/python/parser.js';
import { PyFile } from '../../src/python/source-file.js';

beforeAll(async () => {
  await initPython();
});

function calls(code: string, names: string[]) {
  const f = PyFile.parse('m.py', code);
  try {
    return callsByName(f, names).map((c) => ({
      call: f.slice(c.call),
      receiver: c.receiver ? f.slice(c.receiver) : undefined,
    }));
  } finally {
    f.dispose();
  }
}

describe('callsByName', () => {
  it('finds bare and receiver calls, multi-line and nested, in source order', () => {
    const code = [
      'def f(self, ctxt, instance):',
      '    self._virtapi.instance_update(ctxt, instance.uuid, {})',
      '    instance_update(ctxt,',
      '                    instance.uuid, {})',
      '    outer.instance_get(inner.instance_update(x))',
      '    a.b().instance_update (y)',
      '',
    ].join('\n');
    expect(calls(code, ['instance_update', 'instance_get'])).toEqual([
      { call: 'self._virtapi.instance_update(ctxt, instance.uuid, {})', receiver: 'self._virtapi' },
      { call: 'instance_update(ctxt,\n                    instance.uuid, {})', receiver: undefined },
      { call: 'outer.instance_get(inner.instance_update(x))', receiver: 'outer' },
      { call: 'inner.instance_update(x)', receiver: 'inner' },
      { call: 'a.b().instance_update (y)', receiver: 'a.b()' },
    ]);
  });

  it('ignores strings, comments, attribute reads, defs, keywords, longer names and generator calls', () => {
    const code = [
      "LOG.debug('calling instance_update(ctxt)')  # instance_update(x)",
      'def instance_update(a):',
      '    pass',
      'fn = db.instance_update',
      'g(instance_update=1)',
      'x.instance_update_at_top(1)',
      'my_instance_update(2)',
      'x.instance_update(i for i in y)',
      'x.instance_update[0](1)',
      '',
    ].join('\n');
    expect(calls(code, ['instance_update'])).toEqual([]);
  });

  it('builds one whole-word regex per name set, longest names first', () => {
    const re = wordRegex(['call_plugin', 'call_plugin_serialized']);
    expect('s.call_plugin_serialized(x)'.match(re)).toEqual(['call_plugin_serialized']);
    expect('s.call_plugin_serializedx(x)'.match(re)).toBeNull();
    expect(wordRegex(['a.b'])).not.toBe(wordRegex(['a']));
    expect('a.b axb'.match(wordRegex(['a.b']))).toEqual(['a.b']);
  });
});

describe('callsThroughImports', () => {
  function imported(code: string, prefix: string) {
    const f = PyFile.parse('m.py', code);
    try {
      return callsThroughImports(f, prefix).map((c) => `${f.slice(c.call)} -> ${c.qualifiedName}`);
    } finally {
      f.dispose();
    }
  }

  it('finds calls reached through every import form that covers the prefix, in source order', () => {
    const code = [
      'import nova.conductor',
      'from nova import conductor',
      'from nova.conductor import api as capi',
      'from nova.conductor.api import LocalAPI as Local',
      'from nova import compute',
      '',
      '',
      'class Driver(object):',
      '    def __init__(self):',
      '        self.a = conductor.API()',
      '        self.b = nova.conductor.API()',
      '        self.c = capi.LocalAPI(',
      '            use_local=True)',
      '        self.d = Local()',
      '        self.e = compute.API()',
      "        self.f = 'conductor.API()'  # conductor.API()",
      '',
      '    def shadowed(self, conductor):',
      '        return conductor.API()',
    ].join('\n');
    expect(imported(code, 'nova.conductor')).toEqual([
      'conductor.API() -> nova.conductor.API',
      'nova.conductor.API() -> nova.conductor.API',
      'capi.LocalAPI(\n            use_local=True) -> nova.conductor.api.LocalAPI',
      'Local() -> nova.conductor.api.LocalAPI',
    ]);
    expect(imported(code, 'nova.objects')).toEqual([]);
  });
});
