import type { Store } from '../db/connect.js';

/** The breaks of a run still open, in total and per reconciliation: what `confirm` refuses on. */
export interface OpenBreaks {
  readonly total: number;
  readonly byRecon: Readonly<Record<string, number>>;
}

/**
 * The open breaks of a run: its breaks whose status in the break register is open now (a break a
 * person explained or resolved after the run no longer counts; one reopened since does).
 */
export async function openBreaksOfRun(store: Store, runId: string): Promise<OpenBreaks> {
  const rows = await store.db
    .selectFrom('recon_break as b')
    .innerJoin('break_case as c', 'c.id', 'b.case_id')
    .select(['b.recon', (eb) => eb.fn.countAll<string>().as('n')])
    .where('b.run_id', '=', runId)
    .where('c.status', '=', 'open')
    .groupBy('b.recon')
    .orderBy('b.recon')
    .execute();
  const byRecon: Record<string, number> = {};
  for (const r of rows) byRecon[r.recon] = Number(r.n);
  return { total: rows.reduce((n, r) => n + Number(r.n), 0), byRecon };
}
