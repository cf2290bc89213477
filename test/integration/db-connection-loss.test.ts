import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeAccountMap } from '../../scripts/generate/bos.js';
import { generate, syntheticAccountMap } from '../../scripts/generate/layouts.js';
import { StreamSink } from '../../scripts/generate/sink.js';
import { runCli, startCli } from '../support/cli.js';
import { describeWithOwnPostgres, startOwnPostgres, type OwnPostgres } from '../support/own-postgres.js';

const ROWS = 150_000;

/** What the operator must see instead of a crash: exit 2, the lost connection, the server, no stack. */
function expectConnectionLostReport(result: { code: number | null; stderr: string }, port: number): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toMatch(
    /lost the connection to the PostgreSQL server at postgres:\/\/postgres@127\.0\.0\.1:/,
  );
  expect(result.stderr).toContain(`127.0.0.1:${port}`);
  expect(result.stderr).toContain('what to do:');
  expect(result.stderr).not.toContain("Unhandled 'error' event");
  expect(result.stderr).not.toContain('internal error');
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describeWithOwnPostgres('a lost database connection: exit 2, a clear message, nothing half-loaded', () => {
  let server: OwnPostgres;
  let work: string;
  let bosA: string;
  let bosB: string;
  let dcassFile: string;

  beforeAll(async () => {
    server = await startOwnPostgres();
    work = mkdtempSync(path.join(tmpdir(), 'dcass-connloss-'));
    const opts = { seed: 11, date: '20190506', participant: 'CABC', rows: ROWS, diffRate: 0 };
    const summary = await generate(['bos-trd', 'dcass-trd-csv'], opts, work, false);
    [bosA, dcassFile] = summary.files.map((f) => f.path) as [string, string];
    const nextDay = await generate(['bos-trd'], { ...opts, date: '20190507' }, work, false);
    bosB = nextDay.files[0]!.path;
    // The account map first, so the BOS trades load as trades rather than unmapped rejected rows.
    const accountMap = path.join(work, 'ACCOUNT_MAP_CABC.csv');
    const sink = StreamSink.toFile(accountMap);
    await writeAccountMap(sink, syntheticAccountMap(opts));
    await sink.close();
    const first = await runCli(['--db', server.url, 'ingest', '--source', 'bos', accountMap]);
    expect(first.code, first.stderr).toBe(0);
  }, 180_000);

  afterAll(() => {
    server?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  /** Starts a CLI command and resolves `ready` once its debug log shows the given message. */
  function startUntil(args: readonly string[], message: string) {
    const child = startCli(['--db', server.url, '--verbose', ...args]);
    let stderr = '';
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const done = new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) =>
      child.on('close', (code) => resolve({ code, stderr, stdout })),
    );
    const ready = new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes(`"msg":"${message}"`)) resolve();
      });
      child.on('close', () => reject(new Error(`the command ended before the fault:\n${stderr}\n${stdout}`)));
    });
    return { ready, done };
  }

  /** Starts an ingest of a big BOS file and resolves `ready` once its rows flow to the server. */
  const ingestBos = (file: string) => startUntil(['ingest', '--source', 'bos', file], 'file load progress');

  async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  /** What the database holds of a BOS file: its trades, rejected rows and source_file rows. */
  async function bosCounts(file: string) {
    const [row] = await query<{ trades: string; rejected: string; files: string }>(
      `SELECT (SELECT count(*) FROM trade t JOIN source_file f ON f.id = t.file_id WHERE f.file_name = $1) AS trades,
              (SELECT count(*) FROM rejected_row r JOIN source_file f ON f.id = r.file_id WHERE f.file_name = $1) AS rejected,
              (SELECT count(*) FROM source_file WHERE file_name = $1) AS files`,
      [path.basename(file)],
    );
    return { trades: Number(row!.trades), rejected: Number(row!.rejected), files: Number(row!.files) };
  }

  /** All or nothing: none of the interrupted file is kept, and loading it again loads it whole, once. */
  async function expectNothingThenWholeReload(file: string): Promise<void> {
    expect(await bosCounts(file)).toEqual({ trades: 0, rejected: 0, files: 0 });
    const again = await runCli(['--db', server.url, '--json', 'ingest', '--source', 'bos', file]);
    expect(again.code, again.stderr).toBe(0);
    const out = JSON.parse(again.stdout) as { files: { status: string; rows: number }[] };
    expect(out.files[0]).toMatchObject({ status: 'loaded', rows: ROWS });
    expect(await bosCounts(file)).toEqual({ trades: ROWS, rejected: 0, files: 1 });
  }

  it('server stopped during an ingest: exit 2 naming the server; the file is loaded whole on a re-ingest', async () => {
    const { ready, done } = ingestBos(bosA);
    await ready;
    server.stop('fast');
    expectConnectionLostReport(await done, server.port);
    server.start();
    await expectNothingThenWholeReload(bosA);
  }, 180_000);

  it("the COPY's backend terminated during an ingest: exit 2 naming the server; nothing of the file kept", async () => {
    const { ready, done } = ingestBos(bosB);
    await ready;
    // The backend of the ingest while it copies trades, into the file's own partition (trade_file_N)
    // (progress is logged as the file is read, so the first batch may still be on its way: wait for it).
    let terminated = 0;
    for (let i = 0; i < 500 && terminated === 0; i++) {
      const rows = await query<{ ok: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
          WHERE query LIKE 'COPY trade%' AND pid <> pg_backend_pid()`,
      );
      terminated = rows.filter((r) => r.ok).length;
      if (terminated === 0) await new Promise((r) => setTimeout(r, 10));
    }
    expect(terminated).toBe(1);
    expectConnectionLostReport(await done, server.port);
    await expectNothingThenWholeReload(bosB);
  }, 180_000);

  it('server stopped during a run: exit 2 naming the server; the run is failed or absent and a re-run works', async () => {
    for (const [source, file] of [
      ['dcass', dcassFile],
      ['bos', bosA],
    ] as const) {
      // Loaded, or skipped when the first test loaded it already.
      const loaded = await runCli(['--db', server.url, 'ingest', '--source', source, file]);
      expect(loaded.code, loaded.stderr).toBe(0);
    }
    const runArgs = ['run', '--date', '2019-05-06', '--recon', 'trades-bos'];
    // Stop once the run's first statement is done: it is inside its transaction, more to come.
    const { ready, done } = startUntil(runArgs, 'statement done');
    await ready;
    server.stop('fast');
    expectConnectionLostReport(await done, server.port);
    server.start();

    const runs = () =>
      query<{ status: string }>(
        `SELECT status FROM recon_run WHERE business_date = '2019-05-06' ORDER BY id`,
      );
    for (const r of await runs()) expect(r.status).toBe('failed');
    const again = await runCli(['--db', server.url, '--json', ...runArgs]);
    expect([0, 1], again.stderr).toContain(again.code);
    expect((await runs()).at(-1)).toEqual({ status: 'completed' });
  }, 300_000);
});
