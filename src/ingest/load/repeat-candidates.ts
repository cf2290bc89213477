import { sql } from 'kysely';
import type { StoreTransaction } from '../../db/connect.js';
import type { IdBlocks } from './id-blocks.js';

/**
 * Stores, per sieved column of a file (EntityModel.sieved), the ids of its rows whose value may repeat
 * an earlier row's of the file (file_repeat_candidate, migration 0024): every row that does is among
 * them, so a run reading this one file finds its repeated values among these rows instead of grouping
 * them all. `rows` null: too many to list, and runs search the file whole. Written once, with the rows;
 * `audit verify --data` checks that every repeat is listed.
 */
export async function storeRepeatCandidates(
  tx: StoreTransaction,
  fileId: string,
  repeats: readonly (readonly [column: string, rows: readonly number[] | null])[],
  blocks: IdBlocks,
): Promise<void> {
  for (const [column, rows] of repeats) {
    // One array parameter, however many rows (see storeDatedRows).
    const ids = rows === null ? null : `{${blocks.idsOf(rows).join(',')}}`;
    await sql`INSERT INTO file_repeat_candidate (file_id, column_name, ids)
      VALUES (${fileId}::bigint, ${column}, ${ids}::bigint[])`.execute(tx.db);
  }
}
