/**
 * Inline suppressions: `# backlevel: ignore[rule-id, other-id]` on the flagged line (or alone on
 * the line before it), `# backlevel: ignore` for every rule, and `# backlevel: ignore-file[rule-id]`
 * (anywhere in the file) for the whole file. Only comments count: the same text inside a string is
 * not a directive. Directives that suppress nothing, for rules that ran on the file, are reported
 * as `unused-suppression` with --report-unused-suppressions.
 */
import type { Finding } from '../report/finding.js';

export interface SuppressionDirective {
  line: number;
  column: number;
  endColumn: number;
  kind: 'line' | 'file';
  /** Rule ids; null means every rule. */
  rules: string[] | null;
  /** The comment is alone on its line (it then also covers the next line). */
  standalone: boolean;
}

const DIRECTIVE = /#\s*backlevel:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?/g;

/**
 * Directives in a file's text. `isComment(index)` tells whether a string index lies in a comment
 * (from the parse tree); without it every match counts.
 */
export function parseSuppressions(
  text: string,
  isComment?: (index: number) => boolean,
): SuppressionDirective[] {
  if (!text.includes('backlevel:')) return [];
  const out: SuppressionDirective[] = [];
  let lineStarts: number[] | undefined;
  for (const m of text.matchAll(DIRECTIVE)) {
    const index = m.index;
    if (isComment && !isComment(index)) continue;
    lineStarts ??= computeLineStarts(text);
    const line = lineOf(lineStarts, index);
    const start = lineStarts[line - 1]!;
    const before = text.slice(start, index);
    const rules =
      m[2] === undefined
        ? null
        : m[2]
            .split(',')
            .map((r) => r.trim())
            .filter(Boolean);
    out.push({
      line,
      column: index - start + 1,
      endColumn: index - start + 1 + m[0].length,
      kind: m[1] === 'ignore-file' ? 'file' : 'line',
      rules,
      standalone: /^\s*$/.test(before),
    });
  }
  return out;
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(starts: number[], index: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function covers(d: SuppressionDirective, f: Finding): boolean {
  if (d.rules && !d.rules.includes(f.rule)) return false;
  if (d.kind === 'file') return true;
  if (d.line >= f.line && d.line <= f.endLine) return true;
  return d.standalone && d.line + 1 === f.line;
}

export interface SuppressionResult {
  kept: Finding[];
  suppressed: Finding[];
  /** Directives (or rule ids within them) that suppressed nothing, as findings. */
  unused: Finding[];
}

export const UNUSED_SUPPRESSION = 'unused-suppression';

/**
 * Applies one file's directives to its findings. `rulesRun`: the rules that ran on the file (a
 * directive naming a rule that did not run is not reported unused). `knownRules`: every rule id.
 */
export function applySuppressions(
  file: string,
  findings: Finding[],
  directives: SuppressionDirective[],
  rulesRun: ReadonlySet<string>,
  knownRules: ReadonlySet<string>,
): SuppressionResult {
  if (directives.length === 0) return { kept: findings, suppressed: [], unused: [] };
  const used = directives.map(() => new Set<string>());
  const kept: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const f of findings) {
    const i = directives.findIndex((d) => covers(d, f));
    if (i < 0) kept.push(f);
    else {
      used[i]!.add(f.rule);
      suppressed.push(f);
    }
  }
  const unused: Finding[] = [];
  directives.forEach((d, i) => {
    const ids = d.rules ?? [];
    const report = (message: string, rule?: string) =>
      unused.push({
        rule: UNUSED_SUPPRESSION,
        severity: 'warning',
        file,
        line: d.line,
        column: d.column,
        endLine: d.line,
        endColumn: d.endColumn,
        message,
        data: {
          ...(rule ? { suppressedRule: rule } : {}),
          directive: d.kind === 'file' ? 'ignore-file' : 'ignore',
        },
      });
    if (d.rules === null) {
      if (used[i]!.size === 0 && rulesRun.size > 0)
        report(`unused suppression: no finding on this line to ignore`);
      return;
    }
    for (const id of ids) {
      if (!knownRules.has(id)) report(`suppression names an unknown rule '${id}'`, id);
      else if (rulesRun.has(id) && !used[i]!.has(id))
        report(
          `unused suppression for '${id}': no such finding ${d.kind === 'file' ? 'in this file' : 'here'}`,
          id,
        );
    }
  });
  return { kept, suppressed, unused };
}
