import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeCalendar } from '../../src/calendar/change-calendar.js';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { calendar, fixtureRequests, ingest, profiles } from '../support/ingest.js';

/** One Genium INET TRD001 detail record (fixed width, 1-based columns as the genium-trd001 profile reads them). */
function geniumTrade(t: {
  series: string;
  tradeNo: number;
  account: string;
  side: 'B' | 'S';
  quantity: number;
  price: number;
  time: string;
}): string {
  const n = (v: number, width: number) => String(v).padStart(width, '0');
  return [
    'D20190510',
    t.series.padEnd(16),
    n(t.tradeNo, 10),
    n(500000 + (t.tradeNo % 1000), 10),
    t.account.padEnd(12),
    t.side,
    n(t.quantity, 9),
    n(t.price * 10000, 14),
    'TST',
    n(0, 10),
    '20190510',
    t.time,
    ' ',
  ].join('');
}

/** A Genium TRD001 backup of 10 May 2019, as a CP would have after a fallback: two of the day's trades. */
const GENIUM_0510 = [
  'HTRD001  CABC 2019051020190510231000',
  geniumTrade({
    series: 'HSIK9',
    tradeNo: 1001231,
    account: 'M01',
    side: 'S',
    quantity: 6,
    price: 28610,
    time: '091511',
  }),
  geniumTrade({
    series: 'HSIK9',
    tradeNo: 1001232,
    account: 'H01',
    side: 'S',
    quantity: 5,
    price: 28590,
    time: '091845',
  }),
  'T000000002000000000000000011',
  '',
].join('\n');

describe(`the exchange side of the default rules follows the date's platform (${dbKind})`, () => {
  let t: TestDb;
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-fallback-'));
  const ruleSet = loadBuiltinRuleSet();
  const run = (businessDate: string) =>
    runReconciliation(t.store, { businessDate, ruleSet, recons: ['trades-bos', 'positions-bos'] });

  beforeAll(async () => {
    t = await createTestDb();
    await ingest(t.store, fixtureRequests());
    await changeCalendar(
      { store: t.store, calendar, profiles, ruleSet },
      {
        action: 'fallback',
        date: '2019-05-10',
        reason: 'HKEX: fallback from T session 10 May',
        actor: 'alice',
      },
    );
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('before the fallback, BOS is compared with the upgraded DCASS, as on the last Genium day', async () => {
    for (const date of ['2019-05-03', '2019-05-07']) {
      const summary = await run(date);
      expect(summary.missingInputs).toEqual([]);
      const dcass = summary.inputs.filter((i) => i.usedBy.includes('trades-bos:left'));
      expect(dcass.length).toBeGreaterThan(0);
      expect(dcass.every((i) => i.source === 'dcass')).toBe(true);
      expect(summary.counts['trades-bos']!.leftRecords).toBeGreaterThan(0);
    }
  });

  it('from the fallback on, the Genium backups are the exchange side: missing ones are missing inputs, not breaks', async () => {
    const summary = await run('2019-05-10');
    expect(summary.missingInputs.map((m) => [m.recon, m.side, m.input, m.state])).toEqual([
      ['trades-bos', 'left', 'genium-trades', 'missing'],
      ['positions-bos', 'left', 'genium-positions', 'missing'],
    ]);
    expect(summary.counts['trades-bos']).toMatchObject({ leftRecords: 0, rightRecords: 0, matched: 0 });
    expect(summary.open).toBe(0);
  });

  it('with the Genium trades of the day loaded, trades-bos pairs them with the BOS bookings', async () => {
    const file = path.join(work, 'TRD001_CABC_20190510.lis');
    writeFileSync(file, GENIUM_0510);
    const [loaded] = await ingest(t.store, [{ path: file, source: 'genium' }]);
    expect([loaded!.status, loaded!.rows, loaded!.rejected]).toEqual(['loaded', 2, 0]);
    const summary = await run('2019-05-10');
    expect(summary.missingInputs.map((m) => m.input)).toEqual(['genium-positions']);
    expect(summary.inputs.filter((i) => i.usedBy.includes('trades-bos:left')).map((i) => i.file)).toEqual([
      'TRD001_CABC_20190510.lis',
    ]);
    expect(summary.counts['trades-bos']).toMatchObject({ leftRecords: 2, matched: 2 });
    // The BOS trades of the day that the two Genium trades do not cover are only_right, nothing differs.
    expect(summary.counts['trades-bos']!.breaks).toMatchObject({ only_left: 0, mismatch: 0 });
    expect(summary.counts['trades-bos']!.breaks.only_right).toBeGreaterThan(0);
  });
});
