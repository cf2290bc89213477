import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
// The bulk tables (a million rows a file, a million matches a run) keep their lineage without a
// per-row foreign key check, and their file and date indexes become BRIN.
//
// Why: a foreign key is checked one row at a time by a trigger; loading 1,000,000 finished trade rows
// with `psql \copy` took 7.3 s with it and 4.3 s without (PostgreSQL 15, bench:ingest's data), and
// the two B-tree indexes on file and date cost another 1.9 s (2.4 s without them). Rows are written
// in file order, one file per transaction, so a BRIN index over file and date (a few pages, updated
// for almost nothing) finds a file's or a date's rows as well as the B-trees did.
//
// What keeps the lineage: every row is written by the load of its own file, in the transaction that
// created the file's source_file row, with that row's id; and source_file and recon_run now refuse
// DELETE and TRUNCATE (a statement-level trigger, so a statement is refused even when it would touch
// no row). A file's or a run's rows can therefore never lose their parent, which is what the foreign
// keys guaranteed. recon_break keeps its foreign keys: a run writes few breaks.

const FOREIGN_KEYS = [
  ['trade', 'trade_file_id_fkey'],
  ['position', 'position_file_id_fkey'],
  ['rejected_row', 'rejected_row_file_id_fkey'],
  ['account_map', 'account_map_file_id_fkey'],
  ['recon_match', 'recon_match_run_id_fkey'],
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  for (const [table, constraint] of FOREIGN_KEYS) {
    await sql`ALTER TABLE ${sql.table(table)} DROP CONSTRAINT ${sql.id(constraint)}`.execute(db);
  }
  await sql`DROP INDEX trade_file_idx`.execute(db);
  await sql`DROP INDEX trade_clearing_idx`.execute(db);
  await sql`DROP INDEX position_file_idx`.execute(db);
  await sql`DROP INDEX position_date_idx`.execute(db);
  await sql`CREATE INDEX trade_file_date_brin ON trade USING brin (file_id, clearing_date) WITH (autosummarize = on)`.execute(
    db,
  );
  await sql`CREATE INDEX position_file_date_brin ON position USING brin (file_id, position_date) WITH (autosummarize = on)`.execute(
    db,
  );

  await sql`
    CREATE FUNCTION lineage_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% keeps lineage: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = 'Loaded rows, matches and breaks refer to it; it is never removed.',
              HINT = 'A later file supersedes an earlier one; a later run replaces an earlier one''s results.';
    END
    $$`.execute(db);
  for (const table of ['source_file', 'recon_run']) {
    await sql`
      CREATE TRIGGER ${sql.id(`${table}_keep`)}
        BEFORE DELETE OR TRUNCATE ON ${sql.table(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION lineage_refuse_delete()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['source_file', 'recon_run']) {
    await sql`DROP TRIGGER IF EXISTS ${sql.id(`${table}_keep`)} ON ${sql.table(table)}`.execute(db);
  }
  await sql`DROP FUNCTION IF EXISTS lineage_refuse_delete()`.execute(db);
  await sql`DROP INDEX IF EXISTS trade_file_date_brin`.execute(db);
  await sql`DROP INDEX IF EXISTS position_file_date_brin`.execute(db);
  await sql`CREATE INDEX trade_file_idx ON trade (file_id)`.execute(db);
  await sql`CREATE INDEX trade_clearing_idx ON trade (clearing_date, source)`.execute(db);
  await sql`CREATE INDEX position_file_idx ON position (file_id)`.execute(db);
  await sql`CREATE INDEX position_date_idx ON position (position_date, source)`.execute(db);
  await sql`ALTER TABLE trade ADD FOREIGN KEY (file_id) REFERENCES source_file (id)`.execute(db);
  await sql`ALTER TABLE position ADD FOREIGN KEY (file_id) REFERENCES source_file (id)`.execute(db);
  await sql`ALTER TABLE rejected_row ADD FOREIGN KEY (file_id) REFERENCES source_file (id)`.execute(db);
  await sql`ALTER TABLE account_map ADD FOREIGN KEY (file_id) REFERENCES source_file (id)`.execute(db);
  await sql`ALTER TABLE recon_match ADD FOREIGN KEY (run_id) REFERENCES recon_run (id) ON DELETE CASCADE`.execute(
    db,
  );
}
