import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AT_FORMAT } from './append.js';
import { auditDb } from './audit-event.table.js';
import type { StoredAuditEvent } from './chain.js';

/** Events per query: large enough that round trips do not count, small enough to keep memory flat. */
export const DEFAULT_BATCH = 20_000;

/**
 * The chain in id order, batch by batch (keyset on the primary key, so every batch is an index range
 * scan). The next batch is asked for before the current one is handed out, so the server reads
 * while the caller hashes. Appends commit in id order (one lock), so the batches always form a
 * prefix of the chain, even while events are being appended.
 */
export async function* auditBatches(
  db: Kysely<Database>,
  batchSize = DEFAULT_BATCH,
): AsyncGenerator<readonly StoredAuditEvent[]> {
  const adb = auditDb(db);
  const read = (after: string): Promise<StoredAuditEvent[]> => {
    const q = adb
      .selectFrom('audit_event')
      .select([
        'id',
        sql<string>`to_char(at AT TIME ZONE 'UTC', ${AT_FORMAT})`.as('at'),
        'actor',
        'action',
        'subject',
        'body',
        'prev_hash',
        'hash',
        'os_user',
        'os_host',
      ])
      .where('id', '>', after)
      .orderBy('id')
      .limit(batchSize)
      .execute();
    // A prefetch the caller never waits for (it stopped at a broken link) must not become an
    // unhandled rejection; a caller that waits still sees the error.
    q.catch(() => undefined);
    return q;
  };
  let next = read('0');
  for (;;) {
    const rows = await next;
    if (rows.length === 0) return;
    const last = rows[rows.length - 1]!.id;
    next = rows.length === batchSize ? read(last) : Promise.resolve([]);
    yield rows;
  }
}

/** The last stored event and the number of events, whatever their state. */
export async function auditHead(
  db: Kysely<Database>,
): Promise<{ events: number; head: { id: string; hash: string } | null }> {
  const adb = auditDb(db);
  const last = await adb
    .selectFrom('audit_event')
    .select(['id', 'hash'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const count = await adb
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return { events: Number(count.n), head: last ?? null };
}
