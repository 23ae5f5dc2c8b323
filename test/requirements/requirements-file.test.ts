import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIni } from '../../src/requirements/ini.js';
import { pythonEnvironment } from '../../src/requirements/markers.js';
import {
  entryApplies,
  findApplicableRequirements,
  findRequirements,
  gitReader,
  parseRequirementsText,
  parseSetupCfg,
  readRequirementsFile,
  readSetupCfg,
  requirementErrors,
} from '../../src/requirements/requirements-file.js';
import { allowedVersions, minimumAllowed } from '../../src/requirements/version-range.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/requirements/', import.meta.url));
const fixture = (...parts: string[]) => path.join(FIXTURES, ...parts);
const OS_XENAPI = ['0.1.0', '0.1.1', '0.2.0', '0.3.0', '0.3.1', '0.3.2', '0.3.3', '0.3.4'];

describe('a Nova-style requirements.txt', () => {
  const set = readRequirementsFile(fixture('requirements.txt'));

  it('parses every line without diagnostics', () => {
    expect(set.diagnostics).toEqual([]);
    expect(set.entries).toHaveLength(20);
    expect(set.files).toEqual([fixture('requirements.txt')]);
  });

  it('records file, 1-based line, raw text, name, specifier and comment', () => {
    const [xen] = findRequirements(set, 'os_xenapi');
    expect(xen).toMatchObject({
      file: fixture('requirements.txt'),
      line: 17,
      endLine: 17,
      raw: 'os-xenapi>=0.3.3 # Apache-2.0',
      name: 'os-xenapi',
      normalizedName: 'os-xenapi',
      specifier: '>=0.3.3',
      marker: null,
      constraint: false,
      editable: false,
      comment: 'Apache-2.0',
      includedFrom: [],
    });
    expect(minimumAllowed(xen!, OS_XENAPI)).toBe('0.3.3');
  });

  it('long exclusion lists and comments with spaces and parentheses', () => {
    const [setuptools] = findRequirements(set, 'setuptools');
    expect(setuptools?.clauses).toHaveLength(13);
    expect(setuptools?.comment).toBe('PSF/ZPL');
    const [lxml] = findRequirements(set, 'LXML');
    expect(lxml).toMatchObject({ specifier: '!=3.7.0,>=3.4.1', comment: 'BSD License (3 clause)' });
    expect(findRequirements(set, 'oslo_concurrency')[0]?.name).toBe('oslo.concurrency');
  });

  it('a name on two lines with complementary markers: both returned, or chosen by marker', () => {
    const routes = findRequirements(set, 'routes');
    expect(routes.map((r) => r.line)).toEqual([9, 10]);
    expect(routes.map((r) => r.specifier)).toEqual([
      '!=2.0,!=2.1,!=2.3.0,>=1.12.3',
      '!=2.0,!=2.3.0,>=1.12.3',
    ]);
    const py27 = findApplicableRequirements(set, 'Routes', pythonEnvironment({ python: '2.7' }));
    expect(py27.map((r) => r.line)).toEqual([9]);
    const py3 = findApplicableRequirements(set, 'Routes');
    expect(py3.map((r) => r.line)).toEqual([10]);
    expect(
      allowedVersions(routes, ['2.1', '2.2', '2.3.0', '2.4.1'], { python_version: '2.7' }).versions,
    ).toEqual(['2.2', '2.4.1']);
    expect(
      allowedVersions(routes, ['2.1', '2.2', '2.3.0', '2.4.1'], { python_version: '3.6' }).versions,
    ).toEqual(['2.1', '2.2', '2.4.1']);
  });

  it('marker lines', () => {
    const [enum34] = findRequirements(set, 'enum34');
    expect(enum34?.specifier).toBe('');
    expect(entryApplies(enum34!, pythonEnvironment({ python: '2.7' }))).toBe(true);
    expect(entryApplies(enum34!, pythonEnvironment({ python: '3.6' }))).toBe(false);
    const [zvm] = findRequirements(set, 'zvmcloudconnector');
    expect(zvm?.markerText).toBe("sys_platform!='win32'");
    expect(entryApplies(zvm!)).toBe(true);
    expect(entryApplies(zvm!, { sys_platform: 'win32' })).toBe(false);
    expect(findApplicableRequirements(set, 'dataclasses', { python_version: '3.6' })).toHaveLength(1);
    expect(findApplicableRequirements(set, 'dataclasses', { python_version: '3.7' })).toHaveLength(0);
    expect(findApplicableRequirements(set, 'contextlib2', { python_version: '2.7' })).toHaveLength(1);
  });

  it('unknown names give nothing', () => {
    expect(findRequirements(set, 'xenapi')).toEqual([]);
  });
});

