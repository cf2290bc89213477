import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBreaks, type Break } from '../../src/reconcile/breaks.js';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation, type RunSummary } from '../../src/reconcile/run.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { fixtureRequests, ingest } from '../support/ingest.js';
import { collect } from '../support/collect.js';

// The default rule set's seam reconciliations on the shipped fixtures (fixtures/README.md, B1).
describe(`seam reconciliations on the fixtures (${dbKind})`, () => {
  let t: TestDb;
  const ruleSet = loadBuiltinRuleSet();
  let run: RunSummary;
  let breaks: Break[];
  beforeAll(async () => {
    t = await createTestDb();
    await ingest(t.store, fixtureRequests());
    run = await runReconciliation(t.store, {
      businessDate: '2019-05-03',
      ruleSet,
      recons: ['positions-seam', 'trades-seam'],
    });
    breaks = await collect(listBreaks(t.store, run.runId));
  });
  afterAll(async () => t.dispose());

  it('B1: positions-seam has one mismatch, on long for M01 TCH340.00E9 (Genium 131, upgraded 130)', () => {
    const seam = breaks.filter((b) => b.recon === 'positions-seam');
    expect(seam).toHaveLength(1);
    expect(seam[0]).toMatchObject({
      kind: 'mismatch',
      status: 'open',
      key: { account: 'M01', instrument: 'TCH C 2019-05 340' },
      fields: [{ field: 'long', left: '131', right: '130', comparator: 'exact' }],
    });
    expect(seam[0]!.leftIds).toHaveLength(1);
    expect(seam[0]!.rightIds).toHaveLength(1);
    expect(run.counts['positions-seam']).toMatchObject({ leftRecords: 12, rightRecords: 12, matched: 11 });
  });

  it('trades-seam: numbers differ across the seam, every trade matches by content in pass 2, no breaks', () => {
    expect(breaks.filter((b) => b.recon === 'trades-seam')).toEqual([]);
    expect(run.counts['trades-seam']).toMatchObject({
      leftRecords: 20,
      rightRecords: 20,
      matched: 20, // the identical fills T03-19 and T03-20 pair two with two
      matchedByPass: { '2': 20 },
    });
  });

  it('records the run: rule set, inputs (current files only), counts, completed', async () => {
    const row = await t.store.db
      .selectFrom('recon_run')
      .selectAll()
      .where('id', '=', run.runId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('completed');
    expect(row.rule_set_name).toBe('default');
    expect(row.rule_set_sha256).toBe(ruleSet.sha256);
    expect(row.recons).toEqual(['positions-seam', 'trades-seam']);
    expect(row.finished_at).not.toBeNull();
    expect(run.inputs.map((i) => i.file).sort()).toEqual([
      'POS001_CABC_20190503.lis',
      'POS001_CABC_20190503_0830.xml',
      'TRD001_CABC_20190503.lis',
      'TRD001_CABC_20190503_0830.xml',
    ]);
    const matches = await t.store.db
      .selectFrom('recon_match')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('run_id', '=', run.runId)
      .executeTakeFirstOrThrow();
    expect(Number(matches.n)).toBe(11 + 20);
    expect(run.open).toBe(1);
  });

  it('a re-run gives the same breaks in the same order, carrying the first sighting', async () => {
    const again = await runReconciliation(t.store, {
      businessDate: '2019-05-03',
      ruleSet,
      recons: ['positions-seam', 'trades-seam'],
    });
    const second = await collect(listBreaks(t.store, again.runId));
    const strip = (b: Break) => ({ ...b, occurrenceId: '', runId: '', lastSeenRun: '' });
    expect(second.map(strip)).toEqual(breaks.map(strip));
    // The same breaks are the same register cases, first seen by the first run, last seen by this one.
    expect(second.map((b) => b.id)).toEqual(breaks.map((b) => b.id));
    expect(second[0]!.firstSeenRun).toBe(run.runId);
    expect(second[0]!.lastSeenRun).toBe(again.runId);
  });

  it('runs only on the last Genium day: on 6 May both seam reconciliations are skipped with the reason', async () => {
    const r = await runReconciliation(t.store, {
      businessDate: '2019-05-06',
      ruleSet,
      recons: ['positions-seam', 'trades-seam'],
    });
    expect(r.counts['positions-seam']!.skipped).toMatch(
      /runs on genium business dates; 2019-05-06 is upgraded/,
    );
    expect(r.counts['trades-seam']!.skipped).not.toBeNull();
    expect(await collect(listBreaks(t.store, r.runId))).toEqual([]);
    expect(run.counts['positions-seam']!.skipped).toBeNull();
  });
});
