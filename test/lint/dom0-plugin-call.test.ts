import { describe, it } from 'vitest';
import { RuleTester } from '../../src/lint/rule-tester.js';
import { dom0PluginCall } from '../../src/lint/rules/dom0-plugin-call.js';

RuleTester.describe = describe;
RuleTester.it = it;

const tester = new RuleTester({ filename: 'nova/virt/xenapi/host.py' });

tester.run('dom0-plugin-call', dom0PluginCall, {
  valid: [
    {
      name: 'a computed plugin or function name',
      code: `
def call_xenhost(session, method, arg_dict):
    return session.call_plugin('xenhost.py', method, arg_dict)
`,
    },
    {
      name: 'a network_config call whose subcommand is not literal',
      code: `
def run(session, cmd, args):
    return session.call_plugin_serialized('xenhost.py', 'network_config', {'cmd': cmd, 'args': args})
`,
    },
    {
      name: 'a definition, not a call',
      code: `
class Session(object):
    def call_plugin(self, plugin, fn, args):
        return self.call_xenapi('host.call_plugin', plugin, fn, args)
`,
    },
  ],
  invalid: [
    {
      name: 'a plugin function os-xenapi never wrapped: info, not convertible',
      code: `
def join(session, args):
    session.call_plugin('xenhost.py', 'host_join', args)
    session.call_plugin_serialized('xenhost.py', 'network_config', {'cmd': 'ovs_add_patch_port', 'args': {}})
`,
      errors: [
        {
          line: 3,
          severity: 'info',
          message:
            /^dom0 plugin call xenhost\.py\/host_join has no os-xenapi function: no python function in os-xenapi/,
        },
        { line: 4, severity: 'info', data: { subcommand: 'ovs_add_patch_port', convertible: false } },
      ],
    },
    {
      name: "Nova's call_xenhost wrapper with a literal method",
      code: `
class Host(object):
    def uptime(self):
        return call_xenhost(self._session, 'host_uptime', {})

    def reboot(self, action):
        return call_xenhost(self._session, action, {})
`,
      errors: [
        {
          line: 4,
          message:
            /via call_xenhost\(\): os-xenapi 0\.2\.0\+ provides os_xenapi\.client\.host_management\.get_host_uptime\(\)/,
        },
      ],
    },
    {
      name: 'each call form, with and without .py',
      code: `
class HostState(object):
    def update(self, session, dev, start, end):
        data = self._session.call_plugin('xenhost', 'host_data', {})
        bw = session.call_plugin_serialized('bandwidth', 'fetch_all_bandwidth')
        session.call_plugin_serialized('partition_utils.py', 'make_partition', dev, start, end)
        session.call_plugin_serialized('xenhost.py', 'network_config', {'cmd': 'ovs_add_port', 'args': {'bridge_name': 'b', 'port_name': 'p'}})
        return data, bw
`,
      errors: [
        {
          message:
            'dom0 plugin call xenhost.py/host_data via call_plugin(): os-xenapi 0.2.0+ provides os_xenapi.client.host_management.get_host_data(); use host_management.get_host_data(self._session)',
          line: 4,
          suggestion: 'host_management.get_host_data(self._session)',
          data: { plugin: 'xenhost.py', function: 'host_data', osXenapiVersion: '0.2.0' },
        },
        { line: 5, suggestion: 'host_network.fetch_all_bandwidth(session)' },
        {
          line: 6,
          suggestion: 'disk_management.make_partition(session, dev, partition_start, partition_end)',
        },
        {
          line: 7,
          suggestion: 'host_network.ovs_add_port(session, bridge, port)',
          data: { subcommand: 'ovs_add_port' },
        },
      ],
    },
    {
      name: 'glance with retry',
      filename: 'nova/virt/xenapi/image/glance.py',
      code: `
def download(session, retries, pick, params):
    return session.call_plugin_serialized_with_retry('glance.py', 'download_vhd2', retries, pick, **params)
`,
      errors: [{ message: /provides os_xenapi\.client\.host_glance\.download_vhd\(\)/ }],
    },
  ],
});
