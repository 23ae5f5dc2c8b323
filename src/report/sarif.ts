/**
 * SARIF 2.1.0 (what GitHub code scanning uploads): one run, the rule descriptors of the producer
 * as `tool.driver.rules`, one result per finding with a physical location relative to
 * `%SRCROOT%`, the content fingerprint as `partialFingerprints`, and the fixing codemod in the
 * result's properties.
 */
import type * as Sarif from 'sarif';
import type { Severity } from './finding.js';
import type { ReportInput } from './report-input.js';

const LEVEL: Record<Severity, Sarif.Result.level> = { error: 'error', warning: 'warning', info: 'note' };

function uri(file: string): string {
  return file
    .split('/')
    .map((p) => encodeURIComponent(p))
    .join('/');
}

export function sarifLog(input: ReportInput): Sarif.Log {
  const ruleIds = new Map<string, number>();
  const rules: Sarif.ReportingDescriptor[] = [];
  const addRule = (id: string) => {
    let i = ruleIds.get(id);
    if (i !== undefined) return i;
    const d = input.rules?.find((r) => r.id === id);
    const desc: Sarif.ReportingDescriptor = { id, name: toPascal(id) };
    if (d) {
      desc.shortDescription = { text: d.title };
      if (d.description) desc.fullDescription = { text: d.description };
      if (d.docs && /^https?:/.test(d.docs)) desc.helpUri = d.docs;
      desc.defaultConfiguration = { level: LEVEL[d.severity] };
      desc.properties = {
        ...(d.fixableBy ? { fixableBy: d.fixableBy } : {}),
        ...(d.docs ? { docs: d.docs } : {}),
      };
    }
    i = rules.length;
    rules.push(desc);
    ruleIds.set(id, i);
    return i;
  };
  for (const r of input.rules ?? []) addRule(r.id);
  const results: Sarif.Result[] = input.findings.map((f) => {
    const result: Sarif.Result = {
      ruleId: f.rule,
      ruleIndex: addRule(f.rule),
      level: LEVEL[f.severity],
      message: { text: f.message },
    };
    if (f.file) {
      result.locations = [
        {
          physicalLocation: {
            artifactLocation: { uri: uri(f.file), uriBaseId: '%SRCROOT%' },
            region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
          },
        },
      ];
    }
    if (f.fingerprint) result.partialFingerprints = { 'backlevel/v1': f.fingerprint };
    const props: Record<string, unknown> = {};
    if (f.fix) props.fix = f.fix;
    if (f.suggestion) props.suggestion = f.suggestion;
    if (f.data) props.data = f.data;
    if (Object.keys(props).length) result.properties = props;
    return result;
  });
  const driver: Sarif.ToolComponent = {
    name: input.tool?.name ?? 'backlevel',
    version: input.tool?.version ?? '0.0.0',
    ...(input.tool?.informationUri ? { informationUri: input.tool.informationUri } : {}),
    rules,
  };
  const run: Sarif.Run = { tool: { driver }, results, columnKind: 'utf16CodeUnits' };
  if (input.command) run.automationDetails = { id: `${input.tool?.name ?? 'backlevel'}/${input.command}/` };
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
}

function toPascal(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

export function formatSarif(input: ReportInput): string {
  return `${JSON.stringify(sarifLog(input), null, 2)}\n`;
}
