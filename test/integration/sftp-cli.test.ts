import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { lineageCommands } from '../../src/cli/commands/admin.js';
import { fetchCommand } from '../../src/cli/commands/fetch.js';
import { createContext, type CliContext, type GlobalOptions } from '../../src/cli/context.js';
import { printError } from '../../src/cli/output.js';
import { openStore } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createTestTarget } from '../support/db.js';
import { describeWithSshd, startSshd, type TestSshd } from '../support/sshd.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/dcass/20190506');

/** Runs `dcass-recon <args>` in process with the real command and context; returns exit code and stdout. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const outSpy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  let code = -1;
  try {
    const program = new Command('dcass-recon')
      .option('--db <url|dir>')
      .option('--config <file>')
      .option('--json')
      .option('--quiet')
      .option('--verbose')
      .exitOverride();
    // The same shape as src/cli/main.ts's run(): context, body, errors to messages, exit code.
    const run = async (fn: (ctx: CliContext) => Promise<number>): Promise<void> => {
      const options = program.opts<GlobalOptions>();
      let ctx: CliContext | null = null;
      try {
        ctx = createContext(options);
        code = await fn(ctx);
      } catch (err) {
        printError(err, false);
        code = 2;
      } finally {
        await ctx?.close().catch(() => undefined);
      }
    };
    program.addCommand(fetchCommand(run).exitOverride());
    for (const c of lineageCommands(run)) program.addCommand(c.exitOverride());
    await program.parseAsync(['node', 'dcass-recon', ...args]);
  } finally {
    outSpy.mockRestore();
    errSpy.mockRestore();
  }
  return { code, stdout, stderr };
}

describeWithSshd('dcass-recon fetch (CLI) against a real OpenSSH server', () => {
  let server: TestSshd;
  let target: { target: string; drop: () => Promise<void> };
  let configFile: string;

  beforeAll(async () => {
    server = await startSshd();
    server.makeDateDir('CABC', '20190506');
    for (const f of readdirSync(FIXTURES))
      copyFileSync(path.join(FIXTURES, f), path.join(server.remoteRoot, 'CABC', 'INBOX', '20190506', f));
    target = await createTestTarget();
    const store = await openStore(target.target);
    await migrateToLatest(store);
    await store.close();
    configFile = path.join(server.workDir, 'dcass-recon.yaml');
    writeFileSync(
      configFile,
      [
        'participant:',
        '  code: CABC',
        'sftp:',
        `  host: ${server.host}`,
        `  port: ${server.port}`,
        `  username: ${server.username}`,
        `  privateKeyFile: ${server.clientKey.file}`,
        '  passphraseEnv: DCASS_CLI_TEST_PASSPHRASE',
        '  hostKeyFingerprints:',
        ...server.hostKeyFingerprints.map((fp) => `    - "${fp}"`),
        `  remoteRoot: ${server.remoteRoot}`,
        '  participant: CABC',
        '  inboxDir: inbox',
        // Files are in place before each fetch: taken as listed, so a CSV is loaded unverifiable.
        '  completeness: { stableMs: 0 }',
        '',
      ].join('\n'),
    );
    process.env.DCASS_CLI_TEST_PASSPHRASE = server.clientKey.passphrase;
  });
  afterAll(async () => {
    delete process.env.DCASS_CLI_TEST_PASSPHRASE;
    await target?.drop();
    await server?.stop();
  });

  it('fetches and ingests a date, then skips both on a re-run', async () => {
    const first = await cli([
      '--db',
      target.target,
      '--config',
      configFile,
      '--json',
      'fetch',
      '--date',
      '2019-05-06',
      '--ingest',
    ]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const r1 = JSON.parse(first.stdout) as {
      fetch: { fetched: Array<{ name: string; localPath: string }> };
      ingest: Array<{ status: string; fileName: string }>;
    };
    expect(r1.fetch.fetched.map((f) => f.name)).toEqual([
      'POS001_CABC_20190506_2310.xml',
      'TRD001_CABC_20190506_1300.xml',
      'TRD001_CABC_20190506_2310.xml',
    ]);
    expect(r1.fetch.fetched[0]!.localPath).toBe(
      path.join(server.workDir, 'inbox', '20190506', 'POS001_CABC_20190506_2310.xml'),
    );
    expect(r1.ingest.map((o) => o.status)).toEqual(['loaded', 'loaded', 'loaded']);

    const second = await cli([
      '--db',
      target.target,
      '--config',
      configFile,
      'fetch',
      '--date',
      '2019-05-06',
      '--report',
      'TRD001',
      '--ingest',
    ]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(
      /0 fetched \(0 bytes\), 2 already fetched \(skipped\), 0 refused, 0 failed/,
    );
    expect(second.stdout).toMatch(/ingest: 0 loaded, 2 already loaded, 0 refused/);
  });

  it('exits 2 with a clear message for a date RRS has not published', async () => {
    const r = await cli(['--db', target.target, '--config', configFile, 'fetch', '--date', '2019-05-13']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: no folder for business date 20190513 on the server/);
    expect(r.stderr).toMatch(/what to do: RRS has not published reports for this date yet/);
  });

  it('exits 2 when the passphrase variable is missing, naming the variable', async () => {
    const saved = process.env.DCASS_CLI_TEST_PASSPHRASE;
    delete process.env.DCASS_CLI_TEST_PASSPHRASE;
    try {
      const r = await cli(['--db', target.target, '--config', configFile, 'fetch', '--date', '2019-05-06']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cannot use the SFTP private key file/);
      expect(r.stderr).toMatch(/DCASS_CLI_TEST_PASSPHRASE/);
    } finally {
      process.env.DCASS_CLI_TEST_PASSPHRASE = saved;
    }
  });

  it('exits 2 when it refused remote names, says how many and why, and keeps the files fetched', async () => {
    server.makeDateDir('CABC', '20190507');
    const remote = path.join(server.remoteRoot, 'CABC', 'INBOX', '20190507');
    const csvs = path.resolve(FIXTURES, '../20190507');
    for (const f of readdirSync(csvs)) copyFileSync(path.join(csvs, f), path.join(remote, f));
    writeFileSync(path.join(remote, '-rf'), 'hostile');
    writeFileSync(path.join(remote, 'TRD001_CABC_20190507_2310.csv '), 'hostile');
    const r = await cli([
      '--db',
      target.target,
      '--config',
      configFile,
      'fetch',
      '--date',
      '2019-05-07',
      '--ingest',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/2 fetched \(\d+ bytes\), 0 already fetched \(skipped\), 2 refused, 0 failed/);
    expect(r.stdout).toMatch(
      /refused 2 remote names \(1 REMOTE_NAME_LEADING_DASH, 1 REMOTE_NAME_TRAILING_SPACE_OR_DOT\): nothing of them was taken, the files fetched are kept/,
    );
    expect(r.stdout).toMatch(/ingest: 2 loaded, 0 already loaded, 0 refused/);
  });

  it('files shows how each loaded file is known whole: a CSV fetched without waiting is unverifiable', async () => {
    const r = await cli(['--db', target.target, 'files']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('complete by');
    const line = (name: string) => r.stdout.split('\n').find((l) => l.includes(name)) ?? '';
    expect(line('POS001_CABC_20190507_2310.csv')).toMatch(/\bunverifiable\b/);
    expect(line('TRD001_CABC_20190507_2310.csv')).toMatch(/\bunverifiable\b/);
    expect(line('POS001_CABC_20190506_2310.xml')).toMatch(/\brecord-count\b/);
    const json = await cli(['--db', target.target, '--json', 'files', '--date', '2019-05-07']);
    expect((JSON.parse(json.stdout) as Array<{ completeness: string }>).map((f) => f.completeness)).toEqual([
      'unverifiable',
      'unverifiable',
    ]);
  });

  it('names a public key given as privateKeyFile, before connecting, exit 2', async () => {
    const pub = `${server.clientKey.file}.pub`;
    const copy = path.join(server.workDir, 'rrs_key'); // a public key under a private key's name
    copyFileSync(pub, copy);
    for (const keyFile of [pub, copy]) {
      const config = path.join(server.workDir, 'pubkey.yaml');
      writeFileSync(
        config,
        readFileSync(configFile, 'utf8').replace(
          `privateKeyFile: ${server.clientKey.file}`,
          `privateKeyFile: ${keyFile}`,
        ),
      );
      const connections = server.log().match(/Connection from/g)?.length ?? 0;
      const r = await cli(['--db', target.target, '--config', config, 'fetch', '--date', '2019-05-06']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `${keyFile} is a public key; privateKeyFile needs the private key (usually the same name without .pub)`,
      );
      expect(server.log().match(/Connection from/g)?.length ?? 0).toBe(connections);
    }
  });
});