describe('malformed lines', () => {
  const set = readRequirementsFile(fixture('test-requirements.txt'));

  it('hacking>=2.0<2.1 is reported with file and line, the other lines are parsed', () => {
    expect(set.diagnostics).toHaveLength(1);
    const [d] = set.diagnostics;
    expect(d).toMatchObject({
      severity: 'error',
      code: 'syntax',
      file: fixture('test-requirements.txt'),
      line: 2,
      column: 13,
      raw: 'hacking>=2.0<2.1 # Apache-2.0',
    });
    expect(d?.message).toContain(`${fixture('test-requirements.txt')}:2:13:`);
    expect(d?.message).toMatch(/missing comma/);
    expect(requirementErrors(set)).toHaveLength(1);
    expect(set.entries.map((e) => e.normalizedName)).toEqual([
      'coverage',
      'sphinx',
      'mock',
      'fixtures',
      'stestr',
    ]);
    expect(findRequirements(set, 'hacking')).toEqual([]);
  });

  it('sphinx exclusions with a pre-release', () => {
    const [sphinx] = findRequirements(set, 'Sphinx');
    expect(sphinx?.specifier).toBe('!=1.3b1,<1.4,>=1.2.1');
    expect(minimumAllowed(sphinx!, ['1.2.0', '1.2.1', '1.3b1', '1.3.1', '1.4'])).toBe('1.2.1');
    expect(allowedVersions([sphinx!], ['1.2.0', '1.3b1', '1.3b2', '1.4']).versions).toEqual(['1.3b2']);
  });

  it('columns count leading whitespace', () => {
    const r = parseRequirementsText('ok\n   hacking>=2.0<2.1  # x\n', 'req.txt');
    expect(r.diagnostics[0]).toMatchObject({ line: 2, column: 16 });
  });

  it('a bad line in given text names the given file name', () => {
    const r = parseRequirementsText('ok>=1\nbad>=\nalso-ok', 'REV:requirements.txt');
    expect(r.entries.map((e) => e.name)).toEqual(['ok', 'also-ok']);
    expect(r.diagnostics[0]).toMatchObject({ file: 'REV:requirements.txt', line: 2 });
    expect(r.diagnostics[0]?.message).toMatch(/^REV:requirements.txt:2:6: expected a version after '>='/);
  });
});

describe('constraints files', () => {
  it('lower-constraints: == pins, marker on one line', () => {
    const set = readRequirementsFile(fixture('lower-constraints.txt'), { constraint: true });
    expect(set.diagnostics).toEqual([]);
    expect(set.entries.every((e) => e.constraint)).toBe(true);
    const [xen] = findRequirements(set, 'os-xenapi');
    expect(minimumAllowed(xen!, OS_XENAPI)).toBe('0.3.3');
  });

  it('upper-constraints: === and one name per Python version', () => {
    const set = readRequirementsFile(fixture('upper-constraints.txt'));
    expect(findRequirements(set, 'os-xenapi')[0]?.specifier).toBe('===0.3.4');
    // XenAPI is not os-xenapi.
    expect(findRequirements(set, 'os-xenapi')).toHaveLength(1);
    expect(findRequirements(set, 'xenapi')[0]?.specifier).toBe('===2.14');
    expect(findRequirements(set, 'pytest')).toHaveLength(3);
    expect(findApplicableRequirements(set, 'pytest', { python_version: '3.6' })[0]?.specifier).toBe(
      '===5.1.2',
    );
    expect(findApplicableRequirements(set, 'pytest', pythonEnvironment())[0]?.specifier).toBe('===6.2.5');
  });

  it('global-requirements: a bare name means any version; the same name under different markers', () => {
    const set = readRequirementsFile(fixture('global-requirements.txt'));
    expect(set.diagnostics).toEqual([]);
    const [xen] = findRequirements(set, 'os-xenapi');
    expect(xen).toMatchObject({ specifier: '', comment: 'Apache-2.0', raw: 'os-xenapi  # Apache-2.0' });
    expect(minimumAllowed(xen!, OS_XENAPI)).toBe('0.1.0');
    const django = findApplicableRequirements(set, 'django', { python_version: '2.7' });
    expect(django.map((d) => d.specifier)).toEqual(['<2']);
  });
});

