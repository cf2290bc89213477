/** Renders synthetic data in every layout, streaming, with the reference file names. */
import { join } from 'node:path';
import { csvLine, hkIso, isoDate } from './format.js';
import {
  bosPositionsFileName,
  bosTradesFileName,
  BOS_TRADES_DEFAULT,
  toBosPositionRow,
  toBosTradeRow,
  writeAccountMap,
  writeBosPositions,
  writeBosTrades,
} from './bos.js';
import type { AccountMapEntry } from './bos.js';
import {
  dcassFileName,
  writeDcassPositionsCsv,
  writeDcassPositionsXml,
  writeDcassTradesCsv,
  writeDcassTradesXml,
} from './dcass.js';
import { geniumFileName, writeGeniumPositions, writeGeniumTrades } from './genium.js';
import type { BosPositionRow, BosTradeRow, FileMeta, TradeRecord } from './model.js';
import { DCASS_SESSION, DCASS_TRADE_TYPE } from './model.js';
import type { Sink } from './sink.js';
import { StreamSink } from './sink.js';
import {
  bosHasTradeNo,
  countInjected,
  seriesCatalog,
  syntheticAccount,
  syntheticClient,
  syntheticPositions,
  syntheticTrades,
} from './synthetic.js';
import type { InjectedCounts, SyntheticOptions } from './synthetic.js';

/** Every layout the generator writes. */
export const LAYOUTS = [
  'genium-trd',
  'genium-pos',
  'dcass-trd-xml',
  'dcass-trd-csv',
  'dcass-pos-xml',
  'dcass-pos-csv',
  'bos-trd',
  'bos-pos',
  'plain-trd-csv',
] as const;
/** One layout name. */
export type Layout = (typeof LAYOUTS)[number];

/** Header of the plain CSV baseline (canonical trade columns, plain decimals, ISO dates). */
export const PLAIN_TRADE_HEADER = [
  'clearing_date',
  'series',
  'root',
  'inst_type',
  'expiry',
  'strike',
  'trade_no',
  'deal_no',
  'account',
  'side',
  'qty',
  'price',
  'session',
  'trade_type',
  'orig_trade_no',
  'exec_at',
  'open_close',
] as const;

/** True for layouts that hold trades. */
export function isTradeLayout(l: Layout): boolean {
  return l !== 'genium-pos' && l !== 'dcass-pos-xml' && l !== 'dcass-pos-csv' && l !== 'bos-pos';
}

/** Day-end generation time (23:10) of a synthetic business date. */
export function dayEndMeta(opts: SyntheticOptions): FileMeta {
  return { participant: opts.participant, businessDate: opts.date, generatedAt: `${opts.date}231000` };
}

/** File name of a layout for a date (the reference naming; `PLAIN_TRADES_...` for the baseline). */
export function fileNameOf(layout: Layout, opts: SyntheticOptions): string {
  const m = dayEndMeta(opts);
  switch (layout) {
    case 'genium-trd':
      return geniumFileName('TRD001', m);
    case 'genium-pos':
      return geniumFileName('POS001', m);
    case 'dcass-trd-xml':
      return dcassFileName('TRD001', m, 'xml');
    case 'dcass-trd-csv':
      return dcassFileName('TRD001', m, 'csv');
    case 'dcass-pos-xml':
      return dcassFileName('POS001', m, 'xml');
    case 'dcass-pos-csv':
      return dcassFileName('POS001', m, 'csv');
    case 'bos-trd':
      return bosTradesFileName(opts.participant, opts.date);
    case 'bos-pos':
      return bosPositionsFileName(opts.participant, opts.date);
    case 'plain-trd-csv':
      return `PLAIN_TRADES_${opts.participant}_${opts.date}.csv`;
  }
}

/** BOS rows of synthetic trades: one row per trade, client = account one-to-one. */
export function* bosTradeRows(opts: SyntheticOptions, trades: Iterable<TradeRecord>): Generator<BosTradeRow> {
  const info = new Map(seriesCatalog(opts.date).map((s) => [s.name, s]));
  for (const t of trades) {
    const s = info.get(t.series);
    if (!s) throw new Error(`unknown series ${t.series}`);
    yield toBosTradeRow(
      t,
      s,
      syntheticClient(t.account),
      t.qty,
      `R${t.tradeNo}`,
      bosHasTradeNo(opts, t.tradeNo),
    );
  }
}

/** Plain CSV line fields of a trade. */
export function plainTradeFields(
  t: TradeRecord,
  info: { root: string; type: string; expiry: string; strike: string | null },
): string[] {
  return [
    isoDate(t.clearingDate),
    t.series,
    info.root,
    info.type,
    `${info.expiry}-01`,
    info.strike ?? '',
    String(t.tradeNo),
    String(t.dealNo),
    t.account,
    t.side,
    String(t.qty),
    t.price,
    DCASS_SESSION[t.session],
    DCASS_TRADE_TYPE[t.tradeType],
    t.origTradeNo === null ? '' : String(t.origTradeNo),
    hkIso(t.execDate, t.execTime),
    t.openClose.trim(),
  ];
}

