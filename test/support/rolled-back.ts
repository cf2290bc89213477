import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/database.js';
import type { TestDb } from './db.js';

class Rollback extends Error {}

/** Runs fn in a transaction that is always rolled back: a tamper there leaves the database as it was. */
export async function inRolledBack<T>(t: TestDb, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await t.store
    .transaction(async (tx) => {
      result = await fn(tx.db);
      throw new Rollback();
    })
    .catch((err: unknown) => {
      if (!(err instanceof Rollback)) throw err;
    });
  return result as T;
}
