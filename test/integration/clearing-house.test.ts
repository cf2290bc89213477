import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PRODUCTS } from '../../src/config/products.js';
import { houseFilter } from '../../src/reconcile/house-filter.js';
import { readRegister } from '../../src/reconcile/register.js';
import { loadRuleSet, type RuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation, type RunOptions, type RunSummary } from '../../src/reconcile/run.js';
import { collect } from '../support/collect.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { latestFileId, registerRules, supersede } from '../support/register.js';
import { loadTrades } from '../support/synthetic-trades.js';

// Clearing houses in a run: HSI is HKCC's (index futures), TCH SEOCH's (stock options), by the
// built-in product table. A run scoped to one house reads, finds and clears only that house's records.

const ruleSet = registerRules({ name: 'houses', tradesOnly: true });
const hkccRules = registerRules({ name: 'hkcc', tradesOnly: true, filter: ', filters: { house: [HKCC] }' });

describe(`clearing houses in a run (${dbKind})`, () => {
  let t: TestDb;
  const run = (date: string, options: Partial<RunOptions> & { rules?: RuleSet } = {}): Promise<RunSummary> =>
    runReconciliation(t.store, {
      businessDate: date,
      ruleSet: options.rules ?? ruleSet,
      actor: 'ops',
      ...options,
    });
  const breaks = async () =>
    (await collect(readRegister(t.store)))
      .filter((e) => e.lastSeenDate === '2019-05-06' || e.firstSeenDate === '2019-05-06')
      .map((e) => [e.key.tradeNo, e.kind, e.status])
      .sort();
  const recordedHouse = async (runId: string) =>
    (
      await t.store.db
        .selectFrom('recon_run')
        .select('house')
        .where('id', '=', runId)
        .executeTakeFirstOrThrow()
    ).house;

  beforeAll(async () => {
    t = await createTestDb();
    // 6 May: trade 1 (HSI) agrees; 2 (TCH) is missing in BOS; 3 (HSI) 5 against 4; 4 (TCH) 2 against 3.
    await loadTrades(t.store, 'dcass', '2019-05-06', [
      { tradeNo: '1' },
      { tradeNo: '2', root: 'TCH' },
      { tradeNo: '3', quantity: '5' },
      { tradeNo: '4', root: 'TCH', quantity: '2' },
    ]);
    await loadTrades(t.store, 'bos', '2019-05-06', [
      { tradeNo: '1' },
      { tradeNo: '3', quantity: '4' },
      { tradeNo: '4', root: 'TCH', quantity: '3' },
    ]);
  });
  afterAll(async () => t.dispose());

  it('run --house SEOCH reads SEOCH records only, finds their breaks and records the house it covered', async () => {
    const r = await run('2019-05-06', { house: 'SEOCH' });
    expect(r.house).toBe('SEOCH');
    // Trade 4 pairs by number but differs: a break, not a match.
    expect([r.counts.t!.leftRecords, r.counts.t!.rightRecords, r.counts.t!.matched]).toEqual([2, 1, 0]);
    expect(await breaks()).toEqual([
      ['2', 'only_left', 'open'],
      ['4', 'mismatch', 'open'],
    ]);
    expect(await recordedHouse(r.runId)).toBe('SEOCH');
  });

  it('a rule-set filter house: [HKCC] reads HKCC records only; an unscoped run records no house', async () => {
    const r = await run('2019-05-06', { rules: hkccRules });
    expect([r.house, r.counts.t!.leftRecords, r.counts.t!.rightRecords, r.counts.t!.matched]).toEqual([
      null,
      2,
      2,
      1,
    ]);
    expect(await recordedHouse(r.runId)).toBeNull();
    // It finds trade 3 (HKCC); the SEOCH breaks, outside its filter, are neither found nor cleared.
    expect([r.counts.t!.open, r.counts.t!.cleared]).toEqual([1, 0]);
    expect(await breaks()).toEqual([
      ['2', 'only_left', 'open'],
      ['3', 'mismatch', 'open'],
      ['4', 'mismatch', 'open'],
    ]);
  });

  it('a rule-set house filter naming no clearing house is refused with its line', () => {
    expect(() =>
      loadRuleSet(
        'bad.yaml',
        'name: bad\nreconciliations:\n  t:\n    entity: trades\n    left: { source: dcass, filters: { house: [HKEX] } }\n    right: { source: bos }\n    passes: [{ keys: [tradeNo] }]\n',
      ),
    ).toThrow(
      /bad\.yaml:5: reconciliations\.t\.left\.filters\.house: unknown clearing house "HKEX"; expected HKCC or SEOCH/,
    );
  });

  it('the register: a SEOCH run never clears an HKCC break, an HKCC run never clears a SEOCH one', async () => {
    const all = await run('2019-05-06');
    expect([all.house, all.counts.t!.open]).toEqual([null, 3]);
    expect(await breaks()).toEqual([
      ['2', 'only_left', 'open'],
      ['3', 'mismatch', 'open'],
      ['4', 'mismatch', 'open'],
    ]);
    // BOS corrects trade 3 (HSI, HKCC) to 5, trade 4 (TCH, SEOCH) stays wrong.
    await loadTrades(t.store, 'bos', '2019-05-06', [
      { tradeNo: '1' },
      { tradeNo: '3', quantity: '5' },
      { tradeNo: '4', root: 'TCH', quantity: '3' },
    ]);
    await supersede(t.store, 'bos', 'trades', '2019-05-06', await latestFileId(t.store));
    // A SEOCH run does not look at trade 3: it stays open, although BOS now agrees.
    const seoch = await run('2019-05-06', { house: 'SEOCH' });
    expect(seoch.counts.t!.cleared).toBe(0);
    expect(await breaks()).toEqual([
      ['2', 'only_left', 'open'],
      ['3', 'mismatch', 'open'],
      ['4', 'mismatch', 'open'],
    ]);
    // An HKCC run looks at it and clears it; the SEOCH breaks it did not look at stay open.
    const hkcc = await run('2019-05-06', { house: 'HKCC' });
    expect([hkcc.counts.t!.cleared, hkcc.counts.t!.open]).toEqual([1, 0]);
    expect(await breaks()).toEqual([
      ['2', 'only_left', 'open'],
      ['3', 'mismatch', 'cleared'],
      ['4', 'mismatch', 'open'],
    ]); // The register per house (breaks list --house): by the records of each break's last sighting.
    const listed = async (house: 'HKCC' | 'SEOCH') =>
      (await collect(readRegister(t.store, { house: houseFilter(house, BUILTIN_PRODUCTS) })))
        .map((e) => e.key.tradeNo)
        .sort();
    expect(await listed('SEOCH')).toEqual(['2', '4']);
    expect(await listed('HKCC')).toEqual(['3']);
  });

  it('a root without a house refuses a house-scoped run, naming the root and products; the table can give it one', async () => {
    await loadTrades(t.store, 'dcass', '2019-05-07', [{ tradeNo: '7', root: 'XYZ' }, { tradeNo: '8' }]);
    await loadTrades(t.store, 'bos', '2019-05-07', [{ tradeNo: '8' }]);
    await expect(
      run('2019-05-07', { house: 'HKCC', configFile: '/cfg/dcass-recon.yaml' }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'records of 2019-05-07 have series roots with no clearing house in the product table: XYZ',
      location: { file: '/cfg/dcass-recon.yaml', path: 'products' },
    });
    // A run that does not read houses needs none.
    expect((await run('2019-05-07')).counts.t!.open).toBe(1);
    // products: { XYZ: SEOCH }: the SEOCH run reads it, the HKCC run does not.
    const products = { HSI: 'HKCC', XYZ: 'SEOCH' } as const;
    const seoch = await run('2019-05-07', { house: 'SEOCH', products });
    expect([seoch.counts.t!.leftRecords, seoch.counts.t!.open]).toEqual([1, 1]);
    const hkcc = await run('2019-05-07', { house: 'HKCC', products });
    expect([hkcc.counts.t!.leftRecords, hkcc.counts.t!.matched, hkcc.counts.t!.open]).toEqual([1, 1, 0]);
  });
});
