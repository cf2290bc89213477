import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { loadPositions, rollForwardView, runRollForward, upgradedDays } from '../support/synthetic-positions.js';
import { loadTrades } from '../support/synthetic-trades.js';

// The default rule set's positions-rollforward, on upgraded-platform dates of the 2019 calendar.

describe(`positions-rollforward (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    // The calendar (upgraded platform from 6 May) is synced by ingest; these tests load directly.
    await upgradedDays(t.store, ['2019-05-06', '2019-05-07', '2019-05-08']);
  });
  afterAll(async () => t.dispose());

  it('is skipped, with the reason, when no earlier positions are loaded to roll forward from', async () => {
    await loadPositions(t.store, 'dcass', '2019-05-06', { A1: '10', A2: '-3' });
    const r = await runRollForward(t.store, '2019-05-06');
    expect(r.counts.skipped).toBe('no dcass positions before 2019-05-06 are loaded to roll forward from');
  });

  it("yesterday's positions plus today's trades give today's positions; a flat position is explained", async () => {
    await loadTrades(t.store, 'dcass', '2019-05-07', [
      { tradeNo: '1', account: 'A1', side: 'B', quantity: '2' },
      { tradeNo: '2', account: 'A1', side: 'S', quantity: '5' },
      { tradeNo: '3', account: 'A2', side: 'B', quantity: '3' },
      { tradeNo: '4', account: 'A3', side: 'B', quantity: '1' },
    ]);
    await loadPositions(t.store, 'dcass', '2019-05-07', { A1: '7', A3: '1' });
    const r = await runRollForward(t.store, '2019-05-07');
    expect(r.breaks.map(rollForwardView)).toEqual([['only_left', 'A2', 'explained', []]]);
    expect(r.breaks[0]!.reason).toMatch(/^flat/);
    expect([r.counts.matched, r.counts.leftRecords, r.counts.rightRecords]).toEqual([2, 6, 2]);
  });

  it('catches a trade missing from the trade report, and a position that moved with no trade', async () => {
    // 8 May: A1 sold 4 (its trade is missing from the report); A3's position grew by 2 with no trade.
    await loadTrades(t.store, 'dcass', '2019-05-08', [
      { tradeNo: '5', account: 'A1', side: 'B', quantity: '1' },
    ]);
    await loadPositions(t.store, 'dcass', '2019-05-08', { A1: '4', A3: '3' });
    const r = await runRollForward(t.store, '2019-05-08');
    expect(r.breaks.map(rollForwardView)).toEqual([
      ['mismatch', 'A1', 'open', ['net 8/4']],
      ['mismatch', 'A3', 'open', ['net 1/3']],
    ]);
    // The expected A1 position lists its records: yesterday's position and today's trade.
    const a1 = r.breaks[0]!;
    expect(a1.leftIds.some((id) => id.startsWith('-'))).toBe(true);
    expect(a1.leftIds.some((id) => !id.startsWith('-'))).toBe(true);
  });
});

// A give-up the report marks pending (stored as PGU) has not moved the position: the roll-forward
// leaves it out, while a confirmed one (GUP) moves it.
describe(`positions-rollforward and pending give-ups (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await upgradedDays(t.store, ['2019-05-06', '2019-05-07']);
  });
  afterAll(async () => t.dispose());

  it('a pending give-up leaves the position with the giver; a confirmed one moves it', async () => {
    await loadPositions(t.store, 'dcass', '2019-05-06', { A1: '10', A2: '10' });
    await loadTrades(t.store, 'dcass', '2019-05-07', [
      { tradeNo: '1', account: 'A1', side: 'B', quantity: '2' },
      { tradeNo: '2', account: 'A1', side: 'S', quantity: '2', tradeType: 'PGU', origTradeNo: '1' },
      { tradeNo: '3', account: 'A2', side: 'B', quantity: '3' },
      { tradeNo: '4', account: 'A2', side: 'S', quantity: '3', tradeType: 'GUP', origTradeNo: '3' },
    ]);
    // A1: 10 + 2 (its give-up pending); A2: 10 + 3 - 3.
    await loadPositions(t.store, 'dcass', '2019-05-07', { A1: '12', A2: '10' });
    const r = await runRollForward(t.store, '2019-05-07');
    expect(r.breaks.map(rollForwardView)).toEqual([]);
    // Two positions and the three trades that moved them; the pending give-up is not read.
    expect([r.counts.matched, r.counts.leftRecords, r.counts.rightRecords]).toEqual([2, 5, 2]);
  });
});
