import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAccountMap } from '../../scripts/generate/bos.js';
import { fileNameOf, syntheticAccountMap, writeLayout, type Layout } from '../../scripts/generate/layouts.js';
import { MemorySink } from '../../scripts/generate/sink.js';
import type { SyntheticOptions } from '../../scripts/generate/synthetic.js';
import { fileDataDigest } from '../../src/audit/data-digest.js';
import type { Profile } from '../../src/config/profile.js';
import { CopyBatch } from '../../src/db/copy.js';
import { AccountResolver } from '../../src/ingest/normalise/account-resolver.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { calendar, ingest, profiles } from '../support/ingest.js';
import { fc, numRuns } from '../support/property.js';
import { REFERENCE_NORMALISERS, referenceRead, type ReferenceReject } from '../support/reference-reader.js';

// Each run loads a file into the database: a few runs a layout keep the file to a few seconds.
const RUNS = Math.min(numRuns, 12);
const DATE = '20190503';
const PARTICIPANT = 'CABC';

/** Every layout of builtin/profiles the generator writes, with its source. */
const LAYOUTS: readonly [Layout, 'genium' | 'dcass' | 'bos'][] = [
  ['genium-trd', 'genium'],
  ['genium-pos', 'genium'],
  ['dcass-trd-csv', 'dcass'],
  ['dcass-pos-csv', 'dcass'],
  ['dcass-trd-xml', 'dcass'],
  ['dcass-pos-xml', 'dcass'],
  ['bos-trd', 'bos'],
  ['bos-pos', 'bos'],
];

/** Values that break readers: stray quotes, bad decimals and dates, NUL, control and invisible characters, backslashes (COPY escapes them), unmapped clients. */
const hostileValue = fc.oneof(
  fc.constantFrom(
    'ab"c',
    '"x"y',
    '"',
    '1.2.3',
    '1,2',
    '-5',
    '',
    ' ',
    'abc',
    '1e5',
    '2019-13-45',
    '20191345',
    '31/02/2019',
    '25:61:00',
    '\0',
    'A\u0001B',
    '\t7',
    // Every character COPY's text format escapes: the data digest rebuilds the escaped line.
    'A\bB\vC\fD',
    'A\\B',
    '\u200b12',
    '\ufeff7',
    'K9999999',
    'A9999999',
    '9'.repeat(40),
    'é',
    '  12  ',
    '0',
    'X',
    'SELL',
    'T1',
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
);

type Mutation = {
  /** Which data line (modulo their count). */
  readonly at: number;
  /** Which field of it (modulo the fields). */
  readonly field: number;
  readonly kind: 'value' | 'quoted' | 'columns' | 'overlong' | 'short' | 'blank' | 'cr' | 'type' | 'drop';
  readonly value: string;
};

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  field: fc.nat(),
  kind: fc.constantFrom(
    'value',
    'value',
    'value',
    'quoted',
    'columns',
    'overlong',
    'short',
    'blank',
    'cr',
    'type',
    'drop',
  ),
  value: hostileValue,
});

/** Applies mutations to a generated file's text, in the terms of its format (records stay records). */
function mutate(text: string, profile: Profile, mutations: readonly Mutation[]): string {
  const format = profile.format.type;
  // A fixed-width field's place: [start, length], as the profile has it.
  const places = Object.values(profile.fields).map((f) => f.from as readonly [number, number]);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(eol);
  // Data lines: not the header (first line), the trailer (fixed width) or the XML document's frame.
  const data = lines
    .map((l, i) => i)
    .filter((i) =>
      format === 'xml'
        ? /^\s*<(Trade|Position)>/.test(lines[i]!)
        : i > 0 && lines[i] !== '' && !(format === 'fixed-width' && lines[i]!.startsWith('T')),
    );
  for (const m of mutations) {
    if (data.length === 0) break;
    const i = data[m.at % data.length]!;
    const line = lines[i]!;
    if (format === 'csv') lines[i] = mutateCsv(line, m);
    else if (format === 'fixed-width') lines[i] = mutateFixed(line, m, places);
    else lines[i] = mutateXml(line, m);
  }
  return lines.join(eol);
}

