/**
 * Sketches of the other design for ingest, measured for comparison, not product paths: PostgreSQL
 * reads the BOS trades CSV itself (psql \copy into a temporary table of text columns, its C parser)
 * and INSERT ... SELECT normalises the rows into the trade table.
 *
 * - unchecked: the normalisation cut down to what the generated file needs (no reject, no check of
 *   field formats, no control totals, the first account-map entry of a client, the evening session by
 *   time alone);
 * - checked: what the product does of each record besides: every field's text checked (required
 *   values, codes, decimals, a real calendar date, a time) by a CASE per row naming the first field
 *   at fault, such rows stored as rejected rows with their line and field, the others normalised
 *   with the account map's entry effective on the clearing date. Still cut down: trading days are
 *   the weekdays, the evening session starts at 17:15, a reject's raw text is its fields joined
 *   again, a client the map lacks is not looked for (the product rejects its rows), and a line that
 *   is not CSV (a stray quote, a wrong column count) would fail the whole \copy rather than be one
 *   rejected row.
 *
 * Both are lower bounds for that design. For the bos-trd layout's columns only (scripts/generate,
 * BOS_TRADES_DEFAULT).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { query } from './database.js';
import { measure, type Measured } from './measure.js';

const rawTable = (file: string): string => `CREATE TEMP TABLE bos_raw (trade_ref text, client_code text,
  product text, type text, expiry text, strike text, buy_sell text, quantity text, price text,
  trade_date text, exec_time text, exch_trade_no text) ON COMMIT DROP;
\\copy bos_raw FROM '${file.replace(/'/g, "''")}' WITH (FORMAT csv, HEADER true)
`;

const FILE_ID = "(SELECT max(id) FROM source_file WHERE entity = 'trades')";

const unchecked = (file: string): string => `BEGIN;
${rawTable(file)}
INSERT INTO trade (file_id, line_no, source, participant, clearing_date, session, series, root, instrument_type,
  expiry, strike, trade_no, ref, account, client_code, side, quantity, price, trade_type, exec_date, exec_at)
SELECT ${FILE_ID}, 1 + row_number() OVER (), 'bos', 'CABC',
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

/** A decimal as the layout writes it (thousands separated by commas or not), after trimming. */
const DECIMAL = String.raw`'^([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?$'`;

