import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverFiles } from '../../src/engine/discover.js';
import { isMatch } from '../../src/engine/glob-match.js';
import { decodeSource, readSource, readSourceSync } from '../../src/engine/read-source.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'backlevel-discover-'));
  execFileSync('git', ['init', '-q', dir]);
  const files: Record<string, string | Buffer> = {
    'nova/__init__.py': '',
    'nova/virt/driver.py': 'x = 1\n',
    'nova/virt/xenapi/vmops.py': 'y = 2\n',
    'nova/tests/test_x.py': 'z = 3\n',
    'build/generated.py': 'g = 1\n',
    'notes.txt': 'not python\n',
    '.tox/py27/lib/site.py': 'ignored = 1\n',
  };
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  writeFileSync(join(dir, '.gitignore'), 'build/\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('file discovery', () => {
  it('finds Python files, honours .gitignore and skips tool folders', async () => {
    const { files, missing } = await discoverFiles({ cwd: dir });
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      'nova/__init__.py',
      'nova/tests/test_x.py',
      'nova/virt/driver.py',
      'nova/virt/xenapi/vmops.py',
    ]);
    expect(missing).toEqual([]);
  });

  it('applies include and exclude globs, keeps explicit files, reports missing paths', async () => {
    const { files, missing } = await discoverFiles({
      cwd: dir,
      paths: ['nova', 'build/generated.py', 'no/such/path'],
      exclude: ['nova/tests/**'],
    });
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      'build/generated.py',
      'nova/__init__.py',
      'nova/virt/driver.py',
      'nova/virt/xenapi/vmops.py',
    ]);
    expect(missing).toEqual(['no/such/path']);
  });

  it('nested and parent .gitignore files (with negation), node_modules, __pycache__, dot files, symlinks', async () => {
    const t = mkdtempSync(join(tmpdir(), 'backlevel-walk-'));
    try {
      execFileSync('git', ['init', '-q', t]);
      for (const rel of [
        'pkg/a.py',
        'pkg/gen/gen_1.py',
        'pkg/gen/keep.py',
        'pkg/c/drop.py',
        'pkg/c/keep.py',
        'pkg/node_modules/m.py',
        'pkg/__pycache__/p.py',
        'pkg/.hidden.py',
        'pkg/.venv/v.py',
      ]) {
        mkdirSync(join(t, rel, '..'), { recursive: true });
        writeFileSync(join(t, rel), 'x = 1\n');
      }
      writeFileSync(join(t, '.gitignore'), 'pkg/c/*.py\n!pkg/c/keep.py\n');
      writeFileSync(join(t, 'pkg/gen/.gitignore'), 'gen_*.py\n');
      symlinkSync(join(t, 'pkg/a.py'), join(t, 'pkg/link.py'));
      // Walking a sub-directory still applies the .gitignore above it, up to the git root.
      const { files } = await discoverFiles({ cwd: join(t, 'pkg') });
      expect(files.map((f) => f.slice(t.length + 1))).toEqual([
        'pkg/a.py',
        'pkg/c/keep.py',
        'pkg/gen/keep.py',
      ]);
      const all = await discoverFiles({ cwd: join(t, 'pkg'), gitignore: false });
      expect(all.files).toHaveLength(5);
    } finally {
      rmSync(t, { recursive: true, force: true });
    }
  });

  it('reads ignore files as globby does (same files kept, over a mix of gitignore patterns)', async () => {
    const t = mkdtempSync(join(tmpdir(), 'backlevel-ignore-'));
    try {
      execFileSync('git', ['init', '-q', t]);
      const rels = [
        'a.py',
        'build/x.py',
        'src/build/y.py',
        'src/keep.py',
        'src/gen/gen_1.py',
        'src/gen/deep/gen_2.py',
        'docs/conf.py',
        'only/root.py',
        'x/only/nested.py',
        'space .py',
        'logs/app.py',
        'logs/keep.py',
        'a/b/c/d.py',
      ];
      for (const rel of rels) {
        mkdirSync(join(t, rel, '..'), { recursive: true });
        writeFileSync(join(t, rel), 'x = 1\n');
      }
      writeFileSync(
        join(t, '.gitignore'),
        '\uFEFF# comment\r\nbuild/\r\n/only\r\nspace\\ .py\r\nlogs/*\r\n!logs/keep.py\r\na/**/d.py   \r\n',
      );
      writeFileSync(join(t, 'src/.gitignore'), 'gen/**/gen_*.py\ngen_*.py\n/keep.py\n');
      const { isIgnoredByIgnoreFiles } = await import('globby');
      const viaGlobby = await isIgnoredByIgnoreFiles(['.gitignore', 'src/.gitignore'], { cwd: t });
      const expected = rels.filter((r) => !viaGlobby(join(t, r))).sort();
      const { files } = await discoverFiles({ cwd: t });
      expect(files.map((f) => f.slice(t.length + 1))).toEqual(expected);
      expect(expected).toEqual(['a.py', 'docs/conf.py', 'logs/keep.py', 'x/only/nested.py']);
    } finally {
      rmSync(t, { recursive: true, force: true });
    }
  });

  it('matches scope globs', () => {
    expect(isMatch('nova/virt/xenapi/vmops.py', 'nova/virt/**')).toBe(true);
    expect(isMatch('nova/compute/manager.py', 'nova/virt/**')).toBe(false);
  });
});

describe('safe reads', () => {
  it('reads a file exactly, small or large, multi-byte text included', async () => {
    for (const text of ['', 'x = 1\n', `s = "é ü 漢字"\n${'# line\n'.repeat(300_000)}`]) {
      const p = join(dir, 'exact.py');
      writeFileSync(p, text);
      const r = readSourceSync(p);
      expect(r.ok && r.text === text && r.bytes === Buffer.byteLength(text)).toBe(true);
      const a = await readSource(p);
      expect(a.ok && a.text === text).toBe(true);
    }
  });

  it('refuses binary and non-UTF-8 content, naming the file', () => {
    const bin = decodeSource('a.pyc', Buffer.from([0x03, 0xf3, 0x0d, 0x0a, 0x00, 0x01]));
    expect(bin).toMatchObject({ ok: false, reason: 'binary' });
    const latin1 = decodeSource('legacy.py', Buffer.from('# caf\xe9\nx = 1\n', 'latin1'));
    expect(latin1.ok).toBe(false);
    if (!latin1.ok)
      expect(latin1.message).toBe('legacy.py: not valid UTF-8 (first bad byte at offset 5), skipped');
    const good = decodeSource('ok.py', Buffer.from('s = "é"\n'));
    expect(good).toMatchObject({ ok: true, text: 's = "é"\n' });
  });

  it('refuses files over the size limit and missing files', async () => {
    const big = join(dir, 'big.py');
    writeFileSync(big, 'x = 1\n'.repeat(100));
    const r = await readSource(big, 100);
    expect(r).toMatchObject({ ok: false, reason: 'too-large' });
    const m = await readSource(join(dir, 'nope.py'));
    expect(m).toMatchObject({ ok: false, reason: 'unreadable' });
  });
});
