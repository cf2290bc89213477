import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBreaks, type Break } from '../../src/reconcile/breaks.js';
import { loadBuiltinRuleSet, loadRuleSet, type RuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation, type RunSummary } from '../../src/reconcile/run.js';
import { writeReports } from '../../src/report/renderers.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { dateSequence, loadTrades, runTradeScenario, type T } from '../support/synthetic-trades.js';
import { collect } from '../support/collect.js';

// Multiplicity: a content pass with `repeats: pair` pairs identical records n-to-n; only a side's
// excess over the other's count is a duplicate, stating both counts. A trade-number pass (the default,
// `repeats: duplicate`) still reports a repeated number as a duplicate.

const rules = (extraPass = '') =>
  loadRuleSet(
    'multiplicity.yaml',
    `name: multiplicity
reconciliations:
  t:
    entity: trades
    left: { source: dcass }
    right: { source: bos }
    passes:
      - { name: number, keys: [clearingDate, tradeNo] }
      - { name: content, keys: [account, side, quantity, price], repeats: pair }
${extraPass}
    compare:
      quantity: exact
      price: exact
      account: exact
`,
  );

/** A fill as the content pass sees it; numbers differ across the sides, or BOS has none. */
const fill = (tradeNo: string | null, extra: T = {}): T => ({
  tradeNo,
  account: 'H01',
  side: 'B',
  quantity: '2',
  price: '100',
  ...extra,
});
const CONTENT_KEY = { account: 'H01', side: 'B', quantity: '2', price: '100' };
const counts = (left: number, right: number) => [
  { field: 'records with this key', left: String(left), right: String(right), comparator: 'paired n-to-n' },
];

