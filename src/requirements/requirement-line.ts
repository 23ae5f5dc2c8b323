/**
 * One requirement: PEP 508 (`name[extras] specifiers ; marker`, `name @ url ; marker`), and the pip
 * requirements-file syntax around it: comments, `\` continuations, `-r`/`-c` includes, `-e` and other
 * options.
 *
 * Names are normalized per PEP 503 (`OS.XenAPI`, `os_xenapi` → `os-xenapi`). Mapping an *import* name
 * to a distribution name is not normalization and is not done here.
 */
import { type Marker, MarkerSyntaxError, parseMarker } from './markers.js';
import { formatSpecifierSet, parseSpecifierSet, type SpecifierClause } from './specifier.js';

/** A parsed PEP 508 requirement. */
export interface Requirement {
  /** The name as written. */
  readonly name: string;
  /** PEP 503 normalized name. */
  readonly normalizedName: string;
  /** Extras as written, e.g. `['security']` for `requests[security]`. */
  readonly extras: readonly string[];
  /** Normalized specifier set (`>=0.1.1,!=0.2.0`); `''` means any version. */
  readonly specifier: string;
  readonly clauses: readonly SpecifierClause[];
  /** For `name @ url`. */
  readonly url: string | null;
  readonly marker: Marker | null;
  /** The marker text as written, trimmed. */
  readonly markerText: string | null;
}

/** Thrown by parseRequirement; `offset` is 0-based in the requirement text. */
export class RequirementSyntaxError extends SyntaxError {
  constructor(
    readonly reason: string,
    readonly text: string,
    readonly offset: number,
  ) {
    super(`${reason} (column ${offset + 1} of '${text}')`);
    this.name = 'RequirementSyntaxError';
  }
}

const NAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;

/** PEP 503 normalization: lower case, runs of `-`, `_`, `.` become one `-`. */
export function normalizeName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, '-');
}

/** Whether `name` is a valid PEP 508 distribution name. */
export function isValidName(name: string): boolean {
  const m = NAME_RE.exec(name);
  return m !== null && m[0].length === name.length;
}

/** Whether two distribution names are the same project under PEP 503. */
export function sameName(a: string, b: string): boolean {
  return normalizeName(a) === normalizeName(b);
}

