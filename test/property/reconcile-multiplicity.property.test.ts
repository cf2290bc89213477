import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBreaks, type Break } from '../../src/reconcile/breaks.js';
import { loadRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation, type RunSummary } from '../../src/reconcile/run.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { loadTrades, type T } from '../support/synthetic-trades.js';
import { fc, numRuns } from '../support/property.js';
import { collect } from '../support/collect.js';

// Each run of a property reconciles in the database; fewer runs than pure properties keep it quick.
const DB_RUNS = Math.min(numRuns, 25);

// As the default rule set: trade numbers first (a repeated number is a duplicate), then content with
// repeats paired n-to-n. DCASS numbers every fill, BOS none here, so everything pairs by content.
const ruleSet = loadRuleSet(
  'multiplicity-prop.yaml',
  `name: prop
reconciliations:
  t:
    entity: trades
    left: { source: dcass }
    right: { source: bos }
    passes:
      - { name: trade-number, keys: [clearingDate, tradeNo] }
      - { name: content, keys: [clearingDate, account, side, quantity, price], repeats: pair }
    compare: { quantity: exact, price: exact, account: exact, side: exact }
`,
);

/** A group of identical fills: its content, and how many records of it each side holds. */
interface Group {
  content: T;
  left: number;
  right: number;
}

/** Distinct contents (by quantity), each with its own counts on each side. */
const groupsArb = (counts: fc.Arbitrary<[number, number]>) =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 6 })
    .chain((quantities) =>
      fc.tuple(
        ...quantities.map((q) =>
          fc
            .tuple(counts, fc.constantFrom<'B' | 'S'>('B', 'S'))
            .map(([[left, right], side]): Group => ({
              content: { quantity: String(q), side, price: '100.5' },
              left,
              right,
            })),
        ),
      ),
    );

describe(`multiplicity properties (${dbKind})`, () => {
  let t: TestDb;
  let day = 0;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  /** A fresh business date per property run, so runs never see each other's records. */
  function nextDate(): string {
    day += 1;
    return new Date(Date.UTC(2031, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
  }

  /** Loads the groups, each side's records in the order the shuffle gives, split over two files. */
  async function reconcile(
    groups: readonly Group[],
    shuffle: number,
  ): Promise<{ run: RunSummary; breaks: Break[]; quantity: Map<string, string> }> {
    const date = nextDate();
    const side = (n: (g: Group) => number, numbered: boolean) => {
      const rows = groups.flatMap((g) => Array.from({ length: n(g) }, () => ({ ...g.content })));
      const rotated = rows.map((_, i) => rows[(i + shuffle) % rows.length]!);
      return rotated.map((r, i) => ({ ...r, tradeNo: numbered ? String(1000 + i) : null }));
    };
    const load = async (source: 'dcass' | 'bos', rows: T[]) => {
      const half = Math.floor(rows.length / 2);
      for (const part of [rows.slice(0, half), rows.slice(half)])
        await loadTrades(t.store, source, date, part);
    };
    await load(
      'dcass',
      side((g) => g.left, true),
    );
    await load(
      'bos',
      side((g) => g.right, false),
    );
    const run = await runReconciliation(t.store, { businessDate: date, ruleSet, allowNonTradingDay: true });
    const breaks = (await collect(listBreaks(t.store, run.runId))).filter((b) => !b.clearedByRun);
    // A record's quantity names its group (an only_ break is keyed by trade number, not by content).
    const trades = await t.store.db
      .selectFrom('trade')
      .select(['id', 'quantity'])
      .where('clearing_date', '=', date)
      .execute();
    const quantity = new Map(trades.map((r) => [String(r.id), String(r.quantity)]));
    return { run, breaks, quantity };
  }

  it('n identical records on each side always pair fully: no break', async () => {
    const same = fc.integer({ min: 1, max: 5 }).map((n): [number, number] => [n, n]);
    await fc.assert(
      fc.asyncProperty(groupsArb(same), fc.nat(), async (groups, shuffle) => {
        const { run, breaks } = await reconcile(groups, shuffle);
        expect(breaks).toEqual([]);
        const total = groups.reduce((n, g) => n + g.left, 0);
        expect(run.counts['t']!.matched).toBe(total);
        expect(run.counts['t']!.matchedByPass).toEqual({ '2': total });
      }),
      { numRuns: DB_RUNS },
    );
  });

  it('m against n leaves exactly |m-n| duplicates on the larger side, each stating m and n', async () => {
    const any = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }));
    await fc.assert(
      fc.asyncProperty(groupsArb(any), fc.nat(), async (groups, shuffle) => {
        const { run, breaks, quantity } = await reconcile(groups, shuffle);
        const c = run.counts['t']!;
        expect(c.matched).toBe(groups.reduce((n, g) => n + Math.min(g.left, g.right), 0));
        for (const g of groups) {
          const of = breaks.filter(
            (b) => quantity.get([...b.leftIds, ...b.rightIds][0]!) === g.content.quantity,
          );
          const expected: [string, string | null][] = [];
          const larger = g.left > g.right ? 'left' : 'right';
          const excess = Math.abs(g.left - g.right);
          // A key the other side lacks altogether: its first record is missing there, not a repeat.
          const missing = Math.min(g.left, g.right) === 0 && excess > 0 ? 1 : 0;
          for (let i = 0; i < missing; i++) expected.push([`only_${larger}`, null]);
          for (let i = 0; i < excess - missing; i++)
            expected.push([`duplicate_${larger}`, `${g.left}:${g.right}`]);
          expect(
            of
              .map((b) => [
                b.kind,
                b.fields.length === 0 ? null : `${b.fields[0]!.left}:${b.fields[0]!.right}`,
              ])
              .sort(),
          ).toEqual(expected.sort());
          for (const b of of.filter((x) => x.kind.startsWith('duplicate'))) {
            expect(b.fields).toEqual([
              {
                field: 'records with this key',
                left: String(g.left),
                right: String(g.right),
                comparator: 'paired n-to-n',
              },
            ]);
          }
        }
        // Every record is in exactly one place: a clean pair, or one break.
        const used = (s: 'leftIds' | 'rightIds') => breaks.reduce((n, b) => n + b[s].length, 0);
        expect(c.matched + used('leftIds')).toBe(groups.reduce((n, g) => n + g.left, 0));
        expect(c.matched + used('rightIds')).toBe(groups.reduce((n, g) => n + g.right, 0));
      }),
      { numRuns: DB_RUNS },
    );
  });
});
