import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// A match set's pairs of one record each (all but a few: an aggregated side's row of several records
// is the exception) are stored in blocks: one match_block row holds up to about ten thousand such
// pairs of a pass, as two parallel arrays in left-id order (left_ids[i] pairs with right_ids[i]).
// Storing a million pairs as a million match_pair rows was the slowest statement of a 1,000,000 x
// 1,000,000 trade run (2.5-3.6 s of server CPU, issue 17). Pairs holding several records on a side
// stay match_pair rows. recon_match reads both, one pair per row as before, so every reader sees the
// same pairs and every record of a run is still in exactly one stored place: a pair or a break.
// Sets stored before this migration keep their match_pair rows.

const pairsOfBlocks = `SELECT b.set_id, b.pass, ARRAY[u.l] AS left_ids, ARRAY[u.r] AS right_ids
  FROM match_block b CROSS JOIN LATERAL unnest(b.left_ids, b.right_ids) AS u(l, r)`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE match_block (
      set_id      bigint NOT NULL,
      pass        smallint NOT NULL CHECK (pass >= 1),
      left_ids    bigint[] NOT NULL,
      right_ids   bigint[] NOT NULL,
      CHECK (cardinality(left_ids) = cardinality(right_ids) AND cardinality(left_ids) > 0)
    )`.execute(db);
  // Stored uncompressed: pglz took about 2.3 s of a run to compress a million pairs' ids (16 MB of
  // arrays) that it shrank to 6.6 MB; a million match_pair rows took about 80 MB.
  await sql`ALTER TABLE match_block ALTER left_ids SET STORAGE EXTERNAL, ALTER right_ids SET STORAGE EXTERNAL`.execute(
    db,
  );
  await sql`CREATE INDEX match_block_set_brin ON match_block USING brin (set_id)`.execute(db);
  await sql`DROP VIEW recon_match`.execute(db);
  await sql`
    CREATE VIEW recon_match AS
    SELECT r.run_id, r.recon, p.pass, p.left_ids, p.right_ids
    FROM run_match r JOIN (SELECT set_id, pass, left_ids, right_ids FROM match_pair
      UNION ALL ${sql.raw(pairsOfBlocks)}) p ON p.set_id = r.set_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    INSERT INTO match_pair (set_id, pass, left_ids, right_ids) ${sql.raw(pairsOfBlocks)}`.execute(db);
  await sql`DROP VIEW recon_match`.execute(db);
  await sql`DROP TABLE match_block`.execute(db);
  await sql`
    CREATE VIEW recon_match AS
    SELECT r.run_id, r.recon, p.pass, p.left_ids, p.right_ids
    FROM run_match r JOIN match_pair p ON p.set_id = r.set_id`.execute(db);
}
