/**
 * `formatReport('html', input)`: the shared-dispatch entry of the HTML report. Renders the
 * findings plus the sections a command put under `input.extra`: `status` (lint's ContractStatus ->
 * migration dashboard), `xenapi` (os-xenapi swap progress), `matrix` (a built
 * CompatibilityMatrix), `gate` (GateReport), `fixDiffs` (Map<Finding, FindingExtras>), `subject`,
 * `title`. Light on imports: the shared reporters load it eagerly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContractStatus } from '../../lint/contract.js';
import type { GateReport } from '../../workflow/gate.js';
import type { Finding } from '../finding.js';
import type { ReportInput } from '../report-input.js';
import { buildDashboard } from './dashboard.js';
import type { FindingExtras } from './findings.js';
import type { CompatibilityMatrix } from './matrix.js';
import { renderHtmlReport } from './report.js';
import type { XenapiProgress } from './xenapi-progress.js';

/** Reads a tree's files for code frames (undefined when unreadable), each file once. */
export function treeSource(root: string): (file: string) => string | undefined {
  const cache = new Map<string, string | undefined>();
  return (file) => {
    if (!cache.has(file)) {
      try {
        cache.set(file, readFileSync(join(root, file), 'utf8'));
      } catch {
        cache.set(file, undefined);
      }
    }
    return cache.get(file);
  };
}

export interface HtmlExtra {
  status?: ContractStatus;
  xenapi?: XenapiProgress;
  matrix?: CompatibilityMatrix;
  gate?: GateReport;
  fixDiffs?: ReadonlyMap<Finding, FindingExtras>;
  subject?: string;
  title?: string;
}

/** `formatReport('html', input)`. */
export function formatHtml(input: ReportInput): string {
  const extra = (input.extra ?? {}) as HtmlExtra;
  const cache = new Map<string, string | undefined>();
  const source = input.source
    ? (file: string) => {
        if (!cache.has(file)) cache.set(file, input.source?.(file));
        return cache.get(file);
      }
    : undefined;
  return renderHtmlReport({
    command: input.command ?? 'report',
    ...(extra.title ? { title: extra.title } : {}),
    ...(extra.subject ? { subject: extra.subject } : {}),
    ...(input.tool ? { tool: input.tool } : {}),
    findings: input.findings,
    ...(input.rules ? { rules: input.rules } : {}),
    ...(input.summary ? { summary: input.summary } : {}),
    ...(source ? { source } : {}),
    ...(extra.fixDiffs ? { extras: extra.fixDiffs } : {}),
    ...(extra.gate ? { gate: extra.gate } : {}),
    ...(extra.matrix ? { matrix: extra.matrix } : {}),
    ...(extra.status
      ? {
          dashboard: buildDashboard({
            status: extra.status,
            findings: input.findings,
            ...(source ? { source } : {}),
            ...(extra.xenapi ? { xenapi: extra.xenapi } : {}),
          }),
        }
      : {}),
  });
}
