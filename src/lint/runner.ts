/**
 * A whole lint run over a tree: discover files, run the lint task over them in workers, join the
 * per-file results (cross-file contract status and findings, suppressions), then the optional
 * baseline and changed-lines filters. Returns findings plus the run summary that every reporter
 * renders.
 */
import { availableParallelism } from 'node:os';
import { createProgress } from '../engine/progress.js';
import { discoverProjectFiles, type Project } from '../engine/project.js';
import { DEFAULT_MAX_FILE_BYTES, readSourceSync } from '../engine/read-source.js';
import { emptySummary, type RunSummary } from '../engine/run-summary.js';
import { FilePool, likelyManyFiles, runFileTask } from '../engine/worker-pool.js';
import { compareFindings, type Finding } from '../report/finding.js';
import { applyBaseline, type Baseline } from './baseline.js';
import { type ChangedLines, touchesChangedLines } from './changed-lines.js';
import { type LintConfig, resolveRules, resolveTableFiles } from './config.js';
import { buildContractStatus, type ClassInfo, type ContractStatus } from './contract.js';
import { assignFingerprints } from './fingerprint.js';
import { CONTRACT_RULE, needsParse, type ResolvedRule, rulesForFile } from './lint-file.js';
import type { LintTaskOptions, LintTaskResult } from './lint-task.js';
import { RULES } from './rules/index.js';
import { contractFindings } from './rules/virt-driver-method-contract.js';
import { applySuppressions, parseSuppressions } from './suppressions.js';
import { loadVirtDriverMethods } from './virt-driver-methods.js';

export interface LintRunOptions {
  project: Project;
  paths?: string[];
  /** Only these rule ids. */
  only?: string[];
  jobs?: number;
  quiet?: boolean;
  baseline?: Baseline;
  changed?: ChangedLines;
  reportUnusedSuppressions?: boolean;
  /** Measure where the time goes (`--timing`). */
  timing?: boolean;
}

/**
 * `--timing`: wall milliseconds of each phase of the run in this thread, and the milliseconds the
 * file tasks spent per rule and per per-file phase (`parse`, `suppressions`), summed over workers.
 */
export interface LintTiming {
  phases: Record<string, number>;
  perFile: Record<string, number>;
}

/** Files per batch (or bytes, whichever first) sent to a worker while the pre-pass goes on. */
const STREAM_BATCH_FILES = 8;
const STREAM_BATCH_BYTES = 256 * 1024;
/** Fewer named files than this run in this thread. */
const MIN_FILES_FOR_WORKERS = 48;

export interface LintRunResult {
  findings: Finding[];
  rules: ResolvedRule[];
  summary: RunSummary & {
    filesParsed: number;
    findings: number;
    suppressed: number;
    baselined?: number;
    baselineGone?: number;
    outsideChangedLines?: number;
  };
  status?: ContractStatus;
  timing?: LintTiming;
}

