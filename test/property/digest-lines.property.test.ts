import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_DIGEST_VERSION, fileDataDigest, type SentRows } from '../../src/audit/data-digest.js';
import type { StoreTransaction } from '../../src/db/connect.js';
import { CopyBatch, type CopyRow } from '../../src/db/copy.js';
import type { Database } from '../../src/db/database.js';
import { copyColumns } from '../../src/model/entities.js';
import { extraJson } from '../../src/ingest/normalise/record-values.js';
import { copyInstant } from '../../src/ingest/normalise/stored-row.js';
import { readDecimalText } from '../../src/shared/decimal.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { fc, numRuns } from '../support/property.js';

/**
 * Data digest formula 3 hashes a file's rows as the COPY lines its load sent, and `audit verify --data`
 * rebuilds those lines from the stored values: for any values a load may send (every text, decimals of
 * any scale, dates, instants to the millisecond, unmapped columns with any names), the line rebuilt is
 * the line sent, on both databases, or a file nobody touched would be reported as changed.
 */

/** Thrown to roll a test's transaction back: nothing it stored stays. */
class RolledBack extends Error {}

// Each run stores a few rows in the database.
const DB_RUNS = Math.min(numRuns, 60);

/** Any text PostgreSQL stores: every code point but NUL, no lone surrogate. */
const anyText = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.constantFrom('\\', '\b\t\n\v\f\r', 'A\\N', '\\N', ' x ', 'é中文', '\u{1F600}', '"quoted"', '{"a": 1}'),
  )
  .filter((s) => !s.includes('\0') && !/\p{Cs}/u.test(s));

/** A decimal as a load stores it: readDecimalText's canonical text. */
const decimal = fc
  .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,12}$/), fc.stringMatching(/^[0-9]{0,8}$/))
  .map(([neg, int, frac]) => {
    const r = readDecimalText(`${neg ? '-' : ''}${int}${frac === '' ? '' : `.${frac}`}`, { allowSign: true });
    if (!r.ok) throw new Error(r.issue.message);
    return r.value;
  });

const date = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

/** An instant as the normalisers give it (ISO 8601 UTC to the millisecond), in its COPY form. */
const instant = fc
  .integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2099, 11, 31) })
  .map((ms) => copyInstant(new Date(ms).toISOString()));

const orNull = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 4 });

/** One trade row in copyColumns order, file id and line number first. */
const tradeRow = (fileId: string, line: number): fc.Arbitrary<CopyRow> =>
  fc
    .record({
      text: fc.array(anyText, { minLength: 14, maxLength: 14 }),
      optional: fc.array(orNull(anyText), { minLength: 7, maxLength: 7 }),
      session: fc.constantFrom('T', 'A'),
      type: fc.constantFrom('F', 'C', 'P'),
      side: fc.constantFrom('B', 'S'),
      strike: orNull(decimal),
      quantity: decimal,
      price: decimal,
      clearing: date,
      execDate: orNull(date),
      execAt: orNull(instant),
      extra: orNull(fc.dictionary(anyText, anyText, { maxKeys: 5 })),
    })
    .map((r) => {
      const [source, participant, series, root, expiry, account, tradeType] = r.text;
      const [tradeNo, dealNo, ref, clientCode, origTradeNo, openClose] = r.optional;
      return [
        fileId,
        String(line),
        source!,
        participant!,
        r.clearing,
        r.session,
        series!,
        root!,
        r.type,
        expiry!,
        r.strike,
        tradeNo!,
        dealNo!,
        ref!,
        account!,
        clientCode!,
        r.side,
        r.quantity,
        r.price,
        tradeType!,
        origTradeNo!,
        r.execDate,
        r.execAt,
        openClose!,
        extraJson(r.extra),
      ];
    });

async function newFile(db: Kysely<Database>): Promise<string> {
  const r = await sql<{ id: string }>`INSERT INTO source_file (source, entity, profile, report_id, participant,
      business_date, sha256, size_bytes, file_name, path, row_count, reject_count)
    VALUES ('bos', 'trades', 'bos-trades', 'BOS-TRD', 'CABC', '2019-05-06', ${'b'.repeat(64)}, 1,
      'lines.csv', '/in/lines.csv', 0, 0) RETURNING id::text AS id`.execute(db);
  return r.rows[0]!.id;
}

