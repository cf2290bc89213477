import { sql } from 'kysely';
import { resolveActor } from '../audit/actor.js';
import { DEFAULT_EXPECTED_INPUTS, type ExpectedInput } from '../config/expected-inputs.js';
import type { Store, StoreTransaction } from '../db/connect.js';
import type { MissingInput } from '../db/tables/recon.table.js';
import { parseBusinessDate } from '../model/dates.js';
import type { ClearingHouse, Triangulation } from '../model/vocabulary.js';
import { BUILTIN_PRODUCTS } from '../config/products.js';
import { DcassError } from '../shared/errors.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import type { CompileContext } from './compile.js';
import { calendarDay, expectedInputStatus } from './expected-inputs.js';
import { EMPTY_COUNTS, reconCounts, totalCounts, type ReconCounts } from './run-counts.js';
import { RunInputs, type RunInput } from './run-inputs.js';
import {
  checkTradingDay,
  incompleteReason,
  reconMissing,
  selectRecons,
  skipReason,
  type DateInputs,
} from './run-policy.js';
import { onDate } from './exchange-side.js';
import { completeRun, recordFailure, startRun, type RunIdentity } from './run-record.js';
import {
  createBreakTable,
  executeRecon,
  type Alongside,
  lockForRun,
  MOST_REPEATED_KEYS,
  prepareForBulk,
  NAMES_SIDE_FILES,
  SORTS_SIDE_GROUPS,
  storeRunBreaks,
  type RunProgress,
} from './run-steps.js';
import type { Reconciliation, RuleSet } from './rule-set.js';
import { checkKnownRoots, loadProductTable, readsHouse, scopedToHouse } from './house-scope.js';
import { findTriangles, triangulationStatements } from './triangulate.js';

/** What to reconcile: a business date, a loaded rule set, optionally only some of its reconciliations. */
export interface RunOptions {
  readonly businessDate: string;
  readonly ruleSet: RuleSet;
  /** Names of the reconciliations to run, in the rule set's order; all when absent. */
  readonly recons?: readonly string[];
  /** Who ran it: recorded on the register's and the audit trail's events (else the OS user). */
  readonly actor?: string;
  /** Where to log (each statement's duration at debug level); silent when absent. */
  readonly logger?: Logger;
  /** What each business date needs (the configuration's `expected:`); the reference set when absent. */
  readonly expectedInputs?: readonly ExpectedInput[];
  /** Profile name to entity, to tell which expected input a refused file was meant for. */
  readonly profileEntities?: ReadonlyMap<string, string>;
  /** Run a date the calendar does not have as a trading day (refused otherwise). */
  readonly allowNonTradingDay?: boolean;
  /** How long to wait for a run in progress before refusing as busy (ms); 20 s when absent. */
  readonly lockWaitMs?: number;
  /** Only this clearing house's records (both sides of every reconciliation); every house when absent. */
  readonly house?: ClearingHouse;
  /** Series root -> clearing house (the configuration's product table); the built-in table when absent. */
  readonly products?: Readonly<Record<string, ClearingHouse>>;
  /** The configuration file, named when a series root has no house in the product table. */
  readonly configFile?: string | null;
  /**
   * The most key values of a side's first pass that several of its records share, as searched before
   * the pass, that a run keeps (100,000 when absent): a side with more has its records numbered whole
   * by the pass instead, so that what the search hands over stays bounded.
   */
  readonly mostRepeatedKeys?: number;
}

