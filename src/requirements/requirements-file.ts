/**
 * Requirements files (pip syntax) and setup.cfg requirements, read from disk or from given text (e.g.
 * the output of `git show REV:requirements.txt`), with `-r` / `-c` includes resolved relative to the
 * including file. Bad lines become diagnostics naming file and line; reading always carries on.
 *
 * Include semantics follow pip: entries of a `-c` file are constraints; inside a constraints file a
 * nested `-r` reads requirements again and a nested `-c` constraints. Each file is read once per mode,
 * so include cycles and diamonds are harmless (a cycle is reported as a warning).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { iniGet, parseIni } from './ini.js';
import { evaluateMarker, type Marker, type MarkerEnvironment } from './markers.js';
import {
  type LineOption,
  normalizeName,
  parseRequirementsLine,
  type Requirement,
  splitLogicalLines,
  tryParseRequirement,
} from './requirement-line.js';
import type { SpecifierClause } from './specifier.js';

/** Where an include was written. */
export interface IncludeSite {
  readonly file: string;
  readonly line: number;
}

/** One requirement line of a file, with its place and provenance. */
export interface RequirementEntry {
  readonly file: string;
  /** 1-based line (the first physical line of a continued line). */
  readonly line: number;
  readonly endLine: number;
  /** The line(s) as written, including any comment. */
  readonly raw: string;
  readonly name: string;
  readonly normalizedName: string;
  readonly extras: readonly string[];
  /** Normalized specifier set; `''` = any version. */
  readonly specifier: string;
  readonly clauses: readonly SpecifierClause[];
  readonly url: string | null;
  readonly marker: Marker | null;
  readonly markerText: string | null;
  /** Read through `-c` (pip constraint semantics). */
  readonly constraint: boolean;
  readonly editable: boolean;
  /** setup.cfg: the extra this requirement belongs to (`[extras]` / `[options.extras_require]`). */
  readonly extra: string | null;
  /** Per-requirement options (`--hash` ...). */
  readonly options: readonly LineOption[];
  readonly comment: string | null;
  /** The chain of includes that led here, outermost first; empty for the root file. */
  readonly includedFrom: readonly IncludeSite[];
}

export type DiagnosticCode =
  | 'syntax'
  | 'missing-file'
  | 'missing-include'
  | 'include-cycle'
  | 'remote-include'
  | 'unnamed-requirement'
  | 'unknown-option'
  | 'ini';

export interface RequirementsDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly code: DiagnosticCode;
  readonly file: string;
  /** 1-based; 0 when the problem concerns the file as a whole. */
  readonly line: number;
  /** 1-based column in the (joined) line, when known. */
  readonly column: number | null;
  readonly raw: string | null;
  readonly message: string;
}

export interface IncludeRecord extends IncludeSite {
  readonly type: 'requirement' | 'constraint';
  /** As written after `-r` / `-c`. */
  readonly target: string;
  /** The path it was resolved to (relative targets are joined to the including file's directory). */
  readonly resolved: string;
  readonly status: 'read' | 'already-read' | 'cycle' | 'missing' | 'remote';
}

/** A line that is not a requirement: global options (`--index-url`), bare URLs/paths, editables. */
export interface OptionRecord extends IncludeSite {
  readonly raw: string;
  readonly options: readonly LineOption[];
  /** For `-e target` and bare URL/path lines. */
  readonly target: string | null;
}

export interface RequirementsSet {
  /** The root file. */
  readonly file: string;
  readonly entries: readonly RequirementEntry[];
  readonly includes: readonly IncludeRecord[];
  readonly options: readonly OptionRecord[];
  readonly diagnostics: readonly RequirementsDiagnostic[];
  /** Every file read, root first. */
  readonly files: readonly string[];
}

/** Returns a file's text, or undefined if it does not exist. */
export type FileReader = (file: string) => string | undefined;

export interface ReadOptions {
  /** How to read the root (if not given as text) and included files. Default: the file system. */
  readonly reader?: FileReader;
  /** Treat the root file as a constraints file. */
  readonly constraint?: boolean;
}

