import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyCodemods, type LoadedCodemod } from '../../src/codemod/apply.js';
import { builtinCodemodNames, loadCodemod } from '../../src/codemod/load.js';
import {
  codemodIncrementalParseCount,
  codemodParseCount,
  ParseCache,
} from '../../src/codemod/parse-cache.js';
import { runCodemods } from '../../src/codemod/runner.js';
import type { CodemodCollector, PrepareContext } from '../../src/codemod/types.js';
import { type CleanupFileFacts, planCleanup, scanCleanupFile } from '../../src/duplicates/cleanup-plan.js';
import { apiIndexFromSources } from '../../src/duplicates/index-fingerprints.js';
import { fingerprintIndexFor } from '../../src/duplicates/matcher.js';
import { initPython } from '../../src/python/parser.js';
import { PyFile, pyFileOptionsFor } from '../../src/python/source-file.js';
import { applyEdits, spanEdit, type TextEdit } from '../../src/python/text-edits.js';
import { loadApiIndex } from '../../src/xenapi/api-index.js';

const project = { root: '/tmp/x', projectPackages: ['nova'], config: {} };
const ORDER = [
  'conductor-to-objects',
  'objects-import-style',
  'xenapi-imports',
  'xenapi-plugin-calls',
  'xenapi-imports-reverse',
  'xenapi-cleanup',
];

let all: LoadedCodemod[];

beforeAll(async () => {
  await initPython();
  expect([...ORDER].sort()).toEqual(builtinCodemodNames());
  all = await Promise.all(ORDER.map(async (name) => ({ name, module: await loadCodemod({ name }) })));
});

/** Runs every built-in codemod on one file; returns the outcome and the trees the runner built. */
async function chain(source: string, relPath = 'nova/virt/xenapi/vmops.py') {
  const before = codemodParseCount();
  const outcome = await applyCodemods({
    path: join(project.root, relPath),
    relPath,
    source,
    project,
    codemods: all,
    checker: null,
  });
  return { outcome, parses: codemodParseCount() - before };
}

describe('one parse per text in a codemod chain', () => {
  it('a file no codemod is about is never parsed', async () => {
    const { outcome, parses } = await chain('import os\n\n\ndef f(x):\n    return os.path.join(x, "y")\n');
    expect(outcome.status).toBe('unchanged');
    expect(parses).toBe(0);
  });

  it('trigger words only in comments and strings: several codemods look, one parse, unchanged', async () => {
    const source = [
      '# nova.objects, conductor and xenapi are only mentioned here',
      'import os',
      '',
      "MSG = 'from os_xenapi.client import session; session.call_plugin(x)'",
      '',
      '',
      'def f(db):',
      '    return os.path.join(MSG, "nova.objects")',
      '',
    ].join('\n');
    const { outcome, parses } = await chain(source);
    expect(outcome.status).toBe('unchanged');
    expect(outcome.converted).toEqual([]);
    expect(parses).toBe(1);
  });

  it('a rewritten file: its output is parsed once for the checks, the second run and later codemods', async () => {
    const source = [
      'from nova.objects import instance as instance_obj',
      '',
      '',
      'def f(context, uuid):',
      '    return instance_obj.Instance.get_by_uuid(context, uuid)',
      '',
    ].join('\n');
    const { outcome, parses } = await chain(source, 'nova/compute/thing.py');
    expect(outcome.status).toBe('changed');
    expect(outcome.output).toContain('objects.Instance.get_by_uuid(context, uuid)');
    expect(outcome.output).toContain('from nova import objects');
    // The original and the rewritten text: nothing else.
    expect(parses).toBe(2);
  });

  it("'objects' in a comment or string is no local binding: the rewrite goes ahead", async () => {
    const source = [
      'from nova.objects import instance as instance_obj',
      '',
      '',
      'def f(context, uuid):',
      "    # objects = 'a local would shadow the import'",
      "    label = 'objects = []'",
      '    return label, instance_obj.Instance.get_by_uuid(context, uuid)',
      '',
    ].join('\n');
    const { outcome } = await chain(source, 'nova/compute/thing.py');
    expect(outcome.status).toBe('changed');
    expect(outcome.manual).toEqual([]);
  });

  it("a real local 'objects' still stops the rewrite", async () => {
    const source = [
      'from nova.objects import instance as instance_obj',
      '',
      '',
      'def f(context, uuid):',
      '    objects = []',
      '    objects.append(instance_obj.Instance.get_by_uuid(context, uuid))',
      '    return objects',
      '',
    ].join('\n');
    const { outcome } = await chain(source, 'nova/compute/thing.py');
    expect(outcome.status).toBe('unchanged');
    expect(outcome.manual.map((m) => m.kind)).toContain('name-collision');
  });
});

