import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { createContext } from '../../src/cli/context.js';
import { openStore } from '../../src/db/connect.js';
import { createTestTarget, dbKind } from '../support/db.js';

const shipped = Object.keys(migrations).sort();

/** The migrations the database records, in name order. */
async function recorded(target: string): Promise<string[]> {
  const store = await openStore(target);
  try {
    const r = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(store.db);
    return r.rows.map((row) => row.name);
  } finally {
    await store.close();
  }
}

describe(`the CLI's store: migrated on first use, the migrator skipped when nothing is pending (${dbKind})`, () => {
  let drop: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await drop?.();
    drop = null;
  });

  async function opened(target: string): Promise<void> {
    const ctx = createContext({ db: target, quiet: true });
    try {
      await ctx.store();
    } finally {
      await ctx.close();
    }
  }

  it('migrates a new database, then opens it as it is', async () => {
    const t = await createTestTarget();
    drop = t.drop;
    await opened(t.target);
    expect(await recorded(t.target)).toEqual(shipped);
    await opened(t.target);
    expect(await recorded(t.target)).toEqual(shipped);
  });

  it('applies a pending migration, and refuses a database that records one this version does not know', async () => {
    const t = await createTestTarget();
    drop = t.drop;
    await opened(t.target);
    const last = shipped.at(-1)!;
    const store = await openStore(t.target);
    try {
      // Undo the last migration as its own down() does, so it is pending again.
      await migrations[last]!.down!(store.db);
      await sql`DELETE FROM kysely_migration WHERE name = ${last}`.execute(store.db);
    } finally {
      await store.close();
    }
    await opened(t.target);
    expect(await recorded(t.target)).toEqual(shipped);

    const later = await openStore(t.target);
    try {
      await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_a_later_version', '2030-01-01T00:00:00.000Z')`.execute(
        later.db,
      );
    } finally {
      await later.close();
    }
    await expect(opened(t.target)).rejects.toMatchObject({ code: 'DB_MIGRATION_FAILED' });
  });
});
