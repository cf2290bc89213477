import type { Store } from '../db/connect.js';
import { findRun, type ReportRun } from '../report/run-data.js';
import { parseBusinessDate } from '../model/dates.js';
import type { ClearingHouse } from '../model/vocabulary.js';
import { DcassError } from '../shared/errors.js';

/**
 * The latest completed reconciliation run of a business date that covered the clearing house
 * confirmed: what a confirmation of that date rests on, read for that house. A confirmation of one
 * house rests on a run of that house or of every house; one of every house (`house` null) only on a
 * run of every house, since a run of one house did not look at the other's records.
 */
export async function latestRunOfDate(
  store: Store,
  businessDate: string,
  house: ClearingHouse | null = null,
  products?: Readonly<Record<string, ClearingHouse>>,
): Promise<ReportRun> {
  parseBusinessDate(businessDate);
  const row = await store.db
    .selectFrom('recon_run')
    .select('id')
    .where('business_date', '=', businessDate)
    .where('status', '=', 'completed')
    .where((eb) =>
      house === null ? eb('house', 'is', null) : eb.or([eb('house', 'is', null), eb('house', '=', house)]),
    )
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined) {
    const covers = house === null ? 'every clearing house' : `clearing house ${house}`;
    throw new DcassError(
      'USAGE',
      `no completed reconciliation run of business date ${businessDate} covering ${covers}`,
      {
        hint:
          house === null
            ? `run one first: dcass-recon run --date ${businessDate} (without --house), or confirm one house with --house`
            : `run one first: dcass-recon run --date ${businessDate} --house ${house}`,
      },
    );
  }
  return findRun(store, String(row.id), {
    ...(house === null ? {} : { house }),
    ...(products === undefined ? {} : { products }),
  });
}
