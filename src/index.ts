/**
 * dcass-recon's public API. The CLI (src/cli) is a thin client of exactly these exports.
 */

// The model: the words of the data and the business date
export {
  SOURCES,
  ENTITIES,
  RECONCILED_ENTITIES,
  PLATFORMS,
  BREAK_KINDS,
  BREAK_STATUSES,
  TRIANGULATIONS,
  CLEARING_HOUSES,
  type ClearingHouse,
  type Source,
  type Entity,
  type ReconciledEntity,
  type Platform,
  type BreakKind,
  type BreakStatus,
  type Triangulation,
} from './model/vocabulary.js';
export { triangulate, type PairAgreement } from './model/triangulation.js';

// Configuration and profiles
export { resolveConfig, type ResolvedConfig } from './config/config.js';
export { BUILTIN_PRODUCTS } from './config/products.js';
export { houseFilter, type HouseFilter } from './reconcile/house-filter.js';
export { ProfileRegistry } from './config/profiles.js';
export type { Profile, FieldSpec } from './config/profile.js';
export { loadCalendar, type LoadedCalendar } from './config/calendar-file.js';
export type { SftpConfig } from './config/sftp-config.js';

// Storage
export {
  openStore,
  isServerUrl,
  redactUrl,
  explainDatabaseError,
  type OpenOptions,
  type Store,
  type StoreTransaction,
} from './db/connect.js';
export { migrateToLatest } from './db/migrate.js';
export type { Database } from './db/database.js';

// Acquire and ingest
export {
  fetchDateForms,
  type FetchFileResult,
  type FetchProgress,
  type FetchSummary,
} from './ingest/acquire/fetch.js';
export type { Completeness } from './ingest/acquire/completeness.js';
export { ingestFiles, type FileOutcome, type IngestContext, type IngestRequest } from './ingest/ingest.js';
export {
  loadedFiles,
  rejectedInputs,
  type LoadedFile,
  type RejectedInputs,
} from './ingest/lineage.js';

// Calendar changes (typhoon closures, cancelled evening sessions)
export {
  changeCalendar,
  describeDayState,
  type CalendarChangeContext,
  type CalendarChangeOutcome,
  type CalendarChangeRequest,
} from './calendar/change-calendar.js';
export {
  changesInForce,
  changeHistory,
  type CalendarAction,
  type CalendarChange,
} from './calendar/changes.js';
export type { Rederivation, TradeMove } from './calendar/rederive.js';

// Reconcile
export {
  loadRuleSet,
  loadBuiltinRuleSet,
  runReconciliation,
  listBreaks,
  readRegister,
  breakHistory,
  applyBreakAction,
  BREAK_ACTIONS,
  type RuleSet,
  type Reconciliation,
  type RunOptions,
  type RunSummary,
  type RunInput,
  type ReconCounts,
  type Break,
  type ListBreaksOptions,
  type RegisterEntry,
  type RegisterQuery,
  type BreakHistory,
  type BreakPolicy,
  type BreakActionRequest,
  type BreakActionResult,
  type PersonAction,
  type Comparator,
  expectedInputStatus,
  type ExpectedFile,
  type ExpectedStatus,
} from './reconcile/index.js';
export { DEFAULT_EXPECTED_INPUTS, type ExpectedInput } from './config/expected-inputs.js';
export type { MissingInput } from './db/tables/recon.table.js';

// Report
export {
  writeBreaksJson,
  writeBreaksCsv,
  checkAsOf,
  breakIdentity,
  keyText,
  instrumentOf,
  sidePrice,
  shownValue,
  sideQuantity,
  whereOf,
  lastSightingRecords,
  type ReportFile,
  type ReportRecord,
  type BreakIdentity,
  type CaseRecords,
} from './report/index.js';
export { recordReportsWritten, type WrittenReport } from './report/index.js';
export {
  REPORT_RENDERERS,
  parseReportFormats,
  renderersOf,
  writeReports,
  type ReportFormat,
  type ReportRenderer,
  type RenderContext,
  type RenderedReport,
} from './report/index.js';
export {
  fallbackDates,
  reinputRows,
  writeReinputCsv,
  REINPUT_TRADE_TYPES,
  type ReinputRow,
  type ReinputQuery,
} from './report/index.js';
export {
  writeBreaksHtml,
  dailyBreakHistory,
  type HtmlReportFile,
  type HtmlReportOptions,
  type HistoryDay,
  type Participant,
} from './report/index.js';

// Audit trail
export {
  appendAuditEvent,
  verifyAuditChain,
  exportAuditChain,
  resolveActor,
  AUDIT_EXPORT_FORMAT,
  type AuditEventInput,
  type AppendedAuditEvent,
  type AuditVerification,
  type VerifyAuditOptions,
  type AuditExport,
  type AuditDetails,
  type AuditValue,
  type BrokenLink,
  type ActorSources,
} from './audit/index.js';
export { checkHeadHash, verifyIntegrity, type IntegrityVerification } from './audit/verify.js';
export { verifyRegister, type RegisterVerification } from './audit/verify-register.js';
export { verifyLoadedData, type DataVerification, type ChangedFile } from './audit/verify-data.js';

// Domain helpers
export { parseSeries, formatSeries, type Instrument } from './ingest/normalise/series.js';
export { TradingCalendar, type CalendarDay, type SessionTimes } from './model/calendar.js';
export { deriveClearingDate } from './ingest/normalise/clearing-date.js';
export { Decimal, parseDecimal, formatDecimal } from './shared/decimal.js';
export { hkTime, hkIso, hkDate } from './model/dates.js';

// Confirmation (Appendix E) and its evidence pack
export {
  confirmBusinessDate,
  buildEvidencePack,
  verifyEvidencePack,
  renderConfirmationPdf,
  writeConfirmationPdf,
  confirmationDeadline,
  openBreaksOfRun,
  latestRunOfDate,
  auditHeadHash,
  EVIDENCE_PACK_FORMAT,
  MANIFEST_FILE,
  SHA256SUMS_FILE,
  type ConfirmOptions,
  type ConfirmResult,
  type ConfirmationPdfInput,
  type ConfirmationRunRef,
  acceptedWhat,
  type AcceptedOpenBreaks,
  type EvidencePackOptions,
  type EvidencePack,
  type EvidencePackCheck,
  type ManifestEntry,
  type Deadline,
  type OpenBreaks,
} from './confirm/index.js';
export type { ConfirmationConfig, ConfirmationContact } from './config/config.js';

// Workflows: what a command does from start to end
export { verifyDate, type Verification, type VerifyDateRequest } from './workflow/verify-date.js';
export { loadInputs, type InputLoad, type Loader } from './workflow/load-inputs.js';
export { carriedByRun } from './workflow/carried.js';
export { planFetch, type FetchPlan, type FetchRequest } from './workflow/fetch-plan.js';
export { fetchDate, type FetchDateOptions, type FetchedDate } from './workflow/fetch-date.js';

// Errors, logging, package files
export { parseBusinessDate } from './model/dates.js';
export {
  DcassError,
  isDcassError,
  isConnectionLost,
  formatLocation,
  type ErrorCode,
  type Location,
} from './shared/errors.js';
export type { Issue, IssueCode } from './shared/issue.js';
export { createLogger, silentLogger, type Logger } from './shared/logger.js';
export { builtinPath, packageRoot } from './shared/package-root.js';
