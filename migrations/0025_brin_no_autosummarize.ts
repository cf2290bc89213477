import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// The file and date BRIN indexes no longer ask the server's autovacuum to summarise each range a load
// fills. Autovacuum keeps at most a few hundred such requests, for the whole server: a load of
// 1,000,000 trades (about 330 ranges) overflowed it, and each request it dropped was a LOG entry in the
// server's log, with the COPY statement's text, hundreds per large load. Runs summarise the new ranges
// themselves at their start (brin_summarize_new_values), and autovacuum's own VACUUM of a table after
// many inserts summarises them too, for a role that does not own the indexes.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER INDEX trade_file_date_brin SET (autosummarize = off)`.execute(db);
  await sql`ALTER INDEX position_file_date_brin SET (autosummarize = off)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER INDEX trade_file_date_brin SET (autosummarize = on)`.execute(db);
  await sql`ALTER INDEX position_file_date_brin SET (autosummarize = on)`.execute(db);
}
