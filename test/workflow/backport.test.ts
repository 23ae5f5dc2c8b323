import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackport } from '../../src/workflow/backport.js';
import { buildRepo, type FixtureRepo, sh } from './repo-builder.js';

let repo: FixtureRepo;
beforeAll(() => {
  repo = buildRepo();
});
afterAll(() => repo.cleanup());

const rules = (r: Awaited<ReturnType<typeof runBackport>>) => r.findings.map((f) => f.rule).sort();

function branchesUntouched(): void {
  expect(sh(repo.dir, ['rev-parse', 'stable/one'])).toBe(repo.commits.stableSix);
  expect(sh(repo.dir, ['rev-parse', 'master'])).toBe(repo.commits.masterSix);
  expect(sh(repo.dir, ['status', '--porcelain'])).toBe('');
  expect(sh(repo.dir, ['worktree', 'list']).split('\n')).toHaveLength(1);
}

describe('backport rules', () => {
  it('an object version bump cannot be backported, and the version never existed on the branch', async () => {
    const r = await runBackport({ repo: repo.dir, onto: 'stable/one', revs: [repo.commits.bump] });
    expect(r.commits[0]!.status).toBe('findings');
    const bump = r.findings.find((f) => f.rule === 'backport-object-version-bump')!;
    expect(bump.message).toContain('Instance 1.2 -> 1.3');
    expect(bump.message).toContain('adds flavor');
    expect(bump.file).toBe('nova/objects/instance.py');
    expect(bump.line).toBe(10);
    const unknown = r.findings.find((f) => f.rule === 'backport-object-version-unknown')!;
    expect(unknown.message).toContain(
      "Instance 1.3 never existed in stable/one's history (versions there: 1.2)",
    );
    branchesUntouched();
  });

  it('a schema change without a bump is refused, and 1.2 would mean two schemas', async () => {
    // newer-schema applied on master as a throwaway commit in a side branch
    sh(repo.dir, ['checkout', '-q', '-b', 'side', repo.commits.convert]);
    const { commitOverlay } = await import('./repo-builder.js');
    const c = commitOverlay(repo.dir, 'newer-schema', 'Instance: add node');
    sh(repo.dir, ['checkout', '-q', 'master']);
    const r = await runBackport({ repo: repo.dir, onto: 'stable/one', revs: [c] });
    expect(rules(r)).toEqual(['backport-object-schema-change', 'backport-object-version-unknown']);
    expect(r.findings.find((f) => f.rule === 'backport-object-version-unknown')!.message).toContain(
      'after the backport it adds node',
    );
  });

  it('methods and versions the backported code uses must exist on the branch', async () => {
    const r = await runBackport({ repo: repo.dir, onto: 'stable/one', revs: [repo.commits.useFlavor] });
    const method = r.findings.find((f) => f.rule === 'backport-object-method-missing')!;
    expect(method.message).toContain('Instance.get_flavor()');
    expect(method.file).toBe('nova/virt/xenapi/vmops.py');
    expect(method.line).toBe(21);
    const ver = r.findings.find((f) => f.rule === 'backport-object-version-unknown')!;
    expect(ver.message).toContain("asks for Instance 1.3 (obj_to_primitive(target_version='1.3'))");
    expect(ver.line).toBe(22);
    // together with the bump, the method exists: only the bump findings remain
    const both = await runBackport({
      repo: repo.dir,
      onto: 'stable/one',
      revs: [repo.commits.bump, repo.commits.useFlavor],
    });
    expect(both.commits[1]!.findings.map((f) => f.rule)).not.toContain('backport-object-method-missing');
    branchesUntouched();
  });

  it('os_xenapi on a pre-move branch without the requirement: exact reason and the reverse codemod diff', async () => {
    const r = await runBackport({ repo: repo.dir, onto: 'stable/one', revs: [repo.commits.osXenapi] });
    const f = r.findings.find((x) => x.rule === 'backport-os-xenapi-missing')!;
    expect(f.message).toContain('requirements.txt on stable/one has no os-xenapi line');
    expect(f.message).toContain('os-xenapi>=0.2.0 for os_xenapi.client.host_network');
    expect(f.message).toContain('predates the move');
    expect(f.fix?.codemod).toBe('xenapi-imports-reverse');
    const rev = r.commits[0]!.reverse!;
    expect(rev.applied).toBe(false);
    expect(rev.unavailable).toBeUndefined();
    expect(rev.diff).toContain('-from os_xenapi.client import host_network');
  });

  it('--fix applies the reverse codemod in the temporary tree and re-checks', async () => {
    const r = await runBackport({
      repo: repo.dir,
      onto: 'stable/one',
      revs: [repo.commits.osXenapi],
      fix: true,
    });
    const rev = r.commits[0]!.reverse!;
    expect(rev.unavailable).toBeUndefined();
    expect(rev.applied).toBe(true);
    expect(rev.diff).toContain('+++ b/nova/virt/xenapi/bandwidth.py');
    expect(rev.remaining).toEqual([]);
    branchesUntouched();
  });

  it('os_xenapi pinned too low on a post-move branch', async () => {
    const r = await runBackport({ repo: repo.dir, onto: 'stable/newer', revs: [repo.commits.osXenapi] });
    const f = r.findings.find((x) => x.rule === 'backport-os-xenapi-pin-too-low')!;
    expect(f.message).toContain('first appeared in os-xenapi 0.2.0');
    expect(f.message).toContain(
      "requirements.txt:3 on stable/newer allows os-xenapi 0.1.1 ('os-xenapi>=0.1.1 # Apache-2.0')",
    );
    expect(f.suggestion).toBe("write 'os-xenapi>=0.2.0 # Apache-2.0' at requirements.txt:3");
    expect(r.commits[0]!.reverse).toBeUndefined();
  });

  it('a raw conductor call the branch had converted comes back', async () => {
    const r = await runBackport({ repo: repo.dir, onto: 'stable/one', revs: [repo.commits.rawAgain] });
    const f = r.findings.find((x) => x.rule === 'backport-reintroduces-raw-call')!;
    expect(f.severity).toBe('error');
    expect(f.message).toContain(`already converted in ${repo.commits.stableConvert.slice(0, 12)}`);
    expect(f.line).toBe(13);
    // on a branch that never converted it (stable/newer still has the raw calls), nothing to flag
    const r2 = await runBackport({ repo: repo.dir, onto: 'stable/newer', revs: [repo.commits.rawAgain] });
    expect(r2.findings.filter((x) => x.rule === 'backport-reintroduces-raw-call')).toEqual([]);
  });

  it('reports conflicts per file, an already-applied change, and keeps going', async () => {
    const r = await runBackport({
      repo: repo.dir,
      onto: 'stable/one',
      revs: [repo.commits.convert, repo.commits.masterSix, repo.commits.osXenapi],
    });
    expect(r.commits.map((c) => c.status)).toEqual(['empty', 'conflict', 'findings']);
    const conflict = r.commits[1]!.apply.conflicts;
    expect(conflict).toEqual([
      expect.objectContaining({ path: 'requirements.txt', kind: 'both-modified', markerLines: [2] }),
    ]);
    expect(r.summary).toMatchObject({ commits: 3, empty: 1, conflicts: 1, withFindings: 1 });
    branchesUntouched();
  });

  it('--range applies commits oldest first; an eol tag works as --onto', async () => {
    sh(repo.dir, ['tag', 'one-eol', 'stable/one']);
    const r = await runBackport({
      repo: repo.dir,
      onto: 'one-eol',
      range: `${repo.commits.convert}..${repo.commits.useFlavor}`,
    });
    expect(r.commits.map((c) => c.commit)).toEqual([repo.commits.bump, repo.commits.useFlavor]);
    expect(r.commits[1]!.findings.map((f) => f.rule)).not.toContain('backport-object-method-missing');
  });

  it('leaves no temporary directory behind', () => {
    expect(sh(repo.dir, ['worktree', 'list']).split('\n')).toHaveLength(1);
  });
});
