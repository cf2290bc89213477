import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RowDigest, fileDataDigest } from '../../src/audit/data-digest.js';
import type { Database } from '../../src/db/database.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';

/** A source_file row for synthetic trades; returns its id. */
async function newFile(db: Kysely<Database>, name: string): Promise<string> {
  const r = await db
    .insertInto('source_file')
    .values({
      source: 'dcass',
      entity: 'trades',
      profile: 'dcass-trd001-csv',
      report_id: 'TRD001',
      participant: 'CABC',
      business_date: '2019-05-06',
      generated_at: null,
      sha256: name.padEnd(64, '0'),
      size_bytes: '1',
      file_name: name,
      path: `/nowhere/${name}`,
      file_mtime: null,
      row_count: 0,
      reject_count: 0,
      control: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** `n` trade rows of a file from line `first` on, as one batch of a load would store them. */
async function addTrades(db: Kysely<Database>, fileId: string, first: number, n: number): Promise<void> {
  await sql`INSERT INTO trade (file_id, line_no, source, participant, clearing_date, session, series, root,
      instrument_type, expiry, account, side, quantity, price, trade_type, trade_no, exec_at, extra)
    SELECT ${fileId}::bigint, g, 'dcass', 'CABC', DATE '2019-05-06', 'T', 'HSIK9', 'HSI', 'F', '2019-05',
      'A' || g, CASE WHEN g % 2 = 0 THEN 'B' ELSE 'S' END, (g % 97 + 1)::numeric, (28000 + g % 13)::numeric(12, 2),
      'STD', g::text, TIMESTAMPTZ '2019-05-06 01:00:00+00' + g * INTERVAL '1 second',
      CASE WHEN g % 5 = 0 THEN jsonb_build_object('Note', 'line "' || g || '"') END
    FROM generate_series(${first}::int, ${first + n - 1}::int) g`.execute(db);
}

async function addReject(db: Kysely<Database>, fileId: string, line: number): Promise<void> {
  await db
    .insertInto('rejected_row')
    .values({
      file_id: fileId,
      line_no: line,
      field: 'quantity',
      code: 'BAD_DECIMAL',
      reason: 'bad',
      raw: 'x,y',
    })
    .execute();
}

describe(`RowDigest: the digest taken as a file loads is fileDataDigest's (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  it('batches hashed as they are stored, another file loading between them, give the digest of the rows as stored', async () => {
    const [digest, after] = await t.store.transaction(async (tx) => {
      const fileId = await newFile(tx.db, 'ROW_DIGEST_A');
      const other = await newFile(tx.db, 'ROW_DIGEST_B');
      const d = new RowDigest(fileId, 'trades');
      let line = 2;
      // Batches of uneven sizes across the 10,000-id chunks; the other file takes ids in between.
      for (const n of [4_000, 7_000, 1, 9_999, 3_000]) {
        await addTrades(tx.db, fileId, line, n);
        line += n;
        await addTrades(tx.db, other, line, 1_500);
        await addReject(tx.db, fileId, line + 1);
        await d.advance(tx.db);
      }
      // Most of the file was hashed while it loaded: the chunks the sequence had passed.
      expect(d.hashedRows).toBeGreaterThanOrEqual(20_000n);
      return [await d.finish(tx.db), await fileDataDigest(tx.db, fileId, 'trades')] as const;
    });
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).toBe(after);
  });

  it('a file with no entity rows, or advanced before any row, gives fileDataDigest too', async () => {
    await t.store.transaction(async (tx) => {
      const empty = await newFile(tx.db, 'ROW_DIGEST_C');
      const d = new RowDigest(empty, 'trades');
      await d.advance(tx.db);
      await addReject(tx.db, empty, 2);
      expect(await d.finish(tx.db)).toBe(await fileDataDigest(tx.db, empty, 'trades'));
    });
  });
});
