import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLoadedData } from '../../src/audit/verify-data.js';
import { describeFile, nameFacts } from '../../src/ingest/load/file-meta.js';
import { IngestWorker } from '../../src/ingest/load/ingest-worker.js';
import { loadFile } from '../../src/ingest/load/load-file.js';
import { AccountResolver } from '../../src/ingest/normalise/account-resolver.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { listBreaks } from '../../src/reconcile/breaks.js';
import { collect } from '../support/collect.js';
import { captureDebugLines } from '../support/debug-lines.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { calendar, FIXTURES, ingest, profiles } from '../support/ingest.js';
import { fc } from '../support/property.js';
import { aggregatedTrades, loadTrades, type T } from '../support/synthetic-trades.js';

// A load lists, per trade number and reference, the rows whose value may repeat an earlier row's of
// the file; a run reading one file looks for repeated values among those rows only. The list must hold
// every repeat, whatever the batches, and a run must find with it what it finds without it.

/** The ids of a file's rows repeating an earlier row's value of `column`, and the ids listed for it. */
async function repeatsAndListed(t: TestDb, fileId: string, column: 'trade_no' | 'ref') {
  const c = sql.raw(column);
  const repeats = await sql<{ id: string }>`SELECT x.id::text FROM (SELECT id,
      row_number() OVER (PARTITION BY ${c} ORDER BY id) AS rn FROM trade
      WHERE file_id = ${fileId}::bigint AND ${c} IS NOT NULL) x WHERE x.rn > 1 ORDER BY x.id`.execute(
    t.store.db,
  );
  const listed = await sql<{ ids: string[] | null }>`SELECT ids::text[] AS ids FROM file_repeat_candidate
    WHERE file_id = ${fileId}::bigint AND column_name = ${column}`.execute(t.store.db);
  return { repeats: repeats.rows.map((r) => r.id), listed: listed.rows[0]?.ids ?? null };
}

