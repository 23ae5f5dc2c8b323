/**
 * Calls `RECV.NAME(...)` for a set of method names: what the query
 * `(call function: (attribute object: (_) attribute: (identifier) @m)) @call` finds for those
 * names, in its order, without marshalling every call of the file into JS objects. The text says
 * where a name occurs as a whole word; the tree decides whether that identifier is the attribute
 * of a call's callee.
 */
import { callsByName } from '../python/call-sites.js';
import type { PyNode } from '../python/parser.js';
import type { PyFile } from '../python/source-file.js';

/** The `call` nodes, by start (an outer call before a call it starts with, as the query has them). */
export function methodCalls(py: PyFile, names: Iterable<string>): PyNode[] {
  return callsByName(py, names, 0, py.text.length, false)
    .filter((c) => c.receiver)
    .map((c) => c.call)
    .sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
}
