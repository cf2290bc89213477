import type { ColumnType, Kysely } from 'kysely';
import type { Database } from '../db/database.js';

/** One recorded action of the audit trail (migration 0005): append-only and hash-chained. */
export interface AuditEventTable {
  /** The head's id + 1, given by the appender under the chain's lock (never a sequence: no gaps). */
  id: ColumnType<string, string, never>;
  at: ColumnType<Date, string, never>;
  actor: ColumnType<string, string, never>;
  action: ColumnType<string, string, never>;
  subject: ColumnType<string, string, never>;
  /** The RFC 8785 canonical JSON of the event: what the hash covers. */
  body: ColumnType<string, string, never>;
  prev_hash: ColumnType<string, string, never>;
  hash: ColumnType<string, string, never>;
  /**
   * The operating-system user and host that ran the command (migration 0008), as the body's
   * details._os holds them; null for events recorded before that migration.
   */
  os_user: ColumnType<string | null, string | null | undefined, never>;
  os_host: ColumnType<string | null, string | null | undefined, never>;
}

/** The audit tables, for Kysely instances typed with the product's `Database`. */
export type AuditTables = {
  audit_event: AuditEventTable;
};

/** The same Kysely (or transaction), typed to see the audit tables too. */
export function auditDb(db: Kysely<Database>): Kysely<Database & AuditTables> {
  return db.withTables<AuditTables>();
}
