import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { loadTrades } from '../support/synthetic-trades.js';

// Three reconciliations: two read DCASS trades as they are (the same question, asked once), the
// third reads them through a filter that keeps none (another question, asked on its own).
const RULES = `name: inputs-test
reconciliations:
  against-bos:
    entity: trades
    left: { source: dcass }
    right: { source: bos }
    passes: [{ keys: [clearingDate, tradeNo] }]
  against-bos-again:
    entity: trades
    left: { source: bos }
    right: { source: dcass }
    passes: [{ keys: [clearingDate, tradeNo] }]
  filtered:
    entity: trades
    left: { source: dcass, filters: { tradeType: GUP } }
    right: { source: bos }
    passes: [{ keys: [clearingDate, tradeNo] }]
`;

describe(`a run's inputs (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  it('lists each file once with every side that read it, sides asking the same question included', async () => {
    const date = '2019-06-03';
    await loadTrades(t.store, 'dcass', date, [{ tradeNo: '1' }, { tradeNo: '2' }]);
    await loadTrades(t.store, 'bos', date, [{ tradeNo: '1' }]);
    const run = await runReconciliation(t.store, {
      businessDate: date,
      ruleSet: loadRuleSet('inputs-test.yaml', RULES),
      allowNonTradingDay: true,
    });
    expect(run.inputs.map((i) => [i.source, i.file, i.rows, i.usedBy])).toEqual([
      ['dcass', `dcass-trades-${date}.csv`, 2, ['against-bos:left', 'against-bos-again:right']],
      ['bos', `bos-trades-${date}.csv`, 1, ['against-bos:right', 'against-bos-again:left', 'filtered:right']],
    ]);
  });
});
