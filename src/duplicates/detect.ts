/**
 * Finds the code in one Python file that duplicates os-xenapi: the whole module (a copy of a
 * client module, or of a dom0 plugin file, extension-less Python 2 plugins included), classes
 * (an in-tree `XenAPISession`), functions and methods, and helpers that wrap a dom0 plugin call
 * the way an `os_xenapi.client.*` function does. The outermost unit that matches is reported; the
 * units inside it that match the same os-xenapi module are not reported again.
 */
import { captures, type PyNode } from '../python/parser.js';
import type { PyFile } from '../python/source-file.js';
import { callArguments, literalDict, literalString } from '../python/syntax-helpers.js';
import type { FingerprintUnitKind } from '../xenapi/api-index.js';
import { normalizePluginName } from '../xenapi/rule-tables.js';
import type { FingerprintIndex, UnitMatch } from './matcher.js';
import { type DuplicatesOptions, resolveDuplicatesOptions } from './options.js';
import { type CodeUnit, codeUnits } from './units.js';

/** Units under this many tokens are trivial (mirrors the index's floor). */
const INDEX_MIN_TOKENS = 12;

export type DuplicateKind = 'module' | 'plugin' | 'class' | 'function' | 'wrapper';

export interface Duplicate {
  kind: DuplicateKind;
  /** The in-tree unit: `''` (module), `XenAPISession`, `XenAPISession.call_plugin`. */
  name: string;
  node: PyNode;
  match: UnitMatch;
  /** Wrapper findings: the plugin entry point the helper calls. */
  plugin?: { plugin: string; function: string; subcommand?: string };
}

const MODULE_KINDS = new Set<FingerprintUnitKind>(['module', 'dom0-file']);
const CLASS_KINDS = new Set<FingerprintUnitKind>(['class']);
const FUNCTION_KINDS = new Set<FingerprintUnitKind>(['function', 'method', 'dom0-function']);

/** `etc/xapi.d/plugins/<file>`: where dom0 plugins live in every project that ships them. */
export const PLUGIN_DIR_RE = /(^|\/)etc\/xapi\.d\/plugins\/[^/]+$/;

export function isTestPath(relPath: string): boolean {
  return /(^|\/)tests?\//.test(relPath) || /(^|\/)test_[^/]*\.py$/.test(relPath);
}

export function isPluginPath(relPath: string): boolean {
  return PLUGIN_DIR_RE.test(relPath);
}