function mutateCsv(line: string, m: Mutation): string {
  // Fields split naively: a quoted value with a comma becomes two, itself a hostile case.
  const fields = line.split(',');
  const j = m.field % fields.length;
  switch (m.kind) {
    case 'quoted':
      fields[j] = `"${m.value.replaceAll('"', '""')}"`;
      break;
    case 'columns':
      if (m.value.length % 2 === 0) fields.push(m.value);
      else fields.splice(j, 1);
      break;
    case 'overlong':
      fields[j] = 'x'.repeat(262_145);
      break;
    case 'blank':
      return `${line}\n`;
    case 'cr':
      fields[j] = `${fields[j]}\r${m.value}`;
      break;
    case 'short':
      return line.slice(0, m.field % (line.length + 1));
    default:
      fields[j] = m.value.replaceAll('\n', ' ');
  }
  return fields.join(',');
}

function mutateFixed(line: string, m: Mutation, places: readonly (readonly [number, number])[]): string {
  // ASCII only, or the file is refused whole for its encoding (a case the CSV layouts cover).
  // eslint-disable-next-line no-control-regex -- the ASCII range, control characters included
  const value = m.value.replace(/[^\x00-\x7f]/g, '?').replaceAll('\n', ' ');
  switch (m.kind) {
    case 'overlong':
      return line + (value === '' ? 'X' : value);
    case 'short':
      return line.slice(0, 1 + (m.field % line.length));
    case 'type':
      return `${value.slice(0, 1) || 'Z'}${line.slice(1)}`;
    case 'blank':
      return `${line}\r\n   `;
    default: {
      const [s, l] = places[m.field % places.length]!;
      const padded = line.padEnd(s + l - 1, ' ');
      return padded.slice(0, s - 1) + value.padEnd(l, ' ').slice(0, l) + padded.slice(s - 1 + l);
    }
  }
}

