import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// Data digest formula 3 (issue 17): a file's entity rows are digested as the COPY lines its load sent,
// hashed by the reading thread, and their ids apart, so the database no longer renders every row
// while a file loads. Formulas 1 and 2 stay for the files digested with them.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE source_file DROP CONSTRAINT source_file_data_digest_version_check`.execute(db);
  await sql`ALTER TABLE source_file ADD CONSTRAINT source_file_data_digest_version_check
    CHECK (data_digest_version IN (1, 2, 3))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE source_file DROP CONSTRAINT source_file_data_digest_version_check`.execute(db);
  await sql`ALTER TABLE source_file ADD CONSTRAINT source_file_data_digest_version_check
    CHECK (data_digest_version IN (1, 2))`.execute(db);
}
