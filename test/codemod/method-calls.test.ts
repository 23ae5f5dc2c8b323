import { beforeAll, describe, expect, it } from 'vitest';
import { methodCalls } from '../../src/codemod/method-calls.js';
import { captures, initPython } from '../../src/python/parser.js';
import { PyFile } from '../../src/python/source-file.js';

const QUERY = '(call function: (attribute object: (_) attribute: (identifier) @m)) @call';

describe('methodCalls', () => {
  beforeAll(() => initPython());

  it('finds what the query over every call finds for the names, in its order', () => {
    const text = [
      'a.get(x).put(y)',
      'b.get(z for z in w)',
      'get(1)',
      'c.get',
      "d.call('get')  # e.get(2)",
      'f.put(g.get(3)).get(4)',
      'h.get_all(5)',
      'i.j.put \\',
      '    (6)',
      '',
    ].join('\n');
    const file = PyFile.parse('m.py', text);
    try {
      const names = new Set(['get', 'put']);
      const expected = captures(QUERY, file.root)
        .filter((c) => c.name === 'call')
        .map((c) => c.node)
        .filter((call) => names.has(call.childForFieldName('function')!.childForFieldName('attribute')!.text))
        .map((n) => n.text);
      const found = methodCalls(file, names).map((n) => n.text);
      expect(found).toEqual(expected);
      expect(found).toEqual([
        'a.get(x).put(y)',
        'a.get(x)',
        'b.get(z for z in w)',
        'f.put(g.get(3)).get(4)',
        'f.put(g.get(3))',
        'g.get(3)',
        'i.j.put \\\n    (6)',
      ]);
    } finally {
      file.dispose();
    }
  });
});
