/**
 * The soak benchmark's floor for one day, after bench/support/floor.ts: the product's own finished
 * trade and position rows of the day, copied out of the soak's database (untimed) and stored again
 * with `psql \copy` into the emptied tables of a second database migrated to the same schema (same
 * indexes), then joined once a side as the baseline joins its plain tables, in one psql process. What
 * no product keeping its rows in this schema can beat for the day's files; its counts must be the
 * planted ones.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { COUNT_JOIN, psqlQuote, type JoinCounts } from './baseline.js';
import { query } from './database.js';
import { measure, type Measured } from './measure.js';

/** Columns of a table the product writes (all but the generated id), in table order. */
async function columnsOf(url: string, table: string): Promise<string> {
  const rows = await query<{ c: string }>(
    url,
    `SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) AS c
     FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '${table}' AND column_name <> 'id'`,
  );
  const c = rows[0]?.c;
  if (!c) throw new Error(`floor: no table ${table}`);
  return c;
}

async function psql(url: string, args: readonly string[], what: string): Promise<Measured> {
  const run = await measure('psql', [url, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', ...args]);
  if (run.code !== 0)
    throw new Error(`floor: ${what} failed (exit ${run.code}):\n${run.stderr.slice(-4000)}`);
  return run;
}

/** The trades join of bench/recon.ts's floor, on one clearing date. */
const tradeJoin = (date: string): string => `WITH j AS (
  SELECT l.id IS NOT NULL AS has_left, r.id IS NOT NULL AS has_right,
    (l.account, l.side, l.quantity, l.price, l.exec_at) IS NOT DISTINCT FROM
    (r.account, r.side, r.quantity, r.price, r.exec_at) AS same
  FROM (SELECT * FROM trade WHERE source = 'dcass' AND clearing_date = '${date}') l
  FULL OUTER JOIN (SELECT * FROM trade WHERE source = 'bos' AND clearing_date = '${date}') r
    ON l.trade_no = r.trade_no)
${COUNT_JOIN};`;

/** Positions of one date, the BOS clients summed per account and instrument, joined on them. */
const positionJoin = (date: string): string => {
  const side = (source: string): string => `SELECT account, root, instrument_type, expiry,
    coalesce(strike, -1) AS strike, sum(long_qty - short_qty) AS net FROM position
    WHERE source = '${source}' AND position_date = '${date}' GROUP BY 1, 2, 3, 4, 5`;
  return `WITH l AS (${side('dcass')}), r AS (${side('bos')}),
j AS (
  SELECT l.account IS NOT NULL AS has_left, r.account IS NOT NULL AS has_right, l.net = r.net AS same
  FROM l FULL OUTER JOIN r ON l.account = r.account AND l.root = r.root
    AND l.instrument_type = r.instrument_type AND l.expiry = r.expiry AND l.strike = r.strike)
${COUNT_JOIN};`;
};

/** What one day's floor gave: its time and the two joins' counts. */
export interface DayFloor {
  readonly run: Measured;
  readonly trades: JoinCounts;
  readonly positions: JoinCounts;
}

/**
 * The floor of the day `date` (ISO), whose rows the files with ids in (fromFileId, toFileId] of
 * `soakUrl` hold, measured in `floorUrl` (a migrated database of the same schema).
 */
export async function soakFloor(
  soakUrl: string,
  floorUrl: string,
  dir: string,
  date: string,
  fromFileId: number,
  toFileId: number,
): Promise<DayFloor> {
  const files = {
    trade: path.join(dir, 'floor-trade.copy'),
    position: path.join(dir, 'floor-position.copy'),
  };
  const script = path.join(dir, 'floor.sql');
  try {
    const loads: string[] = [];
    for (const table of ['trade', 'position'] as const) {
      const cols = await columnsOf(soakUrl, table);
      await psql(
        soakUrl,
        [
          '-c',
          `\\copy (SELECT ${cols} FROM ${table} WHERE file_id > ${fromFileId} AND file_id <= ${toFileId} ORDER BY id) TO ${psqlQuote(files[table])}`,
        ],
        `\\copy out of ${table}`,
      );
      loads.push(`\\copy ${table} (${cols}) FROM ${psqlQuote(files[table])}`);
    }
    await query(floorUrl, 'TRUNCATE trade, position');
    // The earlier writes are flushed first, so the timed load does not pay for them.
    await query(floorUrl, 'CHECKPOINT');
    writeFileSync(script, `${loads.join('\n')}\n${tradeJoin(date)}\n${positionJoin(date)}\n`);
    const run = await psql(floorUrl, ['-f', script], 'load and join');
    const [trades, positions] = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as JoinCounts);
    if (!trades || !positions) throw new Error(`floor: expected two counts, got ${run.stdout}`);
    return { run, trades, positions };
  } finally {
    for (const f of [...Object.values(files), script]) rmSync(f, { force: true });
  }
}
