/**
 * xenapi-imports: `nova.virt.xenapi.client` -> `os_xenapi.client`, by qualified name (never by text):
 * every import form (from/as/dotted), names used through `import nova...` chains, string targets of
 * mock.patch / stub_out / importutils, names that moved with the library (`XenAPI.Failure`,
 * `PluginRetriesExceeded`) and the session constructor's `originator=` (rules/xenapi-imports.yaml).
 * New imports go to the third-party group in hacking order; old lines leave the project group.
 * A binding used for a name os-xenapi does not have (per rules/os-xenapi-api.json) is left alone
 * and reported.
 */
import type { CodemodApi, CodemodFile, CodemodMeta, CodemodOptions } from '../src/codemod/types.js';
import { escapeRegex } from '../src/engine/escape-regex.js';
import type { ImportBinding } from '../src/python/bindings.js';
import { planImportRemoval, readImportBlock } from '../src/python/import-block.js';
import { captures, type PyNode } from '../src/python/parser.js';
import { moduleNameForPath, type PyFile } from '../src/python/source-file.js';
import { callArguments, literalString } from '../src/python/syntax-helpers.js';
import type { TextEdit } from '../src/python/text-edits.js';
import { loadOsXenapiIndex } from '../src/xenapi/api-index.js';
import {
  applyWithImports,
  columnOf,
  expressionFor,
  importText,
  localOf,
  maxVersion,
  nameAvailable,
  siteOf,
  type WantedImport,
} from '../src/xenapi/codemod-support.js';
import { loadXenapiImportRules, type XenapiImportRules } from '../src/xenapi/rule-tables.js';

export const meta: CodemodMeta = {
  name: 'xenapi-imports',
  description:
    'nova.virt.xenapi.client -> os_xenapi.client: imports, name chains, mock/stub strings, moved names, originator=',
  fixes: ['legacy-xenapi-import'],
};

const CALL_QUERY = '(call function: (_) @fn) @call';

interface Ctx {
  file: PyFile;
  api: CodemodApi;
  rules: XenapiImportRules;
  edits: TextEdit[];
  imports: WantedImport[];
  minVersion?: string;
}

/** Why a name os_xenapi lacks blocks the rewrite, or undefined when os_xenapi has it. */
function missingInOsXenapi(qualified: string): string | undefined {
  const hit = loadOsXenapiIndex().lookup(qualified);
  if (!hit) return `os-xenapi has no module for ${qualified}`;
  if (hit.symbol && !hit.entry) return `os-xenapi ${hit.module} has no ${hit.symbol.split('.')[0]}`;
  return undefined;
}

/** `from A import x as y` text for one binding moved to its new target. */
function movedImport(newTarget: string, alias: string | undefined): WantedImport {
  const dot = newTarget.lastIndexOf('.');
  return { from: newTarget.slice(0, dot), name: newTarget.slice(dot + 1), ...(alias ? { alias } : {}) };
}

