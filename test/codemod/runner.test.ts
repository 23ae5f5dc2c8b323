import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCodemods, type LoadedCodemod, lineMapper } from '../../src/codemod/apply.js';
import { runCodemods } from '../../src/codemod/runner.js';
import type { CodemodModule, Transform } from '../../src/codemod/types.js';
import { initPython } from '../../src/python/parser.js';
import { PythonAstChecker } from '../../src/python/syntax.js';
import { EditSet } from '../../src/python/text-edits.js';

function mod(name: string, transform: Transform): LoadedCodemod {
  return { name, module: { default: transform, meta: { name, description: name } } satisfies CodemodModule };
}

const project = { root: '/tmp/x', projectPackages: ['nova'], config: {} };

async function apply(source: string, ...codemods: LoadedCodemod[]) {
  return applyCodemods({
    path: '/tmp/x/nova/virt/a.py',
    relPath: 'nova/virt/a.py',
    source,
    project,
    codemods,
    checker: null,
  });
}

/** Renames calls of `old_call(` to `new_call(` through the tree, reporting each site. */
const rename = mod('rename', (file, api) => {
  const py = api.parse();
  const edits = new EditSet(file.source);
  for (const id of py.root.descendantsOfType('identifier')) {
    if (id?.text === 'old_call' && id.parent?.type === 'call') {
      edits.replace(id.startIndex, id.endIndex, 'new_call');
      api.converted({
        line: py.position(id.startIndex).line,
        column: py.position(id.startIndex).column,
        kind: 'rename',
      });
    }
    if (id?.text === 'mystery' && id.parent?.type === 'call') {
      const p = py.position(id.startIndex);
      api.manual({ line: p.line, column: p.column, reason: 'mystery call needs a human', kind: 'mystery' });
    }
  }
  return edits.apply();
});

beforeAll(async () => {
  await initPython();
});

