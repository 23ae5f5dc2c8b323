import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { moduleImports, moduleImportsFromBindings } from '../../src/history/object-extractor.js';
import { initPython } from '../../src/python/parser.js';
import { moduleNameForPath, PyFile } from '../../src/python/source-file.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures');

function pyFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...pyFiles(p));
    else if (name.endsWith('.py')) out.push(p);
  }
  return out;
}

const TRICKY = `import os.path
import six as six_mod
from . import base
from .. import utils as u
from .fields import (StringField,
                     IntegerField as IntField)
from nova.objects import *

try:
    from oslo_versionedobjects import base as ovo_base
except ImportError:
    import versionedobjects_compat as ovo_base

if six_mod.PY3:
    import json
else:
    import simplejson as json

with open(os.devnull):
    from nova import exception

for _ in range(1):
    import nova.db.api


def helper():
    import nova.network as hidden


class Widget(object):
    from nova.compute import arch
    def method(self):
        from nova import quota


class Broken(object
    import nova.broken_scope as broken
`;

beforeAll(async () => {
  await initPython();
});

describe('module-level imports', () => {
  it('match the front end bindings filtered to the module scope, on every fixture module and odd placements', () => {
    const cases: { path: string; text: string }[] = pyFiles(FIX).map((p) => {
      const rel = relative(join(FIX, relative(FIX, p).split('/')[0]!), p);
      return {
        path: rel.includes('nova/') ? rel.slice(rel.indexOf('nova/')) : rel,
        text: readFileSync(p, 'utf8'),
      };
    });
    cases.push(
      { path: 'nova/objects/tricky.py', text: TRICKY },
      { path: 'nova/objects/__init__.py', text: TRICKY },
    );
    expect(cases.length).toBeGreaterThan(20);
    for (const c of cases) {
      const mod = moduleNameForPath(c.path);
      const file = PyFile.parse(
        c.path,
        c.text,
        mod ? { moduleName: mod.moduleName, isPackage: mod.isPackage } : {},
      );
      try {
        expect([...moduleImports(file, mod?.isPackage ?? false)], c.path).toEqual([
          ...moduleImportsFromBindings(file),
        ]);
      } finally {
        file.dispose();
      }
    }
  });

  it('resolves relative, aliased and nested imports and skips function and class scopes', () => {
    const file = PyFile.parse('nova/objects/tricky.py', TRICKY, { moduleName: 'nova.objects.tricky' });
    try {
      const m = moduleImports(file, false);
      expect(Object.fromEntries(m)).toMatchObject({
        os: 'os',
        six_mod: 'six',
        base: 'nova.objects.base',
        u: 'nova.utils',
        StringField: 'nova.objects.fields.StringField',
        IntField: 'nova.objects.fields.IntegerField',
        ovo_base: 'versionedobjects_compat',
        json: 'simplejson',
        exception: 'nova.exception',
        nova: 'nova',
      });
      expect(m.has('hidden')).toBe(false);
      expect(m.has('arch')).toBe(false);
      expect(m.has('quota')).toBe(false);
    } finally {
      file.dispose();
    }
  });
});
