import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';

/** Whether the break register's current state is what its events say. */
export interface RegisterVerification {
  /** True when every case equals its latest event. */
  readonly consistent: boolean;
  /** Cases in the register. */
  readonly cases: number;
  /** Cases whose state differs from their latest event (or that have no event). */
  readonly differing: number;
  /** The first few differing case ids, in id order. */
  readonly firstDiffering: readonly string[];
}

/** How many differing case ids a verification names. */
const NAMED = 5;

// A case differs when any part of its state is not its latest event's, or it has no event at all.
const DIFFERS = sql`(e.case_id IS NULL OR ROW(c.status, c.reason, c.reason_code, c.explained_by, c.assignee,
  c.last_seen_run, c.last_seen_date) IS DISTINCT FROM ROW(e.status, e.reason, e.reason_code, e.explained_by,
  e.assignee, e.last_seen_run, e.last_seen_date))`;
const LATEST_EVENT = sql`LEFT JOIN LATERAL (SELECT * FROM break_event x WHERE x.case_id = c.id
  ORDER BY x.id DESC LIMIT 1) e ON true`;

/**
 * Replays the register from its history: each case's current state (break_case) must equal its
 * latest break_event, which every product write records in the same transaction. The database's
 * trigger refuses a write that breaks this; this check finds one made with the trigger disabled.
 * Two set-based statements: the counts, then the first differing ids.
 */
export async function verifyRegister(db: Kysely<Database>): Promise<RegisterVerification> {
  const counts = await sql<{ cases: string; differing: string }>`
    SELECT count(*)::text AS cases, count(*) FILTER (WHERE ${DIFFERS})::text AS differing
    FROM break_case c ${LATEST_EVENT}`.execute(db);
  const cases = Number(counts.rows[0]!.cases);
  const differing = Number(counts.rows[0]!.differing);
  const first =
    differing === 0
      ? []
      : (
          await sql<{ id: string }>`SELECT c.id::text AS id FROM break_case c ${LATEST_EVENT}
            WHERE ${DIFFERS} ORDER BY c.id LIMIT ${NAMED}`.execute(db)
        ).rows.map((r) => r.id);
  return { consistent: differing === 0, cases, differing, firstDiffering: first };
}
