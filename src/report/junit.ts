/**
 * JUnit XML (junit-report-builder): one test suite per file with findings, one failing test case
 * per finding (ESLint's junit formatter layout); a clean run is one passing case. CI systems show
 * each finding as a failed test with its location and message.
 */
import { createRequire } from 'node:module';
import type { Builder } from 'junit-report-builder';
import type { ReportInput } from './report-input.js';

// CommonJS, loaded on the first JUnit report (commands that print other formats never pay for it).
const require = createRequire(import.meta.url);
let junitBuilder: Builder | undefined;

function builderModule(): Builder {
  if (!junitBuilder) {
    const mod = require('junit-report-builder') as Builder & { default?: Builder };
    junitBuilder = mod.default ?? mod;
  }
  return junitBuilder;
}

export function formatJunit(input: ReportInput): string {
  const builder = builderModule().newBuilder();
  const tool = input.tool?.name ?? 'backlevel';
  const command = input.command ?? 'report';
  builder.name(`${tool} ${command}`);
  const byFile = new Map<string, typeof input.findings>();
  for (const f of input.findings) {
    const key = f.file || '(no file)';
    byFile.set(key, [...(byFile.get(key) ?? []), f]);
  }
  if (byFile.size === 0) {
    const suite = builder.testSuite().name(`${tool}.${command}`);
    suite.testCase().className(`${tool}.${command}`).name('no findings');
  }
  for (const [file, list] of byFile) {
    const suite = builder.testSuite().name(file);
    for (const f of list) {
      const tc = suite
        .testCase()
        .className(`${tool}.${f.rule}`)
        .name(`${file}:${f.line}:${f.column} ${f.rule}`);
      if (f.file) tc.file(f.file);
      const details = [
        `${f.severity}: ${f.message}`,
        `at ${file}:${f.line}:${f.column}-${f.endLine}:${f.endColumn}`,
        ...(f.fix ? [`fix: backlevel migrate --codemod ${f.fix.codemod}`] : []),
        ...(f.suggestion ? [`suggestion: ${f.suggestion}`] : []),
      ].join('\n');
      if (f.severity === 'info') tc.skipped().standardOutput(details);
      else tc.failure(f.message, f.severity).stacktrace(details);
    }
  }
  return builder.build();
}
