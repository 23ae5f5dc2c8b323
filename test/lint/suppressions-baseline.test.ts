import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { run } from '../../src/cli/main.js';
import { applyBaseline, baselineOf } from '../../src/lint/baseline.js';
import { changedLinesSince, parseUnifiedDiff } from '../../src/lint/changed-lines.js';
import { lintSources } from '../../src/lint/lint-sources.js';
import { parseSuppressions } from '../../src/lint/suppressions.js';

const VMOPS = 'nova/virt/xenapi/vmops.py';
const CODE = `class VMOps(object):
    def a(self, ctxt, instance):
        self._virtapi.instance_update(ctxt, instance['uuid'], {'host': None})  # backlevel: ignore[raw-conductor-call]

    def b(self, ctxt, instance):
        # backlevel: ignore[raw-conductor-call]
        self._virtapi.instance_update(ctxt, instance['uuid'], {'node': None})

    def c(self, ctxt, instance):
        self._virtapi.instance_update(ctxt, instance['uuid'], {'task_state': None})
        x = 1  # backlevel: ignore[raw-conductor-call]
        y = "# backlevel: ignore[raw-conductor-call]"
        self._virtapi.instance_update(ctxt, instance['uuid'], {'progress': y})  # backlevel: ignore[dict-style-object-access, no-such-rule]
`;

describe('inline suppressions', () => {
  it('suppress on the line and from a comment alone on the line before; strings are not comments', async () => {
    const res = await lintSources({ [VMOPS]: CODE }, { only: ['raw-conductor-call'] });
    expect(res.suppressed.map((f) => f.line)).toEqual([3, 7]);
    expect(res.findings.map((f) => f.line)).toEqual([10, 13]);
  });

  it('reports unused and unknown-rule suppressions', async () => {
    const res = await lintSources({ [VMOPS]: CODE }, { only: ['raw-conductor-call'] });
    expect(res.unused.map((f) => [f.line, f.message])).toEqual([
      [11, "unused suppression for 'raw-conductor-call': no such finding here"],
      [13, "suppression names an unknown rule 'no-such-rule'"],
    ]);
  });

  it('ignore-file and bare ignore', async () => {
    const code = `# backlevel: ignore-file[raw-conductor-call]\n${CODE}`;
    const res = await lintSources({ [VMOPS]: code }, { only: ['raw-conductor-call'] });
    expect(res.findings).toEqual([]);
    const bare = await lintSources({
      [VMOPS]: "def f(virtapi):\n    virtapi.instance_update(None, 'u', {})  # backlevel: ignore\n",
    });
    expect(bare.findings.filter((f) => f.rule === 'raw-conductor-call')).toEqual([]);
  });

  it('parses directive lists', () => {
    expect(parseSuppressions('x = 1  # backlevel: ignore[a, b]\n# backlevel: ignore-file\n')).toEqual([
      { line: 1, column: 8, endColumn: 33, kind: 'line', rules: ['a', 'b'], standalone: false },
      { line: 2, column: 1, endColumn: 25, kind: 'file', rules: null, standalone: true },
    ]);
  });
});

const before = `class VMOps(object):
    def a(self, ctxt, instance):
        self._virtapi.instance_update(ctxt, instance['uuid'], {'host': None})
`;

describe('baseline', () => {
  it('fingerprints survive line moves; edited or added findings are new', async () => {
    const base = baselineOf(
      (await lintSources({ [VMOPS]: before }, { only: ['raw-conductor-call'] })).findings,
    );
    expect(base.findings).toHaveLength(1);
    const moved = `import os\n\n\n${before}`;
    const m = (await lintSources({ [VMOPS]: moved }, { only: ['raw-conductor-call'] })).findings;
    expect(m[0]!.line).toBe(6);
    expect(applyBaseline(m, base)).toMatchObject({ fresh: [], known: 1, gone: 0 });
    const grown = `${moved}\n    def b(self, ctxt, instance):\n        self._virtapi.instance_update(ctxt, instance['uuid'], {'host': None})\n`;
    const g = (await lintSources({ [VMOPS]: grown }, { only: ['raw-conductor-call'] })).findings;
    const r = applyBaseline(g, base);
    expect(r.known).toBe(1);
    expect(r.fresh.map((f) => f.line)).toEqual([9]);
    const edited = before.replace("'host': None", "'host': 'x'");
    const e = (await lintSources({ [VMOPS]: edited }, { only: ['raw-conductor-call'] })).findings;
    expect(applyBaseline(e, base)).toMatchObject({ known: 0, gone: 1 });
  });
});

describe('changed lines', () => {
  it('parses -U0 hunks', () => {
    const diff =
      'diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -3,0 +4,2 @@\n+a\n+b\n@@ -10 +12 @@\n-c\n+d\n';
    expect([...parseUnifiedDiff(diff).get('x.py')!]).toEqual([4, 5, 12]);
  });

  it('CLI: --changed-since, --write-baseline / --baseline, exit codes and formats', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backlevel-lint-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'nova/virt/xenapi'), { recursive: true });
    for (const p of ['nova/__init__.py', 'nova/virt/__init__.py', 'nova/virt/xenapi/__init__.py'])
      writeFileSync(join(dir, p), '');
    writeFileSync(join(dir, VMOPS), before);
    const git = (...a: string[]) => execFileSync('git', ['-C', dir, ...a], { stdio: 'pipe' });
    git('init', '-q');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'root');
    git('add', '.');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '-m', 'c1');
    writeFileSync(
      join(dir, VMOPS),
      `${before}\n    def b(self, ctxt, instance):\n        self._virtapi.instance_update(ctxt, instance['uuid'], {'node': None})\n`,
    );
    const changed = changedLinesSince(dir, 'HEAD');
    expect([...(changed.get(VMOPS) as Set<number>)]).toEqual([4, 5, 6]);

    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const capture = async (args: string[]) => {
      out.length = 0;
      process.exitCode = undefined;
      (process.stdout as { write: unknown }).write = (s: string) => out.push(s) > 0;
      try {
        return await run(['node', 'backlevel', '-q', ...args]);
      } finally {
        (process.stdout as { write: unknown }).write = write;
        process.exitCode = undefined;
      }
    };
    expect(await capture(['lint', dir, '--rule', 'raw-conductor-call', '-f', 'json'])).toBe(1);
    expect(JSON.parse(out.join('')).findings).toHaveLength(2);
    expect(
      await capture(['lint', dir, '--rule', 'raw-conductor-call', '-f', 'json', '--changed-since', 'HEAD']),
    ).toBe(1);
    expect(JSON.parse(out.join('')).findings.map((f: { line: number }) => f.line)).toEqual([6]);
    const baseline = join(dir, 'baseline.json');
    expect(await capture(['lint', dir, '--rule', 'raw-conductor-call', '--write-baseline', baseline])).toBe(
      0,
    );
    expect(JSON.parse(readFileSync(baseline, 'utf8')).findings).toHaveLength(2);
    expect(await capture(['lint', dir, '--rule', 'raw-conductor-call', '--baseline', baseline])).toBe(0);
    expect(out.join('')).toContain('no findings');
    expect(await capture(['lint', dir, '--rule', 'raw-conductor-call', '--fail-on', 'never'])).toBe(0);
    expect(await capture(['lint', dir, '--format', 'nope'])).toBe(2);
    expect(await capture(['lint', dir, '--rule', 'no-such-rule'])).toBe(2);
    expect(await capture(['lint', dir, '--rule', 'raw-conductor-call', '-f', 'sarif'])).toBe(1);
    expect(JSON.parse(out.join('')).runs[0].results).toHaveLength(2);
  }, 60_000);
});
