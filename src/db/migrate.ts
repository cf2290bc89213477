import { Migrator, type MigrationResultSet } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { DcassError } from '../shared/errors.js';
import type { Store } from './connect.js';

/** Brings the schema to the latest migration; a failed migration throws with the migration named. */
export async function migrateToLatest(store: Store): Promise<NonNullable<MigrationResultSet['results']>> {
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
