import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openStore } from '../../src/db/connect.js';
import { CopyBatch } from '../../src/db/copy.js';
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
        await tx.copyRows('calendar', cols, CopyBatch.of(rows));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await t.store.db.selectFrom('calendar').selectAll().where('market', '=', 'ZZ').execute()).toEqual(
      [],
    );

    await t.store.transaction(async (tx) => {
      await tx.copyRows('calendar', cols, CopyBatch.of(rows));
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

  // Loaded rows and matches keep their file and run without per-row foreign keys (migration 0006):
  // what guarantees it is that neither parent can ever be removed.
  it.each(['source_file', 'recon_run'])('refuses DELETE and TRUNCATE on %s, even of no row', async (table) => {
    for (const statement of [
      sql`DELETE FROM ${sql.table(table)} WHERE id = -1`,
      sql`TRUNCATE ${sql.table(table)} CASCADE`,
    ]) {
      await expect(statement.execute(t.store.db)).rejects.toThrow(`${table} keeps lineage`);
    }
  });
});

// Only the embedded database has a folder to lock; a server arbitrates its own connections.
describe.runIf(dbKind === 'pglite')('embedded database folder lock', () => {
  it('refuses a second opener of the same folder while the first holds it, and frees it on close', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dcass-lock-'));
    const first = await openStore(dir);
    await expect(openStore(dir)).rejects.toThrow(
      `the embedded database in ${dir} is in use by process ${process.pid}`,
    );
    await first.close();
    const second = await openStore(dir);
    await second.close();
  });

  it('takes over a lock left by a process that is gone', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dcass-lock-'));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(`${dir}.lock`, dead.stdout);
    const store = await openStore(dir);
    await store.close();
  });
});