function handleImports(ctx: Ctx): Set<number> {
  const { file, rules, api } = ctx;
  const handledStatements = new Set<number>();
  const byStatement = new Map<number, ImportBinding[]>();
  for (const b of file.bindings.imports) {
    const legacy = b.form === 'import' ? rules.isLegacy(b.module) : rules.isLegacy(b.target);
    if (!legacy) continue;
    const list = byStatement.get(b.statement.id) ?? [];
    list.push(b);
    byStatement.set(b.statement.id, list);
  }
  const block = readImportBlock(file, { projectPackages: api.project.projectPackages });
  for (const bindings of byStatement.values()) {
    const stmt = bindings[0]!.statement;
    if (file.touchesErrorRegion(stmt.startIndex, stmt.endIndex)) {
      api.manual({
        ...siteOf(file, stmt),
        reason: 'import in a region with syntax errors',
        kind: 'legacy-import',
      });
      continue;
    }
    const all =
      stmt.type === 'import_statement'
        ? stmt.childrenForFieldName('name')
        : stmt.childrenForFieldName('name');
    const moving: { b: ImportBinding; wanted: WantedImport | { dottedModule: string; alias?: string } }[] =
      [];
    let blocked = false;
    for (const b of bindings) {
      if (b.form === 'import' || b.form === 'import-as') {
        const fwd = rules.forward(b.module);
        const why = fwd ? missingInOsXenapi(fwd.name) : `no os_xenapi module for ${b.module}`;
        if (!fwd || why) {
          api.manual({ ...siteOf(file, b.nameNode), reason: why!, kind: 'legacy-import' });
          blocked = true;
          continue;
        }
        moving.push({ b, wanted: { dottedModule: fwd.name, ...(b.alias ? { alias: b.alias } : {}) } });
        continue;
      }
      const fwd = rules.forward(b.target);
      if (!fwd) {
        api.manual({
          ...siteOf(file, b.nameNode),
          reason: `no os_xenapi equivalent for ${b.target}`,
          kind: 'legacy-import',
        });
        blocked = true;
        continue;
      }
      // Every use through this binding must exist in os_xenapi.
      const missing = usesMissingInOsXenapi(ctx, b, fwd.name);
      if (missing) {
        api.manual({ ...siteOf(file, missing.node), reason: missing.reason, kind: 'legacy-name' });
        blocked = true;
        continue;
      }
      moving.push({ b, wanted: movedImport(fwd.name, b.alias) });
    }
    if (blocked || moving.length === 0) continue;
    const staying = all.filter((n) => n && !moving.some((m) => m.b.nameNode.id === n.id));
    const wanted: WantedImport[] = moving.map((m) =>
      'dottedModule' in m.wanted
        ? {
            from: m.wanted.dottedModule,
            name: '',
            dotted: true,
            ...(m.wanted.alias ? { alias: m.wanted.alias } : {}),
          }
        : m.wanted,
    );
    const topLevel = stmt.parent?.type === 'module' && !bindings[0]!.inTryImportError;
    // The file's only import line: rewriting it in place keeps the layout around it.
    const onlyLine = block.lines.length === 1 && block.lines[0]!.stmt.id === stmt.id;
    if (topLevel && !onlyLine) {
      if (staying.length === 0) {
        ctx.edits.push(
          planImportRemoval(file, stmt, { block, projectPackages: api.project.projectPackages }),
        );
      } else {
        ctx.edits.push({
          start: stmt.startIndex,
          end: stmt.endIndex,
          text: rebuildStatement(file, stmt, staying),
          label: 'keep',
        });
      }
      ctx.imports.push(...wanted);
    } else {
      // Nested or guarded imports are rewritten in place.
      const indent = ' '.repeat(columnOf(file, stmt));
      const parts = wanted.map(importText);
      if (staying.length) parts.unshift(rebuildStatement(file, stmt, staying));
      ctx.edits.push({
        start: stmt.startIndex,
        end: stmt.endIndex,
        text: parts.join(`${file.newline}${indent}`),
        label: 'nested import',
      });
    }
    for (const m of moving) {
      ctx.minVersion = maxVersion(ctx.minVersion, '0.1.0');
      api.converted({
        ...siteOf(file, m.b.nameNode),
        kind: 'import',
        detail: `${m.b.form === 'import' || m.b.form === 'import-as' ? m.b.module : m.b.target} -> ${
          'dottedModule' in m.wanted ? m.wanted.dottedModule : `${m.wanted.from}.${m.wanted.name}`
        }`,
      });
    }
    handledStatements.add(stmt.id);
  }
  return handledStatements;
}

function rebuildStatement(file: PyFile, stmt: PyNode, names: (PyNode | null)[]): string {
  const list = names.map((n) => file.slice(n!)).join(', ');
  if (stmt.type === 'import_statement') return `import ${list}`;
  const mod = stmt.childForFieldName('module_name')!;
  return `from ${file.slice(mod)} import ${list}`;
}

function usesMissingInOsXenapi(
  ctx: Ctx,
  b: ImportBinding,
  newTarget: string,
): { node: PyNode; reason: string } | undefined {
  for (const ref of ctx.file.bindings.referencesTo(b.target)) {
    if (ref.binding !== b) continue;
    const qn = newTarget + ref.qualifiedName.slice(b.target.length);
    const why = missingInOsXenapi(qn);
    if (why) return { node: ref.node, reason: `${why}: ${ref.qualifiedName} cannot move` };
  }
  return undefined;
}

