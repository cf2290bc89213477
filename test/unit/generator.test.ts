import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { BIG5_BYTES, encodeBig5 } from '../../scripts/generate/big5.js';
import { BOS_POSITION_HEADER, BOS_TRADE_HEADER } from '../../scripts/generate/bos.js';
import { clearingOf } from '../../scripts/generate/calendar.js';
import { ChainedDays, defaultPlants } from '../../scripts/generate/chained.js';
import { buildFixtures } from '../../scripts/generate/fixtures.js';
import { GENIUM_LENGTHS, geniumTrailer } from '../../scripts/generate/genium.js';
import { LAYOUTS, writeLayout } from '../../scripts/generate/layouts.js';
import type { Layout } from '../../scripts/generate/layouts.js';
import type { PositionRecord } from '../../scripts/generate/model.js';
import { MemorySink } from '../../scripts/generate/sink.js';
import { BREAKS, BUSINESS_DATES } from '../../scripts/generate/scenario.js';
import { checkClearing, countInjected, syntheticTrades } from '../../scripts/generate/synthetic.js';
import type { SyntheticOptions } from '../../scripts/generate/synthetic.js';

const OPTS: SyntheticOptions = {
  seed: 42,
  date: '20190506',
  participant: 'CABC',
  rows: 3000,
  diffRate: 0.02,
};
const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

async function render(layout: Layout, opts: SyntheticOptions, variant = false): Promise<Buffer> {
  const sink = new MemorySink();
  await writeLayout(sink, layout, opts, variant);
  await sink.close();
  return sink.bytes();
}

/** Checks a Genium file: CRLF, record lengths, trailer count and hash total; returns the detail lines. */
function checkGenium(text: string, detailLength: number, hash: (line: string) => bigint): string[] {
  expect(text.endsWith('\r\n')).toBe(true);
  const lines = text.slice(0, -2).split('\r\n');
  const header = lines[0] ?? '';
  const trailer = lines.at(-1) ?? '';
  const details = lines.slice(1, -1);
  expect(header[0]).toBe('H');
  expect(header).toHaveLength(GENIUM_LENGTHS.header);
  expect(trailer[0]).toBe('T');
  expect(trailer).toHaveLength(GENIUM_LENGTHS.trailer);
  for (const d of details) {
    expect(d[0]).toBe('D');
    expect(d).toHaveLength(detailLength);
  }
  expect(Number(trailer.slice(1, 10))).toBe(details.length);
  const total = details.reduce((a, d) => a + hash(d), 0n) % 10n ** 18n;
  expect(BigInt(trailer.slice(10, 28))).toBe(total);
  return details;
}

const tradeHash = (d: string): bigint => BigInt(d.slice(58, 67));
const positionHash = (d: string): bigint => BigInt(d.slice(37, 46)) + BigInt(d.slice(46, 55));
const xml = new XMLParser({
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: false,
  isArray: (name) => name === 'Trade' || name === 'Position',
});

interface DcassDoc {
  DcassReport: Record<string, string> & {
    Trade?: Record<string, string>[];
    Position?: Record<string, string>[];
  };
}

function parseXml(text: string): DcassDoc['DcassReport'] {
  expect(XMLValidator.validate(text)).toBe(true);
  return (xml.parse(text) as DcassDoc).DcassReport;
}

