import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCodemods } from '../../src/codemod/runner.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

const CALLER = `from nova.objects import instance as instance_obj


def load(ctxt, uuid):
    return instance_obj.Instance.get_by_uuid(ctxt, uuid)
`;

/** A Nova-like tree whose nova/objects/base.py has (or lacks) the Juno object registry. */
function tree(base: string | undefined, caller = CALLER): string {
  const root = mkdtempSync(join(tmpdir(), 'backlevel-ois-'));
  made.push(root);
  const files: Record<string, string> = {
    'nova/__init__.py': '',
    'nova/objects/__init__.py': '',
    'nova/objects/instance.py': 'class Instance(object):\n    pass\n',
    'nova/compute/__init__.py': '',
    'nova/compute/utils.py': caller,
  };
  if (base !== undefined) files['nova/objects/base.py'] = base;
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

async function run(root: string, options: Record<string, unknown> = {}) {
  const res = await runCodemods({
    project: root,
    codemods: ['objects-import-style'],
    options,
    quiet: true,
    jobs: 1,
    noPythonCheck: true,
  });
  return res.files.find((f) => f.relPath === 'nova/compute/utils.py')!;
}

describe('objects-import-style and the target tree', () => {
  it('rewrites when the tree registers classes on nova.objects (Juno and later)', async () => {
    const f = await run(tree('class NovaObjectRegistry(object):\n    pass\n'));
    expect(f.status).toBe('changed');
    expect(f.diff).toContain('+    return objects.Instance.get_by_uuid(ctxt, uuid)');
  });

  it('leaves the alias, reported manual, when the tree has no registry (Icehouse)', async () => {
    const f = await run(tree('class NovaObject(object):\n    pass\n'));
    expect(f.status).toBe('unchanged');
    expect(f.manual.map((m) => m.kind)).toEqual(['no-objects-namespace']);
    expect(f.manual[0]!.reason).toMatch(/nova\/objects\/base\.py has no object registry/);
  });

  it('without a registry, the report sees only real module-level alias imports, wherever they are', async () => {
    const icehouse = 'class NovaObject(object):\n    pass\n';
    const body = '\n\ndef load(ctxt, uuid):\n    return 1\n';
    const cases: [string, string[] | undefined, number?][] = [
      // The usual place, and a second alias further down the module.
      [
        `from nova.objects import instance as instance_obj\n${body}from nova.objects import service as service_obj\n`,
        ['instance_obj', 'service_obj'],
        1,
      ],
      // Inside try/except ImportError (its handler follows the last alias import), in a string, in
      // a comment, inside a function: none is an alias binding.
      [
        `try:\n    from nova.objects import instance as instance_obj\nexcept ImportError:\n    instance_obj = None\n${body}`,
        undefined,
      ],
      [`DOC = '''\nfrom nova.objects import instance as instance_obj\n'''\n${body}`, undefined],
      [`# from nova.objects import instance as instance_obj\n${body}`, undefined],
      [
        `def f():\n    from nova.objects import instance as instance_obj\n    return instance_obj\n`,
        undefined,
      ],
      // A parenthesized import over two lines, after a docstring.
      [`"""Doc."""\nfrom nova.objects import (\n    instance as instance_obj)\n${body}`, ['instance_obj'], 2],
    ];
    for (const [caller, names, line] of cases) {
      const f = await run(tree(icehouse, caller));
      expect(f.status, caller).toBe('unchanged');
      if (!names) expect(f.manual, caller).toEqual([]);
      else {
        expect(
          f.manual.map((m) => m.line),
          caller,
        ).toEqual([line]);
        expect(f.manual[0]!.reason, caller).toContain(`the aliases stay (${names.join(', ')})`);
      }
    }
  });

  it('without nova/objects/base.py, --nova-release decides', async () => {
    expect((await run(tree(undefined), { novaRelease: '2014.1' })).status).toBe('unchanged');
    expect((await run(tree(undefined), { novaRelease: '2014.2' })).status).toBe('changed');
    expect((await run(tree(undefined))).status).toBe('changed');
  });
});
