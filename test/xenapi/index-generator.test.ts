import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiIndex, validateApiIndex } from '../../src/xenapi/api-index.js';
import { generateApiIndex, serializeApiIndex } from '../../src/xenapi/index-generator.js';

// A tiny os_xenapi-like library, written here, committed and tagged in a throwaway repository.
let repo: string;

function git(...args: string[]): string {
  return execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
      GIT_AUTHOR_DATE: '2020-01-01T00:00:00Z',
      GIT_COMMITTER_DATE: '2020-01-01T00:00:00Z',
    },
  });
}

function write(path: string, text: string): void {
  const abs = join(repo, path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text);
}

const SESSION_V1 = `
class Session(object):
    REQUIRED = '1.0'

    def __init__(self, url, user, pw, origin="lib"):
        self.url = url

    def call_plugin(self, plugin, fn, args):
        return None

    def call_plugin_serialized(self, plugin, fn, *args, **kwargs):
        return None

    def connection(self, session):
        pass

    def _login(self):
        pass


def helper(session):
    return session
`;

const NET_V2 = `
def fetch_all(session):
    return session.call_plugin_serialized('bandwidth.py', 'fetch_all')


def del_port(session, bridge, port):
    args = {'cmd': 'del_port',
            'args': {'bridge_name': bridge, 'port_name': port}}
    session.call_plugin_serialized('host.py', 'network_config', args)


def copy(session, ref, size, image=None):
    args = {}
    args['ref'] = ref
    args['size'] = str(size)
    if image:
        args['image'] = image
    session.call_plugin('kernel.py', 'copy', args)
`;

const PLUGIN = `
def fetch_all(session):
    return {}


def other(session, arg_dict):
    return ''


if __name__ == '__main__':
    utils.register_plugin_calls(fetch_all)
    XenAPIPlugin.dispatch({'other': other})
`;

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'backlevel-index-'));
  git('init', '-q');
  write('lib_x/__init__.py', '');
  write('lib_x/client/__init__.py', '');
  write('lib_x/client/session.py', SESSION_V1);
  write('lib_x/tests/test_session.py', 'def test_x():\n    pass\n');
  write('lib_x/dom0/etc/xapi.d/plugins/bandwidth.py', PLUGIN);
  git('add', '-A');
  git('commit', '-q', '-m', 'v1');
  git('tag', '-a', '1.0.0', '-m', 'release 1.0.0');
  // 1.1.0: a signature change, a new module with plugin wrappers, a lightweight tag.
  write(
    'lib_x/client/session.py',
    SESSION_V1.replace('def connection(self, session)', 'def connection(self)'),
  );
  write('lib_x/client/net.py', NET_V2);
  git('add', '-A');
  git('commit', '-q', '-m', 'v2');
  git('tag', '1.1.0');
  // 1.10.0 (sorts after 1.2.0 by version, not by text): helper removed; a non-release tag ignored.
  write(
    'lib_x/client/session.py',
    SESSION_V1.replace('def connection(self, session)', 'def connection(self)').replace(
      /\ndef helper[\s\S]*$/,
      '\n',
    ),
  );
  git('add', '-A');
  git('commit', '-q', '-m', 'v3');
  git('tag', '1.10.0');
  git('tag', 'not-a-release');
  git('commit', '-q', '--allow-empty', '-m', 'v4');
  git('tag', '1.2.0');
});

afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
});

