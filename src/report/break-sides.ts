import { Decimal, formatDecimal } from '../shared/decimal.js';
import { hkTime } from '../model/dates.js';
import type { ReconciledEntity } from '../model/vocabulary.js';
import type { ReportRecord } from './break-reader.js';

/**
 * What identifies a break for a person, read from its records: the breaks.csv columns an operator
 * filters on, the records table of `breaks show`, the account and instrument of `breaks list`.
 *
 * A side may hold several records (BOS allocations summed against one DCASS trade, the clients of an
 * omnibus account, a rolled-forward position and its trades). Its text values are the distinct values
 * in record order joined by ` | `; its quantities are summed exactly; its file:line list names every
 * record.
 */
export const JOIN = ' | ';

/** The distinct non-blank values, in first-seen order, joined by ` | `; '' when there are none. */
function distinct(values: Iterable<string | number | null | undefined>): string {
  const seen = new Set<string>();
  for (const v of values) if (v !== null && v !== undefined && v !== '') seen.add(String(v));
  return [...seen].join(JOIN);
}

/** A break's key as people read it: `tradeNo=1001236; clearingDate=2019-05-10`. */
export function keyText(key: Readonly<Record<string, string | null>>, separator = '; '): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}=${v ?? ''}`)
    .join(separator);
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * A compared value as a person reads it: an instant (an execution time, stored and compared as UTC)
 * in Hong Kong time with the offset, anything else as it is; `(none)` for a side without the value.
 */
export function shownValue(v: string | null): string {
  if (v === null) return '(none)';
  return ISO_INSTANT.test(v) ? hkTime(v) : v;
}

/** A record's instrument as the rules key it: root, type, expiry and strike (fields.ts INSTRUMENT). */
export function instrumentOf(r: ReportRecord): string {
  return [r.root, r.instrumentType, r.expiry, r.strike]
    .filter((v) => v !== null && v !== undefined)
    .join(' ');
}

/** `BOS_TRADES_CABC_20190510.csv:21`. */
export function whereOf(r: ReportRecord): string {
  return `${String(r.file ?? '')}:${String(r.line ?? '')}`;
}

const sum = (values: readonly Decimal[]): string =>
  formatDecimal(values.reduce((a, b) => a.plus(b), new Decimal(0)));
const dec = (v: string | number | null | undefined): Decimal =>
  new Decimal(v === null || v === undefined ? 0 : v);

/**
 * A side's quantity: for trades the quantities summed (`9`); for positions long and short summed
 * (`long 131 / short 0`), a trade of a rolled-forward side counting as a position of its quantity
 * (a buy long, a sell short). '' for a side without records.
 */
export function sideQuantity(entity: ReconciledEntity, records: readonly ReportRecord[]): string {
  if (records.length === 0) return '';
  if (entity === 'trades') return sum(records.map((r) => dec(r.quantity)));
  const isTrade = (r: ReportRecord) => r.quantity !== undefined;
  const long = records.map((r) => (isTrade(r) ? (r.side === 'B' ? dec(r.quantity) : dec(0)) : dec(r.long)));
  const short = records.map((r) => (isTrade(r) ? (r.side === 'S' ? dec(r.quantity) : dec(0)) : dec(r.short)));
  return `long ${sum(long)} / short ${sum(short)}`;
}

/** A side's price(s): the distinct trade prices; '' for positions (a rolled-forward side's trades included). */
export function sidePrice(entity: ReconciledEntity, records: readonly ReportRecord[]): string {
  return entity === 'trades' ? distinct(records.map((r) => r.price)) : '';
}

/** The identifying values of a break, both sides' records together. */
export interface BreakIdentity {
  readonly account: string;
  readonly instrument: string;
  readonly series: string;
  readonly side: string;
  readonly tradeNo: string;
  readonly ref: string;
  /** Execution times in Hong Kong time with the offset. */
  readonly execAt: string;
}

export function breakIdentity(records: readonly ReportRecord[]): BreakIdentity {
  const of = (k: string) => distinct(records.map((r) => r[k]));
  return {
    account: of('account'),
    instrument: distinct(records.map(instrumentOf)),
    series: of('series'),
    side: of('side'),
    tradeNo: of('tradeNo'),
    ref: of('ref'),
    execAt: distinct(records.map((r) => (typeof r.execAt === 'string' ? hkTime(r.execAt) : null))),
  };
}
