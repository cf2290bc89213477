import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
// The audit trail: one row per recorded action, hash-chained (hash = sha256 of prev_hash followed by
// body, the RFC 8785 canonical JSON of the event). The columns next to body repeat what it holds so
// the trail can be queried; `audit verify` checks that they agree with it.
//
// - id is given by the appender (the head's id + 1, under the chain's lock), not by a sequence: a
//   sequence value used by a transaction that rolls back would leave a gap, and a gap is what verify
//   reports as a removed event.
// - prev_hash is unique: two events can never chain from the same predecessor, so the chain cannot
//   fork even if a writer skipped the lock. The first event, and only it, chains from the genesis
//   value (64 zeros).
// - The database refuses UPDATE, DELETE and TRUNCATE (one statement-level trigger, so a statement is
//   refused even when it would touch no row). A table owner or superuser can still disable the
//   trigger; the hash chain is what makes such a rewrite visible.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE audit_event (
      id         bigint PRIMARY KEY CHECK (id >= 1),
      at         timestamptz NOT NULL DEFAULT clock_timestamp(),
      actor      text NOT NULL CHECK (actor <> ''),
      action     text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_-]*(\\.[a-z][a-z0-9_-]*)*$'),
      subject    text NOT NULL,
      body       text NOT NULL,
      prev_hash  text NOT NULL UNIQUE CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
      hash       text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
      CHECK ((id = 1) = (prev_hash = repeat('0', 64)))
    )`.execute(db);
  await sql`CREATE INDEX audit_event_subject_idx ON audit_event (subject, id)`.execute(db);

  await sql`
    CREATE FUNCTION audit_refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = 'Recorded events are never changed or removed; the table only takes INSERT.',
              HINT = 'Record a new event that corrects or supersedes the earlier one.';
    END
    $$`.execute(db);
  await sql`
    CREATE TRIGGER audit_event_append_only
      BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_event
      FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_rewrite()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS audit_event`.execute(db);
  await sql`DROP FUNCTION IF EXISTS audit_refuse_rewrite()`.execute(db);
}