const FIX = 'fixtures/duplicates';

function walk(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name), root) : [relative(root, join(dir, e.name))],
  );
}

/** A copy of the Nova-like duplicates tree with an API index of the fixture library next to it. */
function treeCopy(): string {
  const files: Record<string, string> = {};
  const lib = join(FIX, 'library');
  for (const r of walk(lib)) if (r.endsWith('.py')) files[r] = readFileSync(join(lib, r), 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'two-pass-'));
  cpSync(join(FIX, 'nova-like'), dir, { recursive: true });
  writeFileSync(
    join(dir, 'lib-index.json'),
    JSON.stringify(apiIndexFromSources(files, { version: '9.9.0' }).data),
  );
  return dir;
}

describe('xenapi-cleanup in a dry run: facts from the workers, plan in the main thread', () => {
  it("the collected plan is prepare()'s plan, whichever files the workers saw", async () => {
    const root = treeCopy();
    const mod = await loadCodemod({ name: 'xenapi-cleanup' });
    const collect = mod.collect as CodemodCollector;
    const files = walk(root).filter((r) => r.endsWith('.py') || r.includes('xapi.d/plugins/'));
    const ctx: PrepareContext = {
      project: { root, projectPackages: ['nova'], config: {} },
      files,
      options: { osXenapiIndex: 'lib-index.json' },
    };
    const planned = await mod.prepare!(ctx);
    const facts = new Map<string, unknown>();
    /** Every file's facts from a parse (imports included): the plan before files were filtered. */
    const full = new Map<string, CleanupFileFacts>();
    const index = fingerprintIndexFor(loadApiIndex(join(root, 'lib-index.json')));
    let parsed = 0;
    for (const r of files) {
      const text = readFileSync(join(root, r), 'utf8');
      const py = PyFile.parse(r, text, pyFileOptionsFor(r));
      try {
        const parse = () => {
          parsed++;
          return py;
        };
        facts.set(r, collect.file({ relPath: r, source: text, parse }, ctx));
        full.set(r, scanCleanupFile(py, r, index, {}));
      } finally {
        py.dispose();
      }
    }
    // The collector parses only files that may be candidates, checks or os_xenapi users.
    expect(parsed).toBeGreaterThan(0);
    expect(parsed).toBeLessThan(files.length);
    expect(await planCleanup(root, files, {}, loadApiIndex(join(root, 'lib-index.json')), full)).toEqual(
      planned,
    );
    expect(await collect.plan(ctx, facts)).toEqual(planned);
    // Files the run did not visit are read by the plan itself.
    const half = new Map([...facts].filter((_, i) => i % 2 === 0));
    expect(await collect.plan(ctx, half)).toEqual(planned);
    expect(Object.keys((planned as { delete: object }).delete).length).toBeGreaterThan(0);
  });

  it('a dry run reports what a write run does', async () => {
    const dir = treeCopy();
    const common = {
      project: dir,
      codemods: ['objects-import-style', 'xenapi-cleanup'],
      options: { osXenapiIndex: 'lib-index.json' },
      quiet: true,
      jobs: 1,
      noPythonCheck: true,
    };
    const dry = await runCodemods({ ...common, mode: 'dry' });
    const wrote = await runCodemods({ ...common, mode: 'write' });
    const shape = (r: typeof dry) =>
      r.files
        .map((f) => ({ ...f, written: undefined, diff: undefined }))
        .filter((f) => f.status !== 'unchanged');
    expect(shape(dry).length).toBeGreaterThan(0);
    expect(shape(wrote)).toEqual(shape(dry));
    expect(dry.files.every((f) => !('facts' in f))).toBe(true);
  });
});