describe('synthetic generator', () => {
  it.each(LAYOUTS)('same seed gives identical bytes, another seed differs (%s)', async (layout) => {
    const a = await render(layout, OPTS);
    const b = await render(layout, OPTS);
    expect(a.equals(b)).toBe(true);
    const c = await render(layout, { ...OPTS, seed: 43 });
    expect(a.equals(c)).toBe(false);
  });

  it('writes Genium TRD001 with right record lengths, count and hash total', async () => {
    const text = (await render('genium-trd', OPTS)).toString('ascii');
    expect(checkGenium(text, GENIUM_LENGTHS.trade, tradeHash)).toHaveLength(OPTS.rows);
  });

  it('writes Genium POS001 with right record lengths, count and hash total', async () => {
    const text = (await render('genium-pos', OPTS)).toString('ascii');
    expect(checkGenium(text, GENIUM_LENGTHS.position, positionHash)).toHaveLength(OPTS.rows);
  });

  it('drops the leading digits of an overflowing hash total', () => {
    expect(geniumTrailer(3, 1234567890123456789012n)).toBe('T000000003567890123456789012');
  });

  it('writes well-formed XML whose recordCount is right, for the base and the variant copy', async () => {
    for (const variant of [false, true]) {
      const t = parseXml((await render('dcass-trd-xml', OPTS, variant)).toString('utf8'));
      expect(Number(t['@_recordCount'])).toBe(t.Trade?.length);
      const p = parseXml((await render('dcass-pos-xml', OPTS, variant)).toString('utf8'));
      expect(Number(p['@_recordCount'])).toBe(p.Position?.length);
      const c = countInjected(OPTS, 'trades');
      expect(t.Trade?.length).toBe(variant ? c.variantRows : c.baseRows);
    }
  });

  it('writes BOS CSV that csv-parse reads with the reference BOS headers', async () => {
    const trades = parse(await render('bos-trd', OPTS), { bom: true }) as string[][];
    expect(trades[0]).toEqual([...BOS_TRADE_HEADER]);
    expect(trades).toHaveLength(OPTS.rows + 1);
    const positions = parse(await render('bos-pos', OPTS), { bom: true }) as string[][];
    expect(positions[0]).toEqual([...BOS_POSITION_HEADER]);
    expect(positions).toHaveLength(OPTS.rows + 1);
  });

  it('leaves some BOS exchange trade numbers blank unless told to give them all', async () => {
    const blanks = async (opts: SyntheticOptions): Promise<number> => {
      const rows = parse(await render('bos-trd', opts, true), { bom: true, from_line: 2 }) as string[][];
      expect(rows).toHaveLength(countInjected(opts, 'trades').variantRows);
      return rows.filter((r) => r[BOS_TRADE_HEADER.indexOf('Exch Trade No')] === '').length;
    };
    // About 1 in 50 by default: 3,000 rows give dozens.
    expect(await blanks(OPTS)).toBeGreaterThan(20);
    expect(await blanks({ ...OPTS, bosTradeNoGaps: false })).toBe(0);
    // The option changes nothing else: same rows, with the blanks filled in.
    const withGaps = parse(await render('bos-trd', OPTS, true), { bom: true }) as string[][];
    const full = parse(await render('bos-trd', { ...OPTS, bosTradeNoGaps: false }, true), {
      bom: true,
    }) as string[][];
    const no = BOS_TRADE_HEADER.indexOf('Exch Trade No');
    expect(full.map((r) => r.filter((_, i) => i !== no))).toEqual(
      withGaps.map((r) => r.filter((_, i) => i !== no)),
    );
  });

  it('injects exactly the differences it reports', () => {
    const key = (t: { tradeNo: number }): number => t.tradeNo;
    const base = new Map([...syntheticTrades(OPTS)].map((t) => [key(t), t]));
    const variant = new Map([...syntheticTrades(OPTS, true)].map((t) => [key(t), t]));
    let onlyLeft = 0;
    let qty = 0;
    let price = 0;
    for (const [k, t] of base) {
      const v = variant.get(k);
      if (!v) onlyLeft++;
      else if (v.qty !== t.qty) qty++;
      else if (v.price !== t.price) price++;
      else expect(v).toEqual(t);
    }
    const onlyRight = [...variant.keys()].filter((k) => !base.has(k)).length;
    const c = countInjected(OPTS, 'trades');
    expect({ onlyLeft, onlyRight, qty, price }).toEqual({
      onlyLeft: c.onlyLeft,
      onlyRight: c.onlyRight,
      qty: c.qty,
      price: c.price,
    });
    expect(c.total).toBeGreaterThan(0);
  });

  it('gives every synthetic trade the clearing date and session of its execution time', () => {
    for (const t of syntheticTrades(OPTS)) expect(checkClearing(t)).toBe(true);
  });
});

describe('calendar', () => {
  it('clears after-hours trades on the next trading day', () => {
    expect(clearingOf('20190503', '210537')).toEqual({ session: 'A', clearingDate: '20190506' });
    expect(clearingOf('20190504', '004000')).toEqual({ session: 'A', clearingDate: '20190506' });
    expect(clearingOf('20190507', '004527')).toEqual({ session: 'A', clearingDate: '20190507' });
    expect(clearingOf('20190510', '182033')).toEqual({ session: 'A', clearingDate: '20190514' });
    expect(clearingOf('20190430', '180000')).toEqual({ session: 'A', clearingDate: '20190502' });
    expect(clearingOf('20190506', '101500')).toEqual({ session: 'T', clearingDate: '20190506' });
  });
});

describe('Big5', () => {
  it('encodes every known character to bytes that Node decodes back', () => {
    const text = Object.keys(BIG5_BYTES).join('');
    expect(new TextDecoder('big5').decode(encodeBig5(`A,${text}`))).toBe(`A,${text}`);
  });
});

