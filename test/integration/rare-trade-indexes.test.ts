import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCombinationSql } from '../../src/model/combination.js';
import { isAdjustmentSql } from '../../src/reconcile/compile.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';

// Migration 0021: a run finds the day's combination trades and adjustments through partial indexes,
// not by reading the day. The planner reads a partial index only when the statement's condition
// implies the index's: this holds the run's conditions and the migration's together. It reads each
// partition's (migration 0026); this database has no file loaded, so only `trade_rows`'s.
describe(`partial indexes of the trades a run looks for first (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  /** The plan of a search for the day's trades of a source meeting `condition`, sequential scans discouraged. */
  const plan = (condition: RawBuilder<boolean>) =>
    t.store.transaction(async (tx) => {
      // An empty table is cheapest read whole: only a plan that can use the index avoids it now.
      await sql`SET LOCAL enable_seqscan = off`.execute(tx.db);
      const rows = await sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT r.id FROM trade r
        WHERE r.source = ${'dcass'}::text AND r.clearing_date = ${'2019-05-06'}::date AND ${condition}`.execute(
        tx.db,
      );
      return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
    });

  it('the combination search reads trade_combination_idx', async () => {
    const text = await plan(sql<boolean>`${sql.raw(isCombinationSql('r.expiry'))}`);
    expect(text).toContain('trade_rows_combination_idx');
    expect(text).not.toContain('Seq Scan');
  });

  it('the adjustment search reads trade_adjustment_idx', async () => {
    const text = await plan(isAdjustmentSql('r'));
    expect(text).toContain('trade_rows_adjustment_idx');
    expect(text).not.toContain('Seq Scan');
  });

  it('a search neither index covers reads neither', async () => {
    // The control: a condition that implies neither index's (an adjustment's type without the
    // original number) is planned without them, whatever else the planner reads.
    const text = await plan(sql<boolean>`r.trade_type = ${'GUP'}::text`);
    expect(text).toContain('trade_rows r');
    expect(text).not.toMatch(/_(combination|adjustment)_idx/);
  });
});
