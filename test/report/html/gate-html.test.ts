/**
 * The gate's HTML report over a real gate run: a git copy of the sample whose last commit adds the
 * libvirt driver, so its raw VirtAPI calls are findings on changed lines, each shown with its code
 * frame and the hunk of the conductor-to-objects rewrite that fixes it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateHtml } from '../../../src/report/html/index.js';
import { runGate } from '../../../src/workflow/gate.js';
import { SAMPLE } from './build-report.js';
import { byClass, byId, byTag, type El, parseHtml, textOf } from './mini-dom.js';

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.org',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.org',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8' });

let dir: string;
let doc: El;
let report: Awaited<ReturnType<typeof runGate>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'backlevel-gate-html-'));
  cpSync(SAMPLE, dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'master');
  git(dir, 'add', '-A', '--', '.', ':!nova/virt/libvirt/driver.py');
  git(dir, 'commit', '-q', '-m', 'sample without the libvirt driver');
  git(dir, 'add', 'nova/virt/libvirt/driver.py');
  git(dir, 'commit', '-q', '-m', 'add the libvirt driver');
  report = await runGate({ repo: dir, base: 'HEAD~1', quiet: true, jobs: 1 });
  doc = parseHtml(await gateHtml(report, { jobs: 1 }));
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gate --format html', () => {
  it('states the verdict, the base and each analyzer', () => {
    const summary = byId(doc, 'summary')!;
    expect(textOf(byTag(summary, 'h2')[0]!)).toBe('Gate summary');
    expect(textOf(byClass(summary, 'verdict')[0]!)).toBe(report.exitCode ? 'FAIL' : 'PASS');
    const rows = byTag(byClass(summary, 'analyzers')[0]!, 'tr').slice(1);
    expect(rows.map((r) => textOf(byTag(r, 'th')[0]!))).toEqual(report.analyzers.map((a) => a.name));
    expect(textOf(summary)).toContain(report.base.rev!.slice(0, 12));
  });

  it('shows each raw call of the change with its code frame and the codemod hunk that fixes it', () => {
    const raw = report.findings.filter((f) => f.rule === 'raw-conductor-call' && f.fix);
    expect(raw.length).toBeGreaterThan(0);
    const cards = byClass(byId(doc, 'findings')!, 'finding').filter((c) =>
      textOf(c).includes('[raw-conductor-call]'),
    );
    expect(cards).toHaveLength(report.findings.filter((f) => f.rule === 'raw-conductor-call').length);
    let withDiff = 0;
    for (const card of cards) {
      expect(byClass(card, 'frame')).toHaveLength(1);
      const diff = byClass(card, 'diff')[0];
      if (!diff) {
        // No diff: the card says why (left to a person, or outside the codemod's reach).
        if (textOf(card).includes('Fix:'))
          expect(textOf(card)).toMatch(/leaves this site to a person|does not change|not these lines/);
        continue;
      }
      withDiff++;
      const removed = byClass(diff, 'del').map(textOf);
      const added = byClass(diff, 'add').map(textOf);
      expect(removed.length).toBeGreaterThan(0);
      expect(added.some((l) => /objects\.|\.save\(\)|Instance/.test(l))).toBe(true);
      // The hunk covers the finding's own line.
      const where = /driver\.py:(\d+)/.exec(textOf(card))![1]!;
      const hunk = /@@ -(\d+),(\d+)/.exec(textOf(diff))!;
      expect(Number(where)).toBeGreaterThanOrEqual(Number(hunk[1]));
      expect(Number(where)).toBeLessThan(Number(hunk[1]) + Number(hunk[2]));
    }
    expect(withDiff).toBeGreaterThan(0);
  });
});