/** Parse one PEP 508 requirement. Throws RequirementSyntaxError (markers: offset into the whole text). */
export function parseRequirement(text: string): Requirement {
  let i = 0;
  const fail = (reason: string, at = i): never => {
    throw new RequirementSyntaxError(reason, text, at);
  };
  const skipWs = () => {
    while (i < text.length && /\s/.test(text[i]!)) i += 1;
  };

  skipWs();
  const nameMatch = NAME_RE.exec(text.slice(i));
  if (!nameMatch) fail('expected a distribution name');
  const name = nameMatch![0];
  i += name.length;
  skipWs();

  const extras: string[] = [];
  if (text[i] === '[') {
    i += 1;
    skipWs();
    if (text[i] !== ']') {
      for (;;) {
        skipWs();
        const extra = NAME_RE.exec(text.slice(i));
        if (!extra) fail('expected an extra name');
        extras.push(extra![0]);
        i += extra![0].length;
        skipWs();
        if (text[i] === ',') {
          i += 1;
          continue;
        }
        if (text[i] === ']') break;
        fail("expected ',' or ']' in extras");
      }
    }
    i += 1;
    skipWs();
  }

  let url: string | null = null;
  let clauses: readonly SpecifierClause[] = [];
  if (text[i] === '@') {
    i += 1;
    skipWs();
    const m = /^\S+/.exec(text.slice(i));
    if (!m) fail("expected a URL after '@'");
    // The URL runs to the next whitespace: a ';' directly after it is part of the URL, so a marker
    // separator must follow whitespace (PEP 508).
    url = m![0];
    i += url.length;
    skipWs();
  } else {
    const parenthesized = text[i] === '(';
    if (parenthesized) i += 1;
    const specStart = i;
    const versionChars = /^[A-Za-z0-9_.*+!-]+/;
    for (;;) {
      skipWs();
      const op = /^(===|~=|==|!=|<=|>=|<|>)/.exec(text.slice(i));
      if (!op) {
        if (i > specStart && text.slice(specStart, i).trim() !== '') fail('expected a comparison operator');
        break;
      }
      i += op[0].length;
      skipWs();
      const version = (op[0] === '===' ? /^[^\s,;)]+/ : versionChars).exec(text.slice(i));
      if (!version) fail(`expected a version after '${op[0]}'`);
      i += version![0].length;
      skipWs();
      if (text[i] === ',') {
        i += 1;
        continue;
      }
      if (i < text.length && /[<>=!~]/.test(text[i]!)) {
        fail(
          `unexpected '${text.slice(i)}' after version '${version![0]}' (missing comma between specifiers?)`,
        );
      }
      break;
    }
    const specEnd = i;
    if (parenthesized) {
      if (text[i] !== ')') fail("expected ')' to close the version specifier");
      i += 1;
      skipWs();
    }
    const specText = text.slice(specStart, specEnd);
    const parsed = parseSpecifierSet(specText);
    if (!parsed.ok) fail(parsed.message, specStart + parsed.offset);
    else clauses = parsed.clauses;
  }

  let marker: Marker | null = null;
  let markerText: string | null = null;
  if (text[i] === ';') {
    const markerStart = i + 1;
    const raw = text.slice(markerStart);
    markerText = raw.trim();
    try {
      marker = parseMarker(raw);
    } catch (error) {
      if (error instanceof MarkerSyntaxError)
        fail(`invalid marker: ${error.reason}`, markerStart + error.offset);
      throw error;
    }
    i = text.length;
  }
  skipWs();
  if (i < text.length) {
    fail(
      `unexpected '${text.slice(i)}' after ${url ? 'URL' : clauses.length ? 'version specifier' : 'name'}`,
    );
  }

  return {
    name,
    normalizedName: normalizeName(name),
    extras,
    specifier: formatSpecifierSet(clauses),
    clauses,
    url,
    marker,
    markerText,
  };
}

export type RequirementParseResult =
  | { readonly ok: true; readonly requirement: Requirement }
  | { readonly ok: false; readonly error: RequirementSyntaxError };

