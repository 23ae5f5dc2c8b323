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
import type { GateReport } from '../../workflow/gate.js';
import type { Finding } from '../finding.js';
import { attachFixDiffs } from './fix-diffs.js';
import { treeSource } from './format.js';
import { buildMatrix, type MatrixHistory, type MatrixOptions } from './matrix.js';
import { renderHtmlReport } from './report.js';

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
