import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBreaks } from '../../src/reconcile/breaks.js';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { collect } from '../support/collect.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { countDatedRows, insertTestFile } from '../support/synthetic-trades.js';

// positions-bos compares the net on NET accounts and long and short on GROSS ones, by the account
// map in force on the position's date: the latest effective date by then, the last mapping of that
// date, from map files not superseded. An unmapped account compares its net.
describe(`account types by the map in force (${dbKind})`, () => {
  let t: TestDb;
  const ruleSet = loadBuiltinRuleSet();

  async function loadMap(rows: [string, 'NET' | 'GROSS', string][]): Promise<string> {
    const file = await insertTestFile(t.store, 'bos', 'account_map', '2019-05-06', rows.length);
    await t.store.db
      .insertInto('account_map')
      .values(
        rows.map(([account, type, from], i) => ({
          file_id: file.id,
          line_no: i + 2,
          client_code: `C-${account}-${i}`,
          dcass_account: account,
          account_type: type,
          effective_from: from,
        })),
      )
      .execute();
    return file.id;
  }

  // Every account holds long 5 short 3 at DCASS and long 4 short 2 in the BOS: the nets agree (2),
  // long and short do not.
  async function loadPositions(source: 'dcass' | 'bos', date: string, accounts: string[]): Promise<void> {
    const file = await insertTestFile(t.store, source, 'positions', date, accounts.length);
    await t.store.db
      .insertInto('position')
      .values(
        accounts.map((account, i) => ({
          file_id: file.id,
          line_no: i + 2,
          source,
          participant: 'CABC',
          position_date: date,
          account,
          client_code: null,
          series: 'HSIK9',
          root: 'HSI',
          instrument_type: 'F' as const,
          expiry: '2019-05',
          strike: null,
          long_qty: source === 'dcass' ? '5' : '4',
          short_qty: source === 'dcass' ? '3' : '2',
          exercised_qty: null,
          assigned_qty: null,
          extra: null,
        })),
      )
      .execute();
    await countDatedRows(t.store, file.id, 'positions');
  }

  const ACCOUNTS = ['CHANGES', 'TWICE', 'UNMAPPED', 'SUPERSEDED'];
  const breaksOf = new Map<string, { account: string; fields: string[] }[]>();
  beforeAll(async () => {
    t = await createTestDb();
    const old = await loadMap([['SUPERSEDED', 'GROSS', '2019-01-02']]);
    const current = await loadMap([
      ['CHANGES', 'GROSS', '2019-01-02'],
      ['CHANGES', 'NET', '2019-05-07'],
      // Two mappings effective the same day: the later one (GROSS) holds.
      ['TWICE', 'NET', '2019-01-02'],
      ['TWICE', 'GROSS', '2019-01-02'],
      ['SUPERSEDED', 'NET', '2019-01-02'],
    ]);
    await t.store.db.updateTable('source_file').set({ superseded_by: current }).where('id', '=', old).execute();
    for (const date of ['2019-05-06', '2019-05-07']) {
      await loadPositions('dcass', date, ACCOUNTS);
      await loadPositions('bos', date, ACCOUNTS);
      const run = await runReconciliation(t.store, { businessDate: date, ruleSet, recons: ['positions-bos'] });
      const breaks = (await collect(listBreaks(t.store, run.runId))).filter((b) => !b.clearedByRun);
      breaksOf.set(
        date,
        breaks
          .map((b) => ({ account: String(b.key.account), fields: b.fields.map((f) => f.field).sort() }))
          .sort((a, b) => a.account.localeCompare(b.account)),
      );
    }
  });
  afterAll(async () => t.dispose());

  it('6 May: GROSS accounts (CHANGES, TWICE) break on long and short; NET and unmapped ones agree on the net', () => {
    expect(breaksOf.get('2019-05-06')).toEqual([
      { account: 'CHANGES', fields: ['long', 'short'] },
      { account: 'TWICE', fields: ['long', 'short'] },
    ]);
  });

  it('7 May: CHANGES is NET from that date, so only TWICE still breaks', () => {
    expect(breaksOf.get('2019-05-07')).toEqual([{ account: 'TWICE', fields: ['long', 'short'] }]);
  });
});
