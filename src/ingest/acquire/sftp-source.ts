import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ParsedKey, PublicKeyAuthMethod } from 'ssh2';
import type SftpClient from 'ssh2-sftp-client';
import { howToPin, type SftpConfig, type SftpSecrets } from '../../config/sftp-config.js';
import { DcassError, isDcassError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { pinnedHostVerifier, type HostKeyObservation } from './host-key.js';
import type { EntryStat, ReportSource, SourceEntry, SourceListing } from './report-source.js';
import { withIdleTimeout } from './watchdog.js';

/** What the SFTP source needs: the resolved `sftp:` section, its secrets and a logger. */
export interface SftpSourceOptions {
  readonly config: SftpConfig;
  readonly secrets: SftpSecrets;
  readonly logger: Logger;
  /** ssh2's protocol trace, for diagnosis and for tests that prove what was (not) sent. */
  readonly onSshDebug?: (line: string) => void;
}

// Requests in flight per file, as OpenSSH's sftp client keeps. 64 KiB reads measured faster than
// 32 KiB on OpenSSH (bench/fetch.ts); ssh2 splits them to the server's limits@openssh.com maximum
// and fastGet re-requests the rest of a short read, so smaller servers still work.
const READ_CONCURRENCY = 64;
const READ_CHUNK = 64 * 1024;
// Grace for a polite goodbye before the socket is destroyed (end() waits for the server's close).
const END_GRACE_MS = 2_000;

type RawSshError = Error & { level?: string; code?: string | number };

/** RRS over SFTP: one connection, reopened after a failure, pinned host key, public-key auth. */
export class SftpSource implements ReportSource {
  readonly origin: string;
  readonly #config: SftpConfig;
  readonly #secrets: SftpSecrets;
  readonly #log: Logger;
  readonly #onSshDebug: ((line: string) => void) | undefined;
  #client: SftpClient | undefined;
  #connecting: Promise<SftpClient> | undefined;
  #aborted = false;

  constructor(options: SftpSourceOptions) {
    const { config } = options;
    // Checked again here, not only in the config schema, because a library caller may build the
    // object by hand: without a pin there is no connection at all.
    if (config.hostKeyFingerprints.length === 0) {
      throw new DcassError(
        'SFTP_HOST_KEY_NOT_PINNED',
        `no host key is pinned for the SFTP server ${config.host}:${config.port}; refusing to connect`,
        {
          location: { path: 'sftp.hostKeyFingerprints' },
          hint: howToPin(config.host, config.port),
        },
      );
    }
    this.#config = config;
    this.#secrets = options.secrets;
    this.#log = options.logger.child({ source: 'sftp', host: config.host, port: config.port });
    this.#onSshDebug = options.onSshDebug;
    this.origin = `sftp://${config.username}@${config.host}:${config.port}${config.remoteRoot}`;
  }

  /** The server folder of one business date: `<remoteRoot>/<PARTICIPANT>/INBOX/<YYYYMMDD>`. */
  dateFolder(date: string): string {
    return path.posix.join(this.#config.remoteRoot, this.#config.participant, 'INBOX', date);
  }

  async list(date: string): Promise<SourceListing> {
    const client = await this.#ensureConnected();
    const folder = this.dateFolder(date);
    const listing = await this.#remoteCall(client, `listing ${folder}`, () => client.list(folder)).catch(
      async (err: unknown) => {
        if (errorCodeOf(err) === 2) throw await this.#missingFolderError(client, folder, date);
        throw this.#transferError(`cannot list ${folder}`, err);
      },
    );
    const entries: SourceEntry[] = listing.map((item) => ({
      name: item.name,
      path: path.posix.join(folder, item.name),
      kind:
        item.type === '-'
          ? 'file'
          : item.type === 'd'
            ? 'directory'
            : item.type === 'l'
              ? 'symlink'
              : 'other',
      size: item.size,
      mtime: new Date(item.modifyTime),
    }));
    this.#log.debug({ folder, entries: entries.length }, 'remote folder listed');
    return { folder, entries };
  }

  async download(
    entry: SourceEntry,
    tempPath: string,
    onBytes: (transferred: number) => void,
  ): Promise<EntryStat> {
    const client = await this.#ensureConnected();
    const stat = await this.#remoteStat(client, entry);
    if (!stat.isFile) {
      throw new DcassError('SFTP_TRANSFER_FAILED', `${entry.path} is no longer a regular file on the server`);
    }
    await withIdleTimeout(
      `transfer of ${entry.path}`,
      this.#config.timeouts.idleMs,
      () => this.#drop(client, 'idle timeout'),
      (touch) =>
        client.fastGet(entry.path, tempPath, {
          concurrency: READ_CONCURRENCY,
          chunkSize: READ_CHUNK,
          step: (transferred: number) => {
            touch();
            onBytes(transferred);
          },
        }),
    ).catch((err: unknown) => {
      throw this.#transferError(`transfer of ${entry.path} failed`, err);
    });
    return { size: stat.size, mtime: new Date(stat.modifyTime) };
  }

  async stat(entry: SourceEntry): Promise<EntryStat> {
    const stat = await this.#remoteStat(await this.#ensureConnected(), entry);
    return { size: stat.size, mtime: new Date(stat.modifyTime) };
  }

  #remoteStat(client: SftpClient, entry: SourceEntry): ReturnType<SftpClient['stat']> {
    return this.#remoteCall(client, `stat ${entry.path}`, () => client.stat(entry.path)).catch(
      (err: unknown) => {
        throw this.#transferError(`cannot stat ${entry.path}`, err);
      },
    );
  }

  isTransient(err: unknown): boolean {
    if (!isDcassError(err)) return true;
    return (
      err.code === 'SFTP_CONNECT_FAILED' || err.code === 'SFTP_TIMEOUT' || err.code === 'SFTP_TRANSFER_FAILED'
    );
  }

  abort(): void {
    this.#aborted = true;
    if (this.#client !== undefined) this.#drop(this.#client, 'aborted');
  }

  async close(): Promise<void> {
    const client = this.#client ?? (await this.#connecting?.catch(() => undefined));
    this.#client = undefined;
    this.#connecting = undefined;
    if (client === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.end().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, END_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    // end() only says goodbye when the SFTP channel is up, and waits for the server; a stalled
    // server would keep the socket (and the process) alive, so the socket is destroyed regardless.
    rawClient(client).destroy();
  }

  /** A call on the open connection, aborted (connection dropped) when the server stays silent. */
  #remoteCall<T>(client: SftpClient, what: string, call: () => Promise<T>): Promise<T> {
    return withIdleTimeout(
      what,
      this.#config.timeouts.idleMs,
      () => this.#drop(client, 'idle timeout'),
      () => call(),
    );
  }

  /** Tears a connection down at once; the next call connects again. */
  #drop(client: SftpClient, why: string): void {
    this.#log.debug({ why }, 'dropping SFTP connection');
    if (this.#client === client) this.#client = undefined;
    rawClient(client).destroy();
  }

  async #ensureConnected(): Promise<SftpClient> {
    if (this.#aborted)
      throw new DcassError('SFTP_TIMEOUT', 'the fetch was aborted (overall time limit reached)');
    if (this.#client !== undefined && isUsable(this.#client)) return this.#client;
    this.#client = undefined;
    // One connection attempt at a time, shared by every concurrent transfer.
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    const client = await this.#connecting;
    this.#client = client;
    return client;
  }

  async #connect(): Promise<SftpClient> {
    const cfg = this.#config;
    const log = this.#log;
    const privateKey = await this.#readPrivateKey();
    let observed: HostKeyObservation | undefined;
    let rawError: RawSshError | undefined;
    // Loaded on the first connection, not by every command: with pdfkit (loaded the same way) it was
    // about 10 MB of the resident size of every process that never fetches.
    const { default: Sftp } = await import('ssh2-sftp-client');
    const client = new Sftp('dcass-rrs', {
      // The library's default callbacks print to the console; ours log, and a late error after
      // a failure has been handled must not crash the process.
      error: (err) => log.debug({ err }, 'SFTP connection error event'),
      end: () => log.debug('SFTP connection ended'),
      close: () => log.debug('SFTP connection closed'),
    });
    const raw = rawClient(client);
    raw.on('error', (err: RawSshError) => {
      rawError ??= err;
    });
    const publicKeyAuth: PublicKeyAuthMethod = {
      type: 'publickey',
      username: cfg.username,
      key: privateKey,
    };
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.connect({
          host: cfg.host,
          port: cfg.port,
          username: cfg.username,
          // The key is decrypted here once and offered as the only method: the passphrase never
          // enters the library's connection config, and no password or keyboard prompt is tried.
          authHandler: [publicKeyAuth],
          hostVerifier: pinnedHostVerifier(cfg.hostKeyFingerprints, (o) => {
            observed = o;
          }),
          readyTimeout: cfg.timeouts.connectMs,
          keepaliveInterval: Math.max(1_000, Math.min(15_000, Math.floor(cfg.timeouts.idleMs / 3))),
          keepaliveCountMax: 3,
          tryKeyboard: false,
          ...(this.#onSshDebug === undefined ? {} : { debug: this.#onSshDebug }),
        }),
        // readyTimeout ends at authentication; opening the SFTP channel needs its own limit.
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(
              new DcassError(
                'SFTP_TIMEOUT',
                `connecting to ${cfg.host}:${cfg.port} took longer than ${cfg.timeouts.connectMs} ms`,
              ),
            );
          }, cfg.timeouts.connectMs + 1_000);
        }),
      ]);
    } catch (err) {
      raw.destroy();
      throw this.#connectError(err, rawError, observed);
    } finally {
      clearTimeout(timer);
    }
    // SFTP read requests are small packets; with Nagle's algorithm each waits for the previous
    // ACK (delayed ACK: up to 40 ms). Measured: twice the throughput with it off.
    raw.setNoDelay(true);
    log.info({ ms: Date.now() - started, hostKey: observed?.offered }, 'SFTP connected');
    return client;
  }

  async #readPrivateKey(): Promise<ParsedKey> {
    const cfg = this.#config;
    let data: Buffer;
    try {
      data = await readFile(cfg.privateKeyFile);
    } catch (cause) {
      throw new DcassError(
        'SFTP_CONFIG_INVALID',
        `cannot read the SFTP private key file ${cfg.privateKeyFile}`,
        {
          location: { path: 'sftp.privateKeyFile' },
          hint: 'check the path and that this user may read it',
          cause,
        },
      );
    }
    // Parsed here first so that a wrong passphrase is a clear configuration error, not a
    // connection failure. ssh2's messages name the problem, never the passphrase.
    // ssh2 loaded here, as ssh2-sftp-client is when connecting: a process that fetches nothing never holds it.
    const { default: ssh2 } = await import('ssh2');
    const result = ssh2.utils.parseKey(data, this.#secrets.passphrase?.reveal());
    // OpenSSH's format may hold several keys; it stores one today.
    const parsed = Array.isArray(result) ? (result as ParsedKey[])[0] : result;
    // A public key would be offered and refused by the server as if it were the wrong key.
    if (
      isPublicKeyText(data) ||
      (parsed !== undefined && !(parsed instanceof Error) && !parsed.isPrivateKey())
    ) {
      throw new DcassError(
        'SFTP_CONFIG_INVALID',
        `${cfg.privateKeyFile} is a public key; privateKeyFile needs the private key (usually the same name without .pub)`,
        {
          location: { path: 'sftp.privateKeyFile' },
          hint: `point sftp.privateKeyFile at the private half of the key pair${cfg.privateKeyFile.endsWith('.pub') ? `, e.g. ${cfg.privateKeyFile.slice(0, -'.pub'.length)}` : ''}`,
        },
      );
    }
    if (parsed === undefined || parsed instanceof Error) {
      const envName = cfg.passphraseEnv;
      throw new DcassError(
        'SFTP_CONFIG_INVALID',
        `cannot use the SFTP private key file ${cfg.privateKeyFile}: ${parsed?.message ?? 'no key in the file'}`,
        {
          location: { path: 'sftp.privateKeyFile' },
          hint:
            envName === undefined
              ? 'if the key is encrypted, set sftp.passphraseEnv to the name of an environment variable holding its passphrase'
              : `check the passphrase in the environment variable ${envName} and that the file is an OpenSSH or PEM private key`,
        },
      );
    }
    return parsed;
  }

  #connectError(
    err: unknown,
    raw: RawSshError | undefined,
    observed: HostKeyObservation | undefined,
  ): DcassError {
    const cfg = this.#config;
    const where = `${cfg.host}:${cfg.port}`;
    if (observed !== undefined && !observed.accepted) {
      return new DcassError(
        'SFTP_HOST_KEY_MISMATCH',
        `the SFTP server ${where} offered host key ${observed.offered}, which is not pinned ` +
          `(pinned: ${cfg.hostKeyFingerprints.join(', ')}); refused before authenticating`,
        {
          location: { path: 'sftp.hostKeyFingerprints' },
          hint:
            `if HKEX announced a new key, confirm ${observed.offered} with HKEX through another channel, then add it to ` +
            'sftp.hostKeyFingerprints (keep the old one during the rotation); otherwise do not connect: someone may be intercepting',
        },
      );
    }
    if (isDcassError(err)) return err;
    const cause = raw ?? err;
    const level = raw?.level;
    if (level === 'client-authentication') {
      return new DcassError(
        'SFTP_AUTH_FAILED',
        `the SFTP server ${where} refused the key ${cfg.privateKeyFile} for user ${cfg.username}`,
        {
          location: { path: 'sftp.privateKeyFile' },
          hint: 'check sftp.username and that the public half of this key is the one registered with HKEX for RRS',
          cause,
        },
      );
    }
    if (level === 'client-timeout') {
      return new DcassError(
        'SFTP_TIMEOUT',
        `no SSH handshake with ${where} within ${cfg.timeouts.connectMs} ms`,
        {
          location: { path: 'sftp.timeouts.connectMs' },
          hint: 'check the host, port and firewall; raise sftp.timeouts.connectMs for a slow link',
          cause,
        },
      );
    }
    return new DcassError(
      'SFTP_CONNECT_FAILED',
      `cannot connect to the SFTP server ${where}: ${messageOf(cause)}`,
      {
        location: { path: 'sftp.host' },
        hint: 'check sftp.host and sftp.port, the network route to RRS, and that the service is up',
        cause,
      },
    );
  }

  #transferError(what: string, err: unknown): DcassError {
    if (isDcassError(err)) return err;
    return new DcassError('SFTP_TRANSFER_FAILED', `${what}: ${messageOf(err)}`, { cause: err });
  }

  async #missingFolderError(client: SftpClient, folder: string, date: string): Promise<DcassError> {
    const inbox = path.posix.dirname(folder);
    const inboxExists = await this.#remoteCall(client, `stat ${inbox}`, () => client.exists(inbox)).catch(
      () => false,
    );
    if (inboxExists === false) {
      return new DcassError('SFTP_REMOTE_MISSING', `the folder ${inbox} does not exist on ${this.origin}`, {
        location: { path: 'sftp.participant' },
        hint: 'check sftp.participant (your DCASS customer code) and sftp.remoteRoot',
      });
    }
    return new DcassError(
      'SFTP_REMOTE_MISSING',
      `no folder for business date ${date} on the server: ${folder} does not exist`,
      {
        hint: 'RRS has not published reports for this date yet, or the date is not a business date; try again later or check --date',
      },
    );
  }
}

// An OpenSSH public key line (`ssh-ed25519 AAAA... comment`), or an RFC 4716 / PEM public key.
const PUBLIC_KEY_TEXT =
  /^\s*(?:(?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)(?:-cert-v01@openssh\.com)?\s+[A-Za-z0-9+/]+=*|---- BEGIN SSH2 PUBLIC KEY ----|-----BEGIN (?:RSA )?PUBLIC KEY-----)/;

function isPublicKeyText(data: Buffer): boolean {
  return PUBLIC_KEY_TEXT.test(data.subarray(0, 512).toString('latin1'));
}

/** The part of ssh2's Client used directly. */
interface RawClient {
  destroy(): void;
  setNoDelay(noDelay: boolean): void;
  on(event: 'error', fn: (err: RawSshError) => void): void;
}

/** The ssh2 Client under ssh2-sftp-client (the typings omit it). */
function rawClient(client: SftpClient): RawClient {
  return (client as unknown as { client: RawClient }).client;
}

function isUsable(client: SftpClient): boolean {
  return (client as unknown as { sftp?: unknown }).sftp !== undefined;
}

function errorCodeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
