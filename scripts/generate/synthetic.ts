/**
 * Seeded synthetic data of any size for benchmarks: row i is a pure function of (seed, date, i), so
 * every layout renders the same canonical rows, nothing is held in memory, and a "variant" copy
 * with injected differences can be produced independently of the base copy.
 */
import { addDays, clearingOf, isTradingDay, previousTradingDay } from './calendar.js';
import { zeroPad } from './format.js';
import type { PositionRecord, SeriesInfo, Side, TradeRecord } from './model.js';
import { Rng, rowSeed } from './prng.js';

/** Options shared by every synthetic layout. */
export interface SyntheticOptions {
  readonly seed: number;
  /** Business (clearing / position) date YYYYMMDD. */
  readonly date: string;
  readonly participant: string;
  /** Canonical rows of the base copy. */
  readonly rows: number;
  /** Share of rows carrying an injected difference in the variant copy (default 0.0015). */
  readonly diffRate: number;
  /**
   * Whether the BOS leaves the exchange trade number blank on about 1 trade in 50, as back offices
   * do (default true). False gives every BOS trade its number, so a join on the trade number alone
   * pairs every trade present on both sides (the reconciliation benchmark's baseline needs that).
   */
  readonly bosTradeNoGaps?: boolean;
}

/** What the variant copy does with row i. */
export type Decision = 'keep' | 'drop' | 'insert' | 'qty' | 'price';

/** Injected differences between the base and the variant copy. */
export interface InjectedCounts {
  /** Rows only in the base copy (dropped from the variant). */
  readonly onlyLeft: number;
  /** Rows only in the variant copy (inserted). */
  readonly onlyRight: number;
  readonly qty: number;
  /** Price changes (trades only; for positions these rows get a quantity change instead). */
  readonly price: number;
  readonly total: number;
  readonly baseRows: number;
  readonly variantRows: number;
}

const SALT = { decision: 1, trade: 2, extra: 3, position: 4, bos: 5 } as const;
const FUT_MONTH = 'FGHJKMNQUVXZ';
const CALL_MONTH = 'ABCDEFGHIJKL';
const PUT_MONTH = 'MNOPQRSTUVWX';

/** Deterministic decision for row i: a quarter of the diff rate each for drop, insert, qty and price. */
export function decisionOf(seed: number, index: number, diffRate: number): Decision {
  const u = rowSeed(seed, index, SALT.decision) / 0x100000000;
  if (u >= diffRate) return 'keep';
  const q = Math.floor((u / diffRate) * 4);
  return q === 0 ? 'drop' : q === 1 ? 'insert' : q === 2 ? 'qty' : 'price';
}

/** Counts the differences the variant copy will carry (a cheap pass over the decisions). */
export function countInjected(opts: SyntheticOptions, kind: 'trades' | 'positions'): InjectedCounts {
  let drop = 0;
  let insert = 0;
  let qty = 0;
  let price = 0;
  for (let i = 0; i < opts.rows; i++) {
    const d = decisionOf(opts.seed, i, opts.diffRate);
    if (d === 'drop') drop++;
    else if (d === 'insert') insert++;
    else if (d === 'qty') qty++;
    else if (d === 'price') price++;
  }
  if (kind === 'positions') {
    qty += price;
    price = 0;
  }
  return {
    onlyLeft: drop,
    onlyRight: insert,
    qty,
    price,
    total: drop + insert + qty + price,
    baseRows: opts.rows,
    variantRows: opts.rows - drop + insert,
  };
}

interface Root {
  readonly root: string;
  readonly size: number;
  /** Reference price of the underlying in units of `scale` decimals. */
  readonly ref: number;
  readonly futures: boolean;
  /** Option strikes: first, step, count (in whole units). */
  readonly strikes?: readonly [number, number, number];
  readonly stock: boolean;
}

const ROOTS: readonly Root[] = [
  { root: 'HSI', size: 50, ref: 28500, futures: true, strikes: [24000, 200, 46], stock: false },
  { root: 'MHI', size: 10, ref: 28500, futures: true, stock: false },
  { root: 'HHI', size: 50, ref: 10800, futures: true, strikes: [9000, 200, 19], stock: false },
  { root: 'MCH', size: 10, ref: 10800, futures: true, stock: false },
  { root: 'TCH', size: 100, ref: 360, futures: false, strikes: [300, 10, 13], stock: true },
  { root: 'HKB', size: 400, ref: 66, futures: false, strikes: [55, 2, 11], stock: true },
  { root: 'CKH', size: 500, ref: 76, futures: false, strikes: [65, 2, 11], stock: true },
  { root: 'AIA', size: 1000, ref: 80, futures: false, strikes: [70, 2, 11], stock: true },
];

