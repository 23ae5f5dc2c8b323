/**
 * PEP 508 environment markers: parser, evaluator and formatter.
 *
 * Grammar: `marker_or := marker_and ('or' marker_and)*`, `marker_and := marker_expr ('and' marker_expr)*`,
 * `marker_expr := value op value | '(' marker_or ')'`, where a value is a variable or a single- or
 * double-quoted string (no escapes) and op is one of `< <= != == >= > ~= === in not in`.
 *
 * Evaluation: for the version-like variables (python_version, python_full_version,
 * implementation_version, platform_release) comparisons use PEP 440 when both sides are versions (so
 * `'3.9' < '3.10'`); otherwise, and for every other variable, Python string comparison. `in` / `not in`
 * are substring tests (`python_version in '2.6 2.7'`). `===` is string equality. `extra` is compared
 * after PEP 503 normalisation of both sides.
 */
import { compareVersions, parseVersion, specifierContains } from './specifier.js';

export const MARKER_VARIABLES = [
  'python_version',
  'python_full_version',
  'os_name',
  'sys_platform',
  'platform_release',
  'platform_system',
  'platform_version',
  'platform_machine',
  'platform_python_implementation',
  'implementation_name',
  'implementation_version',
  'extra',
] as const;

export type MarkerVariable = (typeof MARKER_VARIABLES)[number];

/** Legacy spellings accepted by `packaging` (PEP 345 / setuptools), mapped to PEP 508 names. */
const ALIASES: Readonly<Record<string, MarkerVariable>> = {
  'os.name': 'os_name',
  'sys.platform': 'sys_platform',
  'platform.version': 'platform_version',
  'platform.machine': 'platform_machine',
  'platform.python_implementation': 'platform_python_implementation',
  python_implementation: 'platform_python_implementation',
};

const VERSION_VARIABLES: ReadonlySet<MarkerVariable> = new Set([
  'python_version',
  'python_full_version',
  'implementation_version',
  'platform_release',
]);

export type MarkerOperator = '===' | '==' | '!=' | '~=' | '<=' | '>=' | '<' | '>' | 'in' | 'not in';

export type MarkerValue =
  | { readonly type: 'variable'; readonly name: MarkerVariable }
  | { readonly type: 'string'; readonly value: string };

export type Marker =
  | {
      readonly type: 'compare';
      readonly left: MarkerValue;
      readonly op: MarkerOperator;
      readonly right: MarkerValue;
    }
  | { readonly type: 'and'; readonly items: readonly Marker[] }
  | { readonly type: 'or'; readonly items: readonly Marker[] };

export type MarkerEnvironment = Record<MarkerVariable, string>;

/** Thrown for a marker that does not follow PEP 508; `offset` is 0-based in the marker text. */
export class MarkerSyntaxError extends SyntaxError {
  constructor(
    readonly reason: string,
    readonly marker: string,
    readonly offset: number,
  ) {
    super(`${reason} at column ${offset + 1} of marker '${marker}'`);
    this.name = 'MarkerSyntaxError';
  }
}

/** Thrown when a comparison cannot be evaluated (`~=` on something that is not a version). */
export class MarkerEvaluationError extends Error {
  override name = 'MarkerEvaluationError';
}

export interface PythonEnvironmentOptions {
  /** `X.Y` or `X.Y.Z`; python_version is `X.Y`, python_full_version gets `.0` if needed. */
  readonly python?: string;
  readonly platform?: 'linux' | 'win32' | 'darwin';
  readonly machine?: string;
  /** Overrides for any variable. */
  readonly overrides?: Partial<MarkerEnvironment>;
}

/** A CPython environment on the given platform (default: CPython 3.8 on x86_64 Linux). */
export function pythonEnvironment(options: PythonEnvironmentOptions = {}): MarkerEnvironment {
  const python = options.python ?? '3.8.10';
  const parts = python.split('.');
  const full = parts.length >= 3 ? python : `${parts[0]}.${parts[1] ?? '0'}.0`;
  const platform = options.platform ?? 'linux';
  const byPlatform = {
    linux: { os_name: 'posix', platform_system: 'Linux' },
    darwin: { os_name: 'posix', platform_system: 'Darwin' },
    win32: { os_name: 'nt', platform_system: 'Windows' },
  }[platform];
  return {
    python_version: `${parts[0]}.${parts[1] ?? '0'}`,
    python_full_version: full,
    os_name: byPlatform.os_name,
    sys_platform: platform,
    platform_release: '',
    platform_system: byPlatform.platform_system,
    platform_version: '',
    platform_machine: options.machine ?? (platform === 'win32' ? 'AMD64' : 'x86_64'),
    platform_python_implementation: 'CPython',
    implementation_name: 'cpython',
    implementation_version: full,
    extra: '',
    ...options.overrides,
  };
}

