import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Store } from '../db/connect.js';
import type { Database } from '../db/database.js';
import type { BreakFieldDiff, BreakStatus, MissingInput } from '../db/tables/recon.table.js';
import { stateAsOf, type Break, type ListBreaksOptions } from '../reconcile/breaks.js';
import {
  ageEnd,
  businessDayAges,
  carriedFrom,
  readInTransaction,
  runBreakTexts,
  type BreakTextSql,
  type CarriedScope,
} from './break-pages.js';
import type { ReconCounts } from '../reconcile/run-counts.js';
import type { RunInput } from '../reconcile/run-inputs.js';
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
    FROM (SELECT b.case_id, c.kind FROM break_sighting b JOIN break_case c ON c.id = b.case_id
          WHERE b.run_id = ${runId}::bigint
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

// The canonical fields of each entity's record, as every report prints them (fixed text, no input),
// in the order a record's object lists them: `t` the trade, `p` the position, `f` the record's file.
const TRADE_OBJECT = `json_build_object('id', t.id::text, 'source', t.source, 'participant', t.participant,
  'clearingDate', ${D('t.clearing_date')}, 'session', t.session, 'series', t.series, 'root', t.root,
  'instrumentType', t.instrument_type, 'expiry', t.expiry, 'strike', ${N('t.strike')}, 'tradeNo', t.trade_no,
  'dealNo', t.deal_no, 'ref', t.ref, 'account', t.account, 'clientCode', t.client_code, 'side', t.side,
  'quantity', ${N('t.quantity')}, 'price', ${N('t.price')}, 'tradeType', t.trade_type, 'origTradeNo', t.orig_trade_no,
  'execDate', ${D('t.exec_date')}, 'execAt', ${TS('t.exec_at')}, 'openClose', t.open_close, 'file', f.file_name,
  'line', t.line_no)`;
const POSITION_OBJECT = `json_build_object('id', p.id::text, 'source', p.source, 'participant', p.participant,
  'positionDate', ${D('p.position_date')}, 'account', p.account, 'clientCode', p.client_code, 'series', p.series,
  'root', p.root, 'instrumentType', p.instrument_type, 'expiry', p.expiry, 'strike', ${N('p.strike')},
  'long', ${N('p.long_qty')}, 'short', ${N('p.short_qty')}, 'exercised', ${N('p.exercised_qty')},
  'assigned', ${N('p.assigned_qty')}, 'file', f.file_name, 'line', p.line_no)`;

// A side's records in the order of its ids: a negative id is a trade on a rolled-forward position
// side (a break's records are positions otherwise when its entity is); an id with no record is left out.
// Aliases: `c` the break's case. Also read by case-records.ts (breaks list and show).
export const recordsOf = (ids: string): RawBuilder<unknown> =>
  sql.raw(`(SELECT coalesce(json_agg(CASE WHEN t.id IS NOT NULL THEN ${TRADE_OBJECT} ELSE ${POSITION_OBJECT} END
        ORDER BY u.ord), '[]'::json)
      FROM unnest(${ids}) WITH ORDINALITY AS u(id, ord)
      LEFT JOIN trade t ON (c.entity = 'trades' OR u.id < 0) AND t.id = abs(u.id)
      LEFT JOIN position p ON c.entity <> 'trades' AND u.id > 0 AND p.id = u.id
      LEFT JOIN source_file f ON f.id = coalesce(t.file_id, p.file_id)
      WHERE t.id IS NOT NULL OR p.id IS NOT NULL)`);

/**
 * The records of the given ids of one entity (a trade's id without its rolled-forward minus), by id,
 * in the form every report prints them.
 */
export async function records(
  store: Store,
  entity: Break['entity'],
  ids: readonly string[],
): Promise<Map<string, ReportRecord>> {
  const map = new Map<string, ReportRecord>();
  if (ids.length === 0) return map;
  const from =
    entity === 'trades'
      ? sql.raw(`${TRADE_OBJECT} AS r FROM trade t JOIN source_file f ON f.id = t.file_id WHERE t.id`)
      : sql.raw(`${POSITION_OBJECT} AS r FROM position p JOIN source_file f ON f.id = p.file_id WHERE p.id`);
  // The ids travel as one array literal parameter (bigint ids: digits only), read the same by pg and PGlite.
  const res = await sql<{
    r: ReportRecord;
  }>`SELECT ${from} = ANY(${'{' + ids.join(',') + '}'}::bigint[])`.execute(store.db);
  for (const { r } of res.rows) map.set(String(r.id), r);
  return map;
}

/** A rolled-forward positions side pairs the day's trades (negated ids) with positions. */
export function recordEntity(b: Pick<Break, 'entity'>, id: string): Break['entity'] {
  return id.startsWith('-') ? 'trades' : b.entity;
}

/**
 * A report break as its page query returns it (runBreakTexts): the JSON values of [scalars, key,
 * fields, left ids, right ids, left records, right records] joined by commas, parsed natively.
 */
const reportText: BreakTextSql = (lastSeen) => {
  const seen = sql.raw(lastSeen);
  return sql`array_to_json(ARRAY[c.id::text, b.id::text, c.recon, c.entity, c.kind, d.pass::text, c.fingerprint,
      s.status, s.reason, s.reason_code, s.explained_by, s.assignee, c.first_seen_run::text,
      to_char(c.first_seen_date, 'YYYY-MM-DD'), ${seen}.last_seen_run::text, to_char(${seen}.last_seen_date, 'YYYY-MM-DD')])::text
    || ',' || d.key::text || ',' || d.fields::text || ',' || array_to_json(d.left_ids::text[])::text
    || ',' || array_to_json(d.right_ids::text[])::text || ',' || ${recordsOf('d.left_ids')}::text
    || ',' || ${recordsOf('d.right_ids')}::text`;
};

type ReportParsed = [
  [
    id: string,
    occurrenceId: string,
    recon: string,
    entity: Break['entity'],
    kind: Break['kind'],
    pass: string | null,
    fingerprint: string,
    status: BreakStatus,
    reason: string | null,
    reasonCode: string | null,
    explainedBy: string | null,
    assignee: string | null,
    firstSeenRun: string,
    firstSeenDate: string,
    lastSeenRun: string,
    lastSeenDate: string,
  ],
  Record<string, string | null>,
  BreakFieldDiff[],
  string[],
  string[],
  ReportRecord[],
  ReportRecord[],
];

// Where they were defined before break-pages.ts: importers of run-data.ts keep them.
export { ageEnd, carriedFrom, type CarriedScope };

/** How many breaks a report of the run carries (carriedFrom). */
export async function carriedCount(store: Store, run: CarriedScope): Promise<number> {
  const r = await sql<{ n: string }>`SELECT count(*)::text AS n ${carriedFrom(run)}`.execute(store.db);
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * The breaks of a run in their stable order with their records (file and line) and age in business
 * days, streamed at the database's speed (runBreakTexts): first the run's own, then those it cleared,
 * then those it carries (carriedFrom). Statuses are the break register's as of the run's `asOf` (now
 * when null). On a server they are read in one read-only transaction (one snapshot, jit off).
 */
export async function* reportBreaks(store: Store, run: ReportRun): AsyncGenerator<ReportBreak> {
  const read = (db: Kysely<Database>) => reportBreaksOf(db, run);
  yield* store.kind === 'postgres' ? readInTransaction(store, read) : read(store.db);
}

async function* reportBreaksOf(db: Kysely<Database>, run: ReportRun): AsyncGenerator<ReportBreak> {
  const ageOf = await businessDayAges(db);
  for await (const row of runBreakTexts(db, run, reportText)) {
    const [a, key, fields, leftIds, rightIds, leftRecords, rightRecords] = JSON.parse(
      `[${row.j}]`,
    ) as ReportParsed;
    const [id, occurrenceId, recon, entity, kind, pass, fingerprint, status, reason, reasonCode] = a;
    const [explainedBy, assignee, firstSeenRun, firstSeenDate, lastSeenRun, lastSeenDate] = a.slice(10) as [
      string | null,
      string | null,
      string,
      string,
      string,
      string,
    ];
    yield {
      id,
      recon,
      entity,
      kind,
      key,
      status,
      reason,
      reasonCode,
      explainedBy,
      assignee,
      firstSeenRun,
      firstSeenDate,
      lastSeenRun,
      lastSeenDate,
      occurrenceId,
      runId: run.id,
      pass: pass === null ? null : Number(pass),
      fields,
      leftIds,
      rightIds,
      fingerprint,
      clearedByRun: row.clearedByRun,
      lastSeen: lastSeenDate,
      ageDays: ageOf(firstSeenDate, ageEnd(status, lastSeenDate, run.businessDate)),
      carried: row.carried,
      leftRecords,
      rightRecords,
    };
  }
}

/** The register moment of a report's run, as the break queries take it. */
export function asOfOption(run: ReportRun): ListBreaksOptions {
  return run.asOf === null ? {} : { asOf: run.asOf };
}
