/** Reports of a reconciliation run: breaks.json and breaks.csv. */
export { writeBreaksJson, breakJson, type ReportFile } from './breaks-json.js';
export { writeBreaksCsv, safeCell, quoteField, csvRow, CSV_HEADER } from './breaks-csv.js';
export {
  findRun,
  checkAsOf,
  asOfOption,
  breakTotals,
  reportBreaks,
  type ReportRun,
  type ReportBreak,
  type ReportRecord,
} from './run-data.js';
