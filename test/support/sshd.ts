import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';
import { sftpConfigSchema, type SftpConfig } from '../../src/config/sftp-config.js';

/** Where Debian's openssh-server puts the daemon. */
export const SSHD_PATH = process.env.DCASS_SSHD_PATH ?? '/usr/sbin/sshd';
const SSH_KEYGEN = 'ssh-keygen';

const ENABLE_HINT =
  'install OpenSSH server to run them: `apt-get install -y openssh-server` (Debian/Ubuntu); ' +
  'set DCASS_REQUIRE_SSHD=1 to make a missing sshd fail the run instead of skipping';

/** Whether a real sshd can be started here, and why not. */
export function sshdAvailability(): { ok: true } | { ok: false; reason: string } {
  if (!existsSync(SSHD_PATH)) return { ok: false, reason: `${SSHD_PATH} not found` };
  try {
    execFileSync(SSH_KEYGEN, ['-?'], { stdio: 'ignore' });
  } catch (err) {
    // ssh-keygen -? exits 1 after printing usage; only a missing binary is a problem.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { ok: false, reason: 'ssh-keygen not found' };
  }
  return { ok: true };
}

/**
 * `describe` for tests that need a real sshd: runs them when sshd exists; otherwise fails them
 * when DCASS_REQUIRE_SSHD=1 (CI) and skips them with a message saying how to enable them.
 */
export function describeWithSshd(name: string, body: () => void): void {
  const availability = sshdAvailability();
  if (availability.ok) {
    describe(name, body);
  } else if (process.env.DCASS_REQUIRE_SSHD === '1') {
    describe(name, () => {
      it('needs a real OpenSSH sshd', () => {
        throw new Error(`DCASS_REQUIRE_SSHD=1 but sshd is unusable: ${availability.reason}; ${ENABLE_HINT}`);
      });
    });
  } else {
    console.warn(`[sshd tests skipped] ${name}: ${availability.reason}; ${ENABLE_HINT}`);
    describe.skip(`${name} (skipped: ${availability.reason}; ${ENABLE_HINT})`, body);
  }
}

/** A client key pair made for the test server. */
export interface ClientKey {
  readonly file: string;
  readonly passphrase: string | undefined;
}

/** A running OpenSSH server serving a temp folder laid out like RRS. */
export interface TestSshd {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** The served folder; use it as `remoteRoot` (the server is not chrooted). */
  readonly remoteRoot: string;
  /** A scratch folder for the test (inboxes, keys), removed with the server. */
  readonly workDir: string;
  /** The authorised client key (ed25519, with a passphrase unless asked otherwise). */
  readonly clientKey: ClientKey;
  /** A valid key the server does not know. */
  readonly strangerKey: ClientKey;
  /** SHA256 fingerprints of every host key the server offers, as `ssh-keygen -l` prints them. */
  readonly hostKeyFingerprints: readonly string[];
  /** A known_hosts file with the server's host keys, for OpenSSH's own clients. */
  readonly knownHostsFile: string;
  /** Pid of the listening daemon. */
  pid(): number;
  /** Everything the daemon wrote to stderr (`-e`), for assertions on what it saw. */
  log(): string;
  /** Writes a file under `/<participant>/INBOX/<date>/` and returns its server path. */
  putFile(participant: string, date: string, name: string, content: Buffer | string, mtime?: Date): string;
  /** Makes `/<participant>/INBOX/<date>/` (empty). */
  makeDateDir(participant: string, date: string): string;
  /** Pids of the per-connection processes (children of the daemon), to stop or kill one session. */
  sessionPids(): number[];
  /** Kills the daemon and its sessions with SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Starts the daemon again with the same keys and port. */
  restart(): Promise<void>;
  /** Stops the daemon and removes every temp file. */
  stop(): Promise<void>;
}

