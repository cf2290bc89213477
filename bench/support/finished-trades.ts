/**
 * The product's finished trade rows as the floors handle them: the columns the product writes, and
 * the one join of its two sides that a floor runs after storing them.
 */
import { COUNT_JOIN } from './baseline.js';

/** The trade table's columns the product writes (all but the generated id). */
export const TRADE_COLUMNS = [
  'file_id',
  'line_no',
  'source',
  'participant',
  'clearing_date',
  'session',
  'series',
  'root',
  'instrument_type',
  'expiry',
  'strike',
  'trade_no',
  'deal_no',
  'ref',
  'account',
  'client_code',
  'side',
  'quantity',
  'price',
  'trade_type',
  'orig_trade_no',
  'exec_date',
  'exec_at',
  'open_close',
  'extra',
] as const;

/**
 * One FULL OUTER JOIN of the stored DCASS and BOS trades on the trade number, comparing what the
 * baseline compares; gives COUNT_JOIN's JSON object.
 */
export const FINISHED_TRADES_JOIN = `WITH j AS (
  SELECT l.id IS NOT NULL AS has_left, r.id IS NOT NULL AS has_right,
    (l.account, l.side, l.quantity, l.price, l.exec_at) IS NOT DISTINCT FROM
    (r.account, r.side, r.quantity, r.price, r.exec_at) AS same
  FROM (SELECT * FROM trade WHERE source = 'dcass') l
  FULL OUTER JOIN (SELECT * FROM trade WHERE source = 'bos') r ON l.trade_no = r.trade_no)
${COUNT_JOIN}`;
