import { describe, expect, it } from 'vitest';
import { formatMarker } from '../../src/requirements/markers.js';
import {
  isValidName,
  normalizeName,
  parseRequirement,
  parseRequirementsLine,
  RequirementSyntaxError,
  sameName,
  splitLogicalLines,
  tryParseRequirement,
} from '../../src/requirements/requirement-line.js';

describe('names (PEP 503)', () => {
  it('os-xenapi, os_xenapi and OS.XenAPI are one project', () => {
    expect(normalizeName('os-xenapi')).toBe('os-xenapi');
    expect(normalizeName('os_xenapi')).toBe('os-xenapi');
    expect(normalizeName('OS.XenAPI')).toBe('os-xenapi');
    expect(normalizeName('Os__-.XenApi')).toBe('os-xenapi');
    expect(sameName('os_xenapi', 'OS.XenAPI')).toBe(true);
    // XenAPI is a different project.
    expect(sameName('XenAPI', 'os-xenapi')).toBe(false);
    expect(normalizeName('oslo.concurrency')).toBe('oslo-concurrency');
  });

  it('validates PEP 508 names', () => {
    for (const ok of ['os-xenapi', 'a', 'A1', 'zope.interface', 'x_y']) expect(isValidName(ok)).toBe(true);
    for (const bad of ['-x', 'x-', '.x', 'x y', '', 'x!']) expect(isValidName(bad)).toBe(false);
  });
});

describe('parseRequirement', () => {
  it('name only means any version', () => {
    const r = parseRequirement('os-xenapi');
    expect(r).toMatchObject({
      name: 'os-xenapi',
      normalizedName: 'os-xenapi',
      extras: [],
      specifier: '',
      clauses: [],
      url: null,
      marker: null,
      markerText: null,
    });
  });

  it.each([
    ['os-xenapi>=0.1.1', '>=0.1.1'],
    ['os-xenapi==0.3.1', '==0.3.1'],
    ['os-xenapi===0.3.4', '===0.3.4'],
    ['PrettyTable<0.8,>=0.7.1', '<0.8,>=0.7.1'],
    ['Babel!=2.4.0,>=2.3.4', '!=2.4.0,>=2.3.4'],
    ['greenlet>=0.4.10,!=0.4.14', '>=0.4.10,!=0.4.14'],
    ['sphinx!=1.3b1,<1.4,>=1.2.1', '!=1.3b1,<1.4,>=1.2.1'],
    ['foo <= 2', '<=2'],
    ['foo > 1.0', '>1.0'],
    ['foo~=2.2', '~=2.2'],
    ['foo==1.4.*', '==1.4.*'],
    ['foo >= 1.0 , != 1.5', '>=1.0,!=1.5'],
    ['foo (>=1.0, <2)', '>=1.0,<2'],
    ['foo(==1.0)', '==1.0'],
    ['foo===weird-version', '===weird-version'],
    ['foo==1!2.0.post1', '==1!2.0.post1'],
    ['foo>=1.0.dev3', '>=1.0.dev3'],
  ])('%s', (text, specifier) => {
    const r = parseRequirement(text);
    expect(r.specifier).toBe(specifier);
    expect(r.clauses.map((c) => c.text).join(',')).toBe(specifier);
  });

  it('extras', () => {
    expect(parseRequirement('requests[security]>=2.14.2').extras).toEqual(['security']);
    expect(parseRequirement('oslo.messaging[amqp1, kafka] >= 5.0').extras).toEqual(['amqp1', 'kafka']);
    expect(parseRequirement('foo[]').extras).toEqual([]);
  });

  it('markers with and without space after ;', () => {
    const r = parseRequirement("Routes!=2.0,!=2.1,!=2.3.0,>=1.12.3;python_version=='2.7'");
    expect(r.specifier).toBe('!=2.0,!=2.1,!=2.3.0,>=1.12.3');
    expect(r.markerText).toBe("python_version=='2.7'");
    expect(formatMarker(r.marker!)).toBe('python_version == "2.7"');

    const e = parseRequirement(
      "enum34;python_version=='2.7' or python_version=='2.6' or python_version=='3.3'",
    );
    expect(e.specifier).toBe('');
    expect(e.marker?.type).toBe('or');

    const spaced = parseRequirement('contextlib2 >= 0.5.5 ; python_version < "3.0"');
    expect(spaced.specifier).toBe('>=0.5.5');
    expect(spaced.markerText).toBe('python_version < "3.0"');
  });

  it('URL requirements', () => {
    const r = parseRequirement('pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee');
    expect(r.url).toBe('https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee');
    expect(r.specifier).toBe('');
    const m = parseRequirement('name[fred,bar] @ http://foo.com ; python_version=="2.7"');
    expect(m).toMatchObject({ name: 'name', extras: ['fred', 'bar'], url: 'http://foo.com' });
    expect(m.markerText).toBe('python_version=="2.7"');
    // Without whitespace the ';' belongs to the URL.
    expect(parseRequirement('name @ http://foo.com;x').url).toBe('http://foo.com;x');
  });

  it('the malformed hacking>=2.0<2.1 is a syntax error with a position', () => {
    const r = tryParseRequirement('hacking>=2.0<2.1');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(RequirementSyntaxError);
    expect(r.error.reason).toMatch(
      /unexpected '<2.1' after version '2.0' \(missing comma between specifiers\?\)/,
    );
    expect(r.error.offset).toBe(12);
  });

  it.each([
    ['>=1.0', /expected a distribution name/],
    ['foo 1.0', /unexpected '1.0' after name/],
    ['foo>=', /expected a version after '>='/],
    ['foo>=1.0,', /expected a comparison operator/],
    ['foo~=1', /two release segments/],
    ['foo>=1.0.*', /only allowed with == and !=/],
    ['foo[bar', /expected ',' or '\]' in extras/],
    ['foo (>=1.0', /expected '\)'/],
    ["foo; python_version = '2'", /invalid marker: unexpected character '='/],
    ["foo; os == 'x'", /invalid marker: unknown marker variable 'os'/],
    ['foo @', /expected a URL/],
    ['foo @ http://x bar', /unexpected 'bar' after URL/],
    ['foo>=1.0 bar', /unexpected 'bar' after version specifier/],
  ])('rejects %j', (text, message) => {
    expect(() => parseRequirement(text)).toThrow(RequirementSyntaxError);
    expect(() => parseRequirement(text)).toThrow(message);
  });

  it('marker errors point into the whole line', () => {
    const r = tryParseRequirement("foo;python_version=='2.7' andd x");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.offset).toBe("foo;python_version=='2.7' ".length);
  });
});