function generateKey(file: string, type: 'ed25519' | 'ecdsa', passphrase: string): void {
  const args = [
    '-q',
    '-t',
    type,
    ...(type === 'ecdsa' ? ['-b', '256'] : []),
    '-N',
    passphrase,
    '-C',
    'dcass-recon-test',
    '-f',
    file,
  ];
  execFileSync(SSH_KEYGEN, args, { stdio: 'ignore' });
}

function fingerprintWithKeygen(pubFile: string): string {
  const out = execFileSync(SSH_KEYGEN, ['-l', '-E', 'sha256', '-f', pubFile], { encoding: 'utf8' });
  const fp = out.split(' ')[1];
  if (fp === undefined || !fp.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen output: ${out}`);
  return fp;
}

/** Asks the kernel for a free port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves when the port answers with an SSH banner. */
async function waitForBanner(
  port: number,
  deadlineMs: number,
  exited: () => string | undefined,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const why = exited();
    if (why !== undefined) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      const done = (v: boolean) => {
        sock.destroy();
        resolve(v);
      };
      sock.setTimeout(1000, () => done(false));
      sock.once('data', (d) => done(d.toString('latin1').startsWith('SSH-')));
      sock.once('error', () => done(false));
    });
    if (ok) return;
    if (Date.now() > until)
      throw new Error(`sshd did not accept connections on 127.0.0.1:${port} within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function childPids(pid: number): number[] {
  try {
    const out = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return out === '' ? [] : out.split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

function descendants(pid: number): number[] {
  const all: number[] = [];
  for (const child of childPids(pid)) all.push(child, ...descendants(child));
  return all;
}

/** Starts sshd on a free port of 127.0.0.1 with fresh host and client keys. */
export async function startSshd(options: { clientKeyPassphrase?: string | null } = {}): Promise<TestSshd> {
  const base = mkdtempSync(path.join(tmpdir(), 'dcass-sshd-'));
  const keys = path.join(base, 'keys');
  const remoteRoot = path.join(base, 'rrs');
  const workDir = path.join(base, 'work');
  for (const d of [keys, remoteRoot, workDir]) mkdirSync(d, { recursive: true });

  const hostKeys = [path.join(keys, 'host_ed25519'), path.join(keys, 'host_ecdsa')];
  generateKey(hostKeys[0]!, 'ed25519', '');
  generateKey(hostKeys[1]!, 'ecdsa', '');
  const passphrase =
    options.clientKeyPassphrase === undefined
      ? 'correct horse battery staple 7'
      : (options.clientKeyPassphrase ?? undefined);
  const clientKey: ClientKey = { file: path.join(keys, 'client_ed25519'), passphrase };
  generateKey(clientKey.file, 'ed25519', clientKey.passphrase ?? '');
  const strangerKey: ClientKey = { file: path.join(keys, 'stranger_ed25519'), passphrase: undefined };
  generateKey(strangerKey.file, 'ed25519', '');
  writeFileSync(path.join(keys, 'authorized_keys'), readFileSync(`${clientKey.file}.pub`));

  const username = userInfo().username;
  const isRoot = process.getuid?.() === 0;
  // sshd running as root insists on its privilege-separation directory (the Debian service makes it).
  if (isRoot && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const port = await freePort();
  const knownHostsFile = path.join(keys, 'known_hosts');
  writeFileSync(
    knownHostsFile,
    hostKeys
      .map(
        (k) => `[127.0.0.1]:${port} ${readFileSync(`${k}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`,
      )
      .join(''),
  );
  const cfg = path.join(base, 'sshd_config');
  writeFileSync(
    cfg,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      ...hostKeys.map((k) => `HostKey ${k}`),
      `PidFile ${path.join(base, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(keys, 'authorized_keys')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'HostbasedAuthentication no',
      'UsePAM no',
      'StrictModes no',
      isRoot ? 'PermitRootLogin prohibit-password' : '',
      `AllowUsers ${username}`,
      'Subsystem sftp internal-sftp',
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'PrintMotd no',
      'LogLevel VERBOSE',
      'MaxStartups 200',
      'MaxSessions 50',
      // Tests start many short connections; keep sshd from penalising the address.
      'PerSourcePenalties no',
    ]
      .filter((l) => l !== '')
      .join('\n') + '\n',
  );
  // PerSourcePenalties exists from OpenSSH 9.8 on; older daemons refuse unknown keywords.
  if (!sshdSupports('PerSourcePenalties', cfg)) {
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('PerSourcePenalties no\n', ''));
  }

  let logText = '';
  let proc: ChildProcess | undefined;
  let exitNote: string | undefined;

  const launch = async (): Promise<void> => {
    exitNote = undefined;
    const child = spawn(SSHD_PATH, ['-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc = child;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      logText += chunk;
    });
    child.once('error', (err) => {
      exitNote = `sshd could not start: ${err.message}`;
    });
    child.once('exit', (code, signal) => {
      exitNote = `sshd exited (code ${code}, signal ${signal}); its log:\n${logText}`;
    });
    await waitForBanner(port, 10_000, () => exitNote);
  };

  const killAll = async (signal: NodeJS.Signals): Promise<void> => {
    const p = proc;
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
    const pid = p.pid!;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    for (const child of descendants(pid).reverse()) {
      try {
        process.kill(child, signal);
        // A stopped session must be resumed to act on SIGTERM.
        if (signal !== 'SIGKILL') process.kill(child, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    p.kill(signal);
    await exited;
  };

  await launch();

  const makeDateDir = (participant: string, date: string): string => {
    mkdirSync(path.join(remoteRoot, participant, 'INBOX', date), { recursive: true });
    return `/${participant}/INBOX/${date}`;
  };

  return {
    host: '127.0.0.1',
    port,
    username,
    remoteRoot,
    workDir,
    clientKey,
    strangerKey,
    knownHostsFile,
    hostKeyFingerprints: hostKeys.map((k) => fingerprintWithKeygen(`${k}.pub`)),
    pid: () => proc?.pid ?? -1,
    log: () => logText,
    makeDateDir,
    putFile(participant, date, name, content, mtime) {
      makeDateDir(participant, date);
      const file = path.join(remoteRoot, participant, 'INBOX', date, name);
      writeFileSync(file, content);
      if (mtime !== undefined) utimesSync(file, mtime, mtime);
      return `/${participant}/INBOX/${date}/${name}`;
    },
    sessionPids: () => descendants(proc?.pid ?? -1),
    kill: () => killAll('SIGKILL'),
    restart: async () => {
      await killAll('SIGTERM');
      await launch();
    },
    async stop() {
      await killAll('SIGTERM');
      rmSync(base, { recursive: true, force: true });
    },
  };
}

function sshdSupports(keyword: string, cfg: string): boolean {
  try {
    execFileSync(SSHD_PATH, ['-t', '-f', cfg], { stdio: 'pipe' });
    return true;
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '');
    return !stderr.includes(keyword);
  }
}

/** A resolved `sftp:` section pointing at the test server, with the authorised key and every host key pinned. */
export function sftpConfigFor(server: TestSshd, overrides: Partial<SftpConfig> = {}): SftpConfig {
  return sftpConfigSchema.parse({
    host: server.host,
    port: server.port,
    username: server.username,
    privateKeyFile: server.clientKey.file,
    passphraseEnv: 'DCASS_TEST_KEY_PASSPHRASE',
    hostKeyFingerprints: [...server.hostKeyFingerprints],
    remoteRoot: server.remoteRoot,
    participant: 'CABC',
    inboxDir: path.join(server.workDir, 'inbox'),
    timeouts: { connectMs: 10_000, idleMs: 10_000, totalMs: 120_000 },
    retries: { count: 1, backoffMs: 50 },
    ...overrides,
  });
}
