/**
 * The module's import block as OpenStack's hacking rules see it: groups separated by blank lines,
 * in the order `__future__`, standard library, third party, project, each sorted alphabetically by
 * the lower-cased dotted path (H306: `from x import y` compares as `x.y`). Plans the text edits that
 * add an import at the right place in the right group, or remove one (dropping a group left empty).
 */
import type { PyNode } from './parser.js';
import type { PyFile } from './source-file.js';
import { STDLIB_MODULES } from './stdlib-modules.js';
import type { TextEdit } from './text-edits.js';

export type ImportGroupKind = 'future' | 'stdlib' | 'third-party' | 'project';

const GROUP_ORDER: Record<ImportGroupKind, number> = { future: 0, stdlib: 1, 'third-party': 2, project: 3 };

export interface ImportBlockOptions {
  /** Top-level packages of the project (`nova`). Relative imports always count as project. */
  projectPackages?: readonly string[];
}

export interface ImportLine {
  /** The import statement, or a top-level `try:` made only of imports. */
  stmt: PyNode;
  group: ImportGroupKind;
  /** hacking's H306 key: lower-cased `x.y` for `from x import y`, `x` for `import x`. */
  sortKey: string;
  startLine: number;
  endLine: number;
  /** Modules the line imports from (for `from x import y`: x). */
  modules: string[];
}

export interface ImportRun {
  group: ImportGroupKind;
  lines: ImportLine[];
}

export interface ImportBlock {
  lines: ImportLine[];
  /** Runs of import lines with no blank line between them. */
  runs: ImportRun[];
}

export function classifyModule(module: string, opts: ImportBlockOptions = {}): ImportGroupKind {
  if (module.startsWith('.')) return 'project';
  const top = module.split('.')[0]!;
  if (top === '__future__') return 'future';
  if ((opts.projectPackages ?? ['nova']).includes(top)) return 'project';
  if (STDLIB_MODULES.has(top)) return 'stdlib';
  return 'third-party';
}

/** hacking's `import_normalize` followed by `.lower()`, reduced to the compared token. */
export function importSortKey(statementText: string): string {
  const text = statementText.replace(/\s+/g, ' ').replace(/[()]/g, '').trim();
  const from = /^from (\S+) import (\S+)/.exec(text);
  if (from) return `${from[1]}.${from[2]!.replace(/,$/, '')}`.toLowerCase();
  const imp = /^import (\S+)/.exec(text);
  if (imp) return imp[1]!.replace(/,$/, '').toLowerCase();
  return text.toLowerCase();
}

function statementModules(stmt: PyNode): string[] {
  if (stmt.type === 'import_statement') {
    return stmt.childrenForFieldName('name').map((n) => {
      const dn = n?.type === 'aliased_import' ? n.childForFieldName('name') : n;
      return dn?.text ?? '';
    });
  }
  if (stmt.type === 'import_from_statement' || stmt.type === 'future_import_statement') {
    const m = stmt.childForFieldName('module_name');
    return [stmt.type === 'future_import_statement' ? '__future__' : (m?.text ?? '')];
  }
  return [];
}

function isImportLike(stmt: PyNode): boolean {
  if (
    stmt.type === 'import_statement' ||
    stmt.type === 'import_from_statement' ||
    stmt.type === 'future_import_statement'
  ) {
    return true;
  }
  if (stmt.type === 'try_statement') {
    const body = stmt.childForFieldName('body');
    return !!body && body.namedChildren.every((c) => !c || c.type === 'comment' || isImportLike(c));
  }
  return false;
}

function firstImportOf(stmt: PyNode): PyNode {
  if (stmt.type !== 'try_statement') return stmt;
  const body = stmt.childForFieldName('body');
  return body?.namedChildren.find((c) => c && c.type !== 'comment') ?? stmt;
}

/** Reads the module-level import block (the first run of top-level imports, blank lines and comments). */
export function readImportBlock(file: PyFile, opts: ImportBlockOptions = {}): ImportBlock {
  const lines: ImportLine[] = [];
  let started = false;
  for (const stmt of file.root.namedChildren) {
    if (!stmt) continue;
    if (stmt.type === 'comment') continue;
    if (isImportLike(stmt)) {
      started = true;
      const first = firstImportOf(stmt);
      const modules = statementModules(first);
      const group =
        first.type === 'future_import_statement' ? 'future' : classifyModule(modules[0] ?? '', opts);
      lines.push({
        stmt,
        group,
        sortKey: importSortKey(file.slice(first)),
        startLine: file.position(stmt.startIndex).line,
        endLine: file.position(stmt.endIndex - 1).line,
        modules,
      });
      continue;
    }
    if (!started) {
      // Docstring and other leading statements before the imports are allowed.
      if (stmt.type === 'expression_statement' && stmt.namedChild(0)?.type === 'string') continue;
      // Anything else before the first import ends the search: the block starts later, if at all.
      continue;
    }
    break;
  }
  const runs: ImportRun[] = [];
  for (const line of lines) {
    const prev = runs[runs.length - 1];
    const last = prev?.lines[prev.lines.length - 1];
    if (prev && last && !hasBlankLineBetween(file, last.endLine, line.startLine)) prev.lines.push(line);
    else runs.push({ group: line.group, lines: [line] });
  }
  for (const run of runs) run.group = majorityGroup(run.lines);
  return { lines, runs };
}

function majorityGroup(lines: ImportLine[]): ImportGroupKind {
  const counts = new Map<ImportGroupKind, number>();
  for (const l of lines) counts.set(l.group, (counts.get(l.group) ?? 0) + 1);
  let best: ImportGroupKind = lines[0]!.group;
  for (const [g, c] of counts) if (c > (counts.get(best) ?? 0)) best = g;
  return best;
}

