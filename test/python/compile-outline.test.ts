import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileOutline } from '../../src/python/compile-outline.js';
import { initPython } from '../../src/python/parser.js';
import { PyFile } from '../../src/python/source-file.js';
import { checkRewriteSyntax, PythonAstChecker } from '../../src/python/syntax.js';
import { applyEdits, lineDiffEdits, type TextEdit } from '../../src/python/text-edits.js';

beforeAll(() => initPython());

/** A module whose class is most of the file, as Nova's drivers and tests are. */
const MODULE = [
  'import os',
  '',
  'from nova import exception',
  '',
  '',
  'class Driver(object):',
  '    def __init__(self, virtapi):',
  '        self.virtapi = virtapi',
  '',
  '    def spawn(self, context, instance):',
  "        x = instance['host']",
  '        return x',
  '',
  '    @staticmethod',
  '    def helper(a, b):',
  '        return a + b',
  '',
  ...Array.from({ length: 40 }, (_, i) => [
    `    def method_${i}(self, context, instance):`,
    `        """Method ${i}."""`,
    `        return os.path.join('a', str(${i}))`,
    '',
  ]).flat(),
  '',
  'def module_function(a):',
  '    return a',
  '',
].join('\n');

function rewrite(source: string, edits: TextEdit[]) {
  const before = PyFile.parse('m.py', source);
  const text = applyEdits(source, edits);
  const after = PyFile.parse('m.py', text);
  return { before, after, text, outline: compileOutline(before, after, edits) };
}

function replaceOnce(source: string, from: string, to: string): TextEdit {
  const start = source.indexOf(from);
  if (start < 0) throw new Error(`not in the source: ${from}`);
  return { start, end: start + from.length, text: to };
}

describe('compileOutline', () => {
  it('an edit inside a method: that method in full, every other statement a pass at its place', () => {
    const r = rewrite(MODULE, [replaceOnce(MODULE, "instance['host']", 'instance.host')]);
    expect(r.outline).toBeDefined();
    expect(r.outline).toContain(
      '    def spawn(self, context, instance):\n        x = instance.host\n        return x\n',
    );
    expect(r.outline).not.toContain('method_7');
    expect(r.outline).not.toContain('import os');
    // The outline: the class header, its other statements one pass each at their indentation.
    expect(r.outline!.split('\n').filter((l) => l === '    pass')).toHaveLength(42);
    expect(r.outline).toMatch(/^pass\n\npass\n\n\nclass Driver\(object\):\n {4}pass\n\n {4}def spawn/);
    expect(r.outline!.trimEnd().endsWith('\n\npass')).toBe(true);
    expect(r.outline!.length).toBeLessThan(r.text.length / 3);
  });

  it('a decorator edit: the decorated definition; an import edit: that import', () => {
    const r = rewrite(MODULE, [
      replaceOnce(MODULE, '@staticmethod', '@classmethod'),
      replaceOnce(MODULE, 'from nova import exception', 'from nova import exception as exc'),
    ]);
    expect(r.outline).toContain('from nova import exception as exc\n');
    expect(r.outline).toContain('    @classmethod\n    def helper(a, b):\n        return a + b\n');
    expect(r.outline).not.toContain('def spawn');
  });

  it('a statement deleted inside a method: the method; one cut short at its end: its method too', () => {
    const del = rewrite(MODULE, [replaceOnce(MODULE, "        x = instance['host']\n", '')]);
    expect(del.outline).toContain('def spawn(self, context, instance):\n        return x\n');
    const cut = rewrite(MODULE, [replaceOnce(MODULE, ' a + b', ' a')]);
    expect(cut.outline).toContain('def helper(a, b):\n        return a\n');
    expect(cut.outline).not.toContain('spawn');
  });

  it('a block emptied, or a header deleted: the outline keeps what Python then rejects', () => {
    const src =
      'class A(object):\n    def f(self):\n        if self:\n            return 1\n        return 2\n\n    def g(self):\n        return 3\n\n    def h(self):\n        return 4\n\n    def i(self):\n        return 5\n';
    const emptied = rewrite(src, [replaceOnce(src, '            return 1\n', '')]);
    // The header whose block the deletion emptied is in the outline, as written.
    expect(emptied.outline).toContain('        if self:\n        return 2\n');
    const small = 'x = 1\n\n\ndef f():\n    a = 1\n    return a\n\n\ny = 2\n';
    const header = rewrite(small, [replaceOnce(small, 'def f():\n', '')]);
    // The body left behind stays at its indentation (Python: unexpected indent).
    expect(header.outline).toBe('pass\n\n\n    pass\n    pass\n\n\npass\n');
  });

  it('the whole file when the edits touch most of it', () => {
    const edits = Array.from({ length: 40 }, (_, i) => replaceOnce(MODULE, `str(${i}))`, `repr(${i}))`));
    expect(rewrite(MODULE, edits).outline).toBeUndefined();
  });

  it('the whole file: syntax issues, module-wide global, edits near __future__ imports', () => {
    expect(rewrite(MODULE, [replaceOnce(MODULE, 'return x', 'return (x')]).outline).toBeUndefined();
    const withGlobal = `${MODULE}\nglobal CACHE\n`;
    expect(
      rewrite(withGlobal, [replaceOnce(withGlobal, "instance['host']", 'instance.host')]).outline,
    ).toBeUndefined();
    // A global inside a function binds in that function only.
    const inFunction = `${MODULE}\ndef g():\n    global CACHE\n    CACHE = 1\n`;
    expect(
      rewrite(inFunction, [replaceOnce(inFunction, "instance['host']", 'instance.host')]).outline,
    ).toBeDefined();
    const future = `"""Doc."""\nfrom __future__ import annotations\n\n${MODULE}`;
    const far = rewrite(future, [replaceOnce(future, "instance['host']", 'instance.host')]);
    expect(far.outline?.startsWith('"""Doc."""\nfrom __future__ import annotations\n\npass\n')).toBe(true);
    const near = rewrite(future, [{ start: 0, end: 0, text: 'import sys\n' }]);
    expect(near.outline).toBeUndefined();
    // A __future__ import moved below other statements is an error only the whole file shows.
    const moved = rewrite(MODULE, [
      replaceOnce(MODULE, 'import os', 'import os\nfrom __future__ import division'),
    ]);
    expect(moved.outline).toBeUndefined();
  });

  it('line-diff edits of a rewrite made in several steps find the same definitions', () => {
    const text = MODULE.replace("instance['host']", 'instance.host').replace(
      'import os\n',
      'import os\nimport sys\n',
    );
    const before = PyFile.parse('m.py', MODULE);
    const after = PyFile.parse('m.py', text);
    const edits = lineDiffEdits(MODULE, text);
    expect(applyEdits(MODULE, edits)).toBe(text);
    const outline = compileOutline(before, after, edits);
    expect(outline).toMatch(/^pass\nimport sys\n/);
    expect(outline).toContain('        x = instance.host\n');
    expect(outline).not.toContain('method_3');
  });
});

