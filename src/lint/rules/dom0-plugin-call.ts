/**
 * dom0-plugin-call: `S.call_plugin(...)`, `S.call_plugin_serialized(...)` and
 * `S.call_plugin_serialized_with_retry(...)` with a literal plugin and function (and, for
 * xenhost.py network_config, a literal subcommand) that os-xenapi wraps in a python function. The
 * finding names the function and the first os-xenapi release that provides it.
 */
import { callsByName } from '../../python/call-sites.js';
import { callArguments, literalDict, literalString } from '../../python/syntax-helpers.js';
import { normalizePluginName, PLUGIN_CALL_METHODS } from '../../xenapi/rule-tables.js';
import { isMoxRecording } from '../mox.js';
import type { LintRule } from '../types.js';

/**
 * Nova's own plugin-call wrappers (migrations.md B.4): `call_xenhost(session, method, arg_dict)` in
 * nova/virt/xenapi/host.py calls `session.call_plugin('xenhost.py', method, arg_dict)`.
 */
const WRAPPERS: Record<string, { plugin: string; sessionArg: number; fnArg: number }> = {
  call_xenhost: { plugin: 'xenhost.py', sessionArg: 0, fnArg: 1 },
};

export const dom0PluginCall: LintRule = {
  meta: {
    id: 'dom0-plugin-call',
    title: 'dom0 plugin call that os-xenapi wraps in a python function',
    description:
      'A raw XenAPI plugin call (call_plugin / call_plugin_serialized[_with_retry]) with a literal plugin and ' +
      'function that os-xenapi exposes as a python function; the function hides the argument encoding and the ' +
      'plugin version contract.',
    severity: 'warning',
    docs: 'README.md#dom0-plugin-call',
    fixableBy: 'xenapi-plugin-calls',
    scope: ['**/*.py'],
    exclude: ['nova/virt/xenapi/client/**'],
    triggers: ['call_plugin', 'call_xenhost'],
  },
  check(ctx) {
    const table = ctx.tables.pluginCalls;
    for (const site of callsByName(ctx.file, [...PLUGIN_CALL_METHODS, ...Object.keys(WRAPPERS)])) {
      const call = site.call;
      const method = site.name;
      const wrapper = Object.hasOwn(WRAPPERS, method.text) ? WRAPPERS[method.text] : undefined;
      // Plugin calls go through a session; wrappers are module functions, bare or qualified.
      if (!wrapper && !site.receiver) continue;
      let session = site.receiver;
      let plugin: string | undefined;
      let fn: string | undefined;
      const args = callArguments(call);
      if (!args) continue;
      if (wrapper) {
        // A wrapper's own body passes a computed name and is skipped below.
        session = args.positional[wrapper.sessionArg];
        plugin = wrapper.plugin;
        fn = literalString(args.positional[wrapper.fnArg]);
      } else {
        plugin = literalString(args.positional[0] ?? args.keywords.get('plugin'));
        fn = literalString(args.positional[1] ?? args.keywords.get('fn'));
      }
      if (!session || !method || !call || plugin === undefined || fn === undefined) continue;
      if (isMoxRecording(call)) continue;
      let subcommand: string | undefined;
      if (table.hasSubcommands(plugin, fn)) {
        const envelope = literalDict(args.positional[2] ?? args.keywords.get('args'));
        subcommand = literalString(envelope?.find((e) => e.key === 'cmd')?.value);
        if (subcommand === undefined) continue;
      }
      const entry = table.lookup(plugin, fn, subcommand);
      if (!entry) continue;
      if (!entry.python) {
        ctx.report({
          node: call,
          severity: 'info',
          message: `dom0 plugin call ${normalizePluginName(plugin)}/${fn} has no os-xenapi function: ${entry.reason ?? 'stays a raw plugin call'}`,
          data: {
            plugin: normalizePluginName(plugin),
            function: fn,
            ...(subcommand ? { subcommand } : {}),
            convertible: false,
          },
        });
        continue;
      }
      const py = entry.python;
      const modShort = py.module.split('.').pop()!;
      const sessionText = ctx.file.slice(session);
      const params = [sessionText, ...py.params.filter((p) => !p.optional).map((p) => p.name)];
      const replacement = `${modShort}.${py.function}(${params.join(', ')})`;
      const what = `${normalizePluginName(plugin)}/${fn}${subcommand ? ` ${subcommand}` : ''}`;
      ctx.report({
        node: call,
        message:
          `dom0 plugin call ${what} via ${method.text}(): os-xenapi ${py.since}+ provides ` +
          `${py.module}.${py.function}(); use ${replacement}`,
        suggestion: replacement,
        fix: { codemod: 'xenapi-plugin-calls', description: `call ${py.module}.${py.function}` },
        data: {
          plugin: normalizePluginName(plugin),
          function: fn,
          ...(subcommand ? { subcommand } : {}),
          module: py.module,
          pythonFunction: py.function,
          osXenapiVersion: py.since,
        },
      });
    }
  },
};
