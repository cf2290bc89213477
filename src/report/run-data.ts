import { sql, type RawBuilder } from 'kysely';
import type { Store } from '../db/connect.js';
import type { BreakFieldDiff, BreakStatus, MissingInput } from '../db/tables/recon.table.js';
import {
  caseFromRow,
  listBreaks,
  stateAsOf,
  type Break,
  type BreakCaseRow,
  type ListBreaksOptions,
} from '../reconcile/breaks.js';
import type { ReconCounts, RunInput } from '../reconcile/run.js';
import { DcassError } from '../shared/errors.js';

/** A recorded run as a report reads it; dates as ISO strings. */
export interface ReportRun {
  readonly id: string;
  readonly businessDate: string;
  readonly ruleSet: { readonly name: string; readonly sha256: string };
  readonly recons: readonly string[];
  readonly inputs: readonly RunInput[];
  readonly counts: Readonly<Record<string, ReconCounts>>;
  /** Expected inputs the run did not have, each with the reconciliation it kept from running. */
  readonly missingInputs: readonly MissingInput[];
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** The moment the break register is read as of (ISO); null for now. */
  readonly asOf: string | null;
}

/** One record of a break's side: its canonical fields (decimals and dates as strings), file and line. */
export type ReportRecord = Record<string, string | number | null>;

/** A break with its records and its age, as every report format prints it. */
export interface ReportBreak extends Break {
  readonly lastSeen: string;
  readonly ageDays: number;
  /**
   * Not found by this run but still open or explained in the register (first seen on or before the
   * run's date): listed so that an unresolved break stays in sight; records of its last sighting.
   */
  readonly carried: boolean;
  readonly leftRecords: readonly ReportRecord[];
  readonly rightRecords: readonly ReportRecord[];
}

/**
 * Finds a completed run by id, or the latest completed one with `latest`; a clear error otherwise.
 * With `asOf`, the report reads the break register as it stood at that moment: `latest` is the latest
 * run finished by then, and a run finished later is refused (its breaks did not exist yet).
 */
export async function findRun(
  store: Store,
  run: string,
  options: ListBreaksOptions = {},
): Promise<ReportRun> {
  if (run !== 'latest' && !/^\d{1,18}$/.test(run)) {
    throw new DcassError('USAGE', `run "${run}" is neither a run id nor "latest"`, {
      hint: 'give the id a run printed, or latest',
    });
  }
  const asOf = options.asOf === undefined ? null : checkAsOf(options.asOf);
  let q = store.db
    .selectFrom('recon_run')
    .select([
      'id',
      sql<string>`to_char(business_date, 'YYYY-MM-DD')`.as('business_date'),
      'rule_set_name',
      'rule_set_sha256',
      'recons',
      'inputs',
      'counts',
      'missing_inputs',
      'status',
      'started_at',
      'finished_at',
    ])
    .where('status', '=', 'completed');
  q = run === 'latest' ? q.orderBy('id', 'desc').limit(1) : q.where('id', '=', run);
  if (asOf !== null && run === 'latest') q = q.where('finished_at', '<=', new Date(asOf));
  const row = await q.executeTakeFirst();
  if (row === undefined) {
    throw new DcassError(
      'USAGE',
      run === 'latest' ? 'no completed reconciliation run in this database' : `no completed run ${run}`,
      { hint: 'run one first: dcass-recon run --date YYYY-MM-DD' },
    );
  }
  const found: ReportRun = {
    id: String(row.id),
    businessDate: row.business_date,
    ruleSet: { name: row.rule_set_name, sha256: row.rule_set_sha256 },
    recons: row.recons,
    inputs: row.inputs as RunInput[],
    counts: row.counts as Record<string, ReconCounts>,
    missingInputs: row.missing_inputs,
    startedAt: new Date(row.started_at).toISOString(),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
    asOf,
  };
  if (asOf !== null && (found.finishedAt === null || found.finishedAt > asOf)) {
    throw new DcassError('USAGE', `run ${found.id} finished at ${found.finishedAt}, after ${asOf}`, {
      hint: 'its breaks were not in the register yet at that moment: choose a later moment or an earlier run',
    });
  }
  return found;
}

/** A timestamp with a time zone, as ISO in UTC; a clear error otherwise. */
export function checkAsOf(text: string): string {
  // A moment without an offset would be read in whatever zone the machine is in: refuse it.
  const ok = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/.test(text);
  const d = new Date(text.replace(' ', 'T'));
  if (!ok || Number.isNaN(d.getTime())) {
    throw new DcassError('USAGE', `"${text}" is not a moment with a time zone`, {
      hint: 'write it like 2019-05-06T18:30:00+08:00 or 2019-05-06T10:30:00Z',
    });
  }
  return d.toISOString();
}

