/** Upgraded DCASS reports (the reference layouts): TRD001 and POS001 as XML or CSV. */
import { canonicalDecimal, csvLine, hkIso, isoDate, xmlEscape } from './format.js';
import { DCASS_SESSION, DCASS_TRADE_TYPE } from './model.js';
import type { FileMeta, PositionRecord, TradeRecord } from './model.js';
import type { Sink } from './sink.js';

/** XML files use LF; CSV files use CRLF (RFC 4180). */
export const XML_EOL = '\n';
/** CSV line end. */
export const CSV_EOL = '\r\n';

/** Header of the TRD001 CSV variant. */
export const DCASS_TRADE_CSV_HEADER = [
  'clearing_date',
  'series',
  'trade_no',
  'deal_no',
  'account',
  'side',
  'qty',
  'price',
  'session',
  'trade_type',
  'orig_trade_no',
  'exec_time',
  'open_close',
] as const;

/** Header of the POS001 CSV variant. */
export const DCASS_POSITION_CSV_HEADER = [
  'position_date',
  'account',
  'series',
  'long',
  'short',
  'exercised',
  'assigned',
] as const;

/** `<REPORT>_<PARTICIPANT>_<YYYYMMDD>_<HHMM>.<ext>` (HHMM from the generation time). */
export function dcassFileName(reportId: string, meta: FileMeta, ext: 'xml' | 'csv'): string {
  return `${reportId}_${meta.participant}_${meta.businessDate}_${meta.generatedAt.slice(8, 12)}.${ext}`;
}

function el(name: string, value: string): string {
  return value === '' ? `<${name}/>` : `<${name}>${xmlEscape(value)}</${name}>`;
}

/** Canonical trade fields as the upgraded DCASS prints them (trade numbers not zero-padded). */
export function dcassTradeFields(t: TradeRecord): string[] {
  return [
    isoDate(t.clearingDate),
    t.series,
    String(t.tradeNo),
    String(t.dealNo),
    t.account,
    t.side,
    String(t.qty),
    canonicalDecimal(t.price),
    DCASS_SESSION[t.session],
    DCASS_TRADE_TYPE[t.tradeType],
    t.origTradeNo === null ? '' : String(t.origTradeNo),
    hkIso(t.execDate, t.execTime),
    t.openClose.trim(),
  ];
}

const TRADE_TAGS = [
  'ClearingDate',
  'Series',
  'TradeNo',
  'DealNo',
  'Account',
  'Side',
  'Qty',
  'Price',
  'Session',
  'TradeType',
  'OrigTradeNo',
  'ExecTime',
  'OpenClose',
] as const;

/** One `<Trade>` element on one line. */
export function dcassTradeXml(t: TradeRecord): string {
  const f = dcassTradeFields(t);
  return `  <Trade>${TRADE_TAGS.map((tag, i) => el(tag, f[i] ?? '')).join('')}</Trade>`;
}

/** Position fields as the upgraded DCASS prints them. */
export function dcassPositionFields(p: PositionRecord): string[] {
  return [
    isoDate(p.positionDate),
    p.account,
    p.series,
    String(p.long),
    String(p.short),
    String(p.exercised),
    String(p.assigned),
  ];
}

const POSITION_TAGS = [
  'PositionDate',
  'Account',
  'Series',
  'Long',
  'Short',
  'Exercised',
  'Assigned',
] as const;

/** One `<Position>` element on one line. */
export function dcassPositionXml(p: PositionRecord): string {
  const f = dcassPositionFields(p);
  return `  <Position>${POSITION_TAGS.map((tag, i) => el(tag, f[i] ?? '')).join('')}</Position>`;
}

/** XML declaration and root start tag; recordCount must be known before the records are streamed. */
export function dcassXmlOpen(reportId: string, meta: FileMeta, recordCount: number): string {
  const g = meta.generatedAt;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>${XML_EOL}` +
    `<DcassReport reportId="${reportId}" participant="${xmlEscape(meta.participant)}" businessDate="${isoDate(meta.businessDate)}" ` +
    `generatedAt="${hkIso(g.slice(0, 8), g.slice(8, 14))}" recordCount="${recordCount}">${XML_EOL}`
  );
}

async function writeXml<T>(
  sink: Sink,
  reportId: string,
  meta: FileMeta,
  rows: Iterable<T>,
  recordCount: number,
  line: (r: T) => string,
): Promise<number> {
  await sink.write(dcassXmlOpen(reportId, meta, recordCount));
  let n = 0;
  for (const row of rows) {
    await sink.write(line(row) + XML_EOL);
    n += 1;
  }
  await sink.write(`</DcassReport>${XML_EOL}`);
  if (n !== recordCount)
    throw new Error(`${reportId}: promised recordCount ${recordCount} but wrote ${n} records`);
  return n;
}

/** Streams a TRD001 XML file; `recordCount` must equal the number of trades. */
export function writeDcassTradesXml(
  sink: Sink,
  meta: FileMeta,
  trades: Iterable<TradeRecord>,
  recordCount: number,
): Promise<number> {
  return writeXml(sink, 'TRD001', meta, trades, recordCount, dcassTradeXml);
}

/** Streams a POS001 XML file; `recordCount` must equal the number of positions. */
export function writeDcassPositionsXml(
  sink: Sink,
  meta: FileMeta,
  positions: Iterable<PositionRecord>,
  recordCount: number,
): Promise<number> {
  return writeXml(sink, 'POS001', meta, positions, recordCount, dcassPositionXml);
}

/** Extra right-hand CSV columns (layout drift): names and a value function. */
export interface ExtraColumns<T> {
  readonly names: readonly string[];
  readonly values: (row: T) => readonly string[];
}

async function writeCsv<T>(
  sink: Sink,
  header: readonly string[],
  rows: Iterable<T>,
  fields: (r: T) => string[],
  extra?: ExtraColumns<T>,
): Promise<number> {
  await sink.write(csvLine([...header, ...(extra?.names ?? [])]) + CSV_EOL);
  let n = 0;
  for (const row of rows) {
    await sink.write(csvLine([...fields(row), ...(extra?.values(row) ?? [])]) + CSV_EOL);
    n += 1;
  }
  return n;
}

/** Streams a TRD001 CSV file, optionally with extra columns at the right. */
export function writeDcassTradesCsv(
  sink: Sink,
  trades: Iterable<TradeRecord>,
  extra?: ExtraColumns<TradeRecord>,
): Promise<number> {
  return writeCsv(sink, DCASS_TRADE_CSV_HEADER, trades, dcassTradeFields, extra);
}

/** Streams a POS001 CSV file, optionally with extra columns at the right. */
export function writeDcassPositionsCsv(
  sink: Sink,
  positions: Iterable<PositionRecord>,
  extra?: ExtraColumns<PositionRecord>,
): Promise<number> {
  return writeCsv(sink, DCASS_POSITION_CSV_HEADER, positions, dcassPositionFields, extra);
}
