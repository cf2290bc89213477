/** Compiles the hand-written scenario (scenario.ts) into the fixture files and their README. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { clearingOf } from './calendar.js';
import { hkIso } from './format.js';
import {
  ACCOUNT_MAP,
  ACCOUNTS,
  BIG5_REMARKS,
  BREAKS,
  BUSINESS_DATES,
  FALLBACK_DATE,
  GENIUM_DATE,
  EXERCISES,
  OPENING,
  PARTICIPANT,
  SERIES,
  SPREAD_BOOKINGS,
  TRADES,
} from './scenario.js';
import type { ScenarioBreak, ScenarioTrade, SpreadBooking } from './scenario.js';
import type { BosFileOptions } from './bos.js';
import {
  bosPositionsFileName,
  bosPrice,
  bosQty,
  bosTradesFileName,
  toBosPositionRow,
  toBosSpreadRow,
  toBosTradeRow,
  writeAccountMap,
  writeBosPositions,
  writeBosTrades,
} from './bos.js';
import {
  dcassFileName,
  writeDcassPositionsCsv,
  writeDcassPositionsXml,
  writeDcassTradesCsv,
  writeDcassTradesXml,
} from './dcass.js';
import { geniumFileName, writeGeniumPositions, writeGeniumTrades } from './genium.js';
import { encodeBig5 } from './big5.js';
import type {
  BosPositionRow,
  BosTradeRow,
  FileMeta,
  OpenClose,
  PositionRecord,
  SeriesInfo,
  TradeRecord,
} from './model.js';
import { MemorySink } from './sink.js';
import type { TextEncode } from './sink.js';
import { renderReadme } from './readme.js';

/** A scenario trade with everything derived: clearing date, session, numbers, open/close. */
export interface CompiledTrade {
  readonly spec: ScenarioTrade;
  readonly execDate: string;
  readonly execTime: string;
  readonly clearingDate: string;
  readonly session: 'T' | 'A';
  /** Upgraded DCASS trade and deal numbers. */
  readonly tradeNo: number;
  readonly dealNo: number;
  /**
   * Genium numbers, for trades executed on Genium (up to the Friday-night session of 3 May) and for
   * trades cleared on Genium again from the fallback date.
   */
  readonly geniumTradeNo: number | null;
  readonly geniumDealNo: number | null;
  readonly origTradeNo: number | null;
  readonly openClose: OpenClose;
}

/** Where a record landed: path under fixtures/ and 1-based line. */
export interface Loc {
  readonly file: string;
  readonly line: number;
}

/** Everything the fixture set is made of, in memory. */
export interface FixtureSet {
  /** Paths relative to fixtures/, with their exact bytes. */
  readonly files: ReadonlyMap<string, Buffer>;
  readonly trades: readonly CompiledTrade[];
  /** Upgraded DCASS positions per business date (after the day's trades). */
  readonly positions: ReadonlyMap<string, readonly PositionRecord[]>;
  /** BOS net positions per date: client -> series -> net. */
  readonly clientNets: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, number>>>;
  /** Trade id -> where its records are (DCASS, Genium, BOS). */
  readonly where: ReadonlyMap<string, Loc[]>;
  /** Break id -> locations relevant to it. */
  readonly breakWhere: ReadonlyMap<string, Loc[]>;
}

const UPGRADED_TRADE_BASE: Readonly<Record<string, number>> = {
  '20190503': 3000001,
  '20190506': 1000101,
  '20190507': 1000611,
  '20190510': 1001231,
  '20190514': 1002001,
};
const UPGRADED_DEAL_BASE: Readonly<Record<string, number>> = {
  '20190503': 700001,
  '20190506': 500117,
  '20190507': 500640,
  '20190510': 501288,
  '20190514': 502001,
};
/** Executions up to the end of the Friday-night session of 3 May happened on Genium. */
const LAST_GENIUM_EXEC_DATE = '20190504';
/** Dates with positions: the business dates, then the fallback day (Genium INET again). */
const POSITION_DATES: readonly string[] = [...BUSINESS_DATES, FALLBACK_DATE];
/** Genium trade and deal numbers after the fallback start afresh (the platform numbers its own trades). */
const FALLBACK_GENIUM_TRADE_BASE = 86001;
const FALLBACK_GENIUM_DEAL_BASE = 414001;

