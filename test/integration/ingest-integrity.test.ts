import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDb } from '../../src/audit/audit-event.table.js';
import { ingestFiles, type IngestRequest } from '../../src/ingest/ingest.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { calendar, FIXTURES, ingest, profiles } from '../support/ingest.js';

const dir = mkdtempSync(path.join(tmpdir(), 'dcass-integrity-'));
const write = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const ACCOUNT_MAP = { path: path.join(FIXTURES, 'bos/ACCOUNT_MAP_CABC.csv'), source: 'bos' } as const;
const GENIUM_POS = {
  path: path.join(FIXTURES, 'genium/POS001_CABC_20190503.lis'),
  source: 'genium',
} as const;
const HEADER =
  'Trade Ref,Client Code,Product,Type,Expiry,Strike,Buy/Sell,Quantity,Price,Trade Date,Exec Time,Exch Trade No';
const row = (i: number, side: 'BUY' | 'SELL') =>
  `R${i},MM01,HSI,F,2019-05,,${side},1,29350,08/05/2019,10:00:00,${i}`;
/** A BOS trades export of `n` rows, all of one side. */
const bosTrades = (n: number, side: 'BUY' | 'SELL') =>
  Buffer.from([HEADER, ...Array.from({ length: n }, (_, i) => row(i + 1, side)), ''].join('\r\n'));
/** The reader's chunk: a file rewritten after it has been read is read on from here. */
const CHUNK = 256 * 1024;

