/**
 * Chained business days of synthetic data, for the soak benchmark: the DCASS positions of day n plus
 * the DCASS trades of day n give the DCASS positions of day n (so a clean day has no roll-forward
 * break), and the back office's copies differ from DCASS by a known number of planted breaks each
 * day: trades missing from the BOS, trades only in the BOS, quantity and price changes, and BOS
 * position differences that persist a few days and are then fixed. Each day also says what a correct
 * reconciliation finds, so the register can be checked against it.
 *
 * Trades are those of synthetic.ts (row i of day d is row d * rows + i, so trade numbers never repeat
 * across days), booked to the accounts that hold positions, so positions stay about `rows` in number.
 * Every BOS trade carries its exchange trade number: the planted counts are then exact (a blank number
 * would turn a quantity change into one break per side).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BOS_TRADES_DEFAULT,
  toBosPositionRow,
  writeAccountMap,
  writeBosPositions,
  writeBosTrades,
} from './bos.js';
import { isTradingDay, nextTradingDay, previousTradingDay } from './calendar.js';
import { writeDcassPositionsCsv, writeDcassTradesCsv } from './dcass.js';
import { bosTradeRows, fileNameOf, syntheticAccountMap } from './layouts.js';
import type { BosPositionRow, PositionRecord, TradeRecord } from './model.js';
import { Rng } from './prng.js';
import { StreamSink } from './sink.js';
import {
  bumpPrice,
  seriesCatalog,
  syntheticAccount,
  syntheticClient,
  syntheticPosition,
  syntheticTrade,
  type SyntheticOptions,
} from './synthetic.js';

/** Breaks planted on each day. */
export interface PlantCounts {
  /** DCASS trades left out of the BOS trades (only_left). */
  readonly drop: number;
  /** BOS trades with no DCASS trade (only_right). */
  readonly insert: number;
  /** BOS trades booked one contract more (mismatch). */
  readonly qty: number;
  /** BOS trades booked one tick higher (mismatch). */
  readonly price: number;
  /** New BOS position differences a day (positions-bos); each lasts `persistDays` days. */
  readonly positionDiffs: number;
  readonly persistDays: number;
}

/** A few hundred breaks a day at 200,000 rows; at least a handful on small runs. */
export function defaultPlants(rows: number): PlantCounts {
  const k = Math.max(3, Math.round(rows / 2000));
  return {
    drop: k,
    insert: k,
    qty: k,
    price: k,
    positionDiffs: Math.max(2, Math.round(rows / 4000)),
    persistDays: 3,
  };
}

export interface ChainedOptions {
  readonly seed: number;
  readonly participant: string;
  /** DCASS trades a day, and DCASS positions of the opening day. */
  readonly rows: number;
  /** First business date YYYYMMDD; the opening positions are those of the trading day before. */
  readonly start: string;
  readonly plants: PlantCounts;
}

/** Break counts of one reconciliation. */
export interface KindCounts {
  readonly onlyLeft: number;
  readonly onlyRight: number;
  readonly mismatch: number;
}

/** What a correct reconciliation of one chained day finds. */
export interface DayExpectation {
  /** YYYYMMDD. */
  readonly date: string;
  readonly dcassTrades: number;
  readonly bosTrades: number;
  readonly dcassPositions: number;
  readonly bosPositions: number;
  readonly tradesBos: KindCounts;
  readonly positionsBos: KindCounts;
  /** positions-bos breaks as `kind account series`: the same break from day to day while it lasts. */
  readonly positionBreaks: readonly string[];
  /** Positions the day's trades closed flat: roll-forward only_left breaks, explained by rule. */
  readonly flatPositions: readonly string[];
}

/** One chained day, in memory: the DCASS trades and positions and the BOS copies. */
export interface ChainedDay {
  readonly index: number;
  readonly date: string;
  readonly trades: readonly TradeRecord[];
  readonly bosTrades: readonly TradeRecord[];
  readonly positions: readonly PositionRecord[];
  /** BOS net positions by account and series. */
  readonly bosPositions: readonly {
    readonly account: string;
    readonly series: string;
    readonly net: number;
  }[];
  readonly expect: DayExpectation;
}

const SALT = { plant: 11, diff: 12 } as const;
const EXTRA_TRADE_NO = 5_000_000_000;

interface Diff {
  readonly key: string;
  readonly offset: number;
  readonly until: number;
}

const keyOf = (account: string, series: string): string => `${account} ${series}`;
const splitKey = (key: string): [string, string] => {
  const at = key.indexOf(' ');
  return [key.slice(0, at), key.slice(at + 1)];
};

/** `n` distinct integers in [0, max) drawn by `rng`. */
function distinct(rng: Rng, n: number, max: number, taken: Set<number>): number[] {
  if (taken.size + n > max) throw new Error(`cannot draw ${n} more of ${max} rows`);
  const out: number[] = [];
  while (out.length < n) {
    const i = rng.int(0, max - 1);
    if (taken.has(i)) continue;
    taken.add(i);
    out.push(i);
  }
  return out;
}

