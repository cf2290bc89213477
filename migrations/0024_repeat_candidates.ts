import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// Possible repeats, listed by the load (issue 17). Before pairing, a run looks for the key values that
// several records of a side share (a trade number twice, a BOS reference booked twice), nearly always to
// find none: grouping a million records for it took 1.6 s and 3.6-4.0 s of the embedded database's run
// of 1,000,000 x 1,000,000 trades. The reading thread passes each trade's number and reference through
// a Bloom filter of fixed size as it loads a file, and the load lists here the ids of the rows whose value
// the filter may have seen before in the file: every row repeating an earlier one's value is among
// them. A run reading one file then looks only at those rows. ids NULL: more than the load lists, and
// runs search the file whole, as they do a file loaded before this migration (no row here).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE file_repeat_candidate (
    file_id bigint NOT NULL REFERENCES source_file (id),
    column_name text NOT NULL,
    ids bigint[],
    PRIMARY KEY (file_id, column_name)
  )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE file_repeat_candidate`.execute(db);
}