describe(`integrity of what is loaded (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    const [map] = await ingest(t.store, [ACCOUNT_MAP]);
    expect(map!.status).toBe('loaded');
  });
  afterAll(async () => t.dispose());

  /** Ingests with a hook called as the named file is read (after each chunk: the bytes read so far). */
  const ingestWatching = (requests: IngestRequest[], file: string, onRead: (bytesRead: number) => void) =>
    ingestFiles(
      {
        store: t.store,
        profiles,
        calendar,
        participant: 'CABC',
        onProgress: (f, n) => {
          if (f === file) onRead(n);
        },
      },
      requests,
    );
  const count = async (table: 'trade' | 'source_file' | 'refused_file', fileName?: string) => {
    let q = t.store.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n'));
    if (fileName !== undefined && table !== 'trade') q = q.where('file_name', '=', fileName);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  const tradesOf = async (fileId: string) =>
    t.store.db
      .selectFrom('trade')
      .select(['side', (eb) => eb.fn.countAll<string>().as('n')])
      .where('file_id', '=', fileId)
      .groupBy('side')
      .execute();

  it('refuses a file rewritten while it is read (nothing loaded), and loads the real file afterwards', async () => {
    const name = 'BOS_TRADES_CABC_20190508.csv';
    const a = bosTrades(6000, 'BUY');
    const b = bosTrades(6000, 'SELL');
    expect(a.length).toBeGreaterThan(CHUNK);
    const p = write(name, a);
    const tradesBefore = await count('trade');
    let rewritten = false;
    const [out] = await ingestWatching([{ path: p, source: 'bos' }], name, () => {
      if (rewritten) return;
      rewritten = true;
      // Rewritten in place, as an exporter overwriting its output does: the reader reads B from here on.
      writeFileSync(p, b);
    });
    expect(rewritten).toBe(true);
    const mixed = Buffer.concat([a.subarray(0, CHUNK), b.subarray(CHUNK)]);
    expect(out).toMatchObject({ status: 'refused', fileId: null, rows: 0, sha256: sha256(a) });
    expect(out!.error).toEqual({
      code: 'INGEST_FILE_CHANGED',
      message: `${name}: the file changed while it was being read (sha256 before ${sha256(a)}, while read ${sha256(mixed)}; size before ${a.length} bytes, while read ${mixed.length})`,
      hint: 'ingest it again once it is complete; nothing of it was loaded',
    });
    expect(await count('trade')).toBe(tradesBefore);
    expect(await count('source_file', name)).toBe(0);
    const refusal = await t.store.db
      .selectFrom('refused_file')
      .select(['code', 'reason', 'sha256'])
      .where('file_name', '=', name)
      .executeTakeFirstOrThrow();
    expect(refusal).toEqual({
      code: 'INGEST_FILE_CHANGED',
      reason: `${out!.error!.message} (${out!.error!.hint})`,
      sha256: sha256(a),
    });
    const events = await auditDb(t.store.db)
      .selectFrom('audit_event')
      .select(['action', 'body'])
      .where('subject', '=', `file:${name}`)
      .execute();
    expect(events.map((e) => e.action)).toEqual(['ingest.refused']);
    expect(events[0]!.body).toContain('the file changed while it was being read');

    // The real file, complete: loaded under its own hash, not "already loaded".
    writeFileSync(p, a);
    const [again] = await ingest(t.store, [{ path: p, source: 'bos' }]);
    expect(again).toMatchObject({ status: 'loaded', rows: 6000, rejected: 0, sha256: sha256(a) });
    expect(await tradesOf(again!.fileId!)).toEqual([{ side: 'B', n: '6000' }]);
  });

  it('loads the bytes it opened when the file is replaced by a rename mid-read, under their own hash', async () => {
    const name = 'BOS_TRADES_CABC_20190509.csv';
    const a = bosTrades(5000, 'BUY');
    const b = bosTrades(5000, 'SELL');
    const p = write(name, a);
    const next = write('next.tmp', b);
    // Written a moment after the first: a modification time of its own orders it as the newer.
    const newer = new Date(statSync(p).mtimeMs + 60_000);
    utimesSync(next, newer, newer);
    let replaced = false;
    const [out] = await ingestWatching([{ path: p, source: 'bos' }], name, () => {
      if (replaced) return;
      replaced = true;
      renameSync(next, p);
    });
    expect(replaced).toBe(true);
    expect(out).toMatchObject({ status: 'loaded', rows: 5000, sha256: sha256(a) });
    expect(await tradesOf(out!.fileId!)).toEqual([{ side: 'B', n: '5000' }]);
    // What the name holds now is another file: loaded, superseding the first, never "skipped".
    const [later] = await ingest(t.store, [{ path: p, source: 'bos' }]);
    expect(later).toMatchObject({ status: 'loaded', sha256: sha256(b), supersedes: [name] });
    expect(await tradesOf(later!.fileId!)).toEqual([{ side: 'S', n: '5000' }]);
  });

  it('makes a NUL byte in a field one rejected row naming line and field; the rest and the next file load', async () => {
    const name = 'BOS_TRADES_CABC_20190510.csv';
    const lines = [HEADER, row(1, 'BUY'), row(2, 'BUY').replace('R2', 'R\u00002'), row(3, 'BUY'), ''];
    const p = write(name, lines.join('\r\n'));
    const [out, next] = await ingest(t.store, [{ path: p, source: 'bos' }, GENIUM_POS]);
    expect(out).toMatchObject({ status: 'loaded', rows: 2, rejected: 1 });
    expect(next).toMatchObject({ status: 'loaded' });
    const rejected = await t.store.db
      .selectFrom('rejected_row')
      .select(['line_no', 'field', 'code', 'reason', 'raw'])
      .where('file_id', '=', out!.fileId!)
      .execute();
    expect(rejected).toEqual([
      {
        line_no: 3,
        field: 'ref',
        code: 'BAD_RECORD',
        reason:
          'Trade Ref (ref): the value holds a NUL byte (0x00), which cannot be stored (the raw text shows it as \u2400)',
        raw: row(2, 'BUY').replace('R2', 'R\u24002'),
      },
    ]);
    const refs = await t.store.db
      .selectFrom('trade')
      .select('ref')
      .where('file_id', '=', out!.fileId!)
      .orderBy('ref')
      .execute();
    expect(refs.map((r) => r.ref)).toEqual(['R1', 'R3']);
  });

  it('rejects a NUL in an unmapped column kept as raw data, and keeps a NUL in a rejected line storable', async () => {
    const name = 'BOS_TRADES_CABC_20190513.csv';
    const lines = [
      `${HEADER},Desk`,
      `${row(1, 'BUY')},D1`,
      `${row(2, 'BUY')},D\u00002`,
      // One column short: the parser rejects it; its raw text still has to be stored.
      `R3\u0000,MM01,HSI,F,2019-05,,BUY,1,29350,08/05/2019,10:00:00`,
      '',
    ];
    const p = write(name, lines.join('\n'));
    const [out] = await ingest(t.store, [{ path: p, source: 'bos' }]);
    expect(out).toMatchObject({ status: 'loaded', rows: 1, rejected: 2 });
    const rejected = await t.store.db
      .selectFrom('rejected_row')
      .select(['line_no', 'field', 'reason', 'raw'])
      .where('file_id', '=', out!.fileId!)
      .orderBy('line_no')
      .execute();
    expect(rejected).toEqual([
      {
        line_no: 3,
        field: 'Desk',
        reason:
          'Desk: the value holds a NUL byte (0x00), which cannot be stored (the raw text shows it as \u2400)',
        raw: `${row(2, 'BUY')},D\u24002`,
      },
      {
        line_no: 4,
        field: null,
        reason: expect.stringContaining('expected 13 columns'),
        raw: 'R3\u2400,MM01,HSI,F,2019-05,,BUY,1,29350,08/05/2019,10:00:00',
      },
    ]);
  });

  it('makes a NUL byte in a fixed-width field one rejected row; the trailer still counts it', async () => {
    const name = 'TRD001_CABC_20190503.lis';
    const lines = readFileSync(path.join(FIXTURES, 'genium', name), 'latin1').split('\r\n');
    // Line 2's account (positions 46-57) is "H01" and spaces: a NUL in the padding.
    lines[1] = `${lines[1]!.slice(0, 48)}\u0000${lines[1]!.slice(49)}`;
    const p = write(name, Buffer.from(lines.join('\r\n'), 'latin1'));
    const [out] = await ingest(t.store, [{ path: p, source: 'genium' }]);
    expect(out).toMatchObject({ status: 'loaded', rows: 19, rejected: 1 });
    const rejected = await t.store.db
      .selectFrom('rejected_row')
      .select(['line_no', 'field', 'reason'])
      .where('file_id', '=', out!.fileId!)
      .execute();
    expect(rejected).toEqual([
      {
        line_no: 2,
        field: 'account',
        reason:
          'account (positions 46-57): the value holds a NUL byte (0x00), which cannot be stored (the raw text shows it as \u2400)',
      },
    ]);
  });

  it('refuses a file whose header holds a NUL byte, naming the header field', async () => {
    const name = 'TRD001_CABC_20190506.lis';
    const lines = readFileSync(path.join(FIXTURES, 'genium/TRD001_CABC_20190503.lis'), 'latin1').split(
      '\r\n',
    );
    lines[0] = `${lines[0]!.slice(0, 13)}\u0000${lines[0]!.slice(14)}`;
    const p = write(name, Buffer.from(lines.join('\r\n'), 'latin1'));
    const [out] = await ingest(t.store, [{ path: p, source: 'genium' }]);
    expect(out).toMatchObject({ status: 'refused', fileId: null });
    expect(out!.error).toMatchObject({
      code: 'INGEST_HEADER_INVALID',
      message: `${name}:1: the header's participant holds a NUL byte (0x00), which cannot be stored`,
    });
    expect(await count('refused_file', name)).toBe(1);
  });

  it('refuses a file the database fails on, with its message, and goes on with the next file', async () => {
    // A constraint the product does not have stands in for any statement the database refuses mid-file.
    await sql`ALTER TABLE trade ADD CONSTRAINT test_no_boom CHECK (ref <> 'BOOM')`.execute(t.store.db);
    try {
      const name = 'BOS_TRADES_CABC_20190514.csv';
      const p = write(name, [HEADER, row(1, 'BUY'), row(2, 'BUY').replace('R2', 'BOOM'), ''].join('\n'));
      const [out, next] = await ingest(t.store, [
        { path: p, source: 'bos' },
        { path: write('BOS_TRADES_CABC_20190515.csv', bosTrades(3, 'SELL')), source: 'bos' },
      ]);
      expect(out).toMatchObject({ status: 'refused', rows: 0, fileId: null });
      expect(out!.error!.code).toBe('DB_QUERY_FAILED');
      expect(out!.error!.message).toMatch(
        new RegExp(`^${name}: loading it failed in the database: .*test_no_boom.* \\(SQLSTATE 23514\\)$`),
      );
      expect(next).toMatchObject({ status: 'loaded', rows: 3 });
      expect(await count('source_file', name)).toBe(0);
      expect(await count('refused_file', name)).toBe(1);
      const events = await auditDb(t.store.db)
        .selectFrom('audit_event')
        .select('action')
        .where('subject', '=', `file:${name}`)
        .execute();
      expect(events.map((e) => e.action)).toEqual(['ingest.refused']);
    } finally {
      await sql`ALTER TABLE trade DROP CONSTRAINT test_no_boom`.execute(t.store.db);
    }
  });
});
