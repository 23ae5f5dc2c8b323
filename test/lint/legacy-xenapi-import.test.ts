import { describe, expect, it } from 'vitest';
import { RuleTester } from '../../src/lint/rule-tester.js';
import { legacyXenapiImport } from '../../src/lint/rules/legacy-xenapi-import.js';

RuleTester.describe = describe;
RuleTester.it = it;

const tester = new RuleTester({ filename: 'nova/virt/xenapi/driver.py' });

tester.run('legacy-xenapi-import', legacyXenapiImport, {
  valid: [
    {
      name: 'a log message that merely contains the module name',
      code: `
import logging
LOG = logging.getLogger(__name__)
LOG.debug("nova.virt.xenapi.client.session is deprecated")
`,
    },
    {
      name: 'the new library and sibling xenapi modules',
      code: `
import os_xenapi.client
from os_xenapi.client import host_network as os_xenapi_client_host
from os_xenapi.client import session
from nova.virt.xenapi import vmops
import nova.virt.xenapi.vm_utils
`,
    },
    {
      name: 'a mock.patch target elsewhere, and a local named client',
      filename: 'nova/tests/unit/virt/xenapi/test_driver.py',
      code: `
import mock


@mock.patch('nova.virt.xenapi.vmops.VMOps.spawn')
def test(client):
    client = object()
    return client
`,
    },
  ],
  invalid: [
    {
      name: 'every import form with its uses counted',
      code: `
from nova.virt.xenapi.client import session
from nova.virt.xenapi.client import session as xenapi_session
from nova.virt.xenapi import client
import nova.virt.xenapi.client.objects
import nova.virt.xenapi.client.session as sess

s = session.XenAPISession('url', 'u', 'p')
t = xenapi_session.XenAPISession('url', 'u', 'p')
`,
      errors: [
        {
          message:
            'import of nova.virt.xenapi.client.session, which moved to os-xenapi: use os_xenapi.client.session (os-xenapi 0.1.0+) (1 use in this file)',
          line: 2,
          column: 37,
          suggestion: 'os_xenapi.client.session',
        },
        { message: /^import of nova\.virt\.xenapi\.client\.session,.*\(1 use in this file\)$/, line: 3 },
        { message: /^import of nova\.virt\.xenapi\.client, .*use os_xenapi\.client /, line: 4 },
        { message: /^import of nova\.virt\.xenapi\.client\.objects,/, line: 5 },
        { message: /^import of nova\.virt\.xenapi\.client\.session,/, line: 6 },
      ],
    },
    {
      name: 'an attribute chain through a parent import',
      code: `
import nova


def make():
    return nova.virt.xenapi.client.session.XenAPISession
`,
      errors: [
        {
          message:
            /^reference to nova\.virt\.xenapi\.client\.session\.XenAPISession, which moved to os-xenapi: use os_xenapi\.client\.session\.XenAPISession$/,
          line: 6,
        },
      ],
    },
    {
      name: 'client among several imported names, parenthesized over lines (no dotted name in the file)',
      filename: 'nova/virt/xenapi/host.py',
      code: `
from nova.virt.xenapi import (vm_utils,
                              client)


def f(session):
    return vm_utils, client.session
`,
      errors: [{ line: 3, data: { module: 'nova.virt.xenapi.client' } }],
    },
    {
      name: 'relative import inside nova.virt.xenapi',
      code: `
from . import client
from .client import session as xs
`,
      errors: [
        { line: 2, data: { module: 'nova.virt.xenapi.client' } },
        { line: 3, data: { module: 'nova.virt.xenapi.client.session' } },
      ],
    },
    {
      name: 'string targets: mock.patch, stub_out, importutils',
      filename: 'nova/tests/unit/virt/xenapi/test_xenapi.py',
      code: `
import mock
from oslo_utils import importutils


class T(object):
    @mock.patch('nova.virt.xenapi.client.session.XenAPISession.call_xenapi')
    def test_a(self, m):
        self.stub_out('nova.virt.xenapi.client.session.XenAPISession._create_session', None)
        importutils.import_class('nova.virt.xenapi.client.session.XenAPISession')
        print('nova.virt.xenapi.client.session')
`,
      errors: [
        {
          line: 7,
          message:
            /^string target 'nova\.virt\.xenapi\.client\.session\.XenAPISession\.call_xenapi'.*use 'os_xenapi\.client\.session\.XenAPISession\.call_xenapi'$/,
        },
        { line: 9 },
        { line: 10 },
      ],
    },
  ],
});

describe('legacy-xenapi-import file pre-check (mayMatch)', () => {
  const may = (text: string) => legacyXenapiImport.mayMatch!('nova/virt/xenapi/x.py', text);
  it('lets through every spelling that can reach nova.virt.xenapi.client', () => {
    for (const text of [
      'from nova.virt.xenapi.client import session',
      'import nova.virt.xenapi.client.objects',
      'from nova.virt import xenapi\nx = xenapi.client.session',
      "@mock.patch('nova.virt.xenapi.client.session.XenAPISession')",
      'from nova.virt.xenapi import client',
      'from nova.virt.xenapi import (vm_utils,\n    client)',
      'from . import client',
      'from .. import vm_utils, client',
      'from .client import session',
      'from ..client.session import XenAPISession',
    ])
      expect(may(text), text).toBe(true);
  });
  it('spares files whose only "client" is another package or the library itself', () => {
    for (const text of [
      'from nova.tests.functional.api import client',
      'from os_xenapi.client import session',
      'import os_xenapi.client',
      'from neutronclient.v2_0 import client as clientv20',
      'LOG.debug("xenapi client ready")',
    ])
      expect(may(text), text).toBe(false);
  });
});