const checked = (file: string): string => `BEGIN;
${rawTable(file)}
CREATE TEMP TABLE next_day ON COMMIT DROP AS
  SELECT d::date AS day, (SELECT min(e)::date FROM generate_series(d + interval '1 day', d + interval '10 days',
    interval '1 day') e WHERE extract(isodow FROM e) < 6) AS next
  FROM generate_series('1990-01-01'::date, '2099-12-31', interval '1 day') d;
CREATE TEMP TABLE checked ON COMMIT DROP AS
WITH s AS (
  SELECT row_number() OVER () + 1 AS line_no, r.*,
    btrim(r.trade_ref) AS ref_t, btrim(r.client_code) AS cc_t, btrim(r.product) AS root_t, btrim(r.type) AS type_t,
    btrim(r.expiry) AS exp_t, btrim(r.strike) AS strike_t, upper(btrim(r.buy_sell)) AS side_t,
    btrim(r.quantity) AS qty_t, btrim(r.price) AS price_t, btrim(r.trade_date) AS date_t,
    btrim(r.exec_time) AS time_t, btrim(r.exch_trade_no) AS no_t
  FROM bos_raw r)
SELECT s.*, CASE
    WHEN coalesce(ref_t, '') = '' THEN 'ref'
    WHEN coalesce(cc_t, '') = '' THEN 'clientCode'
    WHEN coalesce(root_t, '') = '' THEN 'root'
    WHEN type_t IS NULL OR type_t NOT IN ('F', 'C', 'P') THEN 'instrumentType'
    WHEN exp_t IS NULL OR exp_t !~ '^[0-9]{4}-(0[1-9]|1[0-2])$' THEN 'expiry'
    WHEN strike_t <> '' AND strike_t !~ ${DECIMAL} THEN 'strike'
    WHEN side_t IS NULL OR side_t NOT IN ('BUY', 'SELL', 'B', 'S') THEN 'side'
    WHEN qty_t IS NULL OR qty_t !~ ${DECIMAL} OR qty_t ~ '^[0,]*(\\.0*)?$' THEN 'quantity'
    WHEN price_t IS NULL OR price_t !~ ${DECIMAL} THEN 'price'
    WHEN date_t IS NULL OR date_t !~ '^(0[1-9]|[12][0-9]|3[01])/(0[1-9]|1[0-2])/(199[0-9]|20[0-9][0-9])$'
      OR substr(date_t, 1, 2)::int > extract(day FROM make_date(substr(date_t, 7, 4)::int,
        substr(date_t, 4, 2)::int, 1) + interval '1 month' - interval '1 day') THEN 'execDate'
    WHEN time_t IS NULL OR time_t !~ '^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$' THEN 'execTime'
  END AS bad
FROM s;
INSERT INTO rejected_row (file_id, line_no, field, code, reason, raw)
  SELECT ${FILE_ID}, c.line_no, c.bad, 'BAD_VALUE', c.bad || ' is not valid',
    concat_ws(',', c.trade_ref, c.client_code, c.product, c.type, c.expiry, c.strike, c.buy_sell, c.quantity,
      c.price, c.trade_date, c.exec_time, c.exch_trade_no)
  FROM checked c WHERE c.bad IS NOT NULL;
INSERT INTO trade (file_id, line_no, source, participant, clearing_date, session, series, root, instrument_type,
  expiry, strike, trade_no, ref, account, client_code, side, quantity, price, trade_type, exec_date, exec_at)
SELECT ${FILE_ID}, s.line_no, 'bos', 'CABC', s.cd, CASE WHEN s.time_t >= '17:15:00' THEN 'A' ELSE 'T' END,
  s.root_t || coalesce(trim_scale(s.strike_n)::text, '') || substr(CASE s.type_t WHEN 'F' THEN 'FGHJKMNQUVXZ'
    WHEN 'C' THEN 'ABCDEFGHIJKL' ELSE 'MNOPQRSTUVWX' END, substr(s.exp_t, 6, 2)::int, 1) || substr(s.exp_t, 4, 1),
  s.root_t, s.type_t, s.exp_t, s.strike_n,
  CASE WHEN s.no_t ~ '^0+[0-9]' THEN regexp_replace(s.no_t, '^0+(?=[0-9])', '') ELSE nullif(s.no_t, '') END,
  s.ref_t, m.dcass_account, s.cc_t, left(s.side_t, 1), trim_scale(replace(s.qty_t, ',', '')::numeric),
  trim_scale(replace(s.price_t, ',', '')::numeric), 'STD', s.d, (s.d + s.time_t::time) AT TIME ZONE 'Asia/Hong_Kong'
FROM (SELECT c.*, nullif(c.strike_t, '')::numeric AS strike_n,
        CASE WHEN c.time_t >= '17:15:00' THEN n.next ELSE c.d END AS cd
      FROM (SELECT c0.*, make_date(substr(c0.date_t, 7, 4)::int, substr(c0.date_t, 4, 2)::int,
              substr(c0.date_t, 1, 2)::int) AS d FROM checked c0 WHERE c0.bad IS NULL) c
      JOIN next_day n ON n.day = c.d) s
JOIN (SELECT client_code, dcass_account, effective_from AS valid_from,
        coalesce(lead(effective_from) OVER (PARTITION BY client_code ORDER BY effective_from, id), 'infinity') AS valid_to
      FROM account_map) m ON m.client_code = s.cc_t AND s.cd >= m.valid_from AND s.cd < m.valid_to;
COMMIT;
`;

/** The sketches: psql scripts of one file. */
export const SKETCHES = { unchecked, checked } as const;

/**
 * Empties the trade table (and the rejected rows) of `dbUrl`, then loads `file` the set-based way;
 * returns that load, timed. The file holds no bad row: every row must be stored, none rejected.
 */
export async function setBasedSketch(
  dbUrl: string,
  dir: string,
  file: string,
  expectRows: number,
  kind: keyof typeof SKETCHES,
): Promise<Measured> {
  await query(dbUrl, 'TRUNCATE trade, rejected_row');
  await query(dbUrl, 'CHECKPOINT');
  const script = path.join(dir, `set-based-sketch-${kind}.sql`);
  writeFileSync(script, SKETCHES[kind](file));
  const run = await measure('psql', [dbUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', script]);
  if (run.code !== 0)
    throw new Error(`set-based sketch (${kind}) failed (exit ${run.code}):\n${run.stderr.slice(-4000)}`);
  const [count] = await query<{ n: string; rejected: string }>(
    dbUrl,
    'SELECT (SELECT count(*) FROM trade)::text AS n, (SELECT count(*) FROM rejected_row)::text AS rejected',
  );
  if (Number(count?.n) !== expectRows || Number(count?.rejected) !== 0)
    throw new Error(
      `set-based sketch (${kind}): expected ${expectRows} rows and none rejected, the tables hold ${count?.n} and ${count?.rejected}`,
    );
  return run;
}