const escapeXml = (s: string): string =>
  s
    // Characters XML 1.0 does not allow, and CR (normalised away): malformed XML is refused whole.
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    .replace(/[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]/g, '')
    .replace(/[\ud800-\udfff]/g, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');

function mutateXml(line: string, m: Mutation): string {
  const elements = [...line.matchAll(/<([A-Za-z]+)(?:\/>|>([^<]*)<\/\1>)/g)];
  if (elements.length === 0) return line;
  const e = elements[m.field % elements.length]!;
  const name = e[1]!;
  const at = e.index;
  const end = at + e[0].length;
  switch (m.kind) {
    case 'columns':
    case 'overlong':
      return `${line.slice(0, end)}<Extra${m.field % 3}>${escapeXml(m.value)}</Extra${m.field % 3}>${line.slice(end)}`;
    case 'drop':
      return line.slice(0, at) + line.slice(end);
    default:
      return `${line.slice(0, at)}<${name}>${escapeXml(m.value)}</${name}>${line.slice(end)}`;
  }
}

async function generated(layout: Layout, opts: SyntheticOptions): Promise<string> {
  const sink = new MemorySink();
  await writeLayout(sink, layout, opts, false);
  return sink.bytes().toString('utf8');
}

type Row = { line_no: number; json: string };

describe(`the load path and the reference reader give the same rows and rejects (${dbKind})`, () => {
  let t: TestDb;
  const dir = mkdtempSync(path.join(tmpdir(), 'dcass-reference-'));
  beforeAll(async () => {
    t = await createTestDb();
    // The account map of the synthetic clients (A accounts), loaded once.
    const sink = new MemorySink();
    const mapOpts = { seed: 1, date: DATE, participant: PARTICIPANT, rows: 1, diffRate: 0 };
    await writeAccountMap(
      sink,
      [...syntheticAccountMap(mapOpts)].filter((e) => e.dcassAccount.startsWith('A')),
    );
    const map = path.join(dir, `ACCOUNT_MAP_${PARTICIPANT}.csv`);
    writeFileSync(map, sink.bytes());
    const [out] = await ingest(t.store, [{ path: map, source: 'bos' }]);
    expect(out!.status).toBe('loaded');
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The rows of a file as stored, each as the database prints it, by line. */
  async function storedRows(table: string, columns: readonly string[], fileId: string): Promise<Row[]> {
    const cols = sql.join(columns.map((c) => sql.ref(c)));
    const r =
      await sql<Row>`SELECT line_no, row_to_json(x)::text AS json FROM (SELECT ${cols} FROM ${sql.table(table)}
      WHERE file_id = ${fileId}) x ORDER BY line_no`.execute(t.store.db);
    return r.rows;
  }

  /** The reference's rows stored the same way (COPY into a scratch table of the same columns and types). */
  async function referenceRows(table: string, columns: readonly string[], rows: CopyBatch): Promise<Row[]> {
    return t.store.transaction(async (tx) => {
      const cols = sql.join(columns.map((c) => sql.ref(c)));
      await sql`CREATE TEMP TABLE reference_rows ON COMMIT DROP AS SELECT ${cols} FROM ${sql.table(table)} WITH NO DATA`.execute(
        tx.db,
      );
      await tx.copyRows('reference_rows', columns, rows);
      const r =
        await sql<Row>`SELECT line_no, row_to_json(x)::text AS json FROM reference_rows x ORDER BY line_no`.execute(
          tx.db,
        );
      return r.rows;
    });
  }

  for (const [layout, source] of LAYOUTS) {
    it(`${layout}: random hostile files`, async () => {
      let compared = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 0x7fffffff }),
          fc.integer({ min: 1, max: 12 }),
          fc.array(mutationArb, { maxLength: 4 }),
          async (seed, rows, mutations) => {
            const opts: SyntheticOptions = { seed, date: DATE, participant: PARTICIPANT, rows, diffRate: 0 };
            const name = fileNameOf(layout, opts);
            const profile = profiles.select(name, source);
            const text = mutate(await generated(layout, opts), profile, mutations);
            const bytes = Buffer.from(text, 'utf8');
            const file = path.join(mkdtempSync(path.join(dir, 'run-')), name);
            writeFileSync(file, bytes);
            const [out] = await ingest(t.store, [{ path: file, source }]);
            if (out!.status === 'skipped') return; // the same bytes as an earlier run's
            const stored = out!.fileId === null ? undefined : await fileRow(out!.fileId);
            const accounts = await AccountResolver.load(t.store.db);
            const ref = referenceRead(profile, bytes, {
              fileId: out!.fileId ?? '0',
              participant: stored?.participant ?? PARTICIPANT,
              businessDate: stored?.business_date ?? null,
              calendar: calendar.calendar,
              sessions: calendar.sessions,
              accounts,
            });
            if (out!.status === 'refused') {
              expect(ref.refused, `the product refused the file: ${out!.error?.message}`).not.toBeNull();
              return;
            }
            expect(ref.refused, 'the product loaded the file').toBeNull();
            if (ref.refused !== null) return;
            const { table, columns } = REFERENCE_NORMALISERS[profile.entity];
            expect(await storedRows(table, columns, out!.fileId!)).toEqual(
              await referenceRows(table, columns, CopyBatch.of(ref.rows)),
            );
            const rejects = await t.store.db
              .selectFrom('rejected_row')
              .select(['line_no as line', 'field', 'code', 'reason'])
              .where('file_id', '=', out!.fileId!)
              .orderBy('line_no')
              .execute();
            expect(rejects).toEqual(ref.rejects satisfies ReferenceReject[]);
            // The digest the load took of the lines it sent is the one rebuilt from the rows stored.
            expect(await fileDataDigest(t.store.db, out!.fileId!, profile.entity)).toBe(
              (await dataDigest(out!.fileId!)).data_digest,
            );
            compared++;
          },
        ),
        { numRuns: RUNS },
      );
      // Not every file refused: the rows and rejects were compared.
      expect(compared).toBeGreaterThan(0);
    });
  }

  async function dataDigest(id: string) {
    return t.store.db
      .selectFrom('source_file')
      .select(['data_digest'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  async function fileRow(id: string) {
    return t.store.db
      .selectFrom('source_file')
      .select(['participant', 'business_date'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }
});
