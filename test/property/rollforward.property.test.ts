import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBreaks } from '../../src/reconcile/breaks.js';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { collect } from '../support/collect.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { fc, numRuns } from '../support/property.js';
import { loadAccountMap, loadPositionRows, upgradedDays, type P } from '../support/synthetic-positions.js';
import { loadTrades, type T } from '../support/synthetic-trades.js';

// Rolling a day's opening and closing trades and exercises forward from true positions never breaks
// when the day's positions are the true ones: on gross accounts (long and short kept apart) and net
// ones (the net kept), whatever the trades' indicators, in any order, with flat positions unlisted.

const DB_RUNS = Math.min(numRuns, 25);
const ACCOUNTS = { G1: 'GROSS', G2: 'GROSS', N1: 'NET' } as const;
type Account = keyof typeof ACCOUNTS;
const ruleSet = loadBuiltinRuleSet();

const qty = fc.integer({ min: 0, max: 20 });
const dayArb = fc.record({
  opening: fc.record({ G1: fc.tuple(qty, qty), G2: fc.tuple(qty, qty), N1: fc.tuple(qty, qty) }),
  trades: fc.array(
    fc.record({
      account: fc.constantFrom<Account>('G1', 'G2', 'N1'),
      side: fc.constantFrom<'B' | 'S'>('B', 'S'),
      openClose: fc.constantFrom<'O' | 'C' | null>('O', 'C', null),
      quantity: fc.integer({ min: 1, max: 20 }),
    }),
    { maxLength: 12 },
  ),
  // The share of the day's long exercised and of its short assigned, per account (0: none).
  exercise: fc.record({ G1: fc.tuple(qty, qty), G2: fc.tuple(qty, qty), N1: fc.tuple(qty, qty) }),
});

/**
 * A position record of long and short on an account, or none when it is flat and `listFlat` is not
 * set: the previous day lists every account, so it is the day a run rolls forward from.
 */
function record(
  account: Account,
  long: number,
  short: number,
  exercised = 0,
  assigned = 0,
  listFlat = false,
): P[] {
  if (!listFlat && long === 0 && short === 0 && exercised === 0 && assigned === 0) return [];
  return [
    {
      account,
      long: String(long),
      short: String(short),
      exercised: String(exercised),
      assigned: String(assigned),
    },
  ];
}

describe(`positions-rollforward properties (${dbKind})`, () => {
  let t: TestDb;
  let day = 0;
  beforeAll(async () => {
    t = await createTestDb();
    await loadAccountMap(t.store, ACCOUNTS);
  });
  afterAll(async () => t.dispose());

  it('true previous positions, trades and exercises against the true day positions: nothing open', async () => {
    await fc.assert(
      fc.asyncProperty(dayArb, async ({ opening, trades, exercise }) => {
        const [before, date] = [2 * day, 2 * day + 1].map((i) =>
          new Date(Date.UTC(2031, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
        ) as [string, string];
        day += 1;
        // Two upgraded-platform days per run (shrinking included), consecutive calendar days from 2031.
        await upgradedDays(t.store, [before, date]);
        // The truth: a gross account keeps long and short apart; a net account keeps its net only.
        const held = new Map<Account, [number, number]>();
        const prev: P[] = [];
        for (const a of Object.keys(ACCOUNTS) as Account[]) {
          const [l, s] = opening[a];
          const [long, short] = ACCOUNTS[a] === 'GROSS' ? [l, s] : [Math.max(l - s, 0), Math.max(s - l, 0)];
          held.set(a, [long, short]);
          prev.push(...record(a, long, short, 0, 0, true));
        }
        const booked: T[] = [];
        for (const tr of trades) {
          const [long, short] = held.get(tr.account)!;
          if (ACCOUNTS[tr.account] === 'NET') {
            const net = long - short + (tr.side === 'B' ? tr.quantity : -tr.quantity);
            held.set(tr.account, [Math.max(net, 0), Math.max(-net, 0)]);
            booked.push({ ...tr, quantity: String(tr.quantity) });
            continue;
          }
          // A closing trade closes no more than is held (else DCASS would not accept it as closing).
          const closing = tr.openClose === 'C';
          const quantity = closing ? Math.min(tr.quantity, tr.side === 'S' ? long : short) : tr.quantity;
          if (quantity === 0) continue;
          if (tr.side === 'B')
            held.set(tr.account, closing ? [long, short - quantity] : [long + quantity, short]);
          else held.set(tr.account, closing ? [long - quantity, short] : [long, short + quantity]);
          booked.push({ ...tr, quantity: String(quantity) });
        }
        const today: P[] = [];
        for (const a of Object.keys(ACCOUNTS) as Account[]) {
          const [long, short] = held.get(a)!;
          const exercised = Math.min(exercise[a][0], long);
          const assigned = Math.min(exercise[a][1], short);
          today.push(...record(a, long - exercised, short - assigned, exercised, assigned));
        }
        await loadPositionRows(t.store, 'dcass', before, prev);
        await loadTrades(t.store, 'dcass', date, booked);
        await loadPositionRows(t.store, 'dcass', date, today);

        const run = await runReconciliation(t.store, {
          businessDate: date,
          ruleSet,
          recons: ['positions-rollforward'],
        });
        const breaks = (await collect(listBreaks(t.store, run.runId))).filter(
          (b) => !b.clearedByRun && b.status === 'open',
        );
        expect(run.counts['positions-rollforward']!.skipped ?? null).toBeNull();
        expect(breaks.map((b) => [b.kind, b.key, b.fields])).toEqual([]);
      }),
      { numRuns: DB_RUNS },
    );
  });
});
