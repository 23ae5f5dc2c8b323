/**
 * Helpers the three os-xenapi codemods share: binding lookups for "the local name that reaches
 * module M", adding imports at their hacking place after the body edits (one re-parse per import,
 * so several new imports never collide at one insertion point), PEP 440 maxima for the
 * "minimum os-xenapi" note, and line wrapping of generated calls the way Nova wraps them.
 */
import { compare as pepCompare } from '@renovatebot/pep440';
import type { CodemodApi } from '../codemod/types.js';
import type { ImportBinding } from '../python/bindings.js';
import { planImportInsertion, readImportBlock } from '../python/import-block.js';
import type { PyNode } from '../python/parser.js';
import type { PyFile } from '../python/source-file.js';
import { applyEdits, type TextEdit } from '../python/text-edits.js';

export interface WantedImport {
  /** `os_xenapi.client` */
  from: string;
  /** `host_network` */
  name: string;
  alias?: string;
  /** A dotted `import a.b.c [as x]` instead of a from-import: `from` holds `a.b.c`, name is ''. */
  dotted?: boolean;
}

export function importText(w: WantedImport): string {
  if (w.dotted) return `import ${w.from}${w.alias ? ` as ${w.alias}` : ''}`;
  return `from ${w.from} import ${w.name}${w.alias ? ` as ${w.alias}` : ''}`;
}

function alreadyImported(file: PyFile, w: WantedImport): boolean {
  return file.bindings.imports.some((b) => {
    if (b.scope.type !== 'module') return false;
    if (w.dotted)
      return (b.form === 'import' || b.form === 'import-as') && b.module === w.from && b.alias === w.alias;
    return b.target === `${w.from}.${w.name}` && b.local === localOf(w);
  });
}

export function localOf(w: WantedImport): string {
  return w.alias ?? w.name;
}

/** A module-level import binding whose target is exactly `target`, if any. */
export function topLevelBindingFor(file: PyFile, target: string): ImportBinding | undefined {
  return file.bindings.imports.find(
    (b) => b.target === target && b.scope.type === 'module' && b.form !== 'import',
  );
}

/**
 * The expression that reaches `target` (a module or name) at `at`: an existing binding's local
 * (`host_network`, `xenapi_session`), or `pkg.mod` through `import pkg...`; undefined when none.
 */
export function expressionFor(file: PyFile, target: string, at: PyNode): string | undefined {
  for (const b of file.bindings.imports) {
    if (b.form === 'import') {
      // `import os_xenapi.client.host_network` / `import os_xenapi`: the full dotted path works when
      // the module itself was imported somewhere (we only rely on an import of exactly it or deeper).
      if (
        (b.module === target || b.module.startsWith(`${target}.`)) &&
        resolvesTo(file, b.local, at, b.target)
      ) {
        return target;
      }
      continue;
    }
    if (b.target === target && resolvesTo(file, b.local, at, target)) return b.local;
  }
  return undefined;
}

/** True when `name` at `at` resolves to an import binding with `target`. */
export function resolvesTo(file: PyFile, name: string, at: PyNode, target: string): boolean {
  const r = file.bindings.resolve(name, at);
  return r.kind === 'import' && r.imports.every((b) => b.target === target);
}

/** True when `name` is free at every node (unbound, or already bound to `target`). */
export function nameAvailable(file: PyFile, name: string, sites: readonly PyNode[], target: string): boolean {
  for (const at of sites) {
    const r = file.bindings.resolve(name, at);
    if (r.kind === 'unbound') continue;
    if (r.kind === 'import' && r.imports.every((b) => b.target === target)) continue;
    return false;
  }
  // A module-level name bound to something else (assignment, def) also blocks a new import.
  const top = file.bindings.sitesIn(file.root, name);
  return top.every((s) => s.kind === 'import' && s.import?.target === target);
}

/**
 * Applies body edits, then adds each wanted import (unless an identical binding exists) at its
 * hacking position, re-reading the import block after each one. Returns the new text.
 */
export function applyWithImports(
  api: CodemodApi,
  text: string,
  edits: Parameters<typeof applyEdits>[1],
  imports: readonly WantedImport[],
): string {
  let out = edits.length ? applyEdits(text, edits) : text;
  /** How `out` was made from a text parsed before: its parse re-parses only around the edits. */
  let from: { source: string; edits: readonly TextEdit[] } | undefined = edits.length
    ? { source: text, edits }
    : undefined;
  const seen = new Set<string>();
  for (const w of imports) {
    const line = importText(w);
    if (seen.has(line)) continue;
    seen.add(line);
    // The runner's parse: when `out` is the result, its checks and the second run reuse it.
    const file = api.parseShared(out, from);
    if (alreadyImported(file, w)) continue;
    const projectPackages = api.project.projectPackages;
    const noBlock = readImportBlock(file, { projectPackages }).lines.length === 0;
    const ins = planImportInsertion(file, line, { projectPackages });
    const before = out;
    out = applyEdits(out, [ins.edit]);
    from = { source: before, edits: [ins.edit] };
    if (noBlock) {
      const spaced = twoBlankLinesBeforeDefinition(out, ins.edit.start + ins.edit.text.length, file.newline);
      if (spaced !== out) from = undefined;
      out = spaced;
    }
  }
  return out;
}

