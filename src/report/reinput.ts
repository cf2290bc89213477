import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { parseBusinessDate } from '../model/dates.js';
import { fieldTextSql, storedField } from '../model/entities.js';
import { DcassError } from '../shared/errors.js';
import { csvRow } from './breaks-csv.js';
import { StreamWriter } from '../shared/stream-writer.js';

/**
 * Post-trade transactions a CP enters itself (give-up, take-up, transfer, close-out): after
 * a fallback to Genium INET, whatever was done on the upgraded platform must be entered again.
 */
export const REINPUT_TRADE_TYPES = ['GUP', 'TUP', 'TRF', 'CLO'] as const;

/** The trade fields the re-input list shows, in its column order. */
const FIELDS = [
  'clearingDate',
  'session',
  'tradeType',
  'account',
  'series',
  'side',
  'quantity',
  'price',
  'tradeNo',
  'origTradeNo',
  'dealNo',
  'execAt',
] as const;

// Each field as every report prints it, but the execution time as people enter it again: Hong Kong time.
const SELECT_FIELDS = FIELDS.map((name) =>
  name === 'execAt'
    ? `to_char(t.exec_at AT TIME ZONE 'Asia/Hong_Kong', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"') AS "execAt"`
    : `${fieldTextSql('trades', name, 't')} AS "${name}"`,
).join(', ');

/** One transaction to re-input, with where it was read from. */
export interface ReinputRow {
  readonly clearingDate: string;
  readonly session: string | null;
  readonly tradeType: string;
  readonly account: string;
  readonly series: string;
  readonly side: string;
  readonly quantity: string;
  readonly price: string;
  readonly tradeNo: string | null;
  readonly origTradeNo: string | null;
  readonly dealNo: string | null;
  readonly execAt: string | null;
  readonly file: string;
  readonly line: number;
  readonly sha256: string;
}

export interface ReinputQuery {
  /** First business date (YYYY-MM-DD); only dates the calendar puts on the upgraded platform count. */
  readonly since: string;
  /** Last business date (YYYY-MM-DD), e.g. a report's run date; no end when absent. */
  readonly until?: string;
  readonly tradeTypes?: readonly string[];
}

/** Where the re-input list reads from: a store, or a report's snapshot transaction. */
type Db = { readonly db: Kysely<Database> };

/** The first business date on the upgraded platform by the calendar (the cutover); null when none. */
export async function firstUpgradedDay(store: Db): Promise<string | null> {
  const r = await sql<{ day: string | null }>`SELECT to_char(min(day), 'YYYY-MM-DD') AS day FROM calendar
    WHERE platform = 'upgraded'`.execute(store.db);
  return r.rows[0]?.day ?? null;
}

const PAGE = 2000;

/**
 * The post-trade transactions of the upgraded DCASS reports (current generations) cleared on an
 * upgraded-platform date from `since` on, by clearing date, then in the order they were loaded.
 */
export async function* reinputRows(store: Db, query: ReinputQuery): AsyncGenerator<ReinputRow> {
  parseBusinessDate(query.since, '--since');
  if (query.until !== undefined) parseBusinessDate(query.until, null);
  const types = query.tradeTypes ?? REINPUT_TRADE_TYPES;
  const bad = types.filter((t) => !/^[A-Z0-9]{2,8}$/.test(t));
  if (bad.length > 0 || types.length === 0) {
    throw new DcassError('USAGE', `trade type ${bad.join(', ') || '(none)'} is not a trade type code`, {
      hint: `trade types are codes such as ${REINPUT_TRADE_TYPES.join(', ')}`,
    });
  }
  const typeList = `{${types.join(',')}}`;
  for (let after = { date: '0001-01-01', id: '0' }; ;) {
    const page = await sql<ReinputRow & { id: string; line: number }>`
      SELECT t.id::text AS id, ${sql.raw(SELECT_FIELDS)}, f.file_name AS file, t.line_no AS line, f.sha256
      FROM trade t JOIN source_file f ON f.id = t.file_id
      WHERE t.source = 'dcass' AND f.superseded_by IS NULL AND t.clearing_date >= ${query.since}::date
        AND t.clearing_date <= ${query.until ?? '9999-12-31'}::date AND t.trade_type = ANY(${typeList}::text[])
        AND EXISTS (SELECT 1 FROM calendar c WHERE c.day = t.clearing_date AND c.platform = 'upgraded')
        AND (t.clearing_date, t.id) > (${after.date}::date, ${after.id}::bigint)
      ORDER BY t.clearing_date, t.id LIMIT ${PAGE}`.execute(store.db);
    for (const r of page.rows) {
      const { id: _, ...row } = r;
      yield { ...row, line: Number(r.line) };
    }
    if (page.rows.length < PAGE) return;
    const last = page.rows[page.rows.length - 1]!;
    after = { date: last.clearingDate, id: last.id };
  }
}

// The database's column names: the list's readers know them from the tables.
const HEADER = [...FIELDS.map((name) => storedField('trades', name).column), 'file', 'line', 'file_sha256'];

/** Writes the re-input list as spreadsheet-safe CSV; returns how many transactions it lists. */
export async function writeReinputCsv(store: Db, query: ReinputQuery, file: string): Promise<number> {
  const out = new StreamWriter(file);
  let n = 0;
  try {
    await out.write(csvRow(HEADER));
    for await (const r of reinputRows(store, query)) {
      await out.write(
        csvRow([...FIELDS.map((name) => r[name]), r.file, r.line, r.sha256]),
      );
      n++;
    }
    await out.close();
  } catch (err) {
    out.destroy();
    throw err;
  }
  return n;
}

