import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-file.js';
import {
  loadConductorMethods,
  parseConductorMethods,
  parseSignature,
} from '../../src/lint/conductor-methods.js';

const NOVA_GIT = '/work/.mirror/openstack+nova/repo';

/** Public method names defined in a Python file's classes, read from the Nova mirror. */
function novaMethods(tag: string, path: string, classes?: string[]): string[] {
  const src = execFileSync('git', ['--git-dir', NOVA_GIT, 'show', `${tag}:${path}`], { encoding: 'utf8' });
  const out = new Set<string>();
  let cls = '';
  for (const line of src.split('\n')) {
    const c = /^class (\w+)/.exec(line);
    if (c) cls = c[1]!;
    const m = /^ {4}def ([a-z]\w*)\(/.exec(line);
    if (m && (!classes || classes.includes(cls))) out.add(m[1]!);
  }
  return [...out];
}

// The 55 names of the 61 public method definitions in nova/conductor/api.py at 2014.1 (LocalAPI 51,
// LocalComputeTaskAPI 4; API and ComputeTaskAPI re-define 6 of them).
const CONDUCTOR_2014_1 = [
  'wait_until_ready',
  'instance_update',
  'instance_get_by_uuid',
  'instance_destroy',
  'instance_get_all_by_host',
  'instance_get_all_by_host_and_node',
  'instance_get_all_by_filters',
  'instance_get_active_by_window_joined',
  'instance_info_cache_delete',
  'instance_fault_create',
  'migration_get_in_progress_by_host_and_node',
  'aggregate_host_add',
  'aggregate_host_delete',
  'aggregate_metadata_get_by_host',
  'bw_usage_get',
  'bw_usage_update',
  'provider_fw_rule_get_all',
  'agent_build_get_by_triple',
  'block_device_mapping_create',
  'block_device_mapping_update',
  'block_device_mapping_update_or_create',
  'block_device_mapping_get_all_by_instance',
  'vol_get_usage_by_time',
  'vol_usage_update',
  'service_get_all',
  'service_get_all_by_topic',
  'service_get_all_by_host',
  'service_get_by_host_and_topic',
  'service_get_by_compute_host',
  'service_get_by_args',
  'action_event_start',
  'action_event_finish',
  'service_create',
  'service_destroy',
  'compute_node_create',
  'compute_node_update',
  'compute_node_delete',
  'service_update',
  'task_log_get',
  'task_log_begin_task',
  'task_log_end_task',
  'notify_usage_exists',
  'security_groups_trigger_handler',
  'security_groups_trigger_members_refresh',
  'network_migrate_instance_start',
  'network_migrate_instance_finish',
  'quota_commit',
  'quota_rollback',
  'get_ec2_ids',
  'compute_unrescue',
  'object_backport',
  'resize_instance',
  'live_migrate_instance',
  'build_instances',
  'unshelve_instance',
];

const VIRTAPI_2013_1_TO_2014_1 = [
  'instance_update',
  'instance_get_by_uuid',
  'instance_get_all_by_host',
  'aggregate_get_by_host',
  'aggregate_metadata_add',
  'aggregate_metadata_delete',
  'security_group_get_by_instance',
  'security_group_rule_get_by_security_group',
  'provider_fw_rule_get_all',
  'agent_build_get_by_triple',
  'instance_type_get',
  'block_device_mapping_get_all_by_instance',
  'block_device_mapping_update',
  'wait_for_instance_event',
];

describe('rules/conductor-methods.yaml', () => {
  const table = loadConductorMethods();

  it('validates and indexes every method once', () => {
    expect(table.methods.length).toBe(table.byName.size);
    expect(table.get('instance_update')?.kind).toBe('update');
  });

  it('covers every public conductor API method at 2014.1, each mapped or marked none with a reason', () => {
    expect(CONDUCTOR_2014_1).toHaveLength(55);
    for (const name of CONDUCTOR_2014_1) {
      const m = table.get(name);
      expect(m, name).toBeDefined();
      expect(m!.surfaces.conductor, name).toBeDefined();
      if (m!.kind === 'none') expect(m!.reason, name).toBeTruthy();
      else expect([m!.object, m!.objectMethod, m!.since, m!.replacement].every(Boolean), name).toBe(true);
    }
  });

  it('covers every VirtAPI method of 2013.1-2014.1 with the tags it existed in', () => {
    for (const name of VIRTAPI_2013_1_TO_2014_1)
      expect(table.get(name)?.surfaces.virtapi, name).toBeDefined();
    expect(table.get('instance_update')!.surfaces.virtapi!.tags).toEqual(['2013.1', '2013.2', '2014.1']);
    expect(table.get('instance_update')!.surfaces.virtapi!.gone).toBe('2014.2');
    expect(table.get('flavor_get')!.surfaces.virtapi).toBeDefined();
  });

  it.skipIf(!existsSync(NOVA_GIT))(
    'matches the Nova mirror: conductor api.py at 2014.1 and virtapi.py per tag',
    () => {
      const conductor = novaMethods('2014.1', 'nova/conductor/api.py', [
        'LocalAPI',
        'LocalComputeTaskAPI',
        'API',
        'ComputeTaskAPI',
      ]);
      expect(conductor.sort()).toEqual([...CONDUCTOR_2014_1].sort());
      for (const tag of ['2013.1', '2013.2', '2014.1']) {
        for (const name of novaMethods(tag, 'nova/virt/virtapi.py')) {
          const info = table.get(name)?.surfaces.virtapi;
          expect(info?.tags, `${tag} ${name}`).toContain(tag);
        }
      }
    },
  );

  it('names the replacements the issue lists', () => {
    const repl = (n: string) => `${table.get(n)!.object}.${table.get(n)!.objectMethod}`;
    expect(repl('instance_get_by_uuid')).toBe('Instance.get_by_uuid');
    expect(repl('aggregate_get_by_host')).toBe('AggregateList.get_by_host');
    expect(repl('agent_build_get_by_triple')).toBe('Agent.get_by_triple');
    expect(repl('service_get_by_args')).toBe('Service.get_by_args');
    expect(repl('service_update')).toBe('Service.save');
    expect(repl('security_group_get_by_instance')).toBe('SecurityGroupList.get_by_instance');
    expect(repl('block_device_mapping_get_all_by_instance')).toBe(
      'BlockDeviceMappingList.get_by_instance_uuid',
    );
    expect(repl('flavor_get')).toBe('Flavor.get_by_id');
    expect(repl('instance_type_get')).toBe('Flavor.get_by_id');
    expect(table.get('agent_build_get_by_triple')!.since).toBe('2014.2');
    expect(table.get('instance_update')!.since).toBe('2013.2');
  });

  it('parses signatures, defaults and splats', () => {
    expect(parseSignature("f(context, host, key='availability_zone', *args, **kw)", 'f')).toEqual([
      { name: 'context', kind: 'positional' },
      { name: 'host', kind: 'positional' },
      { name: 'key', default: "'availability_zone'", kind: 'positional' },
      { name: 'args', kind: 'varPositional' },
      { name: 'kw', kind: 'varKeyword' },
    ]);
    const upd = table.get('instance_update')!;
    expect(upd.surfaces.conductor!.params.map((p) => p.kind)).toEqual([
      'positional',
      'positional',
      'varKeyword',
    ]);
  });

  it('rejects invalid tables naming the file and entry', () => {
    expect(() =>
      parseConductorMethods('version: 1\nmethods: [{method: x, surfaces: {}, kind: getter}]\n', 'bad.yaml'),
    ).toThrow(ConfigError);
    const unknownParam =
      'version: 1\nmethods:\n  - method: x\n    surfaces: {db: {signature: "x(context)"}}\n    kind: getter\n    object: X\n    objectMethod: get\n    since: "2013.2"\n    replacement: r\n    args: [{param: nope, role: context}]\n';
    expect(() => parseConductorMethods(unknownParam, 'bad.yaml')).toThrow(
      /methods\[0\] \(x\): args maps 'nope'/,
    );
  });
});
