import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Store } from '../../src/db/connect.js';
import { syncCalendar } from '../../src/ingest/load/calendar-sync.js';
import { calendar } from './ingest.js';

/** A trade with the fields these tests vary; the rest are fixed. */
export interface T {
  tradeNo?: string | null;
  ref?: string | null;
  account?: string;
  side?: 'B' | 'S';
  quantity?: string;
  price?: string;
  tradeType?: string;
  origTradeNo?: string | null;
  /** The series root (a future of May 2019); HSI when absent. */
  root?: string;
}

/** A source_file row for synthetic records loaded straight into the canonical tables. */
export async function insertTestFile(
  store: Store,
  source: 'dcass' | 'bos',
  entity: 'trades' | 'positions',
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
          series: `${r.root ?? 'HSI'}K9`,
          root: r.root ?? 'HSI',
          instrument_type: 'F' as const,
          expiry: '2019-05',
          strike: null,
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
          open_close: null,
          extra: null,
        })),
      )
      .execute();
  }
  if (superseded) {
    await store.db
      .updateTable('source_file')
      .set({ superseded_by: file.id })
      .where('id', '=', file.id)
      .execute();
  }
}
