/** The `lint` section of the config file and the command line, resolved to the rules a run uses. */
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../cli/errors.js';
import type { Severity } from '../report/finding.js';
import type { ResolvedRule } from './lint-file.js';
import { RULES, RULES_BY_ID } from './rules/index.js';
import type { TableFiles } from './tables.js';

export type RuleSetting =
  | 'off'
  | Severity
  | {
      enabled?: boolean;
      severity?: Severity;
      scope?: string[];
      exclude?: string[];
      options?: Record<string, unknown>;
    };

export interface LintConfig {
  rules?: Record<string, RuleSetting>;
  failOn?: Severity | 'never';
  format?: string;
  baseline?: string;
  reportUnusedSuppressions?: boolean;
  tables?: TableFiles;
}

/**
 * Rules for a run: every rule unless `only` names some, minus those the config turns off, with the
 * config's severity and scope.
 */
export function resolveRules(config: LintConfig, only?: readonly string[]): ResolvedRule[] {
  for (const id of only ?? []) {
    if (!RULES_BY_ID.has(id))
      throw new UsageError(`unknown rule '${id}' (rules: ${RULES.map((r) => r.meta.id).join(', ')})`);
  }
  const out: ResolvedRule[] = [];
  for (const rule of RULES) {
    const id = rule.meta.id;
    if (only?.length && !only.includes(id)) continue;
    const s = config.rules?.[id];
    let severity = rule.meta.severity;
    let scope = rule.meta.scope;
    let exclude: string[] = [...(rule.meta.exclude ?? [])];
    if (s === 'off') continue;
    if (typeof s === 'string') severity = s;
    else if (s) {
      if (s.enabled === false) continue;
      severity = s.severity ?? severity;
      scope = s.scope ?? scope;
      exclude = s.exclude ?? exclude;
    }
    const options = typeof s === 'object' ? s.options : undefined;
    out.push({ id, severity, scope: [...scope], exclude, ...(options ? { options } : {}) });
  }
  return out;
}

/** Table paths from the config, made absolute against the tree root. */
export function resolveTableFiles(root: string, tables: TableFiles | undefined): TableFiles {
  const out: TableFiles = {};
  for (const [k, v] of Object.entries(tables ?? {}) as [keyof TableFiles, string][]) {
    out[k] = isAbsolute(v) ? v : resolve(root, v);
  }
  return out;
}
