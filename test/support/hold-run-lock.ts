import { sql } from 'kysely';
import { openStore } from '../../src/db/connect.js';
import { takeRunLock } from '../../src/reconcile/locks.js';
import { silentLogger } from '../../src/shared/logger.js';

/**
 * Child process of the run-lock test: takes the run lock as a run does, says "locked", then runs a
 * statement that would last ten minutes, standing for a long run step. The test kills it with
 * SIGKILL mid-statement, as an operator's `kill -9` would.
 *
 *   node --import tsx test/support/hold-run-lock.ts <server url>
 */
const store = await openStore(process.argv[2]!);
await store.transaction(async (tx) => {
  await takeRunLock(tx.db, 0, silentLogger);
  process.stdout.write('locked\n');
  await sql`SELECT pg_sleep(600)`.execute(tx.db);
});
