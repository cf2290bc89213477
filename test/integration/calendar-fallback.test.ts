import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeCalendar, type CalendarChangeRequest } from '../../src/calendar/change-calendar.js';
import { changesInForce } from '../../src/calendar/changes.js';
import { effectiveCalendar, syncCalendar } from '../../src/ingest/load/calendar-sync.js';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { calendar, profiles } from '../support/ingest.js';

describe(`a fallback to Genium INET as a calendar change on ${dbKind}`, () => {
  let t: TestDb;
  const ruleSet = loadBuiltinRuleSet();
  const change = (r: Omit<CalendarChangeRequest, 'actor'>) =>
    changeCalendar({ store: t.store, calendar, profiles, ruleSet }, { actor: 'alice', ...r });
  const platforms = async (from: string, to: string) =>
    (
      await sql<{ day: string; platform: string | null }>`
        SELECT to_char(day, 'YYYY-MM-DD') AS day, platform FROM calendar
        WHERE market = 'HK' AND day BETWEEN ${from}::date AND ${to}::date ORDER BY day`.execute(t.store.db)
    ).rows.map((r) => `${r.day} ${r.platform ?? '-'}`);

  beforeAll(async () => {
    t = await createTestDb();
    await syncCalendar(t.store, calendar);
  });
  afterAll(async () => t.dispose());

  it('puts the date and every later one on Genium INET, names the upgraded days to enter again, and is audited', async () => {
    // 13 May 2019 is the Birthday of the Buddha (observed): the upgraded trading days are 6-10 May.
    const outcome = await change({
      action: 'fallback',
      date: '2019-05-14',
      reason: 'HKEX: fallback from T session 14 May',
    });
    expect(outcome.fallback).toEqual({
      from: '2019-05-14',
      to: '2019-12-31',
      upgradedDays: ['2019-05-06', '2019-05-07', '2019-05-08', '2019-05-09', '2019-05-10'],
    });
    expect(outcome.files).toEqual([]);
    // The date trades as before; only its platform changed.
    expect(outcome.before).toMatchObject({ trading: true, afterHours: true, platform: 'upgraded' });
    expect(outcome.after).toMatchObject({ trading: true, afterHours: true, platform: 'genium' });
    expect(await platforms('2019-05-03', '2019-05-15')).toEqual([
      '2019-05-03 genium',
      '2019-05-04 -',
      '2019-05-05 -',
      '2019-05-06 upgraded',
      '2019-05-07 upgraded',
      '2019-05-08 upgraded',
      '2019-05-09 upgraded',
      '2019-05-10 upgraded',
      '2019-05-11 upgraded',
      '2019-05-12 upgraded',
      '2019-05-13 upgraded',
      '2019-05-14 genium',
      '2019-05-15 genium',
    ]);
    expect(await platforms('2019-12-31', '2019-12-31')).toEqual(['2019-12-31 genium']);
    const effective = await effectiveCalendar(t.store, calendar);
    expect(effective.calendar.day('2019-05-14')).toMatchObject({
      ok: true,
      value: {
        platform: 'genium',
        trading: true,
        note: expect.stringContaining('fallback to Genium INET from this date by calendar change'),
      },
    });
    const audit = await sql<{ actor: string; action: string; subject: string; body: string }>`
      SELECT actor, action, subject, body FROM audit_event WHERE action LIKE 'calendar.%' ORDER BY id`.execute(
      t.store.db,
    );
    expect(audit.rows.map((r) => [r.actor, r.action, r.subject])).toEqual([
      ['alice', 'calendar.fallback', 'calendar:HK:2019-05-14'],
    ]);
    expect(audit.rows[0]!.body).toContain(
      '"upgradedDays":["2019-05-06","2019-05-07","2019-05-08","2019-05-09","2019-05-10"]',
    );
  });

  it('refuses a fallback on a Genium INET date, between the platforms, after a fallback, and without a reason', async () => {
    await expect(change({ action: 'fallback', date: '2019-05-03', reason: 'x' })).rejects.toThrow(
      '2019-05-03 is already a Genium INET date: nothing to fall back',
    );
    await expect(change({ action: 'fallback', date: '2019-05-04', reason: 'x' })).rejects.toThrow(
      '2019-05-04 is between the last Genium INET date and the first upgraded date',
    );
    await expect(change({ action: 'fallback', date: '2019-05-20', reason: 'x' })).rejects.toThrow(
      '2019-05-20 is already a Genium INET date',
    );
    await expect(change({ action: 'fallback', date: '2019-05-09', reason: ' ' })).rejects.toThrow(
      'a calendar change needs a reason',
    );
  });

  it('a closure of the fallback date keeps the fallback in force, and an earlier fallback moves its start', async () => {
    await change({ action: 'close', date: '2019-05-14', reason: 'typhoon signal 8' });
    const inForce = await changesInForce(t.store.db, 'HK');
    expect(inForce.map((c) => [c.date, c.action])).toEqual([
      ['2019-05-14', 'close'],
      ['2019-05-14', 'fallback'],
    ]);
    const effective = await effectiveCalendar(t.store, calendar);
    expect(effective.calendar.day('2019-05-14')).toMatchObject({
      value: { platform: 'genium', trading: false },
    });
    const earlier = await change({
      action: 'fallback',
      date: '2019-05-09',
      reason: 'fallback brought forward',
    });
    expect(earlier.fallback?.upgradedDays).toEqual(['2019-05-06', '2019-05-07', '2019-05-08']);
    expect(await platforms('2019-05-08', '2019-05-10')).toEqual([
      '2019-05-08 upgraded',
      '2019-05-09 genium',
      '2019-05-10 genium',
    ]);
  });
});
