/**
 * Every specifier form on the os-xenapi line, checked against a tree whose code needs 0.2.0
 * (plugin-wrapper modules) through the real index.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openProject } from '../../../src/engine/project.js';
import { resolvePinsSettings, verifyPins } from '../../../src/verify/pins/verify-pins.js';

const CODE = `from os_xenapi.client import host_network


def unplug(session, bridge):
    host_network.ovs_del_br(session, bridge)
`;

let lastFindings: import('../../../src/report/finding.js').Finding[] = [];
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

async function check(requirements: string, extra: Record<string, string> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'pins-spec-'));
  made.push(root);
  mkdirSync(join(root, 'nova', 'virt', 'xenapi'), { recursive: true });
  writeFileSync(join(root, 'nova', 'virt', 'xenapi', 'vif.py'), CODE);
  writeFileSync(join(root, 'requirements.txt'), requirements);
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(root, name), text);
  const project = openProject(root);
  const { settings, index } = resolvePinsSettings(project.root, undefined);
  const r = await verifyPins({ project, settings, index, jobs: 1 });
  lastFindings = r.findings;
  return r.findings.map((f) => `${f.rule}${f.suggestion ? ` => ${f.suggestion}` : ''}`);
}

describe('specifier forms on the checked line', () => {
  it.each([
    ['os-xenapi>=0.2.0 # Apache-2.0', []],
    ['os-xenapi>=0.1.1 # Apache-2.0', ['pin-too-low => os-xenapi>=0.2.0 # Apache-2.0']],
    ['os-xenapi>=0.1.0  # Apache-2.0', ['pin-too-low => os-xenapi>=0.2.0  # Apache-2.0']],
    ['os-xenapi>0.1.1', []],
    ['os-xenapi>0.1.0', ['pin-too-low => os-xenapi>=0.2.0']],
    ['os-xenapi==0.2.0', []],
    ['os-xenapi==0.1.1', ['pin-too-low => os-xenapi>=0.2.0']],
    ['os-xenapi===0.3.4', []],
    ['os-xenapi===0.1.1', ['pin-too-low => os-xenapi>=0.2.0']],
    ['os-xenapi~=0.1.0', ['pin-too-low => os-xenapi>=0.2.0']],
    ['os-xenapi~=0.3.0', []],
    ['os-xenapi!=0.1.1,>=0.1.1', []], // 0.1.1 excluded: the lowest allowed is 0.2.0
    ['os-xenapi>=0.1.0,!=0.1.0,!=0.1.1', []],
    ['os-xenapi>=0.1.1,!=0.2.0', ['pin-too-low => os-xenapi>=0.3.0']], // the exclusion below the bound goes
    ['os-xenapi>=0.1.1,!=0.3.1', ['pin-too-low => os-xenapi>=0.2.0,!=0.3.1']],
    ['os-xenapi>=0.1.1,<0.4', ['pin-too-low => os-xenapi>=0.2.0,<0.4']],
    [
      'os-xenapi>=0.2.0,!=0.2.0,!=0.3.0,!=0.3.1,!=0.3.2,!=0.3.3,!=0.3.4',
      ['excluded-needed => os-xenapi>=0.2.0'],
    ],
    ['os-xenapi>=0.1.0,<0.2.0', ['pin-too-low => os-xenapi>=0.2.0']], // the cap cuts off every working version
    ['os-xenapi  # Apache-2.0', ['pin-too-low => os-xenapi>=0.2.0  # Apache-2.0']],
    ['OS_XenAPI>=0.2.0', []],
    ["os-xenapi>=0.1.1;python_version=='2.7' # Apache-2.0", ['pin-missing => os-xenapi>=0.2.0']],
    [
      "os-xenapi>=0.1.1;python_version>='3.0' # Apache-2.0",
      ["pin-too-low => os-xenapi>=0.2.0;python_version>='3.0' # Apache-2.0"],
    ],
    ['os-xenapi>=0.2.0.dev1', []],
    ['os-xenapi>=0.1.1.post1', []], // no 0.1.1 post-release exists: the lowest allowed is 0.2.0
    ['os-xenapi>=0.1.0.dev1', ['pin-too-low => os-xenapi>=0.2.0']],
    ['os-xenapi>=0.2.0rc1', []],
    ['os-xenapi \\\n    >=0.1.1 # Apache-2.0', ['pin-too-low => os-xenapi>=0.2.0 # Apache-2.0']],
  ])('%s', async (line, expected) => {
    const got = await check(`# comment line\n\nsix>=1.9.0 # MIT\n${line}\n`);
    expect(got).toEqual(expected);
  });

  it('a line the library cannot parse is an error naming file and line when it is the checked package', async () => {
    const got = await check('os-xenapi>=0.2.0<0.3\nhacking>=2.0<2.1\n');
    // Sorted by file: the import site first, then requirements.txt lines 1 and 2.
    expect(got).toEqual(['pin-missing => os-xenapi>=0.2.0', 'requirement-syntax', 'requirement-syntax']);
    expect(lastFindings.slice(1).map((f) => [f.severity, f.file, f.line])).toEqual([
      ['error', 'requirements.txt', 1],
      ['warning', 'requirements.txt', 2],
    ]);
    expect(lastFindings[1]!.message).toMatch(/^requirements\.txt:1:/);
  });

  it('-r and -c includes and lower-constraints', async () => {
    expect(
      await check('-r base.txt\n-c cons.txt\n', {
        'base.txt': 'os-xenapi>=0.2.0\n',
        'cons.txt': 'os-xenapi===0.1.1\n',
      }),
    ).toEqual(['constraint-conflict => os-xenapi===0.2.0']);
    expect(await check('os-xenapi>=0.2.0\n', { 'lower-constraints.txt': 'os-xenapi==0.2.0\n' })).toEqual([]);
    expect(await check('os-xenapi>=0.1.1\n', { 'lower-constraints.txt': 'os-xenapi==0.1.1\n' })).toEqual([
      'constraint-conflict => os-xenapi==0.2.0',
      'pin-too-low => os-xenapi>=0.2.0',
    ]);
  });
});
