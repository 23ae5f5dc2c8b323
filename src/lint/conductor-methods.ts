/**
 * The conductor mapping table (`rules/conductor-methods.yaml`): every raw conductor / VirtAPI /
 * nova.db method with the versioned-object call that replaces it. Shared by the
 * `raw-conductor-call` lint rule and the `conductor-to-objects` codemod. Validated against
 * `schemas/rules/conductor-methods.schema.json`; signatures are parsed so that call arguments can
 * be bound to raw parameter names (`bindArguments`).
 */

import { ConfigError } from '../config/config-file.js';
import { packagePath } from '../config/package-root.js';
import { compileSchema, formatSchemaErrors } from '../config/schemas.js';
import { parseYaml } from '../config/yaml.js';
import type { PyNode } from '../python/parser.js';
import type { CallArguments } from '../python/syntax-helpers.js';
import { readYamlTable } from './table-cache.js';

export type Surface = 'virtapi' | 'conductor' | 'db';
export const SURFACES: readonly Surface[] = ['virtapi', 'conductor', 'db'];

export type ReplacementKind =
  | 'update'
  | 'getter'
  | 'list-getter'
  | 'create'
  | 'metadata-add'
  | 'metadata-delete'
  | 'object-method'
  | 'none';

export type ArgRole =
  | 'context'
  | 'receiver'
  | 'receiver-uuid'
  | 'receiver-id'
  | 'field-values'
  | 'metadata'
  | 'metadata-key'
  | 'argument'
  | 'dropped';

export interface SignatureParam {
  name: string;
  /** Default value text, when the parameter has one. */
  default?: string;
  /** `*args` (varPositional) / `**kwargs` (varKeyword). */
  kind: 'positional' | 'varPositional' | 'varKeyword';
}

export interface SurfaceInfo {
  signature: string;
  params: SignatureParam[];
  /** Release tags whose tree has the method on this surface (VirtAPI). */
  tags?: string[];
  /** First release tag whose surface lacks the method. */
  gone?: string;
}

export interface ArgMapping {
  param: string;
  role: ArgRole;
  to?: string;
  keyword?: boolean;
  transform?: string;
  since?: string;
  reason?: string;
}

export interface ConductorMethod {
  method: string;
  surfaces: Partial<Record<Surface, SurfaceInfo>>;
  kind: ReplacementKind;
  object?: string;
  objectMethod?: string;
  /** The replacement is a field read (`OBJ.system_metadata`), not a call. */
  attribute?: boolean;
  args: ArgMapping[];
  since?: string;
  replacement?: string;
  reason?: string;
  /** false: not raw data access (RPC plumbing, tasks, events); the lint rule never reports it. */
  dataAccess?: boolean;
  notes?: string;
  codemod?: string;
}

export interface ConductorMethodTable {
  file: string;
  methods: ConductorMethod[];
  byName: ReadonlyMap<string, ConductorMethod>;
  get(name: string): ConductorMethod | undefined;
  /** Methods reachable on a surface. */
  onSurface(surface: Surface): ConductorMethod[];
}

interface RawMethod extends Omit<ConductorMethod, 'surfaces' | 'args'> {
  surfaces: Partial<Record<Surface, Omit<SurfaceInfo, 'params'>>>;
  args?: ArgMapping[];
}

const cache = new Map<string, ConductorMethodTable>();

export const CONDUCTOR_METHODS_FILE = (): string => packagePath('rules', 'conductor-methods.yaml');

/** Loads (once per path) and validates the table. Throws ConfigError naming the file and entry. */
export function loadConductorMethods(file: string = CONDUCTOR_METHODS_FILE()): ConductorMethodTable {
  const hit = cache.get(file);
  if (hit) return hit;
  const data = readYamlTable<{ methods: RawMethod[] }>(
    file,
    'rules-conductor-methods',
    'conductor methods table',
  );
  const table = conductorTableFromData(data, file);
  cache.set(file, table);
  return table;
}

