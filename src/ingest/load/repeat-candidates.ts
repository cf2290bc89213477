import { sql } from 'kysely';
import type { StoreTransaction } from '../../db/connect.js';

/**
 * The ids a file's rows were given, by the order they were sent in: each batch takes a block of
 * consecutive ids (reserve_ids), so a row's id is its batch block's first id plus its place in the batch.
 */
export class IdBlocks {
  private readonly blocks: { readonly from: number; readonly firstId: bigint }[] = [];
  private rows = 0;

  /** Records the next batch's block: `size` rows from `firstId`. */
  add(firstId: string, size: number): void {
    this.blocks.push({ from: this.rows, firstId: BigInt(firstId) });
    this.rows += size;
  }

  /** The ids of rows by their ordinals (from 0, ascending). */
  idsOf(ordinals: readonly number[]): string[] {
    const ids: string[] = [];
    let b = 0;
    for (const ordinal of ordinals) {
      if (ordinal < 0 || ordinal >= this.rows)
        throw new Error(`no row ${ordinal} of ${this.rows} was stored`);
      while (b + 1 < this.blocks.length && this.blocks[b + 1]!.from <= ordinal) b++;
      if (this.blocks[b]!.from > ordinal) throw new Error('row ordinals out of order');
      const block = this.blocks[b]!;
      ids.push((block.firstId + BigInt(ordinal - block.from)).toString());
    }
    return ids;
  }
}

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
