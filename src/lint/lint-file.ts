/**
 * Lints one file's text with the rules whose scope matches it: skips the parse when none of those
 * rules' trigger substrings occurs, otherwise parses once and runs every rule (tree-sitter queries
 * over the one tree), then fingerprints the findings and reads the file's suppression directives.
 * Used by the worker task and, in-process, by the rule tester.
 */
import { escapeRegex } from '../engine/escape-regex.js';
import { matchesAnyGlob } from '../engine/glob-match.js';
import type { PyNode } from '../python/parser.js';
import { PyFile, type PyFileOptions } from '../python/source-file.js';
import type { Finding, Severity } from '../report/finding.js';
import { type ClassInfo, collectClasses } from './contract.js';
import { assignFingerprints } from './fingerprint.js';
import { findRawCalls } from './raw-calls.js';
import { RULES_BY_ID } from './rules/index.js';
import { parseSuppressions, type SuppressionDirective } from './suppressions.js';
import type { LintTables } from './tables.js';
import type { LintRule, RuleReport } from './types.js';

export const CONTRACT_RULE = 'virt-driver-method-contract';

/** A rule as configured for a run (structured-cloneable: sent to the workers). */
export interface ResolvedRule {
  id: string;
  severity: Severity;
  scope: string[];
  exclude: string[];
  options?: Record<string, unknown>;
}

export interface FileLintResult {
  relPath: string;
  parsed: boolean;
  syntaxErrors: boolean;
  findings: Finding[];
  directives: SuppressionDirective[];
  rulesRun: string[];
  classes?: ClassInfo[];
  /** With `timing`: milliseconds spent per phase (`parse`, `suppressions`) and per rule id. */
  timing?: Record<string, number>;
}

export function rulesForFile(relPath: string, rules: readonly ResolvedRule[]): ResolvedRule[] {
  return rules.filter((r) => matchesAnyGlob(relPath, r.scope) && !matchesAnyGlob(relPath, r.exclude));
}

/** True when one of the rule's triggers occurs in the text and its own file-level test passes. */
export function ruleMayMatch(rule: LintRule, relPath: string, text: string): boolean {
  const triggered = triggerRegexOf(rule.meta.triggers).test(text);
  return triggered && (rule.mayMatch?.(relPath, text) ?? true);
}

const triggerRegexes = new Map<string, RegExp>();

/** A regex for "one of these substrings occurs" (cached per trigger list). */
function triggerRegexOf(triggers: readonly string[]): RegExp {
  const list = [...new Set(triggers)];
  const key = list.join('\0');
  let re = triggerRegexes.get(key);
  if (!re) {
    // No triggers at all: nothing can match.
    re = list.length ? new RegExp(list.map(escapeRegex).join('|')) : /(?!)/;
    triggerRegexes.set(key, re);
  }
  return re;
}

/**
 * One regex for the triggers of a set of rules: a single scan that stops at the first hit, where
 * a substring search per trigger reads the whole file for each absent one (20x slower on Nova).
 */
function anyTrigger(rules: readonly ResolvedRule[]): RegExp {
  return triggerRegexOf(rules.flatMap((r) => RULES_BY_ID.get(r.id)?.meta.triggers ?? []));
}

/** True when some in-scope rule may match the text: only then is the file parsed. */
export function needsParse(
  relPath: string,
  text: string,
  rules: readonly ResolvedRule[],
  applicable: readonly ResolvedRule[] = rulesForFile(relPath, rules),
): boolean {
  if (applicable.length === 0 || !anyTrigger(applicable).test(text)) return false;
  return applicable.some((r) => {
    const rule = RULES_BY_ID.get(r.id);
    return !!rule && ruleMayMatch(rule, relPath, text);
  });
}

export function lintText(
  relPath: string,
  text: string,
  rules: readonly ResolvedRule[],
  tables: LintTables,
  pyOptions: PyFileOptions = {},
  timing = false,
): FileLintResult {
  const applicable = rulesForFile(relPath, rules);
  const result: FileLintResult = {
    relPath,
    parsed: false,
    syntaxErrors: false,
    findings: [],
    directives: [],
    rulesRun: [],
  };
  if (applicable.length === 0) return result;
  const modules = applicable
    .map((r) => ({ cfg: r, rule: RULES_BY_ID.get(r.id) }))
    .filter((x): x is { cfg: ResolvedRule; rule: LintRule } => !!x.rule);
  const triggered = modules.filter((m) => ruleMayMatch(m.rule, relPath, text));
  // Every applicable rule ran: the ones whose triggers are absent ran on a file that cannot match.
  result.rulesRun = modules.map((m) => m.cfg.id);
  if (triggered.length === 0) {
    result.directives = parseSuppressions(text);
    return result;
  }
  const times: Record<string, number> | undefined = timing ? {} : undefined;
  let mark = timing ? performance.now() : 0;
  const lap = (key: string) => {
    if (!times) return;
    const now = performance.now();
    times[key] = (times[key] ?? 0) + (now - mark);
    mark = now;
  };
  const file = PyFile.parse(relPath, text, pyOptions);
  lap('parse');
  try {
    result.parsed = true;
    result.syntaxErrors = file.hasSyntaxErrors;
    for (const { cfg, rule } of triggered) {
      if (rule.meta.id === CONTRACT_RULE) {
        result.classes = collectClasses(
          file,
          relPath,
          tables.virtDriver,
          findRawCalls(file, tables.conductor),
        );
        lap(cfg.id);
        continue;
      }
      const report = (r: RuleReport) => {
        const start = r.node ? r.node.startIndex : (r.start ?? 0);
        const end = r.node ? r.node.endIndex : (r.end ?? start);
        const s = file.position(start);
        const e = file.position(end);
        const severity = r.severity && rankBelow(r.severity, cfg.severity) ? r.severity : cfg.severity;
        result.findings.push({
          rule: cfg.id,
          severity,
          file: relPath,
          line: s.line,
          column: s.column,
          endLine: e.line,
          endColumn: e.column,
          message: r.message,
          ...(r.fix ? { fix: r.fix } : {}),
          ...(r.suggestion ? { suggestion: r.suggestion } : {}),
          ...(r.data ? { data: r.data } : {}),
        });
      };
      rule.check({ file, relPath, tables, report, ...(cfg.options ? { options: cfg.options } : {}) });
      lap(cfg.id);
    }
    result.findings.sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
    assignFingerprints(result.findings, (l) => file.lineText(l));
    const root = file.root;
    result.directives = parseSuppressions(text, (i) => isCommentAt(root, i));
    lap('suppressions');
    if (times) result.timing = times;
    return result;
  } finally {
    file.dispose();
  }
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** A rule may lower a finding's severity below its configured one (never raise it). */
function rankBelow(a: Severity, b: Severity): boolean {
  return RANK[a] < RANK[b];
}

function isCommentAt(root: PyNode, index: number): boolean {
  const n = root.descendantForIndex(index, index + 1);
  return n?.type === 'comment';
}
