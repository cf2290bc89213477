import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// Clearing houses (issue 18): a run may be scoped to one clearing house (HKCC or SEOCH), read from
// the product table of the configuration at run time. The house of a record is derived when it is
// read, never stored; the run keeps which house it covered, so its reports and a confirmation built
// on it say so. Null: every house (every run before this migration).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE recon_run ADD COLUMN house text CHECK (house IN ('HKCC', 'SEOCH'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE recon_run DROP COLUMN house`.execute(db);
}