describe('applyCodemods checks', () => {
  it('keeps a sound rewrite and records its sites', async () => {
    const out = await apply('def f():\n    old_call(1)\n    mystery()\n', rename);
    expect(out.status).toBe('changed');
    expect(out.output).toBe('def f():\n    new_call(1)\n    mystery()\n');
    expect(out.converted).toEqual([{ line: 2, column: 5, kind: 'rename', codemod: 'rename' }]);
    expect(out.manual.map((m) => m.reason)).toEqual(['mystery call needs a human']);
  });

  it('reports unchanged when the transform returns nothing or the same text', async () => {
    expect((await apply('x = 1\n', rename)).status).toBe('unchanged');
    expect(
      (
        await apply(
          'x = 1\n',
          mod('same', (f) => f.source),
        )
      ).status,
    ).toBe('unchanged');
  });

  it('refuses a rewrite that introduces a syntax error', async () => {
    const broken = mod('broken', (f) => f.source.replace('old_call(1)', 'old_call(1'));
    const out = await apply('def f():\n    old_call(1)\n', broken);
    expect(out.status).toBe('refused');
    expect(out.reason).toMatch(/syntax error/);
    expect(out.output).toBeUndefined();
  });

  describe('the Python 3 compile check', () => {
    const checker = new PythonAstChecker();
    afterAll(() => checker.close());
    /** Makes a duplicate parameter: tree-sitter parses it, Python 3 does not compile it. */
    const dupArg = mod('dup-arg', (f) => f.source.replace('def f(a, b)', 'def f(a, a)'));
    const source = 'def f(a, b):\n    return a\n';

    it('refuses a rewrite that tree-sitter accepts and Python 3 does not compile', async () => {
      if (!checker.available())
        throw new Error('python3 is required by the test suite (scripts/install-system-deps.sh)');
      const out = await applyCodemods({
        path: '/tmp/x/nova/virt/a.py',
        relPath: 'nova/virt/a.py',
        source,
        project,
        codemods: [dupArg],
        checker,
      });
      expect(out.status).toBe('refused');
      expect(out.reason).toMatch(/does not compile under Python 3: duplicate argument 'a'/);
    });

    it('checker null: the tree-sitter checks only (--no-python-check)', async () => {
      const out = await apply(source, dupArg);
      expect(out.status).toBe('changed');
      expect(out.output).toBe('def f(a, a):\n    return a\n');
    });

    it('its verdict comes before the second run: a rewrite that is both is refused as not compiling', async () => {
      const both = mod('both', (f) => `${f.source.replace('def f(a, b)', 'def f(a, a)')}x = 1\n`);
      const out = await applyCodemods({
        path: '/tmp/x/nova/virt/a.py',
        relPath: 'nova/virt/a.py',
        source,
        project,
        codemods: [both],
        checker,
      });
      expect(out.status).toBe('refused');
      expect(out.reason).toMatch(/does not compile under Python 3/);
    });
  });

  it('refuses a rewrite that is not idempotent', async () => {
    const grows = mod('grows', (f) => `${f.source}x = 1\n`);
    const out = await apply('y = 2\n', grows);
    expect(out.status).toBe('refused');
    expect(out.reason).toMatch(/not idempotent: a second run on the rewritten file changes it again/);
  });

  it('refuses overlapping edits', async () => {
    const overlap = mod('overlap', (f) => {
      const e = new EditSet(f.source);
      e.replace(0, 5, 'aaa');
      e.replace(3, 8, 'bbb');
      e.checkConflicts();
      return e.apply();
    });
    const out = await apply('value = 12345\n', overlap);
    expect(out.status).toBe('refused');
    expect(out.reason).toMatch(/edits overlap/);
  });

  it('reports a transform that throws as an error and keeps the file', async () => {
    const boom = mod('boom', () => {
      throw new Error('kaput');
    });
    const out = await apply('x = 1\n', rename, boom);
    expect(out.status).toBe('error');
    expect(out.reason).toBe('codemod boom failed: kaput');
  });

  it('never edits inside a syntax-error region, but edits elsewhere in the file', async () => {
    const src = 'def f():\n    old_call(1)\n\ndef g(:\n    old_call(2)\n';
    const inError = await apply(src, rename);
    expect(inError.status).toBe('refused');
    expect(inError.reason).toMatch(/syntax-error region/);
    const onlyFirst = mod('first', (f) => f.source.replace('old_call(1)', 'new_call(1)'));
    const ok = await apply(src, onlyFirst);
    expect(ok.status).toBe('changed');
  });

  it('chains codemods, each on the previous output', async () => {
    const second = mod('second', (f) => f.source.replace('new_call', 'newer_call'));
    const out = await apply('old_call()\n', rename, second);
    expect(out.output).toBe('newer_call()\n');
  });

  it('--annotate inserts one TODO above the statement, and not twice', async () => {
    const src = 'def f():\n    x = mystery(\n        1)\n    old_call()\n';
    const out = await applyCodemods({
      path: '/tmp/x/nova/virt/a.py',
      relPath: 'nova/virt/a.py',
      source: src,
      project,
      codemods: [rename],
      annotate: true,
      checker: null,
    });
    expect(out.output).toBe(
      'def f():\n    # TODO(backlevel): rename: mystery call needs a human\n    x = mystery(\n        1)\n    new_call()\n',
    );
    expect(out.annotations).toBe(1);
    const again = await applyCodemods({
      path: '/tmp/x/nova/virt/a.py',
      relPath: 'nova/virt/a.py',
      source: out.output!,
      project,
      codemods: [rename],
      annotate: true,
      checker: null,
    });
    expect(again.status).toBe('unchanged');
  });

  it('maps lines through a rewrite', () => {
    const map = lineMapper('a\nb\nc\nd\n', 'a\nX\nY\nc\nd\n');
    expect(map(1)).toBe(1);
    expect(map(2)).toBe(2);
    expect(map(3)).toBe(4);
    expect(map(4)).toBe(5);
    // Pure insertions and deletions (hunks with no old / no new lines).
    const insert = lineMapper('a\nb\n', 'a\nx\ny\nb\n');
    expect([1, 2].map(insert)).toEqual([1, 4]);
    const remove = lineMapper('a\nx\ny\nb\n', 'a\nb\n');
    expect([1, 4].map(remove)).toEqual([1, 2]);
    // A run rewritten with the same line count (re-indented) keeps each line's offset.
    const reindent = lineMapper('a\n  x\n  y\nb\n', 'a\n x\n y\nb\n');
    expect([2, 3, 4].map(reindent)).toEqual([2, 3, 4]);
  });
});

const USER_CODEMOD = `
import type { CodemodApi, CodemodFile } from '../../src/codemod/types.js';
import { suffix } from './helper';

export const meta = { name: 'user-rename', description: 'renames old_call to new_call' };

export default function transform(file: CodemodFile, api: CodemodApi, options: { to?: string }): string | undefined {
  const py = api.parse();
  let out = file.source;
  for (const id of py.root.descendantsOfType('identifier').reverse()) {
    if (id && id.text === 'old_call') {
      out = out.slice(0, id.startIndex) + (options.to ?? 'new') + suffix + out.slice(id.endIndex);
      api.converted({ line: py.position(id.startIndex).line, column: 1, kind: 'user' });
    }
  }
  return out;
}
`;