/** Break counts of a run (its breaks and those it cleared) by register status as of `asOf`, and by kind. */
export async function breakTotals(
  store: Store,
  runId: string,
  options: ListBreaksOptions = {},
): Promise<{ byStatus: Record<string, number>; byKind: Record<string, number> }> {
  const rows = await sql<{ kind: string; status: string; n: string }>`
    SELECT x.kind, s.status, count(*)::text AS n
    FROM (SELECT b.case_id, b.kind FROM recon_break b WHERE b.run_id = ${runId}::bigint
          UNION ALL
          SELECT e.case_id, c.kind FROM break_event e JOIN break_case c ON c.id = e.case_id
          WHERE e.run_id = ${runId}::bigint AND e.action = 'cleared') x
    CROSS JOIN LATERAL ${stateAsOf(sql`x.case_id`, options.asOf)} s
    GROUP BY x.kind, s.status`.execute(store.db);
  const byStatus: Record<string, number> = { open: 0, explained: 0, resolved: 0, cleared: 0 };
  const byKind: Record<string, number> = {
    only_left: 0,
    only_right: 0,
    mismatch: 0,
    duplicate_left: 0,
    duplicate_right: 0,
  };
  for (const r of rows.rows) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + Number(r.n);
    byKind[r.kind] = (byKind[r.kind] ?? 0) + Number(r.n);
  }
  return { byStatus, byKind };
}

