/**
 * Fixture-pair tests for codemods, after jscodeshift's `defineTest`: a directory holds
 * `NAME.input.py` files, each with either `NAME.output.py` (the expected rewrite) or no output file
 * (a negative case: the file must stay byte-identical). An optional `NAME.expect.json` adds
 * expectations: `{"relPath": "nova/virt/xenapi/vmops.py", "options": {...}, "converted": 3,
 * "manual": [{"line": 12, "reason": "substring", "kind": "instance_update"}], "status": "refused"}`.
 * Each fixture runs through the same `applyCodemods` as `backlevel migrate` (re-parse, overlap and
 * idempotence checks included). Import from a vitest test:
 *
 *   defineFixtureTests({ codemod: 'conductor-to-objects', dir: 'fixtures/codemods/conductor-to-objects' });
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectProjectPackages, type Project } from '../engine/project.js';
import { applyCodemods, type FileOutcome, type LoadedCodemod } from './apply.js';
import { codemodRef, loadCodemod } from './load.js';
import type { CodemodModule, CodemodOptions } from './types.js';

export interface Fixture {
  name: string;
  input: string;
  /** Absent for negative cases. */
  output?: string;
  expect?: string;
}

export interface FixtureExpectation {
  relPath?: string;
  options?: CodemodOptions;
  converted?: number;
  manual?: { line?: number; reason?: string; kind?: string }[];
  status?: FileOutcome['status'];
  annotate?: boolean;
}

export type CodemodSpec = string | CodemodModule;

export interface FixtureTestOptions {
  /** Built-in names, paths to codemod files, or modules; a chain runs in order. */
  codemod: CodemodSpec | CodemodSpec[];
  dir: string;
  options?: CodemodOptions;
  /** Where a fixture pretends to live (module naming); default `nova/virt/<name>.py`. */
  relPath?: string | ((name: string) => string);
  /** The project `prepare()` sees; default: `dir` as the root with no files. */
  project?: Partial<Pick<Project, 'root' | 'projectPackages' | 'config'>>;
  annotate?: boolean;
  /** Only these fixture names (for focused runs). */
  only?: string[];
}

/** `NAME.input.py` files of a directory with their output / expect companions, sorted by name. */
export function discoverFixtures(dir: string): Fixture[] {
  const abs = resolve(dir);
  const out: Fixture[] = [];
  for (const f of readdirSync(abs).sort()) {
    if (!f.endsWith('.input.py')) continue;
    const name = f.slice(0, -'.input.py'.length);
    const output = join(abs, `${name}.output.py`);
    const expectFile = join(abs, `${name}.expect.json`);
    out.push({
      name,
      input: join(abs, f),
      ...(existsSync(output) ? { output } : {}),
      ...(existsSync(expectFile) ? { expect: expectFile } : {}),
    });
  }
  return out;
}

async function loadSpecs(
  specs: CodemodSpec[],
  opts: FixtureTestOptions,
  options: CodemodOptions,
): Promise<LoadedCodemod[]> {
  const root = resolve(opts.project?.root ?? opts.dir);
  const project = {
    root,
    projectPackages: opts.project?.projectPackages ?? detectProjectPackages(root),
    config: opts.project?.config ?? {},
  };
  return Promise.all(
    specs.map(async (spec) => {
      const module = typeof spec === 'string' ? await loadCodemod(codemodRef(spec)) : spec;
      const prepared = await module.prepare?.({ project, files: [], options });
      return { name: typeof spec === 'string' ? spec : module.meta.name, module, prepared };
    }),
  );
}

export interface FixtureRun {
  fixture: Fixture;
  input: string;
  outcome: FileOutcome;
  /** The text after the run (the input when nothing changed). */
  actual: string;
  expected: string;
  expectation: FixtureExpectation;
}

/** Runs one fixture and returns what happened; `defineFixtureTests` asserts on it. */
export async function runFixture(fixture: Fixture, opts: FixtureTestOptions): Promise<FixtureRun> {
  const expectation: FixtureExpectation = fixture.expect
    ? JSON.parse(readFileSync(fixture.expect, 'utf8'))
    : {};
  const options = { ...(opts.options ?? {}), ...(expectation.options ?? {}) };
  const specs = Array.isArray(opts.codemod) ? opts.codemod : [opts.codemod];
  const codemods = await loadSpecs(specs, opts, options);
  const relPath =
    expectation.relPath ??
    (typeof opts.relPath === 'function'
      ? opts.relPath(fixture.name)
      : (opts.relPath ?? `nova/virt/${fixture.name}.py`));
  const root = resolve(opts.project?.root ?? opts.dir);
  const input = readFileSync(fixture.input, 'utf8');
  const outcome = await applyCodemods({
    path: join(root, relPath),
    relPath,
    source: input,
    project: {
      root,
      projectPackages: opts.project?.projectPackages ?? ['nova'],
      config: opts.project?.config ?? {},
    },
    codemods,
    options,
    annotate: expectation.annotate ?? opts.annotate ?? false,
  });
  return {
    fixture,
    input,
    outcome,
    actual: outcome.output ?? input,
    expected: fixture.output ? readFileSync(fixture.output, 'utf8') : input,
    expectation,
  };
}

/** Registers one vitest test per fixture of `dir`. */
export function defineFixtureTests(opts: FixtureTestOptions): void {
  const fixtures = discoverFixtures(opts.dir).filter((f) => !opts.only || opts.only.includes(f.name));
  const title = Array.isArray(opts.codemod)
    ? opts.codemod.map((c) => (typeof c === 'string' ? c : c.meta.name)).join(' + ')
    : typeof opts.codemod === 'string'
      ? opts.codemod
      : opts.codemod.meta.name;
  describe(`${title} fixtures (${basename(resolve(opts.dir))})`, () => {
    it('has fixtures', () => {
      expect(fixtures.length).toBeGreaterThan(0);
    });
    for (const fixture of fixtures) {
      it(`${fixture.name}${fixture.output ? '' : ' (unchanged)'}`, async () => {
        const run = await runFixture(fixture, opts);
        const wantStatus = run.expectation.status ?? (fixture.output ? 'changed' : 'unchanged');
        if (run.outcome.status === 'refused' || run.outcome.status === 'error') {
          expect(run.outcome.status, `${fixture.name}: ${run.outcome.reason}`).toBe(wantStatus);
        }
        expect(run.actual).toBe(run.expected);
        expect(run.outcome.status).toBe(wantStatus);
        if (run.expectation.converted !== undefined)
          expect(run.outcome.converted.length).toBe(run.expectation.converted);
        if (run.expectation.manual) {
          expect(run.outcome.manual.length, JSON.stringify(run.outcome.manual, null, 1)).toBe(
            run.expectation.manual.length,
          );
          run.expectation.manual.forEach((want, i) => {
            const got = run.outcome.manual[i]!;
            if (want.line !== undefined) expect(got.line).toBe(want.line);
            if (want.reason !== undefined) expect(got.reason).toContain(want.reason);
            if (want.kind !== undefined) expect(got.kind).toBe(want.kind);
          });
        }
      });
    }
  });
}
