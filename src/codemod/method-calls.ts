/**
 * Calls `RECV.NAME(...)` for a set of method names: what the query
 * `(call function: (attribute object: (_) attribute: (identifier) @m)) @call` finds for those
 * names, in its order, without marshalling every call of the file into JS objects. The text says
 * where a name occurs as a whole word; the tree decides whether that identifier is the attribute
 * of a call's callee.
 */
import { identifierAt } from '../python/bindings.js';
import { wordRegex } from '../python/call-sites.js';
import type { PyNode } from '../python/parser.js';
import type { PyFile } from '../python/source-file.js';

/** The `call` nodes, by start (an outer call before a call it starts with, as the query has them). */
export function methodCalls(py: PyFile, names: Iterable<string>): PyNode[] {
  const out: PyNode[] = [];
  const re = wordRegex(names);
  const text = py.text;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const id = identifierAt(py.root, m.index, m[0].length);
    const attr = id?.parent;
    if (!id || attr?.type !== 'attribute' || attr.childForFieldName('attribute')?.id !== id.id) continue;
    if (!attr.childForFieldName('object')) continue;
    const call = attr.parent;
    if (call?.type === 'call' && call.childForFieldName('function')?.id === attr.id) out.push(call);
  }
  return out.sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
}