const TS = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const D = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`;
const N = (col: string) => `trim_scale(${col})::text`;

// The canonical columns of each entity, printed as the report wants them (fixed text, no input).
const RECORD_SQL = {
  trades: `SELECT r.id::text AS id, r.source, r.participant, ${D('r.clearing_date')} AS "clearingDate", r.session,
      r.series, r.root, r.instrument_type AS "instrumentType", r.expiry, ${N('r.strike')} AS strike,
      r.trade_no AS "tradeNo", r.deal_no AS "dealNo", r.ref, r.account, r.client_code AS "clientCode", r.side,
      ${N('r.quantity')} AS quantity, ${N('r.price')} AS price, r.trade_type AS "tradeType",
      r.orig_trade_no AS "origTradeNo", ${D('r.exec_date')} AS "execDate", ${TS('r.exec_at')} AS "execAt",
      r.open_close AS "openClose", f.file_name AS file, r.line_no AS line
    FROM trade r JOIN source_file f ON f.id = r.file_id`,
  positions: `SELECT r.id::text AS id, r.source, r.participant, ${D('r.position_date')} AS "positionDate",
      r.account, r.client_code AS "clientCode", r.series, r.root, r.instrument_type AS "instrumentType", r.expiry,
      ${N('r.strike')} AS strike, ${N('r.long_qty')} AS long, ${N('r.short_qty')} AS short,
      ${N('r.exercised_qty')} AS exercised, ${N('r.assigned_qty')} AS assigned, f.file_name AS file, r.line_no AS line
    FROM position r JOIN source_file f ON f.id = r.file_id`,
} as const;

async function records(
  store: Store,
  entity: Break['entity'],
  ids: readonly string[],
): Promise<Map<string, ReportRecord>> {
  const map = new Map<string, ReportRecord>();
  if (ids.length === 0) return map;
  // The ids travel as one array literal parameter (bigint ids: digits only), read the same by pg and PGlite.
  const res = await sql<ReportRecord & { id: string }>`${sql.raw(RECORD_SQL[entity])}
    WHERE r.id = ANY(${'{' + ids.join(',') + '}'}::bigint[])`.execute(store.db);
  for (const r of res.rows) map.set(String(r.id), { ...r, line: Number(r.line) });
  return map;
}

const BATCH = 500;

/** A rolled-forward positions side pairs the day's trades (negated ids) with positions. */
function recordEntity(b: Break, id: string): Break['entity'] {
  return id.startsWith('-') ? 'trades' : b.entity;
}

/** The run a carried-break query is about: its date, its finish and the register moment of the report. */
export type CarriedScope = Pick<ReportRun, 'id' | 'businessDate' | 'finishedAt' | 'asOf'>;

/**
 * The FROM and WHERE of the breaks a report carries: cases of every reconciliation of the register
 * (a run under a narrower rule set or filter must not hide the others' unresolved breaks) first seen
 * on or before the run's business date, open or explained at the report's moment (the as-of moment,
 * else the run's finish: what was unresolved that day, whenever the report is written), and not
 * found by the run itself. Aliases: `c` the case, `m` its state at that moment, `b` its break row of
 * the run that last saw it by then (its records), `s` its state as of the report's register moment,
 * as the run's own breaks show it (now when no as-of is given).
 */
export function carriedFrom(run: CarriedScope): RawBuilder<unknown> {
  const moment = run.asOf ?? run.finishedAt ?? undefined;
  return sql`FROM break_case c
    CROSS JOIN LATERAL ${stateAsOf(sql`c.id`, moment)} m
    JOIN recon_break b ON b.case_id = c.id AND b.run_id = m.last_seen_run
    CROSS JOIN LATERAL ${stateAsOf(sql`c.id`, run.asOf ?? undefined)} s
    WHERE c.first_seen_date <= ${run.businessDate}::date AND m.status IN ('open', 'explained')
      AND NOT EXISTS (SELECT 1 FROM recon_break x WHERE x.run_id = ${run.id}::bigint AND x.case_id = c.id)`;
}

/** How many breaks a report of the run carries (carriedFrom). */
export async function carriedCount(store: Store, run: CarriedScope): Promise<number> {
  const r = await sql<{ n: string }>`SELECT count(*)::text AS n ${carriedFrom(run)}`.execute(store.db);
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * The last date a break's age counts to: the report's business date while it is outstanding (open or
 * explained), else the day it was last seen. Its age is the trading days after its first sighting up
 * to that date.
 */
export function ageEnd(status: BreakStatus, lastSeen: string, businessDate: string): string {
  return status === 'open' || status === 'explained' ? businessDate : lastSeen;
}

type CarriedRow = BreakCaseRow & {
  occurrence_id: string;
  pass: number | null;
  fields: BreakFieldDiff[];
  left_ids: string[];
  right_ids: string[];
  fingerprint: string;
};

/** The breaks a report carries, by case id, a page at a time; records of their last sighting. */
async function* carriedBreaks(store: Store, run: ReportRun): AsyncGenerator<Break> {
  for (let after = '0'; ;) {
    const page = await sql<CarriedRow>`SELECT c.id, b.id AS occurrence_id, b.recon, b.entity, b.kind, b.pass,
        b.key, b.fields, b.left_ids::text[] AS left_ids, b.right_ids::text[] AS right_ids, b.fingerprint, s.status,
        s.reason, s.reason_code, s.explained_by, s.assignee, c.first_seen_run,
        to_char(c.first_seen_date, 'YYYY-MM-DD') AS first_seen_date, m.last_seen_run,
        to_char(m.last_seen_date, 'YYYY-MM-DD') AS last_seen_date
      ${carriedFrom(run)} AND c.id > ${after}::bigint
      ORDER BY c.id LIMIT ${BATCH}`.execute(store.db);
    for (const r of page.rows) {
      yield {
        ...caseFromRow(r),
        occurrenceId: String(r.occurrence_id),
        runId: run.id,
        pass: r.pass,
        fields: r.fields,
        leftIds: r.left_ids,
        rightIds: r.right_ids,
        fingerprint: r.fingerprint,
        clearedByRun: false,
      };
    }
    if (page.rows.length < BATCH) return;
    after = String(page.rows[page.rows.length - 1]!.id);
  }
}

/**
 * The breaks of a run in their stable order with their records (file and line) and age in business
 * days, read a batch at a time: memory holds one batch, whatever the number of breaks. First the
 * run's own (and those it cleared), then the breaks it carries (carriedFrom). Statuses are the break
 * register's as of the run's `asOf` (now when null).
 */
export async function* reportBreaks(store: Store, run: ReportRun): AsyncGenerator<ReportBreak> {
  const ages = new Map<string, number>();
  const ageOf = async (first: string, last: string): Promise<number> => {
    let a = ages.get(`${first}/${last}`);
    if (a === undefined) {
      const r = await sql<{ n: string }>`SELECT count(DISTINCT day)::text AS n FROM calendar
        WHERE trading AND day > ${first}::date AND day <= ${last}::date`.execute(store.db);
      a = Number(r.rows[0]?.n ?? 0);
      ages.set(`${first}/${last}`, a);
    }
    return a;
  };
  let batch: Break[] = [];
  const flush = async function* (carried: boolean): AsyncGenerator<ReportBreak> {
    const ids = { trades: new Set<string>(), positions: new Set<string>() };
    for (const b of batch) {
      for (const id of [...b.leftIds, ...b.rightIds]) ids[recordEntity(b, id)].add(id.replace('-', ''));
    }
    const recs = {
      trades: await records(store, 'trades', [...ids.trades]),
      positions: await records(store, 'positions', [...ids.positions]),
    };
    const pick = (b: Break, side: readonly string[]): ReportRecord[] =>
      side
        .map((id) => recs[recordEntity(b, id)].get(id.replace('-', '')))
        .filter((r): r is ReportRecord => r !== undefined);
    for (const b of batch) {
      yield {
        ...b,
        lastSeen: b.lastSeenDate,
        ageDays: await ageOf(b.firstSeenDate, ageEnd(b.status, b.lastSeenDate, run.businessDate)),
        carried,
        leftRecords: pick(b, b.leftIds),
        rightRecords: pick(b, b.rightIds),
      };
    }
    batch = [];
  };
  for (const [breaks, carried] of [
    [listBreaks(store, run.id, asOfOption(run)), false],
    [carriedBreaks(store, run), true],
  ] as const) {
    for await (const b of breaks) {
      batch.push(b);
      if (batch.length >= BATCH) yield* flush(carried);
    }
    if (batch.length > 0) yield* flush(carried);
  }
}

/** The register moment of a report's run, as the break queries take it. */
export function asOfOption(run: ReportRun): ListBreaksOptions {
  return run.asOf === null ? {} : { asOf: run.asOf };
}
