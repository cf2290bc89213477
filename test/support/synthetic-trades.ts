import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Store } from '../../src/db/connect.js';
import { ENTITY_MODELS, storedField } from '../../src/model/entities.js';
import { syncCalendar } from '../../src/ingest/load/calendar-sync.js';
import { listBreaks, type Break } from '../../src/reconcile/breaks.js';
import { loadRuleSet, type RuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation, type RunSummary } from '../../src/reconcile/run.js';
import { collect } from './collect.js';
import { calendar } from './ingest.js';

/** An instrument as the canonical tables hold it. */
export interface Instrument {
  readonly series: string;
  readonly root: string;
  readonly instrumentType: 'F' | 'C' | 'P';
  readonly expiry: string;
  readonly strike: string | null;
}

/** The HSI May 2019 future, the instrument synthetic records have unless told. */
export const HSIK9: Instrument = {
  series: 'HSIK9',
  root: 'HSI',
  instrumentType: 'F',
  expiry: '2019-05',
  strike: null,
};
/** A Tencent May 2019 call (an American stock option: exercised any day). */
export const TCH340E9: Instrument = {
  series: 'TCH340.00E9',
  root: 'TCH',
  instrumentType: 'C',
  expiry: '2019-05',
  strike: '340.00',
};

/** A trade's instrument: as given, else the May 2019 future of its root, else HSIK9. */
function instrumentOf(t: T): Instrument {
  return t.instrument ?? (t.root === undefined ? HSIK9 : { ...HSIK9, series: `${t.root}K9`, root: t.root });
}

/** A trade with the fields these tests vary; the rest are fixed. */
export interface T {
  instrument?: Instrument;
  tradeNo?: string | null;
  ref?: string | null;
  account?: string;
  side?: 'B' | 'S';
  quantity?: string;
  price?: string;
  tradeType?: string;
  origTradeNo?: string | null;
  openClose?: 'O' | 'C' | null;
  /** The series root of a May 2019 future (instead of instrument); HSI when neither is given. */
  root?: string;
}

