import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// What the database does to keep loaded data and the break register honest:
// - source_file.data_digest: the sha256 of a file's stored rows, taken by the load in the file's
//   transaction; `audit verify --data` computes it again. Files loaded before this migration have
//   none (a digest taken now would vouch for rows nobody checked at load). Once set it cannot be
//   changed: rewriting it is rewriting the evidence.
// - break_case may only hold the state of its latest break_event. The product writes a case and its
//   event in one transaction, so a deferred constraint trigger checks each case written, at commit,
//   against its latest event: an UPDATE of break_case alone (by the product's own role, which needs no
//   trigger disabled) is refused. The check reads the case as it stands at commit, not the row the
//   event was queued with, so a case written twice in a transaction is judged by its final state.
//   A superuser or the table's owner can still disable the trigger; `audit verify` compares every
//   case with its latest event and finds what such a write left behind.
// - break_case refuses DELETE and TRUNCATE (statement-level, so even a statement touching no row):
//   the register's cases are referred to by their events and by every run's breaks.

const STATE = ['status', 'reason', 'reason_code', 'explained_by', 'assignee', 'last_seen_run', 'last_seen_date'];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE source_file ADD COLUMN data_digest text CHECK (data_digest ~ '^[0-9a-f]{64}$')`.execute(db);
  await sql`
    CREATE FUNCTION source_file_keep_digest() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.data_digest IS NOT NULL AND NEW.data_digest IS DISTINCT FROM OLD.data_digest THEN
        RAISE EXCEPTION 'source_file %: its data digest is the record of the rows as loaded and cannot be changed', OLD.id
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'load a corrected file instead: it supersedes this one and gets its own digest';
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER source_file_digest_kept BEFORE UPDATE OF data_digest ON source_file
    FOR EACH ROW EXECUTE FUNCTION source_file_keep_digest()`.execute(db);

  const caseState = sql.raw(STATE.map((c) => `c.${c}`).join(', '));
  const eventState = sql.raw(STATE.map((c) => `e.${c}`).join(', '));
  await sql`
    CREATE FUNCTION break_case_follows_event() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      differs boolean;
    BEGIN
      SELECT e.id IS NULL OR ROW(${caseState}) IS DISTINCT FROM ROW(${eventState})
        INTO differs
        FROM break_case c
        LEFT JOIN LATERAL (SELECT * FROM break_event x WHERE x.case_id = c.id ORDER BY x.id DESC LIMIT 1) e ON true
        WHERE c.id = NEW.id;
      IF differs THEN
        RAISE EXCEPTION 'break %: its state (status, reason, reason code, explained by, assignee, last seen) differs from its latest break event; the register changes only through dcass-recon', NEW.id
          USING ERRCODE = 'integrity_constraint_violation',
                DETAIL = 'Every change to a break is recorded as a break_event in the same transaction; this change has none.',
                HINT = 'use dcass-recon breaks explain|resolve|reopen|assign|comment, which record who did what and why';
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE CONSTRAINT TRIGGER break_case_state_from_events AFTER INSERT OR UPDATE ON break_case
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION break_case_follows_event()`.execute(db);

  await sql`
    CREATE FUNCTION break_case_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'break_case keeps the register: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = 'Its events and every run''s breaks refer to a case; it is never removed.',
              HINT = 'a break ends by its events: cleared by a run, or resolved by a person (dcass-recon breaks resolve)';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER break_case_keep BEFORE DELETE OR TRUNCATE ON break_case
    FOR EACH STATEMENT EXECUTE FUNCTION break_case_refuse_delete()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS break_case_keep ON break_case`.execute(db);
  await sql`DROP FUNCTION IF EXISTS break_case_refuse_delete()`.execute(db);
  await sql`DROP TRIGGER IF EXISTS break_case_state_from_events ON break_case`.execute(db);
  await sql`DROP FUNCTION IF EXISTS break_case_follows_event()`.execute(db);
  await sql`DROP TRIGGER IF EXISTS source_file_digest_kept ON source_file`.execute(db);
  await sql`DROP FUNCTION IF EXISTS source_file_keep_digest()`.execute(db);
  await sql`ALTER TABLE source_file DROP COLUMN IF EXISTS data_digest`.execute(db);
}
