import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// Two small partial indexes over the trades a run looks for first and usually finds none of (issue
// 17): combination (spread) trades, whose stored expiry holds both legs' months ('2019-05/2019-06'),
// and trades carrying an original trade number (give-ups, take-ups, transfers: the adjustments a run
// folds into the trades they adjust). Without them each search read a side's whole day: on 1,000,000 x
// 1,000,000 trades about 0.4 s of a server run and 1.0 s of an embedded one, for no rows. Each index
// holds only its rare rows, so loading a file costs no more than evaluating two conditions per row.
// The conditions are the ones the run's statements state (a combination's separator; the original
// number present), so the planner can prove they hold and read the index.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX trade_combination_idx ON trade (clearing_date, source) WHERE expiry LIKE '%/%'`.execute(
    db,
  );
  await sql`CREATE INDEX trade_adjustment_idx ON trade (clearing_date, source) WHERE orig_trade_no IS NOT NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX trade_adjustment_idx`.execute(db);
  await sql`DROP INDEX trade_combination_idx`.execute(db);
}