/** The business dates chained, one a day in turn; keeps the DCASS positions between days. */
export class ChainedDays {
  /** DCASS net position by `account series`, flat ones left out. */
  private readonly net = new Map<string, number>();
  private diffs: Diff[] = [];
  private day = 0;
  private date: string;
  /** Accounts trades are booked to: those of the opening positions. */
  private readonly accounts: number;

  constructor(private readonly opts: ChainedOptions) {
    if (!isTradingDay(opts.start)) throw new Error(`${opts.start} is not a trading day`);
    const p = opts.plants;
    if (p.drop + p.qty + p.price > opts.rows) throw new Error('more planted trade breaks than trades');
    this.date = opts.start;
    const opening = this.synthetic(previousTradingDay(opts.start));
    this.accounts = Math.ceil(opts.rows / seriesCatalog(opening.date).length);
    for (let i = 0; i < opts.rows; i++) {
      const p = syntheticPosition(opening, i);
      this.net.set(keyOf(p.account, p.series), p.long - p.short);
    }
  }

  private synthetic(date: string): SyntheticOptions {
    return {
      seed: this.opts.seed,
      date,
      participant: this.opts.participant,
      rows: this.opts.rows,
      diffRate: 0,
      bosTradeNoGaps: false,
    };
  }

  /** Options of the opening day (the trading day before the first): its positions, the account map. */
  get opening(): SyntheticOptions {
    return this.synthetic(previousTradingDay(this.opts.start));
  }

  /** The opening DCASS positions (the trading day before the first date); call before `next`. */
  openingPositions(): PositionRecord[] {
    if (this.day !== 0) throw new Error('the opening positions are gone once a day has been made');
    return this.positionRecords(this.opening.date);
  }

  private positionRecords(date: string): PositionRecord[] {
    return [...this.net.keys()].sort().map((key) => {
      const [account, series] = splitKey(key);
      const net = this.net.get(key) ?? 0;
      return {
        positionDate: date,
        account,
        series,
        long: Math.max(net, 0),
        short: Math.max(-net, 0),
        exercised: 0,
        assigned: 0,
      };
    });
  }

  /** DCASS trade i of a day: booked to a position account, numbered uniquely over the days. */
  private trade(opts: SyntheticOptions, index: number): TradeRecord {
    const t = syntheticTrade(opts, index);
    const k = ((Number(t.account.slice(1)) - 1) % this.accounts) + 1;
    return { ...t, account: syntheticAccount(k) };
  }

  /** Makes the next business day. */
  next(): ChainedDay {
    const { rows, plants, seed } = this.opts;
    const index = this.day;
    const date = this.date;
    const opts = this.synthetic(date);
    const first = index * rows;
    const trades: TradeRecord[] = [];
    for (let i = 0; i < rows; i++) trades.push(this.trade(opts, first + i));

    // Planted trade breaks: disjoint rows of the day.
    const rng = Rng.forRow(seed, index, SALT.plant);
    const taken = new Set<number>();
    const dropped = new Set(distinct(rng, plants.drop, rows, taken));
    const qty = new Set(distinct(rng, plants.qty, rows, taken));
    const price = new Set(distinct(rng, plants.price, rows, taken));
    const scale = new Map(seriesCatalog(date).map((s) => [s.name, s.tickScale]));
    const bosTrades: TradeRecord[] = [];
    trades.forEach((t, i) => {
      if (dropped.has(i)) return;
      if (qty.has(i)) bosTrades.push({ ...t, qty: t.qty + 1 });
      else if (price.has(i)) bosTrades.push({ ...t, price: bumpPrice(t.price, scale.get(t.series) ?? 0) });
      else bosTrades.push(t);
    });
    for (let j = 0; j < plants.insert; j++) {
      // Content of a trade beyond every day's rows; a number no DCASS trade has.
      const t = this.trade(opts, 1_000_000_000 + first + j);
      const no = EXTRA_TRADE_NO + first + j;
      bosTrades.push({ ...t, tradeNo: no, dealNo: no + 300_000_000 });
    }

    // DCASS positions: yesterday's plus today's trades; flat ones have no record.
    const touched = new Set(this.net.keys());
    for (const t of trades) {
      const key = keyOf(t.account, t.series);
      touched.add(key);
      this.net.set(key, (this.net.get(key) ?? 0) + (t.side === 'B' ? t.qty : -t.qty));
    }
    const flatPositions: string[] = [];
    for (const key of touched) {
      if (this.net.get(key) !== 0) continue;
      this.net.delete(key);
      flatPositions.push(key);
    }
    const positions = this.positionRecords(date);

    // BOS positions: DCASS's, with the differences in force today (new ones on existing positions).
    this.diffs = this.diffs.filter((d) => d.until >= index);
    const drng = Rng.forRow(seed, index, SALT.diff);
    const live = new Set(this.diffs.map((d) => d.key));
    for (let j = 0; j < plants.positionDiffs; j++) {
      let p = drng.pick(positions);
      while (live.has(keyOf(p.account, p.series))) p = drng.pick(positions);
      const key = keyOf(p.account, p.series);
      live.add(key);
      const offset = drng.int(1, 5) * (drng.int(0, 1) === 0 ? 1 : -1);
      this.diffs.push({ key, offset, until: index + plants.persistDays - 1 });
    }
    const bosNet = new Map(positions.map((p) => [keyOf(p.account, p.series), p.long - p.short]));
    const positionBreaks: string[] = [];
    const positionsBos = { onlyLeft: 0, onlyRight: 0, mismatch: 0 };
    for (const d of this.diffs) {
      const dcass = this.net.get(d.key) ?? 0;
      const bos = dcass + d.offset;
      const kind = dcass === 0 ? 'only_right' : bos === 0 ? 'only_left' : 'mismatch';
      if (kind === 'only_right') positionsBos.onlyRight += 1;
      else if (kind === 'only_left') positionsBos.onlyLeft += 1;
      else positionsBos.mismatch += 1;
      positionBreaks.push(`${kind} ${d.key}`);
      if (bos === 0) bosNet.delete(d.key);
      else bosNet.set(d.key, bos);
    }
    const bosPositions = [...bosNet.keys()].sort().map((key) => {
      const [account, series] = splitKey(key);
      return { account, series, net: bosNet.get(key) ?? 0 };
    });

    this.day += 1;
    this.date = nextTradingDay(date);
    return {
      index,
      date,
      trades,
      bosTrades,
      positions,
      bosPositions,
      expect: {
        date,
        dcassTrades: trades.length,
        bosTrades: bosTrades.length,
        dcassPositions: positions.length,
        bosPositions: bosPositions.length,
        tradesBos: { onlyLeft: plants.drop, onlyRight: plants.insert, mismatch: plants.qty + plants.price },
        positionsBos,
        positionBreaks: positionBreaks.sort(),
        flatPositions: flatPositions.sort(),
      },
    };
  }
}