describe('continuations', () => {
  const set = readRequirementsFile(fixture('continuation.txt'));

  it('joins lines like pip', () => {
    expect(set.diagnostics).toEqual([]);
    expect(set.entries.map((e) => [e.name, e.specifier, e.line, e.endLine])).toEqual([
      ['oslo.utils', '>=3.33.0,!=3.39.0', 2, 4],
      ['requests', '>=2.14.2', 5, 6],
      ['six', '>=1.10.0', 8, 9],
      ['trailing', '>=1.0', 10, 10],
    ]);
    expect(set.entries[1]?.extras).toEqual(['security']);
    expect(set.entries[0]?.comment).toBe('Apache-2.0');
  });

  it('a line after "# comment \\" is swallowed by the comment, as pip does', () => {
    expect(findRequirements(set, 'swallowed-by-comment')).toEqual([]);
    expect(set.entries[2]?.raw).toBe('six>=1.10.0 # MIT \\\nswallowed-by-comment>=1.0');
  });
});

describe('options, editables, URLs', () => {
  const set = readRequirementsFile(fixture('options.txt'));

  it('records options and keeps going', () => {
    expect(set.options.map((o) => [o.line, o.options.map((x) => x.name).join(' '), o.target])).toEqual([
      [1, 'index-url', null],
      [2, 'extra-index-url', null],
      [3, 'no-binary', null],
      [4, 'pre', null],
      [5, 'find-links', null],
      [6, 'editable', 'git+https://opendev.example.org/openstack/os-xenapi#egg=os-xenapi'],
      [7, 'editable', './local-checkout'],
      [8, 'editable', 'git+https://git.example.org/x.git#egg=xen_tools[dev]'],
      [9, '', './downloads/six-1.16.0-py2.py3-none-any.whl'],
      [10, '', 'https://files.example.org/packages/example-1.0.tar.gz#egg=example-dist'],
      [13, 'frobnicate', null],
    ]);
  });

  it('editables and #egg= URLs with a name become entries', () => {
    const xen = findRequirements(set, 'os_xenapi');
    expect(xen).toHaveLength(1);
    expect(xen[0]).toMatchObject({ editable: true, line: 6, specifier: '' });
    expect(findRequirements(set, 'xen-tools')[0]).toMatchObject({ editable: true, extras: ['dev'] });
    expect(findRequirements(set, 'example-dist')[0]).toMatchObject({ editable: false, line: 10 });
  });

  it('requirements with options, markers and URLs', () => {
    const [netaddr] = findRequirements(set, 'netaddr');
    expect(netaddr?.options.map((o) => o.value)).toEqual([
      'sha256:0123456789abcdef',
      'sha256:fedcba9876543210',
    ]);
    expect(findRequirements(set, 'psycopg2')[0]?.options[0]).toMatchObject({
      name: 'global-option',
      value: '--no-user-cfg',
    });
    expect(findRequirements(set, 'pyroute2')[0]).toMatchObject({
      specifier: '>=0.5.4',
      comment: 'Apache-2.0 (+ dual licensed GPL2)',
    });
    const [wheel] = findRequirements(set, 'wheel');
    expect(wheel?.url).toBe('https://files.example.org/wheel-0.36.2-py2.py3-none-any.whl');
    expect(entryApplies(wheel!, { python_version: '2.7' })).toBe(false);
  });

  it('warns about unnamed direct references and unknown options, no errors', () => {
    expect(requirementErrors(set)).toEqual([]);
    expect(set.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['unnamed-requirement', 7],
      ['unnamed-requirement', 9],
      ['unknown-option', 13],
    ]);
  });
});

