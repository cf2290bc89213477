import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// What a run could not look at, and what a break's records were.
// - recon_run.missing_inputs: the expected inputs a run found missing, each with the reconciliation
//   (and side) it kept from running. A reconciliation with a missing input is reported incomplete
//   instead of a break per record of the other side, and clears nothing.
// - recon_break.content: the sha256 of the break's records as the run compared them (every working
//   value of each side, record ids left out so a reloaded identical file gives the same content). A
//   person's decision is kept by later runs only while the records it was made about are unchanged.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE recon_run ADD COLUMN missing_inputs jsonb NOT NULL DEFAULT '[]'::jsonb`.execute(db);
  await sql`ALTER TABLE recon_break ADD COLUMN content text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE recon_break DROP COLUMN IF EXISTS content`.execute(db);
  await sql`ALTER TABLE recon_run DROP COLUMN IF EXISTS missing_inputs`.execute(db);
}
