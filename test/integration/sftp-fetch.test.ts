import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret, type SftpConfig } from '../../src/config/sftp-config.js';
import { sql } from 'kysely';
import { fetchReports, type FetchProgress, type FetchSummary } from '../../src/ingest/acquire/fetch.js';
import { databaseManifest } from '../../src/ingest/acquire/manifest.js';
import { SftpSource } from '../../src/ingest/acquire/sftp-source.js';
import { isDcassError } from '../../src/shared/errors.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { describeWithSshd, sftpConfigFor, startSshd, type TestSshd } from '../support/sshd.js';

const P = 'CABC';
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** A migrated test database with the fetch manifest. */
async function createFetchDb(): Promise<TestDb> {
  const tdb = await createTestDb();
  return tdb;
}

/** Every regular file under a folder, relative paths. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .sort();
}

describeWithSshd('fetch from a real OpenSSH server', () => {
  let server: TestSshd;
  let tdb: TestDb;

  beforeAll(async () => {
    server = await startSshd();
    tdb = await createFetchDb();
  });
  afterAll(async () => {
    await tdb?.dispose();
    await server?.stop();
  });

  const run = (
    date: string,
    overrides: Partial<SftpConfig> = {},
    onProgress?: (e: FetchProgress) => void,
  ): Promise<FetchSummary> => {
    // Files are written before each fetch: no need to watch them settle, except where a test says so.
    const config = sftpConfigFor(server, { completeness: { stableMs: 0, maxWaitMs: 0 }, ...overrides });
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
      logger: silentLogger,
      ...(onProgress === undefined ? {} : { onProgress }),
    });
  };
  const inbox = (date: string): string => path.join(server.workDir, 'inbox', date);

  describe('happy path, re-run, new generation', () => {
    const date = '20190506';
    const trd = '<DcassReport reportId="TRD001"/>\n';
    const pos = 'position_date,account\n2019-05-06,H01\n';

    it('fetches the matching files, verified, and records them', async () => {
      server.putFile(P, date, 'TRD001_CABC_20190506_2310.xml', trd, new Date('2019-05-06T15:10:00Z'));
      server.putFile(P, date, 'POS001_CABC_20190506_2310.csv', pos, new Date('2019-05-06T15:10:00Z'));
      server.putFile(P, date, 'README.txt', 'not a report');
      server.putFile(P, date, 'TRD001_CXYZ_20190506_2310.xml', 'another participant');

      const s = await run('2019-05-06');
      expect(s.ok).toBe(true);
      expect(s.fetched.map((f) => f.name)).toEqual([
        'POS001_CABC_20190506_2310.csv',
        'TRD001_CABC_20190506_2310.xml',
      ]);
      expect(s.ignored).toEqual(['README.txt', 'TRD001_CXYZ_20190506_2310.xml']);
      expect(s.skipped).toEqual([]);
      expect(s.failed).toEqual([]);
      const t = s.fetched.find((f) => f.reportId === 'TRD001')!;
      expect(t).toMatchObject({ size: Buffer.byteLength(trd), sha256: sha(trd), generation: 1, attempts: 1 });
      expect(t.mtime?.toISOString()).toBe('2019-05-06T15:10:00.000Z');
      expect(t.remotePath).toBe(`${server.remoteRoot}/CABC/INBOX/20190506/TRD001_CABC_20190506_2310.xml`);
      expect(readFileSync(t.localPath!, 'utf8')).toBe(trd);
      expect(filesUnder(inbox(date))).toEqual([
        'POS001_CABC_20190506_2310.csv',
        'TRD001_CABC_20190506_2310.xml',
      ]);

      const rows = await tdb.store.db
        .selectFrom('fetch_manifest')
        .selectAll()
        .where('run_id', '=', s.runId)
        .orderBy('file_name')
        .execute();
      expect(rows.map((r) => [r.file_name, r.outcome, r.sha256, r.size_bytes, r.business_date])).toEqual([
        ['POS001_CABC_20190506_2310.csv', 'fetched', sha(pos), String(Buffer.byteLength(pos)), '2019-05-06'],
        ['TRD001_CABC_20190506_2310.xml', 'fetched', sha(trd), String(Buffer.byteLength(trd)), '2019-05-06'],
      ]);
      expect(rows[1]!.remote_mtime?.toISOString()).toBe('2019-05-06T15:10:00.000Z');
    });

    it('skips on a re-run what was fetched with the same size and mtime', async () => {
      const s = await run('2019-05-06');
      expect(s.ok).toBe(true);
      expect(s.fetched).toEqual([]);
      expect(s.skipped.map((f) => [f.name, f.generation])).toEqual([
        ['POS001_CABC_20190506_2310.csv', 1],
        ['TRD001_CABC_20190506_2310.xml', 1],
      ]);
    });

    it('fetches a changed remote file as a new generation and keeps the old one', async () => {
      const revised = '<DcassReport reportId="TRD001" revised="1"/>\n';
      server.putFile(P, date, 'TRD001_CABC_20190506_2310.xml', revised, new Date('2019-05-06T16:00:00Z'));
      const s = await run('2019-05-06');
      expect(s.fetched.map((f) => [f.name, f.generation, f.sha256])).toEqual([
        ['TRD001_CABC_20190506_2310.xml', 2, sha(revised)],
      ]);
      expect(s.skipped.map((f) => f.name)).toEqual(['POS001_CABC_20190506_2310.csv']);
      expect(readFileSync(path.join(inbox(date), 'TRD001_CABC_20190506_2310.xml'), 'utf8')).toBe(trd);
      expect(readFileSync(path.join(inbox(date), 'g2', 'TRD001_CABC_20190506_2310.xml'), 'utf8')).toBe(
        revised,
      );

      // Going back to the first version's size and mtime is not a new generation: it is skipped.
      const again = await run('2019-05-06');
      expect(again.fetched).toEqual([]);
    });

    it('fetches a version again into its place when its local copy was deleted', async () => {
      rmSync(path.join(inbox(date), 'POS001_CABC_20190506_2310.csv'));
      const s = await run('2019-05-06');
      expect(s.fetched.map((f) => [f.name, f.generation])).toEqual([['POS001_CABC_20190506_2310.csv', 1]]);
      expect(readFileSync(path.join(inbox(date), 'POS001_CABC_20190506_2310.csv'), 'utf8')).toBe(pos);
    });

    it('fetches only the reports asked for', async () => {
      server.putFile(P, '20190507', 'TRD001_CABC_20190507_2310.xml', 'x');
      server.putFile(P, '20190507', 'POS001_CABC_20190507_2310.csv', 'y');
      const config = sftpConfigFor(server);
      const s = await fetchReports({
        source: new SftpSource({
          config,
          secrets: { passphrase: new Secret(server.clientKey.passphrase!) },
          logger: silentLogger,
        }),
        manifest: databaseManifest(tdb.store.db),
        participant: P,
        date: '2019-05-07',
        reports: config.reports,
        only: ['POS001'],
        inboxDir: config.inboxDir,
        totalMs: 60_000,
        retries: config.retries,
        concurrency: 2,
        logger: silentLogger,
      });
      expect(s.fetched.map((f) => f.name)).toEqual(['POS001_CABC_20190507_2310.csv']);
      // The default waits: the file was seen unchanged over the interval before it was taken.
      expect(s.fetched[0]!.completeness).toBe('stable');
      expect(s.ignored).toEqual(['TRD001_CABC_20190507_2310.xml']);
    });
  });

  describe('empty and missing folders', () => {
    it('an empty date folder is a clear note and the missing reports, not an error', async () => {
      server.makeDateDir(P, '20190510');
      const s = await run('2019-05-10');
      expect(s.ok).toBe(false);
      expect(s.fetched).toEqual([]);
      expect(s.missingReports).toEqual(['TRD001', 'POS001']);
      expect(s.notes[0]).toMatch(
        /CABC\/INBOX\/20190510 is empty: nothing has been published for 2019-05-10 yet/,
      );
      expect(s.notes[1]).toMatch(/no TRD001 file for 2019-05-10/);
    });

    it('a missing date folder throws SFTP_REMOTE_MISSING naming the folder and what to do', async () => {
      const err = await run('2019-05-13').catch((e: unknown) => e);
      expect(isDcassError(err) && err.code).toBe('SFTP_REMOTE_MISSING');
      expect((err as Error).message).toMatch(
        /no folder for business date 20190513 on the server: .*\/CABC\/INBOX\/20190513 does not exist/,
      );
      expect((err as { hint?: string }).hint).toMatch(/not published reports for this date yet/);
    });

    it('a missing participant folder points at the participant setting', async () => {
      const err = await run('2019-05-06', { participant: 'CZZZ' }).catch((e: unknown) => e);
      expect(isDcassError(err) && err.code).toBe('SFTP_REMOTE_MISSING');
      expect((err as Error).message).toMatch(/CZZZ\/INBOX does not exist/);
      expect((err as { location?: { path?: string } }).location?.path).toBe('sftp.participant');
    });
  });

  describe('hostile remote names', () => {
    const date = '20190508';
    const hostile = [
      '-rf',
      '--help',
      'TRD001_CABC_20190508_2310..xml',
      '..TRD001_CABC_20190508_2310.xml',
      'TRD001_CABC_20190508_2310.xml\n',
      'TRD001\r\n_CABC.xml',
      'TRD001_\u001b[2J_CABC.xml',
      'TRD001_CABC_20190508_2310\u202elmx.csv',
      '.TRD001_CABC_20190508_2310.xml',
      `TRD001_CABC_20190508_2310_${'x'.repeat(200)}.xml`,
      'TRD001:CABC.xml',
      'TRD001_CABC_20190508_2310.xml ',
    ];

    it('refuses and records each hostile name, fetches the valid files, writes nothing else', async () => {
      server.putFile(P, date, 'TRD001_CABC_20190508_2310.xml', 'valid trades');
      server.putFile(P, date, 'POS001_CABC_20190508_2310.csv', 'valid positions');
      for (const name of hostile) server.putFile(P, date, name, `hostile ${name}`);
      // A symlink with a valid report name: not a regular file, so refused, never followed.
      symlinkSync(
        '/etc/passwd',
        path.join(server.remoteRoot, P, 'INBOX', date, 'TRD001_CABC_20190508_0000.xml'),
      );

      const s = await run('2019-05-08');
      expect(s.fetched.map((f) => f.name)).toEqual([
        'POS001_CABC_20190508_2310.csv',
        'TRD001_CABC_20190508_2310.xml',
      ]);
      expect(s.failed).toEqual([]);
      // Refused names make the fetch not ok (the CLI exits 2), though the valid files are kept.
      expect(s.ok).toBe(false);
      expect(s.missingReports).toEqual([]);
      expect(s.refused).toHaveLength(hostile.length + 1);
      const codes = new Set(s.refused.map((r) => r.code));
      for (const c of [
        'REMOTE_NAME_LEADING_DASH',
        'REMOTE_NAME_DOT_DOT',
        'REMOTE_NAME_CONTROL_CHAR',
        'REMOTE_NAME_INVISIBLE_CHAR',
        'REMOTE_NAME_LEADING_DOT',
        'REMOTE_NAME_TOO_LONG',
        'REMOTE_NAME_RESERVED_CHAR',
        'REMOTE_NAME_TRAILING_SPACE_OR_DOT',
        'REMOTE_NOT_A_FILE',
      ]) {
        expect(codes).toContain(c);
      }
      // eslint-disable-next-line no-control-regex -- looking for raw control characters is the point
      for (const r of s.refused) expect(r.name + r.reason).not.toMatch(/[\u0000-\u001f\u007f\u202e]/);
      expect(filesUnder(inbox(date))).toEqual([
        'POS001_CABC_20190508_2310.csv',
        'TRD001_CABC_20190508_2310.xml',
      ]);

      const rows = await tdb.store.db
        .selectFrom('fetch_manifest')
        .select(['outcome', 'code'])
        .where('run_id', '=', s.runId)
        .where('outcome', '=', 'refused')
        .execute();
      expect(rows).toHaveLength(hostile.length + 1);
    });
  });

  describe('failures in the middle of a transfer', () => {
    const big = randomBytes(48 * 1024 * 1024);

    it('a server killed mid-transfer leaves no file in the inbox, and a re-run completes', async () => {
      const date = '20190509';
      server.putFile(P, date, 'TRD001_CABC_20190509_2310.xml', big);
      let killed: Promise<void> | undefined;
      const s = await run('2019-05-09', { retries: { count: 1, backoffMs: 100 } }, (e) => {
        if (e.kind === 'bytes' && e.transferred > 2 * 1024 * 1024 && killed === undefined)
          killed = server.kill();
      });
      await killed;
      expect(killed).toBeDefined();
      expect(s.ok).toBe(false);
      expect(s.fetched).toEqual([]);
      expect(s.failed.map((f) => [f.name, f.attempts])).toEqual([['TRD001_CABC_20190509_2310.xml', 2]]);
      expect(s.failed[0]!.code).toMatch(/^SFTP_/);
      expect(filesUnder(inbox(date))).toEqual([]);

      await server.restart();
      const again = await run('2019-05-09');
      expect(again.fetched.map((f) => [f.name, f.sha256])).toEqual([
        ['TRD001_CABC_20190509_2310.xml', sha(big)],
      ]);
      expect(filesUnder(inbox(date))).toEqual(['TRD001_CABC_20190509_2310.xml']);
    });

    it('a stalled transfer times out (server session stopped with SIGSTOP) and leaves nothing behind', async () => {
      const date = '20190514';
      server.putFile(P, date, 'TRD001_CABC_20190514_2310.xml', big);
      let stopped: number[] = [];
      const started = Date.now();
      try {
        const s = await run(
          '2019-05-14',
          {
            timeouts: { connectMs: 5_000, idleMs: 1_500, totalMs: 60_000 },
            retries: { count: 0, backoffMs: 0 },
          },
          (e) => {
            if (e.kind === 'bytes' && e.transferred > 1024 * 1024 && stopped.length === 0) {
              stopped = server.sessionPids();
              for (const pid of stopped) process.kill(pid, 'SIGSTOP');
            }
          },
        );
        expect(stopped.length).toBeGreaterThan(0);
        expect(s.failed.map((f) => [f.name, f.code])).toEqual([
          ['TRD001_CABC_20190514_2310.xml', 'SFTP_TIMEOUT'],
        ]);
        expect(s.failed[0]!.reason).toMatch(/no data from the server for 1500 ms/);
        expect(Date.now() - started).toBeLessThan(20_000);
        expect(filesUnder(inbox(date))).toEqual([]);
      } finally {
        for (const pid of stopped) process.kill(pid, 'SIGCONT');
      }
    });

    it('a stall is retried on a fresh connection and then succeeds', async () => {
      const date = '20190515';
      server.putFile(P, date, 'TRD001_CABC_20190515_2310.xml', big);
      let stopped: number[] = [];
      try {
        const s = await run(
          '2019-05-15',
          {
            timeouts: { connectMs: 5_000, idleMs: 1_500, totalMs: 60_000 },
            retries: { count: 2, backoffMs: 50 },
          },
          (e) => {
            if (e.kind === 'bytes' && e.transferred > 1024 * 1024 && stopped.length === 0) {
              stopped = server.sessionPids();
              for (const pid of stopped) process.kill(pid, 'SIGSTOP');
            }
          },
        );
        expect(s.fetched.map((f) => [f.name, f.attempts, f.sha256])).toEqual([
          ['TRD001_CABC_20190515_2310.xml', 2, sha(big)],
        ]);
      } finally {
        for (const pid of stopped) process.kill(pid, 'SIGCONT');
      }
    });

    it('the overall time limit aborts the whole fetch', async () => {
      const date = '20190516';
      server.putFile(P, date, 'TRD001_CABC_20190516_2310.xml', big);
      let stopped: number[] = [];
      try {
        const s = await run(
          '2019-05-16',
          {
            timeouts: { connectMs: 5_000, idleMs: 60_000, totalMs: 2_500 },
            retries: { count: 3, backoffMs: 50 },
          },
          (e) => {
            if (e.kind === 'bytes' && e.transferred > 1024 * 1024 && stopped.length === 0) {
              stopped = server.sessionPids();
              for (const pid of stopped) process.kill(pid, 'SIGSTOP');
            }
          },
        );
        expect(s.failed.map((f) => [f.code, f.attempts])).toEqual([['SFTP_TIMEOUT', 1]]);
        expect(s.failed[0]!.reason).toMatch(/overall limit of 2500 ms/);
        expect(filesUnder(inbox(date))).toEqual([]);
      } finally {
        for (const pid of stopped) process.kill(pid, 'SIGCONT');
      }
    });
  });

  describe('resources', () => {
    it('20 fetches leak no listeners, sockets or warnings', async () => {
      const date = '20190517';
      server.putFile(P, date, 'TRD001_CABC_20190517_2310.xml', 'a');
      server.putFile(P, date, 'POS001_CABC_20190517_2310.csv', 'b');
      writeFileSync(path.join(server.workDir, 'marker'), '');
      const warnings: Error[] = [];
      const onWarning = (w: Error): void => {
        warnings.push(w);
      };
      process.on('warning', onWarning);
      const events = [
        'exit',
        'SIGINT',
        'SIGTERM',
        'uncaughtException',
        'unhandledRejection',
        'warning',
        'beforeExit',
      ] as const;
      const before = events.map((e) => process.listenerCount(e));
      const socketsBefore = process.getActiveResourcesInfo().filter((r) => r === 'TCPWRAP').length;
      try {
        for (let i = 0; i < 20; i++) {
          const s = await run('2019-05-17');
          expect(s.ok).toBe(true);
        }
        // Failing connections must clean up too.
        for (let i = 0; i < 5; i++) {
          await run('2019-05-17', { hostKeyFingerprints: [`SHA256:${'B'.repeat(43)}`] }).catch(
            () => undefined,
          );
        }
        await new Promise((r) => setTimeout(r, 200));
        expect(events.map((e) => process.listenerCount(e))).toEqual(before);
        expect(process.getActiveResourcesInfo().filter((r) => r === 'TCPWRAP').length).toBeLessThanOrEqual(
          socketsBefore,
        );
        expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
      } finally {
        process.off('warning', onWarning);
      }
    });
  });

  it('runs on the same schema on both databases', async () => {
    const r = await sql<{ n: string }>`SELECT count(*)::text AS n FROM fetch_manifest`.execute(tdb.store.db);
    expect(Number(r.rows[0]!.n)).toBeGreaterThan(0);
  });
});