describe('fixtures', () => {
  it('are exactly what the scenario generates (regenerate with main.ts --fixtures fixtures)', async () => {
    const set = await buildFixtures();
    for (const [rel, bytes] of set.files) {
      const onDisk = await readFile(join(FIXTURES, rel));
      expect(onDisk.equals(bytes), rel).toBe(true);
    }
  });

  it('have valid Genium trailers and agree with the upgraded 3 May positions except the seam break', async () => {
    const set = await buildFixtures();
    const file = (p: string): string => (set.files.get(p) ?? Buffer.alloc(0)).toString('latin1');
    checkGenium(file('genium/TRD001_CABC_20190503.lis'), GENIUM_LENGTHS.trade, tradeHash);
    const gpos = checkGenium(file('genium/POS001_CABC_20190503.lis'), GENIUM_LENGTHS.position, positionHash);
    const upgraded = parseXml(file('dcass/20190503/POS001_CABC_20190503_0830.xml')).Position ?? [];
    const diffs = gpos.filter((d, i) => {
      const u = upgraded[i];
      return (
        !u ||
        d.slice(9, 21).trim() !== u['Account'] ||
        d.slice(21, 37).trim() !== u['Series'] ||
        Number(d.slice(37, 46)) !== Number(u['Long']) ||
        Number(d.slice(46, 55)) !== Number(u['Short'])
      );
    });
    expect(diffs.map((d) => `${d.slice(9, 21).trim()} ${d.slice(21, 37).trim()}`)).toEqual([
      'M01 TCH340.00E9',
    ]);
  });

  it("roll positions forward: previous positions plus the day's trades (pending give-ups excluded) and exercises", async () => {
    const set = await buildFixtures();
    // A position exercised down to nothing keeps its record (the exercise shows): not a holding.
    const net = (date: string): Map<string, number> =>
      new Map(
        (set.positions.get(date) ?? [])
          .filter((p) => p.long !== p.short)
          .map((p) => [`${p.account} ${p.series}`, p.long - p.short]),
      );
    for (let i = 1; i < BUSINESS_DATES.length; i++) {
      const date = BUSINESS_DATES[i] ?? '';
      const expected = net(BUSINESS_DATES[i - 1] ?? '');
      for (const t of set.trades.filter((x) => x.clearingDate === date && !x.spec.pending)) {
        const k = `${t.spec.account} ${t.spec.series}`;
        expected.set(k, (expected.get(k) ?? 0) + (t.spec.side === 'B' ? t.spec.qty : -t.spec.qty));
      }
      // The day's exercises leave long, its assignments short, as its report shows them.
      for (const p of set.positions.get(date) ?? []) {
        const k = `${p.account} ${p.series}`;
        expected.set(k, (expected.get(k) ?? 0) - p.exercised + p.assigned);
      }
      for (const [k, v] of expected) if (v === 0) expected.delete(k);
      expect(net(date), date).toEqual(expected);
    }
  });

  it('document every break with a location', async () => {
    const set = await buildFixtures();
    for (const b of BREAKS) expect(set.breakWhere.get(b.id)?.length, b.id).toBeGreaterThan(0);
    const readme = set.files.get('README.md')?.toString('utf8') ?? '';
    for (const b of BREAKS) expect(readme).toContain(`| ${b.id} |`);
  });

  it('decode the Big5 positions file with its Remarks column', async () => {
    const set = await buildFixtures();
    const bytes = set.files.get('bos/BOS_POSITIONS_CABC_20190510.big5.csv') ?? Buffer.alloc(0);
    const rows = parse(new TextDecoder('big5').decode(bytes), { skip_empty_lines: true }) as string[][];
    expect(rows[0]).toEqual([...BOS_POSITION_HEADER, 'Remarks']);
    expect(rows.some((r) => r[7] === '綜合戶口,待覆核')).toBe(true);
  });

  it('load BOS trade files with csv-parse; only the planted bad row has a bad date', async () => {
    const set = await buildFixtures();
    const bad: string[] = [];
    for (const date of BUSINESS_DATES) {
      const rows = parse(set.files.get(`bos/BOS_TRADES_CABC_${date}.csv`) ?? Buffer.alloc(0), {
        bom: true,
        skip_empty_lines: true,
      }) as string[][];
      expect(rows[0]).toEqual([...BOS_TRADE_HEADER]);
      for (const r of rows.slice(1)) {
        const [d, m, y] = (r[9] ?? '').split('/').map(Number);
        const ok = new Date(Date.UTC(y ?? 0, (m ?? 0) - 1, d ?? 0)).getUTCDate() === d;
        if (!ok) bad.push(`${date} ${r[0]} ${r[9]}`);
      }
    }
    expect(bad).toEqual(['20190507 BT190507-0015 31/04/2019']);
  });
});

