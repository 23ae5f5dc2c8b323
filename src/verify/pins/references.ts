/**
 * Text-guided node lookups for the pin verifier. Each function returns exactly what a whole-tree
 * walk or query would return, but finds its candidates by searching the file's text for the name
 * and asks the tree only for the node at each hit (`descendantForIndex`, a descent of the tree's
 * depth). Over Nova's large XenAPI test modules this turns three whole-tree passes per file (every
 * identifier materialised as a JS object, two queries) into a handful of hits.
 *
 * - `referencesByText(file, prefix)`: `file.bindings.referencesTo(prefix)`, same nodes, same order;
 * - `stringArgumentsContaining(file, needle)`: the `(call arguments: (argument_list (string) @s))`
 *   captures whose text contains `needle`;
 * - `attributeNamesMatching(file, names)`: the `(attribute attribute: (identifier) @m)` captures
 *   whose identifier is one of `names`.
 */
import { identifierAt, type NameReference, wordOccurrences } from '../../python/bindings.js';
import type { PyNode } from '../../python/parser.js';
import type { PyFile } from '../../python/source-file.js';

/** `ModuleBindings.referencesTo(prefix)`: the front end now finds its identifiers through the text. */
export function referencesByText(file: PyFile, prefix: string): NameReference[] {
  return file.bindings.referencesTo(prefix);
}

/** String literals passed positionally to a call whose text contains `needle`, in source order. */
export function stringArgumentsContaining(file: PyFile, needle: string): PyNode[] {
  const out: PyNode[] = [];
  const seen = new Set<number>();
  const root = file.root;
  for (let i = file.text.indexOf(needle); i !== -1; i = file.text.indexOf(needle, i + 1)) {
    let node: PyNode | null = root.descendantForIndex(i, i + needle.length);
    while (node && node.type !== 'string') {
      if (node.type === 'module' || node.type === 'block') {
        node = null;
        break;
      }
      node = node.parent;
    }
    if (!node || seen.has(node.id)) continue;
    seen.add(node.id);
    const list = node.parent;
    if (list?.type !== 'argument_list' || list.parent?.type !== 'call') continue;
    if (list.parent.childForFieldName('arguments')?.id !== list.id) continue;
    out.push(node);
  }
  return out.sort((a, b) => a.startIndex - b.startIndex);
}

/** Identifiers named in `names` that are the attribute of an attribute expression, in source order. */
export function attributeNamesMatching(file: PyFile, names: readonly string[]): PyNode[] {
  const out: PyNode[] = [];
  const root = file.root;
  for (const name of names) {
    for (const at of wordOccurrences(file.text, name)) {
      const id = identifierAt(root, at, name.length);
      const attr = id?.parent;
      if (!id || attr?.type !== 'attribute' || attr.childForFieldName('attribute')?.id !== id.id) continue;
      out.push(id);
    }
  }
  return out.sort((a, b) => a.startIndex - b.startIndex);
}