function hasBlankLineBetween(file: PyFile, endLine: number, startLine: number): boolean {
  for (let l = endLine + 1; l < startLine; l++) if (file.lineText(l).trim() === '') return true;
  return false;
}

export interface ImportInsertion {
  edit: TextEdit;
  group: ImportGroupKind;
  /** 1-based line the new import will occupy in the rewritten file. */
  line: number;
}

/**
 * Plans the insertion of one import statement (`from os_xenapi.client import session`) at its
 * hacking position: inside the run of its group, before the first line whose key sorts after it;
 * or as a new group, separated by blank lines, between the groups that precede and follow it.
 */
export function planImportInsertion(
  file: PyFile,
  importText: string,
  opts: ImportBlockOptions & { block?: ImportBlock } = {},
): ImportInsertion {
  const nl = file.newline;
  const block = opts.block ?? readImportBlock(file, opts);
  const module = statementModulesFromText(importText);
  const group = module === '__future__' ? 'future' : classifyModule(module, opts);
  const key = importSortKey(importText);
  const run = block.runs.find((r) => r.group === group);
  if (run) {
    const before = run.lines.find((l) => l.sortKey > key);
    if (before) {
      const at = file.lineStart(before.startLine);
      return {
        edit: { start: at, end: at, text: importText + nl, label: 'add import' },
        group,
        line: before.startLine,
      };
    }
    const last = run.lines[run.lines.length - 1]!;
    const at = lineEndWithNewline(file, last.endLine);
    return {
      edit: { start: at, end: at, text: importText + nl, label: 'add import' },
      group,
      line: last.endLine + 1,
    };
  }
  const order = GROUP_ORDER[group];
  const preceding = [...block.runs].reverse().find((r) => GROUP_ORDER[r.group] < order);
  if (preceding) {
    const last = preceding.lines[preceding.lines.length - 1]!;
    const at = lineEndWithNewline(file, last.endLine);
    return {
      edit: { start: at, end: at, text: nl + importText + nl, label: 'add import group' },
      group,
      line: last.endLine + 2,
    };
  }
  const following = block.runs.find((r) => GROUP_ORDER[r.group] > order);
  if (following) {
    const first = following.lines[0]!;
    const at = file.lineStart(first.startLine);
    return {
      edit: { start: at, end: at, text: importText + nl + nl, label: 'add import group' },
      group,
      line: first.startLine,
    };
  }
  // No import block: after the module docstring and leading comments.
  const at = afterModuleHeader(file);
  const needsBlankBefore = at > 0;
  const rest = file.text.slice(at);
  const needsBlankAfter = rest.trim().length > 0 && !/^\r?\n/.test(rest);
  const text = (needsBlankBefore ? nl : '') + importText + nl + (needsBlankAfter ? nl : '');
  return {
    edit: { start: at, end: at, text, label: 'add import group' },
    group,
    line: file.position(at).line + (needsBlankBefore ? 1 : 0),
  };
}

function statementModulesFromText(text: string): string {
  const m = /^\s*(?:from\s+(\S+)\s+import|import\s+([^\s,]+))/.exec(text);
  return (m?.[1] ?? m?.[2] ?? '').trim();
}

function lineEndWithNewline(file: PyFile, line: number): number {
  let end = file.lineEnd(line);
  if (file.text[end] === '\r') end++;
  if (file.text[end] === '\n') end++;
  return end;
}

function afterModuleHeader(file: PyFile): number {
  let at = 0;
  for (const stmt of file.root.namedChildren) {
    if (!stmt) continue;
    if (
      stmt.type === 'comment' ||
      (stmt.type === 'expression_statement' && stmt.namedChild(0)?.type === 'string')
    ) {
      at = lineEndWithNewline(file, file.position(stmt.endIndex - 1).line);
      continue;
    }
    break;
  }
  return at;
}

/**
 * Plans the removal of a whole import statement line. When the statement is the only line of its
 * run, one blank line separating the run from its neighbours goes too, so no empty group is left.
 */
export function planImportRemoval(
  file: PyFile,
  stmt: PyNode,
  opts: ImportBlockOptions & { block?: ImportBlock } = {},
): TextEdit {
  const block = opts.block ?? readImportBlock(file, opts);
  const startLine = file.position(stmt.startIndex).line;
  const endLine = file.position(stmt.endIndex - 1).line;
  let start = file.lineStart(startLine);
  let end = lineEndWithNewline(file, endLine);
  const run = block.runs.find((r) => r.lines.some((l) => l.stmt.id === stmt.id));
  if (run && run.lines.length === 1) {
    const nextLine = endLine + 1;
    if (nextLine <= file.lineCount && file.lineText(nextLine).trim() === '') {
      end = lineEndWithNewline(file, nextLine);
    } else if (startLine > 1 && file.lineText(startLine - 1).trim() === '') {
      start = file.lineStart(startLine - 1);
    }
  }
  return { start, end, text: '', label: 'remove import' };
}

/**
 * H306 violations in a block: pairs of adjacent lines in one run that are out of order. Used by tests
 * and by the codemods' self-checks.
 */
export function importOrderViolations(block: ImportBlock): { previous: ImportLine; line: ImportLine }[] {
  const out: { previous: ImportLine; line: ImportLine }[] = [];
  for (const run of block.runs) {
    for (let i = 1; i < run.lines.length; i++) {
      const prev = run.lines[i - 1]!;
      const cur = run.lines[i]!;
      if (cur.stmt.type === 'try_statement' || prev.stmt.type === 'try_statement') continue;
      if (cur.sortKey < prev.sortKey) out.push({ previous: prev, line: cur });
    }
  }
  return out;
}
