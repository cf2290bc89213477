import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRegister } from '../../src/reconcile/register.js';
import { loadRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { CSV_HEADER, writeBreaksCsv } from '../../src/report/breaks-csv.js';
import { lastSightingRecords } from '../../src/report/case-records.js';
import { writeBreaksJson } from '../../src/report/breaks-json.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { collect } from '../support/collect.js';
import { loadPositions } from '../support/synthetic-positions.js';
import { loadTrades } from '../support/synthetic-trades.js';

// A break told apart outside the HTML: breaks.csv's identifying columns, the BOS reference as the key
// of a trade without an exchange number, the records `breaks list` and `breaks show` print.

const DATE = '2019-05-06';
const ruleSet = loadRuleSet(
  'identify.yaml',
  `name: identify
reconciliations:
  t:
    entity: trades
    left: { source: dcass }
    right: { source: bos }
    aggregate: { side: right, groupBy: [clearingDate, tradeNo, account, side, price], sum: [quantity] }
    passes: [{ keys: [clearingDate, tradeNo] }]
    compare: { quantity: exact, price: exact, account: exact, side: exact }
  p:
    entity: positions
    left: { source: dcass }
    right: { source: bos }
    passes: [{ keys: [account, instrument] }]
    compare: { long: exact, short: exact }
`,
);

describe(`breaks identifiable outside the HTML (${dbKind})`, () => {
  let t: TestDb;
  let rows: Record<string, string>[];
  let runId: string;
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-identify-'));
  const row = (kind: string, tradeNo: string) => rows.find((r) => r.kind === kind && r.trade_no === tradeNo)!;

  beforeAll(async () => {
    t = await createTestDb();
    await loadTrades(t.store, 'dcass', DATE, [
      { tradeNo: '1', quantity: '5' },
      { tradeNo: '2', account: 'H02' },
      { tradeNo: '3', account: 'C01', quantity: '10' },
      { tradeNo: '4', price: '29000' },
    ]);
    await loadTrades(t.store, 'bos', DATE, [
      { tradeNo: '1', quantity: '5', ref: 'BT-1' },
      // Two client allocations of DCASS trade 3, summed against it: 4 + 5.5 is not 10.
      { tradeNo: '3', account: 'C01', quantity: '4', ref: 'BT-A' },
      { tradeNo: '3', account: 'C01', quantity: '5.5', ref: 'BT-B' },
      { tradeNo: '4', price: '29010', ref: 'BT-4' },
      // No exchange trade number: each its own break, keyed by its reference (one a formula).
      { tradeNo: null, ref: 'BT-K1', quantity: '1' },
      { tradeNo: null, ref: '@SUM(1)', quantity: '2', side: 'S' },
    ]);
    await loadPositions(t.store, 'dcass', DATE, { A1: '10', A2: '-3' });
    await loadPositions(t.store, 'bos', DATE, { A1: '9', A2: '-3' });
    runId = (await runReconciliation(t.store, { businessDate: DATE, ruleSet, actor: 'ops-bot' })).runId;
    const file = path.join(work, 'breaks.csv');
    await writeBreaksCsv(t.store, runId, file);
    rows = parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
  });
  afterAll(async () => t.dispose());

  it('has the columns an operator filters on, every row as wide as the header', () => {
    const text = readFileSync(path.join(work, 'breaks.csv'), 'utf8');
    expect(text.split('\r\n')[0]!.split(',')).toEqual([...CSV_HEADER]);
    expect(CSV_HEADER).toEqual(
      expect.arrayContaining([
        'recon',
        'kind',
        'status',
        'account',
        'instrument',
        'series',
        'side',
        'left_qty',
        'right_qty',
        'left_price',
        'right_price',
        'trade_no',
        'ref',
        'left_at',
        'right_at',
        'first_seen',
        'age_days',
      ]),
    );
    expect(rows.map((r) => `${r.recon} ${r.kind} ${r.trade_no || r.account}`).sort()).toEqual([
      'p mismatch A1',
      't mismatch 3',
      't mismatch 4',
      't only_left 2',
      't only_right H01',
      't only_right H01',
    ]);
  });

  it('a trade mismatch: both sides quantity and price, trade number, reference, file:line', () => {
    expect(row('mismatch', '4')).toMatchObject({
      recon: 't',
      status: 'open',
      account: 'H01',
      instrument: 'HSI F 2019-05',
      series: 'HSIK9',
      side: 'B',
      left_qty: '1',
      right_qty: '1',
      left_price: '29000',
      right_price: '29010',
      ref: 'BT-4',
      left_at: `dcass-trades-${DATE}.csv:5`,
      right_at: `bos-trades-${DATE}.csv:5`,
      key: `tradeNo=4; clearingDate=${DATE}`,
      fields: 'price: 29000 vs 29010 (exact)',
      first_seen: DATE,
      age_days: '0',
    });
  });

  it('an only-left: its side filled, the other blank', () => {
    expect(row('only_left', '2')).toMatchObject({
      account: 'H02',
      left_qty: '1',
      right_qty: '',
      left_price: '29000',
      right_price: '',
      ref: '',
      left_at: `dcass-trades-${DATE}.csv:3`,
      right_at: '',
    });
  });

  it('an aggregated side: quantities summed exactly, references and file:line joined', () => {
    expect(row('mismatch', '3')).toMatchObject({
      account: 'C01',
      left_qty: '10',
      right_qty: '9.5',
      right_price: '29000',
      ref: 'BT-A | BT-B',
      right_at: `bos-trades-${DATE}.csv:3 | bos-trades-${DATE}.csv:4`,
      fields: 'quantity: 10 vs 9.5 (exact)',
    });
  });

  it('a position break: long and short of each side, no price or side', () => {
    expect(rows.find((r) => r.recon === 'p')).toMatchObject({
      kind: 'mismatch',
      account: 'A1',
      instrument: 'HSI F 2019-05',
      side: '',
      left_qty: 'long 10 / short 0',
      right_qty: 'long 9 / short 0',
      left_price: '',
      right_price: '',
      trade_no: '',
      left_at: `dcass-positions-${DATE}.csv:2`,
      right_at: `bos-positions-${DATE}.csv:2`,
      key: 'account=A1; instrument=HSI F 2019-05',
    });
  });

  it('BOS trades without an exchange number: keyed by their reference, distinct, formula-safe', async () => {
    const keyless = rows.filter((r) => r.kind === 'only_right');
    expect(keyless.map((r) => [r.key, r.ref, r.right_qty, r.side]).sort()).toEqual([
      // The reference cell starts with a formula character: neutralised by a leading quote.
      [`ref=@SUM(1); clearingDate=${DATE}`, "'@SUM(1)", '2', 'S'],
      [`ref=BT-K1; clearingDate=${DATE}`, 'BT-K1', '1', 'B'],
    ]);
    const register = await collect(readRegister(t.store, { recon: ['t'] }));
    expect(
      register
        .filter((e) => e.kind === 'only_right')
        .map((e) => e.key.ref)
        .sort(),
    ).toEqual(['@SUM(1)', 'BT-K1']);
    // A keyed break's key is the rule's, as before.
    expect(register.find((e) => e.kind === 'only_left')!.key).toEqual({ tradeNo: '2', clearingDate: DATE });
  });

  it('a re-run keeps each keyless break its case (the fingerprint is still the rule key and content)', async () => {
    const before = await collect(readRegister(t.store, { recon: ['t'] }));
    await runReconciliation(t.store, { businessDate: DATE, ruleSet, actor: 'ops-bot' });
    const after = await collect(readRegister(t.store, { recon: ['t'] }));
    expect(after.map((e) => [e.id, e.key, e.status])).toEqual(before.map((e) => [e.id, e.key, 'open']));
  });

  it('the records of each break last sighting, for breaks list and show', async () => {
    const register = await collect(readRegister(t.store));
    const recs = await lastSightingRecords(t.store, register);
    const aggregated = register.find((e) => e.kind === 'mismatch' && e.key.tradeNo === '3')!;
    expect(recs.get(aggregated.id)!.left.map((r) => r.quantity)).toEqual(['10']);
    expect(recs.get(aggregated.id)!.right.map((r) => [r.ref, r.quantity, r.line])).toEqual([
      ['BT-A', '4', 3],
      ['BT-B', '5.5', 4],
    ]);
    const position = register.find((e) => e.recon === 'p')!;
    expect(recs.get(position.id)).toMatchObject({ left: [{ long: '10' }], right: [{ long: '9' }] });
  });

  it('breaks.json keeps the rule key shape for keyed breaks and ISO machine fields', async () => {
    const file = path.join(work, 'breaks.json');
    await writeBreaksJson(t.store, runId, file);
    const json = JSON.parse(readFileSync(file, 'utf8')) as {
      run: { startedAt: string; finishedAt: string };
      breaks: { kind: string; key: Record<string, string | null> }[];
    };
    expect(json.run.startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(json.run.finishedAt).toMatch(/Z$/);
    expect(json.breaks.filter((b) => b.kind === 'only_right').map((b) => Object.keys(b.key))).toEqual([
      ['ref', 'clearingDate'],
      ['ref', 'clearingDate'],
    ]);
  });
});
