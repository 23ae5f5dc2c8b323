/**
 * Object rules read the schema src/history extracts (typed fields, remotable signatures), not
 * source text: a remotable signature change is a schema change too.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackport } from '../../src/workflow/backport.js';
import { runGate } from '../../src/workflow/gate.js';
import { buildRepo, type FixtureRepo, sh } from './repo-builder.js';

let repo: FixtureRepo;
let saveCommit: string;
beforeAll(() => {
  repo = buildRepo();
  // Instance.save() gains an argument, Instance stays 1.2: a remotable signature change.
  sh(repo.dir, ['checkout', '-q', '-b', 'save', repo.commits.convert]);
  const inst = join(repo.dir, 'nova/objects/instance.py');
  const text = readFileSync(inst, 'utf8');
  const saved = text.replace(
    'def save(self, context=None):',
    'def save(self, context=None, expected_task_state=None):',
  );
  expect(saved).not.toBe(text);
  writeFileSync(inst, saved);
  sh(repo.dir, ['commit', '-q', '-am', 'Instance.save(): accept expected_task_state']);
  saveCommit = sh(repo.dir, ['rev-parse', 'HEAD']);
  sh(repo.dir, ['checkout', '-q', 'master']);
});
afterAll(() => repo.cleanup());

describe('object rules on the extracted schema', () => {
  it('a remotable signature change without a bump cannot be backported', async () => {
    const r = await runBackport({ repo: repo.dir, onto: 'stable/one', revs: [saveCommit] });
    expect(r.findings.map((f) => f.rule).sort()).toEqual([
      'backport-object-schema-change',
      'backport-object-version-unknown',
    ]);
    const change = r.findings.find((f) => f.rule === 'backport-object-schema-change')!;
    expect(change.message).toContain('the commit changes remotable save on Instance without a version bump');
    expect({ file: change.file, line: change.line }).toEqual({ file: 'nova/objects/instance.py', line: 9 });
    const unknown = r.findings.find((f) => f.rule === 'backport-object-version-unknown')!;
    expect(unknown.message).toContain(
      "Instance 1.2 exists in stable/one's history with another schema (as of ",
    );
    expect(unknown.message).toContain('after the backport it changes remotable save');
  });

  it('the gate says the same of the same change (version-bump)', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'bl-objects-')), 'clone');
    try {
      execFileSync('git', ['clone', '-q', '--branch', 'save', repo.dir, dir]);
      const g = await runGate({ repo: dir, base: 'HEAD~1', skip: ['lint', 'pins'] });
      // (verify objects adds what it finds about this fixture's Instance: no obj_make_compatible)
      expect(
        g.findings.filter((f) => f.rule === 'version-bump').map((f) => `${f.rule} ${f.file}:${f.line}`),
      ).toEqual(['version-bump nova/objects/instance.py:9']);
      expect(g.findings.find((f) => f.rule === 'version-bump')!.message).toContain(
        'Instance changes remotable save but VERSION stays 1.2',
      );
    } finally {
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  });

  it('the gate hands the touched objects to verify objects through the seam, once per finding', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'bl-objects-')), 'clone');
    try {
      execFileSync('git', ['clone', '-q', '--branch', 'save', repo.dir, dir]);
      const calls: string[][] = [];
      const g = await runGate({
        repo: dir,
        base: 'HEAD~1',
        skip: ['lint', 'pins'],
        objectVerifier: async (project, names) => {
          calls.push([...names]);
          expect(project.root).toBe(dir);
          const at = {
            file: 'nova/objects/instance.py',
            column: 1,
            endColumn: 1,
            severity: 'error' as const,
          };
          return [
            // the same site and rule as the gate's own check: kept once
            { ...at, rule: 'version-bump', line: 9, endLine: 9, message: 'restated' },
            { ...at, rule: 'compat-missing-drop', line: 22, endLine: 22, message: 'from verify objects' },
          ];
        },
      });
      expect(calls).toEqual([['Instance']]);
      expect(g.findings.map((f) => `${f.rule}:${f.line}`)).toEqual([
        'version-bump:9',
        'compat-missing-drop:22',
      ]);
      expect(g.findings[0]!.message).not.toBe('restated');
      expect(g.analyzers.find((a) => a.name === 'objects')!.detail).toContain(
        'verify objects: 1 object(s), 1 finding(s)',
      );
      // Without a verifier: said in the report.
      const unwired = await runGate({
        repo: dir,
        base: 'HEAD~1',
        skip: ['lint', 'pins'],
        objectVerifier: undefined,
      });
      expect(unwired.analyzers.find((a) => a.name === 'objects')!.detail).toContain('verify objects not run');
    } finally {
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  });

  it('a field type change is named, and a commit that only moves fields around is no change', async () => {
    sh(repo.dir, ['checkout', '-q', '-b', 'reorder', repo.commits.convert]);
    const inst = join(repo.dir, 'nova/objects/instance.py');
    const text = readFileSync(inst, 'utf8');
    // entries reordered and re-wrapped: the same schema
    writeFileSync(
      inst,
      text.replace(
        "        'host': fields.StringField(nullable=True),\n        'task_state': fields.StringField(nullable=True),\n",
        "        'task_state': fields.StringField(\n            nullable=True),\n        'host': fields.StringField(nullable=True),\n",
      ),
    );
    sh(repo.dir, ['commit', '-q', '-am', 'Instance: reorder fields']);
    const reorder = sh(repo.dir, ['rev-parse', 'HEAD']);
    sh(repo.dir, ['checkout', '-q', '-b', 'required', repo.commits.convert]);
    writeFileSync(
      inst,
      text.replace("'host': fields.StringField(nullable=True)", "'host': fields.StringField()"),
    );
    sh(repo.dir, ['commit', '-q', '-am', 'Instance: host is required']);
    const required = sh(repo.dir, ['rev-parse', 'HEAD']);
    sh(repo.dir, ['checkout', '-q', 'master']);
    const r = await runBackport({ repo: repo.dir, onto: 'stable/one', revs: [reorder] });
    expect(r.findings).toEqual([]);
    const r2 = await runBackport({ repo: repo.dir, onto: 'stable/one', revs: [required] });
    expect(r2.commits[0]!.status).toBe('findings');
    expect(r2.findings.find((f) => f.rule === 'backport-object-schema-change')!.message).toContain(
      'the commit changes host on Instance',
    );
  });
});