/** Reads from disk; undefined for a missing file (other I/O errors are thrown). */
export const diskReader: FileReader = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/**
 * Reads repository-relative paths as of a revision: `git -C repo show REV:path`. Missing paths (and
 * unknown revisions) give undefined.
 */
export function gitReader(repo: string, rev: string): FileReader {
  return (file) => {
    const rel = path.posix.normalize(file.split(path.sep).join('/')).replace(/^\.\//, '');
    try {
      return execFileSync('git', ['-C', repo, 'show', `${rev}:${rel}`], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch {
      return undefined;
    }
  };
}

const REMOTE_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

function resolveInclude(from: string, target: string): string {
  if (path.isAbsolute(target)) return path.normalize(target);
  return path.join(path.dirname(from), target);
}

class Collector {
  readonly entries: RequirementEntry[] = [];
  readonly includes: IncludeRecord[] = [];
  readonly options: OptionRecord[] = [];
  readonly diagnostics: RequirementsDiagnostic[] = [];
  readonly files: string[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly reader: FileReader) {}

  result(file: string): RequirementsSet {
    return {
      file,
      entries: this.entries,
      includes: this.includes,
      options: this.options,
      diagnostics: this.diagnostics,
      files: this.files,
    };
  }

  readText(file: string, text: string, constraint: boolean, stack: readonly IncludeSite[], active: string[]) {
    const key = `${constraint ? 'c' : 'r'}:${path.normalize(file)}`;
    this.seen.add(key);
    if (!this.files.includes(file)) this.files.push(file);
    active.push(path.normalize(file));
    for (const logical of splitLogicalLines(text)) {
      const site = { file, line: logical.line };
      const parsed = parseRequirementsLine(logical.text);
      const diag = (
        severity: 'error' | 'warning',
        code: DiagnosticCode,
        message: string,
        offset: number | null = null,
      ) => {
        const indent = logical.raw.length - logical.raw.trimStart().length;
        const column = offset === null ? null : indent + offset + 1;
        const where = column === null ? '' : `:${column}`;
        this.diagnostics.push({
          severity,
          code,
          file,
          line: logical.line,
          column,
          raw: logical.raw,
          message: `${file}:${logical.line}${where}: ${message}`,
        });
      };
      switch (parsed.kind) {
        case 'blank':
          break;
        case 'error':
          diag('error', 'syntax', `${parsed.message}: '${logical.text}'`, parsed.offset);
          break;
        case 'requirement':
          this.entries.push(
            entryFor(parsed.requirement, logical, file, constraint, false, null, parsed.options, stack),
          );
          this.warnUnknown(parsed.options, diag);
          break;
        case 'editable':
        case 'direct': {
          this.options.push({
            ...site,
            raw: logical.raw,
            options: parsed.kind === 'editable' ? [parsed.option] : [],
            target: parsed.target,
          });
          if (parsed.requirement) {
            this.entries.push(
              entryFor(
                parsed.requirement,
                logical,
                file,
                constraint,
                parsed.kind === 'editable',
                null,
                [],
                stack,
              ),
            );
          } else {
            diag('warning', 'unnamed-requirement', `cannot tell the project name of '${parsed.target}'`);
          }
          break;
        }
        case 'options':
          this.options.push({ ...site, raw: logical.raw, options: parsed.options, target: null });
          this.warnUnknown(parsed.options, diag);
          break;
        case 'include': {
          const nestedConstraint = parsed.include === 'constraint';
          const record = (resolved: string, status: IncludeRecord['status']) =>
            this.includes.push({ ...site, type: parsed.include, target: parsed.target, resolved, status });
          const flag = parsed.option.spelling;
          if (REMOTE_RE.test(parsed.target)) {
            record(parsed.target, 'remote');
            diag('warning', 'remote-include', `${flag} ${parsed.target} is a URL; it is not fetched`);
            break;
          }
          const resolved = resolveInclude(file, parsed.target);
          const normalized = path.normalize(resolved);
          if (active.includes(normalized)) {
            record(resolved, 'cycle');
            diag('warning', 'include-cycle', `include cycle: ${[...active, normalized].join(' -> ')}`);
            break;
          }
          if (this.seen.has(`${nestedConstraint ? 'c' : 'r'}:${normalized}`)) {
            record(resolved, 'already-read');
            break;
          }
          const content = this.reader(resolved);
          if (content === undefined) {
            record(resolved, 'missing');
            diag('error', 'missing-include', `${flag} ${parsed.target}: file not found (${resolved})`);
            break;
          }
          record(resolved, 'read');
          this.readText(resolved, content, nestedConstraint, [...stack, site], active);
          break;
        }
      }
    }
    active.pop();
  }

  private warnUnknown(
    options: readonly LineOption[],
    diag: (severity: 'warning', code: DiagnosticCode, message: string) => void,
  ) {
    for (const o of options) {
      if (!o.known) diag('warning', 'unknown-option', `unknown option ${o.spelling} (recorded, ignored)`);
    }
  }
}

function entryFor(
  requirement: Requirement,
  logical: { line: number; endLine: number; raw: string; comment: string | null },
  file: string,
  constraint: boolean,
  editable: boolean,
  extra: string | null,
  options: readonly LineOption[],
  includedFrom: readonly IncludeSite[],
): RequirementEntry {
  return {
    file,
    line: logical.line,
    endLine: logical.endLine,
    raw: logical.raw,
    name: requirement.name,
    normalizedName: requirement.normalizedName,
    extras: requirement.extras,
    specifier: requirement.specifier,
    clauses: requirement.clauses,
    url: requirement.url,
    marker: requirement.marker,
    markerText: requirement.markerText,
    constraint,
    editable,
    extra,
    options,
    comment: logical.comment,
    includedFrom,
  };
}

/**
 * Parse requirements-file text. `file` names it in diagnostics and anchors relative includes, which
 * are read with `options.reader` (default: disk).
 */
export function parseRequirementsText(
  text: string,
  file: string,
  options: ReadOptions = {},
): RequirementsSet {
  const collector = new Collector(options.reader ?? diskReader);
  collector.readText(file, text, options.constraint ?? false, [], []);
  return collector.result(file);
}

/** The result of reading a file that does not exist: no entries, one `missing-file` error. */
function missingFileSet(file: string): RequirementsSet {
  return {
    file,
    entries: [],
    includes: [],
    options: [],
    files: [],
    diagnostics: [
      {
        severity: 'error',
        code: 'missing-file',
        file,
        line: 0,
        column: null,
        raw: null,
        message: `${file}: file not found`,
      },
    ],
  };
}

/** Read a requirements file and its includes. A missing root file gives a `missing-file` error. */
export function readRequirementsFile(file: string, options: ReadOptions = {}): RequirementsSet {
  const reader = options.reader ?? diskReader;
  const text = reader(file);
  if (text === undefined) {
    return missingFileSet(file);
  }
  return parseRequirementsText(text, file, { ...options, reader });
}

// ---------------------------------------------------------------------------------------------------
// setup.cfg

/**
 * Requirements from setup.cfg text: `[options] install_requires` (one requirement per line of the
 * multi-line value, `#` lines skipped; a single-line value is one requirement), and extras from pbr's
 * `[extras]` and setuptools' `[options.extras_require]` (entries carry `extra`). Each entry's line is the
 * setup.cfg line it is written on. A ` # comment` after a requirement is removed.
 */
export function parseSetupCfg(text: string, file: string): RequirementsSet {
  const doc = parseIni(text);
  const entries: RequirementEntry[] = [];
  const diagnostics: RequirementsDiagnostic[] = [];
  for (const problem of doc.problems) {
    diagnostics.push({
      severity: 'error',
      code: 'ini',
      file,
      line: problem.line,
      column: null,
      raw: null,
      message: `${file}:${problem.line}: ${problem.message}`,
    });
  }
  const collect = (section: string, key: string, extra: string | null) => {
    const entry = iniGet(doc, section, key);
    if (!entry) return;
    for (const valueLine of entry.lines) {
      for (const logical of splitLogicalLines(valueLine.text)) {
        if (logical.text === '') continue;
        const lineInfo = {
          line: valueLine.line,
          endLine: valueLine.line,
          raw: valueLine.text,
          comment: logical.comment,
        };
        if (logical.text.startsWith('file:')) {
          diagnostics.push({
            severity: 'warning',
            code: 'syntax',
            file,
            line: valueLine.line,
            column: null,
            raw: valueLine.text,
            message: `${file}:${valueLine.line}: '${logical.text}' (file: directive) is not followed`,
          });
          continue;
        }
        const parsed = tryParseRequirement(logical.text);
        if (!parsed.ok) {
          diagnostics.push({
            severity: 'error',
            code: 'syntax',
            file,
            line: valueLine.line,
            column: parsed.error.offset + 1,
            raw: valueLine.text,
            message: `${file}:${valueLine.line}:${parsed.error.offset + 1}: ${parsed.error.reason}: '${logical.text}'`,
          });
          continue;
        }
        entries.push(entryFor(parsed.requirement, lineInfo, file, false, false, extra, [], []));
      }
    }
  };
  collect('options', 'install_requires', null);
  for (const sectionName of ['extras', 'options.extras_require']) {
    const section = doc.sections.get(sectionName);
    if (!section) continue;
    for (const key of section.entries.keys()) collect(sectionName, key, key);
  }
  return { file, entries, includes: [], options: [], diagnostics, files: [file] };
}

/** Read setup.cfg from disk (or through `reader`); a missing file gives a `missing-file` error. */
export function readSetupCfg(file: string, reader: FileReader = diskReader): RequirementsSet {
  const text = reader(file);
  if (text === undefined) {
    return missingFileSet(file);
  }
  return parseSetupCfg(text, file);
}

// ---------------------------------------------------------------------------------------------------
// Lookups

export interface LookupOptions {
  /** `requirements`: only entries not read through `-c`; `constraints`: only those; default both. */
  readonly kind?: 'all' | 'requirements' | 'constraints';
  /** setup.cfg: `null` = install_requires only, a name = that extra only; default: all entries. */
  readonly extra?: string | null;
}

type EntrySource = RequirementsSet | readonly RequirementEntry[];

function entriesOf(source: EntrySource): readonly RequirementEntry[] {
  return Array.isArray(source) ? source : (source as RequirementsSet).entries;
}

/** Every line for a name (PEP 503 comparison), in file order: a name may appear on several lines. */
export function findRequirements(
  source: EntrySource,
  name: string,
  options: LookupOptions = {},
): RequirementEntry[] {
  const wanted = normalizeName(name);
  const kind = options.kind ?? 'all';
  return entriesOf(source).filter(
    (e) =>
      e.normalizedName === wanted &&
      (kind === 'all' || (kind === 'constraints') === e.constraint) &&
      (options.extra === undefined || e.extra === options.extra),
  );
}

/** Whether an entry's marker holds in `env` (no marker: always). */
export function entryApplies(
  entry: Pick<RequirementEntry, 'marker'>,
  env: Partial<MarkerEnvironment> = {},
): boolean {
  return entry.marker === null || evaluateMarker(entry.marker, env);
}

/** The lines for a name whose markers hold in `env` (defaults: see DEFAULT_ENVIRONMENT). */
export function findApplicableRequirements(
  source: EntrySource,
  name: string,
  env: Partial<MarkerEnvironment> = {},
  options: LookupOptions = {},
): RequirementEntry[] {
  return findRequirements(source, name, options).filter((e) => entryApplies(e, env));
}

/** Errors only (diagnostics of severity `error`). */
export function requirementErrors(set: RequirementsSet): RequirementsDiagnostic[] {
  return set.diagnostics.filter((d) => d.severity === 'error');
}
