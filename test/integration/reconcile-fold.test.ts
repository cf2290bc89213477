import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBreaks, type Break } from '../../src/reconcile/breaks.js';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation, type RunSummary } from '../../src/reconcile/run.js';
import { writeBreaksJson } from '../../src/report/breaks-json.js';
import { collect } from '../support/collect.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { ProfileRegistry } from '../../src/config/profiles.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import { builtinPath } from '../../src/shared/package-root.js';
import { calendar, FIXTURES, ingest } from '../support/ingest.js';

// trades-bos of the default rule set on hand-made DCASS and BOS exports of one day: DCASS lists each
// give-up, take-up and transfer as a deal of its own carrying the original trade number; this BOS books
// the net on the original trade. The DCASS side is folded, so the nets are compared.

const DATE = '2019-05-08';
const DCASS_FILE = 'TRD001_CABC_20190508_2310.csv';
const BOS_FILE = 'BOS_TRADES_CABC_20190508.csv';

// Line 1 is the header: the line numbers in the comments are the file's.
const DCASS = [
  'clearing_date,series,trade_no,deal_no,account,side,qty,price,session,trade_type,orig_trade_no,exec_time,open_close,trade_status',
  // 2-3: a partial give-up, confirmed: B 5, then GUP S 2 of 1000108. BOS books the net B 3.
  '2019-05-08,HSIK9,1000108,600001,H01,B,5,29260,T,STD,,2019-05-08T10:30:00+08:00,,',
  '2019-05-08,HSIK9,1000110,600002,H01,S,2,29260,T,GUP,1000108,2019-05-08T11:02:15+08:00,,CONFIRMED',
  // 4: a take-up from another participant (its trade 2045517, not on this side): a trade of its own.
  '2019-05-08,HSI28000E9,1000201,600003,O01,B,3,1440,T,TUP,2045517,2019-05-08T13:15:37+08:00,O,',
  // 5-6: a give-up whose net (B 10 - S 4 = B 6) BOS booked as B 5: one break, both DCASS records.
  '2019-05-08,MHIK9,1000301,600004,M01,B,10,29300,T,STD,,2019-05-08T14:00:00+08:00,,',
  '2019-05-08,MHIK9,1000302,600005,M01,S,4,29300,T,GUP,1000301,2019-05-08T14:20:00+08:00,,',
  // 7-8: a give-up still pending: the position stays with H01, BOS books the whole B 2.
  '2019-05-08,HSIM9,1000401,600006,H01,B,2,29100,T,STD,,2019-05-08T15:00:00+08:00,,',
  '2019-05-08,HSIM9,1000402,600007,H01,S,2,29100,T,GUP,1000401,2019-05-08T15:30:00+08:00,,PENDING',
  // 9: a confirmed give-up of a trade of an earlier day, which BOS has not booked: not pending.
  '2019-05-08,HSIK9,1000501,600008,H01,S,1,29000,T,GUP,999001,2019-05-08T15:40:00+08:00,,CONFIRMED',
  // 10-12: a transfer M01 -> H01 of a trade executed in M01 by mistake; BOS books B 2 in H01 only.
  '2019-05-08,HSIK9,1000601,600009,M01,B,2,29050,T,STD,,2019-05-08T15:45:00+08:00,,',
  '2019-05-08,HSIK9,1000602,600010,M01,S,2,29050,T,TRF,1000601,2019-05-08T15:50:00+08:00,,',
  '2019-05-08,HSIK9,1000603,600010,H01,B,2,29050,T,TRF,1000601,2019-05-08T15:50:00+08:00,,',
  // 13-14: a full give-up to another participant; the back office books nothing.
  '2019-05-08,MHIK9,1000701,600011,H01,S,3,29280,T,STD,,2019-05-08T16:00:00+08:00,,',
  '2019-05-08,MHIK9,1000702,600012,H01,B,3,29280,T,GUP,1000701,2019-05-08T16:05:00+08:00,,',
  // 15-16: a give-up that BOS books as a trade of its own (its exchange number): matched as one.
  '2019-05-08,HSIK9,1000801,600013,H01,B,4,29010,T,STD,,2019-05-08T16:10:00+08:00,,',
  '2019-05-08,HSIK9,1000802,600014,H01,S,4,29010,T,GUP,1000801,2019-05-08T16:12:00+08:00,,',
];
const BOS = [
  'Trade Ref,Client Code,Product,Type,Expiry,Strike,Buy/Sell,Quantity,Price,Trade Date,Exec Time,Exch Trade No',
  'BT190508-0001,HOUSE,HSI,F,2019-05,,BUY,3,"29,260.00",08/05/2019,10:30:00,1000108',
  'BT190508-0002,C1002,HSI,C,2019-05,28000,BUY,3,"1,440.00",08/05/2019,13:15:37,1000201',
  'BT190508-0003,MM01,MHI,F,2019-05,,BUY,5,"29,300.00",08/05/2019,14:00:00,1000301',
  'BT190508-0004,HOUSE,HSI,F,2019-06,,BUY,2,"29,100.00",08/05/2019,15:00:00,1000401',
  'BT190508-0005,HOUSE,HSI,F,2019-05,,BUY,2,"29,050.00",08/05/2019,15:45:00,1000601',
  'BT190508-0006,HOUSE,HSI,F,2019-05,,BUY,4,"29,010.00",08/05/2019,16:10:00,1000801',
  'BT190508-0007,HOUSE,HSI,F,2019-05,,SELL,4,"29,010.00",08/05/2019,16:12:00,1000802',
];

