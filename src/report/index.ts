/** The report formats shared by lint, verify, gate and the HTML report, by name. */
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import type { ReportInput } from './report-input.js';
import { formatSarif } from './sarif.js';
import { formatText, type TextOptions } from './text.js';

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'junit', 'github'] as const;
/** Every format `formatReport` renders: the machine formats above and the HTML report for people. */
export const OUTPUT_FORMATS = [...REPORT_FORMATS, 'html'] as const;
export type ReportFormat = (typeof OUTPUT_FORMATS)[number];

export function isReportFormat(s: string): s is ReportFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(s);
}

export type MachineFormat = (typeof REPORT_FORMATS)[number];

/** The machine formats, synchronously. */
export function formatReport(format: MachineFormat, input: ReportInput, text: TextOptions = {}): string {
  switch (format) {
    case 'text':
      return formatText(input, text);
    case 'json':
      return formatJson(input);
    case 'sarif':
      return formatSarif(input);
    case 'junit':
      return formatJunit(input);
    case 'github':
      return formatGithub(input);
  }
}

/**
 * Every output format; the HTML report (a large module graph: object history, matrix, charts)
 * loads only when asked for.
 */
export async function renderReport(
  format: ReportFormat,
  input: ReportInput,
  text: TextOptions = {},
): Promise<string> {
  if (format !== 'html') return formatReport(format, input, text);
  const { formatHtml } = await import('./html/format.js');
  return formatHtml(input);
}

export type { ReportInput, ReportSummary, RuleDescriptor } from './report-input.js';
