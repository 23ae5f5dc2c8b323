/**
 * xenapi-imports-reverse: the backport direction, for branches from before Nova moved to os-xenapi.
 * os_xenapi python plugin functions go back to `S.call_plugin*` calls (rules/xenapi-plugin-calls.yaml,
 * entries whose dom0 entry point existed before the move); `os_xenapi.client` imports of modules
 * Nova had go back to `nova.virt.xenapi.client` (project group, hacking order); relocated names go
 * back (`PluginRetriesExceeded` to nova.exception; `XenAPI.Failure` to the fake's `Failure` in
 * tests); `originator="nova"` leaves the session constructor. Everything without a pre-move
 * equivalent is reported, and its import stays.
 */
import type { CodemodApi, CodemodFile, CodemodMeta } from '../src/codemod/types.js';
import type { ImportBinding } from '../src/python/bindings.js';
import { planImportRemoval, readImportBlock } from '../src/python/import-block.js';
import type { PyNode } from '../src/python/parser.js';
import type { PyFile } from '../src/python/source-file.js';
import { callArguments, literalString } from '../src/python/syntax-helpers.js';
import type { TextEdit } from '../src/python/text-edits.js';
import {
  applyWithImports,
  asReceiver,
  columnOf,
  expressionFor,
  formatCall,
  localOf,
  nameAvailable,
  siteOf,
  type WantedImport,
} from '../src/xenapi/codemod-support.js';
import {
  loadPluginCallTable,
  loadXenapiImportRules,
  type PluginCallEntry,
  type XenapiImportRules,
} from '../src/xenapi/rule-tables.js';

export const meta: CodemodMeta = {
  name: 'xenapi-imports-reverse',
  description:
    'Backport: os_xenapi.client -> nova.virt.xenapi.client, python plugin functions -> call_plugin* calls',
};

const METHOD_OF: Record<PluginCallEntry['style'], string> = {
  dict: 'call_plugin',
  serialized: 'call_plugin_serialized',
  'serialized-with-retry': 'call_plugin_serialized_with_retry',
};

class NoReverse extends Error {}