describe('the compile check with an outline gives the whole file’s verdict', () => {
  const checker = new PythonAstChecker();
  afterAll(() => checker.close());

  const NESTED = [
    'def outer():',
    '    count = 0',
    '',
    '    def bump():',
    '        nonlocal count',
    '        count += 1',
    '        return count',
    '',
    '    return bump',
    '',
    ...Array.from({ length: 30 }, (_, i) => [`def filler_${i}(a):`, `    return a * ${i}`, '']).flat(),
  ].join('\n');

  async function verdicts(source: string, edits: TextEdit[]) {
    const r = rewrite(source, edits);
    const before = { text: source, issues: r.before.syntaxIssues() };
    const after = { text: r.text, issues: r.after.syntaxIssues() };
    const outline = await checkRewriteSyntax(before, after, checker, r.outline);
    const whole = await checkRewriteSyntax(before, after, checker);
    return { outline, whole, source: r.outline };
  }

  it('a nested function needing its enclosing one: the outline compile fails, the whole file decides', async () => {
    if (!checker.available()) throw new Error('python3 is required by the test suite');
    const v = await verdicts(NESTED, [replaceOnce(NESTED, 'count += 1', 'count += 2')]);
    expect(v.source).toContain('nonlocal count');
    expect(v.source).not.toContain('count = 0');
    expect(v.outline).toEqual({ ok: true });
    expect(v.whole).toEqual({ ok: true });
  });

  it('errors only Python 3 sees, inside a touched definition, are refused either way', async () => {
    for (const [from, to] of [
      ['def helper(a, b):', 'def helper(a, a):'],
      ['        return x\n', '        return x\n        nonlocal y\n'],
      ["        x = instance['host']\n", "        x = instance['host']\n        break\n"],
      ['        return a + b', '        return (yield a) + (await b)'],
      ['        return a + b\n', ''],
      ['    def helper(a, b):\n', ''],
      ['        return x\n', '        return x\n      y = 1\n'],
    ] as const) {
      const v = await verdicts(MODULE, [replaceOnce(MODULE, from, to)]);
      expect(v.whole.ok, to).toBe(false);
      expect(v.outline, to).toEqual(v.whole);
    }
  });
});