/** Executed on Genium: up to the seam, or from the fallback date on (the BOS carries the Genium number). */
function executedOnGenium(execDate: string): boolean {
  return execDate <= LAST_GENIUM_EXEC_DATE || execDate >= FALLBACK_DATE;
}

const seriesByName = new Map(SERIES.map((s) => [s.name, s]));
const accountKind = new Map(ACCOUNTS.map((a) => [a.id, a.kind]));
const clientOfNetAccount = new Map(
  ACCOUNT_MAP.filter((m) => m.accountType === 'NET').map((m) => [m.dcassAccount, m.clientCode]),
);
const accountOfClient = new Map(ACCOUNT_MAP.map((m) => [m.clientCode, m.dcassAccount]));

function series(name: string): SeriesInfo {
  const s = seriesByName.get(name);
  if (!s) throw new Error(`scenario: unknown series ${name}`);
  return s;
}

/** BOS client -> quantity for a trade (one-to-one for net accounts). */
export function allocationOf(spec: ScenarioTrade): [string, number][] {
  const kind = accountKind.get(spec.account);
  if (!kind) throw new Error(`scenario ${spec.id}: unknown account ${spec.account}`);
  if (kind === 'NET') {
    if (spec.alloc) throw new Error(`scenario ${spec.id}: allocations only on gross accounts`);
    const client = clientOfNetAccount.get(spec.account);
    if (!client) throw new Error(`scenario ${spec.id}: no client maps to ${spec.account}`);
    return [[client, spec.qty]];
  }
  if (!spec.alloc) throw new Error(`scenario ${spec.id}: gross account trade needs alloc`);
  const entries = Object.entries(spec.alloc);
  const sum = entries.reduce((a, [, q]) => a + q, 0);
  if (sum !== spec.qty)
    throw new Error(`scenario ${spec.id}: allocations sum to ${sum}, trade qty ${spec.qty}`);
  for (const [c] of entries)
    if (accountOfClient.get(c) !== spec.account)
      throw new Error(`scenario ${spec.id}: client ${c} does not map to ${spec.account}`);
  return entries;
}

type Ledger = Map<string, Map<string, number>>;

function bump(
  ledger: Ledger,
  client: string,
  seriesName: string,
  delta: number,
): { before: number; after: number } {
  let m = ledger.get(client);
  if (!m) ledger.set(client, (m = new Map()));
  const before = m.get(seriesName) ?? 0;
  const after = before + delta;
  m.set(seriesName, after);
  return { before, after };
}

function cloneLedger(l: Ledger): Ledger {
  return new Map([...l].map(([k, v]) => [k, new Map(v)]));
}

