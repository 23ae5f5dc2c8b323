import { describe, expect, it } from 'vitest';
import { openProject } from '../../../src/engine/project.js';
import type { Finding } from '../../../src/report/finding.js';
import { type PinsOverrides, resolvePinsSettings, verifyPins } from '../../../src/verify/pins/verify-pins.js';

async function run(name: string, overrides: PinsOverrides = {}) {
  const project = openProject(`fixtures/pins/${name}`);
  const { settings, index } = resolvePinsSettings(project.root, project.config.pins, overrides);
  return verifyPins({ project, settings, index, jobs: 1 });
}

const rules = (fs: Finding[]) => fs.map((f) => `${f.rule}@${f.file}:${f.line}`);

describe('verify pins over fixture trees (real os-xenapi index)', () => {
  it('ok: plugin-wrapper modules with >=0.2.0 give no finding', async () => {
    const r = await run('ok');
    expect(r.findings).toEqual([]);
    expect(r.neededVersion).toBe('0.2.0');
    expect(r.decidedBy.map((d) => d.symbol)).toContain('os_xenapi.client.host_network');
    // Routes twice under complementary markers, enum34 with no specifier: parsed, not reported.
    expect(r.requirements.map((q) => q.raw)).toEqual(['os-xenapi>=0.2.0 # Apache-2.0']);
  });

  it('pin-too-low names the symbol, the version that introduced it and the line to write', async () => {
    const r = await run('too-low');
    expect(rules(r.findings)).toEqual(['pin-too-low@requirements.txt:9']);
    const f = r.findings[0]!;
    expect(f.data).toMatchObject({
      package: 'os-xenapi',
      symbol: 'os_xenapi.client.host_network',
      neededVersion: '0.2.0',
      specifier: '>=0.1.1',
      introducedIn: '0.2.0',
      lowestAllowed: '0.1.1',
    });
    expect(f.message).toContain("write 'os-xenapi>=0.2.0 # Apache-2.0'");
    expect(f.suggestion).toBe('os-xenapi>=0.2.0 # Apache-2.0');
    // The dom0 plugin call through the session and the constructor keyword are uses too.
    expect(r.uses.map((u) => u.symbol)).toEqual(
      expect.arrayContaining([
        'os_xenapi.client.session.XenAPISession.call_plugin -> xenhost.py host_uptime',
        'os_xenapi.client.session.XenAPISession',
      ]),
    );
  });

  it('signatures: a 6-argument stream_to_vdis needs 0.3.3; http_connection() needs 0.1.1', async () => {
    const r = await run('signature');
    expect(rules(r.findings)).toEqual(['pin-too-low@requirements.txt:1']);
    expect(r.findings[0]!.data).toMatchObject({
      symbol: 'os_xenapi.client.image.stream_to_vdis',
      neededVersion: '0.3.3',
    });
    expect(r.findings[0]!.suggestion).toBe('os-xenapi>=0.3.3  # Apache-2.0');
    const http = r.uses.find((u) => u.symbol.endsWith('XenAPISession.http_connection'))!;
    expect(http.works).toEqual(['0.1.1–0.3.4']);
    expect(http.example).toBe('nova/virt/xenapi/volume_utils.py:9');
    const from = r.uses.find((u) => u.symbol.endsWith('stream_from_vdis'))!;
    expect(from.firstVersion).toBe('0.3.3');
  });

  it('pin-missing points at the first import and says what to add', async () => {
    const r = await run('missing');
    expect(rules(r.findings)).toEqual(['pin-missing@nova/virt/xenapi/driver.py:3']);
    expect(r.findings[0]!.suggestion).toBe('os-xenapi>=0.1.0');
  });

  it('unused-pin is a warning on the requirement line', async () => {
    const r = await run('unused');
    expect(r.findings.map((f) => [f.rule, f.severity, f.line])).toEqual([['unused-pin', 'warning', 2]]);
  });

  it('legacy-module flags every import of the replaced client', async () => {
    const r = await run('legacy');
    expect(rules(r.findings)).toEqual([
      'legacy-module@nova/virt/xenapi/driver.py:5',
      'legacy-module@nova/virt/xenapi/pool.py:3',
    ]);
    expect(r.findings[1]!.data).toMatchObject({ symbol: 'nova.virt.xenapi.client' });
  });

  it('excluded-needed: != clauses that exclude every working version', async () => {
    const r = await run('excluded');
    expect(rules(r.findings)).toEqual(['excluded-needed@requirements.txt:1']);
    expect(r.findings[0]!.data).toMatchObject({
      excluded: ['!=0.3.3', '!=0.3.4'],
      workingVersions: ['0.3.3', '0.3.4'],
    });
    expect(r.findings[0]!.suggestion).toBe('os-xenapi>=0.3.3 # Apache-2.0');
  });

  it('constraint-conflict: a lower-constraints pin outside the requirement', async () => {
    const r = await run('constraints');
    expect(rules(r.findings)).toEqual(['constraint-conflict@lower-constraints.txt:2']);
    expect(r.findings[0]!.suggestion).toBe('os-xenapi==0.3.3');
  });

  it('constraint-conflict: a --constraints pin inside the requirement that lacks a used symbol', async () => {
    const r = await run('signature', {
      constraints: ['fixtures/pins/generic/../includes/requirements/constraints.txt'],
    });
    // ===0.1.0 is outside >=0.3.1 first.
    expect(r.findings.map((f) => f.rule)).toContain('constraint-conflict');
    const r2 = await run('removed', { constraints: ['fixtures/pins/constraints/upper-constraints.txt'] });
    const f = r2.findings.find((x) => x.rule === 'constraint-conflict')!;
    expect(f.message).toContain('pins 0.3.4, which lacks bittorrent.py download_vhd');
    expect(f.suggestion).toBe('os-xenapi===0.2.0');
  });

  it('pin-allows-removed: bittorrent.py left the library in 0.3.0', async () => {
    const r = await run('removed');
    expect(rules(r.findings)).toEqual(['pin-allows-removed@requirements.txt:1']);
    expect(r.findings[0]!.severity).toBe('error');
    expect(r.findings[0]!.suggestion).toBe('os-xenapi>=0.1.1,<0.3.0 # Apache-2.0');
    expect(r.working).toEqual(['0.1.0', '0.1.1', '0.2.0']);
  });

  it('includes: -r, -c, continuation lines, markers and setup.cfg', async () => {
    const r = await run('includes');
    expect(rules(r.findings)).toEqual([
      'pin-too-low@requirements/base.txt:3',
      'constraint-conflict@requirements/constraints.txt:1',
    ]);
    expect(r.findings[0]!.suggestion).toBe("os-xenapi>=0.2.0;python_version>='3.0' # Apache-2.0");
    // The python 2 line is skipped by its marker; under 2.7 it is the one checked.
    const py2 = await run('includes', { pythonVersion: '2.7' });
    expect(rules(py2.findings)).toContain('pin-too-low@requirements/base.txt:2');
    expect(rules(py2.findings)).not.toContain('pin-too-low@requirements/base.txt:3');
  });

  it('generic: another package, import name and index; pre-releases are never suggested', async () => {
    const r = await run('generic');
    expect(r.package).toBe('Foo.Lib');
    expect(rules(r.findings)).toEqual(['pin-too-low@requirements.txt:1']);
    expect(r.findings[0]!.data).toMatchObject({
      symbol: 'foolib.api.Client',
      neededVersion: '1.1.0',
      introducedIn: '1.1.0.dev1',
    });
    expect(r.findings[0]!.suggestion).toBe('Foo_Lib>=1.1.0 # MIT');
    // client = api.Client(...) makes client.fetch a use of Client.fetch.
    expect(r.uses.map((u) => u.symbol)).toContain('foolib.api.Client.fetch');
  });
});
