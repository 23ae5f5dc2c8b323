/**
 * Builds the HTML reports the tests look at, from real runs: lint (with the status table and the
 * os-xenapi swap from `verify pins`) over the bundled sample `fixtures/sample-nova`, and the
 * object history walk over a git repository committed from `fixtures/objects-history` snapshots
 * (release tags 2015.1.0, 12.0.0, 13.0.0; Gadget 1.0 gains a field without a version bump).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ruleDescriptors } from '../../../src/cli/commands/lint.js';
import { openProject } from '../../../src/engine/project.js';
import { lintProject } from '../../../src/lint/runner.js';
import type { Finding } from '../../../src/report/finding.js';
import {
  buildMatrix,
  collectOsXenapiUse,
  historyFindings,
  loadReleaseHistory,
  type ReleaseHistory,
  runtimePrimitives,
  treeSource,
} from '../../../src/report/html/index.js';
import { renderReport } from '../../../src/report/index.js';
import { CHECK_DESCRIPTORS } from '../../../src/verify/objects/types.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const SAMPLE = join(REPO_ROOT, 'fixtures', 'sample-nova');
const SNAPSHOTS = join(REPO_ROOT, 'fixtures', 'objects-history', 'repo-snapshots');

const GIT_ENV = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.org',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.org',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

function git(cwd: string, args: string[], date?: string): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...GIT_ENV, ...(date ? { GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date } : {}) },
  }).trim();
}

/** A git repository with release tags from the history fixture snapshots; returns its directory. */
export function snapshotRepo(): { dir: string; repo: string } {
  const dir = mkdtempSync(join(tmpdir(), 'backlevel-html-'));
  const repo = join(dir, 'nova');
  git(dir, ['init', '-q', '-b', 'master', repo]);
  const step = (n: number, date: string, tag: string) => {
    rmSync(join(repo, 'nova'), { recursive: true, force: true });
    cpSync(join(SNAPSHOTS, String(n), 'nova'), join(repo, 'nova'), { recursive: true });
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-q', '-m', `step ${n}`], date);
    git(repo, ['tag', '-a', '-m', tag, tag]);
  };
  step(1, '2015-04-30T00:00:00Z', '2015.1.0');
  step(2, '2015-10-15T00:00:00Z', '12.0.0');
  step(4, '2016-04-07T00:00:00Z', '13.0.0');
  writeFileSync(join(repo, 'README'), 'after the release\n');
  git(repo, ['add', 'README']);
  git(repo, ['commit', '-q', '-m', 'docs']);
  return { dir, repo };
}

export interface BuiltReport {
  html: string;
  history: ReleaseHistory;
  objectFindings: Finding[];
  lintFindings: Finding[];
}

/** Lint status + os-xenapi swap over the sample, and the matrix over the snapshot repository. */
export async function buildSampleReport(repo: string, cacheDir: string): Promise<BuiltReport> {
  const project = openProject(SAMPLE);
  const lint = await lintProject({ project, quiet: true, jobs: 1 });
  const xenapi = await collectOsXenapiUse(project, 1);
  const history = await loadReleaseHistory({ repo, since: '2015.1.0', cacheDir });
  const objectFindings = historyFindings(history.manifest);
  const matrix = buildMatrix(history, objectFindings, { primitives: runtimePrimitives(history) });
  const html = await renderReport('html', {
    findings: [...lint.findings, ...objectFindings, ...xenapi.pinFindings],
    command: 'lint',
    tool: { name: 'backlevel', version: 'test' },
    rules: [...ruleDescriptors(), ...CHECK_DESCRIPTORS],
    source: treeSource(SAMPLE),
    extra: {
      status: lint.status,
      xenapi: {
        legacyImportSites: lint.findings.filter((f) => f.rule === 'legacy-xenapi-import').length,
        pluginCallsConvertible: lint.findings.filter(
          (f) => f.rule === 'dom0-plugin-call' && f.data?.convertible !== false,
        ).length,
        pluginCallsUnconvertible: lint.findings.filter(
          (f) => f.rule === 'dom0-plugin-call' && f.data?.convertible === false,
        ).length,
        osXenapi: xenapi,
      },
      matrix,
      subject: 'fixtures/sample-nova + objects-history snapshots',
    },
  });
  return { html, history, objectFindings, lintFindings: lint.findings };
}