/** Derives clearing dates, sessions, numbers and open/close, and the client ledgers per business date. */
export function compileScenario(): { trades: CompiledTrade[]; nets: Map<string, Ledger> } {
  const ids = new Set<string>();
  const derived = TRADES.map((spec, order) => {
    if (ids.has(spec.id)) throw new Error(`scenario: duplicate id ${spec.id}`);
    ids.add(spec.id);
    series(spec.series);
    const [execDate = '', execTime = ''] = spec.exec.split(' ');
    const { session, clearingDate } = clearingOf(execDate, execTime);
    return { spec, order, execDate, execTime, session, clearingDate };
  });
  const byExec = [...derived].sort(
    (a, b) => (a.execDate + a.execTime).localeCompare(b.execDate + b.execTime) || a.order - b.order,
  );

  // Numbers: upgraded per clearing date in execution order; Genium for trades executed on Genium.
  const tradeNo = new Map<string, number>();
  const dealNo = new Map<string, number>();
  const geniumNo = new Map<string, [number, number]>();
  const countPerDate = new Map<string, number>();
  let g = 0;
  let fg = 0;
  for (const d of byExec) {
    const k = countPerDate.get(d.clearingDate) ?? 0;
    countPerDate.set(d.clearingDate, k + 1);
    const tb = UPGRADED_TRADE_BASE[d.clearingDate];
    const db = UPGRADED_DEAL_BASE[d.clearingDate];
    if (tb === undefined || db === undefined)
      throw new Error(`scenario ${d.spec.id}: clears ${d.clearingDate}, outside the fixture dates`);
    tradeNo.set(d.spec.id, tb + k);
    dealNo.set(d.spec.id, d.spec.sameDealAs ? (dealNo.get(d.spec.sameDealAs) ?? NaN) : db + 2 * k);
    if (d.execDate <= LAST_GENIUM_EXEC_DATE) {
      geniumNo.set(d.spec.id, [84201 + 3 * g, 412001 + 2 * g]);
      g += 1;
    } else if (d.clearingDate >= FALLBACK_DATE) {
      // Cleared on Genium after the fallback, wherever executed (the Friday-night trades of 10 May too).
      geniumNo.set(d.spec.id, [FALLBACK_GENIUM_TRADE_BASE + 3 * fg, FALLBACK_GENIUM_DEAL_BASE + 2 * fg]);
      fg += 1;
    }
  }

  // Open/close and ledgers, in clearing order.
  const ledger: Ledger = new Map();
  for (const o of OPENING) bump(ledger, o.client, o.series, o.net);
  const nets = new Map<string, Ledger>();
  const openClose = new Map<string, OpenClose>();
  const byClearing = [...byExec].sort((a, b) => a.clearingDate.localeCompare(b.clearingDate));
  for (const date of POSITION_DATES) {
    for (const d of byClearing.filter((x) => x.clearingDate === date)) {
      const alloc = allocationOf(d.spec);
      const gross = accountKind.get(d.spec.account) === 'GROSS';
      if (d.spec.pending) {
        openClose.set(d.spec.id, gross ? 'C' : ' ');
        continue; // pending give-ups stay with the giver
      }
      const flags = new Set<string>();
      for (const [client, q] of alloc) {
        const { before, after } = bump(ledger, client, d.spec.series, d.spec.side === 'B' ? q : -q);
        if (gross && before * after < 0)
          throw new Error(`scenario ${d.spec.id}: client ${client} crosses zero on a gross account`);
        flags.add(Math.abs(after) > Math.abs(before) ? 'O' : 'C');
      }
      if (gross && flags.size !== 1)
        throw new Error(`scenario ${d.spec.id}: allocations mix opening and closing`);
      openClose.set(d.spec.id, gross ? ((flags.values().next().value as OpenClose | undefined) ?? 'O') : ' ');
    }
    // The day's exercises leave the holders' long positions after its trades.
    for (const x of EXERCISES.filter((e) => e.date === date)) bump(ledger, x.client, x.series, -x.qty);
    nets.set(date, cloneLedger(ledger));
  }
  for (const d of derived) {
    if (!POSITION_DATES.includes(d.clearingDate)) {
      throw new Error(`scenario ${d.spec.id}: clears ${d.clearingDate}; the set has no positions for it`);
    }
  }

  const trades = derived.map((d): CompiledTrade => {
    const orig = d.spec.orig;
    const gn = geniumNo.get(d.spec.id);
    return {
      spec: d.spec,
      execDate: d.execDate,
      execTime: d.execTime,
      clearingDate: d.clearingDate,
      session: d.session,
      tradeNo: tradeNo.get(d.spec.id) ?? 0,
      dealNo: dealNo.get(d.spec.id) ?? 0,
      geniumTradeNo: gn?.[0] ?? null,
      geniumDealNo: gn?.[1] ?? null,
      origTradeNo: orig === undefined ? null : typeof orig === 'number' ? orig : (tradeNo.get(orig) ?? NaN),
      openClose: openClose.get(d.spec.id) ?? ' ',
    };
  });
  return { trades, nets };
}