describe('generateApiIndex over a repository built by the test', () => {
  it('records every release tag in version order with its commit', async () => {
    const { index } = await generateApiIndex({ repo, package: 'lib-x', importName: 'lib_x' });
    expect(index.versions.map((v) => v.version)).toEqual(['1.0.0', '1.1.0', '1.2.0', '1.10.0']);
    for (const v of index.versions) expect(v.commit).toBe(git('rev-parse', `${v.tag}^{commit}`).trim());
    expect(index.versions[0]!.tagObject).toBe(git('rev-parse', '1.0.0').trim());
    expect(index.versions[1]!.tagObject).toBeUndefined();
    validateApiIndex(index, 'generated');
  });

  it('tracks modules, symbols, signature ranges, removals and private methods', async () => {
    const { index } = await generateApiIndex({ repo, package: 'lib-x', importName: 'lib_x' });
    const idx = new ApiIndex(index);
    expect(Object.keys(index.modules)).toEqual([
      'lib_x',
      'lib_x.client',
      'lib_x.client.net',
      'lib_x.client.session',
    ]);
    expect(index.modules['lib_x.client.net']!.firstVersion).toBe('1.1.0');
    const session = index.modules['lib_x.client.session']!.symbols;
    expect(session.Session!.signatures[0]!.signature).toBe(
      'class Session(object); __init__(url, user, pw, origin="lib")',
    );
    expect(session['Session.connection']!.signatures.map((r) => [r.from, r.to, r.signature])).toEqual([
      ['1.0.0', '1.0.0', 'connection(session)'],
      ['1.1.0', '1.10.0', 'connection()'],
    ]);
    expect(session['Session.call_plugin_serialized']!.signatures[0]!.params).toEqual([
      { name: 'plugin', kind: 'positional' },
      { name: 'fn', kind: 'positional' },
      { name: 'args', kind: 'var-positional' },
      { name: 'kwargs', kind: 'var-keyword' },
    ]);
    expect(session.helper!.lastVersion).toBe('1.1.0');
    expect(session['Session._login']!.private).toBe(true);
    expect(session['Session.REQUIRED']!.kind).toBe('attribute');
    expect(idx.firstVersionOf('lib_x.client.net.del_port')).toBe('1.1.0');
    expect(idx.firstVersionOf('lib_x.client.net.nothing')).toBeUndefined();
    expect(idx.signatureAt('lib_x.client.session.Session.connection', '1.2.0')?.signature).toBe(
      'connection()',
    );
    // Tests are not public modules.
    expect(index.modules['lib_x.tests.test_session']).toBeUndefined();
  });

  it('reads plugin wrappers: entry point, subcommand, argument routes and whether the result is returned', async () => {
    const { index } = await generateApiIndex({ repo, package: 'lib-x', importName: 'lib_x' });
    const wrappers = index.modules['lib_x.client.net']!.pluginWrappers!;
    expect(wrappers.fetch_all![0]).toMatchObject({
      plugin: 'bandwidth.py',
      pluginFunction: 'fetch_all',
      returnsResult: true,
    });
    expect(wrappers.del_port![0]).toMatchObject({
      plugin: 'host.py',
      pluginFunction: 'network_config',
      subcommand: 'del_port',
      returnsResult: false,
      arguments: [
        { param: 'bridge', via: 'key', key: 'bridge_name', expression: 'bridge' },
        { param: 'port', via: 'key', key: 'port_name', expression: 'port' },
      ],
    });
    expect(wrappers.copy![0]!.arguments).toEqual([
      { param: 'ref', via: 'key', key: 'ref', expression: 'ref' },
      { param: 'size', via: 'key', key: 'size', expression: 'str(size)' },
      { param: 'image', via: 'key', key: 'image', expression: 'image', conditional: true },
    ]);
    expect(index.dom0Plugins!['bandwidth.py']!.entryPoints).toMatchObject({
      fetch_all: { style: 'serialized', firstVersion: '1.0.0' },
      other: { style: 'dict' },
    });
  });

  it('is deterministic and refuses a directory that is not a repository', async () => {
    const a = serializeApiIndex((await generateApiIndex({ repo, importName: 'lib_x' })).index);
    const b = serializeApiIndex(
      (await generateApiIndex({ repo: join(repo, '.git'), importName: 'lib_x' })).index,
    );
    expect(a).toBe(b);
    const empty = mkdtempSync(join(tmpdir(), 'backlevel-norepo-'));
    await expect(generateApiIndex({ repo: empty })).rejects.toThrow(/not a git repository/);
    rmSync(empty, { recursive: true, force: true });
  });
});
