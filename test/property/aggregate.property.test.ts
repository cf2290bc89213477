import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { listBreaks } from '../../src/reconcile/breaks.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { aggregatedTrades, loadTrades, type T } from '../support/synthetic-trades.js';
import { fc, numRuns } from '../support/property.js';
import { collect } from '../support/collect.js';

// Each run of a property reconciles in the database; fewer runs than pure properties keep it quick.
const DB_RUNS = Math.min(numRuns, 30);

// A booking here is a trade number, account, side and price; its quantities are summed.
const ruleSet = aggregatedTrades(
  ['clearingDate', 'tradeNo', 'account', 'side', 'price'],
  ['account', 'side', 'quantity', 'price'],
);

interface Rec extends T {
  tradeNo: string | null;
  ref: string | null;
  account: string;
  side: 'B' | 'S';
  quantity: string;
  price: string;
}

const recArb = (blankNumbers: boolean, refs: boolean): fc.Arbitrary<Rec> =>
  fc.record({
    tradeNo: blankNumbers
      ? fc.option(fc.constantFrom('1', '2', '3', '4', '5', '6'), { freq: 4 })
      : fc.constantFrom('1', '2', '3', '4', '5', '6'),
    ref: refs ? fc.option(fc.constantFrom('R1', 'R2', 'R3', 'R4', 'R5'), { freq: 2 }) : fc.constant(null),
    account: fc.constantFrom('A1', 'A2'),
    side: fc.constantFrom<'B' | 'S'>('B', 'S'),
    quantity: fc.integer({ min: 1, max: 4 }).map(String),
    price: fc.constantFrom('100', '100.5'),
  });

/** A working row of the model: its records' ids (ascending) and values, the quantity summed. */
interface Row {
  ids: string[];
  rec: Rec;
  quantity: Decimal;
}

type Outcome = { matched: number; breaks: string[] };

/**
 * The reconciliation as the rule states it, record by record: the simplest reading, to hold the
 * database's (which reads groups of one where they lie and aggregates only shared trade numbers) to.
 */
function expected(left: [string, Rec][], right: [string, Rec][]): Outcome {
  const breaks: string[] = [];
  const row = (ids: string[], recs: Rec[]): Row => ({
    ids,
    rec: recs[0]!,
    quantity: recs.reduce((s, r) => s.plus(r.quantity), new Decimal(0)),
  });
  const describe = (kind: string, l: string[], r: string[]) => `${kind} [${l.join(',')}] [${r.join(',')}]`;
  // The unique rule: a reference seen before (by record id) is a duplicate before aggregation.
  const seen = new Set<string>();
  const kept: [string, Rec][] = [];
  for (const [id, r] of right) {
    if (r.ref !== null && seen.has(r.ref)) breaks.push(describe('duplicate_right', [], [id]));
    else kept.push([id, r]);
    if (r.ref !== null) seen.add(r.ref);
  }
  // Aggregation: a blank trade number is a row of its own.
  const groups = new Map<string, [string, Rec][]>();
  kept.forEach(([id, r]) => {
    const key = r.tradeNo === null ? `alone:${id}` : JSON.stringify([r.tradeNo, r.account, r.side, r.price]);
    groups.set(key, [...(groups.get(key) ?? []), [id, r]]);
  });
  const rightRows = [...groups.values()].map((g) =>
    row(
      g.map(([id]) => id),
      g.map(([, r]) => r),
    ),
  );
  const leftRows = left.map(([id, r]) => row([id], [r]));
  // Pass 1: the first row of a trade number (by its first record id) pairs, the others are duplicates.
  const byNumber = (rows: Row[], kind: string, sides: (r: Row) => [string[], string[]]) => {
    const firsts = new Map<string, Row>();
    for (const r of [...rows].sort((a, b) => Number(a.ids[0]) - Number(b.ids[0]))) {
      if (r.rec.tradeNo === null) continue;
      if (firsts.has(r.rec.tradeNo)) breaks.push(describe(kind, ...sides(r)));
      else firsts.set(r.rec.tradeNo, r);
    }
    return firsts;
  };
  const lFirst = byNumber(leftRows, 'duplicate_left', (r) => [r.ids, []]);
  const rFirst = byNumber(rightRows, 'duplicate_right', (r) => [[], r.ids]);
  let matched = 0;
  const paired = new Set<Row>();
  for (const [no, l] of lFirst) {
    const r = rFirst.get(no);
    if (r === undefined) continue;
    paired.add(l).add(r);
    const same =
      l.rec.account === r.rec.account &&
      l.rec.side === r.rec.side &&
      new Decimal(l.rec.price).eq(r.rec.price) &&
      l.quantity.eq(r.quantity);
    if (same) matched++;
    else breaks.push(describe('mismatch', l.ids, r.ids));
  }
  const isDup = (r: Row, first: Map<string, Row>) => r.rec.tradeNo !== null && first.get(r.rec.tradeNo) !== r;
  for (const l of leftRows)
    if (!paired.has(l) && !isDup(l, lFirst)) breaks.push(describe('only_left', l.ids, []));
  for (const r of rightRows)
    if (!paired.has(r) && !isDup(r, rFirst)) breaks.push(describe('only_right', [], r.ids));
  return { matched, breaks: breaks.sort() };
}

describe(`aggregation properties (${dbKind})`, () => {
  let t: TestDb;
  let day = 0;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  it('an aggregated side gives the pairs and breaks of the rule read record by record', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recArb(false, false), { minLength: 1, maxLength: 8 }),
        fc.array(recArb(true, true), { minLength: 1, maxLength: 12 }),
        async (left, right) => {
          day += 1;
          const date = new Date(Date.UTC(2032, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
          // Each side over two files, as loaded days often are.
          for (const [source, recs] of [
            ['dcass', left],
            ['bos', right],
          ] as const) {
            const half = Math.floor(recs.length / 2);
            for (const part of [recs.slice(0, half), recs.slice(half)])
              if (part.length > 0) await loadTrades(t.store, source, date, part);
          }
          const ids = await t.store.db
            .selectFrom('trade')
            .select(['id', 'source'])
            .where('clearing_date', '=', date)
            .orderBy('id')
            .execute();
          const of = (source: string, recs: Rec[]) =>
            ids.filter((r) => r.source === source).map((r, i): [string, Rec] => [String(r.id), recs[i]!]);
          const want = expected(of('dcass', left), of('bos', right));
          const run = await runReconciliation(t.store, {
            businessDate: date,
            ruleSet,
            allowNonTradingDay: true,
          });
          const got = (await collect(listBreaks(t.store, run.runId)))
            .filter((b) => !b.clearedByRun)
            .map((b) => `${b.kind} [${b.leftIds.join(',')}] [${b.rightIds.join(',')}]`)
            .sort();
          expect(got).toEqual(want.breaks);
          expect(run.counts['t']?.matched ?? 0).toBe(want.matched);
        },
      ),
      { numRuns: DB_RUNS },
    );
  });
});
