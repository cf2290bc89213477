import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { DATA_DIGEST_VERSION, fileDataDigest } from '../../src/audit/data-digest.js';
import { verifyLoadedData } from '../../src/audit/verify-data.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';

/**
 * A file's data digest is checked by the formula its load used: files digested before migration 0015
 * (formula 1, JSON arrays) keep verifying after it, while loads take formula 2 (row values).
 */
describe(`data digest formulas: a file is verified by the formula of its load (${dbKind})`, () => {
  let t: TestDb;
  let fileId: string;
  let v1: string;

  beforeAll(async () => {
    t = await createTestDb({ migrate: false });
    const migrator = new Migrator({ db: t.store.db, provider: { getMigrations: async () => migrations } });
    const before = await migrator.migrateTo('0013_compact_register');
    expect(before.error).toBeUndefined();
    // A file as a load before 0015 left it: rows, a rejected row, and its formula-1 digest.
    const db = t.store.db;
    const file = await sql<{ id: string }>`INSERT INTO source_file (source, entity, profile, report_id, participant,
        business_date, sha256, size_bytes, file_name, path, row_count, reject_count)
      VALUES ('bos', 'trades', 'bos-trades', 'BOS-TRD', 'CABC', '2019-05-06', ${'a'.repeat(64)}, 100,
        'trades.csv', '/in/trades.csv', 2, 1) RETURNING id::text AS id`.execute(db);
    fileId = file.rows[0]!.id;
    await sql`INSERT INTO trade (file_id, line_no, source, participant, clearing_date, session, series, root,
        instrument_type, expiry, strike, trade_no, account, side, quantity, price, trade_type, exec_date, exec_at, extra)
      VALUES (${fileId}::bigint, 2, 'bos', 'CABC', '2019-05-06', 'T', 'HSIK9', 'HSI', 'F', '2019-05', NULL, '1000101',
          'A0000001', 'B', 5.50, 29500, 'STD', '2019-05-06', '2019-05-06 01:30:00.25+00', '{"b": "x", "a": null}'),
        (${fileId}::bigint, 3, 'bos', 'CABC', '2019-05-06', 'A', 'HSI28000E9', 'HSI', 'C', '2019-05', 28000, NULL,
          'A0000002', 'S', 1, 0.010, 'STD', NULL, NULL, NULL)`.execute(db);
    await sql`INSERT INTO rejected_row (file_id, line_no, field, code, reason, raw)
      VALUES (${fileId}::bigint, 4, 'quantity', 'BAD_DECIMAL', 'quantity: "x" is not a number', 'a,"b",x')`.execute(db);
    v1 = await fileDataDigest(db, fileId, 'trades', 1);
    await sql`UPDATE source_file SET data_digest = ${v1} WHERE id = ${fileId}::bigint`.execute(db);
    await migrateToLatest(t.store);
  });
  afterAll(async () => t.dispose());

  it('the migration marks the digests it finds as formula 1, and they verify', async () => {
    const row = await sql<{ v: number | null }>`SELECT data_digest_version AS v FROM source_file
      WHERE id = ${fileId}::bigint`.execute(t.store.db);
    expect(row.rows[0]!.v).toBe(1);
    expect(await verifyLoadedData(t.store.db)).toEqual({ intact: true, checked: 1, unchecked: 0, changed: [] });
  });

  it('migration 0023 counts the rows of files loaded before it by date, as a load now does', async () => {
    const counted = await sql<{ d: string; n: string }>`SELECT record_date::text AS d, rows::text AS n
      FROM file_dated_rows WHERE file_id = ${fileId}::bigint`.execute(t.store.db);
    expect(counted.rows).toEqual([{ d: '2019-05-06', n: '2' }]);
  });

  it('formula 2 gives another digest of the same rows; formula 3 is the current one', async () => {
    expect(DATA_DIGEST_VERSION).toBe(3);
    const v2 = await fileDataDigest(t.store.db, fileId, 'trades', 2);
    expect(v2).toMatch(/^[0-9a-f]{64}$/);
    expect(v2).not.toBe(v1);
  });

  it('formula 2 sees every stored value: a changed scale, date, time or extra key changes it', async () => {
    const db = t.store.db;
    const changes = [
      sql`UPDATE trade SET quantity = 5.5 WHERE file_id = ${fileId}::bigint AND line_no = 2`,
      sql`UPDATE trade SET exec_at = exec_at + interval '1 microsecond' WHERE file_id = ${fileId}::bigint AND line_no = 2`,
      sql`UPDATE trade SET clearing_date = clearing_date + 1 WHERE file_id = ${fileId}::bigint AND line_no = 3`,
      sql`UPDATE trade SET extra = '{"b": "x"}' WHERE file_id = ${fileId}::bigint AND line_no = 2`,
      sql`UPDATE trade SET trade_no = '' WHERE file_id = ${fileId}::bigint AND line_no = 3`,
      sql`UPDATE rejected_row SET raw = 'a,"b",x ' WHERE file_id = ${fileId}::bigint`,
    ];
    const base = await fileDataDigest(db, fileId, 'trades', 2);
    for (const change of changes) {
      await db.transaction().execute(async (tx) => {
        await change.execute(tx);
        expect(await fileDataDigest(tx, fileId, 'trades', 2)).not.toBe(base);
        // Rolled back: each change is measured against the rows as loaded.
        throw new RolledBack();
      }).catch((e: unknown) => {
        if (!(e instanceof RolledBack)) throw e;
      });
    }
    expect(await fileDataDigest(db, fileId, 'trades', 2)).toBe(base);
  });

  it('a formula-1 file whose rows change is named; its formula cannot be rewritten', async () => {
    const db = t.store.db;
    await sql`UPDATE trade SET price = 29501 WHERE file_id = ${fileId}::bigint AND line_no = 2`.execute(db);
    const result = await verifyLoadedData(db);
    expect(result.intact).toBe(false);
    expect(result.changed).toEqual([
      { fileId, fileName: 'trades.csv', problem: 'rows', expected: v1, found: expect.any(String) },
    ]);
    await expect(
      sql`UPDATE source_file SET data_digest_version = 2 WHERE id = ${fileId}::bigint`.execute(db),
    ).rejects.toThrow(/its data digest is the record of the rows as loaded and cannot be changed/);
  });
});

class RolledBack extends Error {}
