/**
 * Runs a chain of codemods over one file's text and decides whether the result may be kept. Every
 * rewrite is checked before it is accepted: edits must not overlap (EditConflictError), must not
 * touch a syntax-error region of the original, the new text must re-parse with no new syntax error
 * (tree-sitter, plus Python 3's compile() when the original compiled), and running the same codemod
 * again on its own output must change nothing. A file failing any check is left untouched and
 * reported with the reason. Used by the worker task, by `runCodemods` and by the fixture harness.
 */
import { structuredPatch } from 'diff';
import { pyFileOptionsFor } from '../engine/project.js';
import { compileOutline } from '../python/compile-outline.js';
import { initPython } from '../python/parser.js';
import { PyFile } from '../python/source-file.js';
import {
  checkRewriteSyntax,
  PythonAstChecker,
  type PythonAstResult,
  pythonAstChecker,
} from '../python/syntax.js';
import { EditConflictError, lineDiffEdits, spanEdit } from '../python/text-edits.js';
import { planAnnotations } from './annotate.js';
import { ParseCache } from './parse-cache.js';
import type { CodemodApi, CodemodModule, CodemodOptions, ConvertedSite, ManualSite } from './types.js';

export interface LoadedCodemod {
  name: string;
  module: CodemodModule;
  /** What the module's `prepare()` returned for this run. */
  prepared?: unknown;
}

export type FileStatus = 'changed' | 'unchanged' | 'removed' | 'skipped' | 'refused' | 'error';

export interface FileConvertedSite extends ConvertedSite {
  codemod: string;
}
export interface FileManualSite extends ManualSite {
  codemod: string;
}
export interface FileNote {
  codemod: string;
  key: string;
  value: string;
}

export interface FileOutcome {
  relPath: string;
  status: FileStatus;
  /** The new text, when changed. */
  output?: string;
  /** Why the file was skipped, refused, removed, or why a codemod failed on it. */
  reason?: string;
  /** The codemod a refusal or error is about. */
  codemod?: string;
  converted: FileConvertedSite[];
  manual: FileManualSite[];
  notes: FileNote[];
  /** TODO comments inserted by --annotate. */
  annotations: number;
}

export interface ApplyInput {
  path: string;
  relPath: string;
  source: string;
  project: CodemodApi['project'];
  codemods: readonly LoadedCodemod[];
  options?: CodemodOptions;
  annotate?: boolean;
  /** The Python 3 compile check; `null` disables it (tree-sitter checks still run). */
  checker?: PythonAstChecker | null;
  /** The file's parse cache when the caller shares it (and disposes it); else one of its own. */
  parses?: ParseCache;
}

interface StageResult {
  text: string | undefined;
  removed?: string;
  converted: ConvertedSite[];
  manual: ManualSite[];
  notes: { key: string; value: string }[];
}

/**
 * Runs one transform on a text with a fresh api. `api.parse()` and `api.parseShared()` read the
 * file's parse cache (the runner disposes those parses); `api.parseText()` parses anew for the
 * caller to dispose.
 */
export async function runTransform(
  codemod: LoadedCodemod,
  input: { path: string; relPath: string; source: string; project: CodemodApi['project'] },
  options: CodemodOptions,
  annotate: boolean,
  parses: ParseCache,
): Promise<StageResult> {
  const res: StageResult = { text: undefined, converted: [], manual: [], notes: [] };
  const fileOpts = pyFileOptionsFor(input.relPath);
  const api: CodemodApi = {
    parse() {
      return parses.get(input.source);
    },
    parseText(text: string) {
      return PyFile.parse(input.path, text, fileOpts);
    },
    parseShared(text, from) {
      return parses.get(text, from);
    },
    project: input.project,
    converted(site) {
      res.converted.push(site);
    },
    manual(site) {
      res.manual.push(site);
    },
    note(key, value) {
      res.notes.push({ key, value });
    },
    annotate,
    prepared: codemod.prepared,
    removeFile(reason: string) {
      res.removed = reason;
    },
  };
  const out = await codemod.module.default(
    { path: input.path, relPath: input.relPath, source: input.source },
    api,
    options,
  );
  res.text = typeof out === 'string' && out !== input.source ? out : undefined;
  return res;
}

function emptyOutcome(relPath: string, status: FileStatus): FileOutcome {
  return { relPath, status, converted: [], manual: [], notes: [], annotations: 0 };
}

