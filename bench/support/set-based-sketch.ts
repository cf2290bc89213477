/**
 * A sketch of the other design for ingest, measured for comparison, not a product path: PostgreSQL
 * reads the BOS trades CSV itself (psql \copy into a temporary table of text columns, its C parser)
 * and one INSERT ... SELECT normalises the rows into the trade table. The normalisation is cut down
 * to what the generated file needs (no reject, no check of field formats, no control totals, the
 * first account-map entry of a client, the evening session by time alone), so the real set-based path
 * would be slower than this: its time is a lower bound for that design.
 *
 * For the bos-trd layout's columns only (scripts/generate, BOS_TRADES_DEFAULT).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { query } from './database.js';
import { measure, type Measured } from './measure.js';

const sketch = (file: string): string => `BEGIN;
CREATE TEMP TABLE bos_raw (trade_ref text, client_code text, product text, type text, expiry text, strike text,
  buy_sell text, quantity text, price text, trade_date text, exec_time text, exch_trade_no text) ON COMMIT DROP;
\\copy bos_raw FROM '${file.replace(/'/g, "''")}' WITH (FORMAT csv, HEADER true)
INSERT INTO trade (file_id, line_no, source, participant, clearing_date, session, series, root, instrument_type,
  expiry, strike, trade_no, ref, account, client_code, side, quantity, price, trade_type, exec_date, exec_at)
SELECT (SELECT max(id) FROM source_file WHERE entity = 'trades'), 1 + row_number() OVER (), 'bos', 'CABC',
  CASE WHEN s.exec_time >= '17:15:00' THEN s.d + 1 ELSE s.d END,
  CASE WHEN s.exec_time >= '17:15:00' THEN 'A' ELSE 'T' END,
  s.product || coalesce(s.strike_n::text, '') || substr(CASE s.type WHEN 'F' THEN 'FGHJKMNQUVXZ'
    WHEN 'C' THEN 'ABCDEFGHIJKL' ELSE 'MNOPQRSTUVWX' END, substr(s.expiry, 6, 2)::int, 1) || substr(s.expiry, 4, 1),
  s.product, s.type, s.expiry, s.strike_n, s.exch_trade_no, s.trade_ref, coalesce(m.dcass_account, 'UNMAPPED'),
  s.client_code, CASE s.buy_sell WHEN 'BUY' THEN 'B' ELSE 'S' END, replace(s.quantity, ',', '')::numeric,
  replace(s.price, ',', '')::numeric, 'N', s.d, (s.d + s.exec_time::time) AT TIME ZONE 'Asia/Hong_Kong'
FROM (SELECT r.*, to_date(r.trade_date, 'DD/MM/YYYY') AS d, nullif(r.strike, '')::numeric AS strike_n FROM bos_raw r) s
LEFT JOIN (SELECT DISTINCT ON (client_code) client_code, dcass_account FROM account_map
           ORDER BY client_code, effective_from) m ON m.client_code = s.client_code;
COMMIT;
`;

/** Empties the trade table of `dbUrl`, then loads `file` the set-based way; returns that load, timed. */
export async function setBasedSketch(
  dbUrl: string,
  dir: string,
  file: string,
  expectRows: number,
): Promise<Measured> {
  await query(dbUrl, 'TRUNCATE trade');
  await query(dbUrl, 'CHECKPOINT');
  const script = path.join(dir, 'set-based-sketch.sql');
  writeFileSync(script, sketch(file));
  const run = await measure('psql', [dbUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', script]);
  if (run.code !== 0)
    throw new Error(`set-based sketch failed (exit ${run.code}):\n${run.stderr.slice(-4000)}`);
  const [count] = await query<{ n: string }>(dbUrl, 'SELECT count(*)::text AS n FROM trade');
  if (Number(count?.n) !== expectRows)
    throw new Error(`set-based sketch: expected ${expectRows} rows, the table holds ${count?.n}`);
  return run;
}
