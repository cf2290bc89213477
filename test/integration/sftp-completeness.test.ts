import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ProfileRegistry } from '../../src/config/profiles.js';
import { Secret, type SftpConfig } from '../../src/config/sftp-config.js';
import { fetchReports, type FetchSummary } from '../../src/ingest/acquire/fetch.js';
import { databaseManifest } from '../../src/ingest/acquire/manifest.js';
import { SftpSource } from '../../src/ingest/acquire/sftp-source.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { FIXTURES, calendar, profiles } from '../support/ingest.js';
import { describeWithSshd, sftpConfigFor, startSshd, type TestSshd } from '../support/sshd.js';

const P = 'CABC';
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const POS_CSV = readFileSync(path.join(FIXTURES, 'dcass', '20190507', 'POS001_CABC_20190507_2310.csv'));

/**
 * A writer on the server's side: appends `lines` to `file` one every `everyMs` in its own process,
 * as the publisher writing a report would. Prints "started" after the first line, "done" after the last.
 */
function startWriter(file: string, lines: readonly string[], everyMs: number): ChildProcess {
  const script = `
    const fs = require('node:fs');
    const [file, everyMs, ...lines] = process.argv.slice(1);
    let i = 0;
    const next = () => {
      fs.appendFileSync(file, lines[i++]);
      if (i === 1) process.stdout.write('started\\n');
      if (i < lines.length) setTimeout(next, Number(everyMs));
      else process.stdout.write('done\\n');
    };
    next();`;
  return spawn(process.execPath, ['-e', script, file, String(everyMs), ...lines], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** Resolves once the writer printed `word`; its output keeps being read (a closed pipe would kill it). */
function writerSaid(child: ChildProcess, word: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(word)) resolve();
    });
    child.once('exit', () => reject(new Error(`the writer ended without saying ${word}`)));
  });
}

/** The built-in profiles, the DCASS CSV ones declaring a `{name}.done` marker. */
const markedProfiles = new ProfileRegistry(
  profiles
    .all()
    .map((p) =>
      p.source === 'dcass' && p.format.type === 'csv' ? { ...p, completeness: { marker: '{name}.done' } } : p,
    ),
);

