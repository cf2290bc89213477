import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBreakAction } from '../../src/reconcile/break-actions.js';
import { readRegister } from '../../src/reconcile/register.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { reportBreaks } from '../../src/report/break-reader.js';
import { findRun } from '../../src/report/run-data.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { fc, numRuns } from '../support/property.js';
import { collect } from '../support/collect.js';
import { registerRules } from '../support/register.js';
import { loadPositions } from '../support/synthetic-positions.js';
import { loadTrades, type T } from '../support/synthetic-trades.js';

// The stabilisation period as random weeks: dates run in any order, again and again, each input
// present or missing, people resolving some breaks. Two promises must hold after every run:
// 1. no break is cleared by a run that lacked an input of its reconciliation;
// 2. every break found and not closed by a person (resolved) or a run (cleared) is in the daily
//    report of every later run: the run's own breaks, or carried.

const DB_RUNS = Math.min(numRuns, 10);
const DATES = ['2019-05-06', '2019-05-07', '2019-05-08', '2019-05-09', '2019-05-10'] as const;
const INPUTS = ['dcass-trades', 'bos-trades', 'dcass-positions', 'bos-positions'] as const;

const ruleSet = registerRules({ name: 'days' });

/** One step: a date's inputs (each a new generation, or absent) and a run, then maybe a resolution. */
interface Step {
  date: (typeof DATES)[number];
  /** Per input: null = not delivered this time (an earlier generation, if any, stays in force). */
  trades: { dcass: string[] | null; bos: string[] | null };
  positions: { dcass: string[] | null; bos: string[] | null };
  resolve: number | null;
}

const quantities = fc.option(fc.array(fc.constantFrom('0', '1', '2'), { minLength: 3, maxLength: 3 }), {
  nil: null,
  freq: 3,
});
const stepArb: fc.Arbitrary<Step> = fc.record({
  date: fc.constantFrom(...DATES),
  trades: fc.record({ dcass: quantities, bos: quantities }),
  positions: fc.record({ dcass: quantities, bos: quantities }),
  resolve: fc.option(fc.nat(), { nil: null, freq: 2 }),
});

describe(`the break register across random days (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  async function deliver(step: Step): Promise<void> {
    const replace = async (source: string, entity: string) =>
      sql`UPDATE source_file SET superseded_by = id WHERE source = ${source}::text AND entity = ${entity}::text
        AND business_date = ${step.date}::date AND superseded_by IS NULL`.execute(t.store.db);
    for (const source of ['dcass', 'bos'] as const) {
      const trades = step.trades[source];
      if (trades !== null) {
        await replace(source, 'trades');
        const rows = trades.flatMap((q, i): T[] =>
          q === '0' ? [] : [{ tradeNo: String(i + 1), quantity: q }],
        );
        await loadTrades(t.store, source, step.date, rows);
      }
      const positions = step.positions[source];
      if (positions !== null) {
        await replace(source, 'positions');
        const nets = Object.fromEntries(positions.flatMap((q, i) => (q === '0' ? [] : [[`A${i + 1}`, q]])));
        await loadPositions(t.store, source, step.date, nets);
      }
    }
  }

  it('no break is cleared by a run that lacked an input; open breaks stay in every later report', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 2, maxLength: 6 }), async (steps) => {
        // Each property run starts from an empty register and no files.
        await sql`UPDATE source_file SET superseded_by = id WHERE superseded_by IS NULL`.execute(t.store.db);
        const fresh = await sql<{
          n: string;
        }>`SELECT coalesce(max(id), 0)::text AS n FROM break_case`.execute(t.store.db);
        const firstCase = Number(fresh.rows[0]!.n);
        // The model: which inputs of which date have been delivered (a generation of them is in force).
        const delivered = new Set<string>();
        for (const step of steps) {
          await deliver(step);
          for (const source of ['dcass', 'bos'] as const) {
            if (step.trades[source] !== null) delivered.add(`${step.date} ${source}-trades`);
            if (step.positions[source] !== null) delivered.add(`${step.date} ${source}-positions`);
          }
          const has = (input: string) => delivered.has(`${step.date} ${input}`);
          const incomplete = new Set([
            ...(has('dcass-trades') && has('bos-trades') ? [] : ['t']),
            ...(has('dcass-positions') && has('bos-positions') ? [] : ['p']),
          ]);
          const summary = await runReconciliation(t.store, {
            businessDate: step.date,
            ruleSet,
            actor: 'nightly',
          });
          expect(
            new Set(
              Object.entries(summary.counts)
                .filter(([, c]) => c.incomplete !== null)
                .map(([r]) => r),
            ),
          ).toEqual(incomplete);
          expect(new Set(summary.missingInputs.map((m) => m.recon))).toEqual(incomplete);
          for (const m of summary.missingInputs) expect(INPUTS).toContain(m.input);
          // 1. What this run cleared belongs to reconciliations it ran with every input.
          const cleared = await sql<{
            recon: string;
          }>`SELECT c.recon FROM break_event e JOIN break_case c ON c.id = e.case_id
            WHERE e.run_id = ${summary.runId}::bigint AND e.action = 'cleared'`.execute(t.store.db);
          for (const c of cleared.rows) expect(incomplete.has(c.recon)).toBe(false);
          // 2. Every break of this property run still open or explained, first seen up to this date, is in the report.
          const live = (await collect(readRegister(t.store, { status: ['open', 'explained'] }))).filter(
            (e) => Number(e.id) > firstCase && e.firstSeenDate <= step.date,
          );
          const report = await collect(reportBreaks(t.store, await findRun(t.store, summary.runId)));
          const shown = new Set(report.map((b) => b.id));
          for (const e of live)
            expect(shown, `break ${e.id} (${e.recon} ${e.kind}) missing from run ${summary.runId}`).toContain(
              e.id,
            );
          // A person closes one of them now and then: it may leave the reports.
          if (step.resolve !== null && live.length > 0) {
            const pick = live[step.resolve % live.length]!;
            await applyBreakAction(
              t.store,
              { breakId: pick.id, action: 'resolve', actor: 'alice', reason: 'checked' },
              { reasonCodes: [], fourEyes: false },
            );
          }
        }
      }),
      { numRuns: DB_RUNS },
    );
  });
});
