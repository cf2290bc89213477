import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../scripts/generate/layouts.js';
import type { Profile } from '../../src/config/profile.js';
import { DcassError } from '../../src/shared/errors.js';
import { describeFile, nameFacts } from '../../src/ingest/load/file-meta.js';
import { IngestWorker } from '../../src/ingest/load/ingest-worker.js';
import { loadFile, type LoadContext } from '../../src/ingest/load/load-file.js';
import { AccountResolver } from '../../src/ingest/normalise/account-resolver.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { calendar, FIXTURES, ingest, profiles } from '../support/ingest.js';

const GENIUM_TRD = path.join(FIXTURES, 'genium/TRD001_CABC_20190503.lis');
const GOOD = { path: path.join(FIXTURES, 'genium/POS001_CABC_20190503.lis'), source: 'genium' } as const;

describe(`the ingest worker: what fails in it fails the file, nothing of it stored (${dbKind})`, () => {
  let t: TestDb;
  const dir = mkdtempSync(path.join(tmpdir(), 'dcass-worker-'));
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  const count = (table: 'trade' | 'position' | 'source_file' | 'rejected_row') =>
    t.store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  const counts = async () => ({
    trades: await count('trade'),
    files: await count('source_file'),
    rejects: await count('rejected_row'),
  });

  /** Loads one file through loadFile itself, with the given worker and profile (the file's by default). */
  async function loadDirect(
    file: string,
    reader: IngestWorker,
    options: {
      profile?: (p: Profile) => Profile;
      onBytes?: (n: number) => void;
      store?: TestDb;
      batchRows?: number;
    } = {},
  ) {
    const db = options.store ?? t;
    const chosen = profiles.select(path.basename(file), 'genium');
    const profile = options.profile?.(chosen) ?? chosen;
    const ctx: LoadContext = {
      store: db.store,
      reader,
      calendarDays: calendar.days,
      sessions: calendar.sessions,
      accounts: await AccountResolver.load(db.store.db),
      participant: 'CABC',
      batchRows: options.batchRows ?? 100,
      ...(options.onBytes ? { onBytes: options.onBytes } : {}),
    };
    return loadFile(ctx, profile, await describeFile(file), nameFacts(profile, path.basename(file)));
  }

  /** A generated Genium TRD001 backup of the given rows; its path. */
  async function genium(seed: number, date: string, rows: number): Promise<string> {
    const generated = await generate(
      ['genium-trd'],
      { seed, date, participant: 'CABC', rows, diffRate: 0 },
      dir,
      false,
    );
    return generated.files[0]!.path;
  }

  it('refuses a bad file with the DcassError as raised in the worker, then loads the next file of the call', async () => {
    const lines = readFileSync(GENIUM_TRD, 'latin1').split('\r\n');
    lines.splice(3, 1);
    const bad = path.join(dir, 'TRD001_CABC_20190503.lis');
    writeFileSync(bad, lines.join('\r\n'), 'latin1');
    const before = await counts();
    const [refused, loaded] = await ingest(t.store, [{ path: bad, source: 'genium' }, GOOD]);
    expect(refused!.status).toBe('refused');
    expect(refused!.error).toEqual({
      code: 'INGEST_TRAILER_MISMATCH',
      message:
        'TRD001_CABC_20190503.lis:21: the trailer counts 20 detail records but the file has 19: truncated or corrupt',
      hint: 'restore or fetch the file again; nothing of it was loaded',
    });
    const record = await t.store.db
      .selectFrom('refused_file')
      .select(['code', 'line_no'])
      .where('path', '=', bad)
      .executeTakeFirstOrThrow();
    expect(record).toEqual({ code: 'INGEST_TRAILER_MISMATCH', line_no: 21 });
    // The same worker, reused after the failure, reads the next file of the call.
    expect(loaded!.status).toBe('loaded');
    const after = await counts();
    expect(after.trades).toBe(before.trades);
    expect(after.files).toBe(before.files + 1);
  });

  it('throws an unexpected error of the worker on as it was raised, with its name, message and stack', async () => {
    const reader = new IngestWorker(6);
    const before = await counts();
    try {
      // A profile the schema would refuse: its reader fails with a TypeError in the worker.
      const broken = (p: Profile): Profile => ({ ...p, fields: { ...p.fields, broken: null as never } });
      const err: unknown = await loadDirect(GENIUM_TRD, reader, { profile: broken }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(DcassError);
      expect((err as Error).name).toBe('TypeError');
      expect((err as Error).message).toMatch(/null/);
      expect((err as Error).stack).toMatch(/field\.ts|field\.js/);
      expect(await counts()).toEqual(before);
      // The worker is still there for the next file.
      const result = await loadDirect(GENIUM_TRD, reader);
      expect(result.rows).toBeGreaterThan(0);
    } finally {
      await reader.close();
    }
  });

  it('rolls the file back when the worker dies in the middle of it', async () => {
    const file = await genium(11, '20190506', 30_000);
    const reader = new IngestWorker(6);
    const before = await counts();
    let stopped = false;
    const err: unknown = await loadDirect(file, reader, {
      // Batches of 100 rows have been stored by the time a megabyte is read.
      onBytes: (n) => {
        if (n >= 1 << 20 && !stopped) {
          stopped = true;
          void reader.close();
        }
      },
    }).catch((e: unknown) => e);
    expect(stopped).toBe(true);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^the ingest worker stopped: it exited with code \d+$/);
    expect(await counts()).toEqual(before);
    // A fresh worker is started for the next file.
    const result = await loadDirect(file, reader);
    await reader.close();
    expect(result.rows).toBe(30_000);
  });

  it('stores every row as read whatever the batches: 37 rows at a time as one batch of them all', async () => {
    // Batches of 37 rows, of varying length, the last shorter than the rest: each batch's buffer, ids
    // and COPY must keep its rows whole and in order.
    const file = await genium(12, '20190507', 2_000);
    const whole = await createTestDb();
    const reader = new IngestWorker(6);
    try {
      const inBatches = await loadDirect(file, reader, { batchRows: 37 });
      const atOnce = await loadDirect(file, reader, { store: whole, batchRows: 100_000 });
      const rowsOf = async (db: TestDb, fileId: string) =>
        (
          await db.store.db
            .selectFrom('trade')
            .selectAll()
            .where('file_id', '=', fileId)
            .orderBy('id')
            .execute()
        ).map(({ id: _id, file_id: _file, ...row }) => row);
      const stored = await rowsOf(t, inBatches.fileId);
      expect(stored).toHaveLength(2_000);
      expect(stored).toEqual(await rowsOf(whole, atOnce.fileId));
    } finally {
      await reader.close();
      await whole.dispose();
    }
  });
});