describe('includes', () => {
  const set = readRequirementsFile(fixture('includes', 'root.txt'));

  it('resolves -r and -c relative to the including file, reading each file once', () => {
    expect(set.diagnostics).toEqual([]);
    expect(set.files).toEqual([
      fixture('includes', 'root.txt'),
      fixture('includes', 'sub', 'child.txt'),
      fixture('includes', 'shared.txt'),
      fixture('includes', 'constraints.txt'),
      fixture('includes', 'nested-in-constraints.txt'),
    ]);
    expect(
      set.includes.map((i) => [path.relative(FIXTURES, i.file), i.line, i.type, i.target, i.status]),
    ).toEqual([
      ['includes/root.txt', 2, 'requirement', 'sub/child.txt', 'read'],
      ['includes/sub/child.txt', 2, 'requirement', '../shared.txt', 'read'],
      ['includes/root.txt', 3, 'constraint', 'constraints.txt', 'read'],
      ['includes/constraints.txt', 3, 'requirement', 'nested-in-constraints.txt', 'read'],
      ['includes/root.txt', 5, 'requirement', 'sub/child.txt', 'already-read'],
    ]);
  });

  it('entries know their file, line and include chain; -c marks constraints', () => {
    const eventlet = findRequirements(set, 'eventlet');
    expect(eventlet.map((e) => [path.relative(FIXTURES, e.file), e.line, e.constraint, e.specifier])).toEqual(
      [
        ['includes/sub/child.txt', 1, false, '!=0.18.3,!=0.20.1,<0.21.0,>=0.18.2'],
        ['includes/constraints.txt', 2, true, '===0.20.0'],
      ],
    );
    const [i18n] = findRequirements(set, 'oslo.i18n');
    expect(i18n?.includedFrom).toEqual([
      { file: fixture('includes', 'root.txt'), line: 2 },
      { file: fixture('includes', 'sub', 'child.txt'), line: 2 },
    ]);
    // pip: a -r inside a constraints file reads requirements.
    expect(findRequirements(set, 'six')[0]?.constraint).toBe(false);
  });

  it('lookups by kind, and allowedVersions over requirements + constraints', () => {
    expect(findRequirements(set, 'os-xenapi', { kind: 'requirements' }).map((e) => e.specifier)).toEqual([
      '>=0.3.1',
    ]);
    expect(findRequirements(set, 'os-xenapi', { kind: 'constraints' }).map((e) => e.specifier)).toEqual([
      '===0.3.4',
    ]);
    const allowed = allowedVersions(findRequirements(set, 'os-xenapi'), OS_XENAPI);
    expect(allowed).toMatchObject({ versions: ['0.3.4'], minimum: '0.3.4', required: true });
    expect(
      allowedVersions(findRequirements(set, 'eventlet'), ['0.18.2', '0.20.0', '0.20.1']).versions,
    ).toEqual(['0.20.0']);
  });

  it('cycles are reported once as a warning and reading finishes', () => {
    const cyc = readRequirementsFile(fixture('cycle', 'a.txt'));
    expect(cyc.entries.map((e) => e.name)).toEqual(['alpha', 'beta']);
    expect(cyc.diagnostics).toHaveLength(1);
    expect(cyc.diagnostics[0]).toMatchObject({
      severity: 'warning',
      code: 'include-cycle',
      file: fixture('cycle', 'b.txt'),
      line: 2,
    });
    expect(cyc.diagnostics[0]?.message).toContain(
      `include cycle: ${fixture('cycle', 'a.txt')} -> ${fixture('cycle', 'b.txt')} -> ${fixture('cycle', 'a.txt')}`,
    );
    expect(cyc.includes.map((i) => i.status)).toEqual(['read', 'cycle']);
  });

  it('a file that includes itself', () => {
    const files: Record<string, string> = { 'self.txt': 'x>=1\n-r self.txt\n' };
    const r = readRequirementsFile('self.txt', { reader: (f) => files[f] });
    expect(r.entries).toHaveLength(1);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['include-cycle']);
  });

  it('a missing include is an error naming file and line; remote includes are not fetched', () => {
    const r = readRequirementsFile(fixture('missing-include.txt'));
    expect(r.entries.map((e) => e.name)).toEqual(['before', 'after']);
    expect(r.diagnostics.map((d) => [d.severity, d.code, d.line])).toEqual([
      ['error', 'missing-include', 2],
      ['warning', 'remote-include', 3],
    ]);
    expect(r.diagnostics[0]?.message).toBe(
      `${fixture('missing-include.txt')}:2: -r does-not-exist.txt: file not found (${fixture('does-not-exist.txt')})`,
    );
    expect(r.includes.map((i) => i.status)).toEqual(['missing', 'remote']);
  });

  it('a missing root file', () => {
    const r = readRequirementsFile(fixture('nope.txt'));
    expect(r.entries).toEqual([]);
    expect(r.diagnostics).toMatchObject([{ severity: 'error', code: 'missing-file', line: 0 }]);
  });
});

