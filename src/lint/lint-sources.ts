/**
 * In-process linting of sources held in memory (`{relPath: code}`): the same per-file pass, the
 * cross-file contract and the suppressions as a run over a tree, without discovery or workers.
 * Used by the rule tester and by callers that lint generated code.
 */

import { initPython } from '../python/parser.js';
import { pyFileOptionsFor } from '../python/source-file.js';
import { compareFindings, type Finding } from '../report/finding.js';
import { type LintConfig, resolveRules } from './config.js';
import { buildContractStatus, type ClassInfo, type ContractStatus } from './contract.js';
import { assignFingerprints } from './fingerprint.js';
import { CONTRACT_RULE, lintText } from './lint-file.js';
import { RULES } from './rules/index.js';
import { contractFindings } from './rules/virt-driver-method-contract.js';
import { applySuppressions } from './suppressions.js';
import { type LintTables, loadLintTables } from './tables.js';

export interface LintSourcesResult {
  findings: Finding[];
  suppressed: Finding[];
  unused: Finding[];
  status?: ContractStatus;
  /** The files that were parsed (some in-scope rule's triggers and file pre-check passed). */
  parsed: string[];
}

export async function lintSources(
  files: Record<string, string>,
  options: { only?: string[]; config?: LintConfig; tables?: LintTables } = {},
): Promise<LintSourcesResult> {
  await initPython();
  const tables = options.tables ?? loadLintTables();
  const rules = resolveRules(options.config ?? {}, options.only);
  const results = Object.entries(files).map(([rel, code]) =>
    lintText(rel, code, rules, tables, pyFileOptionsFor(rel)),
  );
  const classes: ClassInfo[] = results.flatMap((r) => r.classes ?? []);
  let status: ContractStatus | undefined;
  const contract = rules.find((r) => r.id === CONTRACT_RULE);
  if (contract) {
    status = buildContractStatus(
      classes,
      tables.virtDriver.specMethods().map((m) => m.method),
    );
    for (const f of contractFindings(status, classes, contract.severity)) {
      const lines = (files[f.file] ?? '').split('\n');
      assignFingerprints([f], (l) => lines[l - 1] ?? '');
      delete (f.data as { lineText?: string }).lineText;
      results.find((r) => r.relPath === f.file)?.findings.push(f);
    }
  }
  const known = new Set(RULES.map((r) => r.meta.id));
  const out: LintSourcesResult = {
    findings: [],
    suppressed: [],
    unused: [],
    ...(status ? { status } : {}),
    parsed: results.filter((r) => r.parsed).map((r) => r.relPath),
  };
  for (const r of results) {
    const s = applySuppressions(r.relPath, r.findings, r.directives, new Set(r.rulesRun), known);
    out.findings.push(...s.kept);
    out.suppressed.push(...s.suppressed);
    out.unused.push(...s.unused);
  }
  out.findings.sort(compareFindings);
  return out;
}
