import type { LoadedCalendar } from '../../config/calendar-file.js';
import type { Store } from '../../db/connect.js';
import { CopyBatch } from '../../db/copy.js';

/** Writes the configured calendar into the database, so SQL (break ages, reports) sees the same days. */
export async function syncCalendar(store: Store, cal: LoadedCalendar): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.db.deleteFrom('calendar').where('market', '=', cal.market).execute();
    await tx.copyRows(
      'calendar',
      ['market', 'day', 'trading', 'after_hours', 'platform', 'note'],
      CopyBatch.of(
        cal.days.map((d) => [
          cal.market,
          d.date,
          d.trading ? 't' : 'f',
          d.afterHours ? 't' : 'f',
          d.platform,
          d.note,
        ]),
      ),
    );
  });
}
