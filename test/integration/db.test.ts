import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';

describe(`database layer on ${dbKind}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  it('migrates to the latest schema and is idempotent', async () => {
    const again = await migrateToLatest(t.store);
    expect(again).toEqual([]);
    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`.execute(
      t.store.db,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['account_map', 'calendar', 'position', 'rejected_row', 'source_file', 'trade']),
    );
  });

  it('returns NUMERIC, BIGINT and DATE as exact strings', async () => {
    const r = await sql<{ n: string; b: string; d: string }>`
      SELECT 12345678901234567890.123456789::numeric AS n, 9007199254740993::bigint AS b, DATE '2019-05-03' AS d`.execute(
      t.store.db,
    );
    expect(r.rows[0]).toEqual({
      n: '12345678901234567890.123456789',
      b: '9007199254740993',
      d: '2019-05-03',
    });
  });

  it('copies rows inside a transaction and rolls them back when it throws', async () => {
    const rows = [
      ['ZZ', '2019-05-03', 'f', 'f', null, 'tab\there \\ and\nnewline'],
      ['ZZ', '2019-05-04', 't', 't', 'upgraded', null],
    ];
    const cols = ['market', 'day', 'trading', 'after_hours', 'platform', 'note'];
    await expect(
      t.store.transaction(async (tx) => {
        await tx.copyRows('calendar', cols, rows);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await t.store.db.selectFrom('calendar').selectAll().where('market', '=', 'ZZ').execute()).toEqual(
      [],
    );

    await t.store.transaction(async (tx) => {
      await tx.copyRows('calendar', cols, rows);
    });
    const got = await t.store.db
      .selectFrom('calendar')
      .selectAll()
      .where('market', '=', 'ZZ')
      .orderBy('day')
      .execute();
    expect(got.map((r) => r.note)).toEqual(['tab\there \\ and\nnewline', null]);
    expect(got.map((r) => r.trading)).toEqual([false, true]);
  });
});
