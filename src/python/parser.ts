/**
 * The tree-sitter Python parser (web-tree-sitter 0.26 + the grammar wasm shipped in
 * tree-sitter-python 0.25). Pure wasm: installs from the npm registry with no compile and no
 * download, frees trees deterministically (`tree.delete()`), and gives the full tree-sitter API
 * (field names, MISSING nodes, queries). See README "Design notes" for the measurement behind the
 * choice.
 */
import { createRequire } from 'node:module';
import { Language, type Node, Parser, Query, type Tree } from 'web-tree-sitter';

export type { Node as PyNode, Tree as PyTree } from 'web-tree-sitter';

const require = createRequire(import.meta.url);

let language: Language | undefined;
let parser: Parser | undefined;
let initializing: Promise<void> | undefined;
const queryCache = new Map<string, Query>();

/** Loads the wasm runtime and the Python grammar once per thread. Safe to call repeatedly. */
export function initPython(): Promise<void> {
  if (parser) return Promise.resolve();
  initializing ??= (async () => {
    await Parser.init();
    language = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
  })();
  return initializing;
}

export function isPythonReady(): boolean {
  return parser !== undefined;
}

function requireParser(): Parser {
  if (!parser) throw new Error('Python parser used before initPython() resolved');
  return parser;
}

/**
 * Parses Python source. The caller owns the tree and must `delete()` it (PyFile does). `oldTree`:
 * a tree of an earlier text, edited (`tree.edit`) to match `source`, whose unchanged parts
 * tree-sitter reuses (incremental parsing); it stays the caller's.
 */
export function parsePythonTree(source: string, oldTree?: Tree): Tree {
  const tree = requireParser().parse(source, oldTree ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** A compiled, cached tree-sitter query over the Python grammar. */
export function pythonQuery(source: string): Query {
  let q = queryCache.get(source);
  if (!q) {
    if (!language) throw new Error('Python query compiled before initPython() resolved');
    q = new Query(language, source);
    queryCache.set(source, q);
  }
  return q;
}

export function captures(query: string, node: Node): { name: string; node: Node }[] {
  return pythonQuery(query).captures(node);
}
