import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// How each file is known to be whole. A report still being written must not be taken for the
// finished one:
// - fetch_manifest.completeness: what the fetch saw before taking the file: its marker file listed
//   ('marker') or its size and mtime unchanged over the configured interval ('stable'); null when
//   it was told not to wait. A file still changing is recorded as 'deferred' and taken next time.
// - source_file.completeness: how the loaded file is known to be complete: its own trailer or
//   record count, its marker, a stable fetch, or nothing ('unverifiable': a CSV with none of them).
//   Null for files loaded before this was kept.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE fetch_manifest
      ADD COLUMN completeness text CHECK (completeness IN ('marker', 'stable'))`.execute(db);
  await sql`ALTER TABLE fetch_manifest DROP CONSTRAINT fetch_manifest_outcome_check`.execute(db);
  await sql`
    ALTER TABLE fetch_manifest ADD CONSTRAINT fetch_manifest_outcome_check
      CHECK (outcome IN ('fetched', 'skipped', 'refused', 'failed', 'deferred'))`.execute(db);
  // The loader asks whether the bytes it loads were fetched, and how: by sha256.
  await sql`CREATE INDEX fetch_manifest_sha256_idx ON fetch_manifest (sha256) WHERE outcome = 'fetched'`.execute(
    db,
  );
  await sql`
    ALTER TABLE source_file
      ADD COLUMN completeness text
        CHECK (completeness IN ('trailer', 'record-count', 'marker', 'stable', 'unverifiable'))`.execute(db);
}

// Going down while deferred manifest rows exist fails on the restored outcome CHECK.
export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE source_file DROP COLUMN IF EXISTS completeness`.execute(db);
  await sql`DROP INDEX IF EXISTS fetch_manifest_sha256_idx`.execute(db);
  await sql`ALTER TABLE fetch_manifest DROP CONSTRAINT fetch_manifest_outcome_check`.execute(db);
  await sql`
    ALTER TABLE fetch_manifest ADD CONSTRAINT fetch_manifest_outcome_check
      CHECK (outcome IN ('fetched', 'skipped', 'refused', 'failed'))`.execute(db);
  await sql`ALTER TABLE fetch_manifest DROP COLUMN IF EXISTS completeness`.execute(db);
}
