import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfileRegistry } from '../../src/config/profiles.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import { listBreaks, type Break } from '../../src/reconcile/breaks.js';
import { EXPANDED_TABLE, expandSpreadsStatements } from '../../src/reconcile/expand-spreads.js';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation, type RunSummary } from '../../src/reconcile/run.js';
import { writeBreaksJson } from '../../src/report/breaks-json.js';
import { collect } from '../support/collect.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { calendar, ingest } from '../support/ingest.js';

// Calendar spreads (combination series): DCASS clears a spread's legs; a BOS may book the spread as
// one row. trades-bos of the default rules expands the booking into its legs and compares them with
// the DCASS leg trades on quantity and side, and the spread price with the legs' price difference.

const DCASS_HEADER =
  'clearing_date,series,trade_no,deal_no,account,side,qty,price,session,trade_type,orig_trade_no,exec_time,open_close';
const dcassTrade = (
  date: string,
  series: string,
  no: number,
  account: string,
  side: string,
  qty: number,
  price: number,
) =>
  `${date},${series},${no},${no + 500000},${account},${side},${qty},${price},T,STD,,${date}T10:00:00+08:00,`;

const BOS_HEADER =
  'Trade Ref,Client Code,Product,Type,Expiry,Strike,Buy/Sell,Quantity,Price,Trade Date,Exec Time,Exch Trade No';

/** A BOS layout naming the instrument by its HKATS series name, as some back offices export. */
const SERIES_PROFILE = `name: bos-trades-series
source: bos
entity: trades
reportId: BOS_TRADES_SERIES
match: '^BOS_SERIES_(?<businessDate>[0-9]{8})\\.csv$'
format: { type: csv, encoding: utf-8 }
fields:
  ref: { from: Ref, type: text }
  clientCode: { from: Client }
  series: { from: Series, type: series }
  side: { from: Side, type: code, map: { B: B, S: S } }
  quantity: { from: Qty, type: decimal }
  price: { from: Price, type: decimal }
  execDate: { from: Date, type: date, format: YYYY-MM-DD }
  execTime: { from: Time, type: time, format: 'HH:MM:SS' }
defaults: { tradeType: STD }
`;

