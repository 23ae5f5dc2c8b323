import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-file.js';
import { discoverFiles } from '../../../src/engine/discover.js';
import { openProject } from '../../../src/engine/project.js';
import { wordOccurrences } from '../../../src/python/bindings.js';
import { captures, initPython } from '../../../src/python/parser.js';
import { PyFile } from '../../../src/python/source-file.js';
import {
  directCandidate,
  hasRelativeImport,
  namesMethod,
  planPrefilter,
  scopePredicate,
} from '../../../src/verify/pins/prefilter.js';
import {
  attributeNamesMatching,
  referencesByText,
  stringArgumentsContaining,
} from '../../../src/verify/pins/references.js';
import { DiskTreeSource } from '../../../src/verify/pins/tree-source.js';
import { mayUse } from '../../../src/verify/pins/usage.js';
import { analyzePins, resolvePinsSettings, usageOptionsFor } from '../../../src/verify/pins/verify-pins.js';
import { loadApiIndex as loadPinsIndex } from '../../../src/xenapi/api-index.js';

// Shadowing, nested scopes, a global, a non-ASCII identifier that contains the bound name, the name
// in strings and comments, attribute names equal to the bound name, keyword argument names.
const TRICKY = `"""Module docstring naming session and os_xenapi.client."""
from os_xenapi.client import session
from os_xenapi.client import session as xs
import os_xenapi.client.image
from os_xenapi import client as osx_client

café_session = 1  # session here is a comment
x.session = session.XenAPISession


def connect(url, session=None):
    # the parameter shadows the import
    return session.call_xenapi('VM.get_all')


def build(url):
    s = xs.XenAPISession(url, 'root', 'pw', originator='nova')
    s.call_plugin('xenhost.py', 'host_data', {})
    os_xenapi.client.image.stream_to_vdis(None, s, None, None, None, None)
    f(session=session)
    mock.patch('os_xenapi.client.session.XenAPISession._get_host_ref')
    mock.patch.object(osx_client.session.XenAPISession, 'call_xenapi')
    g(key='os_xenapi.client.host_agent', other=("os_xenapi.client" "x"))
    h(f'os_xenapi.{x}', r'os_xenapi.client.image')


class Driver(object):
    session = None

    def m(self):
        global session
        return session.XenAPISession, self._session.call_xenapi, self.session.\\
            get_rec
    lam = lambda session: session.x
    comp = [session for session in range(3)]
`;

const QUERY_STRINGS = '(call arguments: (argument_list (string) @s))';
const key = (n: { startIndex: number; endIndex: number; type: string }) =>
  `${n.type}@${n.startIndex}-${n.endIndex}`;

