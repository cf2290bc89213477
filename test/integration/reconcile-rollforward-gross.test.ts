import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import {
  loadAccountMap,
  loadPositionRows,
  rollForwardView,
  runRollForward,
  upgradedDays,
} from '../support/synthetic-positions.js';
import { loadTrades, TCH340E9 } from '../support/synthetic-trades.js';

// The default rule set's positions-rollforward on gross accounts (long and short rolled apart by the
// trades' open/close indicators) and with the day's exercises and assignments.

describe(`positions-rollforward on gross accounts (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await upgradedDays(t.store, ['2019-05-06', '2019-05-07', '2019-05-08', '2019-05-09']);
    await loadAccountMap(t.store, { O01: 'GROSS', H01: 'NET' });
    await loadPositionRows(t.store, 'dcass', '2019-05-06', [
      { account: 'O01', long: '5', short: '3' },
      { account: 'H01', long: '4', short: '0' },
    ]);
  });
  afterAll(async () => t.dispose());

  it('rolls long and short apart: opening buys and sells add, closing ones take away, unmarked ones open', async () => {
    await loadTrades(t.store, 'dcass', '2019-05-07', [
      { account: 'O01', side: 'B', quantity: '2', openClose: 'O' }, // long 5 -> 7
      { account: 'O01', side: 'S', quantity: '1', openClose: 'C' }, // long 7 -> 6
      { account: 'O01', side: 'B', quantity: '1', openClose: 'C' }, // short 3 -> 2
      { account: 'O01', side: 'S', quantity: '4', openClose: null }, // short 2 -> 6 (opens)
      { account: 'H01', side: 'S', quantity: '2', openClose: 'C' }, // net 4 -> 2
      { account: 'H01', side: 'B', quantity: '1', openClose: 'O' }, // net 2 -> 3
    ]);
    await loadPositionRows(t.store, 'dcass', '2019-05-07', [
      { account: 'O01', long: '6', short: '6' },
      { account: 'H01', long: '3', short: '0' },
    ]);
    const r = await runRollForward(t.store, '2019-05-07');
    expect(r.breaks.map(rollForwardView)).toEqual([]);
    expect([r.counts.matched, r.counts.leftRecords, r.counts.rightRecords]).toEqual([2, 8, 2]);
  });

  it('breaks a gross account whose net agrees but whose long and short do not, naming long and short', async () => {
    // 8 May: each account sells 2 to open; DCASS shows both as closing (long down instead of short up).
    await loadTrades(t.store, 'dcass', '2019-05-08', [
      { account: 'O01', side: 'S', quantity: '2', openClose: 'O' },
      { account: 'H01', side: 'S', quantity: '2', openClose: 'O' },
    ]);
    await loadPositionRows(t.store, 'dcass', '2019-05-08', [
      { account: 'O01', long: '4', short: '6' },
      { account: 'H01', long: '1', short: '0' },
    ]);
    const r = await runRollForward(t.store, '2019-05-08');
    // The net account keeps only the net (3 - 2 = 1): no break; the gross account's long and short differ.
    expect(r.breaks.map(rollForwardView)).toEqual([['mismatch', 'O01', 'open', ['long 6/4', 'short 8/6']]]);
    expect(r.counts.matched).toBe(1);
  });

  it('a position with no record is flat only when the net account nets to 0, or the gross one holds neither side', async () => {
    // 9 May: H01 sells its 1 (flat); O01 (long 4, short 6) sells 1 and buys 3 to close: long 3, short 3.
    await loadTrades(t.store, 'dcass', '2019-05-09', [
      { account: 'H01', side: 'S', quantity: '1', openClose: 'C' },
      { account: 'O01', side: 'S', quantity: '1', openClose: 'C' },
      { account: 'O01', side: 'B', quantity: '3', openClose: 'C' },
    ]);
    await loadPositionRows(t.store, 'dcass', '2019-05-09', []);
    const r = await runRollForward(t.store, '2019-05-09');
    expect(r.breaks.map(rollForwardView)).toEqual([
      ['only_left', 'H01', 'explained', []],
      ['only_left', 'O01', 'open', []],
    ]);
  });
});

describe(`positions-rollforward with exercise and assignment (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await upgradedDays(t.store, ['2019-05-06', '2019-05-07', '2019-05-08']);
    await loadAccountMap(t.store, { O01: 'GROSS', M01: 'NET', I0007: 'NET' });
    await loadPositionRows(t.store, 'dcass', '2019-05-06', [
      { account: 'M01', instrument: TCH340E9, long: '150', short: '0' },
      { account: 'O01', instrument: TCH340E9, long: '10', short: '8' },
      { account: 'I0007', instrument: TCH340E9, long: '4', short: '0' },
    ]);
  });
  afterAll(async () => t.dispose());

  it('an exercise takes from long and an assignment from short: accounted for, no break', async () => {
    await loadTrades(t.store, 'dcass', '2019-05-07', [
      { account: 'M01', instrument: TCH340E9, side: 'B', quantity: '5' },
    ]);
    // The day's report: M01 exercised 20 (150 + 5 - 20); O01 exercised 3 of its long and was assigned 2
    // of its short; I0007 exercised all 4 and is flat, its record kept for the exercise.
    await loadPositionRows(t.store, 'dcass', '2019-05-07', [
      { account: 'M01', instrument: TCH340E9, long: '135', short: '0', exercised: '20', assigned: '0' },
      { account: 'O01', instrument: TCH340E9, long: '7', short: '6', exercised: '3', assigned: '2' },
      { account: 'I0007', instrument: TCH340E9, long: '0', short: '0', exercised: '4', assigned: '0' },
    ]);
    const r = await runRollForward(t.store, '2019-05-07');
    expect(r.breaks.map(rollForwardView)).toEqual([]);
    // Three previous positions, one trade, and the three day's positions whose exercise moved them.
    expect([r.counts.matched, r.counts.leftRecords, r.counts.rightRecords]).toEqual([3, 7, 3]);
  });

  it('the same movements with no exercise or assignment reported are breaks', async () => {
    // 8 May: the same falls (M01 long by 20, O01 long by 3 and short by 2, I0007 to flat) but the
    // report gives no exercised or assigned figures. No trades.
    await loadTrades(t.store, 'dcass', '2019-05-08', []);
    await loadPositionRows(t.store, 'dcass', '2019-05-08', [
      { account: 'M01', instrument: TCH340E9, long: '115', short: '0' },
      { account: 'O01', instrument: TCH340E9, long: '4', short: '4' },
    ]);
    const r = await runRollForward(t.store, '2019-05-08');
    // I0007 was flat after its exercise on 7 May and has no 8 May record: explained as flat.
    expect(r.breaks.map(rollForwardView)).toEqual([
      ['only_left', 'I0007', 'explained', []],
      ['mismatch', 'M01', 'open', ['net 135/115']],
      ['mismatch', 'O01', 'open', ['long 7/4', 'short 6/4']],
    ]);
    expect(r.counts.matched).toBe(0);
  });
});
