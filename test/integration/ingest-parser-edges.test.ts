import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../src/config/profile.js';
import { ProfileRegistry } from '../../src/config/profiles.js';
import { ingestFiles, type FileOutcome, type IngestRequest } from '../../src/ingest/ingest.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { calendar, FIXTURES, ingest, profiles } from '../support/ingest.js';

const dir = mkdtempSync(path.join(tmpdir(), 'dcass-edges-'));
let written = 0;
/** Writes a file, each a minute newer than the last: the later of two of one report and date is current. */
const write = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  const mtime = new Date(Date.UTC(2019, 4, 10, 0, ++written));
  utimesSync(p, mtime, mtime);
  return p;
};
const ACCOUNT_MAP = { path: path.join(FIXTURES, 'bos/ACCOUNT_MAP_CABC.csv'), source: 'bos' } as const;
const HEADER =
  'Trade Ref,Client Code,Product,Type,Expiry,Strike,Buy/Sell,Quantity,Price,Trade Date,Exec Time,Exch Trade No';
const row = (i: number) => `R${i},MM01,HSI,F,2019-05,,BUY,1,29350,08/05/2019,10:00:00,${i}`;
/** The Genium TRD001 fixture's lines (CRLF), header first, trailer last. */
const geniumLines = () =>
  readFileSync(path.join(FIXTURES, 'genium/TRD001_CABC_20190503.lis'), 'latin1').split('\r\n');
/** The built-in Genium TRD001 layout with some format settings changed, under its own name and pattern. */
function geniumVariant(name: string, format: Partial<Profile['format']>): Profile {
  const base = profiles.get('genium-trd001');
  return {
    ...base,
    name,
    match: `^${name.toUpperCase()}_(?<participant>[A-Z0-9]{1,5})_(?<businessDate>[0-9]{8})\\.lis$`,
    format: { ...base.format, ...format } as Profile['format'],
  };
}