/** Where the files of a chained day go: the configuration's input folders. */
export interface InputFolders {
  readonly dcass: string;
  readonly bos: string;
}

async function toFile(path: string, write: (sink: StreamSink) => Promise<number>): Promise<void> {
  const sink = StreamSink.toFile(path);
  await write(sink);
  await sink.close();
}

/** DCASS day-end files go to a folder per date, as `fetch` lays them out. */
const dcassFolder = (inputs: InputFolders, date: string): string => join(inputs.dcass, date);

/**
 * Writes what the CP has before the first day: the account map (the position accounts) and the
 * opening DCASS positions (POS001 CSV of the trading day before the first date). The folders exist.
 */
export async function writeOpening(chain: ChainedDays, inputs: InputFolders): Promise<string[]> {
  const opening = chain.opening;
  const map = join(inputs.bos, `ACCOUNT_MAP_${opening.participant}.csv`);
  // Only the A accounts: the X accounts of synthetic.ts's variant positions are not used here.
  const entries = [...syntheticAccountMap(opening)].filter((e) => e.dcassAccount.startsWith('A'));
  await toFile(map, (sink) => writeAccountMap(sink, entries));
  const pos = join(dcassFolder(inputs, opening.date), fileNameOf('dcass-pos-csv', opening));
  await mkdir(dcassFolder(inputs, opening.date), { recursive: true });
  const positions = chain.openingPositions();
  await toFile(pos, (sink) => writeDcassPositionsCsv(sink, positions));
  return [map, pos];
}

/**
 * Writes one chained day as its four files: DCASS TRD001 and POS001 day-end CSVs, the BOS trades
 * and positions exports.
 */
export async function writeDay(
  day: ChainedDay,
  participant: string,
  inputs: InputFolders,
): Promise<string[]> {
  const opts: SyntheticOptions = {
    seed: 0,
    date: day.date,
    participant,
    rows: day.trades.length,
    diffRate: 0,
    bosTradeNoGaps: false,
  };
  const dcass = dcassFolder(inputs, day.date);
  await mkdir(dcass, { recursive: true });
  const info = new Map(seriesCatalog(day.date).map((s) => [s.name, s]));
  function* bosPositionRows(): Generator<BosPositionRow> {
    for (const p of day.bosPositions) {
      const s = info.get(p.series);
      if (!s) throw new Error(`unknown series ${p.series}`);
      yield toBosPositionRow(day.date, s, syntheticClient(p.account), p.net);
    }
  }
  const files: [string, (sink: StreamSink) => Promise<number>][] = [
    [join(dcass, fileNameOf('dcass-trd-csv', opts)), (s) => writeDcassTradesCsv(s, day.trades)],
    [join(dcass, fileNameOf('dcass-pos-csv', opts)), (s) => writeDcassPositionsCsv(s, day.positions)],
    [
      join(inputs.bos, fileNameOf('bos-trd', opts)),
      (s) => writeBosTrades(s, bosTradeRows(opts, day.bosTrades), BOS_TRADES_DEFAULT),
    ],
    [
      join(inputs.bos, fileNameOf('bos-pos', opts)),
      (s) => writeBosPositions(s, bosPositionRows(), { bom: true, eol: '\r\n', trailingBlankLines: 0 }),
    ],
  ];
  for (const [path, write] of files) await toFile(path, write);
  return files.map(([path]) => path);
}
