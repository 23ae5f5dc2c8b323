import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { defineFixtureTests, discoverFixtures, runFixture } from '../../src/codemod/testing.js';

const dir = 'fixtures/codemods/conductor-to-objects';

// The fixture tree has an Icehouse-like nova/objects (no objects namespace): module aliases by default.
defineFixtureTests({ codemod: 'conductor-to-objects', dir, project: { root: `${dir}/tree` } });

describe('without a nova/objects tree: --nova-release filters the rule table by since', () => {
  const empty = mkdtempSync(join(tmpdir(), 'backlevel-noobjects-'));
  writeFileSync(
    join(empty, 'getters.input.py'),
    [
      'class Driver(object):',
      '    def _lookup(self, ctxt, instance_uuid, instance):',
      '        inst = self.virtapi.instance_get_by_uuid(ctxt, instance_uuid)',
      "        flavor = self.virtapi.flavor_get(ctxt, instance['instance_type_id'])",
      '        if inst is None or flavor is None:',
      '            return None',
      '        return inst.host, flavor.memory_mb',
      '',
    ].join('\n'),
  );
  const fixture = discoverFixtures(empty)[0]!;

  it('2013.2: Instance exists (module aliases), Flavor does not yet', async () => {
    const run = await runFixture(fixture, {
      codemod: 'conductor-to-objects',
      dir: empty,
      options: { novaRelease: '2013.2' },
    });
    expect(run.outcome.converted.map((c) => c.kind)).toEqual(['instance_get_by_uuid']);
    expect(run.outcome.manual).toHaveLength(1);
    expect(run.outcome.manual[0]!.reason).toBe('Flavor does not exist in Nova 2013.2 (added in 2014.1)');
    expect(run.actual).toContain('from nova.objects import instance as instance_obj\n');
    expect(run.actual).toContain("flavor = self.virtapi.flavor_get(ctxt, instance['instance_type_id'])");
  });

  it('2014.2: both convert, in the objects namespace style', async () => {
    const run = await runFixture(fixture, {
      codemod: 'conductor-to-objects',
      dir: empty,
      options: { novaRelease: '2014.2' },
    });
    expect(run.outcome.converted).toHaveLength(2);
    expect(run.actual).toContain('from nova import objects\n');
    expect(run.actual).toContain('objects.Flavor.get_by_id(ctxt, ');
  });
});

describe('migrate CLI', () => {
  it('prints JSON with converted and manual sites and changes nothing in a dry run', async () => {
    const root = mkdtempSync(join(tmpdir(), 'backlevel-cli-'));
    cpSync(`${dir}/tree/nova`, join(root, 'nova'), { recursive: true });
    mkdirSync(join(root, 'nova/virt'), { recursive: true });
    writeFileSync(join(root, 'nova/virt/__init__.py'), '');
    const src = readFileSync(`${dir}/p3-service-update.input.py`, 'utf8');
    writeFileSync(join(root, 'nova/virt/host.py'), src);
    writeFileSync(join(root, 'nova/virt/agent.py'), readFileSync(`${dir}/n-result-mapping.input.py`, 'utf8'));
    let out = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      out += chunk;
      return true;
    }) as typeof process.stdout.write;
    let code: number;
    try {
      code = await run([
        'node',
        'backlevel',
        '-q',
        'migrate',
        root,
        '--codemod',
        'conductor-to-objects',
        '--format',
        'json',
      ]);
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(1); // manual sites remain
    const json = JSON.parse(out);
    expect(json.summary).toMatchObject({ filesChanged: 1, sitesConverted: 2, sitesManual: 3, mode: 'dry' });
    expect(json.manual.map((m: { file: string }) => m.file)).toEqual([
      'nova/virt/agent.py',
      'nova/virt/agent.py',
      'nova/virt/agent.py',
    ]);
    expect(json.files.find((f: { path: string }) => f.path === 'nova/virt/host.py').diff).toContain(
      '+        service.save()',
    );
    expect(readFileSync(join(root, 'nova/virt/host.py'), 'utf8')).toBe(src);
  });
});

