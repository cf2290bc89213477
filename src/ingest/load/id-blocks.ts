/**
 * The ids a file's rows were given, by the order they were sent in: each batch takes a block of
 * consecutive ids (reserve_ids), so a row's id is its batch block's first id plus its place in the batch.
 */
export class IdBlocks {
  private readonly blocks: { readonly from: number; readonly firstId: bigint }[] = [];
  private rows = 0;

  /** Records the next batch's block, `size` rows from `firstId` (a bigint as text); returns its ids, as text. */
  add(firstId: string, size: number): string[] {
    this.blocks.push({ from: this.rows, firstId: BigInt(firstId) });
    this.rows += size;
    const ids = new Array<string>(size);
    const start = Number(firstId);
    if (Number.isSafeInteger(start + size)) {
      for (let i = 0; i < size; i++) ids[i] = String(start + i);
    } else {
      const big = BigInt(firstId);
      for (let i = 0; i < size; i++) ids[i] = (big + BigInt(i)).toString();
    }
    return ids;
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