export function tryParseRequirement(text: string): RequirementParseResult {
  try {
    return { ok: true, requirement: parseRequirement(text) };
  } catch (error) {
    if (error instanceof RequirementSyntaxError) return { ok: false, error };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// pip requirements-file lines

/** A logical line: physical lines joined at `\`, comment removed. */
export interface LogicalLine {
  /** 1-based number of the first physical line. */
  readonly line: number;
  /** 1-based number of the last physical line (differs from `line` after continuations). */
  readonly endLine: number;
  /** The physical lines as written, joined with `\n`. */
  readonly raw: string;
  /** The content without comment, trimmed; `''` for blank and comment lines. */
  readonly text: string;
  /** The comment text after `#` (trimmed), if any. */
  readonly comment: string | null;
}

// pip: a comment starts at a `#` at line start or after whitespace (`foo#bar` is no comment).
const COMMENT_RE = /(^|\s+)#(.*)$/;

/**
 * Split requirements-file content into logical lines like pip: a line ending in `\` continues on the
 * next (unless it is a comment line); comments start with `#` at the start or after whitespace.
 */
export function splitLogicalLines(content: string): LogicalLine[] {
  const physical = content.split(/\r\n|\n|\r/);
  if (physical.length > 0 && physical[physical.length - 1] === '') physical.pop();
  const result: LogicalLine[] = [];
  let pending: { start: number; parts: string[]; raw: string[] } | null = null;
  const emit = (start: number, end: number, joined: string, raw: string[]) => {
    const m = COMMENT_RE.exec(joined);
    const text = (m ? joined.slice(0, m.index) : joined).trim();
    result.push({ line: start, endLine: end, raw: raw.join('\n'), text, comment: m ? m[2]!.trim() : null });
  };
  physical.forEach((lineText, index) => {
    const lineNo = index + 1;
    const isComment = /^\s*#/.test(lineText);
    if (lineText.endsWith('\\') && !isComment) {
      if (!pending) pending = { start: lineNo, parts: [], raw: [] };
      pending.parts.push(lineText.slice(0, -1));
      pending.raw.push(lineText);
      return;
    }
    if (pending) {
      const p: { start: number; parts: string[]; raw: string[] } = pending;
      // pip prefixes a comment line that ends a continuation with a space so it stays a comment.
      p.parts.push(isComment ? ` ${lineText}` : lineText);
      p.raw.push(lineText);
      emit(p.start, lineNo, p.parts.join(''), p.raw);
      pending = null;
      return;
    }
    emit(lineNo, lineNo, lineText, [lineText]);
  });
  if (pending) {
    const p: { start: number; parts: string[]; raw: string[] } = pending;
    emit(p.start, physical.length, p.parts.join(''), p.raw);
  }
  return result;
}

/** An option on a requirements-file line, e.g. `--index-url https://...` or `--hash sha256:...`. */
export interface LineOption {
  /** Canonical long name without dashes (`requirement`, `constraint`, `editable`, `index-url` ...). */
  readonly name: string;
  /** The spelling used (`-r`, `--requirement`). */
  readonly spelling: string;
  readonly value: string | null;
  /** Whether pip knows this option in requirements files. */
  readonly known: boolean;
}

export type RequirementsLine =
  | { readonly kind: 'blank' }
  | {
      readonly kind: 'requirement';
      readonly requirement: Requirement;
      readonly options: readonly LineOption[];
    }
  | {
      readonly kind: 'include';
      readonly include: 'requirement' | 'constraint';
      readonly target: string;
      readonly option: LineOption;
    }
  | {
      readonly kind: 'editable';
      readonly target: string;
      /** From `#egg=name[...]` or a PEP 508 `name @ url` target, when present. */
      readonly requirement: Requirement | null;
      readonly option: LineOption;
    }
  /** A bare URL or path (`./pkg.whl`, `git+https://...#egg=name`); the requirement if `#egg=` names it. */
  | { readonly kind: 'direct'; readonly target: string; readonly requirement: Requirement | null }
  | { readonly kind: 'options'; readonly options: readonly LineOption[] }
  | { readonly kind: 'error'; readonly message: string; readonly offset: number };

interface OptionSpec {
  readonly name: string;
  readonly short?: string;
  readonly takesValue: boolean;
}

// Options pip accepts in requirements files (pip/_internal/req/req_file.py).
const OPTION_SPECS: readonly OptionSpec[] = [
  { name: 'requirement', short: 'r', takesValue: true },
  { name: 'constraint', short: 'c', takesValue: true },
  { name: 'editable', short: 'e', takesValue: true },
  { name: 'index-url', short: 'i', takesValue: true },
  { name: 'extra-index-url', takesValue: true },
  { name: 'no-index', takesValue: false },
  { name: 'find-links', short: 'f', takesValue: true },
  { name: 'no-binary', takesValue: true },
  { name: 'only-binary', takesValue: true },
  { name: 'prefer-binary', takesValue: false },
  { name: 'require-hashes', takesValue: false },
  { name: 'pre', takesValue: false },
  { name: 'trusted-host', takesValue: true },
  { name: 'use-feature', takesValue: true },
  { name: 'hash', takesValue: true },
  { name: 'global-option', takesValue: true },
  { name: 'install-option', takesValue: true },
  { name: 'config-settings', takesValue: true },
];

/** Split on whitespace honouring single and double quotes (enough of shlex for option values). */
function shellSplit(text: string): string[] {
  const words: string[] = [];
  let current: string | null = null;
  let quote: string | null = null;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current ??= '';
    } else if (/\s/.test(ch)) {
      if (current !== null) words.push(current);
      current = null;
    } else current = (current ?? '') + ch;
  }
  if (current !== null) words.push(current);
  return words;
}

