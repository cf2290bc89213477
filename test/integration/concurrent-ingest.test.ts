import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { withOverrides } from '../../src/config/calendar-file.js';
import type { Store } from '../../src/db/connect.js';
import { syncCalendar } from '../../src/ingest/load/calendar-sync.js';
import { createTestDb, dbKind, withConcurrentStores, type TestDb } from '../support/db.js';
import { calendar, fixtureRequests, ingest } from '../support/ingest.js';

/** Each calendar row's day and the transaction that last wrote it. */
async function calendarVersions(store: Store): Promise<{ day: string; xmin: string }[]> {
  const { rows } = await sql<{ day: string; xmin: string }>`
    SELECT day, xmin::text AS xmin FROM calendar WHERE market = ${calendar.market} ORDER BY day`.execute(
    store.db,
  );
  return rows;
}

describe(`the calendar table is written only when it changed (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t?.dispose());

  it('a second ingest leaves every calendar row as the first wrote it; a changed calendar is written', async () => {
    const [first, second] = fixtureRequests().filter((r) => r.source === 'dcass');
    const [a] = await ingest(t.store, [first!]);
    expect(a).toMatchObject({ status: 'loaded' });
    const before = await calendarVersions(t.store);
    expect(before.length).toBe(calendar.days.length);

    const [b] = await ingest(t.store, [second!]);
    expect(b).toMatchObject({ status: 'loaded' });
    expect(await calendarVersions(t.store)).toEqual(before);

    // A calendar that differs (a typhoon closes a trading day) is written, in one rewrite.
    const closed = calendar.days.find((d) => d.trading)!.date;
    await syncCalendar(
      t.store,
      withOverrides(calendar, [
        { date: closed, trading: false, afterHours: false, note: 'typhoon signal 8' },
      ]),
    );
    const after = await calendarVersions(t.store);
    expect(after.map((r) => r.day)).toEqual(before.map((r) => r.day));
    expect(new Set(after.map((r) => r.xmin)).size).toBe(1);
    expect(after[0]!.xmin).not.toBe(before[0]!.xmin);
    const row = await t.store.db
      .selectFrom('calendar')
      .select(['trading', 'note'])
      .where('day', '=', closed)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ trading: false, note: 'typhoon signal 8' });
  });
});

// Server only: an embedded database folder is locked by its one opener (test/integration/db.test.ts),
// so two ingests cannot run against it at the same time.
describe.skipIf(dbKind !== 'postgres')('concurrent ingests on the server', () => {
  const { db, stores } = withConcurrentStores(6);

  it('ingests of different files at the same time all succeed, each one writing or keeping the calendar', async () => {
    // The account map first, as one ingest call orders it: a BOS file loaded before it would have every
    // row rejected (unmapped client) and be refused whole.
    const all = fixtureRequests();
    const maps = all.filter((r) => path.basename(r.path).startsWith('ACCOUNT_MAP_'));
    expect(maps.length).toBe(1);
    for (const [outcome] of [await ingest(db().store, maps)]) expect(outcome!.status).toBe('loaded');
    const requests = all.filter((r) => !maps.includes(r) && (r.source === 'bos' || r.source === 'dcass'));
    expect(requests.length).toBeGreaterThanOrEqual(stores.length);
    // Every round starts from an empty calendar, so every ingest of it finds one to write: the
    // collision the lock prevents (the pair of DELETE then COPY of two ingests) needs two writers.
    for (let round = 0; round < 5; round++) {
      await db().store.db.deleteFrom('calendar').execute();
      const outcomes = await Promise.all(
        stores.map((store, i) => ingest(store, [requests[(round * stores.length + i) % requests.length]!])),
      );
      for (const [outcome] of outcomes) expect(['loaded', 'skipped']).toContain(outcome!.status);
      expect((await calendarVersions(db().store)).length).toBe(calendar.days.length);
    }
    const { n } = await db()
      .store.db.selectFrom('source_file')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(maps.length + Math.min(requests.length, 5 * stores.length));
  });
});