describe('splitLogicalLines', () => {
  it('strips comments after whitespace, keeps # without whitespace', () => {
    const lines = splitLogicalLines(
      [
        'os-xenapi>=0.1.1 # Apache-2.0',
        'os-xenapi>=0.1.0  # Apache-2.0',
        'lxml!=3.7.0,>=3.4.1 # BSD License (3 clause)',
        'fixtures>=3.0.0 # Apache-2.0/BSD',
        '# whole-line comment',
        '',
        '   ',
        'git+https://x.example/r.git#egg=foo',
      ].join('\n'),
    );
    expect(lines.map((l) => l.text)).toEqual([
      'os-xenapi>=0.1.1',
      'os-xenapi>=0.1.0',
      'lxml!=3.7.0,>=3.4.1',
      'fixtures>=3.0.0',
      '',
      '',
      '',
      'git+https://x.example/r.git#egg=foo',
    ]);
    expect(lines.map((l) => l.comment)).toEqual([
      'Apache-2.0',
      'Apache-2.0',
      'BSD License (3 clause)',
      'Apache-2.0/BSD',
      'whole-line comment',
      null,
      null,
      null,
    ]);
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('joins continuations and keeps the first line number', () => {
    const lines = splitLogicalLines('a>=1,\\\n  <2\nb\\\n[x]\nc\n');
    expect(lines).toEqual([
      { line: 1, endLine: 2, raw: 'a>=1,\\\n  <2', text: 'a>=1,  <2', comment: null },
      { line: 3, endLine: 4, raw: 'b\\\n[x]', text: 'b[x]', comment: null },
      { line: 5, endLine: 5, raw: 'c', text: 'c', comment: null },
    ]);
  });

  it('a comment line ending in \\ does not continue; CRLF is handled', () => {
    const lines = splitLogicalLines('# note \\\r\nfoo\r\n');
    expect(lines.map((l) => l.text)).toEqual(['', 'foo']);
  });
});

describe('parseRequirementsLine', () => {
  it('requirements, with per-requirement options', () => {
    const r = parseRequirementsLine('netaddr>=0.7.18 --hash=sha256:0123 --hash sha256:abcd');
    expect(r.kind).toBe('requirement');
    if (r.kind !== 'requirement') return;
    expect(r.requirement.specifier).toBe('>=0.7.18');
    expect(r.options.map((o) => [o.name, o.value])).toEqual([
      ['hash', 'sha256:0123'],
      ['hash', 'sha256:abcd'],
    ]);
  });

  it.each([
    ['-r other.txt', 'requirement', 'other.txt'],
    ['-rother.txt', 'requirement', 'other.txt'],
    ['--requirement other.txt', 'requirement', 'other.txt'],
    ['--requirement=other.txt', 'requirement', 'other.txt'],
    ['-c constraints.txt', 'constraint', 'constraints.txt'],
    ['-chttps://releases.example.org/upper', 'constraint', 'https://releases.example.org/upper'],
    ['--constraint=c.txt', 'constraint', 'c.txt'],
  ])('include %j', (text, include, target) => {
    expect(parseRequirementsLine(text)).toMatchObject({ kind: 'include', include, target });
  });

  it('editables', () => {
    const e = parseRequirementsLine('-e git+https://x.example/os-xenapi#egg=os_xenapi');
    expect(e).toMatchObject({ kind: 'editable', target: 'git+https://x.example/os-xenapi#egg=os_xenapi' });
    if (e.kind === 'editable') expect(e.requirement?.normalizedName).toBe('os-xenapi');
    expect(parseRequirementsLine('--editable ./checkout')).toMatchObject({
      kind: 'editable',
      target: './checkout',
      requirement: null,
    });
    expect(parseRequirementsLine('-e .')).toMatchObject({ kind: 'editable', target: '.' });
  });

  it('global options are recorded', () => {
    const r = parseRequirementsLine('--index-url https://pypi.example.org/simple --pre');
    expect(r.kind).toBe('options');
    if (r.kind !== 'options') return;
    expect(r.options).toEqual([
      { name: 'index-url', spelling: '--index-url', value: 'https://pypi.example.org/simple', known: true },
      { name: 'pre', spelling: '--pre', value: null, known: true },
    ]);
    const unknown = parseRequirementsLine('--frobnicate yes');
    expect(unknown).toMatchObject({
      kind: 'options',
      options: [{ name: 'frobnicate', value: 'yes', known: false }],
    });
  });

  it('quoted option values', () => {
    const r = parseRequirementsLine('psycopg2 --global-option="--no-user-cfg"');
    expect(r).toMatchObject({
      kind: 'requirement',
      options: [{ name: 'global-option', value: '--no-user-cfg' }],
    });
  });

  it('bare URLs and paths', () => {
    expect(parseRequirementsLine('./downloads/six-1.16.0-py2.py3-none-any.whl')).toMatchObject({
      kind: 'direct',
      requirement: null,
    });
    const egg = parseRequirementsLine('https://files.example.org/example-1.0.tar.gz#egg=example-dist');
    expect(egg.kind).toBe('direct');
    if (egg.kind === 'direct') expect(egg.requirement?.name).toBe('example-dist');
  });

  it('errors carry an offset; option errors too', () => {
    expect(parseRequirementsLine('hacking>=2.0<2.1')).toMatchObject({ kind: 'error', offset: 12 });
    expect(parseRequirementsLine('-r')).toMatchObject({
      kind: 'error',
      message: 'option -r requires a value',
    });
    expect(parseRequirementsLine('--pre=yes')).toMatchObject({
      kind: 'error',
      message: 'option --pre takes no value',
    });
  });

  it('blank', () => {
    expect(parseRequirementsLine('   ')).toEqual({ kind: 'blank' });
  });
});
