import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLoadedData } from '../../src/audit/verify-data.js';
import { changeCalendar, type CalendarChangeRequest } from '../../src/calendar/change-calendar.js';
import { effectiveCalendar } from '../../src/ingest/load/calendar-sync.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { FIXTURES, calendar, ingest, profiles } from '../support/ingest.js';

const HEADER =
  'Trade Ref,Client Code,Product,Type,Expiry,Strike,Buy/Sell,Quantity,Price,Trade Date,Exec Time,Exch Trade No';

/** A BOS trades export of 9 May 2019: one day-session trade and three of the T+1 session that clear on 10 May. */
const BOS_0509 = [
  'BT190509-0001,MM01,HSI,F,2019-05,,BUY,2,"28,600.00",09/05/2019,10:15:00,1000901',
  'BT190509-0002,HOUSE,HSI,F,2019-05,,SELL,1,"28,610.00",09/05/2019,17:30:00,1000902',
  'BT190509-0003,MM01,HSI,F,2019-05,,BUY,3,"28,620.00",09/05/2019,21:45:10,1000903',
  'BT190510-0000,C1003,HSI,F,2019-05,,SELL,1,"28,605.00",10/05/2019,00:40:00,1000904',
];

const writeBos = (dir: string, name: string, lines: readonly string[]) => {
  const file = path.join(dir, name);
  writeFileSync(file, [HEADER, ...lines].map((l) => `${l}\r\n`).join(''));
  return file;
};

interface FileRow {
  id: string;
  business_date: string;
  superseded_by: string | null;
  derived_from: string | null;
  calendar_change_id: string | null;
  row_count: number;
  reject_count: number;
}

