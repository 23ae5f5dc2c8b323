/**
 * A parsed Python file: its text, tree, line index, syntax-error regions and lazily built analyses
 * (import bindings, scopes). Owns its tree: call `dispose()` when done (workers do).
 */
import { collectBindings, type ModuleBindings } from './bindings.js';
import { initPython, type PyNode, type PyTree, parsePythonTree } from './parser.js';
import { type SyntaxIssue, treeSyntaxIssues } from './syntax.js';

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, in characters. */
  column: number;
}

export interface PyFileOptions {
  /**
   * Dotted module name of this file (`nova.virt.xenapi.vmops`), used to resolve relative imports.
   * Derived from the path by `moduleNameForPath` when not given.
   */
  moduleName?: string;
  /** True when the file is a package's `__init__.py` (relative imports resolve against itself). */
  isPackage?: boolean;
}

export class PyFile {
  readonly tree: PyTree;
  private lineStarts: number[] | undefined;
  private issues: SyntaxIssue[] | undefined;
  private bindingsCache: ModuleBindings | undefined;
  private analyses: Map<unknown, unknown> | undefined;
  private disposed = false;

  private constructor(
    readonly path: string,
    readonly text: string,
    readonly options: PyFileOptions,
    oldTree?: PyTree,
  ) {
    this.tree = parsePythonTree(text, oldTree);
  }

  /**
   * Parses text as Python. `initPython()` must have resolved (see `PyFile.load`). `oldTree`: an
   * earlier text's tree edited to match `text` (see `parsePythonTree`); the caller keeps it.
   */
  static parse(path: string, text: string, options: PyFileOptions = {}, oldTree?: PyTree): PyFile {
    return new PyFile(path, text, options, oldTree);
  }

  /** Initialises the parser if needed, then parses. */
  static async load(path: string, text: string, options: PyFileOptions = {}): Promise<PyFile> {
    await initPython();
    return new PyFile(path, text, options);
  }

  get root(): PyNode {
    return this.tree.rootNode;
  }

  get moduleName(): string | undefined {
    return this.options.moduleName;
  }

  /** Source text of a node (or any range). */
  slice(node: { startIndex: number; endIndex: number }): string {
    return this.text.slice(node.startIndex, node.endIndex);
  }

  /**
   * An analysis of this file computed once and shared by every rule or codemod that asks for it
   * with the same key (a module-level constant or the table it depends on): the raw conductor calls,
   * the class methods... Cleared with the tree on `dispose()`.
   */
  memo<T>(key: unknown, compute: () => T): T {
    this.analyses ??= new Map();
    if (this.analyses.has(key)) return this.analyses.get(key) as T;
    const value = compute();
    this.analyses.set(key, value);
    return value;
  }

  /** 1-based line and column of a string index. */
  position(index: number): Position {
    const starts = this.getLineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - starts[lo]! + 1 };
  }

  /** String index where a 1-based line starts. */
  lineStart(line: number): number {
    const starts = this.getLineStarts();
    return starts[Math.min(Math.max(line - 1, 0), starts.length - 1)]!;
  }

  /** String index just past the end of a 1-based line (before its newline). */
  lineEnd(line: number): number {
    const starts = this.getLineStarts();
    if (line >= starts.length) return this.text.length;
    let end = starts[line]! - 1;
    if (end > 0 && this.text[end - 1] === '\r') end--;
    return end;
  }

  lineText(line: number): string {
    return this.text.slice(this.lineStart(line), this.lineEnd(line));
  }

  get lineCount(): number {
    return this.getLineStarts().length;
  }

  /** Line ending used by the file (first one found), `\n` by default. */
  get newline(): string {
    const i = this.text.indexOf('\n');
    return i > 0 && this.text[i - 1] === '\r' ? '\r\n' : '\n';
  }

  private getLineStarts(): number[] {
    if (!this.lineStarts) {
      const starts = [0];
      const t = this.text;
      for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  /** ERROR and MISSING nodes of the tree, in source order. */
  syntaxIssues(): readonly SyntaxIssue[] {
    this.issues ??= treeSyntaxIssues(this.root);
    return this.issues;
  }

  get hasSyntaxErrors(): boolean {
    return this.root.hasError;
  }

  /**
   * True when [start, end) touches an error region, or lies inside a statement that contains one:
   * codemods never edit there.
   */
  touchesErrorRegion(start: number, end: number): boolean {
    if (!this.root.hasError) return false;
    for (const issue of this.syntaxIssues()) {
      const regionStart = issue.statementStart;
      const regionEnd = issue.statementEnd;
      if (start < regionEnd && regionStart < end) return true;
      if (start === end && start >= regionStart && start <= regionEnd) return true;
    }
    return false;
  }

  /** Import bindings and scopes (LibCST-style qualified names). Built on first use. */
  get bindings(): ModuleBindings {
    this.bindingsCache ??= collectBindings(this);
    return this.bindingsCache;
  }

  dispose(): void {
    if (!this.disposed) {
      this.disposed = true;
      this.analyses = undefined;
      this.tree.delete();
    }
  }
}

/**
 * Dotted module name for a path relative to the project root: `nova/virt/xenapi/vmops.py` ->
 * `nova.virt.xenapi.vmops`; `nova/virt/__init__.py` -> `nova.virt` (isPackage).
 */
export function moduleNameForPath(relPath: string): { moduleName: string; isPackage: boolean } | undefined {
  const norm = relPath.replace(/\\/g, '/').replace(/^\.\//, '');
  if (!norm.endsWith('.py')) return undefined;
  const parts = norm.slice(0, -3).split('/');
  const isPackage = parts[parts.length - 1] === '__init__';
  if (isPackage) parts.pop();
  if (parts.length === 0 || parts.some((p) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) return undefined;
  return { moduleName: parts.join('.'), isPackage };
}

/** Parse options for a file at a project-relative path: its module name and package-ness. */
export function pyFileOptionsFor(relPath: string): PyFileOptions {
  const m = moduleNameForPath(relPath);
  return m ? { moduleName: m.moduleName, isPackage: m.isPackage } : {};
}