function parseOptions(text: string): { options: LineOption[]; error: string | null } {
  const words = shellSplit(text);
  const options: LineOption[] = [];
  for (let k = 0; k < words.length; k += 1) {
    const word = words[k]!;
    let spec: OptionSpec | undefined;
    let spelling = word;
    let inline: string | null = null;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      spelling = eq >= 0 ? word.slice(0, eq) : word;
      inline = eq >= 0 ? word.slice(eq + 1) : null;
      spec = OPTION_SPECS.find((s) => s.name === spelling.slice(2));
    } else if (word.startsWith('-') && word.length >= 2) {
      spelling = word.slice(0, 2);
      const rest = word.slice(2);
      inline = rest === '' ? null : rest.replace(/^=/, '');
      spec = OPTION_SPECS.find((s) => s.short === word[1]);
    } else {
      return { options, error: `unexpected argument '${word}' after options` };
    }
    if (!spec) {
      // Unknown: record it, taking a following non-option word as its value.
      let value = inline;
      if (value === null && k + 1 < words.length && !words[k + 1]!.startsWith('-')) {
        value = words[k + 1]!;
        k += 1;
      }
      options.push({ name: spelling.replace(/^-+/, ''), spelling, value, known: false });
      continue;
    }
    let value: string | null = null;
    if (spec.takesValue) {
      if (inline !== null) value = inline;
      else if (k + 1 < words.length) {
        value = words[k + 1]!;
        k += 1;
      } else return { options, error: `option ${spelling} requires a value` };
    } else if (inline !== null) {
      return { options, error: `option ${spelling} takes no value` };
    }
    options.push({ name: spec.name, spelling, value, known: true });
  }
  return { options, error: null };
}

const URL_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
/** PEP 508 `name @ url` / `name[extras] @ url`. */
const NAMED_URL_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@/;

/** Whether a requirements-file argument is a URL or path rather than a PEP 508 requirement. */
function looksLikeDirectReference(arg: string): boolean {
  if (NAMED_URL_RE.test(arg)) return false;
  if (URL_RE.test(arg)) return true;
  if (/^(\.{1,2}[\\/]|[\\/]|~)/.test(arg)) return true;
  const beforeMarker = arg.split(/\s+;|;\s/)[0]!.trim();
  if (/\.(whl|tar\.gz|tar\.bz2|tgz|zip)$/i.test(beforeMarker) && !/[<>=!~]/.test(beforeMarker)) return true;
  return false;
}

/** The requirement named by a URL's `#egg=name[extras]` fragment, if any. */
function eggRequirement(target: string): Requirement | null {
  const m = /[#&]egg=([^&]+)/.exec(target);
  if (!m) return null;
  const parsed = tryParseRequirement(m[1]!);
  return parsed.ok ? parsed.requirement : null;
}

/**
 * Classify one logical line (its `text`, comment already removed). Like pip, the words before the first
 * word that starts with `-` are the requirement; the rest are options.
 */
export function parseRequirementsLine(text: string): RequirementsLine {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'blank' };
  const leading = text.length - text.trimStart().length;

  const tokens = trimmed.split(' ');
  let argCount = 0;
  while (argCount < tokens.length && !tokens[argCount]!.startsWith('-')) argCount += 1;
  const args = tokens.slice(0, argCount).join(' ').trim();
  const optionText = tokens.slice(argCount).join(' ');

  const parsedOptions = parseOptions(optionText);
  if (parsedOptions.error) {
    return { kind: 'error', message: parsedOptions.error, offset: leading + args.length };
  }
  const options = parsedOptions.options;

  if (args === '') {
    const include = options.find((o) => o.name === 'requirement' || o.name === 'constraint');
    if (include) {
      return {
        kind: 'include',
        include: include.name === 'constraint' ? 'constraint' : 'requirement',
        target: include.value ?? '',
        option: include,
      };
    }
    const editable = options.find((o) => o.name === 'editable');
    if (editable) {
      const target = editable.value ?? '';
      const named = /^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@/.test(target)
        ? tryParseRequirement(target)
        : null;
      return {
        kind: 'editable',
        target,
        requirement: named?.ok ? named.requirement : eggRequirement(target),
        option: editable,
      };
    }
    return { kind: 'options', options };
  }

  if (looksLikeDirectReference(args))
    return { kind: 'direct', target: args, requirement: eggRequirement(args) };

  const parsed = tryParseRequirement(args);
  if (!parsed.ok)
    return { kind: 'error', message: parsed.error.reason, offset: leading + parsed.error.offset };
  return { kind: 'requirement', requirement: parsed.requirement, options };
}
