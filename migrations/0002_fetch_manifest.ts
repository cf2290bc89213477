import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
// One row per file and fetch run: what the source offered, what was done with it and why.
// Names from a remote listing are stored escaped (see remote-name.ts): text cannot hold NUL.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE fetch_manifest (
      id             bigserial PRIMARY KEY,
      run_id         text NOT NULL,
      origin         text NOT NULL,
      participant    text NOT NULL,
      business_date  date NOT NULL,
      report_id      text,
      remote_path    text NOT NULL,
      file_name      text NOT NULL,
      size_bytes     bigint,
      remote_mtime   timestamptz,
      sha256         text,
      local_path     text,
      generation     integer,
      outcome        text NOT NULL CHECK (outcome IN ('fetched', 'skipped', 'refused', 'failed')),
      code           text,
      reason         text,
      attempts       integer NOT NULL DEFAULT 0,
      fetched_at     timestamptz NOT NULL DEFAULT now(),
      CHECK (outcome <> 'fetched' OR (sha256 IS NOT NULL AND local_path IS NOT NULL AND generation IS NOT NULL))
    )`.execute(db);
  // The skip test of every run: has this origin's path already been fetched with this size and mtime?
  await sql`CREATE INDEX fetch_manifest_remote_idx ON fetch_manifest (origin, remote_path, outcome)`.execute(
    db,
  );
  await sql`CREATE INDEX fetch_manifest_date_idx ON fetch_manifest (participant, business_date)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS fetch_manifest`.execute(db);
}
