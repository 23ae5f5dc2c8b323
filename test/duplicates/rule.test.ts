import { describe, expect, it } from 'vitest';
import { validateDuplicatesOptions } from '../../src/duplicates/options.js';
import { lintSources } from '../../src/lint/lint-sources.js';
import { xenapiDuplicates } from '../../src/lint/rules/xenapi-duplicates.js';

const WRAPPER = `def fetch_bw(session):
    return session.call_plugin_serialized('bandwidth.py', 'fetch_all_bandwidth')
`;

const CHECK = `class Session(object):
    PLUGIN_REQUIRED_VERSION = '1.8'

    def __init__(self):
        self._verify_plugin_version()

    def _verify_plugin_version(self):
        v = self.call_plugin_serialized('nova_plugin_version.py', 'get_version')
        return v
`;

describe('xenapi-duplicates rule (committed os-xenapi index)', () => {
  it('reports a plugin-call wrapper with the os-xenapi function and release, not in tests', async () => {
    const r = await lintSources(
      { 'nova/virt/xenapi/host.py': WRAPPER, 'nova/tests/unit/virt/xenapi/test_host.py': WRAPPER },
      { only: ['xenapi-duplicates'] },
    );
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.file).toBe('nova/virt/xenapi/host.py');
    expect(f.severity).toBe('info');
    expect(f.message).toMatch(
      /fetch_bw wraps the dom0 plugin call bandwidth\.py\/fetch_all_bandwidth like os_xenapi\.client\.host_network\.fetch_all_bandwidth\(\) \(os-xenapi 0\.2\.0\+\), similarity \d\.\d\d/,
    );
    expect(f.data).toMatchObject({ kind: 'wrapper', module: 'os_xenapi.client.host_network', from: '0.2.0' });
  });

  it('reports the dom0 plugin version check: constant, method, call', async () => {
    const r = await lintSources(
      { 'nova/virt/xenapi/client/session.py': CHECK },
      { only: ['xenapi-duplicates'] },
    );
    expect(r.findings.map((f) => [f.line, (f.data as { site: string }).site])).toEqual([
      [2, 'constant'],
      [5, 'call'],
      [7, 'method'],
    ]);
  });

  it('thresholds are validated options', () => {
    expect(validateDuplicatesOptions({ thresholds: { function: 0.9 }, minTokens: 20 }, 'x')).toEqual({
      thresholds: { function: 0.9 },
      minTokens: 20,
    });
    expect(() =>
      validateDuplicatesOptions({ thresholds: { fn: 0.9 } }, 'lint.rules.xenapi-duplicates.options'),
    ).toThrow(/lint\.rules\.xenapi-duplicates\.options/);
    expect(() => validateDuplicatesOptions({ thresholds: { module: 2 } }, 'x')).toThrow();
  });

  it('rule options from the config reach the rule (a wrapper limit of 0 statements reports nothing)', async () => {
    const r = await lintSources(
      { 'nova/virt/xenapi/host.py': WRAPPER },
      {
        only: ['xenapi-duplicates'],
        config: { rules: { 'xenapi-duplicates': { options: { wrapperMaxStatements: 0 } } } },
      },
    );
    expect(r.findings).toHaveLength(0);
  });

  it('tests are parsed only when they can hold a version check (the one thing looked for there)', async () => {
    const TEST_OF_CHECK = `import mock


class TestSession(object):
    def test_verify(self):
        with mock.patch.object(self.session, '_verify_plugin_version') as v:
            self.session.call_plugin_serialized('nova_plugin_version.py', 'get_version')
            v.assert_called_once_with()
`;
    const r = await lintSources(
      {
        'nova/tests/unit/virt/xenapi/test_host.py': WRAPPER,
        'nova/tests/unit/virt/xenapi/test_session.py': TEST_OF_CHECK,
      },
      { only: ['xenapi-duplicates'] },
    );
    expect(r.parsed).toEqual(['nova/tests/unit/virt/xenapi/test_session.py']);
    expect(r.findings.map((f) => [f.file, (f.data as { site: string }).site])).toEqual([
      ['nova/tests/unit/virt/xenapi/test_session.py', 'test'],
    ]);
    expect(xenapiDuplicates.mayMatch!('nova/tests/unit/virt/xenapi/test_host.py', WRAPPER)).toBe(false);
    expect(xenapiDuplicates.mayMatch!('nova/virt/xenapi/host.py', WRAPPER)).toBe(true);
  });
});
