import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestRequest } from '../../src/ingest/ingest.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { FIXTURES, ingest } from '../support/ingest.js';

const dir = mkdtempSync(path.join(tmpdir(), 'dcass-bad-'));
const fixture = (rel: string) => readFileSync(path.join(FIXTURES, rel));
const write = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
const GENIUM_TRD = 'genium/TRD001_CABC_20190503.lis';
const XML_TRD = 'dcass/20190506/TRD001_CABC_20190506_2310.xml';
const BOS_TRD = 'bos/BOS_TRADES_CABC_20190506.csv';
const ACCOUNT_MAP = { path: path.join(FIXTURES, 'bos/ACCOUNT_MAP_CABC.csv'), source: 'bos' } as const;
const GOOD = { path: path.join(FIXTURES, 'genium/POS001_CABC_20190503.lis'), source: 'genium' } as const;

describe(`bad input (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  /** Ingests the bad file beside a good one; asserts the bad one was refused whole and the good one loaded. */
  async function refused(req: IngestRequest, participant: string | null = 'CABC') {
    const before = await counts();
    const [bad, good] = await ingest(t.store, [req, GOOD], participant);
    expect(bad!.status).toBe('refused');
    expect(['loaded', 'skipped']).toContain(good!.status);
    const after = await counts();
    expect(after.trades).toBe(before.trades);
    expect(after.files - before.files).toBe(good!.status === 'loaded' ? 1 : 0);
    const rec = await t.store.db
      .selectFrom('refused_file')
      .selectAll()
      .where('path', '=', path.resolve(req.path))
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(rec.code).toBe(bad!.error!.code);
    expect(rec.reason).toContain(bad!.error!.message);
    return bad!.error!;
  }
  async function counts() {
    const n = (table: 'trade' | 'source_file') =>
      t.store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.n));
    return { trades: await n('trade'), files: await n('source_file') };
  }

  it('refuses a fixed-width file whose trailer count disagrees (a lost record)', async () => {
    const lines = fixture(GENIUM_TRD).toString('latin1').split('\r\n');
    lines.splice(3, 1);
    const p = write('TRD001_CABC_20190503.lis', lines.join('\r\n'));
    const err = await refused({ path: p, source: 'genium' });
    expect(err.code).toBe('INGEST_TRAILER_MISMATCH');
    expect(err.message).toMatch(
      /TRD001_CABC_20190503\.lis:21: the trailer counts 20 detail records but the file has 19/,
    );
  });

  it('refuses a fixed-width file whose hash total disagrees (a changed quantity)', async () => {
    const text = fixture(GENIUM_TRD)
      .toString('latin1')
      .replace('H01         B000000003', 'H01         B000000004');
    const p = write('TRD001_CABC_20190503.lis', text);
    const err = await refused({ path: p, source: 'genium' });
    expect(err.code).toBe('INGEST_TRAILER_MISMATCH');
    expect(err.message).toMatch(/hash total is 0+\d+ but the details sum to \d+/);
  });

  it('refuses a truncated fixed-width file (no trailer)', async () => {
    const text = fixture(GENIUM_TRD).toString('latin1');
    const p = write('TRD001_CABC_20190503.lis', text.slice(0, text.length / 2));
    const err = await refused({ path: p, source: 'genium' });
    expect(err.code).toBe('INGEST_TRAILER_MISSING');
  });

  it('refuses a file whose header names another participant than its file name', async () => {
    const p = write('TRD001_CXYZ_20190503.lis', fixture(GENIUM_TRD));
    const err = await refused({ path: p, source: 'genium' }, null);
    expect(err.code).toBe('INGEST_HEADER_MISMATCH');
    expect(err.message).toContain('the header is for participant CABC but the file name says CXYZ');
  });

  it('refuses a file whose header business date differs from its file name', async () => {
    const p = write('TRD001_CABC_20190502.lis', fixture(GENIUM_TRD));
    const err = await refused({ path: p, source: 'genium' });
    expect(err.code).toBe('INGEST_HEADER_MISMATCH');
    expect(err.message).toContain(
      'the header is for business date 2019-05-03 but the file name says 2019-05-02',
    );
  });

  it("refuses another participant's file", async () => {
    const xml = fixture(XML_TRD).toString('utf8').replace('participant="CABC"', 'participant="CXYZ"');
    const p = write('TRD001_CXYZ_20190506_2310.xml', xml);
    const err = await refused({ path: p, source: 'dcass' });
    expect(err.message).toContain('the file is for participant CXYZ, but this configuration is for CABC');
  });

  it('refuses XML whose recordCount disagrees', async () => {
    const p = write(
      'TRD001_CABC_20190506_2310.xml',
      fixture(XML_TRD).toString('utf8').replace('recordCount="19"', 'recordCount="20"'),
    );
    const err = await refused({ path: p, source: 'dcass' });
    expect(err.code).toBe('INGEST_RECORD_COUNT_MISMATCH');
    expect(err.message).toContain('recordCount says 20 records but the file has 19');
  });

  it('refuses XML that is not well-formed, naming the line', async () => {
    const text = fixture(XML_TRD).toString('utf8');
    const p = write('TRD001_CABC_20190506_2310.xml', text.slice(0, text.indexOf('</Trade>', 3000)));
    const err = await refused({ path: p, source: 'dcass' });
    expect(err.code).toBe('INGEST_XML_MALFORMED');
    expect(err.message).toMatch(/TRD001_CABC_20190506_2310\.xml:\d+/);
  });

  it.each([
    ['a DOCTYPE', '<!DOCTYPE DcassReport>\n'],
    [
      'an internal entity declaration',
      '<!DOCTYPE r [ <!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;"> ]>\n',
    ],
    ['an external entity', '<!DOCTYPE r [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>\n'],
  ])('refuses XML with %s and expands nothing', async (_what, decl) => {
    const text = fixture(XML_TRD).toString('utf8').replace('?>\n', `?>\n${decl}`);
    const p = write('TRD001_CABC_20190506_2310.xml', text);
    const err = await refused({ path: p, source: 'dcass' });
    expect(err.code).toBe('INGEST_XML_FORBIDDEN');
  });

  it('refuses bytes that are not valid in the declared encoding, naming the line', async () => {
    const lines = fixture(BOS_TRD).toString('utf8').split('\r\n');
    const bad = Buffer.concat([
      Buffer.from(lines.slice(0, 4).join('\r\n') + '\r\n', 'utf8'),
      Buffer.from([0xff, 0xfe, 0x41]),
      Buffer.from('\r\n' + lines.slice(4).join('\r\n'), 'utf8'),
    ]);
    const p = write('BOS_TRADES_CABC_20190506.csv', bad);
    const err = await refused({ path: p, source: 'bos' });
    expect(err.code).toBe('INGEST_ENCODING');
    expect(err.message).toBe('BOS_TRADES_CABC_20190506.csv:5: bytes that are not valid utf-8');
  });

  it('refuses a non-ASCII byte in an ASCII fixed-width file', async () => {
    const buf = Buffer.from(fixture(GENIUM_TRD));
    buf[buf.indexOf('HSIK9') + 10] = 0xe9;
    const p = write('TRD001_CABC_20190503.lis', buf);
    const err = await refused({ path: p, source: 'genium' });
    expect(err.message).toBe('TRD001_CABC_20190503.lis:2: bytes that are not valid ascii');
  });

  it('refuses an invalid Big5 sequence', async () => {
    const buf = Buffer.from(fixture('bos/BOS_POSITIONS_CABC_20190510.big5.csv'));
    const at = buf.indexOf(0x0a, buf.indexOf(0x0a) + 1) + 1; // start of line 3
    const bad = Buffer.concat([buf.subarray(0, at), Buffer.from([0x81, 0x20]), buf.subarray(at)]);
    const p = write('BOS_POSITIONS_CABC_20190510.big5.csv', bad);
    const err = await refused({ path: p, source: 'bos' });
    expect(err.message).toBe('BOS_POSITIONS_CABC_20190510.big5.csv:3: bytes that are not valid big5');
  });

  it('refuses an empty file', async () => {
    const err = await refused({ path: write('BOS_TRADES_CABC_20190508.csv', ''), source: 'bos' });
    expect(err.code).toBe('INGEST_FILE_EMPTY');
  });

  it('refuses a CSV missing required columns before reading any row', async () => {
    const text = fixture(BOS_TRD)
      .toString('utf8')
      .replace('Buy/Sell', 'Direction')
      .replace('Quantity', 'Qty');
    const err = await refused({ path: write('BOS_TRADES_CABC_20190506.csv', text), source: 'bos' });
    expect(err.code).toBe('INGEST_COLUMNS_MISSING');
    expect(err.message).toBe(
      'BOS_TRADES_CABC_20190506.csv:1: required columns missing: "Buy/Sell" (side), "Quantity" (quantity)',
    );
  });

  it('keeps bad rows as rejected rows and loads the rest', async () => {
    const header =
      'Trade Ref,Client Code,Product,Type,Expiry,Strike,Buy/Sell,Quantity,Price,Trade Date,Exec Time,Exch Trade No';
    const rows = [
      'R1,MM01,HSI,F,2019-05,,BUY,"1,200","29,350.00",08/05/2019,10:00:00,1',
      'R2,MM01,HSI,F,2019-05,,HOLD,1,29350,08/05/2019,10:00:00,2',
      'R3,NOBODY,HSI,F,2019-05,,BUY,1,29350,08/05/2019,10:00:00,3',
      'R4,MM01,HSI,F,2019-05,,BUY,"1,20",29350,08/05/2019,10:00:00,4',
      'R5,MM01,HSI,F,2019-05,,BUY,1,29350,08/05/2019,10:00:00',
      'R6,MM01,HSI,C,2019-05,,BUY,1,29350,08/05/2019,10:00:00,6',
      'R7,MM01,HSI,F,2019-05,,SELL,0,29350,08/05/2019,10:00:00,7',
      'R8,MM01,HSI,F,2019-05,,SELL,2,29350,08/05/2019,05:00:00,8',
      'R9,MM01,HSI,F,2019-05,,SELL,3,"29,351.5",08/05/2019,18:30:00,9',
    ];
    const p = write('BOS_TRADES_CABC_20190508.csv', [header, ...rows, '', ''].join('\r\n'));
    const [, out] = await ingest(t.store, [ACCOUNT_MAP, { path: p, source: 'bos' }]);
    expect(out).toMatchObject({ status: 'loaded', rows: 2, rejected: 7 });
    const rej = await t.store.db
      .selectFrom('rejected_row')
      .select(['line_no', 'field', 'code', 'reason'])
      .where('file_id', '=', out!.fileId!)
      .orderBy('line_no')
      .execute();
    expect(rej).toEqual([
      {
        line_no: 3,
        field: 'side',
        code: 'BAD_CODE',
        reason: 'Buy/Sell (side): expected one of "BUY", "SELL", "B", "S", got "HOLD"',
      },
      {
        line_no: 4,
        field: 'clientCode',
        code: 'UNMAPPED_ACCOUNT',
        reason: 'client code "NOBODY" is not in the account map',
      },
      {
        line_no: 5,
        field: 'quantity',
        code: 'BAD_DECIMAL',
        reason: expect.stringContaining('Quantity (quantity): expected'),
      },
      { line_no: 6, field: null, code: 'BAD_RECORD', reason: 'expected 12 columns as in the header, got 11' },
      {
        line_no: 7,
        field: 'strike',
        code: 'BAD_INSTRUMENT',
        reason: expect.stringContaining('expected a strike for an option'),
      },
      { line_no: 8, field: 'quantity', code: 'BAD_DECIMAL', reason: 'quantity must be positive, got 0' },
      { line_no: 9, field: expect.any(String), code: 'OUTSIDE_TRADING_HOURS', reason: expect.any(String) },
    ]);
    const loaded = await t.store.db
      .selectFrom('trade')
      .select(['ref', 'quantity', 'price', 'clearing_date', 'session'])
      .where('file_id', '=', out!.fileId!)
      .orderBy('ref')
      .execute();
    expect(loaded).toEqual([
      { ref: 'R1', quantity: '1200', price: '29350', clearing_date: '2019-05-08', session: 'T' },
      { ref: 'R9', quantity: '3', price: '29351.5', clearing_date: '2019-05-09', session: 'A' },
    ]);
  });

  it('keeps hostile CSV header and XML element names as plain data (no prototype pollution)', async () => {
    const text = fixture(BOS_TRD)
      .toString('utf8')
      .replace('Exch Trade No', 'Exch Trade No,__proto__,constructor')
      .replace(/\r\n(BT[^\r]*)/g, '\r\n$1,{polluted:1},x');
    const p = write('BOS_TRADES_CABC_20190506.csv', text);
    const [, out] = await ingest(t.store, [ACCOUNT_MAP, { path: p, source: 'bos' }]);
    expect(out!.status).toBe('loaded');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const row = await t.store.db
      .selectFrom('trade')
      .select('extra')
      .where('file_id', '=', out!.fileId!)
      .executeTakeFirstOrThrow();
    expect(row.extra).toEqual({ ['__proto__']: '{polluted:1}', constructor: 'x' });

    const xml = fixture(XML_TRD)
      .toString('utf8')
      .replace('generatedAt="2019-05-06T23:10:00+08:00"', 'generatedAt="2019-05-06T23:20:00+08:00"')
      .replace(
        /<OpenClose\/><\/Trade>/g,
        '<OpenClose/><__proto__>1</__proto__><constructor>2</constructor></Trade>',
      );
    const [, x] = await ingest(t.store, [
      ACCOUNT_MAP,
      { path: write('TRD001_CABC_20190506_2320.xml', xml), source: 'dcass' },
    ]);
    expect(x!.status).toBe('loaded');
    expect(({} as Record<string, unknown>)['1']).toBeUndefined();
    const xr = await t.store.db
      .selectFrom('trade')
      .select('extra')
      .where('file_id', '=', x!.fileId!)
      .executeTakeFirstOrThrow();
    expect(xr.extra).toEqual({ ['__proto__']: '1', constructor: '2' });
  });

  it('never turns XML numbers into JS numbers: large and fine decimals survive exactly', async () => {
    const xml = fixture(XML_TRD)
      .toString('utf8')
      .replace('generatedAt="2019-05-06T23:10:00+08:00"', 'generatedAt="2019-05-06T23:30:00+08:00"')
      .replace('<TradeNo>1000101</TradeNo>', '<TradeNo>90071992547409931234</TradeNo>')
      .replace(
        '<Qty>2</Qty><Price>29880</Price>',
        '<Qty>12345678901234567890</Qty><Price>0.1000000000000000055511151231257827</Price>',
      );
    const [, x] = await ingest(t.store, [
      ACCOUNT_MAP,
      { path: write('TRD001_CABC_20190506_2330.xml', xml), source: 'dcass' },
    ]);
    const r = await t.store.db
      .selectFrom('trade')
      .select(['trade_no', 'quantity', 'price'])
      .where('file_id', '=', x!.fileId!)
      .where('line_no', '=', 3)
      .executeTakeFirstOrThrow();
    expect(r).toEqual({
      trade_no: '90071992547409931234',
      quantity: '12345678901234567890',
      price: '0.1000000000000000055511151231257827',
    });
  });
});
