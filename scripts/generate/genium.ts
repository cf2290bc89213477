/** Genium INET fixed-width report data files (the reference layout): TRD001 and POS001. */
import { impliedDecimal, padText, zeroPad } from './format.js';
import type { FileMeta, PositionRecord, TradeRecord } from './model.js';
import type { Sink } from './sink.js';

/** Genium files end every record with CRLF. */
export const GENIUM_EOL = '\r\n';
/** Record lengths without the line end: header, trade detail, position detail, trailer. */
export const GENIUM_LENGTHS = { header: 36, trade: 109, position: 73, trailer: 28 } as const;
/** The trailer's hash total keeps its last 18 digits (leading digits dropped on overflow). */
export const HASH_MODULUS = 10n ** 18n;

/** `<REPORT>_<PARTICIPANT>_<YYYYMMDD>.lis` */
export function geniumFileName(reportId: string, meta: FileMeta): string {
  return `${reportId}_${meta.participant}_${meta.businessDate}.lis`;
}

/** Header record. */
export function geniumHeader(reportId: string, meta: FileMeta): string {
  return `H${padText(reportId, 8)}${padText(meta.participant, 5)}${meta.businessDate}${meta.generatedAt}`;
}

/** TRD001 detail record. */
export function geniumTradeLine(t: TradeRecord): string {
  return (
    'D' +
    t.clearingDate +
    padText(t.series, 16) +
    zeroPad(t.tradeNo, 10) +
    zeroPad(t.dealNo, 10) +
    padText(t.account, 12) +
    t.side +
    zeroPad(t.qty, 9) +
    impliedDecimal(t.price, 4, 14) +
    t.session +
    t.tradeType +
    zeroPad(t.origTradeNo ?? 0, 10) +
    t.execDate +
    t.execTime +
    t.openClose
  );
}

/** POS001 detail record. */
export function geniumPositionLine(p: PositionRecord): string {
  return (
    'D' +
    p.positionDate +
    padText(p.account, 12) +
    padText(p.series, 16) +
    zeroPad(p.long, 9) +
    zeroPad(p.short, 9) +
    zeroPad(p.exercised, 9) +
    zeroPad(p.assigned, 9)
  );
}

/** Trailer record: count of details and the hash total modulo 10^18. */
export function geniumTrailer(count: number, hashTotal: bigint): string {
  return `T${zeroPad(count, 9)}${zeroPad(hashTotal % HASH_MODULUS, 18)}`;
}

/** Count and hash total written in a trailer. */
export interface ControlTotals {
  readonly records: number;
  readonly hashTotal: bigint;
}

async function writeGenium<T>(
  sink: Sink,
  reportId: string,
  meta: FileMeta,
  rows: Iterable<T>,
  line: (row: T) => string,
  hash: (row: T) => number,
): Promise<ControlTotals> {
  await sink.write(geniumHeader(reportId, meta) + GENIUM_EOL);
  let records = 0;
  let hashTotal = 0n;
  for (const row of rows) {
    await sink.write(line(row) + GENIUM_EOL);
    records += 1;
    hashTotal += BigInt(hash(row));
  }
  await sink.write(geniumTrailer(records, hashTotal) + GENIUM_EOL);
  return { records, hashTotal: hashTotal % HASH_MODULUS };
}

/** Streams a TRD001 file: header, one detail per trade, trailer (hash = sum of quantity). */
export function writeGeniumTrades(
  sink: Sink,
  meta: FileMeta,
  trades: Iterable<TradeRecord>,
): Promise<ControlTotals> {
  return writeGenium(sink, 'TRD001', meta, trades, geniumTradeLine, (t) => t.qty);
}

/** Streams a POS001 file: header, one detail per position, trailer (hash = sum of long + short). */
export function writeGeniumPositions(
  sink: Sink,
  meta: FileMeta,
  positions: Iterable<PositionRecord>,
): Promise<ControlTotals> {
  return writeGenium(sink, 'POS001', meta, positions, geniumPositionLine, (p) => p.long + p.short);
}
