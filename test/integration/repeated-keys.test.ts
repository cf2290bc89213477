import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBreaks } from '../../src/reconcile/breaks.js';
import { loadRuleSet } from '../../src/reconcile/rule-set.js';
import { collect } from '../support/collect.js';
import { runLoggedTrades } from '../support/debug-lines.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { dateSequence, type T } from '../support/synthetic-trades.js';

// The first pass numbers a side's records of each trade number to pair the first and set the others
// aside as duplicates. The numbers several records share are searched for beforehand (on a server on a
// second connection, alongside; on the embedded database on the run's own) and only their records are
// numbered; a side with more such numbers than the run keeps (mostRepeatedKeys) is numbered whole.
// Every way must give the same breaks.

const ruleSet = loadRuleSet(
  'repeated.yaml',
  `name: repeated
reconciliations:
  t:
    entity: trades
    left: { source: dcass }
    right: { source: bos }
    passes:
      - { name: number, keys: [clearingDate, tradeNo] }
    compare:
      quantity: exact
      price: exact
`,
);

const fill = (tradeNo: string | null, quantity = '2'): T => ({
  tradeNo,
  account: 'H01',
  side: 'B',
  quantity,
  price: '100',
});

describe(`repeated key values of a side numbered by the first pass (${dbKind})`, () => {
  let t: TestDb;
  const nextDate = dateSequence('2019-08');
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  /** Loads the two sides, runs, and gives the run and its log's lines of the search alongside. */
  async function runLogged(date: string, left: T[], right: T[], mostRepeatedKeys?: number) {
    const { run, lines } = await runLoggedTrades(
      t.store,
      ruleSet,
      date,
      { dcass: left, bos: right },
      mostRepeatedKeys === undefined ? {} : { mostRepeatedKeys },
    );
    const search = lines.filter(
      (l) =>
        l.step ===
        `left key values several records share${t.store.kind === 'postgres' ? ' (alongside)' : ''}`,
    );
    // The values found are stored for the pass, which then numbers only their records; not stored,
    // the pass numbers the side whole.
    const stored = lines.some((l) => l.step === 'store left key values several records share');
    return { run, search, stored };
  }

  it.each([
    ['the values found', undefined],
    ['the side numbered whole (more values repeated than the run keeps)', 0],
  ])(
    'pairs the first record of a repeated number, sets the others aside, and leaves blank numbers alone: %s',
    async (_, mostRepeatedKeys) => {
      const date = nextDate();
      // DCASS: number 7 three times (the first pairs), 8 twice (no BOS record: the first is only_left),
      // two records without a number, and 9 once (a mismatch).
      const left = [
        fill('7'),
        fill('8'),
        fill('7', '3'),
        fill(null),
        fill('9'),
        fill('8'),
        fill('7', '4'),
        fill(null),
      ];
      const right = [fill('7'), fill('9', '5'), fill('10')];
      const { run, search, stored } = await runLogged(date, left, right, mostRepeatedKeys);
      expect(run.counts['t']).toMatchObject({
        matched: 1,
        breaks: { only_left: 3, only_right: 1, mismatch: 1, duplicate_left: 3, duplicate_right: 0 },
      });
      const breaks = await collect(listBreaks(t.store, run.runId));
      const records = new Map(
        (await t.store.db.selectFrom('trade').select(['id', 'trade_no', 'quantity']).execute()).map((r) => [
          r.id,
          `${r.trade_no ?? '-'}:${r.quantity}`,
        ]),
      );
      const numbered = (kind: string) =>
        breaks
          .filter((b) => b.kind === kind)
          .flatMap((b) => b.leftIds.map((id) => records.get(id)))
          .sort();
      // Trade number:quantity of each break's DCASS record. The second and third 7 (record order), the second 8.
      expect(numbered('duplicate_left')).toEqual(['7:3', '7:4', '8:2']);
      expect(numbered('only_left')).toEqual(['-:2', '-:2', '8:2']);

      if (mostRepeatedKeys === undefined) {
        // Numbers 7 and 8, stored for the pass.
        expect(search).toMatchObject([{ found: 2 }]);
        expect(stored).toBe(true);
      } else {
        // One more than the run keeps: the search stops there and the side is numbered whole.
        expect(search).toMatchObject([{ found: 1 }]);
        expect(stored).toBe(false);
      }
    },
  );

  it('finds no repeated number where there is none: every number pairs once, blank numbers pair with nothing', async () => {
    const date = nextDate();
    // Found none, the pass numbers neither side; a blank number must still pair with no other blank.
    const { run, search, stored } = await runLogged(
      date,
      [fill('1'), fill(null), fill('2'), fill('3'), fill('4')],
      [fill('3'), fill('2'), fill(null), fill('1')],
    );
    expect(run.counts['t']).toMatchObject({
      matched: 3,
      breaks: { only_left: 2, only_right: 1, mismatch: 0, duplicate_left: 0, duplicate_right: 0 },
    });
    expect(search).toMatchObject([{ found: 0 }]);
    expect(stored).toBe(false);
  });
});
