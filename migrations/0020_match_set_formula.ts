import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// Match set formula 2 (issue 17): a set's sha256 is taken over the sha256 of each of its stored units
// (a match_block row's pairs, or a match_pair row) in the order of their first left id, not over one
// text of every pair. That text, a million pairs' worth (about 25 MB), was built whole in memory for
// one hash: on the embedded database it grew the process's wasm heap, which never shrinks, by about
// 75 MB. Sets stored before keep formula 1 (one text of every pair in left-id order, migration 0013);
// a re-run of their inputs stores its set once more, under formula 2.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE match_set ADD COLUMN formula smallint NOT NULL DEFAULT 1 CHECK (formula IN (1, 2))`.execute(
    db,
  );
}

// Formula 1's text of a set, from its stored pairs (a block's pairs one by one), as migration 0013 took it.
const formulaOne = `SELECT p.set_id, encode(sha256(convert_to(coalesce(string_agg(
    p.pass::text || ':' || p.left_ids::text || '=' || p.right_ids::text, ',' ORDER BY p.left_ids), ''), 'UTF8')), 'hex') AS sha256
  FROM (SELECT set_id, pass, left_ids, right_ids FROM match_pair
    UNION ALL SELECT b.set_id, b.pass, ARRAY[u.l], ARRAY[u.r]
      FROM match_block b CROSS JOIN LATERAL unnest(b.left_ids, b.right_ids) AS u(l, r)) p
  WHERE p.set_id IN (SELECT id FROM match_set WHERE formula = 2)
  GROUP BY p.set_id`;

export async function down(db: Kysely<any>): Promise<void> {
  await sql`CREATE TEMP TABLE formula_one AS ${sql.raw(formulaOne)}`.execute(db);
  // A set that formula 1 names as one already stored is that set: its runs refer to it instead.
  await sql`CREATE TEMP TABLE same_set AS
    SELECT f.set_id AS dup, s.id AS kept FROM formula_one f
    JOIN match_set d ON d.id = f.set_id
    JOIN match_set s ON s.recon = d.recon AND s.sha256 = f.sha256 AND s.formula = 1`.execute(db);
  await sql`UPDATE run_match r SET set_id = x.kept FROM same_set x WHERE r.set_id = x.dup`.execute(db);
  for (const table of ['match_block', 'match_pair'])
    await sql`DELETE FROM ${sql.table(table)} WHERE set_id IN (SELECT dup FROM same_set)`.execute(db);
  await sql`DELETE FROM match_set WHERE id IN (SELECT dup FROM same_set)`.execute(db);
  // A set with no pairs has no row in formula_one: it hashes alike under both formulas (the sha256 of nothing).
  await sql`UPDATE match_set s SET sha256 = f.sha256 FROM formula_one f WHERE s.id = f.set_id`.execute(db);
  await sql`DROP TABLE formula_one, same_set`.execute(db);
  await sql`ALTER TABLE match_set DROP COLUMN formula`.execute(db);
}