/** `nova.virt.xenapi.client.session.X` chains through a non-legacy `import nova...` binding. */
function handleChains(ctx: Ctx, handled: Set<number>): void {
  const { file, rules, api } = ctx;
  for (const ref of file.bindings.referencesTo(rules.legacyPackage)) {
    const b = ref.binding;
    if (
      handled.has(b.statement.id) &&
      (b.form === 'import' ? rules.isLegacy(b.module) : rules.isLegacy(b.target))
    ) {
      // The import moved: only dotted `import nova.virt.xenapi.client.x` needs its chains renamed.
      if (b.form !== 'import') continue;
    } else if (b.form !== 'import' && rules.isLegacy(b.target)) continue;
    const prefixNode = chainPrefix(ref.node, ref.qualifiedName, rules);
    if (!prefixNode) continue;
    const legacyPrefix = dottedText(prefixNode);
    const fwd = rules.forward(legacyPrefix);
    if (!fwd) continue;
    const why = missingInOsXenapi(fwd.name + ref.qualifiedName.slice(legacyPrefix.length));
    if (why) {
      api.manual({ ...siteOf(file, ref.node), reason: why, kind: 'legacy-name' });
      continue;
    }
    ctx.edits.push({
      start: prefixNode.startIndex,
      end: prefixNode.endIndex,
      text: fwd.name,
      label: 'chain',
    });
    if (b.form === 'import' && !rules.isLegacy(b.module)) {
      ctx.imports.push({
        from: fwd.name.split('.').slice(0, fwd.rule.new!.split('.').length).join('.'),
        name: '',
        dotted: true,
      });
    }
    api.converted({
      ...siteOf(file, ref.node),
      kind: 'name',
      detail: `${ref.qualifiedName} -> ${fwd.name}${ref.qualifiedName.slice(legacyPrefix.length)}`,
    });
  }
}

/** Within an attribute chain, the node whose dotted text is the longest legacy module prefix. */
function chainPrefix(node: PyNode, qualified: string, rules: XenapiImportRules): PyNode | undefined {
  let cur: PyNode | null = node;
  let best: PyNode | undefined;
  while (cur && cur.type === 'attribute') {
    const text = dottedText(cur);
    if (text && rules.forward(text) && rules.modules.some((m) => m.legacy === text)) {
      best ??= cur;
    }
    cur = cur.childForFieldName('object');
  }
  void qualified;
  return best;
}

function dottedText(node: PyNode): string {
  return node.text.replace(/\s+/g, '');
}

function handleStringTargets(ctx: Ctx): void {
  const { file, rules, api } = ctx;
  // A legacy string target spells the dotted name in one literal.
  if (!rules.mayReferenceLegacy(file.text)) return;
  for (const cap of captures(CALL_QUERY, file.root)) {
    if (cap.name !== 'call') continue;
    const call = cap.node;
    const fn = call.childForFieldName('function');
    if (!fn) continue;
    // Every rule wants a legacy string literal among the positional arguments: look for one
    // before resolving the callee (most calls have none).
    const args = callArguments(call);
    if (
      !args?.positional.some((a) => {
        const v = literalString(a);
        return v !== undefined && rules.isLegacy(v);
      })
    )
      continue;
    const qn = file.bindings.qualifiedName(fn);
    const method = fn.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
    const rule = rules.stringTargets.find((r) => (r.callee ? r.callee === qn : r.method === method));
    if (!rule) continue;
    const arg = args.positional[rule.argument];
    const value = literalString(arg);
    if (!arg || value === undefined || !rules.isLegacy(value)) continue;
    const fwd = rules.forward(value);
    if (rule.action === 'manual' || !fwd) {
      api.manual({
        ...siteOf(file, arg),
        reason: rule.reason ?? `string target ${value} has no os_xenapi equivalent`,
        kind: 'string-target',
      });
      continue;
    }
    const why = missingInOsXenapi(fwd.name);
    if (why) {
      api.manual({
        ...siteOf(file, arg),
        reason: `${why}: cannot retarget '${value}'`,
        kind: 'string-target',
      });
      continue;
    }
    // Only the module prefix changes; it must sit inside one literal piece.
    const legacyPrefix = fwd.rule.legacy;
    const piece =
      arg.type === 'concatenated_string' ? (arg.namedChildren.find((c) => c?.type === 'string') ?? arg) : arg;
    const raw = file.slice(piece);
    const at = raw.indexOf(legacyPrefix);
    const pieceValue = literalString(piece) ?? '';
    if (at < 0 || !pieceValue.startsWith(legacyPrefix)) {
      api.manual({
        ...siteOf(file, arg),
        reason: `string target '${value}' is not written as one plain literal`,
        kind: 'string-target',
      });
      continue;
    }
    ctx.edits.push({
      start: piece.startIndex + at,
      end: piece.startIndex + at + legacyPrefix.length,
      text: fwd.rule.new!,
      label: 'string target',
    });
    api.converted({ ...siteOf(file, arg), kind: 'string-target', detail: `${value} -> ${fwd.name}` });
  }
}