describe(`reconciliation multiplicity (${dbKind})`, () => {
  let t: TestDb;
  const nextDate = dateSequence('2019-07');
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  async function scenario(
    left: T[],
    right: T[],
    ruleSet: RuleSet,
  ): Promise<{ run: RunSummary; breaks: Break[] }> {
    const { run, breaks } = await runTradeScenario(t.store, nextDate(), left, right, ruleSet);
    // Every record lands in exactly one place: a clean pair, or one break.
    const c = run.counts['t']!;
    const used = (s: 'leftIds' | 'rightIds') => breaks.reduce((n, b) => n + b[s].length, 0);
    expect(c.matched + used('leftIds')).toBe(left.length);
    expect(c.matched + used('rightIds')).toBe(right.length);
    return { run, breaks };
  }

  it('two identical fills on both sides pair two with two: no break', async () => {
    const { run, breaks } = await scenario([fill('1'), fill('2')], [fill(null), fill(null)], rules());
    expect(breaks).toEqual([]);
    expect(run.counts['t']).toMatchObject({ matched: 2, matchedByPass: { '2': 2 } });
  });

  it('3 against 1: one pair and two duplicate breaks of the larger side, each stating 3 and 1', async () => {
    const { run, breaks } = await scenario([fill('1'), fill('2'), fill('3')], [fill(null)], rules());
    expect(run.counts['t']).toMatchObject({ matched: 1, matchedByPass: { '2': 1 } });
    expect(run.counts['t']!.breaks).toMatchObject({ duplicate_left: 2, duplicate_right: 0, only_left: 0 });
    expect(breaks.map((b) => [b.kind, b.pass, b.key, b.fields, b.leftIds.length, b.rightIds.length])).toEqual(
      [
        ['duplicate_left', 2, CONTENT_KEY, counts(3, 1), 1, 0],
        ['duplicate_left', 2, CONTENT_KEY, counts(3, 1), 1, 0],
      ],
    );
    // Record order decides which record pairs: the first; the two breaks are two distinct breaks.
    expect(new Set(breaks.map((b) => b.fingerprint)).size).toBe(2);
  });

  it('1 against 3 mirrors it on the right', async () => {
    const { breaks } = await scenario([fill('1')], [fill(null), fill(null), fill(null)], rules());
    expect(breaks.map((b) => [b.kind, b.fields])).toEqual([
      ['duplicate_right', counts(1, 3)],
      ['duplicate_right', counts(1, 3)],
    ]);
  });

  it('3 against none: the key is missing on the right (only_left) and repeated twice (stating 3 and 0)', async () => {
    const { breaks } = await scenario(
      [fill('1'), fill('2'), fill('3')],
      [fill(null, { account: 'H02' })],
      rules(),
    );
    const kinds = breaks.map((b) => [b.kind, b.fields]);
    expect(kinds).toContainEqual(['only_left', []]);
    expect(kinds).toContainEqual(['only_right', []]);
    expect(kinds.filter(([k]) => k === 'duplicate_left')).toEqual([
      ['duplicate_left', counts(3, 0)],
      ['duplicate_left', counts(3, 0)],
    ]);
    expect(breaks).toHaveLength(4);
  });

  it('the trade-number pass still reports a repeated number as a duplicate, with no counts', async () => {
    const { run, breaks } = await scenario(
      [fill('7', { quantity: '1' }), fill('8', { quantity: '3' })],
      [fill('7', { quantity: '1' }), fill('7', { quantity: '1' }), fill('8', { quantity: '3' })],
      rules(),
    );
    expect(breaks.map((b) => [b.kind, b.key['tradeNo'], b.pass, b.fields])).toEqual([
      ['duplicate_right', '7', 1, []],
    ]);
    expect(run.counts['t']).toMatchObject({ matched: 2, matchedByPass: { '1': 2 } });
  });

  it('an excess stays open for a later pass: a repeat at the wrong price pairs there as a mismatch', async () => {
    const looser = `      - { name: loose, keys: [account, side, quantity], repeats: pair }`;
    const { run, breaks } = await scenario(
      [fill('1'), fill('2')],
      [fill(null), fill(null, { price: '101' })],
      rules(looser),
    );
    expect(run.counts['t']!.matchedByPass).toEqual({ '2': 1 });
    expect(breaks.map((b) => [b.kind, b.pass, b.fields])).toEqual([
      ['mismatch', 3, [{ field: 'price', left: '100', right: '101', comparator: 'exact' }]],
    ]);
  });

  it('a later pass of the default kind (duplicate) carries the excess mark through and may pair the excess', async () => {
    const strictThenLoose = `      - { name: loose, keys: [account, side, quantity] }`;
    const paired = await scenario(
      [fill('1'), fill('2')],
      [fill(null), fill(null, { price: '101' })],
      rules(strictThenLoose),
    );
    expect(paired.breaks.map((b) => [b.kind, b.pass])).toEqual([['mismatch', 3]]);
    // 3 against 1: the loose pass sets one excess record aside as its own duplicate (a repeated key of
    // a duplicate pass, no counts); the other stays the content pass's excess, stating 3 and 1.
    const { breaks } = await scenario(
      [fill('1'), fill('2'), fill('3')],
      [fill(null)],
      rules(strictThenLoose),
    );
    expect(breaks.map((b) => [b.kind, b.pass, b.fields]).sort((a, b) => Number(a[1]) - Number(b[1]))).toEqual(
      [
        ['duplicate_left', 2, counts(3, 1)],
        ['duplicate_left', 3, []],
      ],
    );
  });

  it("an excess no later pass pairs is still its first pass's duplicate, with that pass's counts", async () => {
    const looser = `      - { name: loose, keys: [account, side, quantity], repeats: pair }`;
    const { breaks } = await scenario([fill('1'), fill('2'), fill('3')], [fill(null)], rules(looser));
    expect(breaks.map((b) => [b.kind, b.pass, b.key, b.fields])).toEqual([
      ['duplicate_left', 2, CONTENT_KEY, counts(3, 1)],
      ['duplicate_left', 2, CONTENT_KEY, counts(3, 1)],
    ]);
  });

  it('a re-run finds the same duplicates with the same fingerprints; one more record clears one', async () => {
    const rs = rules();
    const date = nextDate();
    await loadTrades(t.store, 'dcass', date, [fill('1'), fill('2'), fill('3')]);
    await loadTrades(t.store, 'bos', date, [fill(null)]);
    const first = await runReconciliation(t.store, {
      businessDate: date,
      ruleSet: rs,
      allowNonTradingDay: true,
    });
    const again = await runReconciliation(t.store, {
      businessDate: date,
      ruleSet: rs,
      allowNonTradingDay: true,
    });
    const prints = async (runId: string) =>
      (await collect(listBreaks(t.store, runId)))
        .filter((b) => !b.clearedByRun)
        .map((b) => b.fingerprint)
        .sort();
    expect(await prints(again.runId)).toEqual(await prints(first.runId));
    // BOS books the second fill: 3 against 2 leaves one duplicate, stating 3 and 2; one break cleared.
    await loadTrades(t.store, 'bos', date, [fill(null)]);
    const third = await runReconciliation(t.store, {
      businessDate: date,
      ruleSet: rs,
      allowNonTradingDay: true,
    });
    const found = (await collect(listBreaks(t.store, third.runId))).filter((b) => !b.clearedByRun);
    expect(found.map((b) => [b.kind, b.fields])).toEqual([['duplicate_left', counts(3, 2)]]);
    expect(third.counts['t']).toMatchObject({ matched: 2, cleared: 1 });
  });

  it('the reports show the counts: breaks.json fields, breaks.csv fields and the HTML page', async () => {
    const { run } = await scenario([fill('1')], [fill(null), fill(null)], rules());
    const out = mkdtempSync(path.join(tmpdir(), 'dcass-multiplicity-'));
    await writeReports(t.store, run.runId, out);
    const json = JSON.parse(readFileSync(path.join(out, 'breaks.json'), 'utf8')) as {
      breaks: { kind: string; fields: unknown }[];
    };
    expect(json.breaks.map((b) => [b.kind, b.fields])).toEqual([['duplicate_right', counts(1, 2)]]);
    const csv = parse(readFileSync(path.join(out, 'breaks.csv'), 'utf8'), {
      columns: true,
      bom: true,
    }) as Record<string, string>[];
    // Breaks still open from the earlier scenarios' dates are carried into the file: this run's only.
    const rows = csv.filter((r) => r['kind'] === 'duplicate_right' && r['carried'] === 'no');
    expect(rows.map((r) => r['fields'])).toEqual(['records with this key: 1 vs 2 (paired n-to-n)']);
    const html = readFileSync(path.join(out, 'breaks.html'), 'utf8');
    expect(html).toContain('records with this key');
    expect(html).toContain('paired n-to-n');
  });

  it('an aggregated side sums allocations of one trade number, never records without one', async () => {
    const summing = loadRuleSet(
      'summing.yaml',
      `name: summing
reconciliations:
  t:
    entity: trades
    left: { source: dcass }
    right: { source: bos }
    aggregate: { side: right, groupBy: [clearingDate, tradeNo, account, side, price], sum: [quantity] }
    passes:
      - { name: number, keys: [clearingDate, tradeNo] }
      - { name: content, keys: [account, side, quantity, price], repeats: pair }
    compare: { quantity: exact, price: exact, account: exact }
`,
    );
    // Two identical fills BOS booked without numbers pair two with two; two allocations of trade 9
    // (2 + 2) pair with its one DCASS record of 4.
    const { run, breaks } = await runTradeScenario(
      t.store,
      nextDate(),
      [fill('1'), fill('2'), fill('9', { quantity: '4' })],
      [fill(null), fill(null), fill('9'), fill('9')],
      summing,
    );
    expect(breaks).toEqual([]);
    expect(run.counts['t']).toMatchObject({ matched: 3, matchedByPass: { '1': 1, '2': 2 } });
  });

  it('the default rule set pairs its content passes n-to-n and keeps trade numbers duplicates', () => {
    const rs = loadBuiltinRuleSet();
    const passes = (name: string) =>
      rs.reconciliations.find((r) => r.name === name)!.passes.map((p) => [p.name, p.repeats]);
    for (const name of ['trades-seam', 'trades-bos']) {
      expect(passes(name)).toEqual([
        ['trade-number', 'duplicate'],
        ['content', 'pair'],
      ]);
    }
  });

  it('a rule file with another value for repeats is refused, naming the key', () => {
    expect(() =>
      loadRuleSet(
        'bad.yaml',
        `name: bad
reconciliations:
  t:
    entity: trades
    left: { source: dcass }
    right: { source: bos }
    passes: [{ keys: [tradeNo], repeats: many }]
`,
      ),
    ).toThrow(/repeats/);
  });
});