/** The outcome of a run, as recorded in recon_run. */
export interface RunSummary {
  readonly runId: string;
  readonly businessDate: string;
  readonly ruleSet: { readonly name: string; readonly sha256: string };
  readonly recons: readonly string[];
  /** The clearing house the run covered; null: every house. */
  readonly house: ClearingHouse | null;
  readonly inputs: readonly RunInput[];
  readonly counts: Readonly<Record<string, ReconCounts>>;
  /** Expected inputs missing on the date, each with the reconciliation it kept from running. */
  readonly missingInputs: readonly MissingInput[];
  /** Breaks of the run still open (not explained by a rule): the CLI's exit code 1 when above zero. */
  readonly open: number;
  readonly explained: number;
  /**
   * The run's breaks by their three-way view (triangulate.ts): how many have Genium, DCASS or BOS as
   * the odd source, or all three differing; null when no reconciliations of the run saw all three.
   */
  readonly triangulation: Readonly<Partial<Record<Triangulation, number>>> | null;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/**
 * Reconciles one business date under a rule set, inside the database, and records the run, its
 * matches and its breaks in one transaction. A failed run leaves a `failed` recon_run row with the
 * error and nothing else. Re-running the same date on the same inputs gives the same breaks.
 */
export async function runReconciliation(store: Store, options: RunOptions): Promise<RunSummary> {
  parseBusinessDate(options.businessDate);
  const house = options.house ?? null;
  const selected = selectRecons(options.ruleSet, options.recons);
  const recons = house === null ? selected : selected.map((r) => scopedToHouse(r, house));
  const run: RunIdentity = {
    businessDate: options.businessDate,
    ruleSet: options.ruleSet,
    house,
    recons: recons.map((r) => r.name),
    actor: options.actor ?? resolveActor(),
  };
  const attemptedAt = new Date();
  const progress: RunProgress = { step: 'start' };
  try {
    return await store.transaction((tx) =>
      reconcileDate(tx, store.kind, options, recons, run, progress, store.alongside),
    );
  } catch (err) {
    // A run refused as busy never started: nothing to record (another run holds the register).
    if (err instanceof DcassError && err.code === 'RUN_BUSY') throw err;
    await recordFailure(store, run, attemptedAt, err);
    if (err instanceof DcassError) throw err;
    throw new DcassError(
      'DB_QUERY_FAILED',
      `reconciliation run of ${options.businessDate} failed at "${progress.step}"`,
      {
        location: { file: options.ruleSet.file },
        hint: 'the run was recorded as failed and nothing of it was kept; the cause below says why',
        cause: err,
      },
    );
  }
}

/** The run in its transaction: checks the date, runs each reconciliation that applies, records the outcome. */
async function reconcileDate(
  tx: StoreTransaction,
  kind: Store['kind'],
  options: RunOptions,
  recons: readonly Reconciliation[],
  run: RunIdentity,
  progress: RunProgress,
  alongside: Alongside | null,
): Promise<RunSummary> {
  const log = (options.logger ?? silentLogger).child({
    businessDate: options.businessDate,
    ruleSet: options.ruleSet.name,
  });
  await lockForRun(tx, options.lockWaitMs, log);
  progress.step = 'calendar';
  const day = await calendarDay(tx.db, options.businessDate);
  checkTradingDay(options.businessDate, day, options.allowNonTradingDay === true);
  const expected = options.expectedInputs ?? DEFAULT_EXPECTED_INPUTS;
  progress.step = 'expected inputs';
  const statuses = await expectedInputStatus(tx.db, options.businessDate, expected, options.profileEntities);
  const dateInputs: DateInputs = { date: options.businessDate, day, expected, statuses };
  await prepareForBulk(tx, kind);
  progress.step = 'product table';
  await loadProductTable(tx, options.products ?? BUILTIN_PRODUCTS);
  if (recons.some(readsHouse)) await checkKnownRoots(tx, options.businessDate, options.configFile ?? null);
  const { runId, startedAt } = await startRun(tx, run);
  const ctx: CompileContext = {
    runId,
    businessDate: options.businessDate,
    sortsSideGroups: SORTS_SIDE_GROUPS[kind],
    namesSideFiles: NAMES_SIDE_FILES[kind],
    sideFiles: null,
  };
  await createBreakTable(tx);
  const counts: Record<string, ReconCounts> = {};
  const missingInputs: MissingInput[] = [];
  const inputs = new RunInputs();
  const ran: Reconciliation[] = [];
  for (const ruled of recons) {
    // An exchange side reads the system live on the date: the upgraded DCASS, or Genium INET after a fallback.
    const recon = onDate(ruled, day);
    const notRun = await whyNotRun(tx, recon, dateInputs, runId, progress, log);
    if (notRun !== null) {
      missingInputs.push(...notRun.missing);
      counts[recon.name] = notRun.counts;
      continue;
    }
    const reconStart = Date.now();
    await executeRecon(
      tx,
      recon,
      ctx,
      run.actor,
      progress,
      log,
      alongside,
      options.mostRepeatedKeys ?? MOST_REPEATED_KEYS,
    );
    ran.push(recon);
    // The records each side read, counted with its files (a side read in place has no working table to count).
    progress.step = `${recon.name}: left inputs`;
    const left = await inputs.add(tx, recon, ctx, 'left');
    progress.step = `${recon.name}: right inputs`;
    const right = await inputs.add(tx, recon, ctx, 'right');
    progress.step = `${recon.name}: counts`;
    counts[recon.name] = await reconCounts(tx, runId, recon, { left, right });
    log.info(
      { runId, recon: recon.name, ms: Date.now() - reconStart, ...counts[recon.name] },
      'reconciliation done',
    );
  }
  // The three-way view needs both reconciliations of a triangle done: after all of the date's.
  const triangles = findTriangles(ran);
  for (const triangle of triangles) {
    for (const s of triangulationStatements(triangle, runId)) {
      progress.step = `${triangle.p.name} + ${triangle.q.name}: ${s.label}`;
      const t0 = Date.now();
      await s.query.execute(tx.db);
      log.debug({ step: progress.step, ms: Date.now() - t0 }, 'statement done');
    }
  }
  const triangulation = triangles.length === 0 ? null : await triangulationCounts(tx);
  progress.step = 'finish';
  await storeRunBreaks(tx, runId);
  const outcome = { inputs: inputs.list(), counts, missingInputs };
  const finishedAt = await completeRun(tx, runId, run, outcome);
  const { open, explained } = totalCounts(counts);
  return {
    runId,
    businessDate: options.businessDate,
    ruleSet: { name: options.ruleSet.name, sha256: options.ruleSet.sha256 },
    recons: run.recons,
    house: run.house,
    ...outcome,
    open,
    explained,
    triangulation,
    startedAt,
    finishedAt,
  };
}

/** The run's breaks (rx_break) by three-way view, those without one left out. */
async function triangulationCounts(tx: StoreTransaction): Promise<Partial<Record<Triangulation, number>>> {
  const rows = await sql<{ t: Triangulation; n: number }>`SELECT triangulation AS t, count(*)::int AS n
    FROM rx_break WHERE triangulation IS NOT NULL GROUP BY triangulation ORDER BY triangulation`.execute(
    tx.db,
  );
  return Object.fromEntries(rows.rows.map((r) => [r.t, Number(r.n)]));
}

/**
 * Null when the reconciliation runs on the date; else its counts saying why not: skipped (its `runOn`
 * or nothing to roll forward from) or incomplete (an expected input missing, also returned).
 */
async function whyNotRun(
  tx: StoreTransaction,
  recon: Reconciliation,
  dateInputs: DateInputs,
  runId: string,
  progress: RunProgress,
  log: Logger,
): Promise<{ counts: ReconCounts; missing: readonly MissingInput[] } | null> {
  progress.step = `${recon.name}: calendar`;
  const skipped = await skipReason(tx, recon, dateInputs.date);
  if (skipped !== null) {
    log.info({ runId, recon: recon.name, reason: skipped }, 'reconciliation skipped');
    return { counts: { ...EMPTY_COUNTS, skipped }, missing: [] };
  }
  progress.step = `${recon.name}: expected inputs`;
  const missing = await reconMissing(tx, recon, dateInputs);
  if (missing.length === 0) return null;
  log.info({ runId, recon: recon.name, missing: missing.map((m) => m.input) }, 'reconciliation incomplete');
  return { counts: { ...EMPTY_COUNTS, incomplete: incompleteReason(missing) }, missing };
}
