import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// A fallback as a calendar change: HKEX may fall back to Genium INET during the stabilisation period,
// and from the fallback date on every business date is a Genium date again. It is recorded like a
// closure (one appended row of calendar_change, audited) with action 'fallback' on the first Genium
// date again; the row's trading and after_hours are the date's state when it was recorded, which the
// fallback leaves as it is.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE calendar_change DROP CONSTRAINT calendar_change_action_check`.execute(db);
  await sql`ALTER TABLE calendar_change ADD CONSTRAINT calendar_change_action_check
    CHECK (action IN ('close', 'open', 'half-day', 'fallback'))`.execute(db);
}

// Going down while a fallback is recorded fails on the restored check: the row cannot be rewritten.
export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE calendar_change DROP CONSTRAINT calendar_change_action_check`.execute(db);
  await sql`ALTER TABLE calendar_change ADD CONSTRAINT calendar_change_action_check
    CHECK (action IN ('close', 'open', 'half-day'))`.execute(db);
}
