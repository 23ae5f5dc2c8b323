import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { compileSchema } from '../../src/config/schemas.js';
import type { Finding } from '../../src/report/finding.js';
import { formatReport, jsonReportOf, REPORT_FORMATS, type ReportInput } from './report-fixture.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const SOURCE = `from nova.virt.xenapi.client import session


class VMOps(object):
    def _update(self, ctxt, instance):
        self._virtapi.instance_update(ctxt, instance['uuid'],
                                      {'vm_state': 'error'})
`;

const FINDINGS: Finding[] = [
  {
    rule: 'legacy-xenapi-import',
    severity: 'error',
    file: 'nova/virt/xenapi/vmops.py',
    line: 1,
    column: 37,
    endLine: 1,
    endColumn: 44,
    message:
      'import of nova.virt.xenapi.client.session, which moved to os-xenapi: use os_xenapi.client.session (os-xenapi 0.1.0+)',
    fix: { codemod: 'xenapi-imports', description: 'import from os_xenapi.client' },
    suggestion: 'os_xenapi.client.session',
    fingerprint: '0123456789abcdef0123',
    data: { module: 'nova.virt.xenapi.client.session' },
  },
  {
    rule: 'raw-conductor-call',
    severity: 'warning',
    file: 'nova/virt/xenapi/vmops.py',
    line: 6,
    column: 9,
    endLine: 7,
    endColumn: 60,
    message:
      "raw VirtAPI call instance_update(): use instance.vm_state = 'error'; instance.save() (Instance.save(), Nova 2013.2+)",
    fix: { codemod: 'conductor-to-objects' },
    fingerprint: 'fedcba9876543210fedc',
  },
  {
    rule: 'virt-driver-method-contract',
    severity: 'info',
    file: 'nova/virt/xenapi/driver.py',
    line: 3,
    column: 5,
    endLine: 3,
    endColumn: 20,
    message:
      'XenAPIDriver.get_info() [xenapi] still uses dict access on its instance argument: 1 dict access, "quoted" <&> 100%',
  },
];

const INPUT: ReportInput = {
  findings: FINDINGS,
  summary: { filesRead: 2, bytesRead: 300, filesWithSyntaxErrors: [], skipped: [], findings: 3 },
  rules: [
    {
      id: 'raw-conductor-call',
      title: 'Raw call',
      description: 'Raw conductor call.',
      severity: 'error',
      docs: 'README.md#raw-conductor-call',
      fixableBy: 'conductor-to-objects',
    },
    {
      id: 'legacy-xenapi-import',
      title: 'Legacy import',
      severity: 'error',
      docs: 'https://example.org/rules/legacy-xenapi-import',
    },
  ],
  tool: { name: 'backlevel', version: '9.9.9' },
  command: 'lint',
  source: (f) => (f === 'nova/virt/xenapi/vmops.py' ? SOURCE : undefined),
};

describe('reporters (golden files)', () => {
  for (const format of REPORT_FORMATS) {
    it(`${format} output matches its golden file`, async () => {
      const ext = { text: 'txt', json: 'json', sarif: 'sarif', junit: 'xml', github: 'txt' }[format];
      await expect(formatReport(format, INPUT)).toMatchFileSnapshot(`golden/report.${format}.${ext}`);
    });
  }

  it('text with colour has ANSI codes; without, none', () => {
    expect(formatReport('text', INPUT, { color: true })).toMatch(/\u001b\[/);
    expect(formatReport('text', INPUT)).not.toMatch(/\u001b\[/);
  });

  it('an empty run renders in every format', () => {
    for (const format of REPORT_FORMATS) expect(() => formatReport(format, { findings: [] })).not.toThrow();
    expect(formatReport('junit', { findings: [] })).toContain('no findings');
  });
});

describe('SARIF 2.1.0', () => {
  const schema = JSON.parse(
    readFileSync(new URL('./schemas/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  // The official schema is draft-04 (`id`); ajv 8 reads it as draft-07 once `id` is `$id`.
  const { id, $schema: _draft, ...rest } = schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile({ ...rest, $id: id as string });

  it('validates against the official OASIS schema', () => {
    const log = JSON.parse(formatReport('sarif', INPUT));
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema rejects a broken log (the check can fail)', () => {
    const log = JSON.parse(formatReport('sarif', INPUT));
    log.runs[0].results[0].level = 'fatal';
    expect(validate(log)).toBe(false);
  });

  it('maps severities, rule indexes, regions and fingerprints', () => {
    const log = JSON.parse(formatReport('sarif', INPUT));
    const run = log.runs[0];
    expect(run.results.map((r: { level: string }) => r.level)).toEqual(['error', 'warning', 'note']);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    expect(run.results[1].locations[0].physicalLocation.region).toEqual({
      startLine: 6,
      startColumn: 9,
      endLine: 7,
      endColumn: 60,
    });
    expect(run.results[0].partialFingerprints).toEqual({ 'backlevel/v1': '0123456789abcdef0123' });
  });
});

describe('JSON report schema', () => {
  it('validates against schemas/report.schema.json', () => {
    const v = compileSchema('backlevel-report');
    expect(v(jsonReportOf(INPUT))).toBe(true);
    const bad = jsonReportOf(INPUT) as { findings: { line: number }[] };
    bad.findings[0]!.line = 0;
    expect(v(bad)).toBe(false);
  });
});