/** A synthetic series with its reference price (decimal string) and price tick scale. */
export interface SyntheticSeries extends SeriesInfo {
  /** Reference price in ticks. */
  readonly refTicks: number;
  /** Decimals of one tick (0 for index points, 3 for stock option premiums). */
  readonly tickScale: number;
}

const catalogCache = new Map<string, readonly SyntheticSeries[]>();

/** The live series on a date: futures and options of the next three expiry months (about 600 series). */
export function seriesCatalog(date: string): readonly SyntheticSeries[] {
  const cached = catalogCache.get(date);
  if (cached) return cached;
  const out: SyntheticSeries[] = [];
  let y = Number(date.slice(0, 4));
  let m = Number(date.slice(4, 6)) - 1;
  for (let k = 0; k < 3; k++) {
    const expiry = `${y}-${String(m + 1).padStart(2, '0')}`;
    const yd = String(y % 10);
    for (const r of ROOTS) {
      if (r.futures)
        out.push({
          name: `${r.root}${FUT_MONTH[m]}${yd}`,
          root: r.root,
          type: 'F',
          expiry,
          strike: null,
          contractSize: r.size,
          refTicks: r.ref + 40 * k,
          tickScale: 0,
        });
      if (!r.strikes) continue;
      const [first, step, count] = r.strikes;
      for (let j = 0; j < count; j++) {
        const k0 = first + step * j;
        for (const type of ['C', 'P'] as const) {
          const intrinsic = Math.max(type === 'C' ? r.ref - k0 : k0 - r.ref, 0);
          const strike = r.stock ? `${k0}.00` : String(k0);
          const letter = (type === 'C' ? CALL_MONTH : PUT_MONTH)[m] ?? 'A';
          // Premium: intrinsic value plus some time value; stock premiums in HK$0.001 ticks.
          const refTicks = r.stock
            ? intrinsic * 1000 + 1500 + 250 * k + 37 * j
            : intrinsic + 120 + 30 * k + 3 * j;
          out.push({
            name: `${r.root}${strike}${letter}${yd}`,
            root: r.root,
            type,
            expiry,
            strike,
            contractSize: r.size,
            refTicks,
            tickScale: r.stock ? 3 : 0,
          });
        }
      }
    }
    m += 1;
    if (m === 12) {
      m = 0;
      y += 1;
    }
  }
  catalogCache.set(date, out);
  return out;
}

/** Ticks as a plain decimal string (`34625` at scale 3 -> `34.625`). */
export function ticksToDecimal(ticks: number, scale: number): string {
  if (scale === 0) return String(ticks);
  const s = String(ticks).padStart(scale + 1, '0');
  return `${s.slice(0, -scale)}.${s.slice(-scale)}`;
}

/** Synthetic account ids: `A` + 7 digits; trades use the first 500. */
export function syntheticAccount(k: number): string {
  return `A${zeroPad(k, 7)}`;
}

/**
 * The BOS client code booked to a synthetic account, one-to-one: `A0000001` is client `K0000001`; the
 * positions' extra accounts (`X0000001`) keep their letter (`KX0000001`) so no client maps to two accounts.
 */
export function syntheticClient(account: string): string {
  return account.startsWith('A') ? `K${account.slice(1)}` : `K${account}`;
}

const TRADE_ACCOUNTS = 500;
const BASE_TRADE_NO = 100_000_000;
const EXTRA_TRADE_NO = 5_000_000_000;

