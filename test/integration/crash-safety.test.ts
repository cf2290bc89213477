import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../scripts/generate/layouts.js';
import { openStore } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createTestTarget, dbKind } from '../support/db.js';
import { runCli, startCli } from '../support/cli.js';

const ROWS = 150_000;

describe(`crash safety: SIGKILL in the middle of a large file (${dbKind})`, () => {
  let target: { target: string; drop: () => Promise<void> };
  let file: string;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dcass-crash-'));
    const summary = await generate(
      ['genium-trd'],
      { seed: 7, date: '20190506', participant: 'CABC', rows: ROWS, diffRate: 0 },
      dir,
      false,
    );
    file = summary.files[0]!.path;
    target = await createTestTarget();
  });
  afterAll(async () => target.drop());

  async function counts() {
    const store = await openStore(target.target);
    try {
      await migrateToLatest(store);
      const n = async (table: 'trade' | 'source_file') =>
        Number(
          (
            await store.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      return { trades: await n('trade'), files: await n('source_file') };
    } finally {
      await store.close();
    }
  }

  it('leaves none of the file in the database, and a re-run loads it whole, once', async () => {
    const child = startCli(['--db', target.target, '--verbose', 'ingest', '--source', 'genium', file]);
    let stderr = '';
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    // Kill once rows are flowing: a tenth of the file read is about 15,000 rows, three COPY batches
    // of 5,000 sent or in flight, with nine tenths of the work still to do. A delay after the load's
    // start, as before, lost the race once the server loaded the whole file in 1.3 s.
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('"msg":"file load progress"')) resolve();
      });
      child.on('exit', () =>
        reject(new Error(`ingest ended before it could be killed:\n${stderr}\n${stdout}`)),
      );
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(stdout).not.toContain('loaded');

    expect(await counts()).toEqual({ trades: 0, files: 0 });

    const again = await runCli(['--db', target.target, '--json', 'ingest', '--source', 'genium', file]);
    expect(again.code, again.stderr).toBe(0);
    const out = JSON.parse(again.stdout) as { files: { status: string; rows: number }[] };
    expect(out.files[0]).toMatchObject({ status: 'loaded', rows: ROWS });
    expect(await counts()).toEqual({ trades: ROWS, files: 1 });

    const third = await runCli(['--db', target.target, '--json', 'ingest', '--source', 'genium', file]);
    expect(JSON.parse(third.stdout).files[0].status).toBe('skipped');
    expect(await counts()).toEqual({ trades: ROWS, files: 1 });
  });
});