/** Parses and validates a table's text (no cache). */
export function parseConductorMethods(text: string, file: string): ConductorMethodTable {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid YAML: ${(err as Error).message}`, file);
  }
  const validate = compileSchema('rules-conductor-methods');
  if (!validate(data)) {
    throw new ConfigError(
      `${file}: invalid conductor methods table: ${formatSchemaErrors(validate).slice(0, 5).join('; ')}`,
      file,
    );
  }
  return conductorTableFromData(data as { methods: RawMethod[] }, file);
}

function conductorTableFromData(data: { methods: RawMethod[] }, file: string): ConductorMethodTable {
  const raw = data.methods;
  const methods: ConductorMethod[] = [];
  const byName = new Map<string, ConductorMethod>();
  raw.forEach((m, i) => {
    const where = `${file}: methods[${i}] (${m.method})`;
    if (byName.has(m.method)) throw new ConfigError(`${where}: duplicate method`, file, `methods.${i}`);
    const surfaces: Partial<Record<Surface, SurfaceInfo>> = {};
    const known = new Set<string>();
    for (const s of SURFACES) {
      const info = m.surfaces[s];
      if (!info) continue;
      let params: SignatureParam[];
      try {
        params = parseSignature(info.signature, m.method);
      } catch (err) {
        throw new ConfigError(
          `${where}: surfaces.${s}.signature: ${(err as Error).message}`,
          file,
          `methods.${i}`,
        );
      }
      for (const p of params) known.add(p.name);
      surfaces[s] = { ...info, params };
    }
    const args = m.args ?? [];
    for (const a of args) {
      if (!known.has(a.param)) {
        throw new ConfigError(
          `${where}: args maps '${a.param}', which no surface signature has`,
          file,
          `methods.${i}`,
        );
      }
    }
    const entry: ConductorMethod = { ...m, surfaces, args };
    methods.push(entry);
    byName.set(m.method, entry);
  });
  return {
    file,
    methods,
    byName,
    get: (name) => byName.get(name),
    onSurface: (surface) => methods.filter((m) => m.surfaces[surface] !== undefined),
  };
}

/** Parses `name(a, b=1, *args, **kw)` into parameters. */
export function parseSignature(signature: string, expectedName?: string): SignatureParam[] {
  const m = /^([a-z_][a-z0-9_]*)\((.*)\)$/s.exec(signature.trim());
  if (!m) throw new Error(`not a signature: ${signature}`);
  if (expectedName && m[1] !== expectedName) throw new Error(`names ${m[1]}, expected ${expectedName}`);
  const body = m[2]!.trim();
  if (!body) return [];
  const out: SignatureParam[] = [];
  for (const part of splitTopLevel(body)) {
    const p = part.trim();
    if (p.startsWith('**')) out.push({ name: p.slice(2), kind: 'varKeyword' });
    else if (p.startsWith('*')) out.push({ name: p.slice(1), kind: 'varPositional' });
    else {
      const eq = p.indexOf('=');
      if (eq < 0) out.push({ name: p, kind: 'positional' });
      else out.push({ name: p.slice(0, eq).trim(), default: p.slice(eq + 1).trim(), kind: 'positional' });
    }
  }
  for (const p of out) if (!/^[a-z_][a-z0-9_]*$/i.test(p.name)) throw new Error(`bad parameter '${p.name}'`);
  return out;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let cur = '';
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  return parts;
}

export interface BoundArguments {
  /** Raw parameter name -> argument node. `**updates` collects keyword arguments as a map. */
  params: Map<string, PyNode>;
  /** For a `**kwargs` parameter: the keyword arguments it collected. */
  varKeyword: Map<string, PyNode>;
  /** Arguments that match no parameter (too many positionals, unknown keywords). */
  unmatched: PyNode[];
  /** True when `*x` / `**x` splats make the binding incomplete. */
  dynamic: boolean;
}

/** Binds a call's arguments to the raw method's parameters on a surface, as Python would. */
export function bindArguments(
  method: ConductorMethod,
  surface: Surface,
  args: CallArguments,
): BoundArguments {
  const info = method.surfaces[surface];
  const out: BoundArguments = {
    params: new Map(),
    varKeyword: new Map(),
    unmatched: [],
    dynamic: args.starArgs.length > 0 || args.starKwargs.length > 0,
  };
  if (!info) return out;
  const positional = info.params.filter((p) => p.kind === 'positional');
  const varPos = info.params.find((p) => p.kind === 'varPositional');
  const varKw = info.params.find((p) => p.kind === 'varKeyword');
  args.positional.forEach((node, i) => {
    const p = positional[i];
    if (p) out.params.set(p.name, node);
    else if (!varPos) out.unmatched.push(node);
  });
  for (const [name, node] of args.keywords) {
    if (positional.some((p) => p.name === name)) out.params.set(name, node);
    else if (varKw) out.varKeyword.set(name, node);
    else out.unmatched.push(node);
  }
  return out;
}

/**
 * The replacement text with `{param}` placeholders filled from argument texts (unknown ones stay as
 * the parameter name), `{object}` and `{fields}` from `extra`.
 */
export function renderReplacement(
  method: ConductorMethod,
  texts: ReadonlyMap<string, string>,
  extra: { object?: string; fields?: string } = {},
): string {
  const template = method.replacement ?? '';
  return template.replace(/\{([a-z_][a-z0-9_]*)\}/g, (_m, name: string) => {
    if (name === 'object') return extra.object ?? 'OBJ';
    if (name === 'fields') return extra.fields ?? `${extra.object ?? 'OBJ'}.<field> = <value>`;
    return texts.get(name) ?? name;
  });
}
