import { sql } from 'kysely';
import type { Store, StoreTransaction } from '../../db/connect.js';

/**
 * The tables partitioned by file (migration 0026): a load stores its rows in a table of its own,
 * created in its transaction, and attaches it as a partition at its end.
 */
const PARTITIONED: ReadonlySet<string> = new Set(['trade', 'position']);

/** The ids of one file's partition: 2^31 from its first (bulk_partition_seq's increment). */
const FILE_RANGE = 2n ** 31n;

/**
 * The memory the primary key's sort may take when a partition is attached, per database (null: the
 * database's own). On the embedded database it is the process's WebAssembly heap, which never gives
 * memory back: with PGlite's 64 MB, 1,000,000 trades' ids sorted in memory put the benchmark's peak RSS
 * at 410-415 MiB instead of 365-376; with 16 MB at 394 MiB; with 4 MB (the sort in temporary files) at
 * 372-377 MiB, for about 0.3 s more a file.
 */
const ATTACH_MEMORY: Record<Store['kind'], string | null> = { postgres: null, pglite: '4MB' };

/**
 * One file's partition of a bulk table, while it is loaded. Its rows take their ids from its own range,
 * in line order; they are COPY'd in with FREEZE, with no index to keep up to date row by row; the
 * partition's indexes are built when it is attached, in one pass each. Rolled back with the load, it
 * leaves nothing.
 */
export class FilePartition {
  private taken = 0n;

  private constructor(
    private readonly table: string,
    readonly name: string,
    private readonly firstId: bigint,
    private readonly kind: Store['kind'],
  ) {}

  /** The partition of `fileId`'s rows in `table`, created now; null where the table is not partitioned. */
  static async create(
    tx: StoreTransaction,
    kind: Store['kind'],
    table: string,
    fileId: string,
  ): Promise<FilePartition | null> {
    if (!PARTITIONED.has(table)) return null;
    if (!/^[0-9]+$/.test(fileId)) throw new Error(`unexpected file id: ${fileId}`);
    const { rows } = await sql<{
      first: string;
    }>`SELECT nextval('bulk_partition_seq')::text AS first`.execute(tx.db);
    const first = BigInt(rows[0]!.first);
    const name = `${table}_file_${fileId}`;
    // DDL takes no parameters: the names are the product's own and the bounds numbers it just read.
    // The CHECK constraint is the partition's range, so that attaching it reads none of its rows.
    await sql
      .raw(
        `CREATE TABLE ${name} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
          CONSTRAINT ${name}_ids CHECK (id >= ${first} AND id < ${first + FILE_RANGE}))`,
      )
      .execute(tx.db);
    return new FilePartition(table, name, first, kind);
  }

  /** The first id of the next `n` rows, as text. */
  take(n: number): string {
    const first = this.firstId + this.taken;
    this.taken += BigInt(n);
    if (this.taken > FILE_RANGE)
      throw new Error(`a file of more than ${FILE_RANGE} rows cannot be stored in one partition`);
    return first.toString();
  }

  /**
   * Attaches the partition to its table, which builds its indexes: its rows become the table's.
   * Taken at the load's end: attaching locks the table against another load's attaching until this
   * load commits (not against reading or writing it).
   */
  async attach(tx: StoreTransaction): Promise<void> {
    const memory = ATTACH_MEMORY[this.kind];
    if (memory !== null) await sql`SELECT set_config('maintenance_work_mem', ${memory}, true)`.execute(tx.db);
    await sql
      .raw(
        `ALTER TABLE ${this.table} ATTACH PARTITION ${this.name}
          FOR VALUES FROM (${this.firstId}) TO (${this.firstId + FILE_RANGE})`,
      )
      .execute(tx.db);
  }
}