describe('text-guided lookups return what the tree walks and queries return', () => {
  beforeAll(async () => {
    await initPython();
  });

  const texts: [string, string][] = [['tricky.py', TRICKY]];
  for (const dir of ['too-low', 'signature', 'legacy', 'ok', 'constraints']) {
    for (const f of [
      'nova/virt/xenapi/vif.py',
      'nova/virt/xenapi/image/vdi_stream.py',
      'nova/virt/xenapi/driver.py',
    ]) {
      const p = path.join('fixtures/pins', dir, f);
      try {
        texts.push([p, readFileSync(p, 'utf8')]);
      } catch {
        // not in this fixture
      }
    }
  }

  it.each(texts)('%s', (name, text) => {
    const file = PyFile.parse(name, text, { moduleName: 'nova.virt.xenapi.tricky' });
    try {
      for (const prefix of [
        'os_xenapi',
        'os_xenapi.client',
        'os_xenapi.client.session',
        'nova.virt.xenapi.client',
      ]) {
        const slow = file.bindings
          .referencesTo(prefix)
          .map((r) => [key(r.node), key(r.root), r.qualifiedName]);
        const fast = referencesByText(file, prefix).map((r) => [key(r.node), key(r.root), r.qualifiedName]);
        expect(fast).toEqual(slow);
      }
      const viaQuery = captures(QUERY_STRINGS, file.root)
        .map((c) => c.node)
        .filter((n) => n.text.includes('os_xenapi'))
        .map(key);
      expect(stringArgumentsContaining(file, 'os_xenapi').map(key)).toEqual(viaQuery);
      const names = ['call_xenapi', 'call_plugin', 'get_rec', 'XenAPISession'];
      const attrQuery = `((attribute attribute: (identifier) @m) (#match? @m "^(${names.join('|')})$"))`;
      expect(attributeNamesMatching(file, names).map(key)).toEqual(
        captures(attrQuery, file.root).map((c) => key(c.node)),
      );
    } finally {
      file.dispose();
    }
  });

  it('the tricky module really exercises shadowing and strings', () => {
    const file = PyFile.parse('tricky.py', TRICKY, {});
    try {
      const refs = referencesByText(file, 'os_xenapi.client.session').map(
        (r) => file.position(r.root.startIndex).line,
      );
      // line 8 (module level), not the parameter in connect (line 14) nor the loop variable (line 39)
      expect(refs).toContain(8);
      expect(refs).not.toContain(14);
      // mock.patch('os_xenapi...'), f'os_xenapi.{x}' and r'os_xenapi...' (keyword values and implicit concatenation are not positional strings)
      expect(stringArgumentsContaining(file, 'os_xenapi').length).toBe(3);
    } finally {
      file.dispose();
    }
  });

  it('wordOccurrences needs identifier boundaries (Unicode letters count)', () => {
    expect(wordOccurrences('café_session session sessions _session', 'session')).toEqual([13]);
    expect(wordOccurrences('session', 'session', 1)).toEqual([]);
  });
});

describe('main-thread prefilter', () => {
  const project = openProject('fixtures/pins/too-low');
  const { settings, index } = resolvePinsSettings(project.root, undefined, {});
  const opts = usageOptionsFor(settings, index);
  const plan = planPrefilter(opts, 'import-dirs');

  it('finds relative imports through spaces, tabs and line continuations, not words ending in from', () => {
    expect(hasRelativeImport(Buffer.from('from . import client\n'))).toBe(true);
    expect(hasRelativeImport(Buffer.from('from\t..client import session\n'))).toBe(true);
    expect(hasRelativeImport(Buffer.from('from \\\n  .client import session\n'))).toBe(true);
    expect(hasRelativeImport(Buffer.from('from os import path\nx = wherefrom .5\n'))).toBe(false);
    expect(hasRelativeImport(Buffer.from('"take it from. here"\n'))).toBe(false);
  });

  it('keeps files naming the library, a legacy module or its parent, and relative imports in those packages', () => {
    const c = (text: string, rel = 'nova/x.py') => directCandidate(Buffer.from(text), rel, plan);
    expect(c('import os_xenapi\n')).toEqual({ candidate: true, namesLibrary: true });
    expect(c('from nova.virt.xenapi import client\n')).toEqual({ candidate: true, namesLibrary: false });
    expect(c('from . import client\n', 'nova/virt/xenapi/vmops.py')).toEqual({
      candidate: true,
      namesLibrary: false,
    });
    expect(c('from . import client\n', 'other/virt.py')).toEqual({ candidate: false, namesLibrary: false });
    expect(c('session.call_xenapi("VM.get_all")\n')).toEqual({ candidate: false, namesLibrary: false });
  });

  it('method names count only inside the instance scope (dirs of files naming the library)', () => {
    const inScope = scopePredicate(plan, ['nova/virt/xenapi/vif.py', 'setup.py']);
    expect(inScope('nova/virt/xenapi/volume_utils.py')).toBe(true);
    expect(inScope('nova/virt/xenapi/image/glance.py')).toBe(true);
    expect(inScope('nova/compute/manager.py')).toBe(false);
    expect(namesMethod('self._session.call_xenapi("x")', plan)).toBe(true);
    expect(namesMethod('def call_xenapi_now(): pass', plan)).toBe(false);
    const globs = scopePredicate({ ...plan, scope: ['nova/virt/**'] }, []);
    expect(globs('nova/virt/a.py')).toBe(true);
    expect(globs('nova/a.py')).toBe(false);
  });

  it('every file the old mayUse accepted that can yield a kept use is still a candidate', () => {
    const text = 'from os_xenapi.client import session\n';
    expect(mayUse(text, opts)).toBe(true);
    expect(directCandidate(Buffer.from(text), 'nova/a.py', plan).candidate).toBe(true);
  });
});

