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
import { isReference, type NameReference } from '../../python/bindings.js';
import type { PyNode } from '../../python/parser.js';
import type { PyFile } from '../../python/source-file.js';

const IDENT_CHAR = /[\p{L}\p{N}_\p{Mn}\p{Mc}\p{Pc}]/u;

function isIdentChar(ch: string | undefined): boolean {
  return ch !== undefined && IDENT_CHAR.test(ch);
}

/** Start indices of `word` in `text[from, to)` standing as a whole identifier. */
export function wordOccurrences(text: string, word: string, from = 0, to = text.length): number[] {
  const out: number[] = [];
  if (!word) return out;
  for (let i = text.indexOf(word, from); i !== -1 && i + word.length <= to; i = text.indexOf(word, i + 1)) {
    if (isIdentChar(text[i - 1]) || isIdentChar(text[i + word.length])) continue;
    out.push(i);
  }
  return out;
}

/** The identifier node spanning exactly `[start, start + length)`, if the tree has one there. */
function identifierAt(root: PyNode, start: number, length: number): PyNode | undefined {
  const node = root.descendantForIndex(start, start + length);
  return node && node.type === 'identifier' && node.startIndex === start && node.endIndex === start + length
    ? node
    : undefined;
}

/** `ModuleBindings.referencesTo(prefix)`, with identifiers found through the text. */
export function referencesByText(file: PyFile, prefix: string): NameReference[] {
  const bindings = file.bindings;
  const out: NameReference[] = [];
  const candidates = bindings.imports.filter(
    (b) => b.target === prefix || b.target.startsWith(`${prefix}.`) || prefix.startsWith(`${b.target}.`),
  );
  const byLocal = new Map<string, typeof candidates>();
  for (const b of candidates) byLocal.set(b.local, [...(byLocal.get(b.local) ?? []), b]);
  if (byLocal.size === 0) return out;
  const seen = new Set<number>();
  const root = file.root;
  for (const [local, list] of byLocal) {
    const scopes = new Map<number, PyNode>();
    for (const b of list) scopes.set(b.scope.id, b.scope);
    for (const scope of scopes.values()) {
      for (const at of wordOccurrences(file.text, local, scope.startIndex, scope.endIndex)) {
        const id = identifierAt(root, at, local.length);
        if (!id || seen.has(id.id) || !isReference(id)) continue;
        seen.add(id.id);
        const res = bindings.resolve(local, id);
        if (res.kind !== 'import') continue;
        let top = id;
        const parts: string[] = [];
        while (top.parent?.type === 'attribute' && top.parent.childForFieldName('object')?.id === top.id) {
          const attr = top.parent.childForFieldName('attribute');
          if (!attr) break;
          parts.push(attr.text);
          top = top.parent;
        }
        for (const b of res.imports) {
          const qn = parts.length ? `${b.target}.${parts.join('.')}` : b.target;
          if (qn === prefix || qn.startsWith(`${prefix}.`))
            out.push({ node: top, root: id, qualifiedName: qn, binding: b });
        }
      }
    }
  }
  return out.sort((a, b) => a.node.startIndex - b.node.startIndex);
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
