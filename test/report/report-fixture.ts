export { formatReport, REPORT_FORMATS, type ReportInput } from '../../src/report/index.js';
export { jsonReport as jsonReportOf } from '../../src/report/json.js';
