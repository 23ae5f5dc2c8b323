/**
 * Tree-sitter query matches as capture-name records: one record per match, so that captures of one
 * pattern (a call and its receiver) stay together even when matches nest. Queries are compiled once
 * and cached by the front end (`pythonQuery`).
 */
import { type PyNode, pythonQuery } from '../python/parser.js';

export interface QueryMatch {
  pattern: number;
  nodes: Record<string, PyNode>;
}

export function queryMatches(query: string, node: PyNode): QueryMatch[] {
  const out: QueryMatch[] = [];
  for (const m of pythonQuery(query).matches(node)) {
    const nodes: Record<string, PyNode> = {};
    for (const c of m.captures) nodes[c.name] = c.node;
    out.push({ pattern: m.patternIndex, nodes });
  }
  return out;
}
