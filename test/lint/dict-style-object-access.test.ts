import { describe, it } from 'vitest';
import { RuleTester } from '../../src/lint/rule-tester.js';
import { dictStyleObjectAccess } from '../../src/lint/rules/dict-style-object-access.js';

RuleTester.describe = describe;
RuleTester.it = it;

const tester = new RuleTester({ filename: 'nova/virt/libvirt/driver.py' });

tester.run('dict-style-object-access', dictStyleObjectAccess, {
  valid: [
    {
      name: 'a real dict named instance in a helper that is not a driver method',
      code: `
def _build(instance_type):
    instance = {'uuid': 'u', 'host': 'h'}
    return instance['uuid'], instance.get('host')
`,
    },
    {
      name: 'a driver method that rebinds instance to a dict',
      code: `
class Driver(object):
    def spawn(self, context, instance, image_meta):
        instance = {'name': 'x'}
        return instance['name']
`,
    },
    {
      name: 'a driver method that checks for a dict first (shim)',
      code: `
class Driver(object):
    def unfilter_instance(self, instance, network_info):
        if isinstance(instance, dict):
            return instance['uuid']
        return instance.uuid
`,
    },
    {
      name: 'attribute access, non-literal keys, other parameters',
      code: `
class Driver(object):
    def get_info(self, instance):
        key = 'uuid'
        return instance.uuid, instance[key], self.stats['instance']
`,
    },
    {
      name: 'a nested function with its own instance parameter',
      code: `
class Driver(object):
    def destroy(self, context, instance, network_info):
        def _inner(instance):
            return instance['name']
        return _inner({'name': instance.name})
`,
    },
    {
      name: 'a module-level function named like a driver method',
      code: `
def get_info(instance):
    return instance['power_state']
`,
    },
  ],
  invalid: [
    {
      name: 'reads, get and writes on the instance object',
      code: `
class LibvirtDriver(driver.ComputeDriver):
    def attach_volume(self, context, connection_info, instance, mountpoint):
        name = instance['name']
        host = instance.get('host')
        instance['task_state'] = None
        return name, host
`,
      errors: [
        {
          message:
            "instance['name'] on the Instance object that attach_volume() receives (an object since Nova 2014.1, compute RPC 3.16): use instance.name",
          line: 4,
          column: 16,
          endColumn: 32,
          suggestion: 'instance.name',
          data: { field: 'name', access: 'read', objectSince: '2014.1' },
        },
        {
          message: /^instance\.get\('host'\) on the Instance object.*use instance\.host$/,
          line: 5,
          fix: 'conductor-to-objects',
        },
        { message: /use instance\.task_state = \.\.\.$/, line: 6, data: { access: 'write' } },
      ],
    },
    {
      name: "item deletion and .get() with a default: reported, but not as the codemod's to fix",
      code: `
class LibvirtDriver(driver.ComputeDriver):
    def attach_volume(self, context, connection_info, instance, mountpoint):
        del instance['cleaned']
        node = instance.get('node', 'compute-1')
        host = instance.get('host', None)
        return node, host
`,
      errors: [
        {
          message:
            /^instance\['cleaned'\] .*: use del instance\.cleaned \(or reset the field\) \(by hand: objects have no item deletion/,
          line: 4,
          fix: null,
          data: { access: 'delete' },
        },
        {
          message:
            /^instance\.get\('node'\) .*: use instance\.node if instance\.obj_attr_is_set\('node'\) else 'compute-1' \(by hand: \.get\('node', 'compute-1'\) returns the default/,
          line: 5,
          fix: null,
          suggestion: "instance.node if instance.obj_attr_is_set('node') else 'compute-1'",
        },
        { message: /use instance\.host$/, line: 6, fix: 'conductor-to-objects' },
      ],
    },
    {
      name: 'instance_ref parameters, decorated methods, closures',
      code: `
class Driver(object):
    @utils.synchronized('x')
    def live_migration(self, ctxt, instance_ref, dest, post_method, recover_method):
        def _later():
            return instance_ref['host']
        return _later
`,
      errors: [
        {
          message:
            /^instance_ref\['host'\] on the Instance object that live_migration\(\) receives \(an object since Nova 2014\.2, compute RPC 3\.26\)/,
        },
      ],
    },
  ],
});
