import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeFingerprint,
  encodeFingerprint,
  fingerprintNode,
  similarity,
  tokenShape,
} from '../../src/duplicates/fingerprint.js';
import { codeUnits } from '../../src/duplicates/units.js';
import { initPython } from '../../src/python/parser.js';
import { PyFile } from '../../src/python/source-file.js';

function fp(code: string) {
  const f = PyFile.parse('x.py', code);
  try {
    return fingerprintNode(f.root.namedChildren[0]!);
  } finally {
    f.dispose();
  }
}

const BASE = `def call_plugin(self, plugin, fn, args):
    """Call a dom0 plugin."""
    if not plugin.endswith('.py'):
        plugin = '%s.py' % plugin
    args['host_uuid'] = self.host_uuid
    with self._get_session() as conn:
        return self._unwrap(conn.xenapi.host.call_plugin(self.host_ref, plugin, fn, args))
`;

describe('structural fingerprint', () => {
  beforeAll(() => initPython());

  it('ignores names, strings, numbers, comments, docstrings and formatting', () => {
    const renamed = `def run_dom0(self, name, func, arg_dict):  # renamed
    # a comment that was not there
    if not name.endswith(".PY"):
        name = "%s.py" % (
            name)
    arg_dict["host"] = self.uuid_of_host
    with self._borrow() as s:
        return self._check(s.xenapi.host.call_plugin(self.ref, name, func,
                                                     arg_dict))
`;
    const s = similarity(fp(BASE), fp(renamed));
    expect(s.score).toBe(1);
    expect(fp(BASE).tokens).toBe(fp(renamed).tokens);
  });

  it('a different control flow does not match', () => {
    const loop = BASE.replace("    if not plugin.endswith('.py'):", "    while not plugin.endswith('.py'):");
    const extraBranch = BASE.replace(
      "    args['host_uuid'] = self.host_uuid\n",
      "    if args:\n        args['host_uuid'] = self.host_uuid\n",
    );
    for (const variant of [loop, extraBranch]) {
      const s = similarity(fp(BASE), fp(variant));
      expect(s.flow).toBeLessThan(1);
      expect(s.score).toBeLessThan(0.8);
    }
    // ...while one changed operand keeps the flow and most k-grams.
    const tweak = similarity(
      fp(BASE),
      fp(BASE.replace("args['host_uuid'] = self.host_uuid", "args['host_uuid'] = self.host_uuid + 1")),
    );
    expect(tweak.flow).toBe(1);
    expect(tweak.score).toBeGreaterThan(0.5);
  });

  it('token shape: I/S/N for names, strings, numbers; docstrings and comments dropped; flow skeleton', () => {
    const f = PyFile.parse(
      'x.py',
      'def f(a):\n    """doc"""\n    # c\n    if a:\n        return a + 1\n    raise E("x")\n',
    );
    try {
      const shape = tokenShape(f.root.namedChildren[0]!);
      expect(shape.tokens.join(' ')).toBe('def I ( I ) : if I : return I + N raise I ( S )');
      expect(shape.flow).toBe('dir)s)');
    } finally {
      f.dispose();
    }
  });

  it('encodes and decodes losslessly', () => {
    const a = fp(BASE);
    const b = decodeFingerprint(encodeFingerprint(a));
    expect(b.tokens).toBe(a.tokens);
    expect(b.flow).toBe(a.flow);
    expect([...b.hashes]).toEqual([...a.hashes]);
  });

  it('units: module, classes, methods (decorated too), functions', () => {
    const f = PyFile.parse(
      'x.py',
      'class A(object):\n    @property\n    def p(self):\n        return 1\n\n\ndef g():\n    pass\n',
    );
    try {
      expect(codeUnits(f).map((u) => `${u.kind}:${u.name}`)).toEqual([
        'module:',
        'class:A',
        'method:A.p',
        'function:g',
      ]);
    } finally {
      f.dispose();
    }
  });

  it('units: each unit fingerprint from the one-walk slices equals a walk of the unit alone', () => {
    const code = [
      '"""Module docstring."""',
      'import os',
      '',
      '',
      '@six.add_metaclass(abc.ABCMeta)',
      'class Session(object):',
      '    """Doc."""',
      '    VERSION = 1',
      '',
      '    @staticmethod',
      '    def build(a, b=(1, 2)):',
      '        if a:',
      '            return (a + b)  # comment',
      '        for x in range(3):',
      '            try:',
      '                yield x',
      '            except ValueError:',
      '                raise',
      '',
      '    def call(self, plugin, fn, args):',
      "        args['k'] = 'v'",
      '        with self._s() as c:',
      '            return c.call_plugin(plugin, fn, args)',
      '',
      '    class Inner(object):',
      '        def inner(self):',
      '            pass',
      '',
      '',
      'class Plain(Session):',
      '    def one(self):',
      '        while True:',
      '            break',
      '',
      '',
      'def helper(x):',
      '    return [y for y in x if y]',
      '',
    ].join('\n');
    const f = PyFile.parse('x.py', code);
    try {
      const units = codeUnits(f);
      expect(units.map((u) => `${u.kind}:${u.name}`)).toEqual([
        'module:',
        'class:Session',
        'method:Session.build',
        'method:Session.call',
        'class:Plain',
        'method:Plain.one',
        'function:helper',
      ]);
      for (const u of units) {
        const alone = fingerprintNode(u.node);
        expect({ unit: u.name, ...u.fingerprint }).toEqual({ unit: u.name, ...alone });
        expect(u.fingerprint.tokens).toBeGreaterThan(0);
      }
      // The slices really differ per unit (not the module's shape copied to each).
      expect(new Set(units.map((u) => u.fingerprint.flow)).size).toBe(units.length);
    } finally {
      f.dispose();
    }
  });
});