describe('reading through a custom reader (git show REV:path)', () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'backlevel-req-'));
  afterAll(() => rmSync(repo, { recursive: true, force: true }));
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, ...args], {
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.org',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.org',
      },
    }).trim();

  it('reads a file and its includes as of a revision', () => {
    git('init', '-q');
    mkdirSync(path.join(repo, 'req'));
    writeFileSync(path.join(repo, 'requirements.txt'), 'os-xenapi>=0.1.1 # Apache-2.0\n-r req/extra.txt\n');
    writeFileSync(path.join(repo, 'req', 'extra.txt'), 'six>=1.9\n');
    git('add', '.');
    git('commit', '-q', '-m', 'one');
    const first = git('rev-parse', 'HEAD');
    writeFileSync(path.join(repo, 'requirements.txt'), 'os-xenapi>=0.3.4 # Apache-2.0\n-r req/gone.txt\n');
    git('add', '.');
    git('commit', '-q', '-m', 'two');

    const old = readRequirementsFile('requirements.txt', { reader: gitReader(repo, first) });
    expect(old.diagnostics).toEqual([]);
    expect(findRequirements(old, 'os-xenapi')[0]?.specifier).toBe('>=0.1.1');
    expect(findRequirements(old, 'six')[0]).toMatchObject({ file: 'req/extra.txt', line: 1 });

    const head = readRequirementsFile('requirements.txt', { reader: gitReader(repo, 'HEAD') });
    expect(findRequirements(head, 'os-xenapi')[0]?.specifier).toBe('>=0.3.4');
    expect(head.diagnostics).toMatchObject([{ code: 'missing-include', file: 'requirements.txt', line: 2 }]);

    expect(
      readRequirementsFile('requirements.txt', { reader: gitReader(repo, 'no-such-rev') }).diagnostics,
    ).toMatchObject([{ code: 'missing-file' }]);
  });

  it('parseRequirementsText takes text from elsewhere and resolves includes with the reader', () => {
    const files: Record<string, string> = { 'a/b.txt': 'six\n' };
    const r = parseRequirementsText('-r b.txt\nos-xenapi', 'a/requirements.txt', { reader: (f) => files[f] });
    expect(r.entries.map((e) => [e.file, e.name])).toEqual([
      ['a/b.txt', 'six'],
      ['a/requirements.txt', 'os-xenapi'],
    ]);
  });
});