describe('disk listing', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pins-list-'));
    const w = (rel: string, text = 'x = 1\n') => {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    };
    w('.gitignore', 'build/\n*_flymake.py\n/top_only.py\nlocal_settings.py\n!keep/local_settings.py\n');
    w('a.py');
    w('top_only.py');
    w('pkg/top_only.py');
    w('pkg/b_flymake.py');
    w('pkg/local_settings.py');
    w('keep/local_settings.py');
    w('build/gen.py');
    w('pkg/.gitignore', 'generated_*.py\n');
    w('pkg/generated_x.py');
    w('pkg/sub/generated_y.py');
    w('other/generated_z.py');
    w('.hidden/c.py');
    w('pkg/.d.py');
    w('node_modules/m/index.py');
    w('pkg/__pycache__/x.py');
    w('pkg/notes.txt');
    w('excluded/e.py');
    symlinkSync(path.join(dir, 'a.py'), path.join(dir, 'link.py'));
    symlinkSync(path.join(dir, 'pkg'), path.join(dir, 'linkdir'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the same files as the engine discovery (gitignore, dot files, excluded dirs, links, globs)', async () => {
    const exclude = ['excluded/**'];
    const fast = (await new DiskTreeSource(dir).list({ exclude })).map((f) => f.path);
    const engine = (await discoverFiles({ cwd: dir, exclude })).files;
    expect(fast).toEqual(engine);
    expect(fast.map((f) => path.relative(dir, f))).toEqual([
      'a.py',
      'keep/local_settings.py',
      'other/generated_z.py',
      'pkg/top_only.py',
    ]);
    const only = (await new DiskTreeSource(dir).list({ include: ['pkg/**/*.py'] })).map((f) => f.path);
    expect(only).toEqual((await discoverFiles({ cwd: dir, include: ['pkg/**/*.py'] })).files);
  });
});

describe('API index cache', () => {
  let cache: string;
  const saved = process.env.XDG_CACHE_HOME;
  beforeAll(() => {
    cache = mkdtempSync(path.join(tmpdir(), 'pins-cache-'));
    process.env.XDG_CACHE_HOME = cache;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
    rmSync(cache, { recursive: true, force: true });
  });

  it('validates once per content and names the file of an invalid index', () => {
    const good = path.join(cache, 'good.json');
    writeFileSync(good, readFileSync('fixtures/pins/generic/foolib-api.json'));
    const a = loadPinsIndex(good);
    expect(loadPinsIndex(good)).toBe(a);
    const markers = readdirSync(path.join(cache, 'backlevel', 'api-index'));
    expect(markers).toHaveLength(1);
    const bad = path.join(cache, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1, package: 'x' }));
    expect(() => loadPinsIndex(bad)).toThrow(ConfigError);
    expect(() => loadPinsIndex(bad)).toThrow(/bad\.json/);
    expect(readdirSync(path.join(cache, 'backlevel', 'api-index'))).toHaveLength(1);
  });
});

describe('worker hand-off', () => {
  it('gives the same report whether the candidates are parsed here or handed to the file task', async () => {
    const project = openProject('fixtures/pins/signature');
    const { settings, index } = resolvePinsSettings(project.root, undefined, {});
    const here = await analyzePins({ project, settings, index, jobs: 1 });
    const task = await analyzePins({ project, settings, index, jobs: 2, workerMinBytes: 0 });
    expect(task.report).toEqual(here.report);
    expect(here.report.findings.length).toBeGreaterThan(0);
    expect(here.report.files.parsed).toBeLessThan(here.report.files.discovered);
    expect(here.timings.total).toBeGreaterThan(0);
  });
});