describe(`parser edges: invisible characters, Genium record lengths and trailers (${dbKind})`, () => {
  let t: TestDb;
  const variants = new ProfileRegistry([
    ...profiles.all(),
    geniumVariant('trd-utf8', { encoding: 'utf-8' }),
    geniumVariant('trd-padded', { allowTrailingSpaces: true }),
  ]);
  const load = (requests: readonly IngestRequest[]): Promise<FileOutcome[]> =>
    ingestFiles({ store: t.store, profiles: variants, calendar, participant: 'CABC' }, requests);
  const rejectsOf = (fileId: string) =>
    t.store.db
      .selectFrom('rejected_row')
      .select(['line_no', 'field', 'code', 'reason', 'raw'])
      .where('file_id', '=', fileId)
      .orderBy('line_no')
      .execute();

  beforeAll(async () => {
    t = await createTestDb();
    const [map] = await ingest(t.store, [ACCOUNT_MAP]);
    expect(map!.status).toBe('loaded');
  });
  afterAll(async () => t.dispose());

  it('rejects a CSV record holding U+FEFF mid-line, U+200B or U+2060, naming line and field; the rest loads', async () => {
    const lines = [
      `\uFEFF${HEADER}`, // the byte order mark at the very start of the file is dropped, as ever
      row(1),
      row(2).replace('R2', 'R\uFEFF2'),
      row(3).replace('MM01', 'MM01\u200B'),
      row(4),
      `${row(5)}\u2060`, // the last column, Exch Trade No
      row(6).replace('R6', '\uFEFFR6'), // at a value's start, where trimming would hide it
      '',
    ];
    const p = write('BOS_TRADES_CABC_20190508.csv', lines.join('\r\n'));
    const [out] = await load([{ path: p, source: 'bos' }]);
    expect(out).toMatchObject({ status: 'loaded', rows: 2, rejected: 4 });
    const rejected = await rejectsOf(out!.fileId!);
    expect(rejected).toEqual([
      {
        line_no: 3,
        field: 'ref',
        code: 'BAD_CHARACTER',
        reason:
          'Trade Ref (ref): the value holds U+FEFF (byte order mark, zero width no-break space) at character 2, an invisible character that would make it differ from the value it looks like',
        raw: lines[2],
      },
      {
        line_no: 4,
        field: 'clientCode',
        code: 'BAD_CHARACTER',
        reason: expect.stringMatching(
          /^Client Code \(clientCode\): the value holds U\+200B \(zero width space\) at character 5/,
        ),
        raw: lines[3],
      },
      {
        line_no: 6,
        field: 'tradeNo',
        code: 'BAD_CHARACTER',
        reason: expect.stringContaining('U+2060 (word joiner) at character 2'),
        raw: lines[5],
      },
      {
        line_no: 7,
        field: 'ref',
        code: 'BAD_CHARACTER',
        reason: expect.stringContaining('U+FEFF (byte order mark, zero width no-break space) at character 1'),
        // PGlite's client drops a U+FEFF at the start of a text it reads back: compared in the database.
        raw: expect.stringMatching(/^\uFEFF?R6,MM01,/),
      },
    ]);
    const stored = await sql<{ same: boolean }>`
      SELECT raw = ${lines[6]} AS same FROM rejected_row WHERE file_id = ${out!.fileId!} AND line_no = 7`.execute(
      t.store.db,
    );
    expect(stored.rows).toEqual([{ same: true }]);
    const refs = await t.store.db
      .selectFrom('trade')
      .select('ref')
      .where('file_id', '=', out!.fileId!)
      .orderBy('ref')
      .execute();
    expect(refs.map((r) => r.ref)).toEqual(['R1', 'R4']);
  });

  it('rejects an invisible character in an unmapped CSV column too: nothing stored holds one', async () => {
    const lines = [`${HEADER},Desk`, `${row(1)},D1`, `${row(2)},D\u200D2`, ''];
    const p = write('BOS_TRADES_CABC_20190509.csv', lines.join('\n'));
    const [out] = await load([{ path: p, source: 'bos' }]);
    expect(out).toMatchObject({ status: 'loaded', rows: 1, rejected: 1 });
    expect(await rejectsOf(out!.fileId!)).toEqual([
      {
        line_no: 3,
        field: 'Desk',
        code: 'BAD_CHARACTER',
        reason: expect.stringContaining('Desk: the value holds U+200D (zero width joiner) at character 2'),
        raw: lines[2],
      },
    ]);
  });

  // Line 4 is the second <Trade>: its account M01 gets a hidden zero-width space, written as the
  // character itself or as a character reference (which its raw text does not hold).
  it.each([
    ['as the character itself', 'M\u200B01'],
    ['as a character reference, absent from its raw text', 'M&#x200B;01'],
  ])('rejects an XML record whose element holds U+200B %s, naming the line where the record starts', async (_, account) => {
    const xml = readFileSync(path.join(FIXTURES, 'dcass/20190506/TRD001_CABC_20190506_2310.xml'), 'utf8');
    const lines = xml.split('\n');
    expect(lines[3]).toContain('<Account>M01</Account>');
    lines[3] = lines[3]!.replace('<Account>M01</Account>', `<Account>${account}</Account>`);
    const p = write('TRD001_CABC_20190506_2310.xml', lines.join('\n'));
    const [out] = await load([{ path: p, source: 'dcass' }]);
    expect(out).toMatchObject({ status: 'loaded', rows: 18, rejected: 1 });
    expect(await rejectsOf(out!.fileId!)).toEqual([
      {
        line_no: 4,
        field: 'account',
        code: 'BAD_CHARACTER',
        reason: expect.stringContaining('the value holds U+200B (zero width space) at character 2'),
        raw: expect.stringContaining(account),
      },
    ]);
  });

  it('rejects a fixed-width record of a UTF-8 layout holding U+FEFF; the trailer still counts it', async () => {
    const lines = geniumLines();
    // Line 3's account (positions 46-57) is "M01" and spaces: one space becomes U+FEFF, same width.
    lines[2] = `${lines[2]!.slice(0, 48)}\uFEFF${lines[2]!.slice(49)}`;
    const p = write('TRD-UTF8_CABC_20190503.lis', Buffer.from(lines.join('\r\n'), 'utf8'));
    const [out] = await load([{ path: p, source: 'genium', profile: 'trd-utf8' }]);
    expect(out).toMatchObject({ status: 'loaded', rows: 19, rejected: 1 });
    expect(await rejectsOf(out!.fileId!)).toEqual([
      {
        line_no: 3,
        field: 'account',
        code: 'BAD_CHARACTER',
        reason: expect.stringContaining('account (positions 46-57): the value holds U+FEFF'),
        raw: lines[2],
      },
    ]);
  });

  it('refuses a Genium file with anything but blank lines after the trailer, naming the line', async () => {
    const lines = geniumLines();
    const trailer = lines.findIndex((l) => l.startsWith('T'));
    expect(trailer).toBe(21);
    // Blank lines after the trailer are fine; the junk two lines further down is not.
    const p = write(
      'TRD001_CABC_20190503.lis',
      [...lines.slice(0, trailer + 1), '', '   ', 'junk', ''].join('\r\n'),
    );
    const [out] = await load([{ path: p, source: 'genium' }]);
    expect(out).toMatchObject({ status: 'refused', fileId: null });
    expect(out!.error).toMatchObject({
      code: 'INGEST_FORMAT',
      message: 'TRD001_CABC_20190503.lis:25: a record after the trailer (line 22)',
    });
    const refused = await t.store.db
      .selectFrom('refused_file')
      .select(['code', 'line_no'])
      .where('path', '=', p)
      .executeTakeFirstOrThrow();
    expect(refused).toEqual({ code: 'INGEST_FORMAT', line_no: 25 });
    // Only blank lines after it: the same file loads.
    const blank = write(
      'TRD001_CABC_20190503.lis',
      [...lines.slice(0, trailer + 1), '', '   ', ''].join('\r\n'),
    );
    const [ok] = await load([{ path: blank, source: 'genium' }]);
    expect(ok!.error).toBeNull();
  });

  it('rejects a detail line longer than the layout (its line, expected and actual length); the trailer still counts it', async () => {
    const lines = geniumLines();
    expect(lines[4]).toHaveLength(109);
    lines[4] = `${lines[4]}XYZ`;
    lines[6] = `${lines[6]}  `; // trailing spaces the built-in layout does not allow either
    const p = write('TRD001_CABC_20190503.lis', lines.join('\r\n'));
    const [out] = await load([{ path: p, source: 'genium' }]);
    expect(out).toMatchObject({ status: 'loaded', rows: 18, rejected: 2 });
    expect(await rejectsOf(out!.fileId!)).toEqual([
      {
        line_no: 5,
        field: null,
        code: 'BAD_RECORD',
        reason: "the detail record is 112 characters long, but the layout's records are 109 characters long",
        raw: lines[4],
      },
      {
        line_no: 7,
        field: null,
        code: 'BAD_RECORD',
        reason: "the detail record is 111 characters long, but the layout's records are 109 characters long",
        raw: lines[6],
      },
    ]);
  });

  it('takes trailing spaces where the layout allows them, and still rejects a non-blank overflow', async () => {
    const lines = geniumLines();
    lines[4] = `${lines[4]}      `;
    lines[6] = `${lines[6]}   X  `;
    const p = write('TRD-PADDED_CABC_20190503.lis', lines.join('\r\n'));
    const [out] = await load([{ path: p, source: 'genium', profile: 'trd-padded' }]);
    expect(out).toMatchObject({ status: 'loaded', rows: 19, rejected: 1 });
    expect(await rejectsOf(out!.fileId!)).toEqual([
      {
        line_no: 7,
        field: null,
        code: 'BAD_RECORD',
        reason:
          "the detail record runs to position 113 with characters other than spaces, but the layout's records are 109 characters long",
        raw: lines[6],
      },
    ]);
  });
});