/** 1-based line of a string index. */
function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The old-file lines a rewrite changes (deleted lines, and the line an insertion lands before). */
export function changedOldLines(before: string, after: string): number[] {
  const patch = structuredPatch('a', 'b', before, after, undefined, undefined, { context: 0 });
  const out: number[] = [];
  // jsdiff 9: an insertion hunk (oldLines 0) has oldStart = the old line it lands before.
  for (const h of patch.hunks) {
    if (h.oldLines === 0) out.push(h.oldStart);
    for (let i = 0; i < h.oldLines; i++) out.push(h.oldStart + i);
  }
  return out;
}

/** Maps a 1-based line of `before` to the line holding it (or its replacement) in `after`. */
export function lineMapper(before: string, after: string): (line: number) => number {
  const hunks = structuredPatch('a', 'b', before, after, undefined, undefined, { context: 0 }).hunks;
  return (line) => {
    let shift = 0;
    for (const h of hunks) {
      // An insertion (oldLines 0) lands before old line oldStart: that line and later ones shift.
      const oldStart = h.oldStart;
      if (line < oldStart) break;
      // Inside a changed run: same offset when the run kept its line count (re-indented
      // continuations), else the run's first line.
      if (line < oldStart + h.oldLines)
        return Math.max(1, h.newStart + (h.newLines === h.oldLines ? line - oldStart : 0));
      shift += h.newLines - h.oldLines;
    }
    return line + shift;
  };
}

/** `lineMapper`, diffing the texts on first use (most stages have no site to map). */
function lazyLineMapper(before: string, after: string): (line: number) => number {
  let map: ((line: number) => number) | undefined;
  return (line) => {
    map ??= lineMapper(before, after);
    return map(line);
  };
}

/** Checks one rewrite; returns the refusal reason or undefined when it may be kept. */
async function checkRewrite(
  codemod: LoadedCodemod,
  input: { path: string; relPath: string; project: CodemodApi['project'] },
  before: PyFile,
  after: string,
  options: CodemodOptions,
  annotate: boolean,
  checker: PythonAstChecker | null,
  parses: ParseCache,
): Promise<string | undefined> {
  if (before.hasSyntaxErrors) {
    const issues = before.syntaxIssues();
    for (const line of changedOldLines(before.text, after)) {
      const start = before.lineStart(line);
      const end = Math.max(start + 1, before.lineEnd(line));
      if (before.touchesErrorRegion(start, end)) {
        return `edits touch a syntax-error region (line ${line}; ${issues.length} error region${issues.length === 1 ? '' : 's'} in the original)`;
      }
    }
  }
  // One parse of the rewritten text serves the syntax check, the second run and the next stage
  // (the transform's own when it made one; else re-parsed around the changed span).
  const span = parses.has(after) ? undefined : { source: before.text, edits: [spanEdit(before.text, after)] };
  const afterFile = parses.get(after, span);
  // Python 3 compiles the rewrite while the second run goes on; its verdict still comes first. It
  // compiles the definitions the edits touched (the transform's own edits when it gave them), and
  // the whole file only when those do not compile.
  let outline: string | undefined;
  if (checker?.available()) {
    const hint = parses.hintOf(after);
    // The transform's own edits when its parse of the output started from its input; not the one
    // span passed above.
    const edits =
      hint !== span && hint?.source === before.text ? hint.edits : lineDiffEdits(before.text, after);
    outline = compileOutline(before, afterFile, edits);
  }
  const syntax = checkRewriteSyntax(
    { text: before.text, issues: before.syntaxIssues() },
    { text: after, issues: afterFile.syntaxIssues() },
    checker,
    outline,
  );
  let again: StageResult | undefined;
  let failed: unknown;
  try {
    again = await runTransform(codemod, { ...input, source: after }, options, annotate, parses);
  } catch (err) {
    failed = err;
  }
  const verdict = await syntax;
  if (!verdict.ok) return verdict.reason;
  if (!again)
    return `not idempotent: a second run on the rewritten file fails (${(failed as Error).message})`;
  if (again.removed !== undefined) return 'not idempotent: a second run on the rewritten file removes it';
  if (again.text !== undefined) {
    const lines = changedOldLines(after, again.text);
    return `not idempotent: a second run on the rewritten file changes it again (line ${lines[0] ?? '?'})`;
  }
  return undefined;
}

/**
 * A per-file memo over the Python 3 compile checker: in a chain, each stage's output is the next
 * stage's input, so every text is compiled once.
 */
class MemoChecker extends PythonAstChecker {
  private readonly memo = new Map<string, Promise<PythonAstResult>>();
  constructor(private readonly inner: PythonAstChecker) {
    super();
  }
  override available(): boolean {
    return this.inner.available();
  }
  override check(source: string): Promise<PythonAstResult> {
    let p = this.memo.get(source);
    if (!p) {
      p = this.inner.check(source);
      this.memo.set(source, p);
    }
    return p;
  }
  override close(): void {}
}