/** Streams one layout of the synthetic data set into a sink; returns the records written. */
export async function writeLayout(
  sink: Sink,
  layout: Layout,
  opts: SyntheticOptions,
  variant: boolean,
): Promise<number> {
  const meta = dayEndMeta(opts);
  const trades = (): Generator<TradeRecord> => syntheticTrades(opts, variant);
  const positions = (): ReturnType<typeof syntheticPositions> => syntheticPositions(opts, variant);
  const count = (kind: 'trades' | 'positions'): number => {
    const c = countInjected(opts, kind);
    return variant ? c.variantRows : c.baseRows;
  };
  switch (layout) {
    case 'genium-trd':
      return (await writeGeniumTrades(sink, meta, trades())).records;
    case 'genium-pos':
      return (await writeGeniumPositions(sink, meta, positions())).records;
    case 'dcass-trd-xml':
      return writeDcassTradesXml(sink, meta, trades(), count('trades'));
    case 'dcass-pos-xml':
      return writeDcassPositionsXml(sink, meta, positions(), count('positions'));
    case 'dcass-trd-csv':
      return writeDcassTradesCsv(sink, trades());
    case 'dcass-pos-csv':
      return writeDcassPositionsCsv(sink, positions());
    case 'bos-trd':
      return writeBosTrades(sink, bosTradeRows(opts, trades()), BOS_TRADES_DEFAULT);
    case 'bos-pos': {
      const info = new Map(seriesCatalog(opts.date).map((s) => [s.name, s]));
      function* rows(): Generator<BosPositionRow> {
        for (const p of positions()) {
          const s = info.get(p.series);
          if (!s) throw new Error(`unknown series ${p.series}`);
          yield toBosPositionRow(opts.date, s, syntheticClient(p.account), p.long - p.short);
        }
      }
      return writeBosPositions(sink, rows(), { bom: true, eol: '\r\n', trailingBlankLines: 0 });
    }
    case 'plain-trd-csv': {
      const info = new Map(seriesCatalog(opts.date).map((s) => [s.name, s]));
      await sink.write(csvLine(PLAIN_TRADE_HEADER) + '\n');
      let n = 0;
      for (const t of trades()) {
        const s = info.get(t.series);
        if (!s) throw new Error(`unknown series ${t.series}`);
        await sink.write(csvLine(plainTradeFields(t, s)) + '\n');
        n += 1;
      }
      return n;
    }
  }
}

/** Account map of the synthetic accounts: trade accounts and enough position accounts for `rows`. */
export function* syntheticAccountMap(opts: SyntheticOptions): Generator<AccountMapEntry> {
  const positionAccounts = Math.ceil(opts.rows / seriesCatalog(opts.date).length);
  const n = Math.max(500, positionAccounts);
  for (let k = 1; k <= n; k++) {
    const a = syntheticAccount(k);
    yield {
      clientCode: syntheticClient(a),
      dcassAccount: a,
      accountType: 'NET',
      effectiveFrom: '2019-01-02',
    };
  }
  // Accounts of rows inserted by the variant copy (prefix X).
  for (let k = 1; k <= positionAccounts; k++) {
    const a = `X${syntheticAccount(k).slice(1)}`;
    yield {
      clientCode: syntheticClient(a),
      dcassAccount: a,
      accountType: 'NET',
      effectiveFrom: '2019-01-02',
    };
  }
}

/** What one generator run wrote. */
export interface RunSummary {
  readonly files: {
    readonly layout: Layout | 'account-map';
    readonly path: string;
    readonly records: number;
  }[];
  readonly injected: { readonly trades: InjectedCounts; readonly positions: InjectedCounts } | null;
}

/** Writes the chosen layouts (or all) to `outDir`, streaming each file to disk. */
export async function generate(
  layouts: readonly Layout[],
  opts: SyntheticOptions,
  outDir: string,
  variant: boolean,
): Promise<RunSummary> {
  const files: RunSummary['files'][number][] = [];
  for (const layout of layouts) {
    const path = join(outDir, fileNameOf(layout, opts));
    const sink = StreamSink.toFile(path);
    const records = await writeLayout(sink, layout, opts, variant);
    await sink.close();
    files.push({ layout, path, records });
  }
  if (layouts.length === LAYOUTS.length) {
    const path = join(outDir, `ACCOUNT_MAP_${opts.participant}.csv`);
    const sink = StreamSink.toFile(path);
    const records = await writeAccountMap(sink, syntheticAccountMap(opts));
    await sink.close();
    files.push({ layout: 'account-map', path, records });
  }
  return {
    files,
    injected: variant
      ? { trades: countInjected(opts, 'trades'), positions: countInjected(opts, 'positions') }
      : null,
  };
}
