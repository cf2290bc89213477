import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// Ids in blocks (issue 17). A load gives each batch's rows their ids from the entity table's sequence
// before the COPY, to know them for the data digest. One nextval per row, the ids sent back as text,
// cost 5.5 ms a 5,000-row batch on the embedded database and 11.7 ms a 20,000-row batch on the server
// (nextval alone 4.4 and 5.8 ms); one reservation costs under 1 ms. The 1,000,000 x 1,000,000
// benchmark's ingest took 0.8 s less on PGlite (21.7-22.4 s against 22.5-23.1) and about 0.4 s less
// on the server.
// reserve_ids takes n consecutive values of a sequence in one call: its first is returned, the
// sequence moves past its last. Between the nextval and the setval no other reservation may move the
// sequence, or two callers would own the same values: every caller takes the same advisory lock, held
// for those two calls only (a session lock, released on the way out, error or not), so concurrent
// loads keep loading side by side. Whatever else writes to these tables with ids takes them from here
// too (a calendar re-derivation); a column default's nextval takes no lock, and is left to tests and
// tools writing single rows while nothing loads.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE FUNCTION reserve_ids(seq regclass, n integer) RETURNS bigint LANGUAGE plpgsql AS $fn$
    DECLARE
      first bigint;
    BEGIN
      IF n < 1 THEN
        RAISE EXCEPTION 'reserve_ids: n must be at least 1, got %', n;
      END IF;
      -- Two-key form: (the letters 'idbk', the sequence), apart from every other advisory lock.
      PERFORM pg_advisory_lock(1768186475, seq::oid::integer);
      BEGIN
        first := nextval(seq);
        PERFORM setval(seq, first + n - 1);
      EXCEPTION WHEN OTHERS THEN
        PERFORM pg_advisory_unlock(1768186475, seq::oid::integer);
        RAISE;
      END;
      PERFORM pg_advisory_unlock(1768186475, seq::oid::integer);
      RETURN first;
    END
  $fn$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION reserve_ids(regclass, integer)`.execute(db);
}
