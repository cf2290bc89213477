import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { FIXTURES, ingest } from '../support/ingest.js';

const dir = mkdtempSync(path.join(tmpdir(), 'dcass-lineage-'));
const DAY = path.join(FIXTURES, 'dcass/20190506');

describe(`idempotent loads and superseding generations (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  const current = () =>
    t.store.db
      .selectFrom('source_file')
      .select(['file_name', 'superseded_by'])
      .where('report_id', '=', 'TRD001')
      .where('source', '=', 'dcass')
      .where('business_date', '=', '2019-05-06')
      .orderBy('id')
      .execute();

  it('loads the same bytes once, under any name', async () => {
    const first = await ingest(t.store, [
      { path: path.join(DAY, 'TRD001_CABC_20190506_1300.xml'), source: 'dcass' },
    ]);
    expect(first[0]).toMatchObject({ status: 'loaded', rows: 12 });
    const copy = path.join(dir, 'TRD001_CABC_20190506_1300.xml');
    copyFileSync(path.join(DAY, 'TRD001_CABC_20190506_1300.xml'), copy);
    const again = await ingest(t.store, [
      { path: path.join(DAY, 'TRD001_CABC_20190506_1300.xml'), source: 'dcass' },
      { path: copy, source: 'dcass' },
    ]);
    expect(again.map((o) => [o.status, o.fileId])).toEqual([
      ['skipped', first[0]!.fileId],
      ['skipped', first[0]!.fileId],
    ]);
    const trades = await t.store.db
      .selectFrom('trade')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(trades.n)).toBe(12);
    // The load left the planner statistics of what it filled (a table never analysed has -1).
    const { rows } = await sql<{
      relname: string;
      reltuples: number;
    }>`SELECT relname, reltuples::float8 AS reltuples
      FROM pg_class WHERE relname IN ('trade', 'position') ORDER BY relname`.execute(t.store.db);
    expect(rows.map((r) => [r.relname, Number(r.reltuples)])).toEqual([
      ['position', -1],
      ['trade', 12],
    ]);
  });

  it("the file and date BRIN indexes leave a load's ranges to the runs, not to autovacuum requests", async () => {
    // With autosummarize, each range a load fills was a request to autovacuum, whose few hundred
    // places a load of a million trades overflowed: a LOG entry in the server's log per range.
    const { rows } = await sql<{ relname: string; options: string[] | null }>`SELECT relname,
        reloptions AS options FROM pg_class
      WHERE relname IN ('trade_file_date_brin', 'position_file_date_brin') ORDER BY relname`.execute(
      t.store.db,
    );
    expect(rows).toEqual([
      { relname: 'position_file_date_brin', options: ['autosummarize=off'] },
      { relname: 'trade_file_date_brin', options: ['autosummarize=off'] },
    ]);
  });

  it('a later generation supersedes the earlier one; both stay queryable', async () => {
    const [later] = await ingest(t.store, [
      { path: path.join(DAY, 'TRD001_CABC_20190506_2310.xml'), source: 'dcass' },
    ]);
    expect(later).toMatchObject({
      status: 'loaded',
      supersedes: ['TRD001_CABC_20190506_1300.xml'],
      supersededBy: null,
    });
    const files = await current();
    const ids = await t.store.db
      .selectFrom('source_file')
      .select(['id', 'file_name'])
      .orderBy('id')
      .execute();
    const idOf = (name: string) => ids.find((r) => r.file_name === name)!.id;
    expect(files).toEqual([
      { file_name: 'TRD001_CABC_20190506_1300.xml', superseded_by: idOf('TRD001_CABC_20190506_2310.xml') },
      { file_name: 'TRD001_CABC_20190506_2310.xml', superseded_by: null },
    ]);
    const byFile = await t.store.db
      .selectFrom('trade as t')
      .innerJoin('source_file as f', 'f.id', 't.file_id')
      .select(['f.file_name', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('f.file_name')
      .orderBy('f.file_name')
      .execute();
    expect(byFile.map((r) => [r.file_name, Number(r.n)])).toEqual([
      ['TRD001_CABC_20190506_1300.xml', 12],
      ['TRD001_CABC_20190506_2310.xml', 19],
    ]);
  });

  it('an older generation loaded late is superseded at once by the one in force', async () => {
    const xml = readFileSync(path.join(DAY, 'TRD001_CABC_20190506_1300.xml'), 'utf8').replace(
      '2019-05-06T13:00:00+08:00',
      '2019-05-06T15:00:00+08:00',
    );
    const p = path.join(dir, 'TRD001_CABC_20190506_1500.xml');
    writeFileSync(p, xml);
    const [late] = await ingest(t.store, [{ path: p, source: 'dcass' }]);
    expect(late).toMatchObject({
      status: 'loaded',
      supersedes: [],
      supersededBy: 'TRD001_CABC_20190506_2310.xml',
    });
    const inForce = (await current()).filter((f) => f.superseded_by === null).map((f) => f.file_name);
    expect(inForce).toEqual(['TRD001_CABC_20190506_2310.xml']);
  });
});
