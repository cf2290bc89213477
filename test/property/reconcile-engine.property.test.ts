import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/db/connect.js';
import { listBreaks, type Break } from '../../src/reconcile/breaks.js';
import { loadRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation, type RunSummary } from '../../src/reconcile/run.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { loadTrades } from '../support/synthetic-trades.js';
import { fc, numRuns } from '../support/property.js';
import { collect } from '../support/collect.js';

// Each run of a property reconciles in the database; fewer runs than pure properties keep it quick.
const DB_RUNS = Math.min(numRuns, 25);

interface Row {
  tradeNo: string;
  quantity: string;
  price: string;
}

async function load(store: Store, source: 'dcass' | 'bos', date: string, rows: readonly Row[]) {
  // Split into two files: file boundaries must not change the result.
  const half = Math.floor(rows.length / 2);
  for (const part of [rows.slice(0, half), rows.slice(half)]) await loadTrades(store, source, date, part);
}

const ruleSet = (left: string, right: string) =>
  loadRuleSet(
    `${left}-${right}.yaml`,
    `name: prop
reconciliations:
  t:
    entity: trades
    left: { source: ${left} }
    right: { source: ${right} }
    passes: [{ keys: [clearingDate, tradeNo] }]
    compare: { quantity: exact, price: { comparator: abs, tolerance: "0.01" } }
`,
  );
const forward = ruleSet('dcass', 'bos');
const backward = ruleSet('bos', 'dcass');

/** Distinct trade numbers with small decimal quantities and prices. */
const rowsArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 10_000 }), { minLength: 0, maxLength: 30 })
  .chain((nos) =>
    fc.tuple(
      ...nos.map((no) =>
        fc.record({
          tradeNo: fc.constant(String(no)),
          quantity: fc.integer({ min: 1, max: 500 }).map(String),
          price: fc.integer({ min: 1, max: 3_000_000 }).map((c) => (c / 100).toFixed(2)),
        }),
      ),
    ),
  )
  .map((rows) => rows as Row[]);

type Edit = 'missing' | 'extra' | 'quantity' | 'price' | 'duplicate' | 'withinTolerance';
const EXPECTED: Record<Edit, Break['kind'] | null> = {
  missing: 'only_left',
  extra: 'only_right',
  quantity: 'mismatch',
  price: 'mismatch',
  duplicate: 'duplicate_right',
  withinTolerance: null,
};

/** The right side: a copy of the left with one edit on each chosen row. */
function applyEdits(rows: readonly Row[], edits: readonly (Edit | null)[]): Row[] {
  const out: Row[] = [];
  rows.forEach((r, i) => {
    const e = edits[i] ?? null;
    if (e === 'missing') return;
    if (e === 'quantity') out.push({ ...r, quantity: String(Number(r.quantity) + 1) });
    else if (e === 'price') out.push({ ...r, price: (Number(r.price) + 0.02).toFixed(2) });
    else if (e === 'withinTolerance') out.push({ ...r, price: (Number(r.price) + 0.01).toFixed(2) });
    else out.push(r);
    if (e === 'duplicate') out.push({ ...r });
    if (e === 'extra') out.push({ ...r, tradeNo: `x${r.tradeNo}` });
  });
  return out;
}

