import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { parseBusinessDate } from '../model/dates.js';
import { fieldTextSql, storedField } from '../model/entities.js';
import { ADJUSTMENT_TRADE_TYPES, PENDING_TRADE_TYPE } from '../model/vocabulary.js';
import { DcassError } from '../shared/errors.js';
import { csvRow } from './breaks-csv.js';
import { StreamWriter } from '../shared/stream-writer.js';

/**
 * Post-trade transactions a CP enters itself (give-up, take-up, transfer, rectify, close-out, and a
 * give-up or take-up still pending): after a fallback to Genium INET, whatever was done on the
 * upgraded platform must be entered again.
 */
export const REINPUT_TRADE_TYPES = [...ADJUSTMENT_TRADE_TYPES, ...Object.values(PENDING_TRADE_TYPE)] as const;

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
  /**
   * The Genium INET trade number of the original trade, where the migration seam paired that trade
   * (the upgraded DCASS trade numbered origTradeNo in the series) with a Genium trade: the number a
   * re-input on Genium refers to. Null when the seam paired none (or was not run).
   */
  readonly origGeniumTradeNo: string | null;
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

/**
 * The dates a fallback from `fallback` on asks to re-input: the upgraded platform's dates from the
 * cutover to the day before the fallback (whether or not the fallback is recorded yet: the list can be
 * prepared the evening before). Null when no date before it is on the upgraded platform.
 */
export async function fallbackDates(
  store: Db,
  fallback: string,
): Promise<{ since: string; until: string } | null> {
  parseBusinessDate(fallback, '--fallback');
  const r = await sql<{ since: string | null; until: string | null }>`
    SELECT to_char(min(day), 'YYYY-MM-DD') AS since, to_char(max(day), 'YYYY-MM-DD') AS until FROM calendar
    WHERE platform = 'upgraded' AND day < ${fallback}::date`.execute(store.db);
  const row = r.rows[0];
  return row?.since == null || row.until == null ? null : { since: row.since, until: row.until };
}

/**
 * The match sets of the migration seam for trades: of the latest completed run of the last Genium
 * date before the cutover, each reconciliation whose left side read Genium trades files and whose
 * right side read upgraded DCASS trades files (the run's inputs say which reconciliation read what).
 */
async function seamTradeSets(store: Db): Promise<string[]> {
  const r = await sql<{ set_id: string }>`
    WITH seam_day AS (
      SELECT max(c.day) AS day FROM calendar c
      WHERE c.platform = 'genium' AND c.trading
        AND c.day < (SELECT min(u.day) FROM calendar u WHERE u.platform = 'upgraded'))
    SELECT DISTINCT ON (rm.recon) rm.set_id::text AS set_id
    FROM recon_run r JOIN seam_day s ON r.business_date = s.day JOIN run_match rm ON rm.run_id = r.id
    WHERE r.status = 'completed'
      AND EXISTS (SELECT 1 FROM jsonb_array_elements(r.inputs) i JOIN source_file f ON f.id = (i->>'fileId')::bigint
                  WHERE f.entity = 'trades' AND f.source = 'genium' AND i->'usedBy' @> to_jsonb(ARRAY[rm.recon || ':left']))
      AND EXISTS (SELECT 1 FROM jsonb_array_elements(r.inputs) i JOIN source_file f ON f.id = (i->>'fileId')::bigint
                  WHERE f.entity = 'trades' AND f.source = 'dcass' AND i->'usedBy' @> to_jsonb(ARRAY[rm.recon || ':right']))
    ORDER BY rm.recon, r.id DESC`.execute(store.db);
  return r.rows.map((row) => row.set_id);
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
  const seamSets = `{${(await seamTradeSets(store)).join(',')}}`;
  for (let after = { date: '0001-01-01', id: '0' }; ;) {
    // The seam's pairs are read once per page, for the original trades of the page's transactions.
    const page = await sql<ReinputRow & { id: string; line: number }>`
      WITH page AS (
        SELECT t.id, t.clearing_date, t.series AS series_key, t.orig_trade_no AS orig_key,
          ${sql.raw(SELECT_FIELDS)}, f.file_name AS file, t.line_no AS line, f.sha256
        FROM trade t JOIN source_file f ON f.id = t.file_id
        WHERE t.source = 'dcass' AND f.superseded_by IS NULL AND t.clearing_date >= ${query.since}::date
          AND t.clearing_date <= ${query.until ?? '9999-12-31'}::date AND t.trade_type = ANY(${typeList}::text[])
          AND EXISTS (SELECT 1 FROM calendar c WHERE c.day = t.clearing_date AND c.platform = 'upgraded')
          AND (t.clearing_date, t.id) > (${after.date}::date, ${after.id}::bigint)
        ORDER BY t.clearing_date, t.id LIMIT ${PAGE}),
      seam AS (
        SELECT u.l, u.r FROM match_block b CROSS JOIN LATERAL unnest(b.left_ids, b.right_ids) AS u(l, r)
        WHERE b.set_id = ANY(${seamSets}::bigint[])
        UNION ALL
        SELECT p.left_ids[1], p.right_ids[1] FROM match_pair p
        WHERE p.set_id = ANY(${seamSets}::bigint[]) AND cardinality(p.left_ids) = 1 AND cardinality(p.right_ids) = 1),
      orig AS (
        SELECT DISTINCT ON (d.series, d.trade_no) d.series, d.trade_no, g.trade_no AS genium_trade_no
        FROM seam JOIN trade d ON d.id = seam.r JOIN trade g ON g.id = seam.l
        WHERE d.source = 'dcass' AND g.source = 'genium'
          AND (d.series, d.trade_no) IN (SELECT series_key, orig_key FROM page)
        ORDER BY d.series, d.trade_no, d.id DESC)
      SELECT page.id::text AS id, ${sql.raw(FIELDS.map((name) => `page."${name}"`).join(', '))},
        orig.genium_trade_no AS "origGeniumTradeNo", page.file, page.line, page.sha256
      FROM page LEFT JOIN orig ON orig.series = page.series_key AND orig.trade_no = page.orig_key
      ORDER BY page.clearing_date, page.id`.execute(store.db);
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
const HEADER = [
  ...FIELDS.map((name) => storedField('trades', name).column),
  'orig_genium_trade_no',
  'file',
  'line',
  'file_sha256',
];

/** Writes the re-input list as spreadsheet-safe CSV; returns how many transactions it lists. */
export async function writeReinputCsv(store: Db, query: ReinputQuery, file: string): Promise<number> {
  const out = new StreamWriter(file);
  let n = 0;
  try {
    await out.write(csvRow(HEADER));
    for await (const r of reinputRows(store, query)) {
      await out.write(
        csvRow([...FIELDS.map((name) => r[name]), r.origGeniumTradeNo, r.file, r.line, r.sha256]),
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
