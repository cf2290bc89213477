import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { FIXTURES, ingest } from '../support/ingest.js';
import { fc, numRuns } from '../support/property.js';

// Each run loads a file into the database: fewer runs than pure properties.
const DB_RUNS = Math.min(numRuns, 40);

const NAME = 'BOS_TRADES_CABC_20190506.csv';
const VALID = readFileSync(path.join(FIXTURES, 'bos', NAME));
const ACCOUNT_MAP = { path: path.join(FIXTURES, 'bos/ACCOUNT_MAP_CABC.csv'), source: 'bos' } as const;

/** Bytes that break CSV (quotes, delimiters, line endings, NUL) more often than any byte at random. */
const byteArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(0x22, 0x2c, 0x0d, 0x0a, 0x20, 0x00) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
);
type Mutation = { op: 'replace' | 'insert' | 'delete'; at: number; byte: number };
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('replace', 'insert', 'delete'),
  at: fc.nat({ max: VALID.length - 1 }),
  byte: byteArb,
});

function mutate(bytes: Buffer, mutations: readonly Mutation[]): Buffer {
  let b = bytes;
  for (const { op, at, byte } of mutations) {
    const i = Math.min(at, b.length - 1);
    const tail = b.subarray(op === 'insert' ? i : i + 1);
    b = Buffer.concat([b.subarray(0, i), op === 'delete' ? Buffer.alloc(0) : Buffer.from([byte]), tail]);
  }
  return b;
}

describe(`CSV under random byte mutations (${dbKind})`, () => {
  let t: TestDb;
  const dir = mkdtempSync(path.join(tmpdir(), 'dcass-csv-fuzz-'));
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every data line is in one loaded row or one rejected row, or the file is refused with a reason', async () => {
    let partlyRejected = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutationArb, { minLength: 1, maxLength: 6 }), async (mutations) => {
        const bytes = mutate(VALID, mutations);
        const file = path.join(mkdtempSync(path.join(dir, 'run-')), NAME);
        writeFileSync(file, bytes);
        // An internal error would reject here: ingest refuses bad files, it does not throw.
        const [, out] = await ingest(t.store, [ACCOUNT_MAP, { path: file, source: 'bos' }]);
        if (out!.status === 'skipped') return; // the same bytes as an earlier run's
        if (out!.status === 'refused') {
          expect(out!.error!.message.length).toBeGreaterThan(0);
          return;
        }
        // Physical lines as the file has them: LF ends a line, a CR before it belongs to the ending;
        // the first line with text is the header, blank lines are no records. A byte order mark at the
        // file's start marks the encoding and is no text: a line holding only it is blank.
        const lines = bytes
          .toString('utf8')
          .replace(/^\uFEFF/, '')
          .split('\n')
          .map((text, i) => ({ line: i + 1, text: text.replace(/\r$/, '') }))
          .filter(({ text }) => text !== '');
        const dataLines = lines.slice(1);
        const fileId = out!.fileId!;
        const rows = await t.store.db
          .selectFrom('trade')
          .select('line_no')
          .where('file_id', '=', fileId)
          .execute();
        const rejects = await t.store.db
          .selectFrom('rejected_row')
          .select('line_no')
          .where('file_id', '=', fileId)
          .execute();
        const lineNos = [...rows, ...rejects].map((r) => r.line_no).sort((a, b) => a - b);
        expect(lineNos).toEqual(dataLines.map((l) => l.line));
        if (rows.length > 0 && rejects.length > 0) partlyRejected++;
      }),
      { numRuns: DB_RUNS },
    );
    // The mutations reach the record level, not only the header and the encoding.
    expect(partlyRejected).toBeGreaterThan(0);
  });
});
