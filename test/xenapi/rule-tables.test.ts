import { describe, expect, it } from 'vitest';
import { loadOsXenapiIndex } from '../../src/xenapi/api-index.js';
import {
  loadPluginCallTable,
  loadXenapiImportRules,
  normalizePluginName,
} from '../../src/xenapi/rule-tables.js';

describe('rules/xenapi-imports.yaml', () => {
  const rules = loadXenapiImportRules();

  it('maps legacy names through the longest module rename', () => {
    expect(rules.forward('nova.virt.xenapi.client.session.XenAPISession')?.name).toBe(
      'os_xenapi.client.session.XenAPISession',
    );
    expect(rules.forward('nova.virt.xenapi.client')?.name).toBe('os_xenapi.client');
    expect(rules.forward('nova.virt.xenapi.vmops')).toBeUndefined();
    expect(rules.backward('os_xenapi.client.objects.VBD')?.name).toBe('nova.virt.xenapi.client.objects.VBD');
    expect(rules.backward('os_xenapi.client.XenAPI.Failure')?.rule.reverse).toBe(false);
  });

  it('records the session constructor originator change and the moved names', () => {
    const change = rules.callChange('os_xenapi.client.session.XenAPISession');
    expect(change?.legacyParams).toEqual(['url', 'user', 'pw']);
    expect(change?.addKeywords[0]?.name).toBe('originator');
    expect(rules.nameMove('nova.virt.xenapi.fake.Failure')?.new).toBe('os_xenapi.client.XenAPI.Failure');
    expect(rules.nameMove('nova.exception.PluginRetriesExceeded')?.import).toEqual({
      from: 'os_xenapi.client',
      name: 'exception',
      as: 'xenapi_exception',
    });
  });
});

describe('rules/xenapi-plugin-calls.yaml', () => {
  const table = loadPluginCallTable();

  it('looks entries up by plugin (with or without .py), function and subcommand', () => {
    expect(normalizePluginName('xenhost')).toBe('xenhost.py');
    expect(table.lookup('bandwidth', 'fetch_all_bandwidth')?.python?.function).toBe('fetch_all_bandwidth');
    expect(
      table.lookup('xenhost.py', 'network_config', 'brctl_set_stp')?.python?.params.map((p) => p.key),
    ).toEqual(['bridge_name', 'option']);
    expect(table.hasSubcommands('xenhost.py', 'network_config')).toBe(true);
    expect(table.hasSubcommands('xenhost.py', 'host_data')).toBe(false);
    expect(table.byPythonFunction('os_xenapi.client.vm_management.receive_vhd')?.function).toBe(
      'move_vhds_into_sr',
    );
  });

  it('gives a reason for every entry point without a python function', () => {
    const none = table.entries.filter((e) => e.python === null);
    expect(none.length).toBeGreaterThan(10);
    for (const e of none) expect(e.reason, `${e.plugin} ${e.function}`).toBeTruthy();
  });

  it('maps every python parameter from exactly the source its style allows', () => {
    for (const e of table.entries) {
      if (!e.python) continue;
      for (const p of e.python.params) {
        if (e.style === 'dict' || e.subcommand) expect(p.key, `${e.function}.${p.name}`).toBeDefined();
        else if (p.arg) expect(e.dom0Params, `${e.function}`).toContain(p.arg);
        else expect(e.style).toBe('serialized-with-retry');
      }
    }
  });
});

describe('rules/xenapi-plugin-calls.yaml agrees with the generated os-xenapi index', () => {
  const table = loadPluginCallTable();
  const index = loadOsXenapiIndex();

  it('every python entry is a wrapper of that plugin entry point, from that version, with the same routes', () => {
    for (const e of table.entries) {
      if (!e.python) continue;
      const name = `${e.python.module}.${e.python.function}`;
      const w = index.pluginWrapper(name);
      expect(w, name).toBeDefined();
      expect([w!.plugin, w!.pluginFunction, w!.subcommand], name).toEqual([
        e.plugin,
        e.function,
        e.subcommand,
      ]);
      expect(index.firstVersionOf(name), name).toBe(e.python.since);
      expect(w!.returnsResult, `${name} returnsResult`).toBe(e.python.returnsResult);
      for (const p of e.python.params) {
        const route = w!.arguments.find((a) => a.param === p.name);
        expect(route, `${name}(${p.name})`).toBeDefined();
        if (p.key) expect(route!.key, `${name}(${p.name})`).toBe(p.key);
        if (p.retry) expect(route!.name, `${name}(${p.name})`).toBe(p.retry);
        if (p.arg && route!.via === 'kwarg') expect(route!.name).toBe(p.arg);
        if (p.arg && route!.via === 'arg') expect(e.dom0Params![route!.index!]).toBe(p.arg);
      }
      // The python signature after `session` is exactly the table's parameter list.
      const sig = index.signatureAt(name, index.latest)!;
      expect(
        sig.params!.slice(1).map((p) => p.name),
        name,
      ).toEqual(e.python.params.map((p) => p.name));
    }
  });

  it('every dom0 entry point the index knows is in the table with its style and first version', () => {
    for (const [plugin, info] of Object.entries(index.data.dom0Plugins ?? {})) {
      for (const [ep, meta] of Object.entries(info.entryPoints)) {
        const entry = table.entries.find((e) => e.plugin === plugin && e.function === ep);
        expect(entry, `${plugin} ${ep}`).toBeDefined();
        expect(entry!.dom0Since, `${plugin} ${ep}`).toBe(meta.firstVersion);
        expect(entry!.style === 'dict' ? 'dict' : 'serialized', `${plugin} ${ep}`).toBe(meta.style);
      }
      for (const [sub, range] of Object.entries(info.subcommands ?? {})) {
        const entry = table.lookup(plugin, 'network_config', sub);
        expect(entry, `${plugin} ${sub}`).toBeDefined();
        expect(entry!.dom0Since, `${plugin} ${sub}`).toBe(range.from);
      }
    }
  });
});