/** Extension-less files under a plugins directory that are Python (shebang or content). */
export function looksLikePython(text: string): boolean {
  if (/^#!.*\bpython[0-9.]*\b/.test(text)) return true;
  return /^(import |from \S+ import |def |class )/m.test(text);
}

const PLUGIN_CALL_QUERY = `
(call
  function: (attribute attribute: (identifier) @method
    (#match? @method "^call_plugin(_serialized(_with_retry)?)?$"))
  arguments: (argument_list)) @call
`;

function bodyStatements(def: PyNode): PyNode[] {
  const body = def.childForFieldName('body');
  return (body?.namedChildren ?? []).filter(
    (s): s is PyNode =>
      !!s &&
      s.type !== 'comment' &&
      !(s.type === 'expression_statement' && s.namedChildCount === 1 && s.namedChild(0)?.type === 'string'),
  );
}

/** The literal plugin entry points a function calls through `call_plugin*`. */
export function pluginCallsIn(
  _file: PyFile,
  def: PyNode,
  hasSubcommands: (plugin: string, fn: string) => boolean,
): { plugin: string; function: string; subcommand?: string }[] {
  const out: { plugin: string; function: string; subcommand?: string }[] = [];
  for (const c of capturesOf(def)) {
    const args = callArguments(c);
    if (!args) continue;
    const plugin = literalString(args.positional[0] ?? args.keywords.get('plugin'));
    const fn = literalString(args.positional[1] ?? args.keywords.get('fn'));
    if (plugin === undefined || fn === undefined) continue;
    const name = normalizePluginName(plugin);
    let subcommand: string | undefined;
    if (hasSubcommands(name, fn)) {
      const envelope = literalDict(args.positional[2] ?? args.keywords.get('args'));
      subcommand = literalString(envelope?.find((e) => e.key === 'cmd')?.value);
    }
    out.push({ plugin: name, function: fn, ...(subcommand ? { subcommand } : {}) });
  }
  return out;
}

function capturesOf(def: PyNode): PyNode[] {
  return captures(PLUGIN_CALL_QUERY, def)
    .filter((c) => c.name === 'call')
    .map((c) => c.node);
}

export interface DetectContext {
  index: FingerprintIndex;
  options?: Partial<DuplicatesOptions>;
  /** Only whole-module and plugin-file copies (xenapi-cleanup deletes files, not functions). */
  modulesOnly?: boolean;
}

/** Every duplicate in a file, outermost first, in source order. */
export function detectDuplicates(file: PyFile, relPath: string, ctx: DetectContext): Duplicate[] {
  const opts = resolveDuplicatesOptions(ctx.options);
  const { index } = ctx;
  const units = codeUnits(file);
  const out: Duplicate[] = [];
  const inPluginDir = isPluginPath(relPath);
  // Tests stub plugin calls; a test is never a wrapper helper.
  const testFile = isTestPath(relPath);
  const moduleUnit = units[0]!;
  let moduleMatch: UnitMatch | undefined;
  if (moduleUnit.fingerprint.tokens >= opts.minTokens) {
    const threshold = Math.min(opts.thresholds.module, opts.thresholds.plugin);
    const m = index.best(moduleUnit.fingerprint, MODULE_KINDS, threshold);
    const need = m?.kind === 'dom0-file' || inPluginDir ? opts.thresholds.plugin : opts.thresholds.module;
    // A module is a copy only when it has no code of its own: every top-level class and function
    // (above the trivial size) matches the library too. Otherwise its units are reported one by one.
    // Plugin files are copies whole: os-xenapi's version supersedes every function in them.
    const own =
      m && m.kind === 'module'
        ? units
            .filter(
              (u) =>
                (u.kind === 'class' || u.kind === 'function') && u.fingerprint.tokens >= INDEX_MIN_TOKENS,
            )
            .filter(
              (u) =>
                !index.best(
                  u.fingerprint,
                  u.kind === 'class' ? CLASS_KINDS : FUNCTION_KINDS,
                  u.kind === 'class' ? opts.thresholds.class : opts.thresholds.function,
                ),
            )
            .map((u) => u.name)
        : [];
    if (m && m.score >= need && own.length === 0) {
      moduleMatch = m;
      out.push({ kind: m.kind === 'dom0-file' ? 'plugin' : 'module', name: '', node: file.root, match: m });
    }
  }
  if (ctx.modulesOnly) return out;
  const covered = (m: UnitMatch) => moduleMatch !== undefined && m.module === moduleMatch.module;
  const classMatches = new Map<string, UnitMatch>();
  const wrappers = index.index.allPluginWrappers();
  const wrapperByEntry = new Map<string, string[]>();
  for (const [qualified, w] of wrappers) {
    const key = `${w.plugin}\0${w.pluginFunction}\0${w.subcommand ?? ''}`;
    const list = wrapperByEntry.get(key) ?? [];
    list.push(qualified);
    wrapperByEntry.set(key, list);
  }
  const subcommandFns = new Set(
    [...wrappers.values()].filter((w) => w.subcommand).map((w) => `${w.plugin}\0${w.pluginFunction}`),
  );
  const hasSubcommands = (p: string, f: string) => subcommandFns.has(`${p}\0${f}`);

  for (const u of units.slice(1)) {
    const owner = u.kind === 'method' ? u.name.split('.')[0]! : undefined;
    if (u.kind === 'class') {
      if (u.fingerprint.tokens < opts.minTokens) continue;
      const m = index.best(u.fingerprint, CLASS_KINDS, opts.thresholds.class);
      if (!m) continue;
      classMatches.set(u.name, m);
      if (!covered(m)) out.push({ kind: 'class', name: u.name, node: u.definition, match: m });
      continue;
    }
    const ownerMatch = owner ? classMatches.get(owner) : undefined;
    let reported = false;
    if (u.fingerprint.tokens >= opts.minTokens) {
      const m = index.best(u.fingerprint, FUNCTION_KINDS, opts.thresholds.function);
      if (m) {
        reported = true;
        if (!covered(m) && !(ownerMatch && ownerMatch.module === m.module))
          out.push({ kind: 'function', name: u.name, node: u.definition, match: m });
      }
    }
    if (reported || testFile) continue;
    const w = wrapperOf(file, u, opts.wrapperMaxStatements, hasSubcommands, wrapperByEntry, index);
    if (w && !covered(w.match) && !(ownerMatch && ownerMatch.module === w.match.module)) out.push(w);
  }
  return out;
}

function wrapperOf(
  file: PyFile,
  u: CodeUnit,
  maxStatements: number,
  hasSubcommands: (p: string, f: string) => boolean,
  wrapperByEntry: Map<string, string[]>,
  index: FingerprintIndex,
): Duplicate | undefined {
  if (!file.slice(u.definition).includes('call_plugin')) return undefined;
  if (bodyStatements(u.definition).length > maxStatements) return undefined;
  const calls = pluginCallsIn(file, u.definition, hasSubcommands);
  if (calls.length !== 1) return undefined;
  const call = calls[0]!;
  const targets = wrapperByEntry.get(`${call.plugin}\0${call.function}\0${call.subcommand ?? ''}`);
  if (!targets?.length) return undefined;
  let best: UnitMatch | undefined;
  for (const qualified of targets) {
    const dot = qualified.lastIndexOf('.');
    const id = `${qualified.slice(0, dot)}:${qualified.slice(dot + 1)}`;
    const m = index.scoreAgainst(u.fingerprint, id);
    if (m && (!best || m.score > best.score)) best = m;
  }
  if (!best) return undefined;
  return { kind: 'wrapper', name: u.name, node: u.definition, match: best, plugin: call };
}
