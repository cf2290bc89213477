import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBreaks } from '../../src/reconcile/breaks.js';
import { collect } from '../support/collect.js';
import { runLoggedTrades } from '../support/debug-lines.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { aggregatedTrades, dateSequence, type T } from '../support/synthetic-trades.js';

// An aggregated side's shared values (its unique rule's, the first pass's key it groups) are nearly
// always none. On a server a second connection asks whether there are any while the run's connection
// loads without them and runs the passes; when there are (or the DCASS side repeats a trade number),
// the run goes back to before its loads and takes the long way. Whichever way, the same breaks as the
// embedded database's, which always takes the long way.

const ruleSet = aggregatedTrades(
  ['clearingDate', 'tradeNo', 'account', 'instrument', 'side', 'price'],
  ['quantity', 'price'],
);

let refs = 0;
const fill = (tradeNo: string | null, quantity = '2', ref?: string): T => ({
  tradeNo,
  ref: ref ?? `R${++refs}`,
  account: 'H01',
  side: 'B',
  quantity,
  price: '100',
});

describe(`an aggregated side's shared values searched alongside the passes (${dbKind})`, () => {
  let t: TestDb;
  const nextDate = dateSequence('2019-09');
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  it.each([
    {
      what: 'nothing shared: one way, no going back',
      left: [fill('1'), fill('2'), fill('3', '5')],
      right: [fill('1'), fill('2', '3'), fill('4')],
      counts: {
        matched: 1,
        breaks: { only_left: 1, only_right: 1, mismatch: 1, duplicate_left: 0, duplicate_right: 0 },
      },
      kinds: ['mismatch:2:2', 'only_left:3:', 'only_right::4'],
      shared: false,
    },
    {
      what: 'BOS allocations of one trade number, summed against the DCASS trade',
      left: [fill('1', '5'), fill('2')],
      right: [fill('1', '2'), fill('1', '3'), fill('2')],
      counts: {
        matched: 2,
        breaks: { only_left: 0, only_right: 0, mismatch: 0, duplicate_left: 0, duplicate_right: 0 },
      },
      kinds: [],
      shared: true,
    },
    {
      what: 'a BOS reference booked twice: a duplicate, not an allocation',
      left: [fill('1'), fill('2')],
      right: [fill('1', '2', 'X1'), fill('2'), fill('1', '2', 'X1')],
      counts: {
        matched: 2,
        breaks: { only_left: 0, only_right: 0, mismatch: 0, duplicate_left: 0, duplicate_right: 1 },
      },
      kinds: ['duplicate_right::1'],
      shared: true,
    },
    {
      what: 'nothing shared in BOS, a DCASS trade number repeated',
      left: [fill('1'), fill('2'), fill('1')],
      right: [fill('1'), fill('2')],
      counts: {
        matched: 2,
        breaks: { only_left: 0, only_right: 0, mismatch: 0, duplicate_left: 1, duplicate_right: 0 },
      },
      kinds: ['duplicate_left:1:'],
      shared: false,
    },
  ])('$what', async ({ left, right, counts, kinds, shared }) => {
    const date = nextDate();
    const { run, lines } = await runLoggedTrades(t.store, ruleSet, date, { dcass: left, bos: right });
    expect(run.counts['t']).toMatchObject(counts);

    // Each break's kind with the trade numbers of its records, left then right.
    const numbers = new Map(
      (await t.store.db.selectFrom('trade').select(['id', 'trade_no']).execute()).map((r) => [
        r.id,
        r.trade_no ?? '-',
      ]),
    );
    const breaks = await collect(listBreaks(t.store, run.runId));
    const described = breaks
      .map((b) =>
        [
          b.kind,
          b.leftIds.map((id) => numbers.get(id)).join(','),
          b.rightIds.map((id) => numbers.get(id)).join(','),
        ].join(':'),
      )
      .sort();
    expect(described).toEqual(kinds);

    const probe = lines.filter((l) => l.step === 'right values several records share (alongside)');
    const again = lines.some(
      (l) =>
        l.msg === 'values several records share found alongside (or not searched): loading again with them',
    );
    const onMain = lines.some((l) => l.step === 'right values several records share');
    if (t.store.kind === 'postgres') {
      // Asked alongside; the answer decides whether the run went back and searched on its own connection.
      expect(probe).toMatchObject([{ found: shared }]);
      const leftRepeats = left.length !== new Set(left.map((r) => r.tradeNo)).size;
      expect(again).toBe(shared || leftRepeats);
      expect(onMain).toBe(shared || leftRepeats);
    } else {
      // One connection: always the long way, the search on the run's connection.
      expect(probe).toEqual([]);
      expect(again).toBe(false);
      expect(onMain).toBe(true);
    }
  });
});
