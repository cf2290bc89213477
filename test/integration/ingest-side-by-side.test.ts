import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../scripts/generate/layouts.js';
import { ingestFiles, type IngestRequest } from '../../src/ingest/ingest.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { calendar, FIXTURES, profiles } from '../support/ingest.js';

const BOS = { path: path.join(FIXTURES, 'bos/BOS_TRADES_CABC_20190506.csv'), source: 'bos' } as const;

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
    // The fixture account map with 100,000 clients more: long enough to load that a file started
    // beside it is seen reading before it commits.
    const map = path.join(dir, 'ACCOUNT_MAP_CABC.csv');
    const more = Array.from({ length: 100_000 }, (_, i) => `Z${i},Z${i},NET,2019-01-02\n`).join('');
    writeFileSync(map, readFileSync(path.join(FIXTURES, 'bos/ACCOUNT_MAP_CABC.csv'), 'utf8') + more);
    const MAP = { path: map, source: 'bos' } as const;
    const { outcomes, events } = await load([
      BOS,
      { path: genium!, source: 'genium' },
      { path: dcass!, source: 'dcass' },
      MAP,
    ]);
    // The account map before the BOS trades, which are mapped through it; on a server the other lane
    // starts on the largest file read without it (Genium's: accounts as given) meanwhile.
    const mapLoaded = events.indexOf('loaded ACCOUNT_MAP_CABC.csv');
    expect(mapLoaded).toBeGreaterThan(0);
    expect(events.indexOf('read BOS_TRADES_CABC_20190506.csv')).toBeGreaterThan(mapLoaded);
    const readBeforeMap = new Set(events.slice(0, mapLoaded).filter((e) => e.startsWith('read')));
    if (dbKind === 'postgres') {
      expect(readBeforeMap).toContain('read ACCOUNT_MAP_CABC.csv');
      expect(readBeforeMap).toContain(`read ${path.basename(genium!)}`);
    } else {
      expect([...readBeforeMap]).toEqual(['read ACCOUNT_MAP_CABC.csv']);
    }
    expect(outcomes.map((o) => [o.fileName, o.status])).toEqual([
      ['BOS_TRADES_CABC_20190506.csv', 'loaded'],
      [path.basename(genium!), 'loaded'],
      [path.basename(dcass!), 'loaded'],
      ['ACCOUNT_MAP_CABC.csv', 'loaded'],
    ]);
    // On a server two files are read at once (one is read before the other has committed); PGlite has
    // one connection, so one file is read and committed before the next is started.
    const open = new Set<string>();
    let most = 0;
    for (const e of events) {
      const [what, file] = e.split(' ') as [string, string];
      if (what === 'read') open.add(file);
      else open.delete(file);
      most = Math.max(most, open.size);
    }
    expect(most).toBe(dbKind === 'postgres' ? 2 : 1);
    const stored = await t.store.db
      .selectFrom('trade as r')
      .innerJoin('source_file as f', 'f.id', 'r.file_id')
      .select(['f.file_name', 'f.row_count', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy(['f.file_name', 'f.row_count'])
      .orderBy('f.file_name')
      .execute();
    expect(stored.map((s) => Number(s.n))).toEqual(stored.map((s) => s.row_count));
    const large = stored.filter((s) => s.file_name !== 'BOS_TRADES_CABC_20190506.csv');
    expect(large.map((s) => s.file_name).sort()).toEqual([path.basename(genium!), path.basename(dcass!)].sort());
    expect(large.map((s) => s.row_count)).toEqual([30_000, 30_000]);
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