interface JsonRecord {
  readonly tradeNo: string;
  readonly file: string;
  readonly line: number;
  /** The side's further records, after its first. */
  readonly others?: JsonRecord[];
}
interface JsonBreak {
  readonly kind: string;
  readonly status: string;
  readonly key: Record<string, string>;
  readonly fields: { field: string; left: string; right: string }[];
  readonly left: JsonRecord | null;
  readonly right: JsonRecord | null;
}
/** A side's records as breaks.json lists them: the first, then `others`. */
const records = (r: JsonRecord | null): Omit<JsonRecord, 'others'>[] => {
  if (r === null) return [];
  const { others, ...first } = r;
  return [first, ...(others ?? [])];
};

describe(`trades-bos folds DCASS adjustments into their trades (${dbKind})`, () => {
  let t: TestDb;
  let run: RunSummary;
  let breaks: Break[];
  let json: JsonBreak[];
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-fold-'));

  beforeAll(async () => {
    t = await createTestDb();
    writeFileSync(path.join(work, DCASS_FILE), `${DCASS.join('\n')}\n`);
    writeFileSync(path.join(work, BOS_FILE), `${BOS.join('\r\n')}\r\n`);
    const outcomes = await ingest(t.store, [
      { path: path.join(FIXTURES, 'bos', 'ACCOUNT_MAP_CABC.csv'), source: 'bos' },
      { path: path.join(work, DCASS_FILE), source: 'dcass' },
      { path: path.join(work, BOS_FILE), source: 'bos' },
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['loaded', 'loaded', 'loaded']);
    run = await runReconciliation(t.store, {
      businessDate: DATE,
      ruleSet: loadBuiltinRuleSet(),
      recons: ['trades-bos'],
    });
    breaks = await collect(listBreaks(t.store, run.runId));
    const file = path.join(work, 'breaks.json');
    await writeBreaksJson(t.store, run.runId, file);
    json = (JSON.parse(readFileSync(file, 'utf8')) as { breaks: JsonBreak[] }).breaks;
  });
  afterAll(async () => t.dispose());

  const byTradeNo = (tradeNo: string) => json.filter((b) => b.key.tradeNo === tradeNo);

  it('finds exactly the breaks of the day, every record of the two files in a pair or a break', () => {
    expect(breaks.map((b) => `${b.kind} ${b.key.tradeNo} ${b.status}`).sort()).toEqual([
      'mismatch 1000301 open',
      'only_left 1000402 explained',
      'only_left 1000501 open',
      'only_left 1000701 explained',
    ]);
    // Matched: 1000108 (folded), 1000201, 1000401, 1000601 (folded transfer), 1000801, 1000802.
    expect(run.counts['trades-bos']).toMatchObject({ leftRecords: 15, rightRecords: 7, matched: 6 });
  });

  it('a partial give-up: the trade and its give-up net to the B 3 BOS booked, no break', () => {
    expect(byTradeNo('1000108')).toEqual([]);
    expect(byTradeNo('1000110')).toEqual([]);
  });

  it('a take-up of another participant\'s trade is a trade of its own and matches', () => {
    expect(byTradeNo('1000201')).toEqual([]);
  });

  it('a transfer between accounts nets per account: H01 B 2, M01 flat, as BOS booked', () => {
    expect(byTradeNo('1000601')).toEqual([]);
  });

  it('a give-up BOS booked under its own number is matched as a trade, not folded', () => {
    expect(byTradeNo('1000801')).toEqual([]);
    expect(byTradeNo('1000802')).toEqual([]);
  });

  it('nets that disagree: one break showing the trade and its give-up with file:line', () => {
    const [b, ...more] = byTradeNo('1000301');
    expect(more).toEqual([]);
    expect(b).toMatchObject({
      kind: 'mismatch',
      status: 'open',
      fields: [{ field: 'quantity', left: '6', right: '5', comparator: 'exact' }],
    });
    expect(records(b!.left).map((r) => `${r.tradeNo} ${r.file}:${r.line}`)).toEqual([
      `1000301 ${DCASS_FILE}:5`,
      `1000302 ${DCASS_FILE}:6`,
    ]);
    expect(records(b!.right).map((r) => `${r.tradeNo} ${r.file}:${r.line}`)).toEqual([`1000301 ${BOS_FILE}:4`]);
  });

  it('a give-up the report marks pending is not folded: its trade matches, the give-up is explained as pending', () => {
    expect(byTradeNo('1000401')).toEqual([]);
    const [b] = byTradeNo('1000402');
    expect(b).toMatchObject({ kind: 'only_left', status: 'explained' });
    expect(breaks.find((x) => x.key.tradeNo === '1000402')!.explainedBy).toBe('rule:pending-give-up');
    expect(records(b!.left)).toMatchObject([{ tradeNo: '1000402', tradeType: 'PGU', file: DCASS_FILE, line: 8 }]);
  });

  it('a confirmed give-up left unmatched stays open: it is not called pending', () => {
    const [b] = byTradeNo('1000501');
    expect(b).toMatchObject({ kind: 'only_left', status: 'open' });
    expect(breaks.find((x) => x.key.tradeNo === '1000501')!.explainedBy).toBeNull();
    expect(records(b!.left)).toMatchObject([{ tradeNo: '1000501', tradeType: 'GUP', line: 9 }]);
  });

  it('a full give-up nobody booked: one row of quantity 0 with both records, explained as given up', () => {
    const [b] = byTradeNo('1000701');
    expect(b).toMatchObject({ kind: 'only_left', status: 'explained' });
    expect(breaks.find((x) => x.key.tradeNo === '1000701')!.explainedBy).toBe('rule:given-up');
    expect(records(b!.left).map((r) => r.line)).toEqual([13, 14]);
  });
});

// A back office whose export says which bookings are give-ups (a CP's own profile): a give-up it has
// booked that the exchange's report does not show yet is pending on the exchange side.
describe(`trades-bos: a give-up booked by the back office ahead of DCASS (${dbKind})`, () => {
  let t: TestDb;
  let breaks: Break[];
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-fold-ahead-'));
  const day = '2019-05-09';

  beforeAll(async () => {
    t = await createTestDb();
    const profiles = path.join(work, 'profiles');
    mkdirSync(profiles);
    // The built-in BOS trades profile, with a deal type column instead of the STD default.
    const builtin = readFileSync(builtinPath('profiles', 'bos-trades.yaml'), 'utf8');
    expect(builtin).toContain('defaults:\n  tradeType: STD\n');
    writeFileSync(
      path.join(profiles, 'bos-trades.yaml'),
      builtin.replace(
        'defaults:\n  tradeType: STD\n',
        "  tradeType: { from: Deal Type, type: code, map: { NORMAL: STD, GIVEUP: GUP } }\n",
      ),
    );
    writeFileSync(
      path.join(work, 'TRD001_CABC_20190509_2310.csv'),
      [
        'clearing_date,series,trade_no,deal_no,account,side,qty,price,session,trade_type,orig_trade_no,exec_time,open_close',
        '2019-05-09,HSIK9,1000901,600101,H01,B,5,29260,T,STD,,2019-05-09T10:30:00+08:00,',
        '',
      ].join('\n'),
    );
    writeFileSync(
      path.join(work, 'BOS_TRADES_CABC_20190509.csv'),
      [
        'Trade Ref,Client Code,Product,Type,Expiry,Strike,Buy/Sell,Quantity,Price,Trade Date,Exec Time,Exch Trade No,Deal Type',
        'BT190509-0001,HOUSE,HSI,F,2019-05,,BUY,5,"29,260.00",09/05/2019,10:30:00,1000901,NORMAL',
        // The give-up of 2 of it, booked; DCASS has no give-up (nor its number) yet.
        'BT190509-0002,HOUSE,HSI,F,2019-05,,SELL,2,"29,260.00",09/05/2019,11:00:00,,GIVEUP',
        // A plain booking DCASS does not have: a break, not a pending give-up.
        'BT190509-0003,HOUSE,HSI,F,2019-05,,SELL,1,"29,250.00",09/05/2019,11:05:00,,NORMAL',
        '',
      ].join('\r\n'),
    );
    const outcomes = await ingestFiles(
      { store: t.store, profiles: ProfileRegistry.load([profiles]), calendar, participant: 'CABC' },
      [
        { path: path.join(FIXTURES, 'bos', 'ACCOUNT_MAP_CABC.csv'), source: 'bos' },
        { path: path.join(work, 'TRD001_CABC_20190509_2310.csv'), source: 'dcass' },
        { path: path.join(work, 'BOS_TRADES_CABC_20190509.csv'), source: 'bos' },
      ],
    );
    expect(outcomes.map((o) => o.status)).toEqual(['loaded', 'loaded', 'loaded']);
    const run = await runReconciliation(t.store, {
      businessDate: day,
      ruleSet: loadBuiltinRuleSet(),
      recons: ['trades-bos'],
    });
    breaks = await collect(listBreaks(t.store, run.runId));
  });
  afterAll(async () => t.dispose());

  it('the booked give-up is explained as pending; the plain booking stays open', () => {
    expect(breaks.map((b) => [b.kind, b.key.ref, b.status, b.explainedBy])).toEqual([
      ['only_right', 'BT190509-0002', 'explained', 'rule:give-up-booked-ahead'],
      ['only_right', 'BT190509-0003', 'open', null],
    ]);
  });
});

// The status column at ingest: a pending give-up or take-up takes the pending trade type; a status the
// profile does not know rejects the row.
describe(`trade status read from a DCASS report (${dbKind})`, () => {
  let t: TestDb;
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-fold-status-'));
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  it('PENDING give-ups and take-ups are stored as PGU and PTU, CONFIRMED ones as read; HELD is rejected', async () => {
    const file = path.join(work, 'TRD001_CABC_20190509_2310.csv');
    writeFileSync(
      file,
      [
        'clearing_date,series,trade_no,deal_no,account,side,qty,price,session,trade_type,orig_trade_no,exec_time,open_close,trade_status',
        '2019-05-09,HSIK9,1,1,H01,S,1,29000,T,GUP,9,2019-05-09T10:00:00+08:00,,PENDING',
        '2019-05-09,HSIK9,2,2,O01,B,1,29000,T,TUP,8,2019-05-09T10:00:00+08:00,,PENDING',
        '2019-05-09,HSIK9,3,3,O01,B,1,29000,T,TUP,7,2019-05-09T10:00:00+08:00,,CONFIRMED',
        '2019-05-09,HSIK9,4,4,H01,B,1,29000,T,STD,,2019-05-09T10:00:00+08:00,,',
        '2019-05-09,HSIK9,5,5,H01,S,1,29000,T,GUP,4,2019-05-09T10:00:00+08:00,,HELD',
        '',
      ].join('\n'),
    );
    const [out] = await ingest(t.store, [{ path: file, source: 'dcass' }]);
    expect(out).toMatchObject({ status: 'loaded', rows: 4, rejected: 1 });
    const stored = await t.store.db.selectFrom('trade').select(['trade_no', 'trade_type']).orderBy('line_no').execute();
    expect(stored.map((r) => `${r.trade_no} ${r.trade_type}`)).toEqual(['1 PGU', '2 PTU', '3 TUP', '4 STD']);
    const rej = await t.store.db.selectFrom('rejected_row').select(['line_no', 'field', 'code']).execute();
    expect(rej).toEqual([{ line_no: 6, field: 'tradeStatus', code: 'BAD_CODE' }]);
  });
});