/** Stores rows as a load does (their ids taken by the database) and returns what the load would know of them. */
async function storeRows(tx: StoreTransaction, rows: readonly CopyRow[]): Promise<SentRows> {
  const encoded = CopyBatch.of(rows).encode();
  const before = await sql<{ v: string }>`SELECT coalesce(max(id), 0)::text AS v FROM trade`.execute(tx.db);
  await tx.copyRows('trade', copyColumns('trades'), encoded);
  const ids = await sql<{ id: string }>`SELECT t.id::text AS id FROM trade t WHERE t.id > ${before.rows[0]!.v}::bigint
    ORDER BY t.id`.execute(tx.db);
  return {
    n: rows.length,
    ids: createHash('sha256')
      .update(ids.rows.map((r) => `${r.id}\n`).join(''))
      .digest('hex'),
    lines: createHash('sha256').update(encoded.bytes).digest('hex'),
  };
}

describe(`data digest formula 3: the lines rebuilt from the stored rows are the lines sent (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  it('the row layout is the load\'s', () => {
    expect(DATA_DIGEST_VERSION).toBe(3);
    expect(copyColumns('trades')).toHaveLength(25);
  });

  it('random rows of every column type', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 8 }), fc.nat(), async (lines, seed) => {
        await t.store
          .transaction(async (tx) => {
            const fileId = await newFile(tx.db);
            const rows = fc.sample(
              fc.tuple(...lines.map((l) => tradeRow(fileId, l + 2))),
              { numRuns: 1, seed },
            )[0]!;
            const sent = await storeRows(tx, rows);
            expect(await fileDataDigest(tx.db, fileId, 'trades', 3)).toBe(
              await fileDataDigest(tx.db, fileId, 'trades', 3, sent),
            );
            throw new RolledBack();
          })
          .catch((e: unknown) => {
            if (!(e instanceof RolledBack)) throw e;
          });
      }),
      { numRuns: DB_RUNS },
    );
  });

  it('unmapped columns are written as jsonb writes them back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(anyText, anyText, { maxKeys: 8 }), async (extra) => {
        const text = extraJson(extra)!;
        const r = await sql<{ t: string }>`SELECT ${text}::jsonb::text AS t`.execute(t.store.db);
        expect(r.rows[0]!.t).toBe(text);
      }),
      { numRuns: DB_RUNS },
    );
  });

  it('a changed value changes the rebuilt lines, so the digest', async () => {
    await t.store
      .transaction(async (tx) => {
        const fileId = await newFile(tx.db);
        const rows = fc.sample(fc.tuple(tradeRow(fileId, 2), tradeRow(fileId, 3)), { numRuns: 1, seed: 7 })[0]!;
        const sent = await storeRows(tx, rows);
        const loaded = await fileDataDigest(tx.db, fileId, 'trades', 3, sent);
        for (const change of [
          sql`UPDATE trade SET price = price + 0.001 WHERE file_id = ${fileId}::bigint AND line_no = 2`,
          sql`UPDATE trade SET exec_at = coalesce(exec_at, now()) + interval '1 millisecond' WHERE file_id = ${fileId}::bigint AND line_no = 3`,
          sql`UPDATE trade SET account = account || ' ' WHERE file_id = ${fileId}::bigint AND line_no = 2`,
          sql`UPDATE trade SET extra = coalesce(extra, '{}') || '{"k": "v"}' WHERE file_id = ${fileId}::bigint AND line_no = 3`,
          // The same rows, their ids swapped: the lines in id order change.
          sql`UPDATE trade SET id = -id WHERE file_id = ${fileId}::bigint`,
        ]) {
          await sql`SAVEPOINT change`.execute(tx.db);
          await change.execute(tx.db);
          expect(await fileDataDigest(tx.db, fileId, 'trades', 3)).not.toBe(loaded);
          await sql`ROLLBACK TO SAVEPOINT change`.execute(tx.db);
        }
        expect(await fileDataDigest(tx.db, fileId, 'trades', 3)).toBe(loaded);
        throw new RolledBack();
      })
      .catch((e: unknown) => {
        if (!(e instanceof RolledBack)) throw e;
      });
  });
});
