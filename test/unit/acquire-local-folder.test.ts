import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPORT_PATTERNS } from '../../src/config/sftp-config.js';
import { fetchReports } from '../../src/ingest/acquire/fetch.js';
import { LocalFolderSource } from '../../src/ingest/acquire/local-folder-source.js';
import { databaseManifest } from '../../src/ingest/acquire/manifest.js';
import { isDcassError } from '../../src/shared/errors.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createTestDb, type TestDb } from '../support/db.js';

// The Sunday source: DCASS Online exports saved to a folder, through the same fetch path as SFTP.
describe('LocalFolderSource through fetchReports', () => {
  let tdb: TestDb;
  let base: string;
  beforeAll(async () => {
    tdb = await createTestDb();
    base = mkdtempSync(path.join(tmpdir(), 'dcass-local-src-'));
  });
  afterAll(async () => {
    await tdb?.dispose();
    rmSync(base, { recursive: true, force: true });
  });

  const run = (exports: string, date: string) =>
    fetchReports({
      source: new LocalFolderSource(exports),
      manifest: databaseManifest(tdb.store.db),
      participant: 'CABC',
      date,
      reports: DEFAULT_REPORT_PATTERNS,
      inboxDir: path.join(base, 'inbox'),
      totalMs: 30_000,
      retries: { count: 2, backoffMs: 10 },
      concurrency: 2,
      // The exports are written before the fetch: nothing to watch settle.
      completeness: { stableMs: 0, maxWaitMs: 0 },
      logger: silentLogger,
    });

  it('copies the date files into the inbox with sha256, skips them on a re-run, refuses symlinks and bad names', async () => {
    const exports = path.join(base, 'exports');
    mkdirSync(exports, { recursive: true });
    writeFileSync(path.join(exports, 'TRD001_CABC_20190505_1000.xml'), '<DcassReport/>');
    writeFileSync(path.join(exports, 'POS001_CABC_20190505_1000.csv'), 'a\n');
    writeFileSync(path.join(exports, 'POS001_CABC_20190503_1000.csv'), 'other date\n');
    writeFileSync(path.join(exports, '-rf'), 'x');
    symlinkSync('/etc/hostname', path.join(exports, 'TRD001_CABC_20190505_0900.xml'));

    const s = await run(exports, '2019-05-05');
    expect(s.origin).toBe(`local:${exports}`);
    expect(s.fetched.map((f) => f.name)).toEqual([
      'POS001_CABC_20190505_1000.csv',
      'TRD001_CABC_20190505_1000.xml',
    ]);
    expect(s.refused.map((f) => f.code).sort()).toEqual(['REMOTE_NAME_LEADING_DASH', 'REMOTE_NOT_A_FILE']);
    expect(s.ignored).toEqual(['POS001_CABC_20190503_1000.csv']);
    expect(readFileSync(s.fetched[1]!.localPath!, 'utf8')).toBe('<DcassReport/>');
    expect(s.fetched[1]!.sha256).toMatch(/^[0-9a-f]{64}$/);

    const again = await run(exports, '2019-05-05');
    expect(again.fetched).toEqual([]);
    expect(again.skipped).toHaveLength(2);
  });

  it('reads a per-date subfolder when there is one', async () => {
    const exports = path.join(base, 'dated');
    mkdirSync(path.join(exports, '20190505'), { recursive: true });
    writeFileSync(path.join(exports, '20190505', 'TRD001_CABC_20190505_1100.xml'), '<x/>');
    const s = await run(exports, '20190505');
    expect(s.fetched.map((f) => f.name)).toEqual(['TRD001_CABC_20190505_1100.xml']);
    expect(s.missingReports).toEqual(['POS001']);
  });

  it('a missing export folder is a clear error', async () => {
    const err = await run(path.join(base, 'nope'), '2019-05-05').catch((e: unknown) => e);
    expect(isDcassError(err) && err.code).toBe('ACQUIRE_SOURCE_MISSING');
    expect((err as Error).message).toMatch(/the export folder .*nope does not exist/);
  });
});