describe(`calendar spreads booked as one row against DCASS leg trades (${dbKind})`, () => {
  let t: TestDb;
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-spreads-'));
  const ruleSet = loadBuiltinRuleSet();
  const results = new Map<string, { run: RunSummary; breaks: Break[] }>();
  const write = (name: string, lines: string[]) => {
    const p = path.join(work, name);
    writeFileSync(p, `${lines.join('\n')}\n`);
    return p;
  };

  beforeAll(async () => {
    t = await createTestDb();
    const d7 = '2019-05-07';
    const d8 = '2019-05-08';
    // 7 May, three accounts, each with the legs of a spread bought 2 at 50 (S 2 May at 28000, B 2 June
    // at 28050); BOS books: H01 right, M01 a quantity of 3, I0007 a price of 60. H01 also has a plain trade.
    const legs = (date: string, account: string, first: number) => [
      dcassTrade(date, 'HSIK9', first, account, 'S', 2, 28000),
      dcassTrade(date, 'HSIM9', first + 1, account, 'B', 2, 28050),
    ];
    const files = [
      write('ACCOUNT_MAP_CABC.csv', [
        'client_code,dcass_account,account_type,effective_from',
        'HOUSE,H01,NET,2019-01-02',
        'MM01,M01,NET,2019-01-02',
        'C0007,I0007,NET,2019-01-02',
      ]),
      write('TRD001_CABC_20190507_2310.csv', [
        DCASS_HEADER,
        ...legs(d7, 'H01', 2000001),
        ...legs(d7, 'M01', 2000011),
        ...legs(d7, 'I0007', 2000021),
        dcassTrade(d7, 'HSIK9', 2000031, 'H01', 'B', 1, 28010),
      ]),
      write('BOS_TRADES_CABC_20190507.csv', [
        BOS_HEADER,
        // The built-in BOS layout gives the spread's expiry as both months.
        'SP-1,HOUSE,HSI,F,2019-05/2019-06,,BUY,2,50,07/05/2019,10:00:00,',
        'SP-2,MM01,HSI,F,2019-05/2019-06,,BUY,3,50,07/05/2019,10:00:00,',
        'SP-3,C0007,HSI,F,2019-05/2019-06,,BUY,2,60,07/05/2019,10:00:00,',
        'PL-1,HOUSE,HSI,F,2019-05,,BUY,1,28010,07/05/2019,10:00:00,2000031',
      ]),
      write('TRD001_CABC_20190508_2310.csv', [DCASS_HEADER, ...legs(d8, 'H01', 2000101)]),
      // A position in the spread itself: a rejected row (only its legs hold positions).
      write('POS001_CABC_20190508_2310.csv', [
        'position_date,account,series,long,short,exercised,assigned',
        `${d8},H01,HSIK9,0,2,0,0`,
        `${d8},H01,HSIK9/M9,2,0,0,0`,
        `${d8},H01,HSIM9,2,0,0,0`,
      ]),
    ];
    const outcomes = await ingest(t.store, [
      { path: files[0]!, source: 'bos' },
      { path: files[1]!, source: 'dcass' },
      { path: files[2]!, source: 'bos' },
      { path: files[3]!, source: 'dcass' },
      { path: files[4]!, source: 'dcass' },
    ]);
    expect(outcomes.map((o) => [o.fileName, o.status, o.rows, o.rejected])).toEqual([
      ['ACCOUNT_MAP_CABC.csv', 'loaded', 3, 0],
      ['TRD001_CABC_20190507_2310.csv', 'loaded', 7, 0],
      ['BOS_TRADES_CABC_20190507.csv', 'loaded', 4, 0],
      ['TRD001_CABC_20190508_2310.csv', 'loaded', 2, 0],
      ['POS001_CABC_20190508_2310.csv', 'loaded', 2, 1],
    ]);
    // 8 May: the BOS books the spread by its series name, through a profile of its own.
    const folder = path.join(work, 'profiles');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'bos-trades-series.yaml'), SERIES_PROFILE);
    const series = await ingestFiles(
      { store: t.store, profiles: ProfileRegistry.load([folder]), calendar, participant: 'CABC' },
      [
        {
          path: write('BOS_SERIES_20190508.csv', [
            'Ref,Client,Series,Side,Qty,Price,Date,Time',
            'SP-8,HOUSE,HSIK9/M9,B,2,50,2019-05-08,10:00:00',
          ]),
          source: 'bos',
        },
      ],
    );
    expect(series.map((o) => [o.status, o.rows, o.rejected])).toEqual([['loaded', 1, 0]]);
    for (const businessDate of [d7, d8]) {
      const run = await runReconciliation(t.store, { businessDate, ruleSet, recons: ['trades-bos'] });
      results.set(businessDate, { run, breaks: await collect(listBreaks(t.store, run.runId)) });
    }
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('stores a spread booking as one trade whose instrument names both legs', async () => {
    const rows = await sql<{
      series: string;
      root: string;
      instrument_type: string;
      expiry: string;
      side: string;
    }>`
      SELECT t.series, t.root, t.instrument_type, t.expiry, t.side FROM trade t
      WHERE t.source = 'bos' AND t.ref IN ('SP-1', 'SP-8') ORDER BY t.ref`.execute(t.store.db);
    expect(rows.rows).toEqual([
      { series: 'HSIK9/M9', root: 'HSI', instrument_type: 'F', expiry: '2019-05/2019-06', side: 'B' },
      { series: 'HSIK9/M9', root: 'HSI', instrument_type: 'F', expiry: '2019-05/2019-06', side: 'B' },
    ]);
  });

  it('a position in HSIK9/M9 is a rejected row saying combinations hold no positions; the legs load', async () => {
    const rejected = await sql<{ line_no: number; field: string; code: string; reason: string }>`
      SELECT r.line_no, r.field, r.code, r.reason FROM rejected_row r JOIN source_file f ON f.id = r.file_id
      WHERE f.file_name = 'POS001_CABC_20190508_2310.csv'`.execute(t.store.db);
    expect(rejected.rows).toHaveLength(1);
    expect(rejected.rows[0]).toMatchObject({ line_no: 3, code: 'COMBINATION_POSITION' });
    expect(rejected.rows[0]!.field).toMatch(/series/);
    expect(rejected.rows[0]!.reason).toMatch(
      /HSIK9\/M9 is a calendar spread.*hold no positions, only their legs/,
    );
  });

  it('B 2 HSIK9/M9 at 50 against S 2 HSIK9 at 28000 and B 2 HSIM9 at 28050: no break (built-in and series layouts)', () => {
    const d7 = results.get('2019-05-07')!;
    const h01 = d7.breaks.filter((b) => b.key.account === 'H01' || JSON.stringify(b).includes('SP-1'));
    expect(h01).toEqual([]);
    const d8 = results.get('2019-05-08')!;
    expect(d8.breaks).toEqual([]);
    // Both legs of the one booking paired: two DCASS trades, one BOS record, two matches.
    expect(d8.run.counts['trades-bos']).toMatchObject({ leftRecords: 2, rightRecords: 1, matched: 2 });
  });

  it('a wrong quantity breaks both legs; a wrong spread price breaks the far leg only (the near leg matches)', async () => {
    const d7 = results.get('2019-05-07')!;
    const records = async (ids: readonly string[]) =>
      (
        await sql<{ ref: string | null; series: string; account: string }>`
          SELECT t.ref, t.series, t.account FROM trade t WHERE t.id = ANY(${ids.map((i) => Math.abs(Number(i)))}::bigint[])
          ORDER BY t.id`.execute(t.store.db)
      ).rows;
    const summary = [];
    for (const b of d7.breaks) {
      summary.push({
        kind: b.kind,
        left: (await records(b.leftIds)).map((r) => `${r.account} ${r.series}`),
        right: (await records(b.rightIds)).map((r) => `${r.ref} ${r.series}`),
        // A leg's own values, as the break's content shows them (the BOS side's expanded legs).
        rightLeg: b.rightIds.map((i) => (Number(i) < 0 ? 'near' : 'far')),
      });
    }
    const order = (x: { kind: string; left: string[]; right: string[]; rightLeg: string[] }) =>
      `${x.kind} ${x.left} ${x.right} ${x.rightLeg}`;
    expect(summary.sort((a, b) => order(a).localeCompare(order(b)))).toEqual([
      { kind: 'only_left', left: ['I0007 HSIM9'], right: [], rightLeg: [] },
      { kind: 'only_left', left: ['M01 HSIK9'], right: [], rightLeg: [] },
      { kind: 'only_left', left: ['M01 HSIM9'], right: [], rightLeg: [] },
      { kind: 'only_right', left: [], right: ['SP-2 HSIK9/M9'], rightLeg: ['far'] },
      { kind: 'only_right', left: [], right: ['SP-2 HSIK9/M9'], rightLeg: ['near'] },
      { kind: 'only_right', left: [], right: ['SP-3 HSIK9/M9'], rightLeg: ['far'] },
    ]);
    // Matched: H01's two legs and plain trade, I0007's near leg.
    expect(d7.run.counts['trades-bos']).toMatchObject({ leftRecords: 7, rightRecords: 4, matched: 4 });
  });

  it('a leg break names the booking: its key carries the BOS reference of the spread, whichever leg', () => {
    const d7 = results.get('2019-05-07')!;
    const right = d7.breaks
      .filter((b) => b.kind === 'only_right')
      .map((b) => [b.key, b.rightIds.map((i) => (Number(i) < 0 ? 'near' : 'far'))])
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(right).toEqual([
      [{ ref: 'SP-2', clearingDate: '2019-05-07' }, ['far']],
      [{ ref: 'SP-2', clearingDate: '2019-05-07' }, ['near']],
      [{ ref: 'SP-3', clearingDate: '2019-05-07' }, ['far']],
    ]);
    // The two legs of one booking are two breaks, told apart by their content.
    expect(new Set(d7.breaks.map((b) => b.fingerprint)).size).toBe(d7.breaks.length);
  });

  it('a re-run on the same inputs finds the same breaks (stable fingerprints for the legs)', async () => {
    const d7 = results.get('2019-05-07')!;
    const again = await runReconciliation(t.store, {
      businessDate: '2019-05-07',
      ruleSet,
      recons: ['trades-bos'],
    });
    const breaks = await collect(listBreaks(t.store, again.runId));
    expect(breaks.map((b) => b.fingerprint).sort()).toEqual(d7.breaks.map((b) => b.fingerprint).sort());
    expect(again.counts['trades-bos']).toMatchObject({ matched: 4 });
  });

  it('expands each spread (and nothing else) into its legs: near leg opposite side at the exchange near price, far leg that plus the spread', async () => {
    const legs = await t.store.db.transaction().execute(async (trx) => {
      await sql`CREATE TEMP TABLE rx_files ON COMMIT DROP AS SELECT id FROM source_file WHERE superseded_by IS NULL`.execute(
        trx,
      );
      const statements = expandSpreadsStatements({
        side: 'right',
        source: 'bos',
        businessDate: '2019-05-07',
        otherWhere: sql<boolean>`r.source = 'dcass' AND r.clearing_date = DATE '2019-05-07'`,
        otherJoin: sql``,
      });
      for (const s of statements) await s.query.execute(trx);
      return (
        await sql<{
          ref: string | null;
          leg: string;
          account: string;
          expiry: string;
          side: string;
          quantity: string;
          price: string | null;
          trade_no: string | null;
        }>`
          SELECT coalesce(t.ref, b.ref) AS ref, CASE WHEN t.id < 0 THEN 'near' ELSE 'far' END AS leg, t.account, t.expiry,
            t.side, trim_scale(t.quantity)::text AS quantity, trim_scale(t.price)::text AS price, t.trade_no
          FROM ${sql.table(EXPANDED_TABLE.right)} t JOIN trade b ON b.id = abs(t.id)
          ORDER BY coalesce(t.ref, b.ref), t.expiry`.execute(trx)
      ).rows;
    });
    expect(legs).toEqual([
      {
        ref: 'SP-1',
        leg: 'near',
        account: 'H01',
        expiry: '2019-05',
        side: 'S',
        quantity: '2',
        price: '28000',
        trade_no: null,
      },
      {
        ref: 'SP-1',
        leg: 'far',
        account: 'H01',
        expiry: '2019-06',
        side: 'B',
        quantity: '2',
        price: '28050',
        trade_no: null,
      },
      {
        ref: 'SP-2',
        leg: 'near',
        account: 'M01',
        expiry: '2019-05',
        side: 'S',
        quantity: '3',
        price: '28000',
        trade_no: null,
      },
      {
        ref: 'SP-2',
        leg: 'far',
        account: 'M01',
        expiry: '2019-06',
        side: 'B',
        quantity: '3',
        price: '28050',
        trade_no: null,
      },
      {
        ref: 'SP-3',
        leg: 'near',
        account: 'I0007',
        expiry: '2019-05',
        side: 'S',
        quantity: '2',
        price: '28000',
        trade_no: null,
      },
      // 60 booked against legs 50 apart: the far leg is priced 28060, against DCASS's 28050.
      {
        ref: 'SP-3',
        leg: 'far',
        account: 'I0007',
        expiry: '2019-06',
        side: 'B',
        quantity: '2',
        price: '28060',
        trade_no: null,
      },
    ]);
  });

  it('breaks.json shows each leg break with the booking as written: HSIK9/M9, both months, the spread price', async () => {
    const file = path.join(work, 'breaks.json');
    await writeBreaksJson(t.store, results.get('2019-05-07')!.run.runId, file);
    const j = JSON.parse(readFileSync(file, 'utf8')) as {
      breaks: { kind: string; key: Record<string, string>; right: Record<string, unknown> | null }[];
    };
    const sp2 = j.breaks.filter((b) => b.kind === 'only_right' && b.key.ref === 'SP-2');
    expect(sp2).toHaveLength(2);
    for (const b of sp2) {
      expect(b.right).toMatchObject({
        series: 'HSIK9/M9',
        root: 'HSI',
        instrumentType: 'F',
        expiry: '2019-05/2019-06',
        side: 'B',
        quantity: '3',
        price: '50',
        ref: 'SP-2',
        file: 'BOS_TRADES_CABC_20190507.csv',
        line: 3,
      });
    }
  });
});
