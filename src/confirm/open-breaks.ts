import { sql } from 'kysely';
import type { Store } from '../db/connect.js';
import { caseInHouse, type HouseFilter } from '../reconcile/house-filter.js';

/** The breaks of a run still open, in total and per reconciliation: what `confirm` refuses on. */
export interface OpenBreaks {
  readonly total: number;
  readonly byRecon: Readonly<Record<string, number>>;
}

/**
 * The open breaks of a run: its breaks whose status in the break register is open now (a break a
 * person explained or resolved after the run no longer counts; one reopened since does), and the
 * breaks of earlier dates still open now that the run did not find (carried: a clean day does not
 * hide an unresolved break of the day before).
 */
export async function openBreaksOfRun(
  store: Store,
  runId: string,
  house: HouseFilter | null = null,
): Promise<OpenBreaks> {
  // One clearing house: the breaks whose records, as last seen, are that house's.
  const inHouse = caseInHouse(house, sql`c.last_seen_run`);
  const found = await sql<{ recon: string; n: string }>`
    SELECT c.recon, count(*)::text AS n FROM break_case c
    WHERE c.status = 'open' AND (
      EXISTS (SELECT 1 FROM recon_break b WHERE b.run_id = ${runId}::bigint AND b.case_id = c.id)
      OR c.first_seen_date <= (SELECT r.business_date FROM recon_run r WHERE r.id = ${runId}::bigint))
      AND ${inHouse}
    GROUP BY c.recon ORDER BY c.recon`.execute(store.db);
  const rows = found.rows;
  const byRecon: Record<string, number> = {};
  for (const r of rows) byRecon[r.recon] = Number(r.n);
  return { total: rows.reduce((n, r) => n + Number(r.n), 0), byRecon };
}
