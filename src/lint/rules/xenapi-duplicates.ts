/**
 * xenapi-duplicates: code that duplicates os-xenapi, found by structural fingerprint against the
 * os-xenapi API index (rules/os-xenapi-api.json, `fingerprints`): copies of os-xenapi modules, an
 * in-tree `XenAPISession`-like class, copies of the dom0 plugins (`etc/xapi.d/plugins/*`, the
 * extension-less Python 2 files included), functions copied from either, and helpers that wrap a
 * dom0 plugin call the way an `os_xenapi.client.*` function does. Each finding names the os-xenapi
 * module (or plugin) and releases it duplicates and a similarity score; thresholds are options
 * (`lint.rules.xenapi-duplicates.options`, schema config-duplicates). The project's own dom0 plugin
 * version check is reported too (os-xenapi's session performs it). `xenapi-cleanup` deletes what
 * nothing imports any more.
 */
import {
  type Duplicate,
  detectDuplicates,
  isPluginPath,
  isTestPath,
  looksLikePython,
} from '../../duplicates/detect.js';
import { describeMatch, fingerprintIndexFor, releaseSpan } from '../../duplicates/matcher.js';
import type { DuplicatesOptions } from '../../duplicates/options.js';
import { findVersionCheck, mayHaveVersionCheck } from '../../duplicates/version-check.js';
import { loadOsXenapiIndex } from '../../xenapi/api-index.js';
import type { LintRule } from '../types.js';

function message(d: Duplicate): string {
  const m = d.match;
  const where = `${describeMatch(m)} (os-xenapi ${releaseSpan(m)})`;
  const score = `similarity ${m.score.toFixed(2)}`;
  switch (d.kind) {
    case 'plugin':
      return `copy of ${where}, ${score}: os-xenapi ships the dom0 plugins`;
    case 'module':
      return `module duplicates ${where}, ${score}`;
    case 'class':
      return `class ${d.name} duplicates ${where}, ${score}`;
    case 'function':
      return `${d.name.includes('.') ? 'method' : 'function'} ${d.name} duplicates ${where}, ${score}`;
    case 'wrapper': {
      const p = d.plugin!;
      return (
        `${d.name} wraps the dom0 plugin call ${p.plugin}/${p.function}${p.subcommand ? ` ${p.subcommand}` : ''} ` +
        `like ${m.module}.${m.name}() (os-xenapi ${m.from}+), ${score}`
      );
    }
  }
}

export const xenapiDuplicates: LintRule = {
  meta: {
    id: 'xenapi-duplicates',
    title: 'code that duplicates os-xenapi (session class, dom0 plugins, plugin-call wrappers)',
    description:
      'A module, class, function or dom0 plugin file whose normalised token shape and control flow match ' +
      'os-xenapi code (names, strings, comments and formatting ignored), or a helper that wraps a dom0 plugin ' +
      'call that an os_xenapi.client function already wraps. Use os-xenapi instead; xenapi-cleanup deletes ' +
      'the copies once nothing imports them.',
    severity: 'warning',
    docs: 'README.md#xenapi-duplicates',
    fixableBy: 'xenapi-cleanup',
    scope: ['**/*.py', '**/etc/xapi.d/plugins/*'],
    // os-xenapi itself.
    exclude: ['os_xenapi/**'],
    triggers: ['XenAPI', 'xenapi', 'call_plugin'],
    files: ['**/etc/xapi.d/plugins/*'],
  },
  // In tests only the plugin version check is looked for (see below), and it needs its own words.
  mayMatch: (relPath, text) => !isTestPath(relPath) || mayHaveVersionCheck(text),
  check(ctx) {
    const { relPath, file } = ctx;
    // Extension-less files: only Python plugins (shebang or content), never READMEs or specs.
    if (!relPath.endsWith('.py') && !(isPluginPath(relPath) && looksLikePython(file.text))) return;
    const index = fingerprintIndexFor(loadOsXenapiIndex());
    const options = ctx.options as Partial<DuplicatesOptions> | undefined;
    // Test modules exercise the library; they do not re-implement it. Skipping their structural
    // comparison keeps the rule cheap on large XenAPI test suites; the tests of a deleted copy go
    // with it through xenapi-cleanup's import graph, and the plugin version check's tests are
    // still found below.
    const duplicates = isTestPath(relPath)
      ? []
      : detectDuplicates(file, relPath, { index, ...(options ? { options } : {}) });
    for (const d of duplicates) {
      const m = d.match;
      const node = d.kind === 'module' || d.kind === 'plugin' ? undefined : d.node.childForFieldName('name');
      ctx.report({
        ...(node ? { node } : { start: 0, end: 0 }),
        message: message(d),
        severity: d.kind === 'wrapper' ? 'info' : 'warning',
        fix: { codemod: 'xenapi-cleanup', description: 'delete once nothing imports it' },
        data: {
          kind: d.kind,
          unit: d.name,
          osXenapi: m.id,
          osXenapiKind: m.kind,
          module: m.module,
          ...(m.name ? { symbol: m.name } : {}),
          from: m.from,
          to: m.to,
          score: m.score,
          tokenSimilarity: m.tokenSimilarity,
          flowSimilarity: m.flowSimilarity,
          ...(d.plugin ? { plugin: d.plugin } : {}),
        },
      });
    }
    const check = findVersionCheck(file);
    for (const site of check.sites) {
      ctx.report({
        node: site.node,
        severity: 'info',
        message: `dom0 plugin version check (${site.what}): os_xenapi's XenAPISession checks the dom0 plugin version itself`,
        fix: { codemod: 'xenapi-cleanup', description: 'remove the version check' },
        data: { kind: 'version-check', site: site.kind },
      });
    }
  },
};
