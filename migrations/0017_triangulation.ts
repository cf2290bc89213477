import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// The three-way view of a break (issue 18): where Genium, DCASS and BOS all speak to the same account
// and instrument or trade on a date, which source disagrees with the other two, or that all three
// differ. It depends on what the run's other reconciliations found, not on the break's own records,
// so it is kept with the run's sighting of the break (break_sighting), not with its finding
// (break_detail, shared by every run that found the same). Null when the run had no three-way view.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE break_sighting ADD COLUMN triangulation text
    CHECK (triangulation IN ('all-agree', 'odd-genium', 'odd-dcass', 'odd-bos', 'all-differ', 'intransitive', 'mixed'))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE break_sighting DROP COLUMN triangulation`.execute(db);
}
