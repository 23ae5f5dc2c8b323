/**
 * legacy-xenapi-import: any reference to `nova.virt.xenapi.client`, the XenAPI client that moved to
 * os-xenapi (Nova 15.0.0): every import form and alias (`import nova.virt.xenapi.client.session as s`,
 * `from nova.virt.xenapi import client`, relative imports), attribute chains that spell the module
 * through a parent import (`nova.virt.xenapi.client.session.X` after `import nova`), and string
 * targets of the calls the xenapi-imports table lists (mock.patch, stub_out, importutils...). Log
 * messages and other strings that merely contain the name are not references.
 */
import type { PyNode } from '../../python/parser.js';
import { callArguments, literalString } from '../../python/syntax-helpers.js';
import { legacyReferencePatterns, type StringTargetCall } from '../../xenapi/rule-tables.js';
import { queryMatches } from '../query.js';
import type { LintRule, RuleContext } from '../types.js';

const STRING_ARG_QUERY = `(call function: (_) @fn arguments: (argument_list (string) @s)) @call`;

function isUnder(name: string, prefix: string): boolean {
  return name === prefix || name.startsWith(`${prefix}.`);
}

function stringTargetFor(ctx: RuleContext, fn: PyNode): StringTargetCall[] {
  const rules = ctx.tables.xenapiImports.stringTargets;
  const qn = ctx.file.bindings.qualifiedNames(fn);
  const method =
    fn.type === 'attribute'
      ? fn.childForFieldName('attribute')?.text
      : fn.type === 'identifier'
        ? fn.text
        : undefined;
  return rules.filter((r) =>
    r.callee ? qn.includes(r.callee) : r.method !== undefined && r.method === method,
  );
}

/** Every way source text can reach `nova.virt.xenapi.client` (see `legacyReferencePatterns`). */
const LEGACY_CLIENT_TEXT = legacyReferencePatterns('nova.virt.xenapi.client');

export const legacyXenapiImport: LintRule = {
  meta: {
    id: 'legacy-xenapi-import',
    title: 'Reference to nova.virt.xenapi.client (moved to os_xenapi.client)',
    description:
      "Nova's in-tree XenAPI client moved to the os-xenapi library in Nova 15.0.0; code that still imports or " +
      'patches nova.virt.xenapi.client breaks when the package is gone.',
    severity: 'error',
    docs: 'README.md#legacy-xenapi-import',
    fixableBy: 'xenapi-imports',
    scope: ['**/*.py'],
    exclude: ['nova/virt/xenapi/client/**'],
    // `nova.virt.xenapi.client...`, `from nova.virt.xenapi import client`, `from . import client`,
    // `from .client import session` (inside nova/virt/xenapi).
    triggers: ['client'],
  },
  mayMatch: (_relPath, text) => LEGACY_CLIENT_TEXT.some((re) => re.test(text)),
  check(ctx) {
    const rules = ctx.tables.xenapiImports;
    const legacy = rules.legacyPackage;
    const b = ctx.file.bindings;
    // 1. Import statements whose binding is the legacy package or below it.
    for (const imp of b.imports) {
      const targets = [imp.target, imp.module];
      if (!targets.some((t) => isUnder(t, legacy))) continue;
      const name = isUnder(imp.target, legacy) ? imp.target : imp.module;
      const fwd = rules.forward(name);
      const uses = b.referencesTo(imp.target).filter((r) => r.binding === imp).length;
      ctx.report({
        node: imp.nameNode,
        message:
          `import of ${name}, which moved to os-xenapi` +
          (fwd ? `: use ${fwd.name} (os-xenapi ${fwd.rule.since}+)` : '') +
          (uses ? ` (${uses} use${uses === 1 ? '' : 's'} in this file)` : ''),
        ...(fwd ? { suggestion: fwd.name } : {}),
        fix: { codemod: 'xenapi-imports', description: 'import from os_xenapi.client' },
        data: { module: name, ...(fwd ? { replacement: fwd.name, since: fwd.rule.since } : {}) },
      });
    }
    // 2. Attribute chains that spell the legacy module through a parent import (`import nova`).
    const refs = b.referencesTo(legacy);
    const viaLegacyImport = new Set(
      refs
        .filter((r) => isUnder(r.binding.target, legacy) || isUnder(r.binding.module, legacy))
        .map((r) => r.node.id),
    );
    const done = new Set<number>();
    for (const ref of refs) {
      // Uses through a reported import are counted on it; `import a` + `import a.b.client` bind `a` twice.
      if (viaLegacyImport.has(ref.node.id) || done.has(ref.node.id)) continue;
      done.add(ref.node.id);
      const fwd = rules.forward(ref.qualifiedName);
      ctx.report({
        node: ref.node,
        message: `reference to ${ref.qualifiedName}, which moved to os-xenapi${fwd ? `: use ${fwd.name}` : ''}`,
        ...(fwd ? { suggestion: fwd.name } : {}),
        fix: { codemod: 'xenapi-imports', description: 'import from os_xenapi.client' },
        data: { module: ref.qualifiedName, ...(fwd ? { replacement: fwd.name, since: fwd.rule.since } : {}) },
      });
    }
    // 3. String targets (mock.patch('nova.virt.xenapi.client.session.X'), stub_out, importutils).
    if (!ctx.file.text.includes(legacy)) return;
    const seen = new Set<number>();
    for (const m of queryMatches(STRING_ARG_QUERY, ctx.file.root)) {
      const { fn, s, call } = m.nodes;
      if (!fn || !s || !call || seen.has(s.id)) continue;
      seen.add(s.id);
      const value = literalString(s);
      if (value === undefined || !isUnder(value, legacy)) continue;
      const args = callArguments(call);
      if (!args) continue;
      const index = args.positional.findIndex((a) => a.id === s.id);
      const target = stringTargetFor(ctx, fn).find((r) => r.argument === index);
      if (!target) continue;
      const fwd = rules.forward(value);
      ctx.report({
        node: s,
        message:
          `string target '${value}' names nova.virt.xenapi.client, which moved to os-xenapi` +
          (fwd ? `: use '${fwd.name}'` : '') +
          (target.action === 'manual' && target.reason ? ` (needs a human: ${target.reason})` : ''),
        ...(fwd ? { suggestion: fwd.name } : {}),
        ...(target.action === 'rewrite'
          ? { fix: { codemod: 'xenapi-imports', description: 'rewrite the string target' } }
          : {}),
        data: { module: value, ...(fwd ? { replacement: fwd.name } : {}), action: target.action },
      });
    }
  },
};
