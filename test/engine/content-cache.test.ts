import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanNovaObjects } from '../../src/codemod/nova-objects.js';
import { contentKey, MAX_ENTRIES, readCached, writeCached } from '../../src/engine/content-cache.js';

let saved: { xdg?: string; off?: string };
let cache: string;

beforeEach(() => {
  saved = { xdg: process.env.XDG_CACHE_HOME, off: process.env.BACKLEVEL_NO_CACHE };
  cache = mkdtempSync(join(tmpdir(), 'backlevel-cache-'));
  process.env.XDG_CACHE_HOME = cache;
  delete process.env.BACKLEVEL_NO_CACHE;
});

afterEach(() => {
  for (const [k, v] of [
    ['XDG_CACHE_HOME', saved.xdg],
    ['BACKLEVEL_NO_CACHE', saved.off],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('content cache', () => {
  it('keys by every input, reads back what was written, and is off with BACKLEVEL_NO_CACHE', () => {
    expect(contentKey('a', 'bc')).not.toBe(contentKey('ab', 'c'));
    const key = contentKey('x', '1');
    expect(readCached('t', key)).toBeUndefined();
    writeCached('t', key, '{"v":1}');
    expect(readCached('t', key)).toBe('{"v":1}');
    process.env.BACKLEVEL_NO_CACHE = '1';
    expect(readCached('t', key)).toBeUndefined();
    writeCached('t', contentKey('x', '2'), '{}');
    delete process.env.BACKLEVEL_NO_CACHE;
    expect(readCached('t', contentKey('x', '2'))).toBeUndefined();
  });

  it("a Nova tree's objects are scanned once, and again when a file changes", async () => {
    const root = mkdtempSync(join(tmpdir(), 'backlevel-objects-'));
    const dir = join(root, 'nova', 'objects');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '__init__.py'), '');
    writeFileSync(join(dir, 'base.py'), 'class NovaObject(object):\n    def save(self):\n        pass\n');
    const agent =
      "from nova.objects import base\n\n\nclass Agent(base.NovaObject):\n    fields = {'id': 1}\n";
    writeFileSync(join(dir, 'agent.py'), agent);
    const first = await scanNovaObjects(root);
    expect(first?.classes.Agent?.fields).toEqual(['id']);
    expect(first?.classes.Agent?.methods).toEqual(['save']);
    const entries = () => readdirSync(join(cache, 'backlevel', 'nova-objects'));
    expect(entries()).toHaveLength(1);
    expect(await scanNovaObjects(root)).toEqual(first);
    expect(entries()).toHaveLength(1);
    writeFileSync(join(dir, 'agent.py'), agent.replace("{'id': 1}", "{'id': 1, 'hypervisor': 2}"));
    const second = await scanNovaObjects(root);
    expect(second?.classes.Agent?.fields).toEqual(['hypervisor', 'id']);
    expect(entries()).toHaveLength(2);
    expect(existsSync(join(cache, 'backlevel'))).toBe(true);
  });
});

describe('content cache size', () => {
  it(`keeps a namespace's ${MAX_ENTRIES} newest entries`, () => {
    for (let i = 0; i < MAX_ENTRIES + 5; i++) writeCached('many', contentKey(String(i)), `${i}`);
    const dir = join(cache, 'backlevel', 'many');
    expect(readdirSync(dir)).toHaveLength(MAX_ENTRIES);
    // The last one written is kept.
    expect(readCached('many', contentKey(String(MAX_ENTRIES + 4)))).toBe(`${MAX_ENTRIES + 4}`);
  });
});
