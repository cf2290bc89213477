import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/db/connect.js';
import { applyBreakAction, type BreakPolicy } from '../../src/reconcile/break-actions.js';
import { listBreaks, type Break } from '../../src/reconcile/breaks.js';
import { breakHistory, readRegister, type RegisterEntry } from '../../src/reconcile/register.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { collect } from '../support/collect.js';
import { latestFileId, registerRules, supersede } from '../support/register.js';
import { loadPositions } from '../support/synthetic-positions.js';
import { loadTrades, type T } from '../support/synthetic-trades.js';

const ruleSet = registerRules();

const policy: BreakPolicy = { reasonCodes: [], fourEyes: true };

async function run(store: Store, date: string, recons = ['t', 'p']) {
  const summary = await runReconciliation(store, { businessDate: date, ruleSet, recons, actor: 'ops-bot' });
  const breaks = await collect(listBreaks(store, summary.runId));
  return {
    summary,
    breaks,
    own: breaks.filter((b) => !b.clearedByRun),
    cleared: breaks.filter((b) => b.clearedByRun),
  };
}

const byNo = (breaks: Break[], no: string) => breaks.find((b) => b.key.tradeNo === no);

describe(`break register across runs (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    // 6 May: trade 2 missing in BOS, trade 3 quantity differs; account A1 long differs.
    const trades: T[] = [{ tradeNo: '1' }, { tradeNo: '2' }, { tradeNo: '3', quantity: '5' }];
    await loadTrades(t.store, 'dcass', '2019-05-06', trades);
    await loadTrades(t.store, 'bos', '2019-05-06', [{ tradeNo: '1' }, { tradeNo: '3', quantity: '4' }]);
    await loadPositions(t.store, 'dcass', '2019-05-06', { A1: '10', A2: '3' });
    await loadPositions(t.store, 'bos', '2019-05-06', { A1: '9', A2: '3' });
  });
  afterAll(async () => t.dispose());

  let first: Awaited<ReturnType<typeof run>>;

  it('a first run opens a case per break, each with a detected event by the run actor', async () => {
    first = await run(t.store, '2019-05-06');
    expect(first.own.map((b) => [b.recon, b.kind, b.status])).toEqual([
      ['t', 'only_left', 'open'],
      ['t', 'mismatch', 'open'],
      ['p', 'mismatch', 'open'],
    ]);
    const h = await breakHistory(t.store, byNo(first.own, '2')!.id);
    expect(h.events.map((e) => [e.action, e.actor, e.status, e.runId])).toEqual([
      ['detected', 'ops-bot', 'open', first.summary.runId],
    ]);
    expect(first.summary.counts.t!.open).toBe(2);
    // The run keeps the rules it ran with, byte for byte (their sha256 is recorded beside them).
    const recorded = await t.store.db
      .selectFrom('recon_run')
      .select(['rule_set_text', 'rule_set_sha256'])
      .where('id', '=', first.summary.runId)
      .executeTakeFirstOrThrow();
    expect(recorded).toEqual({ rule_set_text: ruleSet.text, rule_set_sha256: ruleSet.sha256 });
  });

  it('a person explains and resolves (four-eyes), and a re-run keeps the decision with the same id', async () => {
    const two = byNo(first.own, '2')!.id;
    await applyBreakAction(
      t.store,
      { breakId: two, action: 'explain', actor: 'alice', reason: 'late BOS booking' },
      policy,
    );
    await expect(
      applyBreakAction(t.store, { breakId: two, action: 'resolve', actor: 'Alice', reason: 'ok' }, policy),
    ).rejects.toThrow(/four-eyes rule, another person must resolve it/);
    await applyBreakAction(
      t.store,
      { breakId: two, action: 'resolve', actor: 'bob', reason: 'booked in BOS on 7 May' },
      policy,
    );
    const again = await run(t.store, '2019-05-06');
    const b = byNo(again.own, '2')!;
    expect([b.id, b.status, b.reason, b.firstSeenRun, b.lastSeenRun]).toEqual([
      two,
      'resolved',
      'booked in BOS on 7 May',
      first.summary.runId,
      again.summary.runId,
    ]);
    expect(again.summary.counts.t!.open).toBe(1);
    expect(again.summary.counts.t!.resolved).toBe(1);
    expect(again.cleared).toEqual([]);
  });

  it('refuses what makes no sense: no reason, unknown id, resolving twice, a code not configured', async () => {
    const two = byNo(first.own, '2')!.id;
    await expect(
      applyBreakAction(t.store, { breakId: two, action: 'resolve', actor: 'bob', reason: ' ' }, policy),
    ).rejects.toThrow(/needs a reason/);
    await expect(
      applyBreakAction(t.store, { breakId: '999999', action: 'comment', actor: 'bob', reason: 'x' }, policy),
    ).rejects.toThrow(/no break 999999/);
    await expect(
      applyBreakAction(t.store, { breakId: two, action: 'resolve', actor: 'carol', reason: 'again' }, policy),
    ).rejects.toThrow(/is resolved: it cannot be given "resolve"/);
    await expect(
      applyBreakAction(
        t.store,
        { breakId: two, action: 'explain', actor: 'bob', reason: 'x', reasonCode: 'NOPE' },
        { reasonCodes: ['LATE_BOOKING'], fourEyes: false },
      ),
    ).rejects.toThrow(/reason code "NOPE" is not one of the configured codes/);
  });

  it('a re-run of the date on corrected data clears the breaks it no longer finds', async () => {
    await loadTrades(t.store, 'bos', '2019-05-06', [
      { tradeNo: '1' },
      { tradeNo: '2' },
      { tradeNo: '3', quantity: '4' },
    ]);
    await supersede(t.store, 'bos', 'trades', '2019-05-06', await latestFileId(t.store));
    const r = await run(t.store, '2019-05-06', ['t']);
    expect(r.own.map((b) => b.key.tradeNo)).toEqual(['3']);
    expect(r.cleared.map((b) => [b.key.tradeNo, b.status, b.clearedByRun])).toEqual([['2', 'cleared', true]]);
    expect(r.summary.counts.t!.cleared).toBe(1);
    const h = await breakHistory(t.store, r.cleared[0]!.id);
    expect(h.events.map((e) => e.action)).toEqual(['detected', 'explain', 'resolve', 'seen', 'cleared']);
  });

  it('a later date clears position breaks no longer found, but leaves trade breaks of another date alone', async () => {
    await loadTrades(t.store, 'dcass', '2019-05-07', [{ tradeNo: '7' }]);
    await loadTrades(t.store, 'bos', '2019-05-07', [{ tradeNo: '7' }]);
    await loadPositions(t.store, 'dcass', '2019-05-07', { A1: '10' });
    await loadPositions(t.store, 'bos', '2019-05-07', { A1: '10' });
    const r = await run(t.store, '2019-05-07');
    expect(r.own).toEqual([]);
    expect(r.cleared.map((b) => [b.recon, b.kind, b.key.account])).toEqual([['p', 'mismatch', 'A1']]);
    const open = await collect(readRegister(t.store, { status: ['open'] }));
    expect(open.map((e) => [e.recon, e.key.tradeNo, e.lastSeenDate])).toEqual([['t', '3', '2019-05-06']]);
  });

  it('a cleared break found again reappears under the same id, open', async () => {
    await loadPositions(t.store, 'bos', '2019-05-08', { A1: '11' });
    await loadPositions(t.store, 'dcass', '2019-05-08', { A1: '10' });
    const r = await run(t.store, '2019-05-08', ['p']);
    const before = first.own.find((b) => b.recon === 'p')!;
    expect(r.own.map((b) => [b.id, b.status, b.firstSeenDate, b.lastSeenDate])).toEqual([
      [before.id, 'open', '2019-05-06', '2019-05-08'],
    ]);
    const h = await breakHistory(t.store, before.id);
    expect(h.events.map((e) => e.action)).toEqual(['detected', 'seen', 'cleared', 'reappeared']);
    expect(h.sightings.map((s) => s.businessDate)).toEqual(['2019-05-06', '2019-05-06', '2019-05-08']);
  });

  it('the register as of a past moment is the register as it was read then, comments included', async () => {
    const three = (await collect(readRegister(t.store, { status: ['open'], recon: ['t'] })))[0]!;
    const readAt = async (): Promise<{ at: string; register: RegisterEntry[] }> => {
      const register = await collect(readRegister(t.store));
      const at = await sql<{ at: string }>`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',
        'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at`.execute(t.store.db);
      return { at: at.rows[0]!.at, register };
    };
    const before = await readAt();
    await applyBreakAction(
      t.store,
      { breakId: three.id, action: 'comment', actor: 'bob', reason: 'asked BOS team' },
      policy,
    );
    await applyBreakAction(
      t.store,
      { breakId: three.id, action: 'assign', actor: 'bob', reason: 'theirs', assignee: 'carol' },
      policy,
    );
    const after = await readAt();
    expect(await collect(readRegister(t.store, { asOf: before.at }))).toEqual(before.register);
    expect(await collect(readRegister(t.store, { asOf: after.at }))).toEqual(after.register);
    const now = after.register.find((e) => e.id === three.id)!;
    expect([now.assignee, now.comments.map((c) => [c.actor, c.note])]).toEqual([
      'carol',
      [['bob', 'asked BOS team']],
    ]);
    expect(before.register.find((e) => e.id === three.id)!.comments).toEqual([]);
  });

  it('the database refuses to rewrite or delete break events', async () => {
    for (const statement of [
      sql`UPDATE break_event SET actor = 'mallory'`,
      sql`DELETE FROM break_event`,
      sql`TRUNCATE break_event`,
    ]) {
      await expect(statement.execute(t.store.db)).rejects.toThrow(/break_event is append-only/);
    }
  });
});