function handleNameMoves(ctx: Ctx): void {
  const { file, rules, api } = ctx;
  for (const move of rules.names) {
    // Every reference spells the moved name's last part (in the chain, or in its import).
    const last = move.legacy.slice(move.legacy.lastIndexOf('.') + 1);
    if (!file.text.includes(last)) continue;
    const sites: PyNode[] = [];
    for (const ref of file.bindings.referencesTo(move.legacy)) {
      if (ref.qualifiedName !== move.legacy && !ref.qualifiedName.startsWith(`${move.legacy}.`)) continue;
      // The node covering exactly the legacy name inside the chain.
      let node: PyNode | null = ref.node;
      const extra = ref.qualifiedName.slice(move.legacy.length).split('.').filter(Boolean).length;
      for (let i = 0; i < extra && node; i++) node = node.childForFieldName('object');
      if (node) sites.push(node);
    }
    const dot = move.legacy.lastIndexOf('.');
    if (move.alsoInDefiningModule && file.moduleName === move.legacy.slice(0, dot)) {
      const local = move.legacy.slice(dot + 1);
      for (const id of file.root.descendantsOfType('identifier')) {
        if (!id || id.text !== local || !isLoad(id)) continue;
        const r = file.bindings.resolve(local, id);
        if (
          r.kind === 'local' &&
          r.scope.type === 'module' &&
          r.sites.some((s) => s.kind === 'class' || s.kind === 'def')
        ) {
          sites.push(id);
        }
      }
    }
    if (sites.length === 0) continue;
    const wanted: WantedImport = {
      from: move.import.from,
      name: move.import.name,
      ...(move.import.as ? { alias: move.import.as } : {}),
    };
    const existing = expressionFor(file, `${move.import.from}.${move.import.name}`, sites[0]!);
    const local = existing ?? localOf(wanted);
    if (!existing && !nameAvailable(file, local, sites, `${move.import.from}.${move.import.name}`)) {
      for (const s of sites) {
        api.manual({
          ...siteOf(file, s),
          reason: `${move.legacy} moved to ${move.new}, but the name '${local}' is taken here`,
          kind: 'moved-name',
        });
      }
      continue;
    }
    const tail = move.new.slice(`${move.import.from}.${move.import.name}`.length);
    for (const s of sites) {
      ctx.edits.push({ start: s.startIndex, end: s.endIndex, text: `${local}${tail}`, label: 'moved name' });
      api.converted({ ...siteOf(file, s), kind: 'moved-name', detail: `${move.legacy} -> ${move.new}` });
    }
    if (!existing) ctx.imports.push(wanted);
    ctx.minVersion = maxVersion(ctx.minVersion, move.since);
  }
}

/** An identifier read as a value (not a def/class name, parameter, assignment target or keyword). */
function isLoad(id: PyNode): boolean {
  const p = id.parent;
  if (!p) return false;
  if (
    (p.type === 'class_definition' || p.type === 'function_definition') &&
    p.childForFieldName('name')?.id === id.id
  )
    return false;
  if (p.type === 'attribute' && p.childForFieldName('attribute')?.id === id.id) return false;
  if (p.type === 'keyword_argument' && p.childForFieldName('name')?.id === id.id) return false;
  if (p.type === 'assignment' && p.childForFieldName('left')?.id === id.id) return false;
  if (
    p.type === 'parameters' ||
    p.type === 'default_parameter' ||
    p.type === 'dotted_name' ||
    p.type === 'aliased_import'
  )
    return false;
  return true;
}

function handleCallChanges(ctx: Ctx, options: CodemodOptions): void {
  const { file, rules, api } = ctx;
  for (const change of rules.callChanges) {
    const back = rules.backward(change.callee);
    if (!back) continue;
    for (const ref of file.bindings.referencesTo(back.name)) {
      if (ref.qualifiedName !== back.name) continue;
      const call = ref.node.parent;
      if (call?.type !== 'call' || call.childForFieldName('function')?.id !== ref.node.id) continue;
      const args = callArguments(call);
      if (!args) continue;
      const missing = change.addKeywords.filter((k) => !args.keywords.has(k.name));
      if (missing.length === 0) continue;
      const site = siteOf(file, call);
      if (args.starArgs.length || args.starKwargs.length) {
        api.manual({
          ...site,
          reason: `${change.callee} now takes ${missing.map((k) => k.name).join(', ')}; the call passes *args/**kwargs`,
          kind: 'call-signature',
        });
        continue;
      }
      const unknownKw = [...args.keywords.keys()].find((k) => !change.legacyParams.includes(k));
      if (args.positional.length > change.legacyParams.length || unknownKw) {
        api.manual({
          ...site,
          reason: `${change.callee}: arguments beyond (${change.legacyParams.join(', ')}) would land on the new parameters`,
          kind: 'call-signature',
        });
        continue;
      }
      const added = missing.map((k) => {
        const opt = k.option ? options[k.option] : undefined;
        return `${k.name}=${typeof opt === 'string' ? JSON.stringify(opt) : k.value}`;
      });
      const list = args.list;
      const lastArg = [...list.namedChildren].reverse().find((c) => c && c.type !== 'comment');
      const insertAt = lastArg ? lastArg.endIndex : list.startIndex + 1;
      const lineNo = file.position(insertAt).line;
      const lineStart = file.lineStart(lineNo);
      const lineEnd = file.lineEnd(lineNo);
      const lineLen = lineEnd - lineStart + shift(ctx.edits, lineStart, lineEnd);
      const addition = added.join(', ');
      const openLine = file.position(list.startIndex).line;
      const openCol = columnOf(file, list) + 1 + shift(ctx.edits, file.lineStart(openLine), list.startIndex);
      const text =
        lastArg && lineLen + 2 + addition.length > 79
          ? `,${file.newline}${' '.repeat(openCol)}${addition}`
          : `${lastArg ? ', ' : ''}${addition}`;
      ctx.edits.push({ start: insertAt, end: insertAt, text, label: 'call signature' });
      api.converted({ ...site, kind: 'call-signature', detail: `${change.callee}: + ${added.join(', ')}` });
      ctx.minVersion = maxVersion(ctx.minVersion, change.since);
    }
  }
}

