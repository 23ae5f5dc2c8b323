import { describe, expect, it } from 'vitest';
import { formatTiming } from '../../src/cli/commands/lint.js';
import { openProject } from '../../src/engine/project.js';
import { lintProject } from '../../src/lint/runner.js';

const sample = new URL('../../fixtures/sample-nova', import.meta.url).pathname;

describe('lint --timing', () => {
  it('measures the run phases and, per rule and per-file phase, the file tasks', async () => {
    const result = await lintProject({ project: openProject(sample), jobs: 1, quiet: true, timing: true });
    const t = result.timing!;
    expect(Object.keys(t.phases)).toEqual([
      'discover',
      'pre-pass (read, triggers)',
      'file tasks (parse, rules)',
      'join, contract status',
      'suppressions, baseline, filters',
    ]);
    // Every rule that ran on some parsed file has a time, and so does parsing.
    const ruleIds = new Set(result.findings.map((f) => f.rule));
    for (const id of ['parse', 'suppressions', ...ruleIds]) expect(t.perFile[id]).toBeGreaterThan(0);
    const sum = Object.values(t.phases).reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThanOrEqual(result.summary.elapsedMs! + 1);
    const text = formatTiming(t);
    expect(text).toMatch(/^run phases, wall \(\d+ ms\)\n/);
    expect(text).toMatch(/\n {2}parse +\d+\.\d ms +\d+\.\d%\n/);
    // Without the option nothing is measured.
    const plain = await lintProject({ project: openProject(sample), jobs: 1, quiet: true });
    expect(plain.timing).toBeUndefined();
  }, 60_000);
});
