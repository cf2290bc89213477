import {
  recordReportsWritten,
  writeReports,
  type Participant,
  type RenderedReport,
} from '../report/index.js';
import {
  loadBuiltinRuleSet,
  loadRuleSet,
  runReconciliation,
  type RunOptions,
  type RunSummary,
} from '../reconcile/index.js';
import type { Store } from '../db/connect.js';
import type { FileOutcome, IngestRequest } from '../ingest/ingest.js';
import type { BusinessDate } from '../model/dates.js';
import type { Logger } from '../shared/logger.js';
import { carriedByRun } from './carried.js';
import { loadInputs, type InputLoad } from './load-inputs.js';

/** What one verification of a business date did. */
export interface Verification {
  readonly ingested: readonly FileOutcome[];
  readonly run: RunSummary;
  /** Breaks of earlier dates still open or explained that the run did not find (the reports carry them). */
  readonly carried: number;
  /** breaks.json, breaks.csv and breaks.html, in that order. */
  readonly reports: readonly RenderedReport[];
}

/** What a verification needs: the date, where the reports go, what to load first, and who acts. */
export interface VerifyDateRequest extends Pick<
  RunOptions,
  'expectedInputs' | 'profileEntities' | 'allowNonTradingDay' | 'house' | 'products' | 'configFile'
> {
  readonly date: BusinessDate;
  /** The folder the reports are written to; it exists. */
  readonly outDir: string;
  /** The inputs to load first (a file loaded before is skipped by sha256); null loads nothing. */
  readonly inputs: { readonly files: readonly IngestRequest[]; readonly load: InputLoad } | null;
  /** A rule set YAML file; the built-in rule set when absent. */
  readonly rules?: string;
  readonly actor: string;
  readonly logger: Logger;
  /** Named in the HTML report. */
  readonly participant: Participant | null;
}

/**
 * The Sunday workflow (and each stabilisation day's): loads the inputs, reconciles the date under the
 * rule set, writes its break reports and records them in the audit trail.
 */
export async function verifyDate(store: Store, request: VerifyDateRequest): Promise<Verification> {
  const { actor, logger } = request;
  const { inputs } = request;
  const ingested =
    inputs === null ? [] : await loadInputs(store, { actor, logger }, inputs.load, inputs.files);
  const ruleSet = request.rules === undefined ? loadBuiltinRuleSet() : loadRuleSet(request.rules);
  const run = await runReconciliation(store, {
    businessDate: request.date,
    ruleSet,
    actor,
    logger,
    ...(request.expectedInputs === undefined ? {} : { expectedInputs: request.expectedInputs }),
    ...(request.profileEntities === undefined ? {} : { profileEntities: request.profileEntities }),
    ...(request.allowNonTradingDay === true ? { allowNonTradingDay: true } : {}),
    ...(request.house === undefined ? {} : { house: request.house }),
    ...(request.products === undefined ? {} : { products: request.products }),
    ...(request.configFile === undefined ? {} : { configFile: request.configFile }),
  });
  // The reports read the run's house (if any) under the same product table as the run.
  const reports = await writeReports(store, run.runId, request.outDir, {
    participant: request.participant,
    ...(request.products === undefined ? {} : { products: request.products }),
  });
  await recordReportsWritten(store, { actor, subject: `run:${run.runId}`, asOf: null, files: reports });
  return { ingested, run, carried: await carriedByRun(store, run), reports };
}
