/**
 * raw-conductor-call: in virt driver code, a call of a raw conductor / VirtAPI / nova.db method that
 * the conductor table maps to a versioned-object call. The finding names the replacement, the
 * object method and the first Nova release that has it; methods with no object equivalent are
 * reported at info severity with the table's reason.
 */
import type { PyNode } from '../../python/parser.js';
import type { PyFile } from '../../python/source-file.js';
import { callArguments, literalDict, literalString } from '../../python/syntax-helpers.js';
import {
  bindArguments,
  type ConductorMethod,
  renderReplacement,
  type Surface,
} from '../conductor-methods.js';
import { isMoxRecording } from '../mox.js';
import { findRawCalls } from '../raw-calls.js';
import type { LintRule } from '../types.js';
import { VIRT_DRIVER_EXCLUDES } from '../virt-driver-scope.js';

const SURFACE_LABEL: Record<Surface, string> = { virtapi: 'VirtAPI', conductor: 'conductor', db: 'nova.db' };
const MAX_VALUE = 48;

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > MAX_VALUE ? `${one.slice(0, MAX_VALUE - 1)}…` : one;
}

/** The object an id/uuid argument identifies: `instance['uuid']` / `instance.uuid` -> `instance`. */
function objectOf(file: PyFile, arg: PyNode | undefined, key: 'uuid' | 'id'): string | undefined {
  if (!arg) return undefined;
  if (arg.type === 'subscript') {
    const subs = arg.childrenForFieldName('subscript');
    if (subs.length === 1 && literalString(subs[0]) === key)
      return file.slice(arg.childForFieldName('value')!);
  }
  if (arg.type === 'attribute' && arg.childForFieldName('attribute')?.text === key) {
    return file.slice(arg.childForFieldName('object')!);
  }
  return undefined;
}

export interface RenderedReplacement {
  text: string;
  object?: string;
}

/** The replacement for one call site, with argument texts substituted where the call shows them. */
export function replacementFor(
  file: PyFile,
  call: PyNode,
  method: ConductorMethod,
  surface: Surface,
): RenderedReplacement {
  const args = callArguments(call);
  const texts = new Map<string, string>();
  let object: string | undefined;
  let fields: string | undefined;
  if (args) {
    const bound = bindArguments(method, surface, args);
    for (const [name, node] of bound.params) texts.set(name, short(file.slice(node)));
    for (const a of method.args) {
      const node = bound.params.get(a.param);
      if (a.transform && node)
        texts.set(a.param, a.transform.replace(`{${a.param}}`, short(file.slice(node))));
      if (!node && a.role !== 'field-values') continue;
      switch (a.role) {
        case 'receiver':
          object ??= node ? short(file.slice(node)) : undefined;
          break;
        case 'receiver-uuid':
          object ??= objectOf(file, node, 'uuid');
          break;
        case 'receiver-id':
          object ??= objectOf(file, node, 'id');
          break;
        case 'field-values': {
          if (node) {
            const entries = literalDict(node);
            if (entries)
              fields = entries.map((e) => `{object}.${e.key} = ${short(file.slice(e.value))}`).join('; ');
            else fields = `{object}.<field> = <value> for each item of ${short(file.slice(node))}`;
          } else if (
            bound.varKeyword.size > 0 &&
            method.surfaces[surface]?.params.some((p) => p.kind === 'varKeyword')
          ) {
            fields = [...bound.varKeyword]
              .map(([k, v]) => `{object}.${k} = ${short(file.slice(v))}`)
              .join('; ');
          }
          break;
        }
        default:
          break;
      }
    }
  }
  const obj = object ?? (method.object ? method.object.replace(/List$/, '').toLowerCase() : 'OBJ');
  const rendered = renderReplacement(method, texts, {
    object: obj,
    fields: (fields ?? '{object}.<field> = <value>').replaceAll('{object}', obj),
  });
  const needsObject = method.args.some(
    (a) =>
      (a.role === 'receiver-uuid' || a.role === 'receiver-id') &&
      args &&
      bindArguments(method, surface, args).params.has(a.param),
  );
  const note = !object && needsObject ? ` (no ${method.object} object in the call: load it first)` : '';
  return { text: rendered + note, ...(object ? { object } : {}) };
}

export const rawConductorCall: LintRule = {
  meta: {
    id: 'raw-conductor-call',
    title: 'Raw conductor / VirtAPI / db call with a versioned-object replacement',
    description:
      'Virt driver code calls a raw conductor, VirtAPI or nova.db method. These send unversioned rows across ' +
      'releases; the versioned object named in the finding backlevels its data during an upgrade.',
    severity: 'error',
    docs: 'README.md#raw-conductor-call',
    fixableBy: 'conductor-to-objects',
    scope: ['nova/virt/**'],
    exclude: [...VIRT_DRIVER_EXCLUDES],
    triggers: ['virtapi', 'conductor', 'db.', 'db_api', 'nova.db', 'import db'],
  },
  check(ctx) {
    for (const raw of findRawCalls(ctx.file, ctx.tables.conductor)) {
      const m = raw.method;
      if (m.dataAccess === false || isMoxRecording(raw.call)) continue;
      const where = `${SURFACE_LABEL[raw.surface]} call ${m.method}()`;
      const surfaceInfo = m.surfaces[raw.surface];
      const data: Record<string, unknown> = { surface: raw.surface, method: m.method, kind: m.kind };
      if (surfaceInfo?.gone) data.gone = surfaceInfo.gone;
      if (m.kind === 'none') {
        ctx.report({
          node: raw.call,
          severity: 'info',
          message: `raw ${where} has no object equivalent: ${m.reason}`,
          data,
        });
        continue;
      }
      const repl = replacementFor(ctx.file, raw.call, m, raw.surface);
      const target = `${m.object}.${m.objectMethod}${m.attribute ? '' : '()'}`;
      Object.assign(data, {
        object: m.object,
        objectMethod: m.objectMethod,
        since: m.since,
        replacement: repl.text,
      });
      ctx.report({
        node: raw.call,
        message: `raw ${where}: use ${repl.text} (${target}, Nova ${m.since}+)`,
        suggestion: repl.text,
        ...(m.codemod ? { fix: { codemod: m.codemod, description: `rewrite to ${target}` } } : {}),
        data,
      });
    }
  },
};