describeWithSshd('fetch takes a remote file only once it is complete (real OpenSSH server)', () => {
  let server: TestSshd;
  let tdb: TestDb;
  const writers: ChildProcess[] = [];

  beforeAll(async () => {
    server = await startSshd();
    tdb = await createTestDb();
  });
  afterEach(() => {
    for (const w of writers.splice(0)) if (w.exitCode === null) w.kill('SIGKILL');
  });
  afterAll(async () => {
    await tdb?.dispose();
    await server?.stop();
  });

  const run = (
    date: string,
    completeness: SftpConfig['completeness'],
    markerFor?: (name: string) => string | undefined,
  ): Promise<FetchSummary> => {
    const config = sftpConfigFor(server, {
      completeness,
      reports: { POS001: 'POS001_{participant}_{date}_{hhmm}.{ext}' },
    });
    return fetchReports({
      source: new SftpSource({
        config,
        secrets: { passphrase: new Secret(server.clientKey.passphrase!) },
        logger: silentLogger,
      }),
      manifest: databaseManifest(tdb.store.db),
      participant: config.participant,
      date,
      reports: config.reports,
      inboxDir: config.inboxDir,
      totalMs: config.timeouts.totalMs,
      retries: config.retries,
      concurrency: config.concurrency,
      completeness: config.completeness,
      ...(markerFor === undefined ? {} : { markerFor }),
      logger: silentLogger,
    });
  };
  const inboxFiles = (date: string): string[] => {
    const dir = path.join(server.workDir, 'inbox', date);
    return existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')) : [];
  };
  const manifestRows = (runId: string) =>
    tdb.store.db
      .selectFrom('fetch_manifest')
      .select(['file_name', 'outcome', 'code', 'completeness', 'sha256'])
      .where('run_id', '=', runId)
      .execute();
  const loadedCompleteness = async (file: string): Promise<string | null | undefined> => {
    const [outcome] = await ingestFiles(
      { store: tdb.store, profiles: markedProfiles, calendar, participant: P },
      [{ path: file, source: 'dcass' }],
    );
    expect(outcome?.error).toBeNull();
    const row = await tdb.store.db
      .selectFrom('source_file')
      .select('completeness')
      .where('id', '=', outcome!.fileId!)
      .executeTakeFirst();
    return row?.completeness;
  };

  it('waits while a file is being written and takes it whole, recorded as stable', async () => {
    const date = '20190507';
    const name = 'POS001_CABC_20190507_2310.csv';
    server.makeDateDir(P, date);
    const remote = path.join(server.remoteRoot, P, 'INBOX', date, name);
    const lines = POS_CSV.toString('utf8').split(/(?<=\n)/);
    const writer = startWriter(remote, lines, 150);
    writers.push(writer);
    await writerSaid(writer, 'started');
    const sizeWhenFetchStarted = statSync(remote).size;
    expect(sizeWhenFetchStarted).toBeLessThan(POS_CSV.length);

    const s = await run('2019-05-07', { stableMs: 1_500, maxWaitMs: 60_000 });
    // The writer finished before the file was taken: the fetch waited for it.
    expect(writer.exitCode).not.toBeNull();
    expect(s.ok).toBe(true);
    expect(s.deferred).toEqual([]);
    expect(s.fetched.map((f) => [f.name, f.sha256, f.size, f.completeness])).toEqual([
      [name, sha(POS_CSV), POS_CSV.length, 'stable'],
    ]);
    expect(readFileSync(s.fetched[0]!.localPath!)).toEqual(POS_CSV);
    expect(await manifestRows(s.runId)).toEqual([
      { file_name: name, outcome: 'fetched', code: null, completeness: 'stable', sha256: sha(POS_CSV) },
    ]);
    // The load knows the CSV (no trailer, no count) came whole because the fetch saw it stable.
    expect(await loadedCompleteness(s.fetched[0]!.localPath!)).toBe('stable');
  });

  it('leaves a file still growing after maxWaitMs for the next fetch, which takes it once it stops', async () => {
    const date = '20190508';
    const name = 'POS001_CABC_20190508_2310.csv';
    server.makeDateDir(P, date);
    const remote = path.join(server.remoteRoot, P, 'INBOX', date, name);
    const lines = Array.from({ length: 2_000 }, (_, i) => `2019-05-08,H01,HSIK9,${i},0,0,0\n`);
    const writer = startWriter(
      remote,
      ['position_date,account,series,long,short,exercised,assigned\n', ...lines],
      100,
    );
    writers.push(writer);
    await writerSaid(writer, 'started');

    const s = await run('2019-05-08', { stableMs: 1_000, maxWaitMs: 2_500 });
    expect(writer.exitCode).toBeNull(); // still writing
    expect(s.fetched).toEqual([]);
    expect(s.failed).toEqual([]);
    expect(s.deferred.map((f) => [f.name, f.code])).toEqual([[name, 'REMOTE_FILE_GROWING']]);
    expect(s.deferred[0]!.reason).toMatch(
      /still changing after 2500 ms \(still being written\); left for the next fetch/,
    );
    expect(s.ok).toBe(false);
    expect(s.missingReports).toEqual(['POS001']);
    expect(s.notes).toContain('the POS001 file for 2019-05-08 is still being written: fetch again later');
    expect(inboxFiles(date)).toEqual([]);
    expect(await manifestRows(s.runId)).toEqual([
      { file_name: name, outcome: 'deferred', code: 'REMOTE_FILE_GROWING', completeness: null, sha256: null },
    ]);

    // The publisher finishes (the writer is stopped); the next fetch takes the file as it now is.
    writer.kill('SIGKILL');
    await once(writer, 'exit');
    const written = readFileSync(remote);
    const again = await run('2019-05-08', { stableMs: 1_000, maxWaitMs: 10_000 });
    expect(again.ok).toBe(true);
    expect(again.fetched.map((f) => [f.name, f.sha256, f.completeness])).toEqual([
      [name, sha(written), 'stable'],
    ]);
    expect(inboxFiles(date)).toEqual([name]);
  });

  it('takes a file with a declared marker only once the marker is listed', async () => {
    const date = '20190509';
    const name = 'POS001_CABC_20190509_2310.csv';
    const content = POS_CSV.toString('utf8').replaceAll('2019-05-07', '2019-05-09');
    server.putFile(P, date, name, content);
    const markerFor = (n: string) =>
      markedProfiles.all().find((p) => p.completeness && new RegExp(p.match).test(n))?.completeness?.marker;

    const before = await run('2019-05-09', { stableMs: 0, maxWaitMs: 0 }, markerFor);
    expect(before.fetched).toEqual([]);
    expect(before.deferred.map((f) => [f.name, f.code, f.reason])).toEqual([
      [
        name,
        'REMOTE_MARKER_MISSING',
        `${name} is not marked complete yet (no ${name}.done beside it); left for the next fetch`,
      ],
    ]);
    expect(inboxFiles(date)).toEqual([]);

    server.putFile(P, date, `${name}.done`, '');
    const after = await run('2019-05-09', { stableMs: 0, maxWaitMs: 0 }, markerFor);
    expect(after.ok).toBe(true);
    expect(after.fetched.map((f) => [f.name, f.sha256, f.completeness])).toEqual([
      [name, sha(content), 'marker'],
    ]);
    // The marker belongs to its file: not a stray name, and not copied.
    expect(after.ignored).toEqual([]);
    expect(inboxFiles(date)).toEqual([name]);
    expect(await loadedCompleteness(after.fetched[0]!.localPath!)).toBe('marker');
  });

  it('records how each loaded file is known whole: trailer, record-count, a marker beside it, or unverifiable', async () => {
    const local = mkdtempSync(path.join(tmpdir(), 'dcass-completeness-'));
    const csv = path.join(local, 'POS001_CABC_20190510_2310.csv');
    copyFileSync(path.join(FIXTURES, 'dcass', '20190510', 'POS001_CABC_20190510_2310.csv'), csv);
    expect(await loadedCompleteness(csv)).toBe('unverifiable');
    const marked = path.join(local, 'TRD001_CABC_20190510_2310.csv');
    copyFileSync(path.join(FIXTURES, 'dcass', '20190510', 'TRD001_CABC_20190510_2310.csv'), marked);
    writeFileSync(`${marked}.done`, '');
    expect(await loadedCompleteness(marked)).toBe('marker');
    expect(
      await loadedCompleteness(path.join(FIXTURES, 'dcass', '20190506', 'POS001_CABC_20190506_2310.xml')),
    ).toBe('record-count');
    const [genium] = await ingestFiles({ store: tdb.store, profiles, calendar, participant: P }, [
      { path: path.join(FIXTURES, 'genium', 'POS001_CABC_20190503.lis'), source: 'genium' },
    ]);
    const row = await tdb.store.db
      .selectFrom('source_file')
      .select('completeness')
      .where('id', '=', genium!.fileId!)
      .executeTakeFirstOrThrow();
    expect(row.completeness).toBe('trailer');
  });
});