/** CPython 3.8.10 on x86_64 Linux, no extra. */
export const DEFAULT_ENVIRONMENT: Readonly<MarkerEnvironment> = Object.freeze(pythonEnvironment());

// ---------------------------------------------------------------------------------------------------
// Tokenizer and parser

type Token =
  | { kind: 'lparen' | 'rparen' | 'and' | 'or' | 'end'; offset: number }
  | { kind: 'op'; op: MarkerOperator; offset: number }
  | { kind: 'string'; value: string; offset: number }
  | { kind: 'variable'; name: MarkerVariable; offset: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch === '(' ? 'lparen' : 'rparen', offset: i });
      i += 1;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const close = text.indexOf(ch, i + 1);
      if (close < 0) throw new MarkerSyntaxError('unterminated string', text, i);
      tokens.push({ kind: 'string', value: text.slice(i + 1, close), offset: i });
      i = close + 1;
      continue;
    }
    const op = (['===', '==', '!=', '~=', '<=', '>=', '<', '>'] as const).find((o) => text.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', op, offset: i });
      i += op.length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (word) {
      const w = word[0];
      if (w === 'and' || w === 'or') tokens.push({ kind: w, offset: i });
      else if (w === 'in') tokens.push({ kind: 'op', op: 'in', offset: i });
      else if (w === 'not') {
        const after = /^not\s+in(?![A-Za-z0-9_.])/.exec(text.slice(i));
        if (!after) throw new MarkerSyntaxError("expected 'in' after 'not'", text, i);
        tokens.push({ kind: 'op', op: 'not in', offset: i });
        i += after[0].length;
        continue;
      } else {
        const name = (MARKER_VARIABLES as readonly string[]).includes(w) ? (w as MarkerVariable) : ALIASES[w];
        if (!name) throw new MarkerSyntaxError(`unknown marker variable '${w}'`, text, i);
        tokens.push({ kind: 'variable', name, offset: i });
      }
      i += w.length;
      continue;
    }
    throw new MarkerSyntaxError(`unexpected character '${ch}'`, text, i);
  }
  tokens.push({ kind: 'end', offset: text.length });
  return tokens;
}

/** Parse a marker expression (the text after `;`). Throws MarkerSyntaxError. */
export function parseMarker(text: string): Marker {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const describe = (t: Token) =>
    t.kind === 'end' ? 'end of marker' : `'${text.slice(t.offset).split(/\s/)[0]}'`;

  const parseOr = (): Marker => {
    const items = [parseAnd()];
    while (peek().kind === 'or') {
      pos += 1;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0]! : { type: 'or', items };
  };
  const parseAnd = (): Marker => {
    const items = [parseAtom()];
    while (peek().kind === 'and') {
      pos += 1;
      items.push(parseAtom());
    }
    return items.length === 1 ? items[0]! : { type: 'and', items };
  };
  const parseValue = (): MarkerValue => {
    const t = peek();
    if (t.kind === 'string') {
      pos += 1;
      return { type: 'string', value: t.value };
    }
    if (t.kind === 'variable') {
      pos += 1;
      return { type: 'variable', name: t.name };
    }
    throw new MarkerSyntaxError(
      `expected a marker variable or quoted string, found ${describe(t)}`,
      text,
      t.offset,
    );
  };
  const parseAtom = (): Marker => {
    const t = peek();
    if (t.kind === 'lparen') {
      pos += 1;
      const inner = parseOr();
      const close = peek();
      if (close.kind !== 'rparen') {
        throw new MarkerSyntaxError(`expected ')', found ${describe(close)}`, text, close.offset);
      }
      pos += 1;
      return inner;
    }
    const left = parseValue();
    const opToken = peek();
    if (opToken.kind !== 'op') {
      throw new MarkerSyntaxError(
        `expected a comparison operator, found ${describe(opToken)}`,
        text,
        opToken.offset,
      );
    }
    pos += 1;
    const right = parseValue();
    return { type: 'compare', left, op: opToken.op, right };
  };

  if (peek().kind === 'end') throw new MarkerSyntaxError('empty marker', text, 0);
  const marker = parseOr();
  const rest = peek();
  if (rest.kind !== 'end') {
    throw new MarkerSyntaxError(
      `expected 'and', 'or' or end of marker, found ${describe(rest)}`,
      text,
      rest.offset,
    );
  }
  return marker;
}

