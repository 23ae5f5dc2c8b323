import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { importStatements, SCOPE_TYPES } from '../../src/python/bindings.js';
import { initPython, type PyNode } from '../../src/python/parser.js';
import { PyFile } from '../../src/python/source-file.js';

beforeAll(() => initPython());

function parse(src: string, moduleName = 'nova.virt.xenapi.vmops', isPackage = false): PyFile {
  return PyFile.parse('x.py', src, { moduleName, isPackage });
}

/** The first expression node whose text is exactly `text`. */
function expr(file: PyFile, text: string): PyNode {
  const stack: PyNode[] = [file.root];
  while (stack.length) {
    const n = stack.shift()!;
    if (
      (n.type === 'attribute' || n.type === 'identifier') &&
      n.text === text &&
      n.parent?.type !== 'dotted_name'
    ) {
      return n;
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  throw new Error(`no expression ${text}`);
}

describe('import bindings', () => {
  it('records every import form with its target', () => {
    const f = parse(
      [
        'import os',
        'import nova.virt.xenapi.client.session',
        'import nova.virt.xenapi.client.session as s',
        'from nova.virt.xenapi.client import session',
        'from nova.virt.xenapi.client import session as xenapi_session',
        'from nova.virt.xenapi import client',
        'from nova.virt.xenapi.client import (objects, session as sess2)',
        'from . import vm_utils',
        'from .image import glance as g',
        'from .. import driver',
        'from oslo_log import *',
        '',
      ].join('\n'),
    );
    const b = f.bindings;
    const summary = b.imports.map((i) => `${i.local}=${i.target} (${i.form})`);
    expect(summary).toEqual([
      'os=os (import)',
      'nova=nova (import)',
      's=nova.virt.xenapi.client.session (import-as)',
      'session=nova.virt.xenapi.client.session (from)',
      'xenapi_session=nova.virt.xenapi.client.session (from-as)',
      'client=nova.virt.xenapi.client (from)',
      'objects=nova.virt.xenapi.client.objects (from)',
      'sess2=nova.virt.xenapi.client.session (from-as)',
      'vm_utils=nova.virt.xenapi.vm_utils (from)',
      'g=nova.virt.xenapi.image.glance (from-as)',
      'driver=nova.virt.driver (from)',
    ]);
    expect(b.imports[8]!.relativeLevel).toBe(1);
    expect(b.wildcards.map((w) => w.module)).toEqual(['oslo_log']);
  });

  it('resolves relative imports against a package __init__', () => {
    const f = parse('from . import vmops\nfrom .client import session\n', 'nova.virt.xenapi', true);
    expect(f.bindings.imports.map((i) => i.target)).toEqual([
      'nova.virt.xenapi.vmops',
      'nova.virt.xenapi.client.session',
    ]);
  });

  it('marks relative imports it cannot resolve', () => {
    const f = PyFile.parse('x.py', 'from . import x\n');
    expect(f.bindings.imports[0]!.unresolvedRelative).toBe(true);
    expect(f.bindings.imports[0]!.target).toBe('.x');
  });

  it('flags imports in try/except ImportError and inside functions', () => {
    const f = parse(
      [
        'try:',
        '    import json',
        'except ImportError:',
        '    import simplejson as json',
        'def f():',
        '    from nova.virt.xenapi.client import session',
        '    return session.XenAPISession',
        'x = json.dumps',
        '',
      ].join('\n'),
    );
    const [a, b, c] = f.bindings.imports;
    expect(a!.inTryImportError).toBe(true);
    expect(b!.inTryImportError).toBe(true);
    expect(c!.topLevel).toBe(false);
    expect(c!.scope.type).toBe('function_definition');
    // Both candidates, as LibCST reports them.
    expect(f.bindings.qualifiedNames(expr(f, 'json.dumps'))).toEqual(['json.dumps', 'simplejson.dumps']);
    expect(f.bindings.qualifiedName(expr(f, 'session.XenAPISession'))).toBe(
      'nova.virt.xenapi.client.session.XenAPISession',
    );
  });
});

describe('qualified names', () => {
  it('resolves aliases and attribute chains back to the module path', () => {
    const f = parse(
      [
        'from nova.virt.xenapi import client',
        'from nova.virt.xenapi.client import session as xs',
        'import nova.virt.xenapi.client.session',
        '',
        'a = client.session.XenAPISession',
        'b = xs.XenAPISession',
        'c = nova.virt.xenapi.client.session.XenAPISession',
        '',
      ].join('\n'),
    );
    const b = f.bindings;
    expect(b.qualifiedName(expr(f, 'client.session.XenAPISession'))).toBe(
      'nova.virt.xenapi.client.session.XenAPISession',
    );
    expect(b.qualifiedName(expr(f, 'xs.XenAPISession'))).toBe(
      'nova.virt.xenapi.client.session.XenAPISession',
    );
    expect(b.qualifiedName(expr(f, 'nova.virt.xenapi.client.session.XenAPISession'))).toBe(
      'nova.virt.xenapi.client.session.XenAPISession',
    );
  });

  it('does not resolve a parameter or local that shadows an import', () => {
    const f = parse(
      [
        'from nova.virt.xenapi.client import session',
        '',
        'def uses_param(session):',
        '    return session.call_plugin("x", "y", {})',
        '',
        'def uses_local():',
        '    session = make()',
        '    return session.call_xenapi("VM.get_all")',
        '',
        'def uses_import():',
        '    return session.XenAPISession("url", "u", "p")',
        '',
        'class C(object):',
        '    session = None',
        '    def m(self):',
        '        return session.XenAPISession',
        '',
      ].join('\n'),
    );
    const b = f.bindings;
    expect(b.qualifiedNames(expr(f, 'session.call_plugin'))).toEqual([]);
    expect(b.qualifiedNames(expr(f, 'session.call_xenapi'))).toEqual([]);
    const refs = b.referencesTo('nova.virt.xenapi.client');
    // The import is used twice: in uses_import and in the method (class scope is skipped).
    expect(refs.map((r) => [r.node.text, f.position(r.node.startIndex).line])).toEqual([
      ['session.XenAPISession', 11],
      ['session.XenAPISession', 16],
    ]);
  });

  it('honours global declarations and default values evaluated in the outer scope', () => {
    const f = parse(
      [
        'import mock',
        'def f(mock=mock.sentinel):',
        '    return mock',
        'def g():',
        '    global mock',
        '    return mock.patch',
        '',
      ].join('\n'),
    );
    const b = f.bindings;
    expect(b.qualifiedName(expr(f, 'mock.sentinel'))).toBe('mock.sentinel');
    expect(b.qualifiedName(expr(f, 'mock.patch'))).toBe('mock.patch');
    // Inside f, `mock` is the parameter.
    const inner = f.root.namedChildren[1]!.childForFieldName('body')!.descendantsOfType('identifier')[0]!;
    expect(b.resolve('mock', inner).kind).toBe('local');
  });

  it('finds references but not keyword names, attribute names or strings', () => {
    const f = parse(
      [
        'from nova.virt.xenapi.client import session',
        'LOG.debug("nova.virt.xenapi.client.session is used")',
        'x.session = 1',
        'f(session=2)',
        'y = session',
        '',
      ].join('\n'),
    );
    const refs = f.bindings.referencesTo('nova.virt.xenapi.client');
    expect(refs.map((r) => f.position(r.node.startIndex).line)).toEqual([5]);
  });
});

describe('referencesTo finds its identifiers through the text', () => {
  it('returns what a walk over every identifier returns', async () => {
    const { identifiersNamed, isReference } = await import('../../src/python/bindings.js');
    const src = [
      'from nova.virt.xenapi.client import session',
      'import nova.virt.xenapi.client.session as xs',
      'sessions = 1',
      '_session = 2',
      'def f(session_id):',
      '    x = "session in a string"',
      '    # session in a comment',
      '    return session.XenAPISession(xs.apply_session_helpers, session_id)',
      'class C(object):',
      '    def m(self, session):',
      '        return session.call_plugin',
      '    def n(self):',
      '        return (session',
      '                .XenAPISession)',
      '',
    ].join('\n');
    const f = parse(src);
    const fast = f.bindings
      .referencesTo('nova.virt.xenapi.client')
      .map((r) => [r.node.startIndex, r.qualifiedName]);
    // The reference: every identifier node named after a binding, resolved the slow way.
    const slow: [number, string][] = [];
    for (const local of ['session', 'xs']) {
      for (const id of identifiersNamed(f.root, local)) {
        if (!isReference(id)) continue;
        const res = f.bindings.resolve(local, id);
        if (res.kind !== 'import') continue;
        let top = id;
        const parts: string[] = [];
        while (top.parent?.type === 'attribute' && top.parent.childForFieldName('object')?.id === top.id) {
          parts.push(top.parent.childForFieldName('attribute')!.text);
          top = top.parent;
        }
        for (const b of res.imports) slow.push([top.startIndex, [b.target, ...parts].join('.')]);
      }
    }
    slow.sort((a, b) => a[0] - b[0]);
    expect(fast).toEqual(slow);
    expect(fast.map(([, qn]) => qn)).toEqual([
      'nova.virt.xenapi.client.session.XenAPISession',
      'nova.virt.xenapi.client.session.apply_session_helpers',
      'nova.virt.xenapi.client.session.XenAPISession',
    ]);
  });
});

describe('importStatements', () => {
  it('finds every import statement (and only those) from the keyword in the text', () => {
    const code = [
      'from __future__ import absolute_import',
      '"""Docstring: import this; from x import y."""',
      'import os, sys  # import json',
      'from nova.virt.xenapi import (vm_utils,',
      '                              client)',
      'LOG.debug("reimport nothing: import x")',
      'reimport = importer = 1',
      'try:',
      '    import simplejson as json',
      'except ImportError:',
      '    import json',
      'def f():',
      '    from . import vmops',
      "    return f'{__import__}'",
      'x = 1; import re',
      '',
    ].join('\n');
    const f = parse(code);
    try {
      const viaQuery = f.root
        .descendantsOfType(['import_statement', 'import_from_statement'])
        .map((n) => n!.text);
      expect(importStatements(f).map((n) => n.text)).toEqual(viaQuery);
      expect(viaQuery).toHaveLength(6);
    } finally {
      f.dispose();
    }
  });
});

describe('lazy binding sites', () => {
  const SCOPES = [...SCOPE_TYPES].filter((t) => t !== 'module');
  const TRICKY = [
    'import os, sys as system',
    'from a import (b, c as d)',
    'x = y = 1',
    'a, *b = z',
    '(c1, [d1, (e1, *f1)]) = w',
    'x += 1',
    'if (n := 10) > 5: pass',
    'for i, (j, k) in pairs: pass',
    'print([q for q in r if (t := q)])',
    '{kk: vv for kk, vv in items}',
    'with open(p) as fh, open(p2) as (g1, g2): pass',
    'try:\n    pass\nexcept ValueError as err:\n    pass\nexcept (A, B), old:\n    pass',
    'del x',
    'del a, b',
    'def f(p1, p2=x, *args, **kw):\n    global G\n    G = p1\n    def inner(p1=p2):\n        nonlocal kw\n        return lambda u, v=1, *w2, **k2: u\n    return inner',
    'def g((t1, t2), t3):\n    return t1',
    'def h(s: int, s2: str = "x") -> int:\n    s = s2\n    return s',
    '@decorator(x)\nclass C(Base, metaclass=M):\n    attr = 1\n    def m(self, attr=attr):\n        return [attr for attr in self]',
    'x: int = 3',
    'y: str',
  ].join('\n');

  it('answer exactly what the whole-module collection answers, for every bound name and scope', () => {
    const sample = new URL('../../fixtures/sample-nova/nova/virt/', import.meta.url).pathname;
    const sources = [TRICKY];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(`${dir}/${e.name}`);
        else if (e.name.endsWith('.py')) sources.push(readFileSync(`${dir}/${e.name}`, 'utf8'));
      }
    };
    walk(sample);
    let compared = 0;
    for (const src of sources) {
      const lazy = parse(src);
      const full = parse(src);
      try {
        full.bindings.collectAllSites();
        const scopes = [full.root, ...full.root.descendantsOfType(SCOPES).filter((n): n is PyNode => !!n)];
        const lazyScopes = [
          lazy.root,
          ...lazy.root.descendantsOfType(SCOPES).filter((n): n is PyNode => !!n),
        ];
        scopes.forEach((scope, i) => {
          for (const name of full.bindings.namesIn(scope)) {
            const show = (f: PyFile, s: PyNode) =>
              f.bindings.sitesIn(s, name).map((x) => `${x.kind}@${x.node.startIndex}`);
            expect(show(lazy, lazyScopes[i]!), `${name} in ${scope.type}@${scope.startIndex}`).toEqual(
              show(full, scope),
            );
            compared++;
          }
        });
      } finally {
        lazy.dispose();
        full.dispose();
      }
    }
    expect(compared).toBeGreaterThan(200);
  });

  it('classifies the tricky targets', () => {
    const f = parse(TRICKY);
    try {
      const kinds = (name: string) => f.bindings.sitesIn(f.root, name).map((s) => s.kind);
      expect(kinds('b')).toEqual(['import', 'assign', 'param']);
      expect(kinds('e1')).toEqual(['assign']);
      expect(kinds('n')).toEqual(['assign']);
      expect(kinds('err')).toEqual(['with']);
      expect(kinds('old')).toEqual(['except']);
      expect(kinds('g2')).toEqual(['with']);
      expect(kinds('x')).toEqual(['assign', 'assign', 'del', 'assign']);
      expect(kinds('C')).toEqual(['class']);
      expect(kinds('q')).toEqual([]);
    } finally {
      f.dispose();
    }
  });
});
