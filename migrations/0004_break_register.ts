import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// The break register. A run's recon_break rows say what that run found; a break_case is one break
// across runs (one per reconciliation and fingerprint): the id people act on. Every change to a case
// (a run detecting, seeing again or clearing it; a person commenting, assigning, explaining,
// resolving, reopening) appends one break_event holding the case's whole state after it, so the
// register as of any moment is the latest event per case at that moment. break_case keeps the
// current state for quick reads, written in the same transaction as the event that changes it.
// The database itself refuses to rewrite or delete events.

const STATUSES = `('open', 'explained', 'resolved', 'cleared')`;

export async function up(db: Kysely<any>): Promise<void> {
  // The rule set's text with each run: the rules behind a break stay readable after the file changes.
  await sql`ALTER TABLE recon_run ADD COLUMN rule_set_text text`.execute(db);

  await sql`
    CREATE TABLE break_case (
      id               bigserial PRIMARY KEY,
      recon            text NOT NULL,
      fingerprint      text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
      entity           text NOT NULL CHECK (entity IN ('trades', 'positions')),
      kind             text NOT NULL,
      key              jsonb NOT NULL,
      first_seen_run   bigint NOT NULL REFERENCES recon_run (id),
      first_seen_date  date NOT NULL,
      last_seen_run    bigint NOT NULL REFERENCES recon_run (id),
      last_seen_date   date NOT NULL,
      status           text NOT NULL CHECK (status IN ${sql.raw(STATUSES)}),
      reason           text,
      reason_code      text,
      explained_by     text,
      assignee         text,
      UNIQUE (recon, fingerprint)
    )`.execute(db);
  await sql`CREATE INDEX break_case_status_idx ON break_case (status, recon)`.execute(db);

  // seq: the break's place in its run's stable order, numbered once when the run completes, so
  // reports page through a run's breaks by an index instead of sorting them again for every page.
  await sql`ALTER TABLE recon_break ADD COLUMN case_id bigint REFERENCES break_case (id), ADD COLUMN seq integer`.execute(db);
  await sql`CREATE INDEX recon_break_case_idx ON recon_break (case_id, run_id)`.execute(db);
  await sql`CREATE UNIQUE INDEX recon_break_seq_idx ON recon_break (run_id, seq)`.execute(db);

  await sql`
    CREATE TABLE break_event (
      id               bigserial PRIMARY KEY,
      case_id          bigint NOT NULL REFERENCES break_case (id),
      run_id           bigint REFERENCES recon_run (id),
      at               timestamptz NOT NULL DEFAULT clock_timestamp(),
      actor            text NOT NULL CHECK (actor <> ''),
      action           text NOT NULL CHECK (action IN
                         ('detected', 'seen', 'reappeared', 'cleared', 'comment', 'assign', 'explain', 'resolve', 'reopen')),
      note             text,
      status           text NOT NULL CHECK (status IN ${sql.raw(STATUSES)}),
      reason           text,
      reason_code      text,
      explained_by     text,
      assignee         text,
      last_seen_run    bigint NOT NULL,
      last_seen_date   date NOT NULL,
      CHECK (status NOT IN ('explained', 'resolved') OR reason IS NOT NULL),
      CHECK (action <> 'comment' OR note IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX break_event_case_idx ON break_event (case_id, id)`.execute(db);
  await sql`CREATE INDEX break_event_run_idx ON break_event (run_id) WHERE run_id IS NOT NULL`.execute(db);

  await sql`
    CREATE FUNCTION break_event_refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'break_event is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'record a new break action instead (dcass-recon breaks reopen|comment ...)';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER break_event_no_update_delete BEFORE UPDATE OR DELETE ON break_event
    FOR EACH ROW EXECUTE FUNCTION break_event_refuse_rewrite()`.execute(db);
  await sql`
    CREATE TRIGGER break_event_no_truncate BEFORE TRUNCATE ON break_event
    FOR EACH STATEMENT EXECUTE FUNCTION break_event_refuse_rewrite()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS break_event`.execute(db);
  await sql`DROP FUNCTION IF EXISTS break_event_refuse_rewrite()`.execute(db);
  await sql`ALTER TABLE recon_break DROP COLUMN IF EXISTS case_id, DROP COLUMN IF EXISTS seq`.execute(db);
  await sql`DROP TABLE IF EXISTS break_case`.execute(db);
  await sql`ALTER TABLE recon_run DROP COLUMN IF EXISTS rule_set_text`.execute(db);
}