describe('runCodemods', () => {
  function tree(): string {
    const root = mkdtempSync(join(tmpdir(), 'backlevel-migrate-'));
    mkdirSync(join(root, 'nova', 'virt'), { recursive: true });
    writeFileSync(join(root, 'nova', '__init__.py'), '');
    writeFileSync(join(root, 'nova', 'virt', '__init__.py'), '');
    writeFileSync(join(root, 'nova', 'virt', 'a.py'), 'def f():\n    return old_call(1)\n');
    writeFileSync(join(root, 'nova', 'virt', 'b.py'), 'x = 1\n');
    writeFileSync(join(root, 'nova', 'virt', 'c.py'), 'def g(:\n    old_call(2)\n');
    mkdirSync(join(root, 'codemods-src'));
    writeFileSync(join(root, 'codemods-src', 'helper.ts'), "export const suffix: string = '_call';\n");
    return root;
  }

  it('loads a TypeScript user codemod in memory and runs it (dry run changes nothing)', async () => {
    const root = tree();
    const file = join(root, 'codemods-src', 'user.ts');
    writeFileSync(
      file,
      USER_CODEMOD.replace(
        "'../../src/codemod/types.js'",
        `'${join(process.cwd(), 'src/codemod/types.js')}'`,
      ),
    );
    const res = await runCodemods({
      project: root,
      codemods: [file],
      quiet: true,
      jobs: 1,
      noPythonCheck: true,
    });
    expect(res.codemods[0]!.name).toBe('user-rename');
    const byPath = Object.fromEntries(res.files.map((f) => [f.relPath, f]));
    expect(byPath['nova/virt/a.py']!.status).toBe('changed');
    expect(byPath['nova/virt/a.py']!.diff).toContain('+    return new_call(1)');
    expect(byPath['nova/virt/a.py']!.diff).toContain('--- a/nova/virt/a.py');
    expect(byPath['nova/virt/b.py']!.status).toBe('unchanged');
    expect(byPath['nova/virt/c.py']!.status).toBe('refused');
    expect(readFileSync(join(root, 'nova/virt/a.py'), 'utf8')).toBe('def f():\n    return old_call(1)\n');
    expect(res.summary).toMatchObject({
      filesChanged: 1,
      filesUnchanged: 3,
      filesWithErrors: 1,
      sitesConverted: 1,
    });
  });

  it('write mode replaces files atomically and keeps their permissions', async () => {
    const root = tree();
    const file = join(root, 'codemods-src', 'user.ts');
    writeFileSync(file, USER_CODEMOD.replace(/import type .*\n/, ''));
    const target = join(root, 'nova/virt/a.py');
    chmodSync(target, 0o640);
    const res = await runCodemods({
      project: root,
      codemods: [file],
      mode: 'write',
      options: { to: 'fresh' },
      quiet: true,
      jobs: 1,
      noPythonCheck: true,
    });
    expect(res.summary.filesChanged).toBe(1);
    expect(readFileSync(target, 'utf8')).toBe('def f():\n    return fresh_call(1)\n');
    expect(statSync(target).mode & 0o777).toBe(0o640);
    // the refused file is untouched
    expect(readFileSync(join(root, 'nova/virt/c.py'), 'utf8')).toBe('def g(:\n    old_call(2)\n');
    // no temp files left behind
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(join(root, 'nova/virt')).sort()).toEqual(['__init__.py', 'a.py', 'b.py', 'c.py']);
  });

  it('reports a syntax error in a user codemod with its position', async () => {
    const root = tree();
    const file = join(root, 'codemods-src', 'bad.ts');
    writeFileSync(file, 'export default function (file: {source: string} {\n  return 1;\n}\n');
    await expect(runCodemods({ project: root, codemods: [file], quiet: true, jobs: 1 })).rejects.toThrow(
      /bad\.ts:1:\d+/,
    );
  });

  it('rejects an unknown built-in name', async () => {
    const root = tree();
    await expect(runCodemods({ project: root, codemods: ['no-such-codemod'], quiet: true })).rejects.toThrow(
      /unknown codemod 'no-such-codemod'/,
    );
  });
});

describe('sites of later codemods in a chain', () => {
  /** Prepends three comment lines (once). */
  const shift = mod('shift', (file) =>
    file.source.startsWith('# header') ? undefined : `# header\n# two\n# three\n${file.source}`,
  );
  /** Deletes the `pass  # drop` lines. */
  const drop = mod('drop', (file) => file.source.replace(/^ {4}pass {2}# drop\n/gm, ''));
  const source = 'def f():\n    pass  # drop\n    pass  # drop\n    old_call(1)\n    mystery()\n';

  it('are reported at their lines in the original file', async () => {
    const out = await apply(source, drop, shift, rename);
    expect(out.status).toBe('changed');
    expect(out.output).toBe('# header\n# two\n# three\ndef f():\n    new_call(1)\n    mystery()\n');
    // In rename's input, old_call is on line 5 and mystery on line 6; the original has them on 4 and 5.
    expect(out.converted).toEqual([{ line: 4, column: 5, kind: 'rename', codemod: 'rename' }]);
    expect(out.manual.map((m) => [m.line, m.kind])).toEqual([[5, 'mystery']]);
  });

  it('--annotate still marks the site in the final text', async () => {
    const out = await applyCodemods({
      path: '/tmp/x/nova/virt/a.py',
      relPath: 'nova/virt/a.py',
      source,
      project,
      codemods: [drop, shift, rename],
      checker: null,
      annotate: true,
    });
    const lines = out.output!.split('\n');
    const at = lines.indexOf('    mystery()');
    expect(lines[at - 1]).toMatch(/^ {4}# TODO.*mystery call needs a human/);
    expect(out.manual[0]!.line).toBe(5);
  });
});
