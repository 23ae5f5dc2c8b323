import { describe, it } from 'vitest';
import { RuleTester } from '../../src/lint/rule-tester.js';
import { rawConductorCall } from '../../src/lint/rules/raw-conductor-call.js';

RuleTester.describe = describe;
RuleTester.it = it;

const tester = new RuleTester({ filename: 'nova/virt/xenapi/vmops.py' });

tester.run('raw-conductor-call', rawConductorCall, {
  valid: [
    {
      name: 'a local function named instance_update',
      code: `
def instance_update(ctxt, uuid, values):
    return values


def power_off(ctxt, instance):
    instance_update(ctxt, instance['uuid'], {'power_state': 4})
`,
    },
    {
      name: 'a method of an unrelated object named like a raw method',
      code: `
class Cache(object):
    def instance_update(self, ctxt, uuid, values):
        pass

    def refresh(self, ctxt, instance):
        self.instance_update(ctxt, instance.uuid, {})
        self._store.instance_update(ctxt, instance.uuid, {})
`,
    },
    {
      name: 'baremetal private db is not nova.db',
      code: `
from nova.virt.baremetal import db


def find(ctxt, node_id):
    return db.bm_node_get(ctxt, node_id), db.instance_update(ctxt, 'u', {})
`,
    },
    {
      name: 'imported module named virtapi is not a VirtAPI object',
      code: `
from nova.virt import virtapi


def make():
    return virtapi.instance_update
`,
    },
    {
      name: 'out of the default scope',
      filename: 'nova/compute/manager.py',
      code: `
class M(object):
    def f(self, ctxt, instance):
        self.virtapi.instance_update(ctxt, instance['uuid'], {'host': None})
`,
    },
    {
      name: 'VirtAPI methods that are not data access (wait_for_instance_event)',
      code: `
class VMOps(object):
    def spawn(self, context, instance, events):
        with self._virtapi.wait_for_instance_event(instance, events, deadline=300):
            pass
`,
    },
    {
      name: 'a string mentioning the method',
      code: `
LOG.debug("calling virtapi.instance_update(ctxt, uuid, values) later")
`,
    },
  ],
  invalid: [
    {
      name: 'VirtAPI instance_update with a literal dict',
      code: `
class VMOps(object):
    def __init__(self, session, virtapi):
        self._virtapi = virtapi

    def _update(self, ctxt, instance):
        self._virtapi.instance_update(ctxt, instance['uuid'],
                                      {'vm_state': vm_states.ERROR,
                                       'task_state': None})
`,
      errors: [
        {
          message:
            'raw VirtAPI call instance_update(): use instance.vm_state = vm_states.ERROR; instance.task_state = None; instance.save() (Instance.save(), Nova 2013.2+)',
          line: 7,
          column: 9,
          endLine: 9,
          endColumn: 60,
          severity: 'error',
          suggestion: 'instance.vm_state = vm_states.ERROR; instance.task_state = None; instance.save()',
          data: {
            surface: 'virtapi',
            method: 'instance_update',
            object: 'Instance',
            since: '2013.2',
            gone: '2014.2',
          },
        },
      ],
    },
    {
      name: 'a virtapi parameter, getters, aggregate metadata',
      code: `
def setup(ctxt, virtapi, host, aggregate):
    aggs = virtapi.aggregate_get_by_host(ctxt, host, key='hypervisor_pool')
    virtapi.aggregate_metadata_delete(ctxt, aggregate, 'master_compute')
    return virtapi.agent_build_get_by_triple(ctxt, 'xen', 'linux', 'x86_64'), aggs
`,
      errors: [
        { message: /objects\.AggregateList\.get_by_host\(ctxt, host\).*Nova 2013\.2\+/, line: 3 },
        { message: /aggregate\.update_metadata\(\{'master_compute': None\}\)/, line: 4 },
        {
          message:
            /objects\.Agent\.get_by_triple\(ctxt, 'xen', 'linux', 'x86_64'\) \(Agent\.get_by_triple\(\), Nova 2014\.2\+\)/,
          line: 5,
        },
      ],
    },
    {
      name: 'conductor API object and its attribute, with **updates',
      code: `
from nova import conductor


class Host(object):
    def __init__(self):
        self._capi = conductor.API()

    def enable(self, ctxt, host):
        service = self._capi.service_get_by_args(ctxt, host, 'nova-compute')
        self._capi.service_update(ctxt, service, {'disabled': False})
        conductor.API().instance_update(ctxt, 'uuid-1', host=None)
`,
      errors: [
        {
          message: /use objects\.Service\.get_by_args\(ctxt, host, 'nova-compute'\)/,
          line: 10,
          data: { surface: 'conductor' },
        },
        { message: /use service\.disabled = False; service\.save\(\)/, line: 11 },
        { message: /use instance\.host = None; instance\.save\(\)/, line: 12 },
      ],
    },
    {
      name: 'nova.db functions in every import form',
      code: `
from nova import db
from nova.db import api as db_api
from nova.db import instance_get_by_uuid
import nova.db


def f(ctxt, uuid):
    db.instance_update(ctxt, uuid, {'host': None})
    db_api.security_group_get_by_instance(ctxt, uuid)
    instance_get_by_uuid(ctxt, uuid)
    return nova.db.provider_fw_rule_get_all(ctxt)
`,
      errors: [
        { line: 9, data: { surface: 'db', method: 'instance_update' } },
        { line: 10, data: { method: 'security_group_get_by_instance' } },
        { line: 11, data: { method: 'instance_get_by_uuid' } },
        {
          line: 12,
          severity: 'info',
          message: /has no object equivalent: No object was ever written for provider firewall rules/,
        },
      ],
    },
  ],
});