/**
 * Applies the codemods in order, each on the previous one's output. The file is `changed` only
 * when every rewrite passed its checks; otherwise `refused` (or `error` when a transform threw),
 * with no partial result.
 */
export async function applyCodemods(input: ApplyInput): Promise<FileOutcome> {
  await initPython();
  if (input.parses) return applyChain(input, input.parses);
  const parses = new ParseCache(input.path, input.relPath);
  try {
    return await applyChain(input, parses);
  } finally {
    parses.dispose();
  }
}

async function applyChain(input: ApplyInput, parses: ParseCache): Promise<FileOutcome> {
  const options = input.options ?? {};
  const annotate = input.annotate === true;
  const checker = input.checker === null ? null : new MemoChecker(input.checker ?? pythonAstChecker());
  const outcome = emptyOutcome(input.relPath, 'unchanged');
  let text = input.source;
  /**
   * Maps a line of the current text (a later codemod's input) to the original file's line, through
   * every earlier stage's edits: sites are reported in the file as the user has it.
   */
  let toOriginal: (line: number) => number = (line) => line;
  const original = <T extends { line: number; endLine?: number }>(site: T): T => ({
    ...site,
    line: toOriginal(site.line),
    ...(site.endLine !== undefined ? { endLine: toOriginal(site.endLine) } : {}),
  });
  /** Manual sites with their line in the current text (for --annotate). */
  const pending: { site: FileManualSite; line: number }[] = [];
  for (const codemod of input.codemods) {
    let stage: StageResult;
    try {
      stage = await runTransform(codemod, { ...input, source: text }, options, annotate, parses);
    } catch (err) {
      const e = err as Error;
      const failed = emptyOutcome(input.relPath, e instanceof EditConflictError ? 'refused' : 'error');
      failed.codemod = codemod.name;
      failed.reason =
        e instanceof EditConflictError
          ? `edits overlap: ${e.message}`
          : `codemod ${codemod.name} failed: ${e.message}`;
      return failed;
    }
    if (stage.removed !== undefined) {
      const removed = emptyOutcome(input.relPath, 'removed');
      removed.reason = stage.removed;
      removed.codemod = codemod.name;
      removed.converted = [
        ...outcome.converted,
        ...stage.converted.map((s) => ({ ...original(s), codemod: codemod.name })),
      ];
      removed.notes = [...outcome.notes, ...stage.notes.map((n) => ({ ...n, codemod: codemod.name }))];
      return removed;
    }
    // Sites of this stage are positions in its input: report them in the original file.
    const converted = stage.converted.map((s) => ({ ...original(s), codemod: codemod.name }));
    const manual = stage.manual.map((s) => ({
      site: { ...original(s), codemod: codemod.name },
      line: s.line,
    }));
    if (stage.text !== undefined) {
      const refusal = await checkRewrite(
        codemod,
        input,
        parses.get(text),
        stage.text,
        options,
        annotate,
        checker,
        parses,
      );
      if (refusal) {
        const refused = emptyOutcome(input.relPath, 'refused');
        refused.codemod = codemod.name;
        refused.reason = refusal;
        refused.manual = [
          ...outcome.manual,
          ...stage.manual.map((s) => ({ ...original(s), codemod: codemod.name })),
        ];
        return refused;
      }
      const map = lazyLineMapper(text, stage.text);
      for (const p of pending) p.line = map(p.line);
      const back = lazyLineMapper(stage.text, text);
      const earlier = toOriginal;
      toOriginal = (line) => earlier(back(line));
      // This stage's manual sites were positions in its input; annotations need the output's.
      for (const m of manual) m.line = map(m.line);
      text = stage.text;
    }
    outcome.converted.push(...converted);
    for (const m of manual) {
      outcome.manual.push(m.site);
      pending.push({ site: m.site, line: m.line });
    }
    outcome.notes.push(...stage.notes.map((n) => ({ ...n, codemod: codemod.name })));
  }
  if (annotate && pending.length) {
    const file = parses.get(text);
    const annotated = planAnnotations(
      file,
      pending.map((p) => ({ line: p.line, site: p.site })),
    );
    if (annotated.count > 0) {
      const after = parses.get(annotated.text, { source: text, edits: [spanEdit(text, annotated.text)] });
      const verdict = await checkRewriteSyntax(
        { text, issues: file.syntaxIssues() },
        { text: annotated.text, issues: after.syntaxIssues() },
        checker,
      );
      if (verdict.ok) {
        text = annotated.text;
        outcome.annotations = annotated.count;
      }
    }
  }
  if (text !== input.source) {
    outcome.status = 'changed';
    outcome.output = text;
  }
  return outcome;
}

export { lineOf };
