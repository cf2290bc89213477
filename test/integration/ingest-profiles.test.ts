import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileOutcome } from '../../src/ingest/ingest.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { FIXTURES, fixtureRequests, ingest } from '../support/ingest.js';

// Every built-in profile, on the shipped fixtures, asserting the canonical rows that land.
describe(`built-in profiles on the fixtures (${dbKind})`, () => {
  let t: TestDb;
  let outcomes: FileOutcome[];
  beforeAll(async () => {
    t = await createTestDb();
    outcomes = await ingest(t.store, fixtureRequests());
  });
  afterAll(async () => t.dispose());

  const trade = (file: string, line: number) =>
    t.store.db
      .selectFrom('trade as t')
      .innerJoin('source_file as f', 'f.id', 't.file_id')
      .selectAll('t')
      .where('f.file_name', '=', file)
      .where('t.line_no', '=', line)
      .executeTakeFirstOrThrow();
  const position = (file: string, line: number) =>
    t.store.db
      .selectFrom('position as p')
      .innerJoin('source_file as f', 'f.id', 'p.file_id')
      .selectAll('p')
      .where('f.file_name', '=', file)
      .where('p.line_no', '=', line)
      .executeTakeFirstOrThrow();

  it('loads every fixture file with the profile its name selects', () => {
    expect(outcomes.map((o) => [o.fileName, o.status, o.profile])).toEqual(
      expect.arrayContaining([
        ['TRD001_CABC_20190503.lis', 'loaded', 'genium-trd001'],
        ['POS001_CABC_20190503.lis', 'loaded', 'genium-pos001'],
        ['TRD001_CABC_20190506_2310.xml', 'loaded', 'dcass-trd001-xml'],
        ['POS001_CABC_20190506_2310.xml', 'loaded', 'dcass-pos001-xml'],
        ['TRD001_CABC_20190507_2310.csv', 'loaded', 'dcass-trd001-csv'],
        ['POS001_CABC_20190507_2310.csv', 'loaded', 'dcass-pos001-csv'],
        ['BOS_TRADES_CABC_20190506.csv', 'loaded', 'bos-trades'],
        ['BOS_POSITIONS_CABC_20190506.csv', 'loaded', 'bos-positions'],
        ['BOS_POSITIONS_CABC_20190510.big5.csv', 'loaded', 'bos-positions-big5'],
        ['ACCOUNT_MAP_CABC.csv', 'loaded', 'bos-account-map'],
      ]),
    );
    expect(outcomes.filter((o) => o.status !== 'loaded')).toEqual([]);
    expect(outcomes.reduce((n, o) => n + o.rejected, 0)).toBe(1);
  });

  it('genium-trd001: fixed width, implied decimals, zero-padded numbers unpadded', async () => {
    expect(await trade('TRD001_CABC_20190503.lis', 2)).toMatchObject({
      source: 'genium',
      participant: 'CABC',
      clearing_date: '2019-05-03',
      session: 'T',
      series: 'HSIK9',
      root: 'HSI',
      instrument_type: 'F',
      expiry: '2019-05',
      strike: null,
      trade_no: '84201',
      deal_no: '412001',
      account: 'H01',
      side: 'B',
      quantity: '3',
      price: '30102',
      trade_type: 'STD',
      orig_trade_no: null,
      exec_date: '2019-05-03',
      open_close: null,
    });
    expect((await trade('TRD001_CABC_20190503.lis', 2)).exec_at?.toISOString()).toBe(
      '2019-05-03T01:15:32.000Z',
    );
  });

  it('genium-pos001: long, short, exercised, assigned', async () => {
    expect(await position('POS001_CABC_20190503.lis', 2)).toMatchObject({
      position_date: '2019-05-03',
      account: 'H01',
      series: 'HSIK9',
      long_qty: '10',
      short_qty: '0',
      exercised_qty: '0',
      assigned_qty: '0',
    });
  });

  it('dcass-trd001-xml: T1 session, give-up with original trade number, decimal strike series kept raw', async () => {
    expect(await trade('TRD001_CABC_20190506_2310.xml', 3)).toMatchObject({
      clearing_date: '2019-05-06',
      session: 'A',
      trade_no: '1000101',
      exec_date: '2019-05-03',
      price: '29880',
    });
    expect(await trade('TRD001_CABC_20190506_2310.xml', 12)).toMatchObject({
      trade_type: 'GUP',
      orig_trade_no: '1000108',
      side: 'S',
    });
    expect(await trade('TRD001_CABC_20190506_2310.xml', 20)).toMatchObject({
      series: 'TCH340.00E9',
      root: 'TCH',
      instrument_type: 'C',
      strike: '340',
      price: '30.985',
    });
  });

  it('dcass-pos001-xml and -csv: positions by account and series', async () => {
    const xml = await position('POS001_CABC_20190506_2310.xml', 3);
    expect(xml.position_date).toBe('2019-05-06');
    expect(xml.long_qty).toMatch(/^[0-9]+$/);
    const csv = await position('POS001_CABC_20190507_2310.csv', 2);
    expect(csv.position_date).toBe('2019-05-07');
  });

  it('dcass-trd001-csv: after-midnight T1 trade, extra columns kept as raw data', async () => {
    expect(await trade('TRD001_CABC_20190507_2310.csv', 4)).toMatchObject({
      clearing_date: '2019-05-07',
      session: 'A',
      account: 'H01',
      exec_date: '2019-05-07',
    });
    const drift = await t.store.db
      .selectFrom('trade as t')
      .innerJoin('source_file as f', 'f.id', 't.file_id')
      .select('t.extra')
      .where('f.file_name', '=', 'TRD001_CABC_20190510_2310.csv')
      .executeTakeFirstOrThrow();
    expect(Object.keys(drift.extra ?? {})).toEqual(['venue']);
  });

  it('bos-trades: thousands separators, clearing date derived from execution time, client mapped to account', async () => {
    expect(await trade('BOS_TRADES_CABC_20190506.csv', 2)).toMatchObject({
      source: 'bos',
      ref: 'BT190506-0001',
      client_code: 'MM01',
      account: 'M01',
      series: 'HSIK9',
      side: 'S',
      quantity: '10',
      price: '29350',
      clearing_date: '2019-05-06',
      session: 'T',
      trade_no: '1000102',
      trade_type: 'STD',
    });
    expect(await trade('BOS_TRADES_CABC_20190506.csv', 5)).toMatchObject({
      client_code: 'C1001',
      account: 'O01',
    });
    // A Friday-night trade executed 3 May clears Monday 6 May.
    const friday = await t.store.db
      .selectFrom('trade as t')
      .innerJoin('source_file as f', 'f.id', 't.file_id')
      .select(['t.exec_date', 't.clearing_date', 't.session'])
      .where('f.file_name', '=', 'BOS_TRADES_CABC_20190503.csv')
      .where('t.session', '=', 'A')
      .execute();
    expect(friday.length).toBeGreaterThan(0);
    for (const r of friday) expect(r.clearing_date).toBe('2019-05-06');
    // Friday 10 May evening trades clear Tuesday 14 May: 13 May is a holiday.
    const tenth = await t.store.db
      .selectFrom('trade as t')
      .innerJoin('source_file as f', 'f.id', 't.file_id')
      .select(['t.clearing_date'])
      .where('f.file_name', '=', 'BOS_TRADES_CABC_20190510.csv')
      .where('t.session', '=', 'A')
      .execute();
    expect(tenth.length).toBeGreaterThan(0);
    for (const r of tenth) expect(r.clearing_date).toBe('2019-05-14');
  });

  it('bos-positions: signed net quantity split into long or short; Big5 remarks decoded into raw data', async () => {
    const big5 = await t.store.db
      .selectFrom('position as p')
      .innerJoin('source_file as f', 'f.id', 'p.file_id')
      .selectAll('p')
      .where('f.file_name', '=', 'BOS_POSITIONS_CABC_20190510.big5.csv')
      .orderBy('p.line_no')
      .execute();
    expect(big5[0]).toMatchObject({
      client_code: 'HOUSE',
      account: 'H01',
      series: 'HSIK9',
      long_qty: '8',
      short_qty: '0',
    });
    // HOUSE's HSIM9: short 5 before the far leg of the 7 May spread S07-01 bought 3.
    expect(big5[1]).toMatchObject({ series: 'HSIM9', long_qty: '0', short_qty: '2' });
    expect(big5[3]).toMatchObject({
      series: 'HSI28000E9',
      instrument_type: 'C',
      strike: '28000',
      short_qty: '8',
    });
    expect(big5[0]!.extra).toEqual({ Remarks: '公司自營' });
  });

  it('bos-account-map: effective-dated client mappings', async () => {
    const rows = await t.store.db.selectFrom('account_map').selectAll().orderBy('line_no').execute();
    expect(rows.map((r) => [r.client_code, r.dcass_account, r.account_type, r.effective_from])).toEqual([
      ['HOUSE', 'H01', 'NET', '2019-01-02'],
      ['MM01', 'M01', 'NET', '2019-01-02'],
      ['C0007', 'I0007', 'NET', '2019-01-02'],
      ['C1001', 'O01', 'GROSS', '2019-01-02'],
      ['C1002', 'O01', 'GROSS', '2019-01-02'],
      ['C1003', 'O01', 'GROSS', '2019-05-06'],
    ]);
  });

  it('keeps the bad BOS row as a rejected row naming file, line, field and raw text', async () => {
    const rej = await t.store.db
      .selectFrom('rejected_row as r')
      .innerJoin('source_file as f', 'f.id', 'r.file_id')
      .select(['f.file_name', 'r.line_no', 'r.field', 'r.code', 'r.reason', 'r.raw'])
      .execute();
    expect(rej).toEqual([
      {
        file_name: 'BOS_TRADES_CABC_20190507.csv',
        line_no: 16,
        field: 'execDate',
        code: 'BAD_DATE',
        reason: 'Trade Date (execDate): expected a real calendar date DD/MM/YYYY, got "31/04/2019"',
        raw: expect.stringContaining('31/04/2019'),
      },
    ]);
  });

  it('records lineage: sha256, size, counts and control totals per file', async () => {
    const f = await t.store.db
      .selectFrom('source_file')
      .selectAll()
      .where('file_name', '=', 'TRD001_CABC_20190503.lis')
      .executeTakeFirstOrThrow();
    expect(f).toMatchObject({
      source: 'genium',
      report_id: 'TRD001',
      participant: 'CABC',
      business_date: '2019-05-03',
      row_count: 20,
      reject_count: 0,
    });
    expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(f.path).toBe(path.join(FIXTURES, 'genium', 'TRD001_CABC_20190503.lis'));
    expect(f.control).toMatchObject({ details: 20, trailerCount: '000000020' });
    expect(f.generated_at?.toISOString()).toBe('2019-05-03T15:10:00.000Z');
  });
});
