import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { DcassError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

/**
 * Advisory lock keys shared by the writers of the break register.
 *
 * RUN_LOCK: one reconciliation run per database at a time (transaction-scoped, taken by takeRunLock:
 * a second run waits a while, then is refused as busy). REGISTER_LOCK: held by a run from its start
 * (before it reads the register) until it commits, and by every person's break action for its
 * transaction, so an action waits for a run in progress (and then sees its result) and a run never
 * overwrites an action with the state it read before it.
 */
const RUN_LOCK = '431197467507';
export const REGISTER_LOCK = '431197467508';

/** How long a run waits for another run to finish before it is refused as busy. */
export const DEFAULT_RUN_LOCK_WAIT_MS = 20_000;
const POLL_MS = 250;

/**
 * Takes the run lock for the transaction, waiting up to `waitMs` for a run in progress to end.
 *
 * Waiting (rather than refusing at once) is what makes a retry after `kill -9` work: the killed run's
 * statement goes on at the server until the server notices its client is gone (within a second, by
 * the store's client_connection_check_interval) and rolls it back, releasing the lock. Polling with
 * the try form rather than blocking in pg_advisory_xact_lock keeps the wait bounded without a
 * lock_timeout that would also apply to the run's own statements.
 */
export async function takeRunLock(db: Kysely<Database>, waitMs: number, log: Logger): Promise<void> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const lock = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${RUN_LOCK}::bigint) AS ok`.execute(db);
    if (lock.rows[0]?.ok === true) return;
    if (Date.now() >= deadline) {
      throw new DcassError('RUN_BUSY', 'another reconciliation run is in progress on this database', {
        hint: `waited ${Math.round(waitMs / 1000)} s for it; wait for it to finish and run again`,
      });
    }
    if (!told) {
      log.info('another reconciliation run is in progress; waiting for it to finish');
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
