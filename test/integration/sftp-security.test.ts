import net from 'node:net';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret, type SftpConfig, type SftpSecrets } from '../../src/config/sftp-config.js';
import { fetchReports, type FetchSummary } from '../../src/ingest/acquire/fetch.js';
import { databaseManifest } from '../../src/ingest/acquire/manifest.js';
import { SftpSource } from '../../src/ingest/acquire/sftp-source.js';
import { DcassError, isDcassError } from '../../src/shared/errors.js';
import { createLogger, type Logger } from '../../src/shared/logger.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { describeWithSshd, sftpConfigFor, startSshd, type TestSshd } from '../support/sshd.js';

const P = 'CABC';
const DATE = '20190506';
const UNKNOWN_FP = 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU';

/** A logger that keeps every line it writes, at the most verbose level. */
function capturingLogger(): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', destination: sink }), text: () => chunks.join('') };
}

/** Everything an error can show: message, hint, stack, JSON and a deep inspect with its causes. */
function everythingShownBy(err: unknown): string {
  const e = err as DcassError;
  return [
    e.message,
    e.hint ?? '',
    e.stack ?? '',
    JSON.stringify(e),
    inspect(e, { depth: 10, showHidden: true }),
  ].join('\n');
}

describeWithSshd('SFTP security against a real OpenSSH server', () => {
  let server: TestSshd;
  let tdb: TestDb;

  beforeAll(async () => {
    server = await startSshd();
    server.putFile(P, DATE, 'TRD001_CABC_20190506_2310.xml', '<DcassReport/>');
    server.putFile(P, DATE, 'POS001_CABC_20190506_2310.csv', 'a\n');
    tdb = await createTestDb();
  });
  afterAll(async () => {
    await tdb?.dispose();
    await server?.stop();
  });

  const goodSecrets = (): SftpSecrets => ({ passphrase: new Secret(server.clientKey.passphrase!) });

  const run = (
    overrides: Partial<SftpConfig>,
    opts: { secrets?: SftpSecrets; logger?: Logger; debug?: (l: string) => void } = {},
  ): Promise<FetchSummary> => {
    const config = sftpConfigFor(server, overrides);
    const logger = opts.logger ?? createLogger({ level: 'silent' });
    return fetchReports({
      source: new SftpSource({
        config,
        secrets: opts.secrets ?? goodSecrets(),
        logger,
        ...(opts.debug === undefined ? {} : { onSshDebug: opts.debug }),
      }),
      manifest: databaseManifest(tdb.store.db),
      participant: config.participant,
      date: DATE,
      reports: config.reports,
      inboxDir: config.inboxDir,
      totalMs: config.timeouts.totalMs,
      retries: { count: 0, backoffMs: 0 },
      concurrency: 2,
      completeness: { stableMs: 0, maxWaitMs: 0 },
      logger,
    });
  };
  const count = (text: string, re: RegExp): number => (text.match(new RegExp(re, 'g')) ?? []).length;

  describe('host key pinning', () => {
    it('refuses a server whose key is not pinned, before authenticating, and says how to pin it', async () => {
      const trace: string[] = [];
      const acceptedBefore = count(server.log(), /Accepted publickey/);
      const err = await run({ hostKeyFingerprints: [UNKNOWN_FP] }, { debug: (l) => trace.push(l) }).catch(
        (e: unknown) => e,
      );

      expect(isDcassError(err) && err.code).toBe('SFTP_HOST_KEY_MISMATCH');
      const offered = server.hostKeyFingerprints.find((fp) => (err as Error).message.includes(fp));
      expect(offered, `message names the offered key: ${(err as Error).message}`).toBeDefined();
      expect((err as Error).message).toContain(UNKNOWN_FP);
      expect((err as DcassError).hint).toMatch(/add it to sftp\.hostKeyFingerprints/);
      expect((err as DcassError).location?.path).toBe('sftp.hostKeyFingerprints');

      // The client never started authentication (ssh2's own protocol trace) ...
      expect(trace.some((l) => /Host denied/.test(l))).toBe(true);
      expect(trace.filter((l) => /USERAUTH_REQUEST|SERVICE_REQUEST/.test(l))).toEqual([]);
      // ... and the server saw no key offered.
      await new Promise((r) => setTimeout(r, 100));
      expect(count(server.log(), /Accepted publickey/)).toBe(acceptedBefore);
    });

    it('accepts the server when its key is any one of several pins (rotation)', async () => {
      const s = await run({ hostKeyFingerprints: [UNKNOWN_FP, ...server.hostKeyFingerprints] });
      expect(s.ok).toBe(true);
      expect(s.fetched.length + s.skipped.length).toBe(2);
    });

    it('accepts the second pin alone when it is the key the server presents', async () => {
      // The server offers its ed25519 key first to ssh2's preference list; pin only that one,
      // listed second after an unrelated old key.
      const s = await run({ hostKeyFingerprints: [UNKNOWN_FP, server.hostKeyFingerprints[0]!] });
      expect(s.ok).toBe(true);
    });

    it('refuses to connect at all without a pin', async () => {
      const connectionsBefore = count(server.log(), /Connection from/);
      const config = { ...sftpConfigFor(server), hostKeyFingerprints: [] as string[] };
      let err: unknown;
      try {
        new SftpSource({ config, secrets: goodSecrets(), logger: createLogger({ level: 'silent' }) });
      } catch (e) {
        err = e;
      }
      expect(isDcassError(err) && err.code).toBe('SFTP_HOST_KEY_NOT_PINNED');
      expect((err as DcassError).hint).toMatch(new RegExp(`ssh-keyscan -p ${server.port} 127\\.0\\.0\\.1`));
      await new Promise((r) => setTimeout(r, 100));
      expect(count(server.log(), /Connection from/)).toBe(connectionsBefore);
    });
  });

  describe('client authentication', () => {
    it('a key the server does not know is refused with SFTP_AUTH_FAILED', async () => {
      const err = await run(
        { privateKeyFile: server.strangerKey.file, passphraseEnv: undefined },
        { secrets: {} },
      ).catch((e: unknown) => e);
      expect(isDcassError(err) && err.code).toBe('SFTP_AUTH_FAILED');
      expect((err as Error).message).toContain(server.strangerKey.file);
      expect((err as Error).message).toContain(`user ${server.username}`);
    });

    it('a wrong passphrase is a configuration error naming the variable, not the value', async () => {
      const wrong = 'wrong-passphrase-Zq81';
      const err = await run({}, { secrets: { passphrase: new Secret(wrong) } }).catch((e: unknown) => e);
      expect(isDcassError(err) && err.code).toBe('SFTP_CONFIG_INVALID');
      expect((err as DcassError).hint).toContain('DCASS_TEST_KEY_PASSPHRASE');
      expect(everythingShownBy(err)).not.toContain(wrong);
    });

    it('a server that never answers the handshake times out', async () => {
      const silent = net.createServer(() => undefined);
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
      const sockets = new Set<net.Socket>();
      silent.on('connection', (s) => sockets.add(s));
      try {
        const started = Date.now();
        const err = await run({
          port: (silent.address() as net.AddressInfo).port,
          timeouts: { connectMs: 800, idleMs: 1000, totalMs: 10_000 },
        }).catch((e: unknown) => e);
        expect(isDcassError(err) && err.code).toBe('SFTP_TIMEOUT');
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise((r) => silent.close(r));
      }
    });

    it('a closed port is SFTP_CONNECT_FAILED', async () => {
      const probe = net.createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
      const port = (probe.address() as net.AddressInfo).port;
      await new Promise((r) => probe.close(r));
      const err = await run({ port }).catch((e: unknown) => e);
      expect(isDcassError(err) && err.code).toBe('SFTP_CONNECT_FAILED');
    });
  });

  describe('secrets', () => {
    it('the key passphrase never reaches the logs or any error, on success or failure', async () => {
      const passphrase = server.clientKey.passphrase!;
      const { logger, text } = capturingLogger();
      const shown: string[] = [];
      const trace: string[] = [];
      const debug = (l: string): void => {
        trace.push(l);
      };

      const ok = await run({}, { logger, debug });
      shown.push(JSON.stringify(ok));
      for (const overrides of [
        { hostKeyFingerprints: [UNKNOWN_FP] },
        { privateKeyFile: server.strangerKey.file },
        { port: 1 },
      ] as Array<Partial<SftpConfig>>) {
        const err = await run(overrides, { logger, debug }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DcassError);
        shown.push(everythingShownBy(err));
        // A caller that logs the error as pino recommends must not leak it either.
        logger.error({ err }, 'fetch failed');
      }
      // Logging the secrets object by mistake prints the redaction, not the value.
      logger.info({ secrets: goodSecrets(), passphrase: goodSecrets().passphrase }, 'oops');

      expect(text().length).toBeGreaterThan(0);
      expect(text()).toContain('[redacted]');
      expect(text()).not.toContain(passphrase);
      for (const s of shown) expect(s).not.toContain(passphrase);
      expect(trace.join('\n')).not.toContain(passphrase);
    });
  });
});