describe('setup.cfg', () => {
  const set = readSetupCfg(fixture('setup.cfg'));

  it('install_requires: one requirement per line, with setup.cfg line numbers', () => {
    const install = set.entries.filter((e) => e.extra === null);
    expect(install.map((e) => [e.name, e.specifier, e.line])).toEqual([
      ['pbr', '>=2.0.0', 11],
      ['oslo.log', '>=3.22.0', 13],
      ['six', '>=1.10.0', 14],
      ['os_xenapi', '>=0.3.1', 16],
    ]);
    expect(install[2]?.markerText).toBe("python_version<'3'");
    expect(install[3]).toMatchObject({ normalizedName: 'os-xenapi', comment: 'Apache-2.0' });
  });

  it('a malformed line is reported with its setup.cfg line', () => {
    expect(set.diagnostics).toHaveLength(1);
    expect(set.diagnostics[0]).toMatchObject({ severity: 'error', code: 'syntax', line: 17 });
    expect(set.diagnostics[0]?.message).toMatch(/setup\.cfg:17:\d+: .*missing comma/);
  });

  it('[extras] (pbr) and [options.extras_require] (setuptools)', () => {
    expect(findRequirements(set, 'os-xenapi', { extra: 'xenapi' }).map((e) => [e.name, e.line])).toEqual([
      ['OS.XenAPI', 21],
    ]);
    expect(findRequirements(set, 'os-xenapi').map((e) => e.extra)).toEqual([null, 'xenapi']);
    expect(findRequirements(set, 'os-xenapi', { extra: null })).toHaveLength(1);
    expect(findRequirements(set, 'mock')[0]?.extra).toBe('test');
    expect(findRequirements(set, 'sphinx')[0]).toMatchObject({
      extra: 'docs',
      specifier: '!=1.3b1,<1.4,>=1.2.1',
      line: 26,
    });
  });

  it('single-line install_requires, file: directives and a missing setup.cfg', () => {
    const one = parseSetupCfg('[options]\ninstall_requires = os-xenapi>=0.3.4\n', 'setup.cfg');
    expect(one.entries.map((e) => e.specifier)).toEqual(['>=0.3.4']);
    const file = parseSetupCfg('[options]\ninstall_requires = file: requirements.txt\n', 'setup.cfg');
    expect(file.entries).toEqual([]);
    expect(file.diagnostics).toMatchObject([{ severity: 'warning', line: 2 }]);
    expect(readSetupCfg(fixture('no-setup.cfg')).diagnostics).toMatchObject([{ code: 'missing-file' }]);
  });
});

describe('ini reader', () => {
  it('sections, both delimiters, lower-cased keys, multi-line values, comments', () => {
    const doc = parseIni(
      [
        '; leading comment',
        '[metadata]',
        'Name = thing',
        'summary: a: b',
        '[options]',
        'install_requires =',
        '    a',
        '    # skipped',
        '',
        '    b',
        'zip_safe = False',
      ].join('\n'),
    );
    expect(doc.problems).toEqual([]);
    expect(doc.sections.get('metadata')?.entries.get('name')).toMatchObject({ value: 'thing', line: 3 });
    expect(doc.sections.get('metadata')?.entries.get('summary')?.value).toBe('a: b');
    const ir = doc.sections.get('options')?.entries.get('install_requires');
    expect(ir?.value).toBe('\na\n\nb');
    expect(ir?.lines).toEqual([
      { text: 'a', line: 7 },
      { text: 'b', line: 10 },
    ]);
    expect(doc.sections.get('options')?.entries.get('zip_safe')?.value).toBe('False');
  });

  it('reports problems with lines and keeps going', () => {
    const doc = parseIni('orphan = 1\n[s]\nnovalue\nk = 1\nk = 2\n[s]\n');
    expect(doc.problems).toEqual([
      { line: 1, message: 'line outside any [section]' },
      { line: 3, message: "expected 'key = value' in [s]" },
      { line: 5, message: "duplicate key 'k' in [s]" },
      { line: 6, message: 'duplicate section [s]' },
    ]);
    expect(doc.sections.get('s')?.entries.get('k')?.value).toBe('2');
  });
});
