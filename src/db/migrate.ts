import { Migrator, sql, type MigrationResultSet } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { DcassError } from '../shared/errors.js';
import type { Store } from './connect.js';

/** Brings the schema to the latest migration; a failed migration throws with the migration named. */
export async function migrateToLatest(store: Store): Promise<NonNullable<MigrationResultSet['results']>> {
  if (await hasEveryMigration(store)) return [];
  const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new DcassError('DB_MIGRATION_FAILED', `database migration ${failed} failed`, {
      hint: 'the database was left at the last migration that succeeded; fix the cause and run `dcass-recon migrate`',
      cause: error,
    });
  }
  return results ?? [];
}

/**
 * True when the database records exactly the migrations this version ships, so there is nothing to
 * migrate. Kysely's migrator finds that out too, but introspects every table of the schema first:
 * 0.7-1.1 s of every command on an embedded database (0.04-0.15 s on the server), against two small
 * queries here. Anything else (a new database, a migration pending, one this version does not know)
 * goes to the migrator, which applies or refuses as before.
 */
async function hasEveryMigration(store: Store): Promise<boolean> {
  const table = await sql<{
    present: boolean;
  }>`SELECT to_regclass('kysely_migration') IS NOT NULL AS present`.execute(store.db);
  if (table.rows[0]?.present !== true) return false;
  const done = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(store.db);
  const shipped = new Set(Object.keys(migrations));
  return done.rows.length === shipped.size && done.rows.every((r) => shipped.has(r.name));
}