describe('P8b: driver methods that receive an Instance object', () => {
  const driver = [
    'class Driver(object):',
    '    def get_diagnostics(self, instance):',
    "        return instance['uuid'], instance['numa_topology']",
    '',
    '    def destroy(self, context, instance, network_info):',
    "        return instance['name']",
    '',
  ].join('\n');

  function treeWith(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), 'backlevel-p8b-'));
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    writeFileSync(join(root, 'vmops.input.py'), driver);
    return root;
  }

  const run8 = async (root: string, options: Record<string, unknown> = {}) => {
    const fixture = discoverFixtures(root)[0]!;
    return runFixture(fixture, { codemod: 'conductor-to-objects', dir: root, options });
  };

  it('no nova/objects: the Instance fields and properties of --nova-release', async () => {
    const root = treeWith({});
    const icehouse = await run8(root, { novaRelease: '2014.1' });
    // get_diagnostics receives an object from 2014.1; numa_topology is a field only from 2014.2.
    expect(icehouse.actual).toContain("return instance.uuid, instance['numa_topology']");
    expect(icehouse.outcome.manual.map((m) => m.reason)).toEqual([
      "'numa_topology' is not a field of Instance in Nova 2014.1",
      'destroy() receives an Instance object only from Nova 2014.2; the target is Nova 2014.1',
    ]);
    const juno = await run8(root, { novaRelease: '2014.2' });
    expect(juno.actual).toContain('return instance.uuid, instance.numa_topology');
    // `name` is a property of Instance in every release: item reads of it convert.
    expect(juno.actual).toContain('return instance.name');
    expect(juno.outcome.manual).toEqual([]);
    const havana = await run8(root, { novaRelease: '2013.2' });
    expect(havana.actual).toBe(driver);
    expect(havana.outcome.manual.map((m) => m.reason)[0]).toBe(
      'get_diagnostics() receives an Instance object only from Nova 2014.1 (compute RPC 3.18); the target is Nova 2013.2',
    );
  });

  it('no nova/objects and no --nova-release: every site manual, nothing guessed', async () => {
    const root = treeWith({});
    const r = await run8(root);
    expect(r.actual).toBe(driver);
    expect(r.outcome.manual).toHaveLength(3);
    expect(r.outcome.manual[0]!.reason).toContain('the target release is unknown');
  });

  it("the tree's compute RPC API version decides (3.23: Icehouse; 3.35: Juno)", async () => {
    const objects = {
      'nova/__init__.py': '',
      'nova/objects/__init__.py': '',
      'nova/objects/instance.py': [
        'class Instance(object):',
        "    fields = {'uuid': str, 'numa_topology': object}",
        '',
        '    @property',
        '    def name(self):',
        "        return 'x'",
        '',
      ].join('\n'),
    };
    const manager = (v: string) =>
      `class ComputeManager(object):\n    target = messaging.Target(version='${v}')\n`;
    const icehouse = treeWith({ ...objects, 'nova/compute/manager.py': manager('3.23') });
    const a = await run8(icehouse);
    expect(a.actual).toContain('return instance.uuid, instance.numa_topology');
    expect(a.outcome.manual.map((m) => m.reason)).toEqual([
      'destroy() receives an Instance object only from Nova 2014.2; the tree is Nova 2014.1 or later (compute RPC API 3.23); pass --nova-release for a later target',
    ]);
    const juno = treeWith({ ...objects, 'nova/compute/manager.py': manager('3.35') });
    const b = await run8(juno);
    expect(b.actual).toContain('return instance.name');
    expect(b.outcome.manual).toEqual([]);
    // An RPC version below the method's bump keeps it manual even without a release.
    const early = treeWith({ ...objects, 'nova/compute/manager.py': manager('3.10') });
    const c = await run8(early);
    expect(c.actual).toBe(driver);
    expect(c.outcome.manual[0]!.reason).toBe(
      "get_diagnostics() receives an Instance object only from Nova 2014.1 (compute RPC 3.18); the tree's compute RPC API is 3.10",
    );
  });
});

// A Juno-like tree: objects namespace, InstanceFault.create(), the helper without its conductor.
defineFixtureTests({
  codemod: 'conductor-to-objects',
  dir: `${dir}/juno`,
  project: { root: `${dir}/juno/tree` },
});
