import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reinputRows, writeReinputCsv, type ReinputRow } from '../../src/report/reinput.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { fixtureRequests, ingest } from '../support/ingest.js';
import { collect } from '../support/collect.js';


const brief = (r: ReinputRow) => [
  r.clearingDate,
  r.tradeType,
  r.account,
  r.series,
  r.side,
  r.quantity,
  r.origTradeNo,
];

describe(`fallback re-input list on the fixtures (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await ingest(t.store, fixtureRequests());
  });
  afterAll(async () => t.dispose());

  it('lists the give-ups, take-ups and transfers of the upgraded dates, with file and line', async () => {
    const rows = await collect(reinputRows(t.store, { since: '2019-05-03' }));
    // 3 May is a Genium date: nothing of it is listed, even from an upgraded report of that date.
    expect(rows.map(brief)).toEqual([
      ['2019-05-06', 'GUP', 'H01', 'HSIK9', 'S', '5', '1000108'],
      ['2019-05-07', 'TRF', 'M01', 'HSIM9', 'S', '2', '1000619'],
      ['2019-05-07', 'TRF', 'H01', 'HSIM9', 'B', '2', '1000619'],
      ['2019-05-07', 'TUP', 'O01', 'HSI28000E9', 'B', '3', '2045517'],
      ['2019-05-10', 'GUP', 'H01', 'MHIK9', 'S', '2', '1001235'],
    ]);
    expect([rows[0]!.file, rows[0]!.line]).toEqual(['TRD001_CABC_20190506_2310.xml', 12]);
    const since7 = await collect(reinputRows(t.store, { since: '2019-05-07', tradeTypes: ['GUP'] }));
    expect(since7.map(brief)).toEqual([['2019-05-10', 'GUP', 'H01', 'MHIK9', 'S', '2', '1001235']]);
  });

  it('writes a CSV with a header and the same rows; refuses a made-up trade type', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'dcass-reinput-')), 'reinput.csv');
    expect(await writeReinputCsv(t.store, { since: '2019-05-06' }, file)).toBe(5);
    const records = parse(readFileSync(file), { columns: true }) as Record<string, string>[];
    expect(records.map((r) => [r.trade_type, r.quantity, r.price])).toEqual([
      ['GUP', '5', '29260'],
      ['TRF', '2', '29300'],
      ['TRF', '2', '29300'],
      ['TUP', '3', '1440'],
      ['GUP', '2', '28570'],
    ]);
    await expect(
      collect(reinputRows(t.store, { since: '2019-05-06', tradeTypes: ["X'; --"] })),
    ).rejects.toThrow(/is not a trade type code/);
  });
});
