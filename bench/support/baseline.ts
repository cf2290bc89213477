/**
 * The baseline the benchmarks compare the product with: psql `\copy` of the files into plain tables
 * and one FULL OUTER JOIN a side, counting matches and breaks. Columns are typed where PostgreSQL reads
 * the text as it is; BOS quantities, prices (thousands separators) and dates (DD/MM/YYYY) are read as
 * text and converted in the join.
 */

/** Matches and breaks of a join `j` (has_left, has_right, same), as one JSON object. */
export const COUNT_JOIN = `SELECT json_build_object(
  'matched', count(*) FILTER (WHERE has_left AND has_right AND same),
  'mismatch', count(*) FILTER (WHERE has_left AND has_right AND NOT same),
  'only_left', count(*) FILTER (WHERE NOT has_right),
  'only_right', count(*) FILTER (WHERE NOT has_left))
FROM j`;

/** What COUNT_JOIN gives. */
export interface JoinCounts {
  readonly matched: number;
  readonly mismatch: number;
  readonly only_left: number;
  readonly only_right: number;
}

/** A file name as a psql string literal. */
export const psqlQuote = (file: string): string => `'${file.replace(/'/g, "''")}'`;

/** The plain tables of an upgraded DCASS TRD001 CSV, a BOS trades CSV and the account map. */
export const TRADE_TABLES = `CREATE UNLOGGED TABLE dcass_trade (clearing_date date NOT NULL, series text NOT NULL,
  trade_no bigint NOT NULL, deal_no bigint, account text NOT NULL, side text NOT NULL, qty numeric NOT NULL,
  price numeric NOT NULL, session text, trade_type text, orig_trade_no bigint, exec_time timestamptz NOT NULL,
  open_close text);
CREATE UNLOGGED TABLE bos_trade (trade_ref text NOT NULL, client_code text NOT NULL, product text, type text,
  expiry text, strike text, buy_sell text NOT NULL, quantity text NOT NULL, price text NOT NULL,
  trade_date text NOT NULL, exec_time time NOT NULL, exch_trade_no bigint);
CREATE UNLOGGED TABLE account_map (client_code text NOT NULL, dcass_account text NOT NULL, account_type text,
  effective_from date);`;

/**
 * One FULL OUTER JOIN of dcass_trade and bos_trade on the trade number, comparing account (through
 * the account map), side, quantity, price and execution time; prints COUNT_JOIN. The instrument is not
 * compared: the DCASS series name would need parsing.
 */
export const TRADE_JOIN = `WITH r AS (
  SELECT b.exch_trade_no, m.dcass_account AS account,
    CASE b.buy_sell WHEN 'BUY' THEN 'B' WHEN 'SELL' THEN 'S' END AS side,
    replace(b.quantity, ',', '')::numeric AS qty, replace(b.price, ',', '')::numeric AS price,
    (to_date(b.trade_date, 'DD/MM/YYYY') + b.exec_time) AT TIME ZONE 'Asia/Hong_Kong' AS exec_time
  FROM bos_trade b LEFT JOIN account_map m ON m.client_code = b.client_code),
j AS (
  SELECT l.trade_no IS NOT NULL AS has_left, r.exch_trade_no IS NOT NULL AS has_right,
    (l.account, l.side, l.qty, l.price, l.exec_time) IS NOT DISTINCT FROM
    (r.account, r.side, r.qty, r.price, r.exec_time) AS same
  FROM dcass_trade l FULL OUTER JOIN r ON l.trade_no = r.exch_trade_no)
${COUNT_JOIN};`;

/** The psql commands loading the three trade-side files into TRADE_TABLES. */
export function copyTradeFiles(files: { dcass: string; bos: string; accountMap: string }): string {
  return `\\copy dcass_trade FROM ${psqlQuote(files.dcass)} WITH (FORMAT csv, HEADER true)
\\copy bos_trade FROM ${psqlQuote(files.bos)} WITH (FORMAT csv, HEADER true)
\\copy account_map FROM ${psqlQuote(files.accountMap)} WITH (FORMAT csv, HEADER true)`;
}

/** The plain tables of an upgraded DCASS POS001 CSV and a BOS positions CSV. */
export const POSITION_TABLES = `CREATE UNLOGGED TABLE dcass_position (position_date date NOT NULL, account text NOT NULL,
  series text NOT NULL, long_qty numeric NOT NULL, short_qty numeric NOT NULL, exercised numeric, assigned numeric);
CREATE UNLOGGED TABLE bos_position (as_of text NOT NULL, client_code text NOT NULL, product text NOT NULL,
  type text NOT NULL, expiry text NOT NULL, strike text, net_qty text NOT NULL);`;

/** The psql commands loading the two position files into POSITION_TABLES. */
export function copyPositionFiles(files: { dcass: string; bos: string }): string {
  return `\\copy dcass_position FROM ${psqlQuote(files.dcass)} WITH (FORMAT csv, HEADER true)
\\copy bos_position FROM ${psqlQuote(files.bos)} WITH (FORMAT csv, HEADER true)`;
}

/**
 * One FULL OUTER JOIN of dcass_position and bos_position (clients summed per account and instrument
 * through the account map) on account and instrument, comparing the net; prints COUNT_JOIN. Here the
 * instrument is the key, so the DCASS series name is parsed (root, strike, month letter, year digit of
 * the 2010s: futures FGHJKMNQUVXZ, calls A-L, puts M-X), the least a position join can do.
 */
export const POSITION_JOIN = `WITH l AS (
  SELECT p.account, m[1] AS root,
    CASE WHEN m[2] = '' THEN 'F' WHEN m[3] <= 'L' THEN 'C' ELSE 'P' END AS type,
    '201' || m[4] || '-' || lpad((CASE WHEN m[2] = '' THEN strpos('FGHJKMNQUVXZ', m[3])
      WHEN m[3] <= 'L' THEN ascii(m[3]) - 64 ELSE ascii(m[3]) - 76 END)::text, 2, '0') AS expiry,
    coalesce(nullif(m[2], '')::numeric, -1) AS strike, p.long_qty - p.short_qty AS net
  FROM dcass_position p, regexp_match(p.series, '^([A-Z]+?)([0-9.]*)([A-Z])([0-9])$') AS m),
r AS (
  SELECT a.dcass_account AS account, b.product AS root, b.type, b.expiry,
    coalesce(nullif(b.strike, '')::numeric, -1) AS strike, sum(replace(b.net_qty, ',', '')::numeric) AS net
  FROM bos_position b LEFT JOIN account_map a ON a.client_code = b.client_code
  GROUP BY 1, 2, 3, 4, 5),
j AS (
  SELECT l.account IS NOT NULL AS has_left, r.account IS NOT NULL AS has_right, l.net = r.net AS same
  FROM l FULL OUTER JOIN r ON l.account = r.account AND l.root = r.root AND l.type = r.type
    AND l.expiry = r.expiry AND l.strike = r.strike)
${COUNT_JOIN};`;
