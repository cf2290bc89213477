import { sql } from 'kysely';
import type { Store } from '../db/connect.js';
import { SIGHTING, type BreakCase } from '../reconcile/breaks.js';
import { recordObject, recordsOf, type RecordRow, type ReportRecord } from './break-reader.js';

/** The records of a break's two sides. */
export interface CaseRecords {
  readonly left: readonly ReportRecord[];
  readonly right: readonly ReportRecord[];
}

/** A break of the register as far as finding its records goes. */
export type CaseSighting = Pick<BreakCase, 'id' | 'lastSeenRun'>;

/**
 * The records of each break's last sighting (the run it names as last seen), by case id: what
 * `breaks list` and `breaks show` print to tell breaks apart. One query for all the breaks given.
 */
export async function lastSightingRecords(
  store: Store,
  cases: readonly CaseSighting[],
): Promise<Map<string, CaseRecords>> {
  const found = new Map<string, CaseRecords>();
  if (cases.length === 0) return found;
  // Ids travel as array literal parameters (bigint ids: digits only), read the same by pg and PGlite.
  const list = (xs: readonly string[]) => `{${xs.join(',')}}`;
  const rows = await sql<{ case_id: string; sides: string }>`
    SELECT c.id::text AS case_id, '[' || ${recordsOf('d.left_ids')}::text || ',' || ${recordsOf('d.right_ids')}::text || ']' AS sides
    FROM unnest(${list(cases.map((c) => c.id))}::bigint[], ${list(cases.map((c) => c.lastSeenRun))}::bigint[])
      AS k(case_id, run_id)
    JOIN break_case c ON c.id = k.case_id
    JOIN ${SIGHTING} ON b.case_id = c.id AND b.run_id = k.run_id`.execute(store.db);
  for (const r of rows.rows) {
    const [left, right] = JSON.parse(r.sides) as [RecordRow[], RecordRow[]];
    found.set(r.case_id, { left: left.map(recordObject), right: right.map(recordObject) });
  }
  return found;
}
