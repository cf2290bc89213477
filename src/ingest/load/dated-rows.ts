import { sql } from 'kysely';
import type { StoreTransaction } from '../../db/connect.js';

/**
 * Stores how many rows a file holds of each date a run reads them for (file_dated_rows, migration
 * 0023): a run adds them up instead of counting the rows again. Written once, with the file's rows:
 * by a load, and by a calendar change for the generation it derives.
 */
export async function storeDatedRows(
  tx: StoreTransaction,
  fileId: string,
  dated: readonly (readonly [date: string, rows: number])[],
): Promise<void> {
  if (dated.length === 0) return;
  // Two array parameters, however many dates a file holds (one parameter per value would reach the
  // protocol's limit of 65,535 with a file of about 22,000 dates). The dates are ISO, as stored.
  const list = (xs: readonly (string | number)[]) => `{${xs.join(',')}}`;
  await sql`INSERT INTO file_dated_rows (file_id, record_date, rows)
    SELECT ${fileId}::bigint, d.record_date, d.rows
    FROM unnest(${list(dated.map(([date]) => date))}::date[], ${list(dated.map(([, rows]) => rows))}::bigint[])
      AS d (record_date, rows)`.execute(tx.db);
}
