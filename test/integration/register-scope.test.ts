import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBreakAction, type BreakPolicy } from '../../src/reconcile/break-actions.js';
import { breakHistory, readRegister, type RegisterEntry } from '../../src/reconcile/register.js';
import { runReconciliation, type RunSummary } from '../../src/reconcile/run.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { collect } from '../support/collect.js';
import { latestFileId, registerRules, supersede } from '../support/register.js';
import { loadPositions } from '../support/synthetic-positions.js';
import { loadTrades } from '../support/synthetic-trades.js';

// What a run may clear, and what a decision stays with: the register across days.

const RULES = (filter = '') => registerRules({ name: 'scope', filter });
const ruleSet = RULES();
const policy: BreakPolicy = { reasonCodes: [], fourEyes: false };

describe(`the register clears only what a run looked at (${dbKind})`, () => {
  let t: TestDb;
  let register: () => Promise<Omit<RegisterEntry, 'ageDays'>[]>;
  let events: (id: string) => Promise<string[]>;
  const run = (
    date: string,
    options: { recons?: string[]; rules?: typeof ruleSet } = {},
  ): Promise<RunSummary> =>
    runReconciliation(t.store, {
      businessDate: date,
      ruleSet: options.rules ?? ruleSet,
      actor: 'ops-bot',
      ...(options.recons ? { recons: options.recons } : {}),
    });

  beforeAll(async () => {
    t = await createTestDb();
    // The register's state; the age is left out, as it grows with every date run whatever it found.
    register = async () => (await collect(readRegister(t.store))).map(({ ageDays: _, ...state }) => state);
    events = async (id) => (await breakHistory(t.store, id)).events.map((e) => e.action);
    // 6 May: trade 2 of account H02 missing in BOS, trade 3 of H01 booked 4 against 5; A1 long 10 vs 9.
    await loadTrades(t.store, 'dcass', '2019-05-06', [
      { tradeNo: '1' },
      { tradeNo: '2', account: 'H02' },
      { tradeNo: '3', quantity: '5' },
    ]);
    await loadTrades(t.store, 'bos', '2019-05-06', [{ tradeNo: '1' }, { tradeNo: '3', quantity: '4' }]);
    await loadPositions(t.store, 'dcass', '2019-05-06', { A1: '10' });
    await loadPositions(t.store, 'bos', '2019-05-06', { A1: '9' });
    const first = await run('2019-05-06');
    expect([first.counts.t!.open, first.counts.p!.open, first.missingInputs]).toEqual([2, 1, []]);
  });
  afterAll(async () => t.dispose());

  it('a date with no files: every reconciliation incomplete, named inputs missing, nothing cleared or found', async () => {
    const before = await register();
    const r = await run('2019-05-08');
    expect(r.counts.t!.incomplete).toBe('not run: dcass-trades missing, bos-trades missing');
    expect(r.counts.p!.incomplete).toBe('not run: dcass-positions missing, bos-positions missing');
    expect(r.missingInputs.map((m) => [m.recon, m.side, m.input, m.state])).toEqual([
      ['t', 'left', 'dcass-trades', 'missing'],
      ['t', 'right', 'bos-trades', 'missing'],
      ['p', 'left', 'dcass-positions', 'missing'],
      ['p', 'right', 'bos-positions', 'missing'],
    ]);
    expect([r.open, r.counts.p!.cleared]).toEqual([0, 0]);
    expect(await register()).toEqual(before);
  });

  it('a date that is not a trading day is refused unless asked for; asked for, it compares nothing', async () => {
    await expect(run('2019-05-11')).rejects.toThrow(/2019-05-11 is not a trading day/);
    const before = await register();
    const r = await runReconciliation(t.store, {
      businessDate: '2019-05-11',
      ruleSet,
      allowNonTradingDay: true,
    });
    expect(r.missingInputs.map((m) => m.input)).toEqual([
      'dcass-trades',
      'bos-trades',
      'dcass-positions',
      'bos-positions',
    ]);
    expect(await register()).toEqual(before);
  });

  it('a missing side: the position break of 6 May is not cleared by a 7 May run without the BOS positions', async () => {
    await loadPositions(t.store, 'dcass', '2019-05-07', { A1: '10' });
    await loadTrades(t.store, 'dcass', '2019-05-07', []);
    await loadTrades(t.store, 'bos', '2019-05-07', []);
    const r = await run('2019-05-07');
    expect(r.counts.p!.incomplete).toBe('not run: bos-positions missing');
    expect(r.counts.p!.leftRecords).toBe(0);
    expect(r.counts.t!.incomplete).toBeNull();
    const p = (await register()).find((e) => e.recon === 'p')!;
    expect([p.status, p.lastSeenDate]).toEqual(['open', '2019-05-06']);
    expect(await events(p.id)).toEqual(['detected']);
  });

  it('a narrower rule set and a reconciliation left out by --recon clear nothing they did not look at', async () => {
    // Corrected BOS trades of 6 May: trade 3 now agrees, trade 2 still missing.
    await loadTrades(t.store, 'bos', '2019-05-06', [{ tradeNo: '1' }, { tradeNo: '3', quantity: '5' }]);
    await supersede(t.store, 'bos', 'trades', '2019-05-06', await latestFileId(t.store));
    // Only account H02 in scope: trade 3 (H01) is not looked at, so its break stays open.
    const narrow = await run('2019-05-06', { rules: RULES(', filters: { account: [H02] }'), recons: ['t'] });
    expect(narrow.counts.t!.cleared).toBe(0);
    const three = (await register()).find((e) => e.key.tradeNo === '3')!;
    expect(three.status).toBe('open');
    // --recon p only: the trade breaks are not looked at either.
    const onlyP = await run('2019-05-06', { recons: ['p'] });
    expect(onlyP.recons).toEqual(['p']);
    expect((await register()).find((e) => e.key.tradeNo === '3')!.status).toBe('open');
    // The whole rule set looks at it: now it clears, and trade 2 stays open.
    const full = await run('2019-05-06');
    expect(full.counts.t!.cleared).toBe(1);
    const now = await register();
    const trades = now.filter((e) => e.recon === 't').map((e) => [e.key.tradeNo, e.status]);
    expect(trades.sort()).toEqual([
      ['2', 'open'],
      ['3', 'cleared'],
    ]);
    // Neither the narrow run nor the positions-only run left an event on it; the full run cleared it.
    const h = await breakHistory(t.store, three.id);
    expect(h.events.map((e) => [e.action, e.runId])).toEqual([
      ['detected', h.entry.firstSeenRun],
      ['cleared', full.runId],
    ]);
  });
});

