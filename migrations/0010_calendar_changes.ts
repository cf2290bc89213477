import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// Calendar changes as events: a typhoon or black rainstorm closes the market, or cancels an evening
// session, with a few hours' notice. Each ad-hoc change is one appended row; the latest change of a
// date is in force, on top of the calendar file. Like the other history tables it is never rewritten.
//
// A change re-derives the clearing dates of BOS trades already loaded as a new generation of their
// file: a source_file row derived from the loaded one (derived_from) by the change
// (calendar_change_id), superseding the generation in force. The derived generation describes the
// same bytes, so it keeps the file's sha256: the sha256 stays unique among loaded files only.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE calendar_change (
      id           bigserial PRIMARY KEY,
      market       text NOT NULL,
      day          date NOT NULL,
      action       text NOT NULL CHECK (action IN ('close', 'open', 'half-day')),
      trading      boolean NOT NULL,
      after_hours  boolean NOT NULL,
      reason       text NOT NULL CHECK (btrim(reason) <> ''),
      actor        text NOT NULL,
      recorded_at  timestamptz NOT NULL DEFAULT now(),
      CHECK (trading OR NOT after_hours)
    )`.execute(db);
  await sql`CREATE INDEX calendar_change_day_idx ON calendar_change (market, day, id)`.execute(db);

  await sql`
    CREATE FUNCTION calendar_change_refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'calendar_change is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'record a new change instead (dcass-recon calendar open|close|half-day ...)';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER calendar_change_no_update_delete BEFORE UPDATE OR DELETE ON calendar_change
    FOR EACH ROW EXECUTE FUNCTION calendar_change_refuse_rewrite()`.execute(db);
  await sql`
    CREATE TRIGGER calendar_change_no_truncate BEFORE TRUNCATE ON calendar_change
    FOR EACH STATEMENT EXECUTE FUNCTION calendar_change_refuse_rewrite()`.execute(db);

  await sql`
    ALTER TABLE source_file
      ADD COLUMN derived_from bigint REFERENCES source_file (id),
      ADD COLUMN calendar_change_id bigint REFERENCES calendar_change (id),
      ADD CHECK ((derived_from IS NULL) = (calendar_change_id IS NULL))`.execute(db);
  await sql`ALTER TABLE source_file DROP CONSTRAINT source_file_sha256_key`.execute(db);
  await sql`CREATE UNIQUE INDEX source_file_sha256_loaded ON source_file (sha256) WHERE derived_from IS NULL`.execute(
    db,
  );
}

// Going down while derived generations exist fails on the restored UNIQUE (sha256): they share it.
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS source_file_sha256_loaded`.execute(db);
  await sql`ALTER TABLE source_file ADD CONSTRAINT source_file_sha256_key UNIQUE (sha256)`.execute(db);
  await sql`ALTER TABLE source_file DROP COLUMN IF EXISTS calendar_change_id, DROP COLUMN IF EXISTS derived_from`.execute(
    db,
  );
  await sql`DROP TABLE IF EXISTS calendar_change`.execute(db);
  await sql`DROP FUNCTION IF EXISTS calendar_change_refuse_rewrite()`.execute(db);
}