/** A source_file row for synthetic records loaded straight into the canonical tables. */
export async function insertTestFile(
  store: Store,
  source: 'dcass' | 'bos',
  entity: 'trades' | 'positions' | 'account_map',
  date: string,
  rows: number,
): Promise<{ id: string }> {
  // As an ingest does: the calendar in the database, so a run knows its trading days.
  const days = await sql<{ n: number }>`SELECT count(*)::int AS n FROM calendar`.execute(store.db);
  if (days.rows[0]!.n === 0) await syncCalendar(store, calendar);
  return store.db
    .insertInto('source_file')
    .values({
      source,
      entity,
      profile: 'test',
      report_id: 'TEST',
      participant: 'CABC',
      business_date: date,
      generated_at: null,
      sha256: randomUUID().replaceAll('-', '').padEnd(64, '0'),
      size_bytes: '0',
      file_name: `${source}-${entity}-${date}.csv`,
      path: '/dev/null',
      row_count: rows,
      reject_count: 0,
      control: null,
      superseded_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/**
 * What a load stores with its rows: how many the file holds of each date a run reads them for
 * (file_dated_rows), which runs add up. For records written straight into the canonical tables.
 */
export async function countDatedRows(store: Store, fileId: string, entity: 'trades' | 'positions') {
  const [table, date] = entity === 'trades' ? ['trade', 'clearing_date'] : ['position', 'position_date'];
  await sql`INSERT INTO file_dated_rows (file_id, record_date, rows)
    SELECT file_id, ${sql.raw(date)}, count(*) FROM ${sql.raw(table)} WHERE file_id = ${fileId}::bigint
    GROUP BY file_id, ${sql.raw(date)}`.execute(store.db);
}

/**
 * What a load lists with its rows: per column it sieves for repeats (EntityModel.sieved), the rows whose
 * value repeats an earlier row's (file_repeat_candidate). Exactly those here, where a load's Bloom filter
 * lists a few more. For records written straight into the canonical tables.
 */
export async function listRepeatCandidates(store: Store, fileId: string): Promise<void> {
  for (const name of ENTITY_MODELS.trades.sieved) {
    const column = storedField('trades', name).column;
    const c = sql.raw(`t.${column}`);
    await sql`INSERT INTO file_repeat_candidate (file_id, column_name, ids)
      SELECT ${fileId}::bigint, ${column}, coalesce(array_agg(x.id ORDER BY x.id), '{}')
      FROM (SELECT t.id, row_number() OVER (PARTITION BY ${c} ORDER BY t.id) AS rn
        FROM trade t WHERE t.file_id = ${fileId}::bigint AND ${c} IS NOT NULL) x
      WHERE x.rn > 1`.execute(store.db);
  }
}

/** Loads one file of trades of a source and date straight into the canonical tables. */
export async function loadTrades(
  store: Store,
  source: 'dcass' | 'bos',
  date: string,
  rows: T[],
  superseded = false,
) {
  const file = await insertTestFile(store, source, 'trades', date, rows.length);
  // In statements of at most 1,000 rows: PostgreSQL takes at most 65,535 parameters per statement.
  for (let from = 0; from < rows.length; from += 1000) {
    await store.db
      .insertInto('trade')
      .values(
        rows.slice(from, from + 1000).map((r, j) => ({
          file_id: file.id,
          line_no: from + j + 2,
          source,
          participant: 'CABC',
          clearing_date: date,
          session: 'T' as const,
          series: instrumentOf(r).series,
          root: instrumentOf(r).root,
          instrument_type: instrumentOf(r).instrumentType,
          expiry: instrumentOf(r).expiry,
          strike: instrumentOf(r).strike,
          trade_no: r.tradeNo === undefined ? String(1000 + from + j) : r.tradeNo,
          deal_no: null,
          ref: r.ref ?? null,
          account: r.account ?? 'H01',
          client_code: null,
          side: r.side ?? 'B',
          quantity: r.quantity ?? '1',
          price: r.price ?? '29000',
          trade_type: r.tradeType ?? 'STD',
          orig_trade_no: r.origTradeNo ?? null,
          exec_date: null,
          exec_at: null,
          open_close: r.openClose ?? null,
          extra: null,
        })),
      )
      .execute();
  }
  await countDatedRows(store, file.id, 'trades');
  await listRepeatCandidates(store, file.id);
  if (superseded) {
    await store.db
      .updateTable('source_file')
      .set({ superseded_by: file.id })
      .where('id', '=', file.id)
      .execute();
  }
}

/**
 * Business dates for scenarios sharing one database, one per call (`2019-06-01`, `2019-06-02`...), so
 * that no scenario sees another's records.
 */
export function dateSequence(month: string): () => string {
  let day = 0;
  return () => {
    day += 1;
    return `${month}-${String(day).padStart(2, '0')}`;
  };
}

/** Loads a scenario's DCASS (left) and BOS (right) trades on a date, runs the rule set on it; the run and its breaks. */
export async function runTradeScenario(
  store: Store,
  date: string,
  left: T[],
  right: T[],
  ruleSet: RuleSet,
): Promise<{ run: RunSummary; breaks: Break[] }> {
  await loadTrades(store, 'dcass', date, left);
  await loadTrades(store, 'bos', date, right);
  const run = await runReconciliation(store, { businessDate: date, ruleSet, allowNonTradingDay: true });
  return { run, breaks: await collect(listBreaks(store, run.runId)) };
}

/**
 * A rule set of one reconciliation, `t`: DCASS trades against BOS trades, the BOS allocations of one
 * booking (`groupBy`, which holds the trade number) summed, a BOS reference booked twice a duplicate,
 * pass 1 on the trade number, the fields `compare` names compared exactly. The default rule set's
 * trades-bos cut down to its aggregation and its searches for shared values.
 */
export function aggregatedTrades(groupBy: readonly string[], compare: readonly string[]): RuleSet {
  return loadRuleSet(
    'aggregated.yaml',
    `name: aggregated
reconciliations:
  t:
    entity: trades
    left: { source: dcass }
    right: { source: bos }
    aggregate:
      side: right
      groupBy: [${groupBy.join(', ')}]
      sum: [quantity]
      unique: [ref]
    passes:
      - { name: trade-number, keys: [clearingDate, tradeNo] }
    compare: { ${compare.map((f) => `${f}: exact`).join(', ')} }
`,
  );
}
