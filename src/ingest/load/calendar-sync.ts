import { changesInForce, toOverride } from '../../calendar/changes.js';
import { withOverrides, type LoadedCalendar } from '../../config/calendar-file.js';
import type { Store, StoreTransaction } from '../../db/connect.js';
import { CopyBatch } from '../../db/copy.js';

/**
 * Writes the configured calendar into the database, so SQL (break ages, reports, the trading-day
 * check of a run) sees the same days, with the calendar changes in force on top: rewriting the file's
 * days must not undo a closure declared in the database. Returns that effective calendar, the one
 * clearing dates must be derived with.
 */
export async function syncCalendar(store: Store, cal: LoadedCalendar): Promise<LoadedCalendar> {
  return store.transaction((tx) => writeCalendar(tx, cal));
}

/** syncCalendar inside the caller's transaction. */
export async function writeCalendar(tx: StoreTransaction, cal: LoadedCalendar): Promise<LoadedCalendar> {
  const effective = withOverrides(cal, (await changesInForce(tx.db, cal.market)).map(toOverride));
  await tx.db.deleteFrom('calendar').where('market', '=', cal.market).execute();
  await tx.copyRows(
    'calendar',
    ['market', 'day', 'trading', 'after_hours', 'platform', 'note'],
    CopyBatch.of(
      effective.days.map((d) => [
        cal.market,
        d.date,
        d.trading ? 't' : 'f',
        d.afterHours ? 't' : 'f',
        d.platform,
        d.note,
      ]),
    ),
  );
  return effective;
}

/** The calendar file with the changes in force applied, without writing anything. */
export async function effectiveCalendar(store: Store, cal: LoadedCalendar): Promise<LoadedCalendar> {
  return withOverrides(cal, (await changesInForce(store.db, cal.market)).map(toOverride));
}
