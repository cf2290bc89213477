import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// Which generation of a report is current is decided by what the file says (its generation time) and
// then by the file's modification time, never by the order in which separate `ingest` calls loaded
// the files: so the modification time a file had when it was read is kept with it, to the microsecond
// (two exports a moment apart are told apart). Files loaded before this migration have none (null):
// against them, the file loaded later is taken as the newer, the rule they were loaded under.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE source_file ADD COLUMN file_mtime timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE source_file DROP COLUMN file_mtime`.execute(db);
}
