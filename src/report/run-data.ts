import { sql } from 'kysely';
import type { Store } from '../db/connect.js';
import { listBreaks, type Break } from '../reconcile/breaks.js';
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
  readonly startedAt: string;
  readonly finishedAt: string | null;
}

/** One record of a break's side: its canonical fields (decimals and dates as strings), file and line. */
export type ReportRecord = Record<string, string | number | null>;

/** A break with its records and its age, as every report format prints it. */
export interface ReportBreak extends Break {
  readonly lastSeen: string;
  readonly ageDays: number;
  readonly leftRecords: readonly ReportRecord[];
  readonly rightRecords: readonly ReportRecord[];
}

/**
 * Finds a completed run by id, or the latest completed one with `latest`; a clear error otherwise.
 */
export async function findRun(store: Store, run: string): Promise<ReportRun> {
  if (run !== 'latest' && !/^\d{1,18}$/.test(run)) {
    throw new DcassError('USAGE', `run "${run}" is neither a run id nor "latest"`, {
      hint: 'give the id a run printed, or latest',
    });
  }
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
      'status',
      'started_at',
      'finished_at',
    ])
    .where('status', '=', 'completed');
  q = run === 'latest' ? q.orderBy('id', 'desc').limit(1) : q.where('id', '=', run);
  const row = await q.executeTakeFirst();
  if (row === undefined) {
    throw new DcassError(
      'USAGE',
      run === 'latest' ? 'no completed reconciliation run in this database' : `no completed run ${run}`,
      { hint: 'run one first: dcass-recon run --date YYYY-MM-DD' },
    );
  }
  return {
    id: String(row.id),
    businessDate: row.business_date,
    ruleSet: { name: row.rule_set_name, sha256: row.rule_set_sha256 },
    recons: row.recons,
    inputs: row.inputs as RunInput[],
    counts: row.counts as Record<string, ReconCounts>,
    startedAt: new Date(row.started_at).toISOString(),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
  };
}

/** Break counts of a run by status and by kind. */
export async function breakTotals(
  store: Store,
  runId: string,
): Promise<{ byStatus: Record<string, number>; byKind: Record<string, number> }> {
  const rows = await store.db
    .selectFrom('recon_break')
    .select(['kind', 'status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('run_id', '=', runId)
    .groupBy(['kind', 'status'])
    .execute();
  const byStatus: Record<string, number> = { open: 0, explained: 0, resolved: 0, cleared: 0 };
  const byKind: Record<string, number> = {
    only_left: 0,
    only_right: 0,
    mismatch: 0,
    duplicate_left: 0,
    duplicate_right: 0,
  };
  for (const r of rows) {
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

/**
 * The breaks of a run in their stable order with their records (file and line) and age in business
 * days, read a batch at a time: memory holds one batch, whatever the number of breaks.
 */
export async function* reportBreaks(store: Store, run: ReportRun): AsyncGenerator<ReportBreak> {
  const ages = new Map<string, number>();
  const ageOf = async (first: string): Promise<number> => {
    let a = ages.get(first);
    if (a === undefined) {
      const r = await sql<{ n: string }>`SELECT count(DISTINCT day)::text AS n FROM calendar
        WHERE trading AND day > ${first}::date AND day <= ${run.businessDate}::date`.execute(store.db);
      a = Number(r.rows[0]?.n ?? 0);
      ages.set(first, a);
    }
    return a;
  };
  let batch: Break[] = [];
  const flush = async function* (): AsyncGenerator<ReportBreak> {
    const ids = { trades: new Set<string>(), positions: new Set<string>() };
    for (const b of batch) for (const id of [...b.leftIds, ...b.rightIds]) ids[b.entity].add(id);
    const recs = {
      trades: await records(store, 'trades', [...ids.trades]),
      positions: await records(store, 'positions', [...ids.positions]),
    };
    const pick = (b: Break, side: readonly string[]): ReportRecord[] =>
      side.map((id) => recs[b.entity].get(id)).filter((r): r is ReportRecord => r !== undefined);
    for (const b of batch) {
      yield {
        ...b,
        lastSeen: run.businessDate,
        ageDays: await ageOf(b.firstSeenDate),
        leftRecords: pick(b, b.leftIds),
        rightRecords: pick(b, b.rightIds),
      };
    }
    batch = [];
  };
  for await (const b of listBreaks(store, run.id)) {
    batch.push(b);
    if (batch.length >= BATCH) yield* flush();
  }
  if (batch.length > 0) yield* flush();
}