describe(`calendar changes on ${dbKind}`, () => {
  let t: TestDb;
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-calendar-'));
  const ruleSet = loadBuiltinRuleSet();
  const change = (r: Omit<CalendarChangeRequest, 'actor'> & { actor?: string }) =>
    changeCalendar({ store: t.store, calendar, profiles, ruleSet }, { actor: 'alice', ...r });

  const files = async (businessDate: string) =>
    (
      await sql<FileRow>`
        SELECT id, to_char(business_date, 'YYYY-MM-DD') AS business_date, superseded_by, derived_from,
               calendar_change_id, row_count, reject_count
        FROM source_file WHERE business_date = ${businessDate}::date AND entity = 'trades' ORDER BY id`.execute(
        t.store.db,
      )
    ).rows;
  const clearing = async (fileId: string) =>
    (
      await sql<{ ref: string; clearing_date: string }>`
        SELECT ref, to_char(clearing_date, 'YYYY-MM-DD') AS clearing_date FROM trade
        WHERE file_id = ${fileId} ORDER BY line_no`.execute(t.store.db)
    ).rows.map((r) => `${r.ref} ${r.clearing_date}`);
  const trading = async (day: string) =>
    (
      await sql<{ trading: boolean; after_hours: boolean }>`
        SELECT trading, after_hours FROM calendar WHERE market = 'HK' AND day = ${day}::date`.execute(
        t.store.db,
      )
    ).rows[0];

  beforeAll(async () => {
    t = await createTestDb();
    const loaded = await ingest(t.store, [
      { path: path.join(FIXTURES, 'bos/ACCOUNT_MAP_CABC.csv'), source: 'bos' },
      { path: writeBos(work, 'BOS_TRADES_CABC_20190509.csv', BOS_0509), source: 'bos' },
      { path: path.join(FIXTURES, 'bos/BOS_TRADES_CABC_20190510.csv'), source: 'bos' },
    ]);
    expect(loaded.map((o) => [o.status, o.rows, o.rejected])).toEqual([
      ['loaded', 6, 0],
      ['loaded', 4, 0],
      ['loaded', 20, 0],
    ]);
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('a typhoon close of 10 May moves the 9 May evening trades to 14 May in a new generation', async () => {
    const [loaded0509] = await files('2019-05-09');
    expect(await clearing(loaded0509!.id)).toEqual([
      'BT190509-0001 2019-05-09',
      'BT190509-0002 2019-05-10',
      'BT190509-0003 2019-05-10',
      'BT190510-0000 2019-05-10',
    ]);

    const o = await change({ action: 'close', date: '2019-05-10', reason: 'typhoon signal 8 hoisted 06:10' });

    expect(o.before).toMatchObject({ trading: true, afterHours: true });
    expect(o.after).toMatchObject({ trading: false, afterHours: false });
    expect(o.files.map((f) => [f.fileName, f.rows, f.rejected, f.moves])).toEqual([
      [
        'BOS_TRADES_CABC_20190509.csv',
        4,
        0,
        [{ from: '2019-05-10', to: '2019-05-14', code: null, trades: 3 }],
      ],
      [
        'BOS_TRADES_CABC_20190510.csv',
        0,
        20,
        [
          { from: '2019-05-10', to: null, code: 'NOT_A_TRADING_DAY', trades: 18 },
          { from: '2019-05-14', to: null, code: 'NOT_A_TRADING_DAY', trades: 2 },
        ],
      ],
    ]);
    expect(o.runAgain).toEqual(['2019-05-14']);
    expect(o.noLongerTrading).toEqual(['2019-05-10']);
    expect(o.reconciliations).toEqual(['trades-bos']);

    // The loaded generation is kept, superseded by the derived one; its rows are untouched.
    const [old, derived] = await files('2019-05-09');
    expect(old).toMatchObject({ id: loaded0509!.id, superseded_by: derived!.id, derived_from: null });
    expect(derived).toMatchObject({
      superseded_by: null,
      derived_from: old!.id,
      calendar_change_id: o.change.id,
      row_count: 4,
      reject_count: 0,
    });
    expect(await clearing(old!.id)).toEqual([
      'BT190509-0001 2019-05-09',
      'BT190509-0002 2019-05-10',
      'BT190509-0003 2019-05-10',
      'BT190510-0000 2019-05-10',
    ]);
    expect(await clearing(derived!.id)).toEqual([
      'BT190509-0001 2019-05-09',
      'BT190509-0002 2019-05-14',
      'BT190509-0003 2019-05-14',
      'BT190510-0000 2019-05-14',
    ]);
  });

  it('flags the trades executed on the closed day as rejected rows of the derived generation', async () => {
    const [, derived] = await files('2019-05-10');
    expect(derived).toMatchObject({ row_count: 0, reject_count: 20 });
    const rejects = await sql<{ line_no: number; code: string; reason: string; raw: string }>`
      SELECT line_no, code, reason, raw FROM rejected_row WHERE file_id = ${derived!.id} ORDER BY line_no`.execute(
      t.store.db,
    );
    expect(rejects.rows).toHaveLength(20);
    expect(rejects.rows[0]).toMatchObject({ line_no: 2, code: 'NOT_A_TRADING_DAY' });
    expect(rejects.rows[0]!.reason).toBe(
      '2019-05-10 is not a trading day (closed by calendar change 1: typhoon signal 8 hoisted 06:10); ' +
        'no clearing date since calendar change 1 (executed 2019-05-10 09:15:11)',
    );
    expect(JSON.parse(rejects.rows[0]!.raw)).toMatchObject({
      ref: 'BT190510-0001',
      clearing_date: '2019-05-10',
    });
  });

  it('records the change in the calendar table, the append-only change table and the audit trail', async () => {
    expect(await trading('2019-05-10')).toEqual({ trading: false, after_hours: false });
    const audit = await sql<{ actor: string; action: string; subject: string; body: string }>`
      SELECT actor, action, subject, body FROM audit_event WHERE action LIKE 'calendar.%' ORDER BY id`.execute(
      t.store.db,
    );
    expect(audit.rows.map((r) => [r.actor, r.action, r.subject])).toEqual([
      ['alice', 'calendar.close', 'calendar:HK:2019-05-10'],
    ]);
    expect(audit.rows[0]!.body).toContain('"runAgain":["2019-05-14"]');
    // The derived generations carry a data digest as loaded files do: audit verify --data checks them.
    expect(await verifyLoadedData(t.store.db)).toMatchObject({ intact: true, unchecked: 0 });
    for (const statement of [
      sql`UPDATE calendar_change SET reason = 'nothing happened'`,
      sql`DELETE FROM calendar_change`,
    ]) {
      await expect(statement.execute(t.store.db)).rejects.toThrow(/calendar_change is append-only/);
    }
    // TRUNCATE is refused too (by the foreign key of the derived generations, else by the trigger).
    await expect(sql`TRUNCATE calendar_change`.execute(t.store.db)).rejects.toThrow();
    const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM calendar_change`.execute(t.store.db);
    expect(left.rows[0]!.n).toBe(1);
  });

  it('refuses a change that changes nothing, a date outside the calendar and an empty reason', async () => {
    await expect(change({ action: 'close', date: '2019-05-13', reason: 'again' })).rejects.toThrow(
      '2019-05-13 is already closed (not a trading day): nothing to change',
    );
    await expect(change({ action: 'close', date: '2020-01-02', reason: 'x' })).rejects.toMatchObject({
      code: 'CALENDAR_MISSING_DATE',
    });
    await expect(change({ action: 'half-day', date: '2019-05-09', reason: '  ' })).rejects.toThrow(
      'a calendar change needs a reason',
    );
  });

  it('a later ingest keeps the change: the calendar table and the clearing dates of new files', async () => {
    // A corrected 9 May export (one more evening trade), loaded after the close.
    const corrected = writeBos(work, 'BOS_TRADES_CABC_20190509.csv', [
      ...BOS_0509,
      'BT190509-0004,HOUSE,HSI,F,2019-05,,BUY,1,"28,630.00",09/05/2019,22:05:00,1000905',
    ]);
    const [outcome] = await ingestFiles(
      { store: t.store, profiles, calendar: await effectiveCalendar(t.store, calendar), participant: 'CABC' },
      [{ path: corrected, source: 'bos' }],
    );
    expect(outcome).toMatchObject({ status: 'loaded', rows: 5, rejected: 0 });
    expect(await trading('2019-05-10')).toEqual({ trading: false, after_hours: false });
    const current = (await files('2019-05-09')).filter((f) => f.superseded_by === null);
    expect(current.map((f) => f.id)).toEqual([outcome!.fileId]);
    expect(await clearing(outcome!.fileId!)).toEqual([
      'BT190509-0001 2019-05-09',
      'BT190509-0002 2019-05-14',
      'BT190509-0003 2019-05-14',
      'BT190510-0000 2019-05-14',
      'BT190509-0004 2019-05-14',
    ]);
  });

  it('calendar open restores 10 May: the trades clear on 10 May again, both dates to run again', async () => {
    const o = await change({
      action: 'open',
      date: '2019-05-10',
      reason: 'signal 8 lowered 07:40',
      actor: 'bob',
    });
    expect(o.after).toMatchObject({ trading: true, afterHours: true });
    expect(o.files.map((f) => [f.fileName, f.rows, f.rejected, f.moves])).toEqual([
      [
        'BOS_TRADES_CABC_20190510.csv',
        20,
        0,
        [
          { from: null, to: '2019-05-10', code: null, trades: 18 },
          { from: null, to: '2019-05-14', code: null, trades: 2 },
        ],
      ],
      [
        'BOS_TRADES_CABC_20190509.csv',
        5,
        0,
        [{ from: '2019-05-14', to: '2019-05-10', code: null, trades: 4 }],
      ],
    ]);
    expect(o.runAgain).toEqual(['2019-05-10', '2019-05-14']);
    expect(o.noLongerTrading).toEqual([]);
    expect(await trading('2019-05-10')).toEqual({ trading: true, after_hours: true });
    const current = (await files('2019-05-09')).filter((f) => f.superseded_by === null);
    expect(await clearing(current[0]!.id)).toEqual([
      'BT190509-0001 2019-05-09',
      'BT190509-0002 2019-05-10',
      'BT190509-0003 2019-05-10',
      'BT190510-0000 2019-05-10',
      'BT190509-0004 2019-05-10',
    ]);
    // Every generation is kept: loaded, derived by the close, corrected file, derived by the open.
    expect(
      (await files('2019-05-09')).map((f) => [f.derived_from !== null, f.superseded_by !== null]),
    ).toEqual([
      [false, true],
      [true, true],
      [false, true],
      [true, false],
    ]);
  });

  it('a half day rejects the trades of the cancelled evening session', async () => {
    const o = await change({
      action: 'half-day',
      date: '2019-05-09',
      reason: 'black rainstorm: T+1 session cancelled',
    });
    expect(o.after).toMatchObject({ trading: true, afterHours: false });
    expect(o.files.map((f) => [f.fileName, f.moves])).toEqual([
      [
        'BOS_TRADES_CABC_20190509.csv',
        [{ from: '2019-05-10', to: null, code: 'NO_AFTER_HOURS_SESSION', trades: 4 }],
      ],
    ]);
    expect(o.runAgain).toEqual(['2019-05-10']);
    expect(await trading('2019-05-09')).toEqual({ trading: true, after_hours: false });
  });
});
