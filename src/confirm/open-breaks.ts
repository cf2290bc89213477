import type { Store } from '../db/connect.js';

/** The breaks of a run still open, in total and per reconciliation: what `confirm` refuses on. */
export interface OpenBreaks {
  readonly total: number;
  readonly byRecon: Readonly<Record<string, number>>;
}

/**
 * The open breaks of a run. The one place `confirm` asks whether anything is left open: when the
 * break register's statuses (set by people) become what counts, this query is what changes.
 */
export async function openBreaksOfRun(store: Store, runId: string): Promise<OpenBreaks> {
  const rows = await store.db
    .selectFrom('recon_break')
    .select(['recon', (eb) => eb.fn.countAll<string>().as('n')])
    .where('run_id', '=', runId)
    .where('status', '=', 'open')
    .groupBy('recon')
    .orderBy('recon')
    .execute();
  const byRecon: Record<string, number> = {};
  for (const r of rows) byRecon[r.recon] = Number(r.n);
  return { total: rows.reduce((n, r) => n + Number(r.n), 0), byRecon };
}
