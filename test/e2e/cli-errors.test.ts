import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.js';
import { createTestTarget, dbKind, serverUrl } from '../support/db.js';

/** A TCP port nothing listens on: bound by the system, then released. */
async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Exit 2, the message and what to do on stderr, no stack trace. */
function expectTrouble(r: { code: number | null; stderr: string }, message: string, hint: string): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/^error: /);
  expect(r.stderr).toContain(message);
  expect(r.stderr).toContain(`what to do: ${hint}`);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('database values and connections: the cause, without --verbose', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-db-errors-'));

  it('a mistyped server URL is refused, and creates no folder', async () => {
    const r = await runCli(['--db', 'postgres//127.0.0.1/nc', 'files'], { cwd: work });
    expectTrouble(
      r,
      'the database "postgres//127.0.0.1/nc" is neither a PostgreSQL URL nor a plausible folder: ' +
        'it contains "//", as a URL whose ":" was lost does',
      'name a server as postgres://user@host:port/database',
    );
    const hostPort = await runCli(['--db', 'localhost:5432/recon', 'files'], { cwd: work });
    expectTrouble(hostPort, 'it contains ":", as a URL or a host:port does', 'name a server as postgres://');
    expect(readdirSync(work)).toEqual([]);
  });

  it('a new embedded database folder is created on first use, and said so', async () => {
    const r = await runCli(['--db', 'recon-db', 'files'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`created a new embedded database in ${path.join(work, 'recon-db')}`);
    const again = await runCli(['--db', 'recon-db', 'files'], { cwd: work });
    expect(again.stderr).not.toContain('created a new embedded database');
  });

  it('connection refused names the host and port and says to start the server', async () => {
    const port = await unusedPort();
    const r = await runCli(['--db', `postgres://recon:s3cret@127.0.0.1:${port}/recon`, 'files']);
    expectTrouble(
      r,
      `cannot connect to the PostgreSQL server at postgres://recon:***@127.0.0.1:${port}/recon: ` +
        `connection refused at 127.0.0.1:${port}: no PostgreSQL server is running there`,
      `start the server (pg_isready -h 127.0.0.1 -p ${port} tells whether it accepts connections)`,
    );
    expect(r.stderr).not.toContain('s3cret');
  });

  it('an unknown host is named as a DNS failure', async () => {
    const r = await runCli(['--db', 'postgres://recon@nosuchhost.invalid/recon', 'files']);
    expect(r.code, r.stderr).toBe(2);
    // ENOTFOUND, or EAI_AGAIN where no name server answers at all.
    expect(r.stderr).toMatch(
      /error: cannot connect to the PostgreSQL server at postgres:\/\/recon@nosuchhost\.invalid\/recon: the host name nosuchhost\.invalid (is unknown \(DNS lookup failed\)|could not be looked up now)/,
    );
    expect(r.stderr).toContain('what to do:');
  });

  it.skipIf(!serverUrl)('a database the server does not have (server only: needs the server)', async () => {
    const url = new URL(serverUrl!);
    url.pathname = `/dcass_missing_${Math.random().toString(36).slice(2, 10)}`;
    const name = url.pathname.slice(1);
    const r = await runCli(['--db', url.toString(), 'files']);
    expectTrouble(
      r,
      `the server at ${url.hostname}:${url.port || '5432'} has no database "${name}"`,
      `create it (createdb -h ${url.hostname} -p ${url.port || '5432'} ${name})`,
    );
  });
});

describe(`writing to a folder or file that cannot be written fails at once (${dbKind})`, () => {
  let target: { target: string; drop: () => Promise<void> };
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-out-errors-'));
  beforeAll(async () => {
    target = await createTestTarget();
  });
  afterAll(async () => target.drop());

  // It spun at full CPU for ten minutes: Node's recursive mkdir retries /proc's ENOENT forever.
  // Skipped where the system has no /proc (macOS): the path does not exist there.
  it.skipIf(!existsSync('/proc/self'))('report --out /proc/nope', async () => {
    const r = await runCli(['--db', target.target, 'report', '--run', 'latest', '--out', '/proc/nope']);
    expectTrouble(
      r,
      'cannot create the output folder /proc/nope: /proc does not accept new folders (ENOENT',
      'choose a folder you can write to',
    );
  });

  // Linux paths: skipped where the system has no /proc or /dev/full (macOS).
  it.skipIf(!existsSync('/dev/full'))('report --out /dev/full, audit export --out /dev/full', async () => {
    const report = await runCli(['--db', target.target, 'report', '--run', 'latest', '--out', '/dev/full']);
    expectTrouble(
      report,
      'cannot create the output folder /dev/full: /dev/full is a device, not a folder',
      'choose a folder you can write to',
    );
    const audit = await runCli(['--db', target.target, 'audit', 'export', '--out', '/dev/full']);
    expectTrouble(audit, 'cannot write /dev/full: it is a device, not a file', 'choose a file name');
  });

  it('a file where the output folder should be', async () => {
    const file = path.join(work, 'notes.txt');
    writeFileSync(file, 'x');
    const r = await runCli(['--db', target.target, 'report', '--run', 'latest', '--out', `${file}/out`]);
    expectTrouble(
      r,
      `cannot create the output folder ${file}/out: ${file} is a file, not a folder`,
      'choose a folder you can write to',
    );
    const audit = await runCli(['--db', target.target, 'audit', 'export', '--out', `${file}/audit.jsonl`]);
    expectTrouble(
      audit,
      `cannot write ${file}/audit.jsonl: a part of the path is not a folder (ENOTDIR)`,
      'choose a file name',
    );
  });
});

describe('a reader that stops reading', () => {
  it('ends the command quietly, as a Unix tool killed by SIGPIPE does, with no stack trace', async () => {
    const child = startCli(['--help']);
    // The pipe is closed before the CLI has started (it takes about a second), as `| head -0` would.
    child.stdout!.destroy();
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(141);
  });
});