/** Length change the planned edits make inside [from, to) (edits wholly inside only). */
function shift(edits: readonly TextEdit[], from: number, to: number): number {
  let d = 0;
  for (const e of edits) if (e.start >= from && e.end <= to) d += e.text.length - (e.end - e.start);
  return d;
}

interface MovedNameText {
  /** The module the name moved from (`nova.virt.xenapi.fake`) and its last part (`fake`). */
  module: string;
  moduleWord: string;
  /** The name's last part (`Failure`), as a whole word. */
  name: string;
  word: RegExp;
  alsoInDefiningModule: boolean;
}

const movedNamesOf = new WeakMap<XenapiImportRules, MovedNameText[]>();

/**
 * Whether the transform can find anything in a file, from its path and text: it is a legacy module
 * (reported), its text may reach the legacy package (imports, chains, string targets, and so the
 * callees whose signature changed), or it may use a moved name: every reference spells the name
 * and, in its import or its chain, its module's last part (`fake` for `fake.Failure`), or the file
 * is the module that defines it.
 */
function mayChange(file: CodemodFile, rules: XenapiImportRules): boolean {
  const module = moduleNameForPath(file.relPath)?.moduleName;
  if (module && rules.isLegacy(module)) return true;
  if (rules.mayReferenceLegacy(file.source)) return true;
  let moved = movedNamesOf.get(rules);
  if (!moved) {
    moved = rules.names.map((n) => {
      const dot = n.legacy.lastIndexOf('.');
      const from = n.legacy.slice(0, dot);
      const name = n.legacy.slice(dot + 1);
      return {
        module: from,
        moduleWord: from.slice(from.lastIndexOf('.') + 1),
        name,
        word: new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegex(name)}(?![\\p{L}\\p{N}_])`, 'u'),
        alsoInDefiningModule: n.alsoInDefiningModule === true,
      };
    });
    movedNamesOf.set(rules, moved);
  }
  const text = file.source;
  return moved.some(
    (m) =>
      (m.alsoInDefiningModule && module === m.module) ||
      (text.includes(m.moduleWord) && text.includes(m.name) && m.word.test(text)),
  );
}

export default function transform(
  file: CodemodFile,
  api: CodemodApi,
  options: CodemodOptions,
): string | undefined {
  const rulesTable = loadXenapiImportRules();
  if (!mayChange(file, rulesTable)) return undefined;
  const parsed = api.parse();
  if (parsed.moduleName && rulesTable.isLegacy(parsed.moduleName)) {
    api.manual({
      line: 1,
      column: 1,
      reason: `${parsed.moduleName} is the client os-xenapi replaces: delete it rather than rewrite it`,
      kind: 'legacy-module',
    });
    return undefined;
  }
  const ctx: Ctx = { file: parsed, api, rules: loadXenapiImportRules(), edits: [], imports: [] };
  const handled = handleImports(ctx);
  handleChains(ctx, handled);
  handleStringTargets(ctx);
  handleNameMoves(ctx);
  // Last: its line wrapping accounts for the renames planned on the same line.
  handleCallChanges(ctx, options);
  if (ctx.edits.length === 0 && ctx.imports.length === 0) return undefined;
  if (ctx.minVersion) api.note('minimum os-xenapi', ctx.minVersion);
  return applyWithImports(api, file.source, ctx.edits, ctx.imports);
}
