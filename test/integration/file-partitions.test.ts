import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { FIXTURES, ingest } from '../support/ingest.js';

const DAY = path.join(FIXTURES, 'dcass/20190506');
const FILES_FROM = 2n ** 40n;

describe(`a partition per loaded file (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  /** Each trade's id and the partition holding it, by id. */
  const where = async () =>
    (
      await sql<{ id: string; part: string; file_id: string }>`SELECT id, tableoid::regclass::text AS part,
        file_id FROM trade ORDER BY id`.execute(t.store.db)
    ).rows;
  /** The partitions of a table, with their bounds. */
  const partitions = async (table: string) =>
    (
      await sql<{ name: string; bound: string }>`SELECT c.relname AS name,
        pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = ${table}::regclass AND c.relkind = 'r' ORDER BY c.relname`.execute(t.store.db)
    ).rows;

  it('stores a file’s rows in a partition of their own, indexed, ids in its range', async () => {
    const [loaded] = await ingest(t.store, [
      { path: path.join(DAY, 'TRD001_CABC_20190506_1300.xml'), source: 'dcass' },
    ]);
    expect(loaded).toMatchObject({ status: 'loaded', rows: 12 });
    const name = `trade_file_${loaded!.fileId}`;
    const rows = await where();
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => r.part))).toEqual(new Set([name]));
    expect(rows.every((r) => BigInt(r.id) >= FILES_FROM)).toBe(true);
    expect(await partitions('trade')).toEqual([
      { name, bound: `FOR VALUES FROM ('${rows[0]!.id}') TO ('${BigInt(rows[0]!.id) + 2n ** 31n}')` },
      { name: 'trade_rows', bound: `FOR VALUES FROM (MINVALUE) TO ('${FILES_FROM}')` },
    ]);
    // Attaching built the partition the table's indexes: the primary key, BRIN, the two partial ones.
    const { rows: indexes } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_index
      WHERE indrelid = ${name}::regclass`.execute(t.store.db);
    expect(indexes[0]!.n).toBe(4);
    // One primary key over all: an id of the file's range cannot be written again, anywhere.
    await expect(
      sql`INSERT INTO trade SELECT * FROM trade WHERE id = ${rows[0]!.id}::bigint`.execute(t.store.db),
    ).rejects.toThrow(/duplicate key/);
  });

  it('keeps rows written one by one in the rows partition, below every file’s range', async () => {
    const [file] = await where();
    await sql`INSERT INTO trade (file_id, line_no, source, participant, clearing_date, session, series, root,
        instrument_type, expiry, account, side, quantity, price, trade_type)
      SELECT file_id, 99, source, participant, clearing_date, session, series, root, instrument_type, expiry,
        account, side, quantity, price, trade_type FROM trade WHERE id = ${file!.id}::bigint`.execute(
      t.store.db,
    );
    const single = (await where()).find((r) => r.part === 'trade_rows');
    expect(single).toBeDefined();
    expect(BigInt(single!.id) < FILES_FROM).toBe(true);
    await sql`DELETE FROM trade WHERE id = ${single!.id}::bigint`.execute(t.store.db);
  });

  it('undoes and redoes the migration with the rows kept, and the next load takes a range above them', async () => {
    const before = await where();
    const m = migrations['0026_file_partitions']!;
    await m.down!(t.store.db);
    const { rows: plain } = await sql<{ relkind: string; n: number }>`SELECT c.relkind,
      (SELECT count(*)::int FROM trade) AS n FROM pg_class c WHERE c.oid = 'trade'::regclass`.execute(
      t.store.db,
    );
    expect(plain).toEqual([{ relkind: 'r', n: 12 }]);
    await m.up(t.store.db);
    const after = await where();
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
    // The rows of the file are back in the rows partition, whose range now reaches above them.
    expect(new Set(after.map((r) => r.part))).toEqual(new Set(['trade_rows']));
    const [next] = await ingest(t.store, [
      { path: path.join(DAY, 'TRD001_CABC_20190506_2310.xml'), source: 'dcass' },
    ]);
    expect(next).toMatchObject({ status: 'loaded' });
    const newest = (await where()).filter((r) => r.part === `trade_file_${next!.fileId}`);
    expect(newest.length).toBeGreaterThan(0);
    const highest = after.reduce((a, r) => (BigInt(r.id) > a ? BigInt(r.id) : a), 0n);
    expect(newest.every((r) => BigInt(r.id) > highest)).toBe(true);
  });
});
