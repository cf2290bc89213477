import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBreakAction, BREAK_ACTIONS, type PersonAction } from '../../src/reconcile/break-actions.js';
import { readRegister, type RegisterEntry } from '../../src/reconcile/register.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { isDcassError } from '../../src/shared/errors.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { collect } from '../support/collect.js';
import { registerRules } from '../support/register.js';
import { fc, numRuns } from '../support/property.js';
import { loadTrades, type T } from '../support/synthetic-trades.js';

// Each property run drives the database through many runs and actions: fewer runs than pure properties.
const DB_RUNS = Math.min(numRuns, 12);

const ruleSet = registerRules({ name: 'as-of', tradesOnly: true });

/** One step: a BOS file (a new generation of the date's) and a run, or a person's action on a break. */
type Step =
  | { kind: 'run'; quantities: string[] }
  | { kind: 'act'; pick: number; action: PersonAction; actor: string; reason: string };

const TRADES = 5;
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('run' as const),
    // Per DCASS trade: the BOS quantity ('0' = missing from BOS); the DCASS quantity is always 1.
    quantities: fc.array(fc.constantFrom('0', '1', '1', '2'), { minLength: TRADES, maxLength: TRADES }),
  }),
  fc.record({
    kind: fc.constant('act' as const),
    pick: fc.nat(),
    action: fc.constantFrom(...BREAK_ACTIONS),
    actor: fc.constantFrom('alice', 'bob'),
    reason: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== ''),
  }),
);

describe(`the break register as of a past moment (${dbKind})`, () => {
  let t: TestDb;
  let day = 0;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  it('rebuilt from the events as of any moment, it equals the register as it was read at that moment', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 8 }), async (steps) => {
        day += 1;
        const date = new Date(Date.UTC(2031, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
        const dcass: T[] = Array.from({ length: TRADES }, (_, i) => ({ tradeNo: String(i + 1) }));
        await loadTrades(t.store, 'dcass', date, dcass);
        const seen: { at: string; register: RegisterEntry[] }[] = [];
        for (const step of steps) {
          if (step.kind === 'run') {
            // The new BOS file replaces the date's earlier ones, as a corrected export would.
            await sql`UPDATE source_file SET superseded_by = id WHERE source = 'bos' AND business_date = ${date}::date
              AND superseded_by IS NULL`.execute(t.store.db);
            const bos = step.quantities.flatMap((q, i): T[] =>
              q === '0' ? [] : [{ tradeNo: String(i + 1), quantity: q }],
            );
            await loadTrades(t.store, 'bos', date, bos);
            await runReconciliation(t.store, {
              businessDate: date,
              ruleSet,
              actor: 'nightly',
              allowNonTradingDay: true,
            });
          } else {
            const cases = await collect(readRegister(t.store));
            if (cases.length === 0) continue;
            const target = cases[step.pick % cases.length]!;
            try {
              await applyBreakAction(
                t.store,
                {
                  breakId: target.id,
                  action: step.action,
                  actor: step.actor,
                  reason: step.reason,
                  ...(step.action === 'assign' ? { assignee: step.actor === 'alice' ? 'bob' : 'alice' } : {}),
                },
                { reasonCodes: [], fourEyes: true },
              );
            } catch (err) {
              // Actions the workflow refuses (resolving a cleared break, four-eyes) change nothing.
              if (!isDcassError(err)) throw err;
            }
          }
          const register = await collect(readRegister(t.store));
          const at = await sql<{ at: string }>`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',
            'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at`.execute(t.store.db);
          seen.push({ at: at.rows[0]!.at, register });
        }
        for (const moment of seen) {
          expect(await collect(readRegister(t.store, { asOf: moment.at }))).toEqual(moment.register);
        }
      }),
      { numRuns: DB_RUNS },
    );
  });
});
