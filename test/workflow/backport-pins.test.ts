/**
 * The backport's os-xenapi rules are the pin verifier's verdicts over the temporary tree: the same
 * situation gives the gate and the backport the same finding, and the verdict knows call arity.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/report/finding.js';
import { runBackport } from '../../src/workflow/backport.js';
import { runGate } from '../../src/workflow/gate.js';
import { buildRepo, commitOverlay, type FixtureRepo, sh } from './repo-builder.js';

let repo: FixtureRepo;
let streamCommit: string;
beforeAll(() => {
  repo = buildRepo();
  // stable/mid: after the move, pinned to os-xenapi>=0.3.0 (stream_to_vdis exists, with 5 arguments)
  sh(repo.dir, ['checkout', '-q', '-b', 'stable/mid', repo.commits.postMove]);
  writeFileSync(join(repo.dir, 'requirements.txt'), 'pbr>=1.6\nsix>=1.9.0\nos-xenapi>=0.3.0 # Apache-2.0\n');
  sh(repo.dir, ['commit', '-q', '-am', 'Raise os-xenapi to 0.3.0']);
  sh(repo.dir, ['checkout', '-q', '-b', 'streams', repo.commits.masterSix]);
  streamCommit = commitOverlay(repo.dir, 'stream-vdis', 'xenapi: stream images onto the default SR');
  sh(repo.dir, ['checkout', '-q', 'master']);
});
afterAll(() => repo.cleanup());

/** The gate over a clone of `onto` with `commit` cherry-picked (the tree the backport checks). */
async function gateAfterPick(onto: string, commit: string): Promise<Finding[]> {
  const dir = join(mkdtempSync(join(tmpdir(), 'bl-pins-')), 'clone');
  try {
    execFileSync('git', ['clone', '-q', '--branch', onto, repo.dir, dir]);
    sh(dir, ['cherry-pick', '--allow-empty', commit]);
    const r = await runGate({ repo: dir, base: 'HEAD~1', skip: ['lint', 'objects'] });
    return r.findings;
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
}

describe('backport os-xenapi rules through verify pins', () => {
  it('gives the gate’s verdict and message for the same tree (pin too low)', async () => {
    const b = await runBackport({ repo: repo.dir, onto: 'stable/newer', revs: [repo.commits.osXenapi] });
    const g = await gateAfterPick('stable/newer', repo.commits.osXenapi);
    const back = b.findings.find((f) => f.rule === 'backport-os-xenapi-pin-too-low')!;
    const gate = g.find((f) => f.rule === 'pin-too-low')!;
    expect(back.data).toMatchObject({ pinRule: 'pin-too-low', neededVersion: '0.2.0' });
    expect(back.message.endsWith(`. ${gate.message}`)).toBe(true);
    expect({ file: back.file, line: back.line }).toEqual({ file: gate.file, line: gate.line });
    expect(gate.data).toMatchObject({ neededVersion: back.data!.neededVersion, specifier: '>=0.1.1' });
  });

  it('gives the gate’s verdict and message for the same tree (requirement missing)', async () => {
    const b = await runBackport({ repo: repo.dir, onto: 'stable/one', revs: [repo.commits.osXenapi] });
    const g = await gateAfterPick('stable/one', repo.commits.osXenapi);
    const back = b.findings.find((f) => f.rule === 'backport-os-xenapi-missing')!;
    const gate = g.find((f) => f.rule === 'pin-missing')!;
    expect(back.message).toContain(`. ${gate.message};`);
    // every requirement file the branch has is named, not only requirements.txt
    expect(back.message).toContain(
      'requirements.txt on stable/one has no os-xenapi line, nor does setup.cfg',
    );
  });

  it('a call that binds only in later versions: the arity, not just the name, decides', async () => {
    const r = await runBackport({ repo: repo.dir, onto: 'stable/mid', revs: [streamCommit] });
    expect(r.findings.map((f) => f.rule)).toEqual(['backport-os-xenapi-pin-too-low']);
    const f = r.findings[0]!;
    expect(f.message).toContain(
      "requirements.txt:3 on stable/mid allows os-xenapi 0.3.0 ('os-xenapi>=0.3.0 # Apache-2.0'), but os_xenapi.client.image.stream_to_vdis is called in a way that binds only from os-xenapi 0.3.3",
    );
    expect(f.message).not.toContain('first appeared');
    expect(f.suggestion).toBe("write 'os-xenapi>=0.3.3 # Apache-2.0' at requirements.txt:3");
    expect(f.fix).toBeUndefined(); // a post-move branch: no reverse codemod
    // On stable/newer (>=0.1.1) the module itself is missing at the lowest version; the line to
    // write still asks for 0.3.3, where the call binds.
    const newer = await runBackport({ repo: repo.dir, onto: 'stable/newer', revs: [streamCommit] });
    expect(newer.findings[0]!.message).toContain('os_xenapi.client.image first appeared in os-xenapi 0.3.0');
    expect(newer.findings[0]!.suggestion).toBe("write 'os-xenapi>=0.3.3 # Apache-2.0' at requirements.txt:3");
  });

  it('a use the branch already had is not the backport’s finding', async () => {
    // stable/mid2 already streams with 6 arguments under >=0.3.0 (too low for that call); the
    // backport adds a host_network use, which 0.3.0 provides.
    sh(repo.dir, ['checkout', '-q', '-b', 'stable/mid2', 'stable/mid']);
    sh(repo.dir, ['cherry-pick', streamCommit]);
    sh(repo.dir, ['checkout', '-q', 'master']);
    const r = await runBackport({ repo: repo.dir, onto: 'stable/mid2', revs: [repo.commits.osXenapi] });
    expect(r.commits[0]!.status).toBe('clean');
    // ... while the gate over the same tree reports it (it is the whole tree's verdict).
    const g = await gateAfterPick('stable/mid2', repo.commits.osXenapi);
    expect(g.filter((f) => f.rule === 'pin-too-low').map((f) => f.data?.symbol)).toEqual([
      'os_xenapi.client.image.stream_to_vdis',
    ]);
  });
});
