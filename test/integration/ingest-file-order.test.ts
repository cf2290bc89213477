import { mkdirSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { FIXTURES, ingest } from '../support/ingest.js';

const dir = mkdtempSync(path.join(tmpdir(), 'dcass-file-order-'));
/** Writes a file below `dir` (folders made) with the modification time given. */
const write = (rel: string, content: string | Buffer, mtime: Date | string) => {
  const p = path.join(dir, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  utimesSync(p, new Date(mtime), new Date(mtime));
  return p;
};
const ACCOUNT_MAP = { path: path.join(FIXTURES, 'bos/ACCOUNT_MAP_CABC.csv'), source: 'bos' } as const;
const HEADER =
  'Trade Ref,Client Code,Product,Type,Expiry,Strike,Buy/Sell,Quantity,Price,Trade Date,Exec Time,Exch Trade No';
/** A BOS trades export of 8 May 2019 with `n` trades. */
const bos = (n: number) =>
  [
    HEADER,
    ...Array.from({ length: n }, (_, i) => `R${i},MM01,HSI,F,2019-05,,BUY,1,29350,08/05/2019,10:00:00,${i}`),
    '',
  ].join('\r\n');

describe(`which generation is current across separate ingest calls (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    const [map] = await ingest(t.store, [ACCOUNT_MAP]);
    expect(map!.status).toBe('loaded');
  });
  afterAll(async () => t.dispose());

  const lineage = (name: string) =>
    t.store.db
      .selectFrom('source_file as f')
      .leftJoin('source_file as s', 's.id', 'f.superseded_by')
      .select(['f.id', 'f.path', 'f.row_count', 's.path as superseded_by', 'f.file_mtime'])
      .where('f.file_name', '=', name)
      .orderBy('f.id')
      .execute();

  it('keeps the newer file current when an older one is loaded by a later call: loaded as superseded, said so', async () => {
    const name = 'BOS_TRADES_CABC_20190508.csv';
    const corrected = write(`inputs/${name}`, bos(3), '2019-05-08T12:00:00.001Z');
    const old = write(`inputs/archive/${name}`, bos(2), '2019-05-08T12:00:00Z');
    const [first] = await ingest(t.store, [{ path: corrected, source: 'bos' }]);
    expect(first).toMatchObject({ status: 'loaded', rows: 3, supersededBy: null, notice: null });
    const [late] = await ingest(t.store, [{ path: old, source: 'bos' }]);
    expect(late).toMatchObject({ status: 'loaded', rows: 2, supersedes: [], supersededBy: name });
    expect(late!.notice).toBe(
      `loaded as superseded: a newer generation ${corrected} (file #${first!.fileId}, modified 2019-05-08 20:00:00 +08:00) is current; this file: modified 2019-05-08 20:00:00 +08:00`,
    );
    const rows = await lineage(name);
    expect(rows.map((r) => [r.path, r.row_count, r.superseded_by])).toEqual([
      [corrected, 3, null],
      [old, 2, corrected],
    ]);
    // Kept to the microsecond, as the file system has it.
    const micros = await sql<{ us: string }>`
      SELECT (extract(epoch FROM file_mtime) * 1000000)::bigint::text AS us FROM source_file
      WHERE file_name = ${name} ORDER BY id`.execute(t.store.db);
    expect(micros.rows.map((r) => r.us)).toEqual(
      [corrected, old].map((f) => String(statSync(f, { bigint: true }).mtimeNs / 1000n)),
    );
    // And a newer one loaded after both supersedes the one in force.
    const newest = write(`inputs/newer/${name}`, bos(4), '2019-05-08T13:00:00Z');
    const [third] = await ingest(t.store, [{ path: newest, source: 'bos' }]);
    expect(third).toMatchObject({ status: 'loaded', supersedes: [name], supersededBy: null, notice: null });
    expect((await lineage(name)).map((r) => r.superseded_by)).toEqual([newest, corrected, null]);
  });

  it('refuses, naming both, a file that nothing orders against the one in force (same modification time, other bytes)', async () => {
    const name = 'BOS_TRADES_CABC_20190509.csv';
    const same = '2019-05-09T12:00:00Z';
    const a = write(`a/${name}`, bos(3).replaceAll('08/05/2019', '09/05/2019'), same);
    const b = write(`b/${name}`, bos(2).replaceAll('08/05/2019', '09/05/2019'), same);
    const [first] = await ingest(t.store, [{ path: a, source: 'bos' }]);
    expect(first!.status).toBe('loaded');
    const [second] = await ingest(t.store, [{ path: b, source: 'bos' }]);
    expect(second).toMatchObject({ status: 'refused', fileId: null });
    expect(second!.error!.code).toBe('INGEST_GENERATION_UNORDERED');
    expect(second!.error!.message).toBe(
      `${b} and ${a} (loaded as file #${first!.fileId}) are the same report, participant and business date with different contents, and nothing orders them (both modified 2019-05-09 20:00:00 +08:00): which one is current cannot be told`,
    );
    const refused = await t.store.db
      .selectFrom('refused_file')
      .select(['code', 'reason'])
      .where('path', '=', b)
      .executeTakeFirstOrThrow();
    expect(refused.code).toBe('INGEST_GENERATION_UNORDERED');
    expect(refused.reason).toContain(a);
    // The first stays in force, alone.
    expect((await lineage(name)).map((r) => [r.path, r.superseded_by])).toEqual([[a, null]]);
  });

  it('orders by the generation time the file gives before its modification time', async () => {
    const day = path.join(FIXTURES, 'dcass/20190506');
    // The day-end generation (23:10) with the older modification time, loaded first...
    const dayEnd = write(
      'dcass/TRD001_CABC_20190506_2310.xml',
      readFileSync(path.join(day, 'TRD001_CABC_20190506_2310.xml')),
      '2019-05-06T10:00:00Z',
    );
    // ...and the intraday one (13:00), touched since, loaded after it.
    const intraday = write(
      'dcass/TRD001_CABC_20190506_1300.xml',
      readFileSync(path.join(day, 'TRD001_CABC_20190506_1300.xml')),
      '2019-05-07T10:00:00Z',
    );
    const [first] = await ingest(t.store, [{ path: dayEnd, source: 'dcass' }]);
    const [second] = await ingest(t.store, [{ path: intraday, source: 'dcass' }]);
    expect(first).toMatchObject({ status: 'loaded', supersededBy: null });
    expect(second).toMatchObject({ status: 'loaded', supersededBy: 'TRD001_CABC_20190506_2310.xml' });
    expect(second!.notice).toContain('generated 2019-05-06 23:10:00 +08:00');
  });

  it('takes a file loaded before modification times were kept as the older one (the rule it was loaded under)', async () => {
    const name = 'BOS_TRADES_CABC_20190510.csv';
    const before = write(`x/${name}`, bos(3).replaceAll('08/05/2019', '10/05/2019'), '2019-05-10T13:00:00Z');
    const [first] = await ingest(t.store, [{ path: before, source: 'bos' }]);
    await sql`UPDATE source_file SET file_mtime = NULL WHERE id = ${first!.fileId!}`.execute(t.store.db);
    const after = write(`y/${name}`, bos(2).replaceAll('08/05/2019', '10/05/2019'), '2019-05-10T12:00:00Z');
    const [second] = await ingest(t.store, [{ path: after, source: 'bos' }]);
    expect(second).toMatchObject({ status: 'loaded', supersedes: [name], supersededBy: null });
  });
});