function hms(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${String(h).padStart(2, '0')}${String(m).padStart(2, '0')}${String(s).padStart(2, '0')}`;
}

/** Execution date and time for a trade clearing on `date`: 85% day session, 15% after-hours. */
function execFor(
  rng: Rng,
  date: string,
  prev: string,
): { execDate: string; execTime: string; session: 'T' | 'A' } {
  if (rng.int(0, 99) < 85) {
    // Day session 09:15-12:00 and 13:00-16:30.
    const morning = rng.int(0, 1) === 0;
    const t = morning
      ? rng.int(9 * 3600 + 15 * 60, 12 * 3600 - 1)
      : rng.int(13 * 3600, 16 * 3600 + 29 * 60 + 59);
    return { execDate: date, execTime: hms(t), session: 'T' };
  }
  if (rng.int(0, 4) > 0)
    return { execDate: prev, execTime: hms(rng.int(17 * 3600 + 15 * 60, 24 * 3600 - 1)), session: 'A' };
  return { execDate: addDays(prev, 1), execTime: hms(rng.int(0, 3 * 3600 - 1)), session: 'A' };
}

const prevCache = new Map<string, string>();

function makeTrade(opts: SyntheticOptions, index: number, salt: number, tradeNo: number): TradeRecord {
  const rng = Rng.forRow(opts.seed, index, salt);
  const cat = seriesCatalog(opts.date);
  const s = rng.pick(cat);
  const prev = prevCache.get(opts.date) ?? previousTradingDay(opts.date);
  prevCache.set(opts.date, prev);
  const ex = execFor(rng, opts.date, prev);
  const qty = rng.int(0, 99) === 0 ? rng.int(1000, 2500) : rng.int(1, 50);
  const spread = s.tickScale === 0 ? 60 : 400;
  const ticks = Math.max(1, s.refTicks + rng.int(-spread, spread));
  const side: Side = rng.int(0, 1) === 0 ? 'B' : 'S';
  return {
    clearingDate: opts.date,
    series: s.name,
    tradeNo,
    dealNo: tradeNo + 300_000_000,
    account: syntheticAccount(rng.int(1, TRADE_ACCOUNTS)),
    side,
    qty,
    price: ticksToDecimal(ticks, s.tickScale),
    session: ex.session,
    tradeType: 'ST',
    origTradeNo: null,
    execDate: ex.execDate,
    execTime: ex.execTime,
    openClose: ' ',
  };
}

/** The price one tick higher (`scale` decimals a tick). */
export function bumpPrice(price: string, scale: number): string {
  const [int = '0', frac = ''] = price.split('.');
  const ticks = Number(int + frac.padEnd(scale, '0'));
  return ticksToDecimal(ticks + 1, scale);
}

/** Base trade row i (the left copy). */
export function syntheticTrade(opts: SyntheticOptions, index: number): TradeRecord {
  return makeTrade(opts, index, SALT.trade, BASE_TRADE_NO + index);
}

/** Streams the trades of the base copy, or of the variant copy with injected differences. */
export function* syntheticTrades(opts: SyntheticOptions, variant = false): Generator<TradeRecord> {
  if (!isTradingDay(opts.date)) throw new Error(`${opts.date} is not a trading day in the HK calendar`);
  const scale = new Map(seriesCatalog(opts.date).map((s) => [s.name, s.tickScale]));
  for (let i = 0; i < opts.rows; i++) {
    const t = syntheticTrade(opts, i);
    if (!variant) {
      yield t;
      continue;
    }
    const d = decisionOf(opts.seed, i, opts.diffRate);
    if (d === 'drop') continue;
    if (d === 'qty') yield { ...t, qty: t.qty + 1 };
    else if (d === 'price') yield { ...t, price: bumpPrice(t.price, scale.get(t.series) ?? 0) };
    else yield t;
    if (d === 'insert') yield makeTrade(opts, i, SALT.extra, EXTRA_TRADE_NO + i);
  }
}

/** Base position row i: account floor(i / series count), series i mod series count; net accounts. */
export function syntheticPosition(
  opts: SyntheticOptions,
  index: number,
  accountPrefix = 'A',
): PositionRecord {
  const cat = seriesCatalog(opts.date);
  const rng = Rng.forRow(opts.seed, index, SALT.position);
  const s = cat[index % cat.length];
  if (!s) throw new Error('empty series catalog');
  const net = rng.int(1, 500) * (rng.int(0, 1) === 0 ? 1 : -1);
  return {
    positionDate: opts.date,
    account: `${accountPrefix}${zeroPad(Math.floor(index / cat.length) + 1, 7)}`,
    series: s.name,
    long: Math.max(net, 0),
    short: Math.max(-net, 0),
    exercised: 0,
    assigned: 0,
  };
}

/** Streams the positions of the base copy, or of the variant copy with injected differences. */
export function* syntheticPositions(opts: SyntheticOptions, variant = false): Generator<PositionRecord> {
  for (let i = 0; i < opts.rows; i++) {
    const p = syntheticPosition(opts, i);
    if (!variant) {
      yield p;
      continue;
    }
    const d = decisionOf(opts.seed, i, opts.diffRate);
    if (d === 'drop') continue;
    if (d === 'qty' || d === 'price')
      yield p.long > 0 ? { ...p, long: p.long + 1 } : { ...p, short: p.short + 1 };
    else yield p;
    // Inserted rows use account prefix X, so their keys never collide with base rows.
    if (d === 'insert') yield syntheticPosition(opts, i, 'X');
  }
}

/**
 * Whether the BOS captured the exchange trade number of a trade: 98% yes, or always with
 * `bosTradeNoGaps: false`; the same answer in both copies.
 */
export function bosHasTradeNo(opts: SyntheticOptions, tradeNo: number): boolean {
  return opts.bosTradeNoGaps === false || rowSeed(opts.seed, tradeNo, SALT.bos) % 50 !== 0;
}

/** Session and clearing date consistency check used by tests. */
export function checkClearing(t: TradeRecord): boolean {
  const c = clearingOf(t.execDate, t.execTime);
  return c.clearingDate === t.clearingDate && c.session === t.session;
}
