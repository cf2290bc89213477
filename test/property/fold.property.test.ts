import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBreaks } from '../../src/reconcile/breaks.js';
import { loadRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { ADJUSTMENT_TRADE_TYPES } from '../../src/model/vocabulary.js';
import { collect } from '../support/collect.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { fc, numRuns } from '../support/property.js';
import { loadTrades, type T } from '../support/synthetic-trades.js';

// Folding a trade's adjustments into it never turns a matched trade into a break when the back office
// booked the nets: whatever adjustments (give-ups, take-ups, transfers between accounts, rectifies,
// close-outs) a trade has, in whatever accounts, and whichever of them the back office booked as
// trades of their own (under their exchange numbers) instead of netting them.

const DB_RUNS = Math.min(numRuns, 25);
const ACCOUNTS = ['A1', 'A2', 'A3'] as const;

// Account is part of the key: a trade whose adjustments leave quantities in two accounts is two rows
// under one trade number.
const ruleSet = loadRuleSet(
  'fold.yaml',
  `name: fold
reconciliations:
  t:
    entity: trades
    left: { source: dcass }
    right: { source: bos }
    fold: { side: left }
    passes: [{ keys: [clearingDate, tradeNo, account] }]
    compare: { quantity: exact, side: exact, price: exact }
    explain:
      - { name: given-up, kinds: [only_left], left: { quantity: '0' }, reason: given up in full }
`,
);

interface Deal {
  readonly account: (typeof ACCOUNTS)[number];
  readonly side: 'B' | 'S';
  readonly quantity: number;
}
const deal = {
  account: fc.constantFrom(...ACCOUNTS),
  side: fc.constantFrom<'B' | 'S'>('B', 'S'),
  quantity: fc.integer({ min: 1, max: 20 }),
};
const familyArb = fc.record({
  original: fc.record(deal),
  adjustments: fc.array(
    // bookedAlone: the back office booked the adjustment as a trade of its own, under its exchange number.
    fc.record({ ...deal, type: fc.constantFrom(...ADJUSTMENT_TRADE_TYPES), bookedAlone: fc.boolean() }),
    { maxLength: 4 },
  ),
});

const signed = (d: Deal) => (d.side === 'B' ? d.quantity : -d.quantity);

describe(`fold properties (${dbKind})`, () => {
  let t: TestDb;
  let day = 0;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  it('a trade and its adjustments against the nets booked per account: nothing open, every record once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(familyArb, { minLength: 1, maxLength: 8 }), async (families) => {
        day += 1;
        const date = new Date(Date.UTC(2031, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
        const dcass: T[] = [];
        const bos: T[] = [];
        let flat = 0;
        families.forEach((f, i) => {
          const no = String(100 + i);
          dcass.push({ tradeNo: no, ...f.original, quantity: String(f.original.quantity) });
          const net = new Map<string, number>([[f.original.account, signed(f.original)]]);
          f.adjustments.forEach((a, j) => {
            const own = `${no}-${j}`;
            dcass.push({ tradeNo: own, origTradeNo: no, tradeType: a.type, account: a.account, side: a.side, quantity: String(a.quantity) });
            if (a.bookedAlone) bos.push({ tradeNo: own, account: a.account, side: a.side, quantity: String(a.quantity) });
            else net.set(a.account, (net.get(a.account) ?? 0) + signed(a));
          });
          const booked = [...net].filter(([, n]) => n !== 0);
          for (const [account, n] of booked)
            bos.push({ tradeNo: no, account, side: n > 0 ? 'B' : 'S', quantity: String(Math.abs(n)) });
          if (booked.length === 0) flat += 1;
        });
        await loadTrades(t.store, 'dcass', date, dcass);
        await loadTrades(t.store, 'bos', date, bos);
        const run = await runReconciliation(t.store, { businessDate: date, ruleSet, allowNonTradingDay: true });
        const breaks = (await collect(listBreaks(t.store, run.runId))).filter((b) => !b.clearedByRun);
        // Nothing open; a trade given up in full (nothing left in any account, nothing booked) is the
        // one break, explained.
        expect(breaks.filter((b) => b.status !== 'explained')).toEqual([]);
        expect(breaks).toHaveLength(flat);
        // Every BOS row matched; every DCASS record in exactly one place, a pair (a folded pair holds
        // the trade and its adjustments) or a break.
        const c = run.counts['t']!;
        expect(c.matched).toBe(bos.length);
        const paired = await sql<{ id: string }>`SELECT unnest(left_ids)::text AS id FROM recon_match
          WHERE run_id = ${run.runId}::bigint AND recon = 't'`.execute(t.store.db);
        const placed = [...paired.rows.map((r) => r.id), ...breaks.flatMap((b) => b.leftIds)];
        expect(placed).toHaveLength(dcass.length);
        expect(new Set(placed).size).toBe(dcass.length);
      }),
      {
        numRuns: DB_RUNS,
        // Found by CI: a family flat in one account (A2) and holding two others; the flat account's
        // records joined every other row instead of the first only, so they were placed twice.
        examples: [
          [
            [
              {
                original: { account: 'A3', side: 'B', quantity: 1 },
                adjustments: [
                  { account: 'A2', side: 'B', quantity: 14, type: 'GUP', bookedAlone: false },
                  { account: 'A2', side: 'S', quantity: 14, type: 'GUP', bookedAlone: false },
                  { account: 'A1', side: 'B', quantity: 1, type: 'GUP', bookedAlone: false },
                ],
              },
              { original: { account: 'A1', side: 'B', quantity: 1 }, adjustments: [] },
            ],
          ],
        ],
      },
    );
  });
});
