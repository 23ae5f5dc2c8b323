/**
 * The units of a Python file that duplicates are looked for in: the module itself, its top-level
 * classes and functions, and the methods of its top-level classes (decorated ones included), each
 * with its structural fingerprint. Only top-level statements and class bodies are visited, so a
 * file costs one cursor walk per unit.
 */
import type { PyNode } from '../python/parser.js';
import type { PyFile } from '../python/source-file.js';
import { type DecodedFingerprint, fingerprintNode } from './fingerprint.js';

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

/** Every unit of a file, module first, then in source order. */
export function codeUnits(file: PyFile, opts: UnitOptions = {}): CodeUnit[] {
  const out: CodeUnit[] = [];
  const root = file.root;
  if (!opts.noModule)
    out.push({ kind: 'module', name: '', node: root, definition: root, fingerprint: fingerprintNode(root) });
  for (const stmt of root.namedChildren) {
    if (!stmt) continue;
    const def = definitionOf(stmt);
    if (!def) continue;
    const name = def.childForFieldName('name')?.text ?? '';
    if (!name || (opts.publicOnly && name.startsWith('_'))) continue;
    if (def.type === 'function_definition') {
      out.push({ kind: 'function', name, node: stmt, definition: def, fingerprint: fingerprintNode(stmt) });
      continue;
    }
    out.push({ kind: 'class', name, node: stmt, definition: def, fingerprint: fingerprintNode(stmt) });
    const body = def.childForFieldName('body');
    for (const member of body?.namedChildren ?? []) {
      if (!member) continue;
      const m = definitionOf(member);
      if (!m || m.type !== 'function_definition') continue;
      const mName = m.childForFieldName('name')?.text ?? '';
      out.push({
        kind: 'method',
        name: `${name}.${mName}`,
        node: member,
        definition: m,
        fingerprint: fingerprintNode(member),
      });
    }
  }
  return out;
}
