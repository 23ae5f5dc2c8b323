import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initPython } from '../../src/python/parser.js';
import { PyFile } from '../../src/python/source-file.js';
import { checkRewriteSyntax, PythonAstChecker } from '../../src/python/syntax.js';

beforeAll(() => initPython());

const PY2 = [
  'import sys',
  '',
  'def f(x):',
  '    print x',
  '    try:',
  '        g()',
  '    except ValueError, e:',
  "        s = ur'raw'",
  '    print >>sys.stderr, "done"',
  '',
].join('\n');

describe('syntax', () => {
  it('parses Python 2 era code without error nodes', () => {
    const f = PyFile.parse('py2.py', PY2);
    expect(f.hasSyntaxErrors).toBe(false);
    expect(f.syntaxIssues()).toEqual([]);
  });

  it('reports error and missing nodes with the statement region codemods must avoid', () => {
    const src = 'a = 1\ndef broken(:\n    return 2\nb = call(\nc = 3\n';
    const f = PyFile.parse('bad.py', src);
    expect(f.hasSyntaxErrors).toBe(true);
    const issues = f.syntaxIssues();
    expect(issues.length).toBeGreaterThan(0);
    expect(f.touchesErrorRegion(0, 5)).toBe(false);
    const broken = src.indexOf('broken');
    expect(f.touchesErrorRegion(broken, broken + 6)).toBe(true);
  });

  it('finds zero-width MISSING nodes', () => {
    const f = PyFile.parse('m.py', 'x = (1,\n');
    expect(f.syntaxIssues().some((i) => i.kind === 'missing' || i.kind === 'error')).toBe(true);
  });

  describe('python3 ast cross-check', () => {
    const checker = new PythonAstChecker();
    afterAll(() => checker.close());

    it('catches code tree-sitter accepts but Python 3 rejects', async () => {
      if (!checker.available())
        throw new Error('python3 is required by the test suite (scripts/install-system-deps.sh)');
      const good = 'def f(a, b):\n    return a\n';
      const bad = 'def f(a, a):\n    return a\n';
      expect(PyFile.parse('b.py', bad).hasSyntaxErrors).toBe(false);
      expect(await checker.check(good)).toEqual({ ok: true });
      const r = await checker.check(bad);
      expect(r.ok).toBe(false);
      expect(r.message).toMatch(/duplicate argument/);
      const verdict = await checkRewriteSyntax(
        { text: good, issues: [] },
        { text: bad, issues: [] },
        checker,
      );
      expect(verdict.ok).toBe(false);
      expect(verdict.reason).toMatch(/does not compile under Python 3/);
    });

    it('does not hold Python 2 code against a rewrite', async () => {
      const verdict = await checkRewriteSyntax(
        { text: PY2, issues: [] },
        { text: PY2.replace('print x', 'print y'), issues: [] },
        checker,
      );
      expect(verdict.ok).toBe(true);
    });

    it('refuses a rewrite that adds tree-sitter errors', async () => {
      const before = PyFile.parse('a.py', 'x = f(1)\n');
      const after = PyFile.parse('a.py', 'x = f(1\n');
      const verdict = await checkRewriteSyntax(
        { text: before.text, issues: before.syntaxIssues() },
        { text: after.text, issues: after.syntaxIssues() },
        checker,
      );
      expect(verdict.ok).toBe(false);
    });
  });
});
