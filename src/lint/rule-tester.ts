/**
 * A rule tester in the style of ESLint's RuleTester: `new RuleTester().run(id, rule, {valid,
 * invalid})` declares one test per case with the test framework's `describe`/`it` (set
 * `RuleTester.describe` / `RuleTester.it`, or use globals). A valid case must produce no finding of
 * the rule; an invalid case must produce exactly the listed errors (message text or RegExp, line,
 * column, end, severity, suggestion), in order. Cases lint in-process through `lintSources`, with
 * the full rule tables, so suppressions and the cross-file contract behave as in a real run.
 */
import type { Finding, Severity } from '../report/finding.js';
import { lintSources } from './lint-sources.js';
import type { LintRule } from './types.js';

export interface ValidCase {
  code: string;
  /** Path relative to the tree root (decides scope and module name); default: the tester's. */
  filename?: string;
  /** Other files of the tree (for cross-file rules). */
  files?: Record<string, string>;
  name?: string;
}

export interface ExpectedError {
  message?: string | RegExp;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  severity?: Severity;
  suggestion?: string;
  /** The codemod the finding names as its fix; `null`: the finding must name none. */
  fix?: string | null;
  data?: Record<string, unknown>;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedError[] | number;
}

type Describe = (name: string, fn: () => void) => void;
type It = (name: string, fn: () => Promise<void>) => void;

export class RuleTesterError extends Error {}

export class RuleTester {
  static describe: Describe | undefined;
  static it: It | undefined;

  constructor(private readonly defaults: { filename?: string } = {}) {}

  /** Findings of one rule for one case. */
  async findings(rule: LintRule, c: ValidCase): Promise<Finding[]> {
    const filename = c.filename ?? this.defaults.filename ?? 'nova/virt/example/driver.py';
    const files = { ...(c.files ?? {}), [filename]: c.code };
    const res = await lintSources(files, { only: [rule.meta.id] });
    return res.findings.filter((f) => f.rule === rule.meta.id && f.file === filename);
  }

  run(id: string, rule: LintRule, cases: { valid: (ValidCase | string)[]; invalid: InvalidCase[] }): void {
    if (rule.meta.id !== id) throw new RuleTesterError(`rule id '${rule.meta.id}' is not '${id}'`);
    const g = globalThis as { describe?: Describe; it?: It };
    const describe = RuleTester.describe ?? g.describe;
    const it = RuleTester.it ?? g.it;
    if (!describe || !it)
      throw new RuleTesterError('set RuleTester.describe and RuleTester.it (or enable test globals)');
    describe(id, () => {
      describe('valid', () => {
        cases.valid.forEach((v, i) => {
          const c = typeof v === 'string' ? { code: v } : v;
          it(c.name ?? `valid #${i + 1}`, async () => {
            const got = await this.findings(rule, c);
            if (got.length) throw new RuleTesterError(`expected no finding, got:\n${describeFindings(got)}`);
          });
        });
      });
      describe('invalid', () => {
        cases.invalid.forEach((c, i) => {
          it(c.name ?? `invalid #${i + 1}`, async () => {
            const got = await this.findings(rule, c);
            checkErrors(got, c.errors);
          });
        });
      });
    });
  }
}

function describeFindings(fs: Finding[]): string {
  return fs
    .map((f) => `  ${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.severity} ${f.message}`)
    .join('\n');
}

export function checkErrors(got: Finding[], expected: ExpectedError[] | number): void {
  const count = typeof expected === 'number' ? expected : expected.length;
  if (got.length !== count) {
    throw new RuleTesterError(`expected ${count} finding(s), got ${got.length}:\n${describeFindings(got)}`);
  }
  if (typeof expected === 'number') return;
  expected.forEach((e, i) => {
    const f = got[i]!;
    const fail = (what: string, want: unknown, have: unknown) => {
      throw new RuleTesterError(
        `finding #${i + 1}: ${what} should be ${String(want)}, is ${String(have)}\n${describeFindings([f])}`,
      );
    };
    if (
      e.message instanceof RegExp
        ? !e.message.test(f.message)
        : e.message !== undefined && e.message !== f.message
    ) {
      fail('message', e.message, f.message);
    }
    for (const k of ['line', 'column', 'endLine', 'endColumn', 'severity', 'suggestion'] as const) {
      if (e[k] !== undefined && e[k] !== f[k]) fail(k, e[k], f[k]);
    }
    if (e.fix !== undefined && (f.fix?.codemod ?? null) !== e.fix) fail('fix', e.fix, f.fix?.codemod ?? null);
    for (const [k, v] of Object.entries(e.data ?? {})) {
      if (JSON.stringify(f.data?.[k]) !== JSON.stringify(v))
        fail(`data.${k}`, JSON.stringify(v), JSON.stringify(f.data?.[k]));
    }
  });
}
