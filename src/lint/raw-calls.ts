/**
 * Finds raw conductor / VirtAPI / nova.db calls in a file: `self.virtapi.X(...)`,
 * `self._virtapi.X(...)`, `virtapi.X(...)` on a parameter or local, `conductor.API().X(...)`,
 * `self.conductor_api.X(...)` (and any name assigned from `nova.conductor.API()`), and `db.X(...)`
 * / `db_api.X(...)` whose qualified name is `nova.db.X` or `nova.db.api.X`. Only methods the
 * conductor table lists on that surface count. Shared by the raw-conductor-call and
 * virt-driver-method-contract rules.
 */
import { callsByName } from '../python/call-sites.js';
import type { PyNode } from '../python/parser.js';
import type { PyFile } from '../python/source-file.js';
import type { ConductorMethod, ConductorMethodTable, Surface } from './conductor-methods.js';

export interface RawCall {
  call: PyNode;
  /** The `function` node of the call (attribute or identifier). */
  callee: PyNode;
  method: ConductorMethod;
  surface: Surface;
  /** The receiver text (`self._virtapi`, `db`), empty for bare imported functions. */
  receiverText: string;
}

const CONDUCTOR_FACTORIES = new Set([
  'nova.conductor.API',
  'nova.conductor.LocalAPI',
  'nova.conductor.api.API',
  'nova.conductor.api.LocalAPI',
]);

const VIRTAPI_NAME = /^_*virtapi$/;
const CONDUCTOR_NAME = /^_*conductor(_api)?$/;

/**
 * Names (attributes and locals) this file assigns from `nova.conductor.API()`. Such a call's callee
 * is rooted at an import of a factory (its local name is the callee) or of a package above one
 * (the callee ends in `API` / `LocalAPI`): only calls of those names are looked at.
 */
function conductorNames(file: PyFile): Set<string> {
  const out = new Set<string>();
  if (!file.text.includes('conductor')) return out;
  const names = new Set<string>();
  for (const b of file.bindings.imports) {
    if (CONDUCTOR_FACTORIES.has(b.target)) names.add(b.local);
    else if ([...CONDUCTOR_FACTORIES].some((f) => f.startsWith(`${b.target}.`)))
      for (const f of CONDUCTOR_FACTORIES) names.add(f.slice(f.lastIndexOf('.') + 1));
  }
  if (names.size === 0) return out;
  for (const { call } of callsByName(file, names)) {
    const assign = call.parent;
    if (assign?.type !== 'assignment' || assign.childForFieldName('right')?.id !== call.id) continue;
    const left = assign.childForFieldName('left');
    const target =
      left?.type === 'identifier'
        ? left
        : left?.type === 'attribute'
          ? left.childForFieldName('attribute')
          : undefined;
    if (!target || target.type !== 'identifier') continue;
    const qn = file.bindings.qualifiedName(call.childForFieldName('function')!);
    if (qn && CONDUCTOR_FACTORIES.has(qn)) out.add(target.text);
  }
  return out;
}

function dbSurface(qualified: string | undefined): string | undefined {
  if (!qualified) return undefined;
  const m = /^nova\.db(?:\.api)?\.([a-z_][a-z0-9_]*)$/.exec(qualified);
  return m ? m[1] : undefined;
}

/** The surface a receiver expression denotes, or undefined when it is none of the three. */
function receiverSurface(file: PyFile, recv: PyNode, conductorAttrs: Set<string>): Surface | undefined {
  switch (recv.type) {
    case 'identifier': {
      const name = recv.text;
      if (!VIRTAPI_NAME.test(name) && !CONDUCTOR_NAME.test(name) && !conductorAttrs.has(name))
        return undefined;
      // An imported module named `virtapi` / `conductor` is not an API object.
      if (file.bindings.mayBeImported(name) && file.bindings.resolve(name, recv).kind === 'import')
        return undefined;
      return VIRTAPI_NAME.test(name) ? 'virtapi' : 'conductor';
    }
    case 'attribute': {
      const attr = recv.childForFieldName('attribute')?.text ?? '';
      if (VIRTAPI_NAME.test(attr)) return 'virtapi';
      if (CONDUCTOR_NAME.test(attr) || conductorAttrs.has(attr)) {
        // `nova.conductor` reached as a module attribute chain is the package, not an API object.
        const qn = file.bindings.qualifiedName(recv);
        return qn === undefined ? 'conductor' : undefined;
      }
      return undefined;
    }
    case 'call': {
      const fn = recv.childForFieldName('function');
      const qn = fn ? file.bindings.qualifiedName(fn) : undefined;
      return qn && CONDUCTOR_FACTORIES.has(qn) ? 'conductor' : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Every raw call in the file (or under `within`), in source order. The call sites are located by
 * the table's method names in the text (a word search, native speed) and then decided on the tree
 * and the import bindings; the whole-file answer is computed once per file and table.
 */
export function findRawCalls(
  file: PyFile,
  table: ConductorMethodTable,
  within: PyNode = file.root,
): RawCall[] {
  const all = file.memo(table, () => rawCallsOfFile(file, table));
  if (within.startIndex === 0 && within.endIndex >= file.text.length) return all;
  return all.filter((c) => c.call.startIndex >= within.startIndex && c.call.endIndex <= within.endIndex);
}

function rawCallsOfFile(file: PyFile, table: ConductorMethodTable): RawCall[] {
  const out: RawCall[] = [];
  let conductorAttrs: Set<string> | undefined;
  for (const site of callsByName(file, table.byName.keys())) {
    const { call, receiver: recv, name: id } = site;
    const entry = table.get(id.text);
    if (!entry) continue;
    if (recv) {
      const callee = call.childForFieldName('function')!;
      const dbName = dbSurface(file.bindings.qualifiedName(callee));
      if (dbName) {
        if (entry.surfaces.db)
          out.push({ call, callee, method: entry, surface: 'db', receiverText: file.slice(recv) });
        continue;
      }
      conductorAttrs ??= conductorNames(file);
      const surface = receiverSurface(file, recv, conductorAttrs);
      if (surface && entry.surfaces[surface])
        out.push({ call, callee, method: entry, surface, receiverText: file.slice(recv) });
    } else {
      if (!entry.surfaces.db) continue;
      // `from nova.db import instance_update`; a local def of that name resolves as local.
      if (dbSurface(file.bindings.qualifiedName(id))) {
        out.push({ call, callee: id, method: entry, surface: 'db', receiverText: '' });
      }
    }
  }
  return out.sort((a, b) => a.call.startIndex - b.call.startIndex);
}
