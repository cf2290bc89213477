import { sql } from 'kysely';
import { changesInForce, toOverride } from '../../calendar/changes.js';
import { withOverrides, type LoadedCalendar } from '../../config/calendar-file.js';
import type { Store, StoreTransaction } from '../../db/connect.js';
import { CopyBatch } from '../../db/copy.js';
import type { CalendarDay } from '../../model/calendar.js';

/**
 * Key of the transaction-scoped advisory lock that serialises writers of the calendar table
 * ('cldr', 1). The two-key form keeps it apart from the one-key locks (run and register locks,
 * hashtext of report and calendar-change keys); the only other two-key lock is the audit chain's
 * ('audt', 1).
 */
const CALENDAR_LOCK = [0x636c6472, 1] as const;

/**
 * Writes the configured calendar into the database, so SQL (break ages, reports, the trading-day
 * check of a run) sees the same days, with the calendar changes in force on top: rewriting the file's
 * days must not undo a closure declared in the database. Returns that effective calendar, the one
 * clearing dates must be derived with.
 */
export async function syncCalendar(store: Store, cal: LoadedCalendar): Promise<LoadedCalendar> {
  return store.transaction((tx) => writeCalendar(tx, cal));
}

/**
 * syncCalendar inside the caller's transaction. Every ingest calls it, often at the same time as
 * another: under the lock, the second writer waits for the first to commit and then reads what it
 * wrote (it would otherwise delete the rows it could see and copy in rows the first had just
 * inserted: a duplicate key). The table is rewritten only when it differs, so an ingest that changes
 * nothing writes nothing and concurrent ingests hold the lock only for a comparison.
 */
export async function writeCalendar(tx: StoreTransaction, cal: LoadedCalendar): Promise<LoadedCalendar> {
  await sql`SELECT pg_advisory_xact_lock(${sql.lit(CALENDAR_LOCK[0])}, ${sql.lit(CALENDAR_LOCK[1])})`.execute(
    tx.db,
  );
  const effective = withOverrides(cal, (await changesInForce(tx.db, cal.market)).map(toOverride));
  const rows = effective.days.map((d) => calendarRow(cal.market, d));
  if (await storedCalendarIs(tx, cal.market, rows)) return effective;
  await tx.db.deleteFrom('calendar').where('market', '=', cal.market).execute();
  await tx.copyRows(
    'calendar',
    ['market', 'day', 'trading', 'after_hours', 'platform', 'note'],
    CopyBatch.of(rows),
  );
  return effective;
}

/** A calendar day as the COPY row of the calendar table. */
function calendarRow(market: string, d: CalendarDay): (string | null)[] {
  return [market, d.date, d.trading ? 't' : 'f', d.afterHours ? 't' : 'f', d.platform, d.note];
}

/** True when the table holds exactly these rows for the market (a few hundred days a year: cheap). */
async function storedCalendarIs(
  tx: StoreTransaction,
  market: string,
  rows: readonly (string | null)[][],
): Promise<boolean> {
  const stored = await tx.db
    .selectFrom('calendar')
    .select(['market', 'day', 'trading', 'after_hours', 'platform', 'note'])
    .where('market', '=', market)
    .orderBy('day')
    .execute();
  if (stored.length !== rows.length) return false;
  const wanted = [...rows].sort((a, b) => (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0));
  return stored.every((s, i) => {
    const w = wanted[i]!;
    const have = [s.market, s.day, s.trading ? 't' : 'f', s.after_hours ? 't' : 'f', s.platform, s.note];
    return have.every((v, j) => v === w[j]);
  });
}

/** The calendar file with the changes in force applied, without writing anything. */
export async function effectiveCalendar(store: Store, cal: LoadedCalendar): Promise<LoadedCalendar> {
  return withOverrides(cal, (await changesInForce(store.db, cal.market)).map(toOverride));
}
