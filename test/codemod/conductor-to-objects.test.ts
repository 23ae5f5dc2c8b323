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
