/**
 * A differential check of compileOutline: random line and character edits of the sample
 * tree's Python files (statements Python 3 rejects in some places and not others, deleted lines,
 * block headers, re-indented and commented-out lines). Whenever the original compiles and the
 * outline compiles, the whole rewritten file must compile; the verdicts must agree.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileOutline } from '../../src/python/compile-outline.js';
import { initPython } from '../../src/python/parser.js';
import { PyFile } from '../../src/python/source-file.js';
import { PythonAstChecker } from '../../src/python/syntax.js';
import { applyEdits, lineDiffEdits, type TextEdit } from '../../src/python/text-edits.js';

const STATEMENTS = [
  'nonlocal zz',
  'global zz',
  'yield',
  'await zz',
  'break',
  'continue',
  'return 1',
  'x = (yield)',
  'from zz import *',
  'def zz(a, a): pass',
  '__debug__ = 1',
  'print zz',
  'zz = 1\n{i}global zz',
  'return',
  'yield from zz',
  'async def q(): yield 1; return 2',
  'def q():\n{i}    nonlocal zz',
  'class Q:\n{i}    return 1',
  'from __future__ import annotations',
  'try:\n{i}    pass\n{i}finally:\n{i}    continue',
  'pass',
];
const HEADERS = ['if zz:', 'def q(self):', 'try:', 'else:', 'except Exception:', 'with zz:', '@dec'];
const COLUMN_ZERO = [
  'zz = 1',
  'def q():',
  '    pass',
  'class Q(object):',
  'if zz:',
  '\tpass',
  '        x = 1',
];
const PIECES = ['', 'zz', ':', '(', ')', '\n', '    ', '#', '"', 'yield ', 'await '];

function pythonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return pythonFiles(p);
    return n.endsWith('.py') ? [p] : [];
  });
}

let seed = 20261122;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  // The high bits: an LCG's low bits repeat with a short period.
  return (seed >>> 12) % n;
};

/** One mutation of `src`: the new text and the edits that made it (line diff, or exact). */
function mutate(src: string): { text: string; edits: TextEdit[] } | undefined {
  if (rnd(4) === 0) {
    const edits: TextEdit[] = [];
    let last = -1;
    for (const p of Array.from({ length: 1 + rnd(3) }, () => rnd(src.length)).sort((a, b) => a - b)) {
      if (p <= last) continue;
      const end = Math.min(src.length, p + rnd(4));
      edits.push({ start: p, end, text: PIECES[rnd(PIECES.length)]! });
      last = end;
    }
    return { text: applyEdits(src, edits), edits };
  }
  const lines = src.split('\n');
  const ln = rnd(lines.length);
  const line = lines[ln]!;
  if (line.trim() === '') return undefined;
  const indent = /^[ \t]*/.exec(line)![0];
  let out: string[];
  switch (rnd(8)) {
    case 7: {
      // Empty a block: drop the one line after a header (the next code line is not deeper).
      const depth = (l: string) => (l.trim() ? l.length - l.trimStart().length : -1);
      const header = lines.findIndex((l, i) => {
        if (i < ln || !/:\s*$/.test(l) || l.trim().startsWith('#')) return false;
        const next = lines.slice(i + 2).find((x) => x.trim() !== '');
        return next === undefined || depth(next) <= depth(l);
      });
      if (header < 0) return undefined;
      out = [...lines.slice(0, header + 1), ...lines.slice(header + 2)];
      break;
    }
    case 0:
      out = [...lines.slice(0, ln), ...lines.slice(ln + 1 + rnd(3))];
      break;
    case 1:
    case 2: {
      const at = ln + rnd(2);
      const stmt = STATEMENTS[rnd(STATEMENTS.length)]!.replaceAll('{i}', indent);
      out = [...lines.slice(0, at), indent + stmt, ...lines.slice(at)];
      break;
    }
    case 3:
      out = [
        ...lines.slice(0, ln),
        rnd(2) ? `    ${line}` : line.replace(/^ {4}/, ''),
        ...lines.slice(ln + 1),
      ];
      break;
    case 4:
      out = [...lines.slice(0, ln), `${indent}# ${line.trim()}`, ...lines.slice(ln + 1)];
      break;
    case 5:
      out = [...lines.slice(0, ln), indent + HEADERS[rnd(HEADERS.length)], ...lines.slice(ln + 1)];
      break;
    default:
      out = [...lines.slice(0, ln), COLUMN_ZERO[rnd(COLUMN_ZERO.length)]!, ...lines.slice(ln + rnd(2))];
  }
  const text = out.join('\n');
  return { text, edits: lineDiffEdits(src, text) };
}

describe('compileOutline against the whole file (random edits of the sample tree)', () => {
  const checker = new PythonAstChecker();
  beforeAll(() => initPython());
  afterAll(() => checker.close());

  it('never says a rewrite compiles when the whole file does not', async () => {
    if (!checker.available()) throw new Error('python3 is required by the test suite');
    const sources: string[] = [];
    for (const f of pythonFiles('fixtures/sample-nova')) {
      const text = readFileSync(f, 'utf8');
      if (text.length > 1500 && (await checker.check(text)).ok) sources.push(text);
    }
    expect(sources.length).toBeGreaterThan(5);
    let outlineCases = 0;
    let rejected = 0;
    for (let k = 0; k < 1500; k++) {
      const src = sources[rnd(sources.length)]!;
      const m = mutate(src);
      if (!m || m.text === src) continue;
      const before = PyFile.parse('m.py', src);
      const after = PyFile.parse('m.py', m.text);
      try {
        const outline = compileOutline(before, after, m.edits);
        if (outline === undefined) continue;
        outlineCases++;
        const [n, whole] = await Promise.all([checker.check(outline), checker.check(m.text)]);
        if (!whole.ok) rejected++;
        expect(n.ok, `the outline compiles but the file does not:\n${outline}`).toBe(whole.ok);
      } finally {
        before.dispose();
        after.dispose();
      }
    }
    // The run exercised both verdicts.
    expect(outlineCases).toBeGreaterThan(250);
    expect(rejected).toBeGreaterThan(20);
  });
});
