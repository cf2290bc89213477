import type { Store } from '../db/connect.js';
import type { BusinessDate } from '../model/dates.js';

/**
 * Every loaded file with its lineage (generation in force, superseded by, derived by a calendar
 * change) and counts, by business date, source and load order; only one date's files when given.
 */
export async function loadedFiles(store: Store, date: BusinessDate | null) {
  let q = store.db
    .selectFrom('source_file as f')
    .leftJoin('source_file as s', 's.id', 'f.superseded_by')
    .select([
      'f.id',
      'f.source',
      'f.report_id',
      'f.participant',
      'f.business_date',
      'f.generated_at',
      'f.file_name',
      'f.sha256',
      'f.row_count',
      'f.reject_count',
      'f.loaded_at',
      'f.calendar_change_id',
      'f.completeness',
      's.id as superseded_by_id',
      's.file_name as superseded_by',
    ])
    .orderBy('f.business_date')
    .orderBy('f.source')
    .orderBy('f.id');
  if (date !== null) q = q.where('f.business_date', '=', date);
  return q.execute();
}

/** A loaded file as `loadedFiles` reads it. */
export type LoadedFile = Awaited<ReturnType<typeof loadedFiles>>[number];

/**
 * The rows refused inside loaded files (file, line, field, reason, raw text) in file and line order,
 * and the files refused whole. With a date: that date's files only, and no refused files (a refused
 * file has no business date on record).
 */
export async function rejectedInputs(store: Store, date: BusinessDate | null) {
  let q = store.db
    .selectFrom('rejected_row as r')
    .innerJoin('source_file as f', 'f.id', 'r.file_id')
    .select(['f.file_name', 'f.business_date', 'r.line_no', 'r.field', 'r.code', 'r.reason', 'r.raw'])
    .orderBy('f.id')
    .orderBy('r.line_no');
  if (date !== null) q = q.where('f.business_date', '=', date);
  const rejectedRows = await q.execute();
  const refusedFiles =
    date !== null ? [] : await store.db.selectFrom('refused_file').selectAll().orderBy('id').execute();
  return { rejectedRows, refusedFiles };
}

/** What `rejectedInputs` reads. */
export type RejectedInputs = Awaited<ReturnType<typeof rejectedInputs>>;
