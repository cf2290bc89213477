import { hostname, userInfo } from 'node:os';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBreakAction, type BreakPolicy, type PersonAction } from '../../src/reconcile/break-actions.js';
import { listBreaks } from '../../src/reconcile/breaks.js';
import { REGISTER_LOCK } from '../../src/reconcile/locks.js';
import { breakHistory } from '../../src/reconcile/register.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { registerRules } from '../support/register.js';
import { loadTrades } from '../support/synthetic-trades.js';
import { collect } from '../support/collect.js';

const ruleSet = registerRules({ name: 'controls', tradesOnly: true });

const fourEyes: BreakPolicy = { reasonCodes: [], fourEyes: true };
const DATE = '2019-05-06';

describe(`controls that hold: four-eyes, actor names, OS identity, serialised actions (${dbKind})`, () => {
  let t: TestDb;
  let ids: string[];
  let runId: string;
  const act = (breakId: string, action: PersonAction, actor: string, policy = fourEyes) =>
    applyBreakAction(t.store, { breakId, action, actor, reason: `${action} by ${actor}` }, policy);
  const status = async (id: string) => (await breakHistory(t.store, id)).entry.status;

  beforeAll(async () => {
    t = await createTestDb();
    // Trades 1 to 8 in DCASS, only trade 0 in BOS: eight breaks to act on, one per test.
    const dcass = Array.from({ length: 9 }, (_, i) => ({ tradeNo: String(i) }));
    await loadTrades(t.store, 'dcass', DATE, dcass);
    await loadTrades(t.store, 'bos', DATE, [{ tradeNo: '0' }]);
    const summary = await runReconciliation(t.store, {
      businessDate: DATE,
      ruleSet,
      recons: ['t'],
      actor: 'ops-bot',
    });
    runId = summary.runId;
    const breaks = await collect(listBreaks(t.store, summary.runId));
    ids = breaks.map((b) => b.id);
    expect(ids).toHaveLength(8);
  });
  afterAll(async () => t.dispose());

  it('refuses to resolve an open break that no one explained, naming the break and the person', async () => {
    const id = ids[0]!;
    await expect(act(id, 'resolve', 'alice')).rejects.toThrow(
      expect.objectContaining({
        code: 'USAGE',
        message: `break ${id} is open, not explained: four-eyes rule, one person explains a break and another resolves it; alice cannot resolve it alone`,
        hint: expect.stringContaining(`dcass-recon breaks explain ${id}`),
      }),
    );
    expect(await status(id)).toBe('open');
    expect((await breakHistory(t.store, id)).events.map((e) => e.action)).toEqual(['detected']);
  });

  it('refuses the explainer, whatever the case, width or hidden character of the name; another person resolves', async () => {
    const id = ids[1]!;
    await act(id, 'explain', 'alice');
    await expect(act(id, 'resolve', 'alice')).rejects.toThrow(
      `break ${id} was explained by alice: four-eyes rule, another person must resolve it, not alice`,
    );
    await expect(act(id, 'resolve', 'ALICE')).rejects.toThrow(
      /four-eyes rule, another person must resolve it, not ALICE/,
    );
    // Fullwidth letters are the same letters after NFKC: still alice.
    await expect(act(id, 'resolve', '\uff41\uff4c\uff49\uff43\uff45')).rejects.toThrow(
      /four-eyes rule, another person must resolve it, not alice$/,
    );
    // A zero-width space does not make another person: the name is refused outright.
    await expect(act(id, 'resolve', 'alice\u200b')).rejects.toThrow(
      expect.objectContaining({
        code: 'USAGE',
        message:
          'the actor "alice\u200b" is not a usable name: it holds the invisible or control character U+200B',
      }),
    );
    expect(await status(id)).toBe('explained');
    const ok = await act(id, 'resolve', 'bob');
    expect([ok.from, ok.status]).toEqual(['explained', 'resolved']);
  });

  it('refuses explain, reopen, resolve by one person, even after another person explained it again', async () => {
    const id = ids[2]!;
    await act(id, 'explain', 'alice');
    await act(id, 'reopen', 'bob');
    await expect(act(id, 'resolve', 'alice')).rejects.toThrow(/is open, not explained: four-eyes rule/);
    await act(id, 'explain', 'carol');
    await expect(act(id, 'resolve', 'Alice')).rejects.toThrow(
      expect.objectContaining({
        message: `break ${id} was explained earlier by alice: four-eyes rule, another person must resolve it, not Alice`,
        hint: expect.stringContaining('even after it was reopened'),
      }),
    );
    await expect(act(id, 'resolve', 'carol')).rejects.toThrow(/explained by carol: four-eyes rule/);
    expect(await status(id)).toBe('explained');
    expect((await act(id, 'resolve', 'dave')).status).toBe('resolved');
  });

  it('refuses anyone who explained it before the explanation that stands now', async () => {
    const id = ids[3]!;
    await act(id, 'explain', 'alice');
    await act(id, 'explain', 'bob');
    await expect(act(id, 'resolve', 'alice')).rejects.toThrow(/explained earlier by alice/);
    await expect(act(id, 'resolve', 'bob')).rejects.toThrow(/explained by bob: four-eyes rule/);
    expect((await act(id, 'resolve', 'carol')).status).toBe('resolved');
  });

  it("a rule's explanation is no person's: a person must explain before another resolves", async () => {
    const id = ids[4]!;
    await act(id, 'explain', 'rule:late-booking');
    await expect(act(id, 'resolve', 'bob')).rejects.toThrow(
      `break ${id} was explained by rule:late-booking, not by a person: four-eyes rule, a person must explain it before another resolves it`,
    );
    await act(id, 'explain', 'alice');
    expect((await act(id, 'resolve', 'bob')).status).toBe('resolved');
  });

  it('without four-eyes, one person may resolve an open break or their own explanation, as before', async () => {
    const off: BreakPolicy = { reasonCodes: [], fourEyes: false };
    expect((await act(ids[5]!, 'resolve', 'alice', off)).status).toBe('resolved');
    await act(ids[6]!, 'explain', 'alice', off);
    expect((await act(ids[6]!, 'resolve', 'alice', off)).status).toBe('resolved');
  });

  it('records the operating-system user and host on the events of a run and of a person, beside the actor', async () => {
    const events = await t.store.db
      .selectFrom('break_event')
      .select(['case_id', 'actor', 'action', 'run_id', 'os_user', 'os_host'])
      .where('case_id', 'in', [ids[1]!, ids[2]!])
      .orderBy('id')
      .execute();
    const me = [userInfo().username, hostname()];
    expect(events.length).toBeGreaterThan(4);
    for (const e of events) expect([e.os_user, e.os_host], `${e.action} by ${e.actor}`).toEqual(me);
    expect(events.filter((e) => e.run_id === runId).map((e) => [e.action, e.actor])).toEqual([
      ['detected', 'ops-bot'],
      ['detected', 'ops-bot'],
    ]);
  });

  // Server only: PGlite serves one connection, so an action cannot even start while another
  // transaction holds it; there is nothing to wait for.
  it.skipIf(dbKind === 'pglite')(
    'an action waits while a run holds the register, and is applied after it',
    async () => {
      const id = ids[7]!;
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      // Stands for a run in its carry step: the register's lock held until its transaction ends.
      const run = t.store.transaction(async (tx) => {
        await sql`SELECT pg_advisory_xact_lock(${REGISTER_LOCK}::bigint)`.execute(tx.db);
        locked();
        await released;
      });
      await isLocked;
      let done = false;
      const action = act(id, 'explain', 'alice').then((r) => {
        done = true;
        return r;
      });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(done).toBe(false);
      release();
      await run;
      expect((await action).status).toBe('explained');
      expect(await status(id)).toBe('explained');
    },
  );
});
