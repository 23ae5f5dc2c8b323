import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCodemods } from '../../src/codemod/runner.js';
import { planCleanup } from '../../src/duplicates/cleanup-plan.js';
import { detectDuplicates } from '../../src/duplicates/detect.js';
import { apiIndexFromSources } from '../../src/duplicates/index-fingerprints.js';
import { fingerprintIndexFor } from '../../src/duplicates/matcher.js';
import { initPython } from '../../src/python/parser.js';
import { PyFile } from '../../src/python/source-file.js';
import type { ApiIndex } from '../../src/xenapi/api-index.js';

const FIX = 'fixtures/duplicates';

function walk(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name), root) : [relative(root, join(dir, e.name))],
  );
}

function libraryIndex(): ApiIndex {
  const root = join(FIX, 'library');
  const files: Record<string, string> = {};
  for (const r of walk(root)) if (r.endsWith('.py')) files[r] = readFileSync(join(root, r), 'utf8');
  return apiIndexFromSources(files, { version: '9.9.0' });
}

/** A copy of a fixture tree with the library index written next to it. */
function treeCopy(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `dup-${name}-`));
  cpSync(join(FIX, name), dir, { recursive: true });
  writeFileSync(join(dir, 'lib-index.json'), JSON.stringify(libraryIndex().data));
  return dir;
}

describe('duplicate detection against a library index', () => {
  beforeAll(() => initPython());

  it('finds the session module, the record module and an agent-side plugin copy', () => {
    const index = fingerprintIndexFor(libraryIndex());
    const check = (tree: string, rel: string) => {
      const text = readFileSync(join(FIX, tree, rel), 'utf8');
      const f = PyFile.parse(rel, text);
      try {
        return detectDuplicates(f, rel, { index }).map((d) => `${d.kind}:${d.name}->${d.match.id}`);
      } finally {
        f.dispose();
      }
    };
    expect(check('nova-like', 'nova/virt/xenapi/client/session.py')).toEqual([
      'module:->os_xenapi.client.session',
    ]);
    expect(check('nova-like', 'nova/virt/xenapi/client/objects.py')).toEqual([
      'module:->os_xenapi.client.objects',
    ]);
    expect(
      check(
        'neutron-like',
        'neutron/plugins/ml2/drivers/openvswitch/agent/xenapi/etc/xapi.d/plugins/netwrap',
      ),
    ).toEqual(['plugin:->dom0:netwrap.py']);
    // The session-like class inside a module that is more than the class.
    expect(check('neutron-like', 'neutron/agent/linux/xenapi_root_helper.py')).toEqual([
      'class:XenAPIClient->os_xenapi.client.session:XenAPISession',
    ]);
    expect(check('nova-like', 'nova/virt/xenapi/driver.py')).toEqual([]);
  });
});

describe('xenapi-cleanup plan (import graph)', () => {
  beforeAll(() => initPython());

  it('deletes what nothing imports, keeps an imported module with its importers', async () => {
    const root = join(FIX, 'nova-like');
    const plan = await planCleanup(root, walk(root), {}, libraryIndex());
    expect(Object.keys(plan.delete).sort()).toEqual([
      'nova/tests/unit/virt/xenapi/client/test_session.py',
      'nova/virt/xenapi/client/session.py',
      'plugins/xenserver/xenapi/etc/xapi.d/plugins/nova_plugin_version',
    ]);
    // objects.py duplicates the library, but vm_utils.py still imports it.
    expect(plan.kept['nova/virt/xenapi/client/objects.py']?.importers).toEqual([
      'nova/tests/unit/virt/xenapi/client/test_objects.py',
      'nova/virt/xenapi/vm_utils.py',
    ]);
    // ... so the package's __init__ and the objects test stay too.
    expect(plan.delete['nova/virt/xenapi/client/__init__.py']).toBeUndefined();
    expect(plan.delete['nova/tests/unit/virt/xenapi/client/test_objects.py']).toBeUndefined();
    expect(plan.usesOsXenapi).toBe(true);
    expect(plan.versionCheck.files).toContain('nova/tests/unit/virt/xenapi/test_driver.py');
  });

  it('once the last importer is gone, the package, its tests and the empty test package go', async () => {
    const dir = treeCopy('nova-like');
    writeFileSync(
      join(dir, 'nova/virt/xenapi/vm_utils.py'),
      'def lookup_vm(session, name_label):\n    return session.VM.get_by_name_label(name_label)\n',
    );
    const plan = await planCleanup(dir, walk(dir), {}, libraryIndex());
    expect(Object.keys(plan.delete).sort()).toEqual([
      'nova/tests/unit/virt/xenapi/client/__init__.py',
      'nova/tests/unit/virt/xenapi/client/test_objects.py',
      'nova/tests/unit/virt/xenapi/client/test_session.py',
      'nova/virt/xenapi/client/__init__.py',
      'nova/virt/xenapi/client/objects.py',
      'nova/virt/xenapi/client/session.py',
      'plugins/xenserver/xenapi/etc/xapi.d/plugins/nova_plugin_version',
    ]);
    expect(plan.kept).toEqual({});
  });

  it('whether the tree imports os_xenapi is read from the tests as well, never from a string', async () => {
    const dir = treeCopy('nova-like');
    // Only a test that the plan has no other reason to read imports os_xenapi.
    for (const [rel, line] of [
      ['nova/virt/xenapi/driver.py', 'from os_xenapi.client import session\n'],
      [
        'nova/tests/unit/virt/xenapi/test_driver.py',
        'from os_xenapi.client import session as xenapi_session\n',
      ],
    ] as const) {
      const path = join(dir, rel);
      writeFileSync(path, readFileSync(path, 'utf8').replace(line, 'xenapi_session = None\n'));
    }
    const user = join(dir, 'nova/tests/unit/virt/xenapi/test_host.py');
    writeFileSync(
      user,
      'import os_xenapi.client.host_management as host\n\n\ndef test_x():\n    assert host\n',
    );
    let plan = await planCleanup(dir, walk(dir), {}, libraryIndex());
    expect(plan.usesOsXenapi).toBe(true);
    expect(plan.versionCheck.files).toContain('nova/tests/unit/virt/xenapi/test_driver.py');
    // The word in a comment and a string is no import: no version check to remove.
    writeFileSync(user, "# os_xenapi some day\nLIB = 'os_xenapi.client'\n");
    plan = await planCleanup(dir, walk(dir), {}, libraryIndex());
    expect(plan.usesOsXenapi).toBe(false);
    expect(plan.versionCheck.files).toEqual([]);
  });

  it('a dotted mock.patch string keeps a module alive', async () => {
    const dir = treeCopy('nova-like');
    writeFileSync(
      join(dir, 'nova/tests/unit/virt/xenapi/test_mocks.py'),
      "import mock\n\n\n@mock.patch('nova.virt.xenapi.client.session.XenAPISession.call_xenapi')\ndef test_x(m):\n    pass\n",
    );
    const plan = await planCleanup(dir, walk(dir), {}, libraryIndex());
    expect(plan.delete['nova/virt/xenapi/client/session.py']).toBeUndefined();
    // Its mirror test stays with it, and is listed as an importer too.
    expect(plan.kept['nova/virt/xenapi/client/session.py']?.importers).toEqual([
      'nova/tests/unit/virt/xenapi/client/test_session.py',
      'nova/tests/unit/virt/xenapi/test_mocks.py',
    ]);
  });
});

