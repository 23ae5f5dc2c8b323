/**
 * The units of a Python file that duplicates are looked for in: the module itself, its top-level
 * classes and functions, and the methods of its top-level classes (decorated ones included), each
 * with its structural fingerprint. Only top-level statements and class bodies are units; one
 * cursor walk over the file gives every unit's shape (each a slice of the module's).
 */
import type { PyNode } from '../python/parser.js';
import type { PyFile } from '../python/source-file.js';
import {
  type DecodedFingerprint,
  type ShapeMark,
  tokenIds,
  tokenShapeMarked,
  winnowIds,
} from './fingerprint.js';

export type UnitKind = 'module' | 'class' | 'function' | 'method';

export interface CodeUnit {
  kind: UnitKind;
  /** `''` for the module, `XenAPISession`, `XenAPISession.call_plugin`, `call_xenhost`. */
  name: string;
  /** The definition node (the decorated definition when decorated); the root for the module. */
  node: PyNode;
  /** The `def` / `class` node itself. */
  definition: PyNode;
  fingerprint: DecodedFingerprint;
}

function definitionOf(stmt: PyNode): PyNode | undefined {
  if (stmt.type === 'function_definition' || stmt.type === 'class_definition') return stmt;
  if (stmt.type === 'decorated_definition') {
    const def = stmt.childForFieldName('definition');
    if (def && (def.type === 'function_definition' || def.type === 'class_definition')) return def;
  }
  return undefined;
}

export interface UnitOptions {
  /** Leave out the module unit (default false). */
  noModule?: boolean;
  /** Keep only public top-level names (methods of public classes are all kept). */
  publicOnly?: boolean;
}

/** Every unit of a file, module first, then in source order. One shape walk serves them all. */
export function codeUnits(file: PyFile, opts: UnitOptions = {}): CodeUnit[] {
  const root = file.root;
  const found: { kind: UnitKind; name: string; node: PyNode; definition: PyNode; mark: ShapeMark }[] = [];
  for (const stmt of root.namedChildren) {
    if (!stmt) continue;
    const def = definitionOf(stmt);
    if (!def) continue;
    const name = def.childForFieldName('name')?.text ?? '';
    if (!name || (opts.publicOnly && name.startsWith('_'))) continue;
    const mark: ShapeMark = { depth: 1, startIndex: stmt.startIndex };
    if (def.type === 'function_definition') {
      found.push({ kind: 'function', name, node: stmt, definition: def, mark });
      continue;
    }
    found.push({ kind: 'class', name, node: stmt, definition: def, mark });
    // module > [decorated_definition >] class_definition > block > member
    const memberDepth = stmt === def ? 3 : 4;
    const body = def.childForFieldName('body');
    for (const member of body?.namedChildren ?? []) {
      if (!member) continue;
      const m = definitionOf(member);
      if (!m || m.type !== 'function_definition') continue;
      const mName = m.childForFieldName('name')?.text ?? '';
      found.push({
        kind: 'method',
        name: `${name}.${mName}`,
        node: member,
        definition: m,
        mark: { depth: memberDepth, startIndex: member.startIndex },
      });
    }
  }
  const { tokens, flow } = tokenShapeMarked(
    root,
    found.map((f) => f.mark),
  );
  const ids = tokenIds(tokens);
  const fingerprintOf = (t: [number, number], f: [number, number]): DecodedFingerprint => ({
    tokens: t[1] - t[0],
    flow: flow.slice(f[0], f[1]),
    hashes: winnowIds(ids, t[0], t[1]),
  });
  const out: CodeUnit[] = [];
  if (!opts.noModule)
    out.push({
      kind: 'module',
      name: '',
      node: root,
      definition: root,
      fingerprint: fingerprintOf([0, tokens.length], [0, flow.length]),
    });
  for (const f of found) {
    // Every mark is a definition the walk enters; a missing range would be a walk bug.
    if (!f.mark.tokens || !f.mark.flow) throw new Error(`shape walk missed ${f.kind} ${f.name}`);
    out.push({
      kind: f.kind,
      name: f.name,
      node: f.node,
      definition: f.definition,
      fingerprint: fingerprintOf(f.mark.tokens, f.mark.flow),
    });
  }
  return out;
}
