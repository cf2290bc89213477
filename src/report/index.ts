/** Reports of a reconciliation run: breaks.json, breaks.csv and the HTML report. */
export { writeBreaksJson, type ReportFile } from './breaks-json.js';
export { writeBreaksCsv, safeCell, quoteField, csvRow, CSV_HEADER } from './breaks-csv.js';
export {
  breakIdentity,
  keyText,
  instrumentOf,
  sidePrice,
  shownValue,
  sideQuantity,
  whereOf,
  type BreakIdentity,
} from './break-sides.js';
export { lastSightingRecords, type CaseRecords, type CaseSighting } from './case-records.js';
export {
  findRun,
  checkAsOf,
  asOfOption,
  breakTotals,
  carriedCount,
  type ReportRun,
} from './run-data.js';
export {
  reportBreaks,
  recordObject,
  type ReportBreak,
  type ReportRecord,
  type RecordRow,
} from './break-reader.js';
export {
  writeBreaksHtml,
  dailyBreakHistory,
  escapeHtml,
  jsonForScript,
  type HtmlReportFile,
  type HtmlReportOptions,
  type HistoryDay,
  type HistoryOptions,
  type Participant,
} from './html/index.js';
export {
  fallbackDates,
  reinputRows,
  writeReinputCsv,
  REINPUT_TRADE_TYPES,
  type ReinputRow,
  type ReinputQuery,
} from './reinput.js';
export { recordReportsWritten, type WrittenReport } from './record-reports.js';
export {
  REPORT_RENDERERS,
  parseReportFormats,
  renderersOf,
  writeReports,
  type ReportFormat,
  type ReportRenderer,
  type RenderContext,
  type RenderedReport,
} from './renderers.js';
