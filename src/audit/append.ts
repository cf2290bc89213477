import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { osIdentity } from '../shared/os-identity.js';
import { checkActor } from './actor.js';
import { auditDb } from './audit-event.table.js';
import {
  ACTION_PATTERN,
  GENESIS_HASH,
  OS_KEY,
  assertExactDetails,
  chainHash,
  eventBody,
  type AuditDetails,
} from './chain.js';

/** What a caller records: who did what to what, and the particulars. */
export interface AuditEventInput {
  /** Who did it: resolve it with `resolveActor` (flag, configuration, OS user), which normalises it. */
  readonly actor: string;
  /** Dotted lower-case name: `ingest.loaded`, `fetch.completed`, `run.completed`, `break.resolve`. */
  readonly action: string;
  /** What it was done to, as `kind:identifier`: `file:TRD001_CABC_20190506.xml`, `run:12`, `break:345`. */
  readonly subject: string;
  /**
   * Exact JSON values only: strings (decimals too), safe integers, booleans, null, arrays, objects.
   * The key `_os` is the appender's own (the operating-system user and host, added to every event).
   */
  readonly details?: AuditDetails;
}

/** The event as appended. */
export interface AppendedAuditEvent {
  readonly id: string;
  readonly at: string;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * Key of the transaction-scoped advisory lock that serialises appends ('audt', 1). The two-key form
 * lives in a key space apart from the one-key locks the loaders take (hashtext of a report key).
 */
const CHAIN_LOCK = [0x61756474, 1] as const;

/** How `at` is written into a body: UTC with microseconds, as timestamptz keeps it. */
export const AT_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"';

/**
 * Appends one event to the audit chain inside the caller's transaction (pass the transaction's
 * `db`), so an action that rolls back leaves no event. Appends are serialised by a lock held until
 * that transaction ends: append as the transaction's last step, and keep the default READ COMMITTED
 * isolation (the head is read after the lock is granted). Given a Kysely that is not a transaction,
 * it runs in a transaction of its own.
 */
export async function appendAuditEvent(
  db: Kysely<Database>,
  event: AuditEventInput,
): Promise<AppendedAuditEvent> {
  checkActor(event.actor, 'the audit event actor');
  if (!ACTION_PATTERN.test(event.action)) {
    throw new TypeError(
      `audit action "${event.action}" is not a dotted lower-case name such as ingest.loaded`,
    );
  }
  if (typeof event.subject !== 'string' || event.subject === '') {
    throw new TypeError('an audit event needs a subject, such as file:NAME or run:ID');
  }
  const given = event.details ?? {};
  assertExactDetails(given);
  if (Object.hasOwn(given, OS_KEY)) {
    throw new TypeError(`audit details: the key ${OS_KEY} is the appender's (the operating-system identity)`);
  }
  // Hashed with the event, so the account that ran the command cannot be changed unnoticed.
  const os = osIdentity();
  const details: AuditDetails = { ...given, [OS_KEY]: { host: os.host, user: os.user } };
  if (!db.isTransaction) return db.transaction().execute((trx) => appendInTransaction(trx, event, details));
  return appendInTransaction(db, event, details);
}

async function appendInTransaction(
  db: Kysely<Database>,
  event: AuditEventInput,
  details: AuditDetails,
): Promise<AppendedAuditEvent> {
  const os = osIdentity();
  const adb = auditDb(db);
  await sql`SELECT pg_advisory_xact_lock(${sql.lit(CHAIN_LOCK[0])}, ${sql.lit(CHAIN_LOCK[1])})`.execute(adb);
  // A statement after the lock: under READ COMMITTED it sees the event committed by the last holder.
  const head = await sql<{ id: string | null; hash: string | null; at: string }>`
    SELECT h.id, h.hash, to_char(clock_timestamp() AT TIME ZONE 'UTC', ${AT_FORMAT}) AS at
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1) AS h ON true`.execute(adb);
  const row = head.rows[0]!;
  const id = row.id === null ? '1' : String(BigInt(row.id) + 1n);
  const prevHash = row.hash ?? GENESIS_HASH;
  const body = eventBody({
    id,
    at: row.at,
    actor: event.actor,
    action: event.action,
    subject: event.subject,
    details,
  });
  const hash = chainHash(prevHash, body);
  await adb
    .insertInto('audit_event')
    .values({
      id,
      at: row.at,
      actor: event.actor,
      action: event.action,
      subject: event.subject,
      body,
      prev_hash: prevHash,
      hash,
      os_user: os.user,
      os_host: os.host,
    })
    .execute();
  return { id, at: row.at, prevHash, hash };
}
