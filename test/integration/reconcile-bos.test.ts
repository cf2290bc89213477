import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBreaks, type Break } from '../../src/reconcile/breaks.js';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation, type RunSummary } from '../../src/reconcile/run.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { fixtureRequests, ingest } from '../support/ingest.js';
import { collect } from '../support/collect.js';

// trades-bos and positions-bos of the default rule set on the shipped fixtures (fixtures/README.md, B2-B7).
describe(`BOS reconciliations on the fixtures (${dbKind})`, () => {
  let t: TestDb;
  const ruleSet = loadBuiltinRuleSet();
  const runs = new Map<string, { run: RunSummary; breaks: Break[] }>();
  const recons = ['trades-bos', 'positions-bos'];
  beforeAll(async () => {
    t = await createTestDb();
    await ingest(t.store, fixtureRequests());
    for (const businessDate of ['2019-05-03', '2019-05-06', '2019-05-07', '2019-05-10']) {
      const run = await runReconciliation(t.store, { businessDate, ruleSet, recons });
      runs.set(businessDate, { run, breaks: await collect(listBreaks(t.store, run.runId)) });
    }
  });
  afterAll(async () => t.dispose());

  const brief = (b: Break) => ({
    recon: b.recon,
    kind: b.kind,
    status: b.status,
    key: b.key,
    fields: b.fields,
  });

  it('3 May: everything reconciles (omnibus allocations summed against one DCASS trade)', () => {
    const { run, breaks } = runs.get('2019-05-03')!;
    expect(breaks.map(brief)).toEqual([]);
    // 20 DCASS trades; 22 BOS rows of 3 May executions, minus the Friday-night one clearing 6 May
    expect(run.counts['trades-bos']).toMatchObject({ leftRecords: 20, rightRecords: 21, matched: 20 });
  });

  it('6 May: B2 only_left (BOS lost H01 BUY 6 MHIK9); the Friday-night Genium trade matches by content', () => {
    const { run, breaks } = runs.get('2019-05-06')!;
    expect(breaks.map(brief)).toEqual([
      {
        recon: 'trades-bos',
        kind: 'only_left',
        status: 'open',
        key: { clearingDate: '2019-05-06', tradeNo: '1000115' },
        fields: [],
      },
    ]);
    expect(run.counts['trades-bos']!.matchedByPass['2']).toBeGreaterThanOrEqual(1);
  });

  it('7 May: B3 price mismatch, B4 quantity mismatch, B5 only_left (its BOS row was rejected)', () => {
    const { breaks } = runs.get('2019-05-07')!;
    expect(breaks.map(brief)).toEqual([
      {
        recon: 'trades-bos',
        kind: 'mismatch',
        status: 'open',
        key: { clearingDate: '2019-05-07', tradeNo: '1000616' },
        fields: [{ field: 'price', left: '34.625', right: '34.624', comparator: 'exact' }],
      },
      {
        recon: 'trades-bos',
        kind: 'mismatch',
        status: 'open',
        key: { clearingDate: '2019-05-07', tradeNo: '1000618' },
        fields: [{ field: 'quantity', left: '4', right: '5', comparator: 'exact' }],
      },
      {
        recon: 'trades-bos',
        kind: 'only_left',
        status: 'open',
        key: { clearingDate: '2019-05-07', tradeNo: '1000626' },
        fields: [],
      },
    ]);
  });

  it('10 May: B6 pending give-up explained, B7 duplicate_right; Friday-night trades clear 14 May, not here', () => {
    const { run, breaks } = runs.get('2019-05-10')!;
    expect(breaks.map(brief)).toEqual([
      {
        recon: 'trades-bos',
        kind: 'duplicate_right',
        status: 'open',
        key: { ref: 'BT190510-0017' },
        fields: [],
      },
      {
        recon: 'trades-bos',
        kind: 'only_left',
        status: 'explained',
        key: { clearingDate: '2019-05-10', tradeNo: '1001236' },
        fields: [],
      },
    ]);
    expect(breaks[1]!.reason).toMatch(/^pending give-up/);
    expect(breaks[1]!.explainedBy).toBe('rule:pending-give-up');
    expect(breaks[0]!.rightIds).toHaveLength(1);
    expect(run.open).toBe(1);
    expect(run.explained).toBe(1);
  });

  it('positions-bos: the omnibus gross long and short equal the sum of its clients; no breaks on any date', () => {
    for (const { run, breaks } of runs.values()) {
      expect(breaks.filter((b) => b.recon === 'positions-bos')).toEqual([]);
      const c = run.counts['positions-bos']!;
      expect(c.matched).toBe(c.leftRecords);
      expect(c.rightRecords).toBeGreaterThan(c.leftRecords);
    }
  });
});
