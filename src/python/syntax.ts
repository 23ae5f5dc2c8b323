/**
 * Syntax checks used before and after every rewrite: the tree's ERROR and MISSING nodes, and, where
 * `python3` is present and the original compiled under Python 3, Python's own `ast.parse` (tree-sitter
 * accepts some code Python rejects).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PyNode } from './parser.js';

export interface SyntaxIssue {
  kind: 'error' | 'missing';
  /** Node type of a MISSING node (the token tree-sitter invented), or 'ERROR'. */
  nodeType: string;
  start: number;
  end: number;
  /** Range of the smallest statement that contains the issue: the region codemods must not touch. */
  statementStart: number;
  statementEnd: number;
}

function isStatement(node: PyNode): boolean {
  const t = node.type;
  return (
    t.endsWith('_statement') ||
    t === 'function_definition' ||
    t === 'class_definition' ||
    t === 'decorated_definition' ||
    t === 'module'
  );
}

function enclosingStatement(node: PyNode): PyNode {
  let cur: PyNode | null = node.parent;
  while (cur && !isStatement(cur)) cur = cur.parent;
  // An error directly under the module stands for itself.
  if (!cur || cur.type === 'module') return node;
  return cur;
}

/** ERROR and MISSING nodes, found by descending only into subtrees that contain an error. */
export function treeSyntaxIssues(root: PyNode): SyntaxIssue[] {
  const out: SyntaxIssue[] = [];
  if (!root.hasError) return out;
  const visit = (node: PyNode): void => {
    if (node.isError || node.isMissing) {
      const stmt = enclosingStatement(node);
      out.push({
        kind: node.isError ? 'error' : 'missing',
        nodeType: node.isError ? 'ERROR' : node.type,
        start: node.startIndex,
        end: node.endIndex,
        statementStart: Math.min(stmt.startIndex, node.startIndex),
        statementEnd: Math.max(stmt.endIndex, node.endIndex),
      });
      if (node.isError) {
        // Nested errors inside an ERROR node add nothing to the region.
        return;
      }
    }
    for (const child of node.children) {
      if (child && (child.hasError || child.isMissing)) visit(child);
    }
  };
  visit(root);
  return out;
}

export interface PythonAstResult {
  ok: boolean;
  message?: string;
  line?: number;
  column?: number;
}

const checkerScript = fileURLToPath(new URL('../../python/ast_check.py', import.meta.url));
const checkerScriptFromDist = fileURLToPath(new URL('../../../python/ast_check.py', import.meta.url));

/**
 * A long-lived `python3` process that runs `ast.parse` on sources sent as JSON lines. One per
 * thread; `python3` missing (or BACKLEVEL_NO_PYTHON=1) makes `available()` false and every check a
 * no-op that the caller reports.
 */
export class PythonAstChecker {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private failed = false;
  private nextId = 1;
  private buffer = '';
  private readonly pending = new Map<number, (r: PythonAstResult) => void>();

  constructor(private readonly python = process.env.BACKLEVEL_PYTHON ?? 'python3') {}

  private start(): ChildProcessWithoutNullStreams | undefined {
    if (this.proc || this.failed) return this.proc;
    if (process.env.BACKLEVEL_NO_PYTHON === '1') {
      this.failed = true;
      return undefined;
    }
    const script = existsSync(checkerScript) ? checkerScript : checkerScriptFromDist;
    try {
      const proc = spawn(this.python, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
      proc.on('error', () => this.fail());
      proc.on('exit', () => this.fail());
      proc.stdout.setEncoding('utf8');
      proc.stdout.on('data', (chunk: string) => this.onData(chunk));
      proc.stderr.resume();
      proc.unref();
      (proc.stdin as unknown as { unref?: () => void }).unref?.();
      (proc.stdout as unknown as { unref?: () => void }).unref?.();
      (proc.stderr as unknown as { unref?: () => void }).unref?.();
      this.proc = proc;
    } catch {
      this.failed = true;
    }
    return this.proc;
  }

  private fail(): void {
    this.failed = true;
    this.proc = undefined;
    for (const resolve of this.pending.values()) resolve({ ok: true, message: 'python3 unavailable' });
    this.pending.clear();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf('\n'); nl !== -1; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      const msg = JSON.parse(line) as { id: number } & PythonAstResult;
      const resolve = this.pending.get(msg.id);
      if (resolve) {
        this.pending.delete(msg.id);
        resolve({
          ok: msg.ok,
          ...(msg.message !== undefined ? { message: msg.message } : {}),
          ...(msg.line !== undefined ? { line: msg.line } : {}),
          ...(msg.column !== undefined ? { column: msg.column } : {}),
        });
      }
    }
  }

  /** Whether a python3 could be started. Starts it on first call. */
  available(): boolean {
    return this.start() !== undefined;
  }

  /** `ast.parse(source)` in Python 3. Resolves `{ok: true}` with a message when python3 is absent. */
  check(source: string): Promise<PythonAstResult> {
    const proc = this.start();
    if (!proc) return Promise.resolve({ ok: true, message: 'python3 unavailable' });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      proc.stdin.write(`${JSON.stringify({ id, source })}\n`);
    });
  }

  close(): void {
    this.proc?.stdin.end();
    this.proc = undefined;
  }
}

let sharedChecker: PythonAstChecker | undefined;
export function pythonAstChecker(): PythonAstChecker {
  sharedChecker ??= new PythonAstChecker();
  return sharedChecker;
}

export interface RewriteSyntaxVerdict {
  ok: boolean;
  reason?: string;
}

/**
 * Decides whether a rewrite may be kept: no new tree-sitter error or missing node, and, when the
 * original compiled under Python 3, the rewrite compiles too. The rewrite goes to Python 3 before
 * this returns (the caller may work while it compiles); the original is compiled only when the
 * verdict depends on it. `null`: tree-sitter checks only. `outline`: what to compile first in
 * place of the rewrite (`compileOutline`): when it compiles, so does the rewrite; when it
 * does not, the original is compiled next (Python 2 code fails there too, and then the verdict is
 * in), and the whole rewrite last.
 */
export function checkRewriteSyntax(
  before: { text: string; issues: readonly SyntaxIssue[] },
  after: { text: string; issues: readonly SyntaxIssue[] },
  checker: PythonAstChecker | null = pythonAstChecker(),
  outline?: string,
): Promise<RewriteSyntaxVerdict> {
  if (after.issues.length > before.issues.length) {
    const first = after.issues[0]!;
    return Promise.resolve({
      ok: false,
      reason: `rewrite introduces a syntax error (${first.nodeType} at offset ${first.start})`,
    });
  }
  if (!checker?.available()) return Promise.resolve({ ok: true });
  const verdictOf = (a: PythonAstResult): RewriteSyntaxVerdict =>
    a.ok
      ? { ok: true }
      : { ok: false, reason: `rewrite does not compile under Python 3: ${a.message} (line ${a.line})` };
  const originalCompiles = async () => (await checker.check(before.text)).ok;
  if (outline === undefined) {
    return checker
      .check(after.text)
      .then(async (a) => (a.ok || !(await originalCompiles()) ? { ok: true } : verdictOf(a)));
  }
  return checker.check(outline).then(async (n) => {
    if (n.ok || !(await originalCompiles())) return { ok: true };
    return verdictOf(await checker.check(after.text));
  });
}
