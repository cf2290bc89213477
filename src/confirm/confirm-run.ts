import type { Store } from '../db/connect.js';
import { findRun, type ReportRun } from '../report/run-data.js';
import { parseBusinessDate } from '../model/dates.js';
import { DcassError } from '../shared/errors.js';

/** The latest completed reconciliation run of a business date: what a confirmation of that date rests on. */
export async function latestRunOfDate(store: Store, businessDate: string): Promise<ReportRun> {
  parseBusinessDate(businessDate);
  const row = await store.db
    .selectFrom('recon_run')
    .select('id')
    .where('business_date', '=', businessDate)
    .where('status', '=', 'completed')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined) {
    throw new DcassError('USAGE', `no completed reconciliation run of business date ${businessDate}`, {
      hint: `run one first: dcass-recon run --date ${businessDate}`,
    });
  }
  return findRun(store, String(row.id));
}