describe('incremental re-parses', () => {
  beforeAll(() => initPython());

  it('a text made by edits re-parses from the edited earlier tree, to the tree a fresh parse builds', () => {
    const source = [
      'from nova.objects import instance as instance_obj',
      '',
      '',
      'def f(ctx, uuid):',
      '    inst = instance_obj.Instance.get_by_uuid(ctx, uuid,',
      "                                             expected_attrs=['metadata'])",
      "    return inst, '\u00e9t\u00e9'  # non-ASCII before the next edit",
      '',
      '',
      'x = instance_obj.InstanceList()',
      '',
    ].join('\n');
    const edits = [
      { start: 0, end: source.indexOf('\n'), text: 'from nova import objects' },
      ...[...source.matchAll(/instance_obj\./g)].map((m) => ({
        start: m.index,
        end: m.index + 'instance_obj'.length,
        text: 'objects',
      })),
      {
        start: source.indexOf('    return'),
        end: source.indexOf('    return'),
        text: '    pass\n    # two\n',
      },
    ];
    const text = applyEdits(source, edits);
    const cache = new ParseCache('/x/m.py', 'm.py');
    try {
      const count = expectIncrementalLikeFresh(cache, source, text, edits, ['identifier', 'string', 'call']);
      // A hint that does not make the text is ignored: a full parse.
      const other = `${text}y = 1\n`;
      cache.get(other, { source, edits });
      expect(codemodIncrementalParseCount()).toBe(count);
    } finally {
      cache.dispose();
    }
  });
});

/**
 * Parses `text` in `cache` with `edits` of `source` as its hint: one incremental parse, building
 * the tree a fresh parse builds (same S-expression, same spans of `nodeTypes`). Returns the
 * incremental parse count after it.
 */
function expectIncrementalLikeFresh(
  cache: ParseCache,
  source: string,
  text: string,
  edits: readonly TextEdit[],
  nodeTypes: string[],
): number {
  cache.get(source);
  const before = codemodIncrementalParseCount();
  const incremental = cache.get(text, { source, edits });
  expect(codemodIncrementalParseCount()).toBe(before + 1);
  const fresh = PyFile.parse('/x/m.py', text);
  try {
    expect(incremental.root.toString()).toBe(fresh.root.toString());
    const spans = (f: PyFile) =>
      f.root.descendantsOfType(nodeTypes).map((n) => [n!.type, n!.startIndex, n!.endIndex]);
    expect(spans(incremental)).toEqual(spans(fresh));
  } finally {
    fresh.dispose();
  }
  return before + 1;
}

describe('spanEdit: the hint for a text a transform returned without its edits', () => {
  beforeAll(() => initPython());

  it('is the span between the common prefix and suffix, and makes the text', () => {
    const cases: [string, string][] = [
      ['x = 1\ny = 2\n', 'x = 1\ny = 3\n'],
      ['abc', 'abc'],
      ['', 'x = 1\n'],
      ['x = 1\n', ''],
      ['aaaa', 'aa'],
      ['aa', 'aaaa'],
      // A change inside a surrogate pair's neighbourhood never splits the pair.
      ["s = '\u{1F600}'\n", "s = '\u{1F601}'\n"],
      ["s = 'a\u{1F600}'\n", "s = 'b\u{1F600}'\n"],
    ];
    for (const [before, after] of cases) {
      const e = spanEdit(before, after);
      expect(applyEdits(before, [e])).toBe(after);
      const cut = (s: string, i: number) => i > 0 && i < s.length && /[\uDC00-\uDFFF]/.test(s[i]!);
      expect(cut(before, e.start) || cut(before, e.end)).toBe(false);
    }
    expect(spanEdit('x = 1\ny = 2\n', 'x = 1\ny = 3\n')).toEqual({ start: 10, end: 11, text: '3' });
    expect(spanEdit("s = '\u{1F600}'\n", "s = '\u{1F601}'\n")).toEqual({
      start: 5,
      end: 7,
      text: '\u{1F601}',
    });
  });

  it('re-parses from the earlier tree to the tree a fresh parse builds', () => {
    const source =
      "def f(ctx, inst):\n    x = inst['host']\n    return '\u00e9\u{1F600}', x\n\n\nclass C(object):\n    pass\n";
    const text = source.replace("inst['host']", 'inst.host').replace('    pass\n', '    y = 1\n    z = 2\n');
    const cache = new ParseCache('/x/m.py', 'm.py');
    try {
      expectIncrementalLikeFresh(
        cache,
        source,
        text,
        [spanEdit(source, text)],
        ['identifier', 'string', 'attribute'],
      );
    } finally {
      cache.dispose();
    }
  });
});
