import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// How many rows each loaded file holds of each business date (issue 17). A run reports, for every file
// a reconciliation side read, how many of its records it read, and counted them by reading the side
// whole once more: on 1,000,000 x 1,000,000 trades about 1.0 s of a server run and 2.7-3.0 s of an
// embedded one. A file's rows never change once loaded (a calendar change derives a new generation),
// so the load counts them as it stores them, by the date a run reads them for (a trade's clearing
// date, a position's date), and a side without filters adds them up. `audit verify --data` checks
// them against the rows. Files loaded before this migration are counted here, once.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE file_dated_rows (
    file_id bigint NOT NULL REFERENCES source_file (id),
    record_date date NOT NULL,
    rows bigint NOT NULL CHECK (rows > 0),
    PRIMARY KEY (file_id, record_date)
  )`.execute(db);
  await sql`INSERT INTO file_dated_rows (file_id, record_date, rows)
    SELECT file_id, clearing_date, count(*) FROM trade GROUP BY file_id, clearing_date`.execute(db);
  await sql`INSERT INTO file_dated_rows (file_id, record_date, rows)
    SELECT file_id, position_date, count(*) FROM position GROUP BY file_id, position_date`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE file_dated_rows`.execute(db);
}