/** The canonical record of a compiled trade on the upgraded platform, or on Genium. */
export function toTradeRecord(c: CompiledTrade, platform: 'upgraded' | 'genium'): TradeRecord {
  const genium = platform === 'genium';
  if (genium && (c.geniumTradeNo === null || c.geniumDealNo === null))
    throw new Error(`${c.spec.id} has no Genium numbers`);
  return {
    clearingDate: c.clearingDate,
    series: c.spec.series,
    tradeNo: genium ? (c.geniumTradeNo ?? 0) : c.tradeNo,
    dealNo: genium ? (c.geniumDealNo ?? 0) : c.dealNo,
    account: c.spec.account,
    side: c.spec.side,
    qty: c.spec.qty,
    price: c.spec.price,
    session: c.session,
    tradeType: c.spec.type ?? 'ST',
    origTradeNo: c.origTradeNo,
    execDate: c.execDate,
    execTime: c.execTime,
    openClose: c.openClose,
  };
}

/** DCASS positions (net accounts netted, gross accounts long/short) from client ledgers. */
export function positionsFrom(date: string, ledger: Ledger): PositionRecord[] {
  const out: PositionRecord[] = [];
  for (const acct of ACCOUNTS) {
    const clients = ACCOUNT_MAP.filter((m) => m.dcassAccount === acct.id).map((m) => m.clientCode);
    for (const s of SERIES) {
      let long = 0;
      let short = 0;
      for (const c of clients) {
        const net = ledger.get(c)?.get(s.name) ?? 0;
        if (net > 0) long += net;
        else short -= net;
      }
      if (acct.kind === 'NET') {
        const net = long - short;
        long = Math.max(net, 0);
        short = Math.max(-net, 0);
      }
      const exercised = EXERCISES.filter(
        (x) => x.date === date && x.series === s.name && clients.includes(x.client),
      ).reduce((n, x) => n + x.qty, 0);
      if (long !== 0 || short !== 0 || exercised !== 0)
        out.push({
          positionDate: date,
          account: acct.id,
          series: s.name,
          long,
          short,
          exercised,
          assigned: 0,
        });
    }
  }
  return out;
}

/**
 * The quantity the BOS books on a trade's row: the trade's own, less (or plus) the adjustments it
 * folds into it (a partial give-up of 2 of a buy of 5 is booked as a buy of 3).
 */
function bosQuantity(c: CompiledTrade, trades: readonly CompiledTrade[]): number {
  let qty = c.spec.qty;
  for (const a of trades) {
    if (a.spec.bosFolded && a.spec.orig === c.spec.id)
      qty += a.spec.side === c.spec.side ? a.spec.qty : -a.spec.qty;
  }
  return qty;
}

/** The far leg's scenario trade: its side is the booking's, its month the spread's second. */
function farLegOf(spread: SpreadBooking): ScenarioTrade {
  const far = TRADES.find((x) => x.id === spread.far);
  if (!far) throw new Error(`scenario ${spread.id}: unknown far leg ${spread.far}`);
  return far;
}

/** The spread booking a trade is a leg of, if any. */
function spreadOf(id: string): SpreadBooking | undefined {
  return SPREAD_BOOKINGS.find((b) => b.near === id || b.far === id);
}

function breakFor(kind: ScenarioBreak['kind'], tradeId: string): ScenarioBreak | undefined {
  return BREAKS.find((b) => b.kind === kind && 'trade' in b && b.trade === tradeId);
}

async function render(sink: MemorySink, fn: (s: MemorySink) => Promise<unknown>): Promise<Buffer> {
  await fn(sink);
  await sink.close();
  return sink.bytes();
}

/** Text quirks of each BOS positions file. */
const BOS_POSITION_QUIRKS: Readonly<Record<string, BosFileOptions & { big5?: true }>> = {
  '20190503': { bom: true, eol: '\r\n', trailingBlankLines: 0 },
  '20190506': { bom: false, eol: '\r\n', trailingBlankLines: 0 },
  '20190507': { bom: false, eol: '\n', trailingBlankLines: 0 },
  '20190510': { bom: false, eol: '\r\n', trailingBlankLines: 1, big5: true },
  '20190514': { bom: false, eol: '\r\n', trailingBlankLines: 0 },
};

