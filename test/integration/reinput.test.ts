import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { fallbackDates, reinputRows, writeReinputCsv, type ReinputRow } from '../../src/report/reinput.js';
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
      // T07-21, a partial take-up, and T07-20, a confirmed partial give-up of T07-19.
      ['2019-05-07', 'TUP', 'I0007', 'MHIK9', 'B', '2', '2046130'],
      ['2019-05-07', 'GUP', 'H01', 'HSIK9', 'S', '2', '1000632'],
      // B6: its report says PENDING, so it is listed as a pending give-up.
      ['2019-05-10', 'PGU', 'H01', 'MHIK9', 'S', '2', '1001235'],
    ]);
    expect([rows[0]!.file, rows[0]!.line]).toEqual(['TRD001_CABC_20190506_2310.xml', 12]);
    // The filter tells a pending give-up from a confirmed one: the one confirmed since 7 May is T07-20.
    const confirmed = await collect(reinputRows(t.store, { since: '2019-05-07', tradeTypes: ['GUP'] }));
    expect(confirmed.map(brief)).toEqual([['2019-05-07', 'GUP', 'H01', 'HSIK9', 'S', '2', '1000632']]);
    const since7 = await collect(reinputRows(t.store, { since: '2019-05-07', tradeTypes: ['PGU'] }));
    expect(since7.map(brief)).toEqual([['2019-05-10', 'PGU', 'H01', 'MHIK9', 'S', '2', '1001235']]);
  });

  it('writes a CSV with a header and the same rows; refuses a made-up trade type', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'dcass-reinput-')), 'reinput.csv');
    expect(await writeReinputCsv(t.store, { since: '2019-05-06' }, file)).toBe(7);
    const records = parse(readFileSync(file), { columns: true }) as Record<string, string>[];
    expect(records.map((r) => [r.trade_type, r.quantity, r.price])).toEqual([
      ['GUP', '5', '29260'],
      ['TRF', '2', '29300'],
      ['TRF', '2', '29300'],
      ['TUP', '3', '1440'],
      ['TUP', '2', '29320'],
      ['GUP', '2', '29300'],
      ['PGU', '2', '28570'],
    ]);
    await expect(
      collect(reinputRows(t.store, { since: '2019-05-06', tradeTypes: ["X'; --"] })),
    ).rejects.toThrow(/is not a trade type code/);
  });
});

/** An upgraded DCASS trade report of 8 May 2019 with one give-up of a trade cleared on the last Genium day. */
const GIVE_UP_0508 = `<?xml version="1.0" encoding="UTF-8"?>
<DcassReport reportId="TRD001" participant="CABC" businessDate="2019-05-08" generatedAt="2019-05-08T23:10:00+08:00" recordCount="1">
  <Trade><ClearingDate>2019-05-08</ClearingDate><Series>HSIK9</Series><TradeNo>1000801</TradeNo><DealNo>500801</DealNo><Account>H01</Account><Side>S</Side><Qty>1</Qty><Price>29300</Price><Session>T</Session><TradeType>GUP</TradeType><OrigTradeNo>3000001</OrigTradeNo><ExecTime>2019-05-08T10:00:00+08:00</ExecTime><OpenClose/></Trade>
</DcassReport>
`;

describe(`fallback re-input list with the seam's Genium numbers (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    const file = path.join(
      mkdtempSync(path.join(tmpdir(), 'dcass-reinput-')),
      'TRD001_CABC_20190508_2310.xml',
    );
    writeFileSync(file, GIVE_UP_0508);
    await ingest(t.store, [...fixtureRequests(), { path: file, source: 'dcass' }]);
  });
  afterAll(async () => t.dispose());

  const numbers = async (fallback: string) => {
    const dates = await fallbackDates(t.store, fallback);
    if (dates === null) return null;
    return (await collect(reinputRows(t.store, dates))).map((r) => [
      r.clearingDate,
      r.tradeType,
      r.tradeNo,
      r.origTradeNo,
      r.origGeniumTradeNo,
    ]);
  };

  it('names the Genium trade number of an original trade the seam paired, once the seam has run', async () => {
    expect(await fallbackDates(t.store, '2019-05-08')).toEqual({ since: '2019-05-06', until: '2019-05-07' });
    expect(await fallbackDates(t.store, '2019-05-06')).toBeNull();
    const before = await numbers('2019-05-09');
    expect(before).toEqual([
      ['2019-05-06', 'GUP', '1000110', '1000108', null],
      ['2019-05-07', 'TRF', '1000620', '1000619', null],
      ['2019-05-07', 'TRF', '1000621', '1000619', null],
      ['2019-05-07', 'TUP', '1000623', '2045517', null],
      ['2019-05-07', 'TUP', '1000633', '2046130', null],
      ['2019-05-07', 'GUP', '1000636', '1000632', null],
      ['2019-05-08', 'GUP', '1000801', '3000001', null],
    ]);
    // The seam pairs DCASS trade 3000001 (H01 buys 3 HSIK9 at 30102 on 3 May) with Genium's trade of the same content.
    await runReconciliation(t.store, {
      businessDate: '2019-05-03',
      ruleSet: loadBuiltinRuleSet(),
      recons: ['trades-seam'],
    });
    const after = await numbers('2019-05-09');
    expect(after?.at(-1)).toEqual(['2019-05-08', 'GUP', '1000801', '3000001', '84201']);
    expect(after?.slice(0, -1)).toEqual(before?.slice(0, -1));
    // A fallback from 8 May asks for the upgraded days before it only.
    expect((await numbers('2019-05-08'))?.map((r) => r[0])).toEqual([
      '2019-05-06',
      '2019-05-07',
      '2019-05-07',
      '2019-05-07',
      '2019-05-07',
      '2019-05-07',
    ]);
  });
});
