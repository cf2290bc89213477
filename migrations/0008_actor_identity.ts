import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// The operating-system user and host that ran the command, beside the declared actor of each event.
// - break_event: filled by the column defaults from the session settings dcass.os_user and
//   dcass.os_host, which the product sets on every connection it opens, so every insert path (a
//   person's action, a run's carry step) records them without passing them. NULL when written by a
//   connection that did not set them, and for events recorded before this migration.
// - audit_event: written by the appender alone, which also puts the same values into the hashed
//   body (details._os), and `audit verify` checks that the columns agree with it. No default here: a
//   value the body does not hold would break the chain.

export async function up(db: Kysely<any>): Promise<void> {
  // Added first and given their defaults after: a default given with ADD COLUMN would be evaluated
  // once and stamp every earlier event with the identity of whoever migrated.
  await sql`ALTER TABLE break_event ADD COLUMN os_user text, ADD COLUMN os_host text`.execute(db);
  await sql`
    ALTER TABLE break_event
      ALTER COLUMN os_user SET DEFAULT nullif(current_setting('dcass.os_user', true), ''),
      ALTER COLUMN os_host SET DEFAULT nullif(current_setting('dcass.os_host', true), '')`.execute(db);
  await sql`ALTER TABLE audit_event ADD COLUMN os_user text, ADD COLUMN os_host text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE audit_event DROP COLUMN IF EXISTS os_host, DROP COLUMN IF EXISTS os_user`.execute(db);
  await sql`ALTER TABLE break_event DROP COLUMN IF EXISTS os_host, DROP COLUMN IF EXISTS os_user`.execute(db);
}