describe('chained days (soak benchmark data)', () => {
  const key = (account: string, series: string): string => `${account} ${series}`;
  const netOf = (p: PositionRecord): number => p.long - p.short;

  it("day n's positions plus day n+1's trades give day n+1's positions; planted breaks as counted", () => {
    const plants = { drop: 3, insert: 2, qty: 4, price: 5, positionDiffs: 3, persistDays: 3 };
    const chain = new ChainedDays({ seed: 7, participant: 'CABC', rows: 1500, start: '20190509', plants });
    let before = new Map(chain.openingPositions().map((p) => [key(p.account, p.series), netOf(p)]));
    const seen = new Map<string, number[]>();
    for (let n = 0; n < 5; n++) {
      const day = chain.next();
      // 9, 10, 14 (13 May is a holiday), 15, 16 May.
      expect(day.date).toBe(['20190509', '20190510', '20190514', '20190515', '20190516'][n]);
      for (const t of day.trades) expect(checkClearing(t) && t.clearingDate === day.date).toBe(true);
      const rolled = new Map(before);
      for (const t of day.trades) {
        const k = key(t.account, t.series);
        rolled.set(k, (rolled.get(k) ?? 0) + (t.side === 'B' ? t.qty : -t.qty));
      }
      const flat = [...rolled].filter(([, net]) => net === 0).map(([k]) => k);
      for (const k of flat) rolled.delete(k);
      const positions = new Map(day.positions.map((p) => [key(p.account, p.series), netOf(p)]));
      expect(positions).toEqual(rolled);
      expect(day.expect.flatPositions).toEqual(flat.sort());
      expect(day.positions.every((p) => p.positionDate === day.date && netOf(p) !== 0)).toBe(true);

      // trades-bos: compare by trade number, as pass 1 does.
      const bos = new Map(day.bosTrades.map((t) => [t.tradeNo, t]));
      const dcass = new Set(day.trades.map((t) => t.tradeNo));
      const onlyLeft = day.trades.filter((t) => !bos.has(t.tradeNo)).length;
      const onlyRight = day.bosTrades.filter((t) => !dcass.has(t.tradeNo)).length;
      const mismatch = day.trades.filter((t) => {
        const b = bos.get(t.tradeNo);
        return b !== undefined && (b.qty !== t.qty || b.price !== t.price);
      }).length;
      expect({ onlyLeft, onlyRight, mismatch }).toEqual({ onlyLeft: 3, onlyRight: 2, mismatch: 9 });
      expect(day.expect.tradesBos).toEqual({ onlyLeft, onlyRight, mismatch });

      // positions-bos: what differs between the DCASS and BOS positions is what the day expects.
      const bosPos = new Map(day.bosPositions.map((p) => [key(p.account, p.series), p.net]));
      const diffs: string[] = [];
      for (const k of new Set([...positions.keys(), ...bosPos.keys()])) {
        const l = positions.get(k);
        const r = bosPos.get(k);
        if (l === r) continue;
        diffs.push(`${l === undefined ? 'only_right' : r === undefined ? 'only_left' : 'mismatch'} ${k}`);
      }
      expect(diffs.sort()).toEqual(day.expect.positionBreaks);
      // Three new a day, each lasting three days: 3, 6, then 9 in force.
      expect(diffs).toHaveLength(3 * Math.min(n + 1, 3));
      for (const d of diffs) {
        const k = d.slice(d.indexOf(' ') + 1);
        seen.set(k, [...(seen.get(k) ?? []), n]);
      }
      before = positions;
    }
    // A difference persists three consecutive days, then is fixed.
    for (const [, days] of seen)
      if (days[0]! <= 2) expect(days).toEqual([days[0], days[0]! + 1, days[0]! + 2]);
  });

  it('the same seed gives the same days', () => {
    const make = () =>
      new ChainedDays({
        seed: 3,
        participant: 'CABC',
        rows: 800,
        start: '20190506',
        plants: defaultPlants(800),
      });
    const a = make();
    const b = make();
    a.next();
    b.next();
    expect(a.next()).toEqual(b.next());
  });
});
