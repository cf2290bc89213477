/** BOS (back office) CSV exports (the reference layouts): trades, positions, account map. */
import { colonTime, csvLine, ddmmyyyy, thousands } from './format.js';
import type { BosPositionRow, BosTradeRow, SeriesInfo, TradeRecord } from './model.js';
import type { Sink } from './sink.js';

/** BOS trades header of the reference layout. */
export const BOS_TRADE_HEADER = [
  'Trade Ref',
  'Client Code',
  'Product',
  'Type',
  'Expiry',
  'Strike',
  'Buy/Sell',
  'Quantity',
  'Price',
  'Trade Date',
  'Exec Time',
  'Exch Trade No',
] as const;

/** BOS positions header of the reference layout (a `Remarks` column may follow). */
export const BOS_POSITION_HEADER = [
  'As Of',
  'Client Code',
  'Product',
  'Type',
  'Expiry',
  'Strike',
  'Net Qty',
] as const;

/** Account map header. */
export const ACCOUNT_MAP_HEADER = ['client_code', 'dcass_account', 'account_type', 'effective_from'] as const;

/** `BOS_TRADES_<P>_<YYYYMMDD>.csv` */
export function bosTradesFileName(participant: string, date: string): string {
  return `BOS_TRADES_${participant}_${date}.csv`;
}

/** `BOS_POSITIONS_<P>_<YYYYMMDD>.csv` */
export function bosPositionsFileName(participant: string, date: string): string {
  return `BOS_POSITIONS_${participant}_${date}.csv`;
}

/** The BOS prints prices with thousands separators and at least two decimals (`28,350.00`, `34.625`). */
export function bosPrice(price: string): string {
  return thousands(price, 2);
}

/** The BOS prints quantities with thousands separators (`1,200`). */
export function bosQty(qty: number): string {
  return thousands(String(qty), 0);
}

/**
 * One BOS row booking a calendar spread as one trade, from its near leg: the built-in BOS layout
 * writes both months as the expiry (`2019-05/2019-06`), the far leg's side (buying the spread buys
 * the far month) and the spread price (far less near). No exchange trade number: a spread has none.
 */
export function toBosSpreadRow(
  nearLeg: TradeRecord,
  spread: { readonly price: string },
  near: SeriesInfo,
  far: SeriesInfo,
  clientCode: string,
  tradeRef: string,
): BosTradeRow {
  return {
    ...toBosTradeRow(nearLeg, near, clientCode, nearLeg.qty, tradeRef, false),
    expiry: `${near.expiry}/${far.expiry}`,
    buySell: nearLeg.side === 'B' ? 'SELL' : 'BUY',
    price: bosPrice(spread.price),
  };
}

/** One BOS trade row for (part of) a trade booked to one client; the BOS stamps the execution date. */
export function toBosTradeRow(
  t: TradeRecord,
  info: SeriesInfo,
  clientCode: string,
  qty: number,
  tradeRef: string,
  withExchTradeNo: boolean,
): BosTradeRow {
  return {
    tradeRef,
    clientCode,
    product: info.root,
    type: info.type,
    expiry: info.expiry,
    strike: info.strike ?? '',
    buySell: t.side === 'B' ? 'BUY' : 'SELL',
    quantity: bosQty(qty),
    price: bosPrice(t.price),
    tradeDate: ddmmyyyy(t.execDate),
    execTime: colonTime(t.execTime),
    exchTradeNo: withExchTradeNo ? String(t.tradeNo) : '',
  };
}

/** One BOS position row (signed net quantity) for a client. */
export function toBosPositionRow(
  asOf: string,
  info: SeriesInfo,
  clientCode: string,
  net: number,
  remarks?: string,
): BosPositionRow {
  return {
    asOf: ddmmyyyy(asOf),
    clientCode,
    product: info.root,
    type: info.type,
    expiry: info.expiry,
    strike: info.strike ?? '',
    netQty: thousands(String(net), 0),
    ...(remarks === undefined ? {} : { remarks }),
  };
}

/** Text quirks of one BOS file. */
export interface BosFileOptions {
  /** Start with a UTF-8 byte order mark (ignored for Big5 sinks: the caller picks the encoder). */
  readonly bom: boolean;
  readonly eol: '\r\n' | '\n';
  /** Empty lines written after the last row. */
  readonly trailingBlankLines: number;
}

/** Default BOS trades quirks: BOM, CRLF, no blank lines. */
export const BOS_TRADES_DEFAULT: BosFileOptions = { bom: true, eol: '\r\n', trailingBlankLines: 0 };

/** Fields of a trade row in header order. */
export function bosTradeFields(r: BosTradeRow): string[] {
  return [
    r.tradeRef,
    r.clientCode,
    r.product,
    r.type,
    r.expiry,
    r.strike,
    r.buySell,
    r.quantity,
    r.price,
    r.tradeDate,
    r.execTime,
    r.exchTradeNo,
  ];
}

/** Fields of a position row in header order (plus remarks when present). */
export function bosPositionFields(r: BosPositionRow, withRemarks: boolean): string[] {
  const f = [r.asOf, r.clientCode, r.product, r.type, r.expiry, r.strike, r.netQty];
  return withRemarks ? [...f, r.remarks ?? ''] : f;
}

async function writeRows<T>(
  sink: Sink,
  header: readonly string[],
  rows: Iterable<T>,
  fields: (r: T) => string[],
  opt: BosFileOptions,
): Promise<number> {
  await sink.write((opt.bom ? '\uFEFF' : '') + csvLine(header) + opt.eol);
  let n = 0;
  for (const row of rows) {
    await sink.write(csvLine(fields(row)) + opt.eol);
    n += 1;
  }
  if (opt.trailingBlankLines > 0) await sink.write(opt.eol.repeat(opt.trailingBlankLines));
  return n;
}

/** Streams a BOS trades file. */
export function writeBosTrades(
  sink: Sink,
  rows: Iterable<BosTradeRow>,
  opt: BosFileOptions = BOS_TRADES_DEFAULT,
): Promise<number> {
  return writeRows(sink, BOS_TRADE_HEADER, rows, bosTradeFields, opt);
}

/** Streams a BOS positions file, with a `Remarks` column at the right when `withRemarks`. */
export function writeBosPositions(
  sink: Sink,
  rows: Iterable<BosPositionRow>,
  opt: BosFileOptions,
  withRemarks = false,
): Promise<number> {
  const header = withRemarks ? [...BOS_POSITION_HEADER, 'Remarks'] : BOS_POSITION_HEADER;
  return writeRows(sink, header, rows, (r) => bosPositionFields(r, withRemarks), opt);
}

/** One account map entry. */
export interface AccountMapEntry {
  readonly clientCode: string;
  readonly dcassAccount: string;
  readonly accountType: 'NET' | 'GROSS';
  /** YYYY-MM-DD */
  readonly effectiveFrom: string;
}

/** Streams an account map (plain UTF-8, CRLF). */
export async function writeAccountMap(sink: Sink, entries: Iterable<AccountMapEntry>): Promise<number> {
  await sink.write(csvLine(ACCOUNT_MAP_HEADER) + '\r\n');
  let n = 0;
  for (const e of entries) {
    await sink.write(csvLine([e.clientCode, e.dcassAccount, e.accountType, e.effectiveFrom]) + '\r\n');
    n += 1;
  }
  return n;
}