describe(`reconciliation properties (${dbKind})`, () => {
  let t: TestDb;
  let day = 0;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  /** A fresh business date per property run, so runs never see each other's records. */
  function nextDate(): string {
    day += 1;
    return new Date(Date.UTC(2030, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
  }

  async function reconcile(date: string, rs = forward): Promise<{ run: RunSummary; breaks: Break[] }> {
    const run = await runReconciliation(t.store, { businessDate: date, ruleSet: rs, allowNonTradingDay: true });
    // The run's own breaks; those it cleared (an earlier run's, e.g. with sides swapped) are not its findings.
    const breaks = (await collect(listBreaks(t.store, run.runId))).filter((b) => !b.clearedByRun);
    return { run, breaks };
  }

  it('a data set against itself has no breaks, whatever the row order', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb, fc.nat(), async (rows, shift) => {
        const date = nextDate();
        const rotated = rows.map((_, i) => rows[(i + shift) % rows.length]!);
        await load(t.store, 'dcass', date, rows);
        await load(t.store, 'bos', date, rotated);
        const { run, breaks } = await reconcile(date);
        expect(breaks).toEqual([]);
        expect(run.counts['t']!.matched).toBe(rows.length);
      }),
      { numRuns: DB_RUNS },
    );
  });

  it('k random edits give exactly k breaks of the right kinds; every record lands in one place', async () => {
    const editArb = fc.constantFrom<Edit | null>(
      null,
      null,
      'missing',
      'extra',
      'quantity',
      'price',
      'duplicate',
      'withinTolerance',
    );
    await fc.assert(
      fc.asyncProperty(
        rowsArb.chain((rows) =>
          fc.tuple(fc.constant(rows), fc.array(editArb, { minLength: rows.length, maxLength: rows.length })),
        ),
        async ([rows, edits]) => {
          const date = nextDate();
          const right = applyEdits(rows, edits);
          await load(t.store, 'dcass', date, rows);
          await load(t.store, 'bos', date, right);
          const { run, breaks } = await reconcile(date);
          const expected = edits
            .map((e) => (e === null ? null : EXPECTED[e]))
            .filter((k) => k !== null)
            .sort();
          expect(breaks.map((b) => b.kind).sort()).toEqual(expected);
          for (const b of breaks.filter((x) => x.kind === 'mismatch')) {
            expect(b.fields).toHaveLength(1);
          }
          // Every record is in exactly one place: a clean match, or one break.
          const c = run.counts['t']!;
          const used = (side: 'leftIds' | 'rightIds') => breaks.reduce((n, b) => n + b[side].length, 0);
          expect(c.matched + used('leftIds')).toBe(rows.length);
          expect(c.matched + used('rightIds')).toBe(right.length);
        },
      ),
      { numRuns: DB_RUNS },
    );
  });

  it('swapping sides mirrors the result, and a re-run gives the same breaks in the same order', async () => {
    const mirror: Record<Break['kind'], Break['kind']> = {
      only_left: 'only_right',
      only_right: 'only_left',
      mismatch: 'mismatch',
      duplicate_left: 'duplicate_right',
      duplicate_right: 'duplicate_left',
    };
    const editArb = fc.constantFrom<Edit | null>(null, 'missing', 'extra', 'quantity', 'duplicate');
    await fc.assert(
      fc.asyncProperty(
        rowsArb.chain((rows) =>
          fc.tuple(fc.constant(rows), fc.array(editArb, { minLength: rows.length, maxLength: rows.length })),
        ),
        async ([rows, edits]) => {
          const date = nextDate();
          await load(t.store, 'dcass', date, rows);
          await load(t.store, 'bos', date, applyEdits(rows, edits));
          const a = await reconcile(date, forward);
          const b = await reconcile(date, backward);
          const view = (x: Break, swap: boolean) => ({
            kind: swap ? mirror[x.kind] : x.kind,
            key: x.key,
            left: swap ? x.rightIds : x.leftIds,
            right: swap ? x.leftIds : x.rightIds,
            fields: x.fields.map((f) => (swap ? { ...f, left: f.right, right: f.left } : f)),
          });
          const order = (v: ReturnType<typeof view>) => JSON.stringify(v);
          expect(
            b.breaks
              .map((x) => view(x, true))
              .map(order)
              .sort(),
          ).toEqual(
            a.breaks
              .map((x) => view(x, false))
              .map(order)
              .sort(),
          );
          const again = await reconcile(date, forward);
          expect(
            again.breaks.map((x) => [x.fingerprint, x.kind, x.key, x.leftIds, x.rightIds, x.fields]),
          ).toEqual(a.breaks.map((x) => [x.fingerprint, x.kind, x.key, x.leftIds, x.rightIds, x.fields]));
        },
      ),
      { numRuns: DB_RUNS },
    );
  });
});
