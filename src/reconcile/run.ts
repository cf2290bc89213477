import { sql } from 'kysely';
import { resolveActor } from '../audit/actor.js';
import { appendAuditEvent } from '../audit/append.js';
import type { Store, StoreTransaction } from '../db/connect.js';
import { parseBusinessDate } from '../model/dates.js';
import { DcassError } from '../shared/errors.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { storeBreaksStatement } from './breaks.js';
import { carryStatements } from './carry.js';
import {
  breakTableStatement,
  compileReconciliation,
  countsQuery,
  inputsQuery,
  rollForwardBase,
  type CompileContext,
} from './compile.js';
import type { BreakStatus, MissingInput } from '../db/tables/recon.table.js';
import { DEFAULT_EXPECTED_INPUTS, type ExpectedInput } from '../config/expected-inputs.js';
import {
  calendarDay,
  expectedInputStatus,
  missingForSide,
  type CalendarDay,
  type ExpectedStatus,
} from './expected-inputs.js';
import { DEFAULT_RUN_LOCK_WAIT_MS, REGISTER_LOCK, takeRunLock } from './locks.js';
import type { BreakKind, Reconciliation, RuleSet } from './rule-set.js';
import { BREAK_KINDS } from './rule-set.js';

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
}

/** One file read by a run. */
export interface RunInput {
  readonly source: string;
  readonly fileId: string;
  readonly file: string;
  readonly sha256: string;
  readonly rows: number;
  readonly rejected: number;
  /** Reconciliations (and sides) that read it. */
  readonly usedBy: readonly string[];
}

/** Counts of one reconciliation of a run. */
export interface ReconCounts {
  /** Why the reconciliation did not run on this date (its `runOn` excludes it); null when it ran. */
  readonly skipped: string | null;
  /**
   * Why it could not run although the date is one of its dates: an expected input is missing (named
   * in the run's missingInputs). Null when it ran. An incomplete reconciliation finds and clears nothing.
   */
  readonly incomplete: string | null;
  readonly leftRecords: number;
  readonly rightRecords: number;
  readonly matched: number;
  readonly matchedByPass: Readonly<Record<string, number>>;
  readonly breaks: Readonly<Record<BreakKind, number>>;
  /** The run's breaks by status in the register after the run (a person's decision carries over). */
  readonly open: number;
  readonly explained: number;
  readonly resolved: number;
  /** Breaks of earlier runs this run no longer found. */
  readonly cleared: number;
}

