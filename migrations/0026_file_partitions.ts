import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// A partition per loaded file (issue 17). Each row stored in the trade and position tables cost an
// insertion into the primary key's B-tree, row by row, and each page was written twice: once by the
// load, once more by the first statement to read it (its hint bits). A load now creates a table of
// its own in its transaction, COPYs into it with FREEZE (rows stored as already visible: nothing to
// write again), and attaches it at its end as a partition, whose indexes are then built in one pass
// each over rows already in id order. 1,000,000 finished trades stored on the embedded database, on a
// machine whose times for the same statement varied by half: 7.0-10.3 s this way (four runs) against
// 7.8-12.3 s into the table with its indexes (seven); on the server (psql) 4.0-4.7 s against 5.1-5.3 s.
//
// The tables are partitioned by id: a file's partition holds a range of 2^31 ids taken from
// bulk_partition_seq, from 2^40 up. Everything else (the rows before this migration, rows written
// one by one or by a calendar change, which take their ids from the table's own sequence, below
// 2^40) lives in the partition <table>_rows. Its CHECK constraint tells PostgreSQL that it holds no
// id of a file's range, so attaching a file's partition reads none of it; the primary key stays one
// over all the ids.

const FILE_IDS_FROM = '1099511627776'; // 2^40
const FILE_RANGE = '2147483648'; // 2^31

/** The bulk tables and the indexes of each, besides the primary key, as created here on the partitioned table. */
const TABLES = [
  {
    table: 'trade',
    indexes: [
      ['file_date_brin', 'USING brin (file_id, clearing_date) WITH (autosummarize = off)'],
      ['combination_idx', "(clearing_date, source) WHERE expiry LIKE '%/%'"],
      ['adjustment_idx', '(clearing_date, source) WHERE orig_trade_no IS NOT NULL'],
    ],
  },
  {
    table: 'position',
    indexes: [['file_date_brin', 'USING brin (file_id, position_date) WITH (autosummarize = off)']],
  },
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  // Files' ranges start above every id already stored: 2^40, or above the rows a down() of this
  // migration put back in the plain tables.
  const { rows } = await sql<{
    first_id: string;
  }>`SELECT (${sql.raw(FILE_IDS_FROM)}::numeric + ${sql.raw(FILE_RANGE)}
      * ceil(greatest(0, coalesce(greatest((SELECT max(id) FROM trade), (SELECT max(id) FROM position)), 0)
        + 1 - ${sql.raw(FILE_IDS_FROM)}) / ${sql.raw(FILE_RANGE)}::numeric))::bigint::text AS first_id`.execute(
    db,
  );
  const filesFrom = rows[0]!.first_id;
  if (!/^[0-9]+$/.test(filesFrom)) throw new Error(`unexpected first file id: ${filesFrom}`);
  await sql
    .raw(
      `CREATE SEQUENCE bulk_partition_seq AS bigint START WITH ${filesFrom}
    INCREMENT BY ${FILE_RANGE}`,
    )
    .execute(db);
  for (const { table, indexes } of TABLES) {
    const rows = `${table}_rows`;
    await sql.raw(`ALTER TABLE ${table} RENAME TO ${rows}`).execute(db);
    await sql.raw(`ALTER TABLE ${rows} RENAME CONSTRAINT ${table}_pkey TO ${rows}_pkey`).execute(db);
    for (const [name] of indexes)
      await sql.raw(`ALTER INDEX ${table}_${name} RENAME TO ${rows}_${name}`).execute(db);
    await sql
      .raw(
        `CREATE TABLE ${table} (LIKE ${rows} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
      PARTITION BY RANGE (id)`,
      )
      .execute(db);
    await sql.raw(`ALTER SEQUENCE ${table}_id_seq OWNED BY ${table}.id`).execute(db);
    await sql.raw(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_pkey PRIMARY KEY (id)`).execute(db);
    for (const [name, definition] of indexes)
      await sql.raw(`CREATE INDEX ${table}_${name} ON ${table} ${definition}`).execute(db);
    await sql
      .raw(`ALTER TABLE ${rows} ADD CONSTRAINT ${rows}_below_files CHECK (id < ${filesFrom})`)
      .execute(db);
    // Its indexes match the partitioned ones: they become theirs, nothing is built again.
    await sql
      .raw(`ALTER TABLE ${table} ATTACH PARTITION ${rows} FOR VALUES FROM (MINVALUE) TO (${filesFrom})`)
      .execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const { table, indexes } of TABLES) {
    const rows = `${table}_rows`;
    const { rows: files } = await sql<{ name: string }>`SELECT c.relname AS name FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = ${table}::regclass AND c.relname <> ${rows} ORDER BY c.relname`.execute(db);
    await sql.raw(`ALTER TABLE ${table} DETACH PARTITION ${rows}`).execute(db);
    await sql.raw(`ALTER TABLE ${rows} DROP CONSTRAINT ${rows}_below_files`).execute(db);
    for (const { name } of files) {
      await sql.raw(`ALTER TABLE ${table} DETACH PARTITION ${name}`).execute(db);
      await sql.raw(`INSERT INTO ${rows} SELECT * FROM ${name}`).execute(db);
      await sql.raw(`DROP TABLE ${name}`).execute(db);
    }
    await sql.raw(`ALTER SEQUENCE ${table}_id_seq OWNED BY ${rows}.id`).execute(db);
    await sql.raw(`DROP TABLE ${table}`).execute(db);
    await sql.raw(`ALTER TABLE ${rows} RENAME TO ${table}`).execute(db);
    await sql.raw(`ALTER TABLE ${table} RENAME CONSTRAINT ${rows}_pkey TO ${table}_pkey`).execute(db);
    for (const [name] of indexes)
      await sql.raw(`ALTER INDEX ${rows}_${name} RENAME TO ${table}_${name}`).execute(db);
  }
  await sql`DROP SEQUENCE bulk_partition_seq`.execute(db);
}
