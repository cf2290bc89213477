import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../scripts/generate/layouts.js';
import { ingestFiles, type IngestRequest } from '../../src/ingest/ingest.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { calendar, FIXTURES, profiles } from '../support/ingest.js';

const MAP = { path: path.join(FIXTURES, 'bos/ACCOUNT_MAP_CABC.csv'), source: 'bos' } as const;

describe(`large files load side by side on a server, one after another on PGlite (${dbKind})`, () => {
  let t: TestDb;
  const dir = mkdtempSync(path.join(tmpdir(), 'dcass-side-by-side-'));
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  /** Ingests with every file counted as large; returns the outcomes and the order things happened in. */
  async function load(requests: readonly IngestRequest[]) {
    const events: string[] = [];
    const outcomes = await ingestFiles(
      {
        store: t.store,
        profiles,
        calendar,
        participant: 'CABC',
        sideBySideBytes: 1,
        onProgress: (file) => {
          if (events.at(-1) !== `read ${file}`) events.push(`read ${file}`);
        },
        onOutcome: (o) => events.push(`${o.status} ${o.fileName}`),
      },
      requests,
    );
    return { outcomes, events };
  }

  it('loads each file whole in its own transaction, reports in the order asked, and overlaps them only on a server', async () => {
    // Files that take a second or two each to load, so that two loads at once overlap.
    const generated = await generate(
      ['genium-trd', 'dcass-trd-csv'],
      { seed: 17, date: '20190506', participant: 'CABC', rows: 30_000, diffRate: 0 },
      dir,
      false,
    );
    const [genium, dcass] = generated.files.map((f) => f.path);
    const { outcomes, events } = await load([
      { path: genium!, source: 'genium' },
      { path: dcass!, source: 'dcass' },
      MAP,
    ]);
    // The account map first, alone: the BOS trades are mapped through it.
    expect(events[0]).toBe('read ACCOUNT_MAP_CABC.csv');
    expect(events[1]).toBe('loaded ACCOUNT_MAP_CABC.csv');
    expect(outcomes.map((o) => [o.fileName, o.status])).toEqual([
      [path.basename(genium!), 'loaded'],
      [path.basename(dcass!), 'loaded'],
      ['ACCOUNT_MAP_CABC.csv', 'loaded'],
    ]);
    const rest = events.slice(2);
    const firstDone = rest.findIndex((e) => e.startsWith('loaded'));
    const readBeforeFirstDone = new Set(rest.slice(0, firstDone).filter((e) => e.startsWith('read')));
    // On a server the second file is being read before the first has committed; PGlite has one
    // connection, so one file is read and committed before the next is started.
    expect(readBeforeFirstDone.size).toBe(dbKind === 'postgres' ? 2 : 1);
    const stored = await t.store.db
      .selectFrom('trade as r')
      .innerJoin('source_file as f', 'f.id', 'r.file_id')
      .select(['f.file_name', 'f.row_count', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy(['f.file_name', 'f.row_count'])
      .orderBy('f.file_name')
      .execute();
    expect(stored.map((s) => Number(s.n))).toEqual(stored.map((s) => s.row_count));
    expect(stored.map((s) => s.file_name).sort()).toEqual(
      [path.basename(genium!), path.basename(dcass!)].sort(),
    );
    expect(stored.map((s) => s.row_count)).toEqual([30_000, 30_000]);
  });

  it('the same bytes under two names at once: one loaded, the other skipped as loaded, nothing twice', async () => {
    const copy = path.join(dir, 'TRD001_CABC_20190510_2310.csv');
    copyFileSync(path.join(FIXTURES, 'dcass/20190510/TRD001_CABC_20190510_2310.csv'), copy);
    const original = {
      path: path.join(FIXTURES, 'dcass/20190510/TRD001_CABC_20190510_2310.csv'),
      source: 'dcass',
    } as const;
    const { outcomes } = await load([original, { path: copy, source: 'dcass' }]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['loaded', 'skipped']);
    expect(outcomes[0]!.fileId).toBe(outcomes[1]!.fileId);
    const files = await t.store.db
      .selectFrom('source_file')
      .select('id')
      .where('sha256', '=', outcomes[0]!.sha256!)
      .execute();
    expect(files).toHaveLength(1);
  });
});