export type MarkerParseResult =
  | { readonly ok: true; readonly marker: Marker }
  | { readonly ok: false; readonly error: MarkerSyntaxError };

export function tryParseMarker(text: string): MarkerParseResult {
  try {
    return { ok: true, marker: parseMarker(text) };
  } catch (error) {
    if (error instanceof MarkerSyntaxError) return { ok: false, error };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// Evaluation

function normalizeExtra(value: string): string {
  return value.toLowerCase().replace(/[-_.]+/g, '-');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function evaluateCompare(
  left: MarkerValue,
  op: MarkerOperator,
  right: MarkerValue,
  env: Readonly<MarkerEnvironment>,
): boolean {
  const variable = left.type === 'variable' ? left.name : right.type === 'variable' ? right.name : null;
  const resolve = (v: MarkerValue) => {
    const raw = v.type === 'variable' ? env[v.name] : v.value;
    return variable === 'extra' ? normalizeExtra(raw) : raw;
  };
  const lhs = resolve(left);
  const rhs = resolve(right);
  if (op === 'in') return rhs.includes(lhs);
  if (op === 'not in') return !rhs.includes(lhs);
  if (op === '===') return lhs === rhs;

  const versions =
    variable !== null &&
    VERSION_VARIABLES.has(variable) &&
    parseVersion(lhs) !== null &&
    parseVersion(rhs) !== null;
  if (op === '~=') {
    if (!versions)
      throw new MarkerEvaluationError(`cannot evaluate '${lhs}' ~= '${rhs}': not PEP 440 versions`);
    try {
      return specifierContains(`~=${rhs}`, lhs, { prereleases: true });
    } catch {
      throw new MarkerEvaluationError(`cannot evaluate '${lhs}' ~= '${rhs}'`);
    }
  }
  const order = versions ? compareVersions(lhs, rhs) : compareStrings(lhs, rhs);
  switch (op) {
    case '==':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

/** Resolve a partial environment against DEFAULT_ENVIRONMENT. */
export function resolveEnvironment(env: Partial<MarkerEnvironment> = {}): MarkerEnvironment {
  return { ...DEFAULT_ENVIRONMENT, ...env };
}

/**
 * Evaluate a marker (parsed or text) in an environment; missing variables come from
 * DEFAULT_ENVIRONMENT. Throws MarkerSyntaxError for bad text, MarkerEvaluationError for `~=` on
 * non-versions.
 */
export function evaluateMarker(marker: Marker | string, env: Partial<MarkerEnvironment> = {}): boolean {
  const tree = typeof marker === 'string' ? parseMarker(marker) : marker;
  const full = resolveEnvironment(env);
  const walk = (m: Marker): boolean => {
    switch (m.type) {
      case 'and':
        return m.items.every(walk);
      case 'or':
        return m.items.some(walk);
      case 'compare':
        return evaluateCompare(m.left, m.op, m.right, full);
    }
  };
  return walk(tree);
}

// ---------------------------------------------------------------------------------------------------
// Formatting and inspection

function formatValue(v: MarkerValue): string {
  if (v.type === 'variable') return v.name;
  return v.value.includes('"') ? `'${v.value}'` : `"${v.value}"`;
}

/** Canonical text: `python_version == "2.7" or (...)`, double quotes, single spaces. */
export function formatMarker(marker: Marker): string {
  const walk = (m: Marker, parent: 'and' | 'or' | null): string => {
    switch (m.type) {
      case 'compare':
        return `${formatValue(m.left)} ${m.op} ${formatValue(m.right)}`;
      case 'and':
      case 'or': {
        const text = m.items.map((item) => walk(item, m.type)).join(` ${m.type} `);
        return parent !== null ? `(${text})` : text;
      }
    }
  };
  return walk(marker, null);
}

/** The variables a marker refers to. */
export function markerVariables(marker: Marker): Set<MarkerVariable> {
  const found = new Set<MarkerVariable>();
  const walk = (m: Marker): void => {
    if (m.type === 'compare') {
      for (const v of [m.left, m.right]) if (v.type === 'variable') found.add(v.name);
    } else m.items.forEach(walk);
  };
  walk(marker);
  return found;
}