/** Text quirks of each BOS trades file (all UTF-8 with BOM, CRLF). */
const BOS_TRADE_QUIRKS: Readonly<Record<string, BosFileOptions>> = {
  '20190503': { bom: true, eol: '\r\n', trailingBlankLines: 0 },
  '20190506': { bom: true, eol: '\r\n', trailingBlankLines: 0 },
  '20190507': { bom: true, eol: '\r\n', trailingBlankLines: 0 },
  '20190510': { bom: true, eol: '\r\n', trailingBlankLines: 2 },
  '20190514': { bom: true, eol: '\r\n', trailingBlankLines: 0 },
};

/** Generation times of the upgraded DCASS files (YYYYMMDDHHMMSS) per business date. */
export const DCASS_GENERATED: Readonly<Record<string, string>> = {
  // 3 May: DCASS Online exports taken during the Sunday verification session (RRS not open yet).
  '20190503': '20190505083000',
  '20190506': '20190506231000',
  '20190507': '20190507231000',
  '20190510': '20190510231000',
};
/** The intraday batch of 6 May, superseded by the day-end file. */
export const INTRADAY_0506 = '20190506130000';
/** Generation times of the Genium backups per date: the last Genium day and the fallback day. */
const GENIUM_GENERATED: Readonly<Record<string, string>> = {
  [GENIUM_DATE]: '20190503231000',
  [FALLBACK_DATE]: '20190514231000',
};

