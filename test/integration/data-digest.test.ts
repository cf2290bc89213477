import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_DIGEST_VERSION } from '../../src/audit/data-digest.js';
import { verifyLoadedData } from '../../src/audit/verify-data.js';
import { openStore } from '../../src/db/connect.js';
import type { Database } from '../../src/db/database.js';
import { createTestTarget, dbKind } from '../support/db.js';
import { runCli } from '../support/cli.js';

interface DataJson {
  intact: boolean;
  register: { consistent: boolean };
  data: {
    intact: boolean;
    checked: number;
    unchecked: number;
    changed: { fileId: string; fileName: string; problem: string; expected: string; found: string }[];
  } | null;
}

const TRADES = 'TRD001_CABC_20190507_2310.csv';

describe(`loaded data is tamper-evident: audit verify --data (${dbKind})`, () => {
  let target: { target: string; drop: () => Promise<void> };
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-data-digest-'));
  const cwd = path.join(work, 'recon');
  const cli = (args: string[]) => runCli(['--db', target.target, ...args], { cwd });
  /** Opens the database for one change and closes it (the embedded database takes one process at a time). */
  const withDb = async <T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T> => {
    const store = await openStore(target.target);
    try {
      return await fn(store.db);
    } finally {
      await store.close();
    }
  };
  let file: { id: string; digest: string; version: number };

  beforeAll(async () => {
    target = await createTestTarget();
    expect((await runCli(['init', 'recon', '--with-fixtures'], { cwd: work })).code).toBe(0);
    const ingest = await cli(['ingest', '--all', '--quiet']);
    expect(ingest.code, ingest.stderr).toBe(0);
    file = await withDb(async (db) => {
      const r = await sql<{ id: string; digest: string; version: number }>`SELECT id::text AS id,
          data_digest AS digest, data_digest_version AS version
        FROM source_file WHERE file_name = ${TRADES}`.execute(db);
      return r.rows[0]!;
    });
  });
  afterAll(async () => target.drop());

  it('every file gets a digest at load; untampered, --data says how many files it checked, exit 0', async () => {
    expect(file.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(file.version).toBe(DATA_DIGEST_VERSION);
    const r = await cli(['audit', 'verify', '--data']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('loaded data intact: 24 files checked, their rows as loaded\n');
  });

  it('UPDATE trade SET quantity = 99: the file is named with its id and both digests, exit 2', async () => {
    const original = await withDb(async (db) => {
      const row = await sql<{ id: string; quantity: string }>`SELECT id::text AS id, quantity::text AS quantity
        FROM trade WHERE file_id = ${file.id}::bigint ORDER BY id LIMIT 1`.execute(db);
      await sql`UPDATE trade SET quantity = 99 WHERE id = ${row.rows[0]!.id}::bigint`.execute(db);
      return row.rows[0]!;
    });
    const r = await cli(['audit', 'verify', '--data']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      new RegExp(
        `loaded data CHANGED: ${TRADES} \\(source_file ${file.id}\\): its rows no longer match what was loaded: ` +
          `expected digest ${file.digest}, found [0-9a-f]{64}\n  24 files checked, 1 changed\n`,
      ),
    );
    const json = await cli(['--json', 'audit', 'verify', '--data']);
    expect(json.code).toBe(2);
    const result = JSON.parse(json.stdout) as DataJson;
    expect(result.intact).toBe(false);
    expect(result.register.consistent).toBe(true);
    expect(result.data).toMatchObject({ intact: false, checked: 24, unchecked: 0 });
    expect(result.data!.changed).toEqual([
      { fileId: file.id, fileName: TRADES, problem: 'rows', expected: file.digest, found: expect.any(String) },
    ]);
    expect(result.data!.changed[0]!.found).not.toBe(file.digest);

    // Without --data the rows are not read: the chain and register alone, intact.
    const quick = await cli(['--json', 'audit', 'verify']);
    expect(quick.code).toBe(0);
    expect((JSON.parse(quick.stdout) as DataJson).data).toBeNull();

    // Put back as loaded, the rows hash to the digest taken at load again.
    await withDb((db) => sql`UPDATE trade SET quantity = ${original.quantity}::numeric WHERE id = ${original.id}::bigint`.execute(db));
    const back = await cli(['audit', 'verify', '--data']);
    expect(back.code, back.stdout).toBe(0);
  });

  it('each file of trades or positions has its rows counted by date at load; a count changed is named, exit 2', async () => {
    const { counted, stored, spanning } = await withDb(async (db) => {
      const list = async (q: ReturnType<typeof sql<{ f: string; d: string; n: string }>>) =>
        (await q.execute(db)).rows.map((r) => `${r.f} ${r.d} ${r.n}`);
      return {
        counted: await list(sql`SELECT file_id::text AS f, record_date::text AS d, rows::text AS n
          FROM file_dated_rows ORDER BY 1, 2`),
        stored: await list(sql`SELECT f, d, n FROM (
            SELECT file_id::text AS f, clearing_date::text AS d, count(*)::text AS n FROM trade GROUP BY 1, 2
            UNION ALL
            SELECT file_id::text, position_date::text, count(*)::text FROM position GROUP BY 1, 2) x ORDER BY 1, 2`),
        // A BOS trades file whose after-hours trades clear the next trading day holds two dates.
        spanning: await list(sql`SELECT file_id::text AS f, min(record_date)::text AS d, count(*)::text AS n
          FROM file_dated_rows GROUP BY file_id HAVING count(*) > 1`),
      };
    });
    expect(counted.length).toBeGreaterThan(10);
    expect(counted).toEqual(stored);
    expect(spanning.length).toBeGreaterThan(0);

    const [date, rows] = await withDb(async (db) => {
      const r = await sql<{ d: string; n: string }>`SELECT record_date::text AS d, rows::text AS n
        FROM file_dated_rows WHERE file_id = ${file.id}::bigint`.execute(db);
      expect(r.rows).toHaveLength(1);
      await sql`UPDATE file_dated_rows SET rows = rows + 1 WHERE file_id = ${file.id}::bigint`.execute(db);
      return [r.rows[0]!.d, Number(r.rows[0]!.n)];
    });
    const r = await cli(['audit', 'verify', '--data']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      `loaded data CHANGED: ${TRADES} (source_file ${file.id}): its rows by date are not what the load counted ` +
        `(runs report these counts): counted ${date}: ${rows + 1}; stored now ${date}: ${rows}\n  24 files checked, 1 changed\n`,
    );
    await withDb((db) => sql`UPDATE file_dated_rows SET rows = rows - 1 WHERE file_id = ${file.id}::bigint`.execute(db));
    expect((await cli(['audit', 'verify', '--data'])).code).toBe(0);
  });

  it('covers the rejected rows, and the stored digest cannot be rewritten', async () => {
    await withDb(async (db) => {
      const rejected = await sql<{ file_id: string; file_name: string }>`SELECT r.file_id::text AS file_id, f.file_name
        FROM rejected_row r JOIN source_file f ON f.id = r.file_id ORDER BY r.id LIMIT 1`.execute(db);
      const { file_id, file_name } = rejected.rows[0]!;
      await sql`UPDATE rejected_row SET raw = raw || ' ' WHERE file_id = ${file_id}::bigint`.execute(db);
      const result = await verifyLoadedData(db);
      expect(result.changed.map((c) => [c.fileName, c.problem])).toEqual([[file_name, 'rows']]);

      await expect(
        sql`UPDATE source_file SET data_digest = ${'0'.repeat(64)} WHERE id = ${file_id}::bigint`.execute(db),
      ).rejects.toThrow(/its data digest is the record of the rows as loaded and cannot be changed/);
    });
  });
});
