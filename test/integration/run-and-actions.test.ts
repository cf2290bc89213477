import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBreakAction } from '../../src/reconcile/break-actions.js';
import { breakHistory, readRegister } from '../../src/reconcile/register.js';
import { loadRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { collect } from '../support/collect.js';
import { loadTrades, type T } from '../support/synthetic-trades.js';

// Resolutions fired while a real run is in progress: each waits for the run, is applied after it,
// and is never reversed by the state the run read when it started. Server only: the embedded
// database serves one connection, so an action cannot even start while a run holds it.

const ruleSet = loadRuleSet(
  'busy.yaml',
  `name: busy
reconciliations:
  t:
    entity: trades
    left: { source: dcass }
    right: { source: bos }
    passes: [{ keys: [clearingDate, tradeNo] }, { keys: [account, side, quantity, price] }]
    compare: { quantity: exact, account: exact }
`,
);
const TRADES = 40_000;
const BREAKS = 6;

// Server only: PGlite serves one connection, so a person's action cannot run while a run holds it.
describe.skipIf(dbKind === 'pglite')(`break actions during a run (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    const dcass: T[] = [];
    const bos: T[] = [];
    for (let i = 0; i < TRADES; i++) {
      dcass.push({ tradeNo: String(i + 1), account: `A${i % 97}` });
      // The first BREAKS trades are booked 2 in the back office: a mismatch each.
      bos.push({ tradeNo: String(i + 1), account: `A${i % 97}`, quantity: i < BREAKS ? '2' : '1' });
    }
    await loadTrades(t.store, 'dcass', '2019-05-06', dcass);
    await loadTrades(t.store, 'bos', '2019-05-06', bos);
    const first = await runReconciliation(t.store, { businessDate: '2019-05-06', ruleSet, actor: 'nightly' });
    expect(first.counts.t!.open).toBe(BREAKS);
  });
  afterAll(async () => t.dispose());

  it('six resolutions fired mid-run wait for it, land after its events, and stay resolved', async () => {
    const cases = await collect(readRegister(t.store, { status: ['open'] }));
    expect(cases).toHaveLength(BREAKS);
    const running = runReconciliation(t.store, { businessDate: '2019-05-06', ruleSet, actor: 'nightly' });
    // Wait until the run holds the register (its advisory lock is granted to another session).
    for (let i = 0; ; i++) {
      const held = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()`.execute(t.store.db);
      if (held.rows[0]!.n > 0) break;
      if (i > 500) throw new Error('the run never took its lock');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const actions = cases.map((c) =>
      applyBreakAction(
        t.store,
        { breakId: c.id, action: 'resolve', actor: 'alice', reason: 'BOS booked 2 on purpose' },
        { reasonCodes: [], fourEyes: false },
      ),
    );
    const run = await running;
    const results = await Promise.all(actions);
    expect(results.map((r) => [r.from, r.status])).toEqual(cases.map(() => ['open', 'resolved']));
    for (const c of cases) {
      const h = await breakHistory(t.store, c.id);
      expect(h.entry.status).toBe('resolved');
      // The run's sighting comes first; the resolution was applied after the run committed.
      expect(h.events.map((e) => [e.action, e.runId])).toEqual([
        ['detected', h.entry.firstSeenRun],
        ['seen', run.runId],
        ['resolve', null],
      ]);
    }
    // A later run keeps the person's decision: the records are the same.
    await runReconciliation(t.store, { businessDate: '2019-05-06', ruleSet, actor: 'nightly' });
    const after = await collect(readRegister(t.store, { status: ['resolved'] }));
    expect(after.map((c) => c.id).sort()).toEqual(cases.map((c) => c.id).sort());
  });
});