/** The task module next to this one: compiled `.js` under dist (workers), `.ts` from source (in-process). */
export const LINT_TASK_URL = (): string =>
  new URL(`./lint-task.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;

export async function lintProject(opts: LintRunOptions): Promise<LintRunResult> {
  const started = performance.now();
  const phases: Record<string, number> = {};
  let mark = started;
  const lap = (key: string) => {
    const now = performance.now();
    phases[key] = now - mark;
    mark = now;
  };
  const { project } = opts;
  const config = (project.config.lint ?? {}) as LintConfig;
  const rules = resolveRules(config, opts.only);
  // Rules may read files beyond the Python sources (extension-less dom0 plugins): add their globs.
  const ruleFiles = RULES.filter((r) => rules.some((x) => x.id === r.meta.id)).flatMap(
    (r) => r.meta.files ?? [],
  );
  const taskOptions: LintTaskOptions = {
    rules,
    tables: resolveTableFiles(project.root, config.tables),
    ...(project.config.maxFileSize ? { maxFileBytes: project.config.maxFileSize } : {}),
    ...(opts.timing ? { timing: true } : {}),
  };
  // Workers start now, while this thread discovers files: worth it for a directory, not for a few
  // named files.
  const jobs = opts.jobs ?? project.config.jobs;
  const paths = opts.paths ?? [];
  const manyFiles = likelyManyFiles(project.root, paths, MIN_FILES_FOR_WORKERS);
  const earlyPool =
    (jobs ?? availableParallelism()) > 1 && manyFiles
      ? FilePool.open<LintTaskOptions, LintTaskResult>(LINT_TASK_URL(), taskOptions, {
          ...(jobs ? { jobs } : {}),
          mainLane: true,
        })
      : undefined;
  const summary: LintRunResult['summary'] = { ...emptySummary(), filesParsed: 0, findings: 0, suppressed: 0 };
  const results: LintTaskResult[] = [];
  const collect = async (): Promise<void> => {
    const discovery = await discoverProjectFiles(
      project,
      opts.paths ?? [],
      ruleFiles.length ? { include: [...(project.config.include ?? ['**/*.py']), ...ruleFiles] } : {},
    );
    lap('discover');
    for (const m of discovery.missing)
      summary.skipped.push({ path: m, reason: 'missing', message: `${m}: no such file or directory` });
    // Cheap pre-pass in this thread: read each in-scope file and keep for the workers only those in
    // which some rule's trigger occurs. The others cannot match and are never parsed. The workers
    // were started before discovery (they load the parser and tables meanwhile) and get the files to
    // parse in small batches as the pre-pass finds them.
    const maxBytes = project.config.maxFileSize ?? DEFAULT_MAX_FILE_BYTES;
    const pool = earlyPool;
    const pending: Promise<void>[] = [];
    let batch: typeof discovery.inputs = [];
    let batchBytes = 0;
    let toParse = 0;
    let done = 0;
    let progress: ReturnType<typeof createProgress> | undefined;
    const flush = () => {
      if (!pool || batch.length === 0) return;
      const files = batch;
      batch = [];
      batchBytes = 0;
      pending.push(
        pool.submit(files).then((out) => {
          results.push(...out);
          done += out.length;
          progress?.tick(done, toParse, files[files.length - 1]!.relPath);
        }),
      );
    };
    const inProcess: typeof discovery.inputs = [];
    for (const input of discovery.inputs) {
      const applicable = rulesForFile(input.relPath, rules);
      if (applicable.length === 0) continue;
      const read = readSourceSync(input.path, maxBytes);
      const base = {
        relPath: input.relPath,
        parsed: false,
        syntaxErrors: false,
        findings: [],
        directives: [],
      };
      if (!read.ok) {
        results.push({
          ...base,
          rulesRun: [],
          bytes: 0,
          skipped: { reason: read.reason, message: read.message },
        });
      } else if (needsParse(input.relPath, read.text, rules, applicable)) {
        toParse++;
        if (!pool) inProcess.push(input);
        else {
          batch.push(input);
          batchBytes += read.bytes;
          if (batch.length >= STREAM_BATCH_FILES || batchBytes >= STREAM_BATCH_BYTES) flush();
        }
      } else {
        results.push({
          ...base,
          bytes: read.bytes,
          rulesRun: applicable.map((r) => r.id),
          directives: parseSuppressions(read.text),
        });
      }
    }
    flush();
    lap('pre-pass (read, triggers)');
    progress = createProgress(toParse, { quiet: opts.quiet ?? false, title: 'lint' });
    try {
      if (pool) {
        await pool.drain();
        await Promise.all(pending);
      } else {
        results.push(
          ...(await runFileTask<LintTaskOptions, LintTaskResult>(LINT_TASK_URL(), inProcess, taskOptions, {
            ...(jobs ? { jobs } : {}),
            onProgress: (n, total, f) => progress?.tick(n, total, f.relPath),
          })),
        );
      }
    } finally {
      progress.stop();
    }
  };
  try {
    await collect();
  } finally {
    await earlyPool?.close();
  }
  lap('file tasks (parse, rules)');
  results.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));

  const known = new Set([...RULES.map((r) => r.meta.id)]);
  const classes: ClassInfo[] = [];
  const perFile = new Map<string, LintTaskResult>();
  for (const r of results) {
    perFile.set(r.relPath, r);
    if (r.skipped) {
      summary.skipped.push({ path: r.relPath, reason: r.skipped.reason, message: r.skipped.message });
      continue;
    }
    if (r.bytes) {
      summary.filesRead++;
      summary.bytesRead += r.bytes;
    }
    if (r.parsed) summary.filesParsed++;
    if (r.syntaxErrors) summary.filesWithSyntaxErrors.push(r.relPath);
    if (r.classes) classes.push(...r.classes);
  }

  // Cross-file: the driver method contract.
  let status: ContractStatus | undefined;
  const contract = rules.find((r) => r.id === CONTRACT_RULE);
  if (contract) {
    status = buildContractStatus(
      classes,
      loadVirtDriverMethods(taskOptions.tables?.virtDriverMethods)
        .specMethods()
        .map((m) => m.method),
    );
    const byFile = new Map<string, Finding[]>();
    for (const f of contractFindings(status, classes, contract.severity)) {
      const list = byFile.get(f.file) ?? [];
      list.push(f);
      byFile.set(f.file, list);
    }
    for (const [file, list] of byFile) {
      const lineTexts = new Map(
        list.map((f) => [f.line, String((f.data as { lineText?: string }).lineText ?? '')]),
      );
      assignFingerprints(list, (l) => lineTexts.get(l) ?? '');
      for (const f of list) delete (f.data as { lineText?: string }).lineText;
      perFile.get(file)?.findings.push(...list);
    }
  }

  lap('join, contract status');
  let findings: Finding[] = [];
  for (const r of results) {
    if (r.findings.length === 0 && r.directives.length === 0) continue;
    const s = applySuppressions(r.relPath, r.findings, r.directives, new Set(r.rulesRun), known);
    summary.suppressed += s.suppressed.length;
    findings.push(...s.kept);
    if (opts.reportUnusedSuppressions ?? config.reportUnusedSuppressions) {
      assignFingerprints(s.unused, () => '');
      findings.push(...s.unused);
    }
  }
  if (opts.changed) {
    const before = findings.length;
    findings = findings.filter((f) => touchesChangedLines(f, opts.changed!));
    summary.outsideChangedLines = before - findings.length;
  }
  if (opts.baseline) {
    const b = applyBaseline(findings, opts.baseline);
    findings = b.fresh;
    summary.baselined = b.known;
    summary.baselineGone = b.gone;
  }
  findings.sort(compareFindings);
  lap('suppressions, baseline, filters');
  summary.findings = findings.length;
  summary.elapsedMs = performance.now() - started;
  let timing: LintTiming | undefined;
  if (opts.timing) {
    const perFile: Record<string, number> = {};
    for (const r of results)
      for (const [k, ms] of Object.entries(r.timing ?? {})) perFile[k] = (perFile[k] ?? 0) + ms;
    timing = { phases, perFile };
  }
  return { findings, rules, summary, ...(status ? { status } : {}), ...(timing ? { timing } : {}) };
}