describe(`possible repeats listed by the load (${dbKind})`, () => {
  let t: TestDb;
  const dir = mkdtempSync(path.join(tmpdir(), 'dcass-repeats-'));
  beforeAll(async () => {
    t = await createTestDb();
    await ingest(t.store, [{ path: path.join(FIXTURES, 'bos/ACCOUNT_MAP_CABC.csv'), source: 'bos' }]);
  });
  afterAll(async () => t.dispose());

  it('lists every row repeating an earlier one, in batches of 7 rows, with nothing but rows of the file', async () => {
    // 300 BOS trades whose numbers (some blank) and references repeat, across many batches.
    const lines = [
      'Trade Ref,Client Code,Product,Type,Expiry,Strike,Buy/Sell,Quantity,Price,Trade Date,Exec Time,Exch Trade No',
    ];
    for (let i = 0; i < 300; i++) {
      const ref = `R${(i * 7919) % 211}`;
      const tradeNo = i % 10 === 0 ? '' : String(84_000 + ((i * 31) % 173));
      lines.push(`${ref},HOUSE,HSI,F,2019-05,,BUY,${1 + (i % 5)},30100,06/05/2019,10:00:00,${tradeNo}`);
    }
    const file = path.join(dir, 'BOS_TRADES_CABC_20190506.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const profile = profiles.select(path.basename(file), 'bos');
    const reader = new IngestWorker(4);
    try {
      const loaded = await loadFile(
        {
          store: t.store,
          reader,
          calendarDays: calendar.days,
          sessions: calendar.sessions,
          accounts: await AccountResolver.load(t.store.db),
          participant: 'CABC',
          batchRows: 7,
        },
        profile,
        await describeFile(file),
        nameFacts(profile, path.basename(file)),
      );
      expect(loaded.rows).toBe(300);
      const fileRows = new Set(
        (
          await t.store.db.selectFrom('trade').select('id').where('file_id', '=', loaded.fileId).execute()
        ).map((r) => r.id),
      );
      for (const column of ['trade_no', 'ref'] as const) {
        const { repeats, listed } = await repeatsAndListed(t, loaded.fileId, column);
        expect(repeats.length).toBeGreaterThan(50);
        expect(listed).not.toBeNull();
        expect(repeats.filter((id) => !listed!.includes(id))).toEqual([]);
        expect(listed!.filter((id) => !fileRows.has(id))).toEqual([]);
      }
      // The lists are checked with the rows: a repeat taken off its list is named.
      expect((await verifyLoadedData(t.store.db)).changed).toEqual([]);
      const { repeats } = await repeatsAndListed(t, loaded.fileId, 'ref');
      await sql`UPDATE file_repeat_candidate SET ids = array_remove(ids, ${repeats[3]}::bigint)
        WHERE file_id = ${loaded.fileId}::bigint AND column_name = 'ref'`.execute(t.store.db);
      expect((await verifyLoadedData(t.store.db)).changed).toEqual([
        {
          fileId: loaded.fileId,
          fileName: 'BOS_TRADES_CABC_20190506.csv',
          problem: 'repeats',
          expected: 'ref',
          found: `1 (the first: trade ${repeats[3]})`,
        },
      ]);
    } finally {
      await reader.close();
    }
  });
});

const ruleSet = aggregatedTrades(
  ['clearingDate', 'tradeNo', 'account', 'instrument', 'side', 'price'],
  ['quantity', 'price'],
);

describe(`a run finds with the lists what it finds without them (${dbKind})`, () => {
  let t: TestDb;
  // A date per scenario (and per shrinking step), so that no scenario sees another's records.
  let day = 0;
  const nextDate = () => new Date(Date.UTC(2019, 9, 1 + day++)).toISOString().slice(0, 10);
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  /**
   * Each break's kind and its records' trade numbers and references, sorted; the run's counts; and how
   * many repeated key values each side's search found (a value held once, found repeated, would number
   * a side for nothing and, on a server, load the run again).
   */
  async function outcome(date: string) {
    const { logger, lines } = captureDebugLines();
    const run = await runReconciliation(t.store, {
      businessDate: date,
      ruleSet,
      allowNonTradingDay: true,
      logger,
    });
    const searched = lines
      .filter((l) => typeof l['step'] === 'string' && l['step'].includes('key values several records share'))
      .map((l) => `${String(l['step'])}: ${String(l['found'])}`)
      .sort();
    const rows = new Map(
      (await t.store.db.selectFrom('trade').select(['id', 'trade_no', 'ref']).execute()).map((r) => [
        r.id,
        `${r.trade_no ?? '-'}/${r.ref ?? '-'}`,
      ]),
    );
    const breaks = (await collect(listBreaks(t.store, run.runId)))
      .map((b) =>
        [b.kind, ...b.leftIds.map((id) => rows.get(id)), '|', ...b.rightIds.map((id) => rows.get(id))].join(
          ' ',
        ),
      )
      .sort();
    return { counts: run.counts['t'], breaks, searched };
  }

  const trade: fc.Arbitrary<T> = fc.record({
    tradeNo: fc.option(fc.constantFrom('1', '2', '3', '4', '5', '6'), { nil: null, freq: 6 }),
    ref: fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'),
    quantity: fc.constantFrom('1', '2'),
    price: fc.constantFrom('100', '101'),
  });

  it('the same counts and breaks, lists or none, for trades whose numbers and references repeat', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(trade, { maxLength: 12 }),
        fc.array(trade, { maxLength: 12 }),
        async (left, right) => {
          const date = nextDate();
          await loadTrades(t.store, 'dcass', date, left);
          await loadTrades(t.store, 'bos', date, right);
          // As a Bloom filter does, the lists hold some rows that repeat nothing too: every third.
          await sql`UPDATE file_repeat_candidate c SET ids = c.ids || ARRAY(SELECT t.id FROM trade t
              WHERE t.file_id = c.file_id AND t.id % 3 = 0)
            WHERE c.file_id IN (SELECT id FROM source_file WHERE business_date = ${date}::date)`.execute(
            t.store.db,
          );
          const listed = await outcome(date);
          // Without the lists (as for files loaded before them) the run groups both sides whole.
          await sql`DELETE FROM file_repeat_candidate WHERE file_id IN
          (SELECT id FROM source_file WHERE business_date = ${date}::date)`.execute(t.store.db);
          const whole = await outcome(date);
          expect(listed).toEqual(whole);
        },
      ),
      { numRuns: 12 },
    );
  });
});
