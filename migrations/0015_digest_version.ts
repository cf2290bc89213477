import { sql, type Kysely, type RawBuilder } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// source_file.data_digest_version: the formula a file's data digest was taken with. Loads from now on
// take formula 2 (a row value's text instead of a JSON array: 2.4 times cheaper for the database, and
// the digest was a third of a load on the embedded database); every digest stored before is formula 1,
// which `audit verify --data` keeps computing for those files. A digest and its formula come together
// (both or neither) and, like the digest, the formula cannot be changed once set.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE source_file ADD COLUMN data_digest_version smallint
    CHECK (data_digest_version IN (1, 2))`.execute(db);
  await sql`UPDATE source_file SET data_digest_version = 1 WHERE data_digest IS NOT NULL`.execute(db);
  await sql`ALTER TABLE source_file ADD CONSTRAINT source_file_digest_formula
    CHECK ((data_digest IS NULL) = (data_digest_version IS NULL))`.execute(db);
  await keepDigest(sql`NEW.data_digest IS DISTINCT FROM OLD.data_digest
    OR NEW.data_digest_version IS DISTINCT FROM OLD.data_digest_version`).execute(db);
  await sql`DROP TRIGGER source_file_digest_kept ON source_file`.execute(db);
  await sql`
    CREATE TRIGGER source_file_digest_kept BEFORE UPDATE OF data_digest, data_digest_version ON source_file
    FOR EACH ROW EXECUTE FUNCTION source_file_keep_digest()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER source_file_digest_kept ON source_file`.execute(db);
  await keepDigest(sql`NEW.data_digest IS DISTINCT FROM OLD.data_digest`).execute(db);
  await sql`
    CREATE TRIGGER source_file_digest_kept BEFORE UPDATE OF data_digest ON source_file
    FOR EACH ROW EXECUTE FUNCTION source_file_keep_digest()`.execute(db);
  await sql`ALTER TABLE source_file DROP CONSTRAINT IF EXISTS source_file_digest_formula`.execute(db);
  await sql`ALTER TABLE source_file DROP COLUMN IF EXISTS data_digest_version`.execute(db);
}

/** The trigger function refusing a change of a file's digest once set: `changed` says what a change is. */
function keepDigest(changed: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    CREATE OR REPLACE FUNCTION source_file_keep_digest() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.data_digest IS NOT NULL AND (${changed}) THEN
        RAISE EXCEPTION 'source_file %: its data digest is the record of the rows as loaded and cannot be changed', OLD.id
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'load a corrected file instead: it supersedes this one and gets its own digest';
      END IF;
      RETURN NEW;
    END $$`;
}
