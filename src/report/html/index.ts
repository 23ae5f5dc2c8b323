/**
 * The HTML report (`--format html`): one self-contained file for people reviewing an upgrade.
 *
 * - `formatHtml(input)`: the shared-dispatch entry (src/report `formatReport('html', ...)`): the
 *   findings, plus the sections the command put under `input.extra`: `status` (lint's
 *   ContractStatus -> migration dashboard), `xenapi` (os-xenapi swap progress), `matrix` (a built
 *   CompatibilityMatrix), `gate` (GateReport), `fixDiffs` (Map<Finding, FindingExtras>).
 * - `gateHtml(report)`: the gate's report with code frames and codemod diffs (async: runs the
 *   codemods dry for the diffs).
 * - `objectsHtml(history, findings)`: the compatibility matrix for `verify objects`.
 */
import type { Project } from '../../engine/project.js';
import type { GateReport } from '../../workflow/gate.js';
import type { Finding } from '../finding.js';
import { xenapiFromFindings } from './dashboard.js';
import { attachFixDiffs } from './fix-diffs.js';
import { treeSource } from './format.js';
import { runtimePrimitives } from './history-input.js';
import { buildMatrix, type MatrixHistory, type MatrixOptions } from './matrix.js';
import { renderHtmlReport } from './report.js';
import { collectOsXenapiUse, type XenapiProgress } from './xenapi-progress.js';

export { buildDashboard, type MigrationDashboard, methodExtents } from './dashboard.js';
export { esc } from './escape.js';
export { attachFixDiffs, hunksTouching } from './fix-diffs.js';
export { formatHtml, type HtmlExtra, treeSource } from './format.js';
export {
  historyFindings,
  loadReleaseHistory,
  type ReleaseHistory,
  runtimePrimitives,
} from './history-input.js';
export { buildMatrix, type CompatibilityMatrix, type MatrixHistory, releaseSeries } from './matrix.js';
export { type HtmlReportInput, renderHtmlReport } from './report.js';
export { collectOsXenapiUse, type XenapiProgress } from './xenapi-progress.js';

export interface GateHtmlOptions {
  tool?: { name: string; version: string };
  jobs?: number;
  /** Skip running codemods for diffs. */
  noFixDiffs?: boolean;
  generatedAt?: string;
}

/** The gate's HTML report: verdict, analyzers, skipped history, findings with frames and diffs. */
export async function gateHtml(report: GateReport, opts: GateHtmlOptions = {}): Promise<string> {
  const source = treeSource(report.tree);
  const extras = opts.noFixDiffs
    ? undefined
    : await attachFixDiffs(report.tree, report.findings, opts.jobs ? { jobs: opts.jobs } : {});
  return renderHtmlReport({
    command: 'gate',
    title: 'backlevel gate report',
    subject: report.tree,
    ...(opts.tool ? { tool: opts.tool } : {}),
    ...(opts.generatedAt ? { generatedAt: opts.generatedAt } : {}),
    findings: report.findings,
    source,
    ...(extras ? { extras } : {}),
    gate: report,
  });
}

export interface ObjectsHtmlOptions extends MatrixOptions {
  tool?: { name: string; version: string };
  subject?: string;
  generatedAt?: string;
  /** Reads object modules for code frames of findings in the findings section. */
  source?: (file: string) => string | undefined;
}

/** `verify objects --format html`: the compatibility matrix with its findings. */
export function objectsHtml(
  h: MatrixHistory,
  findings: readonly Finding[],
  opts: ObjectsHtmlOptions = {},
): string {
  const matrix = buildMatrix(h, findings, opts);
  return renderHtmlReport({
    command: 'verify objects',
    title: 'backlevel object compatibility report',
    ...(opts.subject ? { subject: opts.subject } : {}),
    ...(opts.tool ? { tool: opts.tool } : {}),
    ...(opts.generatedAt ? { generatedAt: opts.generatedAt } : {}),
    findings,
    ...(opts.source ? { source: opts.source } : {}),
    matrix,
  });
}

/**
 * `lint --report status --format html`: the os-xenapi swap for the dashboard: what is left from
 * the lint findings, what is done (os_xenapi uses, the pin) from `verify pins` over the tree.
 */
export async function lintXenapiProgress(
  project: Project,
  findings: readonly Finding[],
  jobs?: number,
): Promise<XenapiProgress> {
  const left = xenapiFromFindings(findings);
  try {
    return { ...left, osXenapi: await collectOsXenapiUse(project, jobs) };
  } catch {
    // The pin side is optional: a tree the pin verifier cannot read still gets its dashboard.
    return left;
  }
}

/**
 * `verify objects --format html`: the compatibility matrix over the verifier's history (supported
 * releases as columns) with its findings, and before/after primitives from the objects runtime.
 */
export function objectsHtmlExtra(
  history: MatrixHistory & { versions?: Map<string, Map<string, { def?: unknown }>> },
  findings: readonly Finding[],
  subject?: string,
): Record<string, unknown> {
  const matrix = buildMatrix(history, findings, {
    primitives: runtimePrimitives({
      releases: history.releases,
      ...(history.versions ? { versions: history.versions as never } : {}),
    }),
  });
  return { matrix, title: 'backlevel object compatibility report', ...(subject ? { subject } : {}) };
}