function pyLiteral(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The plugin call text for a python wrapper call, or throws NoReverse. */
function pluginCallFor(entry: PluginCallEntry, call: PyNode, file: PyFile): string {
  const py = entry.python!;
  if (!entry.preMove)
    throw new NoReverse(
      `${entry.plugin} ${entry.subcommand ?? entry.function} did not exist before the move`,
    );
  const args = callArguments(call);
  if (!args || args.starArgs.length || args.starKwargs.length)
    throw new NoReverse('the call passes *args/**kwargs');
  const [sessionNode, ...pos] = args.positional;
  const sessionArg = sessionNode ?? args.keywords.get('session');
  if (!sessionArg) throw new NoReverse('no session argument');
  if (pos.length > py.params.length) throw new NoReverse(`too many arguments for ${py.function}()`);
  const values = new Map<string, string>();
  pos.forEach((v, i) => {
    values.set(py.params[i]!.name, file.slice(v));
  });
  for (const [k, v] of args.keywords) {
    if (k === 'session') continue;
    if (!py.params.some((p) => p.name === k)) throw new NoReverse(`${py.function}() has no parameter '${k}'`);
    values.set(k, file.slice(v));
  }
  const valueFor = (name: string): string | undefined => {
    const p = py.params.find((x) => x.name === name)!;
    const v = values.get(name) ?? (p.sendsDefault ? p.default : undefined);
    if (v === undefined) return undefined;
    if (p.convert === 'bool-string') {
      if (v === 'True') return "'True'";
      if (v === 'False') return "'False'";
      return `'True' if ${v} else 'False'`;
    }
    return v;
  };
  for (const p of py.params) {
    if (!p.optional && !values.has(p.name)) throw new NoReverse(`the call does not pass '${p.name}'`);
  }
  const head = [pyLiteral(entry.plugin), pyLiteral(entry.function)];
  const receiver = asReceiver(sessionArg);
  if (entry.style === 'dict' || entry.subcommand) {
    const pairs = py.params.flatMap((p) => {
      const v = valueFor(p.name);
      return v === undefined ? [] : [`${pyLiteral(p.key!)}: ${v}`];
    });
    const dict = `{${pairs.join(', ')}}`;
    const arg = entry.subcommand ? `{'cmd': ${pyLiteral(entry.subcommand)}, 'args': ${dict}}` : dict;
    return formatCall(`${receiver}.${METHOD_OF[entry.style]}`, [...head, arg], columnOf(file, call));
  }
  const out = [...head];
  if (entry.style === 'serialized-with-retry') {
    for (const r of ['num_retries', 'callback', 'retry_cb']) {
      const p = py.params.find((x) => x.retry === r)!;
      out.push(values.get(p.name) ?? 'None');
    }
  }
  // dom0 parameters in order, positional while there is no gap, keywords after.
  let keyword = entry.style === 'serialized-with-retry';
  for (const d of entry.dom0Params ?? []) {
    const p = py.params.find((x) => x.arg === d);
    const v = p ? valueFor(p.name) : undefined;
    if (v === undefined) {
      keyword = true;
      continue;
    }
    out.push(keyword ? `${d}=${v}` : v);
  }
  return formatCall(`${receiver}.${METHOD_OF[entry.style]}`, out, columnOf(file, call));
}

interface Ctx {
  file: PyFile;
  api: CodemodApi;
  rules: XenapiImportRules;
  edits: TextEdit[];
  imports: WantedImport[];
  isTest: boolean;
}

/** Rewrites every use through one binding; true when no use is left that still needs the import. */
function reverseUses(ctx: Ctx, b: ImportBinding): boolean {
  const { file, api, rules } = ctx;
  const table = loadPluginCallTable();
  let allGone = true;
  for (const ref of file.bindings.referencesTo(b.target)) {
    if (ref.binding !== b) continue;
    const qn = ref.qualifiedName;
    const site = siteOf(file, ref.node);
    // A python plugin wrapper call.
    const entry = table.byPythonFunction(qn);
    const call = ref.node.parent;
    if (entry && call?.type === 'call' && call.childForFieldName('function')?.id === ref.node.id) {
      try {
        ctx.edits.push({
          start: call.startIndex,
          end: call.endIndex,
          text: pluginCallFor(entry, call, file),
          label: 'plugin call',
        });
        api.converted({
          ...site,
          kind: 'plugin-call',
          detail: `${qn} -> ${entry.plugin} ${entry.subcommand ?? entry.function}`,
        });
        continue;
      } catch (err) {
        if (!(err instanceof NoReverse)) throw err;
        api.manual({ ...site, reason: `${qn}: ${err.message}`, kind: 'plugin-call' });
        allGone = false;
        continue;
      }
    }
    // A relocated name (exception, XenAPI.Failure).
    const move = rules.names.find((n) => n.new === qn || qn.startsWith(`${n.new}.`));
    if (move) {
      const rev = move.reverse;
      const usable = rev && (move.kind !== 'exception' || !move.legacy.includes('.fake.') || ctx.isTest);
      if (!rev || !usable) {
        api.manual({
          ...site,
          reason: `${qn} has no pre-move equivalent here${move.legacy.includes('.fake.') ? ' (outside tests Nova used session.XenAPI.Failure)' : ''}`,
          kind: 'no-pre-move-equivalent',
        });
        allGone = false;
        continue;
      }
      const target = `${rev.import.from}.${rev.import.name}`;
      const wanted: WantedImport = {
        from: rev.import.from,
        name: rev.import.name,
        ...(rev.import.as ? { alias: rev.import.as } : {}),
      };
      const local = expressionFor(file, target, ref.node) ?? localOf(wanted);
      if (!expressionFor(file, target, ref.node)) {
        if (!nameAvailable(file, local, [ref.node], target)) {
          api.manual({
            ...site,
            reason: `${qn} -> ${rev.legacy}: the name '${local}' is taken here`,
            kind: 'no-pre-move-equivalent',
          });
          allGone = false;
          continue;
        }
        ctx.imports.push(wanted);
      }
      const node = nodeFor(ref.node, qn, move.new);
      ctx.edits.push({
        start: node.startIndex,
        end: node.endIndex,
        text: local + rev.legacy.slice(target.length),
        label: 'moved name',
      });
      api.converted({ ...site, kind: 'moved-name', detail: `${move.new} -> ${rev.legacy}` });
      continue;
    }
    const back = rules.backward(qn);
    if (back && back.rule.reverse !== false) continue; // the import itself goes back
    api.manual({
      ...site,
      reason: `${qn} has no pre-move equivalent${back?.rule.reason ? ` (${back.rule.reason})` : ''}`,
      kind: 'no-pre-move-equivalent',
    });
    allGone = false;
  }
  return allGone;
}

/** Inside an attribute chain for `qn`, the node that denotes exactly `name`. */
function nodeFor(node: PyNode, qn: string, name: string): PyNode {
  let cur = node;
  const extra = qn.slice(name.length).split('.').filter(Boolean).length;
  for (let i = 0; i < extra; i++) cur = cur.childForFieldName('object') ?? cur;
  return cur;
}

/** `XenAPISession(..., originator="nova")` -> without it (the pre-move constructor has no originator). */
function dropOriginator(ctx: Ctx): void {
  const { file, api, rules } = ctx;
  for (const change of rules.callChanges) {
    for (const ref of file.bindings.referencesTo(change.callee)) {
      if (ref.qualifiedName !== change.callee) continue;
      const call = ref.node.parent;
      if (call?.type !== 'call' || call.childForFieldName('function')?.id !== ref.node.id) continue;
      const args = callArguments(call);
      if (!args) continue;
      for (const k of change.addKeywords) {
        const v = args.keywords.get(k.name);
        if (!v) continue;
        const kwNode = v.parent!;
        const expected = k.value.replace(/^"|"$/g, '');
        if (literalString(v) !== expected) {
          api.manual({
            ...siteOf(file, kwNode),
            reason: `${k.name}=${v.text}: the pre-move ${change.callee.split('.').pop()} always sent "${expected}"`,
            kind: 'call-signature',
          });
          continue;
        }
        // Remove `, originator="nova"` including the comma and any line break before it.
        const prev = kwNode.previousSibling;
        const start = prev?.type === ',' ? prev.startIndex : kwNode.startIndex;
        let end = kwNode.endIndex;
        if (prev?.type !== ',' && kwNode.nextSibling?.type === ',') end = kwNode.nextSibling.endIndex;
        const prevArg = prev?.type === ',' ? prev.previousSibling : null;
        ctx.edits.push({
          start: prevArg && prev?.type === ',' ? prevArg.endIndex : start,
          end,
          text: '',
          label: 'originator',
        });
        api.converted({ ...siteOf(file, kwNode), kind: 'call-signature', detail: `- ${k.name}` });
      }
    }
  }
}

export default function transform(file: CodemodFile, api: CodemodApi): string | undefined {
  if (!file.source.includes('os_xenapi')) return undefined;
  const parsed = api.parse();
  const ctx: Ctx = {
    file: parsed,
    api,
    rules: loadXenapiImportRules(),
    edits: [],
    imports: [],
    isTest: /(^|\/)tests?\//.test(file.relPath) || parsed.moduleName === 'nova.virt.xenapi.fake',
  };
  const { rules } = ctx;
  dropOriginator(ctx);
  const block = readImportBlock(parsed, { projectPackages: api.project.projectPackages });
  for (const b of parsed.bindings.imports) {
    const target = b.form === 'import' ? b.module : b.target;
    if (!rules.isNew(target)) continue;
    const allGone = reverseUses(ctx, b);
    const back = rules.backward(target);
    const importBack =
      back && back.rule.reverse !== false && !loadPluginCallTable().pythonModules().includes(target);
    const stmt = b.statement;
    const single =
      (b.form === 'import' ? stmt.childrenForFieldName('name') : stmt.childrenForFieldName('name')).length ===
      1;
    if (!single || stmt.parent?.type !== 'module') {
      if (importBack || !allGone) {
        api.manual({
          ...siteOf(parsed, b.nameNode),
          reason: 'import of several names or not at module level: move it by hand',
          kind: 'import',
        });
      }
      continue;
    }
    if (importBack) {
      const dot = back.name.lastIndexOf('.');
      ctx.edits.push(
        planImportRemoval(parsed, stmt, { block, projectPackages: api.project.projectPackages }),
      );
      ctx.imports.push(
        b.form === 'import' || b.form === 'import-as'
          ? { from: back.name, name: '', dotted: true, ...(b.alias ? { alias: b.alias } : {}) }
          : {
              from: back.name.slice(0, dot),
              name: back.name.slice(dot + 1),
              ...(b.alias ? { alias: b.alias } : {}),
            },
      );
      api.converted({ ...siteOf(parsed, b.nameNode), kind: 'import', detail: `${target} -> ${back.name}` });
    } else if (allGone) {
      ctx.edits.push(
        planImportRemoval(parsed, stmt, { block, projectPackages: api.project.projectPackages }),
      );
    }
  }
  if (ctx.edits.length === 0 && ctx.imports.length === 0) return undefined;
  return applyWithImports(api, file.source, ctx.edits, ctx.imports);
}