/** pep8 E302: a new import block followed by a top-level def/class gets two blank lines, not one. */
function twoBlankLinesBeforeDefinition(text: string, at: number, nl: string): string {
  // The import line ends somewhere before `at`; find the first non-blank line after it.
  const m = /^((?:[ \t]*\r?\n)*)/.exec(text.slice(at));
  const after = at + (m?.[1]?.length ?? 0);
  if (!/^(def |class |async def |@)/.test(text.slice(after))) return text;
  const between = text.slice(0, after).match(/(\r?\n[ \t]*)*$/)?.[0] ?? '';
  const blankLines = (between.match(/\n/g) ?? []).length - 1;
  return blankLines === 1 ? text.slice(0, after) + nl + text.slice(after) : text;
}

/** The higher of two PEP 440 versions (either may be undefined). */
export function maxVersion(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return pepCompare(a, b) >= 0 ? a : b;
}

/**
 * `callee(arg1, arg2, ...)` on one line when it fits in `limit` columns from `column` (0-based
 * start column of the call); otherwise broken after commas with continuation lines aligned one past
 * the opening parenthesis (pep8 visual indent), as Nova writes them.
 */
export function formatCall(
  callee: string,
  args: readonly string[],
  column: number,
  limit = 79,
  hangingIndent?: number,
): string {
  const flat = `${callee}(${args.join(', ')})`;
  if (column + flat.length <= limit || args.length === 0) return flat;
  const visual = packLines(`${callee}(`, args, column, ' '.repeat(column + callee.length + 1), limit);
  if (hangingIndent === undefined || visual.every((l, i) => (i === 0 ? column : 0) + l.length <= limit)) {
    return visual.join('\n');
  }
  // A visual indent too deep for the arguments: hang them under the statement, pep8 E128-clean.
  const pad = ' '.repeat(hangingIndent);
  return [
    `${callee}(`,
    ...packLines(pad, args, 0, pad, limit).map((l, i, all) => (i === all.length - 1 ? l : l)),
  ].join('\n');
}

function packLines(
  first: string,
  args: readonly string[],
  column: number,
  indent: string,
  limit: number,
): string[] {
  const lines: string[] = [];
  let cur = first;
  const fresh = () => cur === first || cur === indent;
  for (const [i, a] of args.entries()) {
    const piece = a + (i < args.length - 1 ? ',' : ')');
    const sep = fresh() ? '' : ' ';
    const startCol = lines.length === 0 ? column : 0;
    if (!fresh() && startCol + cur.length + sep.length + piece.length > limit) {
      lines.push(cur);
      cur = indent + piece;
    } else cur += sep + piece;
  }
  lines.push(cur);
  return lines;
}

/** Indentation of the statement holding a node, plus 4: where hanging continuation lines go. */
export function hangingIndentFor(file: PyFile, node: PyNode): number {
  let stmt: PyNode | null = node;
  while (
    stmt &&
    !stmt.type.endsWith('statement') &&
    stmt.parent?.type !== 'block' &&
    stmt.parent?.type !== 'module'
  ) {
    stmt = stmt.parent;
  }
  const line = file.lineText(file.position((stmt ?? node).startIndex).line);
  return (/^[ \t]*/.exec(line)?.[0].length ?? 0) + 4;
}

/** 0-based column of a node's start in the file. */
export function columnOf(file: PyFile, node: PyNode): number {
  return file.position(node.startIndex).column - 1;
}

/** True when the value of a call is used (anything but a bare expression statement). */
export function resultUsed(call: PyNode): boolean {
  let cur = call.parent;
  while (cur?.type === 'parenthesized_expression') cur = cur.parent;
  return cur?.type !== 'expression_statement';
}

/** Wraps an expression in parentheses when it is not a primary (name, attribute, call, subscript). */
export function asReceiver(node: PyNode): string {
  const primary = ['identifier', 'attribute', 'call', 'subscript', 'parenthesized_expression'];
  return primary.includes(node.type) ? node.text : `(${node.text})`;
}

/** The 1-based position fields of a manual/converted site for a node. */
export function siteOf(
  file: PyFile,
  node: PyNode,
): { line: number; column: number; endLine: number; endColumn: number } {
  const s = file.position(node.startIndex);
  const e = file.position(node.endIndex);
  return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
}
