/**
 * Finds raw conductor / VirtAPI / nova.db calls in a file: `self.virtapi.X(...)`,
 * `self._virtapi.X(...)`, `virtapi.X(...)` on a parameter or local, `conductor.API().X(...)`,
 * `self.conductor_api.X(...)` (and any name assigned from `nova.conductor.API()`), and `db.X(...)`
 * / `db_api.X(...)` whose qualified name is `nova.db.X` or `nova.db.api.X`. Only methods the
 * conductor table lists on that surface count. Shared by the raw-conductor-call and
 * virt-driver-method-contract rules.
 */
import type { PyNode } from '../python/parser.js';
import type { PyFile } from '../python/source-file.js';
import type { ConductorMethod, ConductorMethodTable, Surface } from './conductor-methods.js';
import { queryMatches } from './query.js';

export interface RawCall {
  call: PyNode;
  /** The `function` node of the call (attribute or identifier). */
  callee: PyNode;
  method: ConductorMethod;
  surface: Surface;
  /** The receiver text (`self._virtapi`, `db`), empty for bare imported functions. */
  receiverText: string;
}

const CALL_QUERY = `
(call function: (attribute object: (_) @recv attribute: (identifier) @method) arguments: (argument_list)) @call
(call function: (identifier) @fname arguments: (argument_list)) @bare
`;

const CONDUCTOR_ASSIGN_QUERY = `
(assignment left: (attribute attribute: (identifier) @attr) right: (call function: (_) @fn)) @a
(assignment left: (identifier) @name right: (call function: (_) @fn)) @a
`;

const CONDUCTOR_FACTORIES = new Set([
  'nova.conductor.API',
  'nova.conductor.LocalAPI',
  'nova.conductor.api.API',
  'nova.conductor.api.LocalAPI',
]);

const VIRTAPI_NAME = /^_*virtapi$/;
const CONDUCTOR_NAME = /^_*conductor(_api)?$/;

/** Names (attributes and locals) this file assigns from `nova.conductor.API()`. */
function conductorNames(file: PyFile): Set<string> {
  const out = new Set<string>();
  if (!file.text.includes('conductor')) return out;
  for (const m of queryMatches(CONDUCTOR_ASSIGN_QUERY, file.root)) {
    const target = m.nodes.attr ?? m.nodes.name;
    const fn = m.nodes.fn;
    if (!target || !fn) continue;
    const qn = file.bindings.qualifiedName(fn);
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
      if (file.bindings.resolve(name, recv).kind === 'import') return undefined;
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

/** Every raw call in the file (or under `within`), in source order. */
const NAME_RE = new WeakMap<ConductorMethodTable, RegExp>();

/** A regex that finds `name(` for any table method: files without one cannot hold a raw call. */
function methodNameRegex(table: ConductorMethodTable): RegExp {
  let re = NAME_RE.get(table);
  if (!re) {
    re = new RegExp(`\\b(?:${table.methods.map((m) => m.method).join('|')})\\s*\\(`);
    NAME_RE.set(table, re);
  }
  return re;
}

export function findRawCalls(
  file: PyFile,
  table: ConductorMethodTable,
  within: PyNode = file.root,
): RawCall[] {
  const out: RawCall[] = [];
  // Text pre-check (native regex) before walking every call of the tree.
  if (!methodNameRegex(table).test(file.text)) return out;
  let conductorAttrs: Set<string> | undefined;
  for (const m of queryMatches(CALL_QUERY, within)) {
    const { recv, method, call, fname, bare } = m.nodes;
    if (call && recv && method) {
      const entry = table.get(method.text);
      if (!entry) continue;
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
    } else if (bare && fname) {
      const entry = table.get(fname.text);
      if (!entry?.surfaces.db) continue;
      // `from nova.db import instance_update`; a local def of that name resolves as local.
      if (dbSurface(file.bindings.qualifiedName(fname))) {
        out.push({ call: bare, callee: fname, method: entry, surface: 'db', receiverText: '' });
      }
    }
  }
  return out.sort((a, b) => a.call.startIndex - b.call.startIndex);
}