describe('xenapi-cleanup codemod runs', () => {
  beforeAll(() => initPython());

  it('dry run lists deletions like edits and changes nothing; --write removes only those files', async () => {
    const dir = treeCopy('nova-like');
    const before = walk(dir).sort();
    const dry = await runCodemods({
      project: dir,
      codemods: ['xenapi-cleanup'],
      options: { osXenapiIndex: 'lib-index.json' },
      quiet: true,
      jobs: 1,
      noPythonCheck: true,
    });
    const removed = dry.files
      .filter((f) => f.status === 'removed')
      .map((f) => f.relPath)
      .sort();
    expect(removed).toEqual([
      'nova/tests/unit/virt/xenapi/client/test_session.py',
      'nova/virt/xenapi/client/session.py',
      'plugins/xenserver/xenapi/etc/xapi.d/plugins/nova_plugin_version',
    ]);
    const sessionRemoval = dry.files.find((f) => f.relPath === 'nova/virt/xenapi/client/session.py')!;
    expect(sessionRemoval.diff).toContain('+++ /dev/null');
    expect(sessionRemoval.reason).toMatch(
      /duplicates os_xenapi\.client\.session \(os-xenapi 9\.9\.0, similarity/,
    );
    const kept = dry.files.find((f) => f.relPath === 'nova/virt/xenapi/client/objects.py')!;
    expect(kept.manual[0]?.reason).toMatch(/still imported by .*nova\/virt\/xenapi\/vm_utils\.py/);
    // The version check test goes; the other tests of the file stay.
    const drv = dry.files.find((f) => f.relPath === 'nova/tests/unit/virt/xenapi/test_driver.py')!;
    expect(drv.status).toBe('changed');
    expect(drv.diff).toContain('-    def test_verify_plugin_version_mismatch(self):');
    expect(drv.diff).not.toContain('-    def test_driver_host_state(self):');
    expect(dry.summary.filesRemoved).toBe(3);
    expect(walk(dir).sort()).toEqual(before);

    const wrote = await runCodemods({
      project: dir,
      codemods: ['xenapi-cleanup'],
      options: { osXenapiIndex: 'lib-index.json' },
      mode: 'write',
      quiet: true,
      jobs: 1,
      noPythonCheck: true,
    });
    expect(wrote.summary.filesRemoved).toBe(3);
    const after = new Set(walk(dir));
    for (const r of removed) expect(after.has(r)).toBe(false);
    expect(before.filter((r) => !after.has(r)).sort()).toEqual(removed);
    expect(existsSync(join(dir, 'nova/virt/xenapi/client/objects.py'))).toBe(true);
    expect(readFileSync(join(dir, 'nova/tests/unit/virt/xenapi/test_driver.py'), 'utf8')).not.toContain(
      'PLUGIN_REQUIRED_VERSION',
    );
  });

  it('a Neutron-like tree: the extension-less agent-side plugin copy is deleted, the README stays', async () => {
    const dir = treeCopy('neutron-like');
    const dry = await runCodemods({
      project: dir,
      codemods: ['xenapi-cleanup'],
      options: { osXenapiIndex: 'lib-index.json' },
      quiet: true,
      jobs: 1,
      noPythonCheck: true,
    });
    expect(dry.files.filter((f) => f.status === 'removed').map((f) => f.relPath)).toEqual([
      'neutron/plugins/ml2/drivers/openvswitch/agent/xenapi/etc/xapi.d/plugins/netwrap',
    ]);
    expect(dry.files.find((f) => f.relPath.endsWith('README'))?.status ?? 'unchanged').toBe('unchanged');
    // No os_xenapi import yet: the agent's version check is not touched.
    expect(dry.files.find((f) => f.relPath === 'neutron/agent/linux/xenapi_root_helper.py')?.status).toBe(
      'unchanged',
    );
  });
});
