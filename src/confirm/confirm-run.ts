import type { Store } from '../db/connect.js';
import { findRun, type ReportRun } from '../report/run-data.js';
import { DcassError } from '../shared/errors.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The latest completed reconciliation run of a business date: what a confirmation of that date rests on. */
export async function latestRunOfDate(store: Store, businessDate: string): Promise<ReportRun> {
  // A date that rolls over (2019-02-30 would read as 2 March) is not the date that was meant.
  const roundTrip = DATE.test(businessDate) ? new Date(`${businessDate}T00:00:00Z`) : null;
  if (
    roundTrip === null ||
    Number.isNaN(roundTrip.getTime()) ||
    roundTrip.toISOString().slice(0, 10) !== businessDate
  ) {
    throw new DcassError('USAGE', `business date "${businessDate}" is not a date written YYYY-MM-DD`, {
      hint: 'give the business date like 2019-05-06',
    });
  }
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