describe(`a decision stays with the records it was made about (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());
  const run = (date: string) =>
    runReconciliation(t.store, { businessDate: date, ruleSet, recons: ['t'], actor: 'ops-bot' });
  const openCases = async () =>
    (await collect(readRegister(t.store, { recon: ['t'] }))).map((e) => [e.id, e.kind, e.status, e.reason]);

  it('three BOS trades without an exchange number keep their own cases when a corrected file drops one', async () => {
    await loadTrades(t.store, 'dcass', '2019-05-09', [{ tradeNo: '1' }]);
    await loadTrades(t.store, 'bos', '2019-05-09', [
      { tradeNo: '1' },
      { tradeNo: null, ref: 'BT-T1', quantity: '1' },
      { tradeNo: null, ref: 'BT-T2', quantity: '2' },
      { tradeNo: null, ref: 'BT-T3', quantity: '3' },
    ]);
    await run('2019-05-09');
    const cases = await collect(readRegister(t.store, { recon: ['t'] }));
    // Keyed for people by their BOS reference (the blank trade number dropped), each its own.
    expect(
      cases.map((c) => [c.kind, c.key]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual([
      ['only_right', { ref: 'BT-T1', clearingDate: '2019-05-09' }],
      ['only_right', { ref: 'BT-T2', clearingDate: '2019-05-09' }],
      ['only_right', { ref: 'BT-T3', clearingDate: '2019-05-09' }],
    ]);
    // Which case holds BT-T1 (quantity 1): its sighting's records say.
    const quantityOf = async (id: string) => {
      const h = await breakHistory(t.store, id);
      const b = await t.store.db
        .selectFrom('recon_break')
        .select('right_ids')
        .where('case_id', '=', id)
        .orderBy('run_id', 'desc')
        .executeTakeFirstOrThrow();
      const row = await t.store.db
        .selectFrom('trade')
        .select('quantity')
        .where('id', '=', b.right_ids[0]!)
        .executeTakeFirstOrThrow();
      return [h.entry.id, String(row.quantity)];
    };
    const byQuantity = Object.fromEntries(
      (await Promise.all(cases.map((c) => quantityOf(c.id)))).map(([id, q]) => [q!, id!]),
    );
    const t1 = byQuantity['1']!;
    await applyBreakAction(
      t.store,
      { breakId: t1, action: 'explain', actor: 'alice', reason: 'BT-T1 booked late' },
      policy,
    );
    await applyBreakAction(
      t.store,
      { breakId: t1, action: 'resolve', actor: 'bob', reason: 'checked BT-T1, OK' },
      policy,
    );

    // The corrected BOS file arrives without BT-T1, its other rows in another order.
    await loadTrades(t.store, 'bos', '2019-05-09', [
      { tradeNo: null, ref: 'BT-T3', quantity: '3' },
      { tradeNo: '1' },
      { tradeNo: null, ref: 'BT-T2', quantity: '2' },
    ]);
    await supersede(t.store, 'bos', 'trades', '2019-05-09', await latestFileId(t.store));
    await run('2019-05-09');
    const after = Object.fromEntries(
      (await collect(readRegister(t.store, { recon: ['t'] }))).map((c) => [c.id, c]),
    );
    // BT-T1's case is cleared (its records are gone), not handed to BT-T2; BT-T2 and BT-T3 keep theirs.
    expect(after[t1]!.status).toBe('cleared');
    expect([after[byQuantity['2']!]!.status, after[byQuantity['3']!]!.status]).toEqual(['open', 'open']);
    expect(await quantityOf(byQuantity['2']!)).toEqual([byQuantity['2'], '2']);
    expect(await quantityOf(byQuantity['3']!)).toEqual([byQuantity['3'], '3']);
    expect(Object.keys(after)).toHaveLength(3);
  });

  it('an explanation does not carry over to changed records: the case goes back to open, saying why', async () => {
    await loadTrades(t.store, 'dcass', '2019-05-10', [{ tradeNo: '8', quantity: '5' }]);
    await loadTrades(t.store, 'bos', '2019-05-10', [{ tradeNo: '8', quantity: '4' }]);
    await run('2019-05-10');
    const c = (await collect(readRegister(t.store, { recon: ['t'], status: ['open'] }))).find(
      (e) => e.key.tradeNo === '8',
    )!;
    await applyBreakAction(
      t.store,
      { breakId: c.id, action: 'explain', actor: 'alice', reason: 'BOS booked 4, correcting' },
      policy,
    );
    // Run again on the same records: the explanation holds.
    await run('2019-05-10');
    expect((await breakHistory(t.store, c.id)).entry.status).toBe('explained');
    // BOS corrects to 6, still not 5: the explanation was about 4, so it does not apply any more.
    await loadTrades(t.store, 'bos', '2019-05-10', [{ tradeNo: '8', quantity: '6' }]);
    await supersede(t.store, 'bos', 'trades', '2019-05-10', await latestFileId(t.store));
    await run('2019-05-10');
    const h = await breakHistory(t.store, c.id);
    expect(h.entry.status).toBe('open');
    const last = h.events.at(-1)!;
    expect([last.action, last.status, last.note]).toEqual([
      'seen',
      'open',
      'the records changed since the last explanation or resolution: it no longer applies',
    ]);
    expect(await openCases()).toContainEqual([c.id, 'mismatch', 'open', null]);
  });
});