/** Builds every fixture file in memory. */
export async function buildFixtures(): Promise<FixtureSet> {
  const { trades, nets } = compileScenario();
  const files = new Map<string, Buffer>();
  const where = new Map<string, Loc[]>();
  const breakWhere = new Map<string, Loc[]>();
  const at = (id: string, loc: Loc): void => {
    const l = where.get(id) ?? [];
    l.push(loc);
    where.set(id, l);
  };
  const atBreak = (id: string, loc: Loc): void => {
    const l = breakWhere.get(id) ?? [];
    l.push(loc);
    breakWhere.set(id, l);
  };
  const meta = (date: string, generatedAt: string): FileMeta => ({
    participant: PARTICIPANT,
    businessDate: date,
    generatedAt,
  });
  const positions = new Map<string, PositionRecord[]>();
  for (const date of POSITION_DATES)
    positions.set(date, positionsFrom(date, nets.get(date) ?? new Map()));

  // Genium backups of 3 May (the last Genium day) and of the fallback day.
  for (const date of [GENIUM_DATE, FALLBACK_DATE]) {
    const gm = meta(date, GENIUM_GENERATED[date] ?? '');
    const list = trades
      .filter((c) => c.clearingDate === date)
      .sort((a, b) => (a.geniumTradeNo ?? 0) - (b.geniumTradeNo ?? 0));
    const path = `genium/${geniumFileName('TRD001', gm)}`;
    files.set(
      path,
      await render(new MemorySink(), (s) =>
        writeGeniumTrades(
          s,
          gm,
          list.map((c) => toTradeRecord(c, 'genium')),
        ),
      ),
    );
    list.forEach((c, i) => at(c.spec.id, { file: path, line: i + 2 }));
    const seam = date === GENIUM_DATE ? BREAKS.find((b) => b.kind === 'seam-position') : undefined;
    const gpos = (positions.get(date) ?? []).map((p) =>
      seam && seam.kind === 'seam-position' && p.account === seam.account && p.series === seam.series
        ? { ...p, long: seam.geniumLong }
        : p,
    );
    const ppath = `genium/${geniumFileName('POS001', gm)}`;
    files.set(
      ppath,
      await render(new MemorySink(), (s) => writeGeniumPositions(s, gm, gpos)),
    );
    if (seam && seam.kind === 'seam-position') {
      const i = gpos.findIndex((p) => p.account === seam.account && p.series === seam.series);
      atBreak(seam.id, { file: ppath, line: i + 2 });
    }
  }

  // Upgraded DCASS reports.
  for (const date of BUSINESS_DATES) {
    const gen = DCASS_GENERATED[date] ?? '';
    const m = meta(date, gen);
    const list = trades.filter((c) => c.clearingDate === date).sort((a, b) => a.tradeNo - b.tradeNo);
    const recs = list.map((c) => toTradeRecord(c, 'upgraded'));
    const pos = positions.get(date) ?? [];
    const xml = date === '20190503' || date === '20190506';
    const tpath = `dcass/${date}/${dcassFileName('TRD001', m, xml ? 'xml' : 'csv')}`;
    const ppath = `dcass/${date}/${dcassFileName('POS001', m, xml ? 'xml' : 'csv')}`;
    if (xml) {
      files.set(tpath, await render(new MemorySink(), (s) => writeDcassTradesXml(s, m, recs, recs.length)));
      files.set(ppath, await render(new MemorySink(), (s) => writeDcassPositionsXml(s, m, pos, pos.length)));
    } else if (date === '20190510') {
      // Layout drift: a newer report version adds `venue` and then `trade_status` at the right;
      // the status says PENDING on a give-up the receiving CP has not confirmed (blank otherwise).
      const pendingNos = new Set(list.filter((c) => c.spec.pending).map((c) => c.tradeNo));
      const extra = {
        names: ['venue', 'trade_status'],
        values: (r: TradeRecord) => ['HKATS', pendingNos.has(r.tradeNo) ? 'PENDING' : ''],
      };
      files.set(tpath, await render(new MemorySink(), (s) => writeDcassTradesCsv(s, recs, extra)));
      files.set(ppath, await render(new MemorySink(), (s) => writeDcassPositionsCsv(s, pos)));
    } else {
      files.set(tpath, await render(new MemorySink(), (s) => writeDcassTradesCsv(s, recs)));
      files.set(ppath, await render(new MemorySink(), (s) => writeDcassPositionsCsv(s, pos)));
    }
    list.forEach((c, i) => at(c.spec.id, { file: tpath, line: i + (xml ? 3 : 2) }));
    if (date === '20190503') {
      const seam = BREAKS.find((b) => b.kind === 'seam-position');
      if (seam && seam.kind === 'seam-position') {
        const i = pos.findIndex((p) => p.account === seam.account && p.series === seam.series);
        atBreak(seam.id, { file: ppath, line: i + 3 });
      }
    }
    if (date === '20190506') {
      // Intraday batch: cumulative, everything executed before 13:00 that clears 6 May.
      const im = meta(date, INTRADAY_0506);
      const early = recs.filter((r) => r.execDate + r.execTime < `${date}130000`);
      files.set(
        `dcass/${date}/${dcassFileName('TRD001', im, 'xml')}`,
        await render(new MemorySink(), (s) => writeDcassTradesXml(s, im, early, early.length)),
      );
    }
  }

  // BOS trades by execution date.
  for (const date of POSITION_DATES) {
    const list = trades
      .filter((c) => c.execDate === date)
      .sort((a, b) => a.execTime.localeCompare(b.execTime));
    const rows: BosTradeRow[] = [];
    const rowIds: string[] = [];
    let dup: { row: BosTradeRow; id: string } | undefined;
    for (const c of list) {
      if (c.spec.pending || c.spec.bosFolded || breakFor('bos-missing', c.spec.id)) continue;
      const spread = spreadOf(c.spec.id);
      if (spread?.far === c.spec.id) continue; // booked once, on the near leg's row
      const rec = toTradeRecord(c, 'upgraded');
      const exch = executedOnGenium(c.execDate) ? { ...rec, tradeNo: c.geniumTradeNo ?? 0 } : rec;
      const folded = bosQuantity(c, trades);
      for (const [client, allocated] of allocationOf(c.spec)) {
        const q = c.spec.alloc ? allocated : folded;
        const ref = `BT${date.slice(2)}-${String(rows.length + 1).padStart(4, '0')}`;
        let row = spread
          ? toBosSpreadRow(exch, spread, series(c.spec.series), series(farLegOf(spread).series), client, ref)
          : toBosTradeRow(exch, series(c.spec.series), client, q, ref, !c.spec.bosWithoutTradeNo);
        const price = breakFor('bos-price', c.spec.id);
        if (price?.kind === 'bos-price') row = { ...row, price: bosPrice(price.bosPrice) };
        const qty = breakFor('bos-qty', c.spec.id);
        if (qty?.kind === 'bos-qty') row = { ...row, quantity: bosQty(qty.bosQty) };
        const bad = breakFor('bos-bad-date', c.spec.id);
        if (bad?.kind === 'bos-bad-date') row = { ...row, tradeDate: bad.rawTradeDate };
        if (breakFor('bos-duplicate', c.spec.id)) dup = { row, id: c.spec.id };
        rows.push(row);
        rowIds.push(c.spec.id);
      }
    }
    if (dup) {
      rows.push(dup.row);
      rowIds.push(dup.id);
    }
    const path = `bos/${bosTradesFileName(PARTICIPANT, date)}`;
    files.set(path, await render(new MemorySink(), (s) => writeBosTrades(s, rows, BOS_TRADE_QUIRKS[date])));
    rowIds.forEach((id, i) => at(id, { file: path, line: i + 2 }));
  }

  // BOS positions per client.
  const clientNets = new Map<string, Map<string, Map<string, number>>>();
  for (const date of POSITION_DATES) {
    const ledger = nets.get(date) ?? new Map<string, Map<string, number>>();
    clientNets.set(date, ledger);
    const q = BOS_POSITION_QUIRKS[date] ?? { bom: false, eol: '\r\n', trailingBlankLines: 0 };
    const rows: BosPositionRow[] = [];
    for (const m of ACCOUNT_MAP) {
      for (const s of SERIES) {
        const net = ledger.get(m.clientCode)?.get(s.name) ?? 0;
        if (net !== 0)
          rows.push(
            toBosPositionRow(
              date,
              s,
              m.clientCode,
              net,
              q.big5 ? (BIG5_REMARKS[m.clientCode] ?? '') : undefined,
            ),
          );
      }
    }
    const encode: TextEncode | undefined = q.big5 ? encodeBig5 : undefined;
    // Big5 files carry `.big5.csv` so the built-in bos-positions-big5 profile is chosen by name.
    const name = bosPositionsFileName(PARTICIPANT, date).replace(/\.csv$/, q.big5 ? '.big5.csv' : '.csv');
    files.set(
      `bos/${name}`,
      await render(new MemorySink(encode), (s) => writeBosPositions(s, rows, q, q.big5 === true)),
    );
  }
  files.set(
    `bos/ACCOUNT_MAP_${PARTICIPANT}.csv`,
    await render(new MemorySink(), (s) => writeAccountMap(s, ACCOUNT_MAP)),
  );

  for (const b of BREAKS) if ('trade' in b) for (const loc of where.get(b.trade) ?? []) atBreak(b.id, loc);
  for (const sp of SPREAD_BOOKINGS) for (const loc of where.get(sp.near) ?? []) if (loc.file.startsWith('bos/')) at(sp.id, loc);

  const set: FixtureSet = { files, trades, positions, clientNets, where, breakWhere };
  files.set('README.md', Buffer.from(renderReadme(set), 'utf8'));
  return set;
}

/** Writes the fixture set under `root` (normally `fixtures/`). */
export async function writeFixtures(root: string): Promise<string[]> {
  const set = await buildFixtures();
  const written: string[] = [];
  for (const [rel, bytes] of set.files) {
    const full = join(root, rel);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, bytes);
    written.push(full);
  }
  return written;
}

/** ISO timestamp of a compiled trade's execution (for README). */
export function execIso(c: CompiledTrade): string {
  return hkIso(c.execDate, c.execTime);
}