/** The outcome of a run, as recorded in recon_run. */
export interface RunSummary {
  readonly runId: string;
  readonly businessDate: string;
  readonly ruleSet: { readonly name: string; readonly sha256: string };
  readonly recons: readonly string[];
  readonly inputs: readonly RunInput[];
  readonly counts: Readonly<Record<string, ReconCounts>>;
  /** Expected inputs missing on the date, each with the reconciliation it kept from running. */
  readonly missingInputs: readonly MissingInput[];
  /** Breaks of the run still open (not explained by a rule): the CLI's exit code 1 when above zero. */
  readonly open: number;
  readonly explained: number;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

function select(ruleSet: RuleSet, names: readonly string[] | undefined): Reconciliation[] {
  if (names === undefined || names.length === 0) return [...ruleSet.reconciliations];
  const known = new Set(ruleSet.reconciliations.map((r) => r.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new DcassError('USAGE', `rule set ${ruleSet.name} has no reconciliation ${unknown.join(', ')}`, {
      location: { file: ruleSet.file },
      hint: `choose from ${[...known].join(', ')}`,
    });
  }
  return ruleSet.reconciliations.filter((r) => names.includes(r.name));
}

/**
 * Reconciles one business date under a rule set, inside the database, and records the run, its
 * matches and its breaks in one transaction. A failed run leaves a `failed` recon_run row with the
 * error and nothing else. Re-running the same date on the same inputs gives the same breaks.
 */
export async function runReconciliation(store: Store, options: RunOptions): Promise<RunSummary> {
  parseBusinessDate(options.businessDate);
  const recons = select(options.ruleSet, options.recons);
  const attemptedAt = new Date();
  const actor = options.actor ?? resolveActor();
  const log = (options.logger ?? silentLogger).child({
    businessDate: options.businessDate,
    ruleSet: options.ruleSet.name,
  });
  let step = 'start';
  try {
    return await store.transaction(async (tx) => {
      await takeRunLock(tx.db, options.lockWaitMs ?? DEFAULT_RUN_LOCK_WAIT_MS, log);
      // Person's break actions wait for this run to commit (and then see its result); see locks.ts.
      await sql`SELECT pg_advisory_xact_lock(${REGISTER_LOCK}::bigint)`.execute(tx.db);
      step = 'calendar';
      const day = await calendarDay(tx.db, options.businessDate);
      checkTradingDay(options.businessDate, day, options.allowNonTradingDay === true);
      const expected = options.expectedInputs ?? DEFAULT_EXPECTED_INPUTS;
      step = 'expected inputs';
      const statuses = await expectedInputStatus(
        tx.db,
        options.businessDate,
        expected,
        options.profileEntities,
      );
      const missingInputs: MissingInput[] = [];
      // Every statement of a run is a bulk operation over whole working tables: a nested loop is never
      // the right plan, and the planner may pick one when a temporary table's size is misjudged.
      await sql`SET LOCAL enable_nestloop = off`.execute(tx.db);
      // ... which prices any plan holding one (a trigger's too: break_case's check at commit) far above
      // the JIT thresholds: compiling each such statement costs far more than running it (with 5,000
      // new breaks, the commit's checks of their cases took over ten minutes on PostgreSQL 15).
      await sql`SET LOCAL jit = off`.execute(tx.db);
      // The file and date indexes are BRIN (migration 0006): rows loaded since the last summary are not
      // in them yet, and PGlite has no autovacuum to add them. About 0.15 s per million new rows. Only
      // the indexes' owner may summarise; a role that runs without owning the schema leaves it to the
      // server's autovacuum (autosummarize), and the indexes stay correct either way, only less sharp.
      await sql`SELECT brin_summarize_new_values(c.oid) FROM pg_class c
        WHERE c.oid IN (to_regclass('trade_file_date_brin'), to_regclass('position_file_date_brin'))
          AND pg_has_role(c.relowner, 'USAGE')`.execute(tx.db);
      const { id: runId, started_at: startedAt } = await tx.db
        .insertInto('recon_run')
        .values({
          business_date: options.businessDate,
          rule_set_name: options.ruleSet.name,
          rule_set_sha256: options.ruleSet.sha256,
          rule_set_text: options.ruleSet.text,
          recons: recons.map((r) => r.name),
          inputs: '[]',
          counts: '{}',
          status: 'running',
          started_at: sql<Date>`clock_timestamp()`,
        })
        .returning(['id', 'started_at'])
        .executeTakeFirstOrThrow();
      const ctx: CompileContext = { runId, businessDate: options.businessDate };
      await breakTableStatement().query.execute(tx.db);
      const counts: Record<string, ReconCounts> = {};
      const inputs = new Map<string, RunInput & { usedBy: string[] }>();
      for (const recon of recons) {
        step = `${recon.name}: calendar`;
        const skipped = await skipReason(tx, recon, options.businessDate);
        if (skipped !== null) {
          log.info({ runId, recon: recon.name, reason: skipped }, 'reconciliation skipped');
          counts[recon.name] = { ...EMPTY_COUNTS, skipped };
          continue;
        }
        step = `${recon.name}: expected inputs`;
        const missing = await reconMissing(tx, recon, options.businessDate, expected, statuses, day);
        if (missing.length > 0) {
          log.info(
            { runId, recon: recon.name, missing: missing.map((m) => m.input) },
            'reconciliation incomplete',
          );
          missingInputs.push(...missing);
          counts[recon.name] = { ...EMPTY_COUNTS, incomplete: incompleteReason(missing) };
          continue;
        }
        const reconStart = Date.now();
        const carry = { ...ctx, actor };
        for (const s of [...compileReconciliation(recon, ctx), ...carryStatements(recon, carry)]) {
          step = `${recon.name}: ${s.label}`;
          const t0 = Date.now();
          await s.query.execute(tx.db);
          log.debug({ recon: recon.name, step: s.label, ms: Date.now() - t0 }, 'statement done');
        }
        step = `${recon.name}: counts`;
        counts[recon.name] = await reconCounts(tx, runId, recon);
        log.info(
          { runId, recon: recon.name, ms: Date.now() - reconStart, ...counts[recon.name] },
          'reconciliation done',
        );
        for (const side of ['left', 'right'] as const) {
          step = `${recon.name}: ${side} inputs`;
          const files = await inputsQuery(recon, side, ctx).execute(tx.db);
          for (const f of files.rows) {
            const entry = inputs.get(f.id) ?? {
              source: f.source,
              fileId: String(f.id),
              file: f.file_name,
              sha256: f.sha256,
              rows: Number(f.row_count),
              rejected: Number(f.reject_count),
              usedBy: [],
            };
            entry.usedBy.push(`${recon.name}:${side}`);
            inputs.set(f.id, entry);
          }
        }
      }
      step = 'finish';
      await sql`DROP TABLE IF EXISTS rx_left, rx_right, rx_pair, rx_dup`.execute(tx.db);
      await storeBreaksStatement(runId).execute(tx.db);
      await sql`DROP TABLE rx_break`.execute(tx.db);
      const inputList = [...inputs.values()].sort((a, b) => Number(a.fileId) - Number(b.fileId));
      // The database's clock, as on the register's events: "as of" questions compare the two.
      const { finished_at: finishedAt } = await tx.db
        .updateTable('recon_run')
        .set({
          status: 'completed',
          inputs: JSON.stringify(inputList),
          counts: JSON.stringify(counts),
          missing_inputs: JSON.stringify(missingInputs),
          finished_at: sql<Date>`clock_timestamp()`,
        })
        .where('id', '=', runId)
        .returning('finished_at')
        .executeTakeFirstOrThrow();
      const total = (k: 'open' | 'explained' | 'resolved' | 'cleared') =>
        Object.values(counts).reduce((n, c) => n + c[k], 0);
      await appendAuditEvent(tx.db, {
        actor,
        action: 'run.completed',
        subject: `run:${runId}`,
        details: {
          businessDate: options.businessDate,
          ruleSet: { name: options.ruleSet.name, sha256: options.ruleSet.sha256 },
          recons: recons.map((r) => r.name),
          inputs: inputList.map((i) => ({ file: i.file, sha256: i.sha256 })),
          missingInputs: missingInputs.map((m) => ({ recon: m.recon, input: m.input, state: m.state })),
          open: total('open'),
          explained: total('explained'),
          resolved: total('resolved'),
          cleared: total('cleared'),
        },
      });
      return {
        runId,
        businessDate: options.businessDate,
        ruleSet: { name: options.ruleSet.name, sha256: options.ruleSet.sha256 },
        recons: recons.map((r) => r.name),
        inputs: inputList,
        counts,
        missingInputs,
        open: total('open'),
        explained: total('explained'),
        startedAt: new Date(startedAt),
        finishedAt: new Date(finishedAt!),
      };
    });
  } catch (err) {
    // A run refused as busy never started: nothing to record (another run holds the register).
    if (err instanceof DcassError && err.code === 'RUN_BUSY') throw err;
    await recordFailure(store, options, recons, attemptedAt, actor, err);
    if (err instanceof DcassError) throw err;
    throw new DcassError(
      'DB_QUERY_FAILED',
      `reconciliation run of ${options.businessDate} failed at "${step}"`,
      {
        location: { file: options.ruleSet.file },
        hint: 'the run was recorded as failed and nothing of it was kept; the cause below says why',
        cause: err,
      },
    );
  }
}

const EMPTY_COUNTS: ReconCounts = {
  skipped: null,
  incomplete: null,
  leftRecords: 0,
  rightRecords: 0,
  matched: 0,
  matchedByPass: {},
  breaks: { only_left: 0, only_right: 0, mismatch: 0, duplicate_left: 0, duplicate_right: 0 },
  open: 0,
  explained: 0,
  resolved: 0,
  cleared: 0,
};

/** Refuses a date that is not a trading day of the calendar, unless asked to run it anyway. */
function checkTradingDay(date: string, day: CalendarDay, allow: boolean): void {
  if (allow || (day.known && day.trading)) return;
  const what = day.known
    ? `${date} is not a trading day of the calendar (a weekend, a holiday or a closed day)`
    : `the trading calendar has no ${date} (no file has been loaded yet, or the calendar does not cover that year)`;
  throw new DcassError('USAGE', `not reconciled: ${what}`, {
    hint: day.known
      ? 'check the date; to reconcile it anyway give --allow-non-trading-day'
      : "load the date's files first (dcass-recon ingest), or give --allow-non-trading-day",
  });
}

/** What each side of a reconciliation reads: its source and entities (a rolled-forward side reads trades). */
async function reconMissing(
  tx: StoreTransaction,
  recon: Reconciliation,
  date: string,
  expected: readonly ExpectedInput[],
  statuses: readonly ExpectedStatus[],
  day: CalendarDay,
): Promise<MissingInput[]> {
  const out: MissingInput[] = [];
  for (const side of ['left', 'right'] as const) {
    const spec = recon[side];
    const entities = spec.rollForward ? (['trades'] as const) : ([recon.entity] as const);
    const need = { recon: recon.name, side, source: spec.source, entities };
    out.push(...(await missingForSide(tx.db, need, date, expected, statuses, day)));
  }
  return out;
}

function incompleteReason(missing: readonly MissingInput[]): string {
  return `not run: ${missing.map((m) => `${m.input} ${m.state}`).join(', ')}`;
}

/** Null when the reconciliation applies to the date by its `runOn` and the calendar; else why not. */
async function skipReason(tx: StoreTransaction, recon: Reconciliation, date: string): Promise<string | null> {
  for (const side of ['left', 'right'] as const) {
    if (!recon[side].rollForward) continue;
    const base = await sql<{ day: string | null }>`SELECT to_char(${rollForwardBase(recon[side].source, {
      runId: '0',
      businessDate: date,
    })}, 'YYYY-MM-DD') AS day`.execute(tx.db);
    if (base.rows[0]?.day == null) {
      return `no ${recon[side].source} positions before ${date} are loaded to roll forward from`;
    }
  }
  const { platform, nextPlatform } = recon.runOn;
  if (platform === undefined && nextPlatform === undefined) return null;
  const row = (
    await sql<{ platform: string | null; next_platform: string | null }>`
      SELECT c.platform, (SELECT n.platform FROM calendar n WHERE n.market = c.market AND n.day > c.day AND n.trading
                          ORDER BY n.day LIMIT 1) AS next_platform
      FROM calendar c WHERE c.day = ${date}::date ORDER BY c.market LIMIT 1`.execute(tx.db)
  ).rows[0];
  if (row === undefined) return `the trading calendar has no ${date}, so its platform is unknown`;
  if (platform !== undefined && row.platform !== platform) {
    return `runs on ${platform} business dates; ${date} is ${row.platform ?? 'on neither platform'}`;
  }
  if (nextPlatform !== undefined && row.next_platform !== nextPlatform) {
    return `runs when the next trading day is on the ${nextPlatform} platform; after ${date} it is ${row.next_platform ?? 'unknown'}`;
  }
  return null;
}

async function reconCounts(tx: StoreTransaction, runId: string, recon: Reconciliation): Promise<ReconCounts> {
  const c = (await countsQuery().execute(tx.db)).rows[0]!;
  // The run's breaks (rx_break, stored when the run completes) by kind and by their cases' status.
  const rows = (
    await sql<{
      kind: BreakKind;
      status: BreakStatus;
      n: string;
    }>`SELECT b.kind, c.status, count(*)::text AS n
      FROM rx_break b JOIN break_case c ON c.id = b.case_id
      WHERE b.recon = ${recon.name}::text GROUP BY b.kind, c.status`.execute(tx.db)
  ).rows;
  const breaks = Object.fromEntries(BREAK_KINDS.map((k) => [k, 0])) as Record<BreakKind, number>;
  const byStatus = { open: 0, explained: 0, resolved: 0, cleared: 0 };
  for (const r of rows) {
    breaks[r.kind] += Number(r.n);
    byStatus[r.status] += Number(r.n);
  }
  const cleared = await sql<{
    n: string;
  }>`SELECT count(*)::text AS n FROM break_event e JOIN break_case c ON c.id = e.case_id
    WHERE e.run_id = ${runId}::bigint AND e.action = 'cleared' AND c.recon = ${recon.name}::text`.execute(
    tx.db,
  );
  return {
    skipped: null,
    incomplete: null,
    leftRecords: Number(c.left_records),
    rightRecords: Number(c.right_records),
    matched: Number(c.matched),
    matchedByPass: c.matched_by_pass ?? {},
    breaks,
    open: byStatus.open,
    explained: byStatus.explained,
    resolved: byStatus.resolved,
    cleared: Number(cleared.rows[0]?.n ?? 0),
  };
}

/** A failed run is recorded (its transaction rolled back) so the history shows the attempt. */
async function recordFailure(
  store: Store,
  options: RunOptions,
  recons: readonly Reconciliation[],
  startedAt: Date,
  actor: string,
  err: unknown,
): Promise<void> {
  try {
    await store.transaction(async (tx) => {
      const { id } = await tx.db
        .insertInto('recon_run')
        .values({
          business_date: options.businessDate,
          rule_set_name: options.ruleSet.name,
          rule_set_sha256: options.ruleSet.sha256,
          recons: recons.map((r) => r.name),
          inputs: '[]',
          counts: '{}',
          status: 'failed',
          error: err instanceof Error ? err.message : String(err),
          started_at: startedAt,
          finished_at: new Date(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendAuditEvent(tx.db, {
        actor,
        action: 'run.failed',
        subject: `run:${id}`,
        details: {
          businessDate: options.businessDate,
          error: err instanceof Error ? err.message : String(err),
        },
      });
    });
  } catch {
    // The database itself is failing; the original error says more than this one would.
  }
}
