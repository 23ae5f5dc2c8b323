import { beforeAll, describe, expect, it } from 'vitest';
import {
  classifyModule,
  importOrderViolations,
  importSortKey,
  planImportInsertion,
  planImportRemoval,
  readImportBlock,
} from '../../src/python/import-block.js';
import { initPython } from '../../src/python/parser.js';
import { PyFile } from '../../src/python/source-file.js';
import { applyEdits } from '../../src/python/text-edits.js';

beforeAll(() => initPython());

const HEADER = `# Copyright note written for this test.
"""The docstring."""

import functools
import os

import eventlet
import mock
from oslo_log import log as logging
import six

from nova import exception
from nova.virt.xenapi.client import session
from nova.virt.xenapi import vm_utils

LOG = logging.getLogger(__name__)
`;

function insert(src: string, line: string): string {
  const f = PyFile.parse('m.py', src);
  return applyEdits(src, [planImportInsertion(f, line).edit]);
}

describe('hacking import block', () => {
  it('groups and keys imports as hacking does', () => {
    const f = PyFile.parse('m.py', HEADER);
    const block = readImportBlock(f);
    expect(block.runs.map((r) => [r.group, r.lines.length])).toEqual([
      ['stdlib', 2],
      ['third-party', 4],
      ['project', 3],
    ]);
    expect(importSortKey('from oslo_log import log as logging')).toBe('oslo_log.log');
    expect(importSortKey('import nova.virt.xenapi.client.session as s')).toBe(
      'nova.virt.xenapi.client.session',
    );
    expect(classifyModule('os_xenapi.client')).toBe('third-party');
    expect(classifyModule('urllib2')).toBe('stdlib');
    expect(classifyModule('nova.objects')).toBe('project');
    expect(classifyModule('neutron.agent', { projectPackages: ['neutron'] })).toBe('project');
    expect(importOrderViolations(block)).toEqual([]);
  });

  it('inserts into the third-party group, os_xenapi after mock and before oslo_*', () => {
    const out = insert(HEADER, 'from os_xenapi.client import session');
    expect(out).toContain(
      'import mock\nfrom os_xenapi.client import session\nfrom oslo_log import log as logging\n',
    );
    expect(importOrderViolations(readImportBlock(PyFile.parse('m.py', out)))).toEqual([]);
  });

  it('inserts into the stdlib group and the project group in order', () => {
    expect(insert(HEADER, 'import json')).toContain('import functools\nimport json\nimport os\n');
    expect(insert(HEADER, 'from nova import objects')).toContain(
      'from nova import exception\nfrom nova import objects\nfrom nova.virt.xenapi.client import session\n',
    );
    expect(insert(HEADER, 'import time')).toContain('import os\nimport time\n\nimport eventlet');
  });

  it('creates a missing group between its neighbours', () => {
    const src = 'import os\n\nfrom nova import exception\n\nX = 1\n';
    expect(insert(src, 'from os_xenapi.client import XenAPI')).toBe(
      'import os\n\nfrom os_xenapi.client import XenAPI\n\nfrom nova import exception\n\nX = 1\n',
    );
    const onlyProject = 'from nova import exception\n\nX = 1\n';
    expect(insert(onlyProject, 'import six')).toBe('import six\n\nfrom nova import exception\n\nX = 1\n');
    const onlyStdlib = '"""Doc."""\n\nimport os\n\nX = 1\n';
    expect(insert(onlyStdlib, 'from nova import objects')).toBe(
      '"""Doc."""\n\nimport os\n\nfrom nova import objects\n\nX = 1\n',
    );
  });

  it('adds an import block after the docstring when there is none', () => {
    expect(insert('"""Doc."""\n\nX = 1\n', 'from nova import objects')).toBe(
      '"""Doc."""\n\nfrom nova import objects\n\nX = 1\n',
    );
  });

  it('removes a line, and the blank line of a group it leaves empty', () => {
    const f = PyFile.parse('m.py', HEADER);
    const block = readImportBlock(f);
    const sessionLine = block.lines.find((l) => l.sortKey === 'nova.virt.xenapi.client.session')!;
    expect(applyEdits(HEADER, [planImportRemoval(f, sessionLine.stmt)])).not.toContain(
      'client import session',
    );
    const src = 'import os\n\nfrom os_xenapi.client import session\n\nfrom nova import exception\n';
    const g = PyFile.parse('m.py', src);
    const only = readImportBlock(g).runs[1]!.lines[0]!;
    expect(applyEdits(src, [planImportRemoval(g, only.stmt)])).toBe(
      'import os\n\nfrom nova import exception\n',
    );
  });

  it('keeps CRLF line endings when inserting', () => {
    const src = 'import os\r\n\r\nfrom nova import exception\r\n';
    expect(insert(src, 'import sys')).toBe('import os\r\nimport sys\r\n\r\nfrom nova import exception\r\n');
  });
});
