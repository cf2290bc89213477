/**
 * Throughput of `fetchReports` over SFTP against OpenSSH's own `sftp` client, same server, same files,
 * same run.
 *
 *   npx tsx bench/fetch.ts [--files 20] [--mb-per-file 10] [--rounds 3] [--concurrency N]
 *
 * Starts a local OpenSSH sshd (test/support/sshd.ts) with an unencrypted client key (so `sftp -b`
 * needs no prompt), writes the files under the RRS layout, then alternates rounds of `sftp -b`
 * (`get` of every file, default 64 requests of 32 KiB in flight) and `fetchReports` (SFTP source,
 * in-memory manifest: the database is not what is measured). Each round counts from connecting to
 * the last file on disk. Every file of every round is checked by SHA-256 against the original.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fetchReports } from '../src/ingest/acquire/fetch.js';
import type { FetchManifest, ManifestRecord } from '../src/ingest/acquire/manifest.js';
import { SftpSource } from '../src/ingest/acquire/sftp-source.js';
import { silentLogger } from '../src/shared/logger.js';
import { sftpConfigFor, sshdAvailability, startSshd } from '../test/support/sshd.js';

const { values: args } = parseArgs({
  options: {
    files: { type: 'string', default: '20' },
    'mb-per-file': { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string' },
  },
});
const FILES = Number(args.files);
const MB_PER_FILE = Number(args['mb-per-file']);
const ROUNDS = Number(args.rounds);
const DATE = '20190506';
const P = 'CABC';
const TARGET = 0.7;

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function memoryManifest(): FetchManifest {
  const rows: ManifestRecord[] = [];
  return { fetchedVersions: async () => [], record: async (r) => void rows.push(r) };
}

async function main(): Promise<void> {
  const availability = sshdAvailability();
  if (!availability.ok) {
    console.error(
      `bench:fetch needs OpenSSH (sshd and sftp): ${availability.reason}; apt-get install -y openssh-server openssh-client`,
    );
    process.exit(2);
  }
  const server = await startSshd({ clientKeyPassphrase: null });
  try {
    const expected = new Map<string, string>();
    for (let i = 0; i < FILES; i++) {
      const report = i % 2 === 0 ? 'TRD001' : 'POS001';
      const name = `${report}_${P}_${DATE}_${String(i).padStart(4, '0')}.${report === 'TRD001' ? 'xml' : 'csv'}`;
      const data = randomBytes(MB_PER_FILE * 1024 * 1024);
      expected.set(name, sha(data));
      server.putFile(P, DATE, name, data);
    }
    const totalMB = FILES * MB_PER_FILE;
    const remoteDir = `${server.remoteRoot}/${P}/INBOX/${DATE}`;
    const verify = (dir: string, names: Iterable<string>): number => {
      let n = 0;
      for (const name of names) {
        const got = sha(readFileSync(path.join(dir, name)));
        if (got !== expected.get(name)) throw new Error(`sha256 mismatch for ${path.join(dir, name)}`);
        n++;
      }
      return n;
    };

    // ssh -V prints its version on stderr.
    const sftpVersion =
      spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim().split(',')[0] ?? 'OpenSSH';
    const config = sftpConfigFor(server, {
      passphraseEnv: undefined,
      ...(args.concurrency === undefined ? {} : { concurrency: Number(args.concurrency) }),
    });

    const runSftp = async (round: number): Promise<number> => {
      const out = path.join(server.workDir, `sftp-${round}`);
      mkdirSync(out, { recursive: true });
      const batch =
        [...expected.keys()].map((n) => `get "${remoteDir}/${n}" "${out}/${n}"`).join('\n') + '\n';
      const started = process.hrtime.bigint();
      await new Promise<void>((resolve, reject) => {
        const child = spawn(
          'sftp',
          [
            '-q',
            '-b',
            '-',
            '-P',
            String(server.port),
            '-i',
            server.clientKey.file,
            '-o',
            'IdentitiesOnly=yes',
            '-o',
            `UserKnownHostsFile=${server.knownHostsFile}`,
            '-o',
            'StrictHostKeyChecking=yes',
            '-o',
            'BatchMode=yes',
            `${server.username}@127.0.0.1`,
          ],
          { stdio: ['pipe', 'ignore', 'pipe'] },
        );
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`sftp exited ${code}: ${err}`)),
        );
        child.stdin.end(batch);
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      verify(out, expected.keys());
      rmSync(out, { recursive: true, force: true });
      return seconds;
    };

    const runOurs = async (round: number): Promise<number> => {
      const inboxDir = path.join(server.workDir, `ours-${round}`);
      const started = process.hrtime.bigint();
      const summary = await fetchReports({
        source: new SftpSource({ config, secrets: {}, logger: silentLogger }),
        manifest: memoryManifest(),
        participant: P,
        date: DATE,
        reports: config.reports,
        inboxDir,
        totalMs: 600_000,
        retries: config.retries,
        concurrency: config.concurrency,
        // The files are written before the clock starts: waiting for them to settle would only add
        // stableMs to a transfer measured against OpenSSH's sftp, which does not wait.
        completeness: { stableMs: 0, maxWaitMs: 0 },
        logger: silentLogger,
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (!summary.ok || summary.fetched.length !== FILES)
        throw new Error(`fetchReports: ${JSON.stringify(summary.failed)}`);
      for (const f of summary.fetched) {
        if (f.sha256 !== expected.get(f.name))
          throw new Error(`fetchReports reported a wrong sha256 for ${f.name}`);
      }
      verify(path.join(inboxDir, DATE), expected.keys());
      rmSync(inboxDir, { recursive: true, force: true });
      return seconds;
    };

    console.log(
      `bench:fetch  ${FILES} files x ${MB_PER_FILE} MiB = ${totalMB} MiB from a local sshd (${sftpVersion}), ${ROUNDS} rounds, fetchReports concurrency ${config.concurrency}`,
    );
    console.log('round   dcass-recon fetchReports   OpenSSH sftp -b');
    const ours: number[] = [];
    const theirs: number[] = [];
    // Warm the page cache and both code paths once, unmeasured.
    await runSftp(-1);
    await runOurs(-1);
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate who goes first so neither always gets the warmer machine.
      if (r % 2 === 0) {
        ours.push(await runOurs(r));
        theirs.push(await runSftp(r));
      } else {
        theirs.push(await runSftp(r));
        ours.push(await runOurs(r));
      }
      console.log(
        `${String(r + 1).padEnd(8)}${`${(totalMB / ours[r]!).toFixed(1)} MB/s (${ours[r]!.toFixed(2)} s)`.padEnd(27)}${(totalMB / theirs[r]!).toFixed(1)} MB/s (${theirs[r]!.toFixed(2)} s)`,
      );
    }
    const oursMBs = totalMB / median(ours);
    const theirsMBs = totalMB / median(theirs);
    const ratio = oursMBs / theirsMBs;
    console.log(`median  ${`${oursMBs.toFixed(1)} MB/s`.padEnd(27)}${theirsMBs.toFixed(1)} MB/s`);
    console.log(
      `ratio   ${ratio.toFixed(2)}x of OpenSSH sftp (target >= ${TARGET}x): ${ratio >= TARGET ? 'PASS' : 'BELOW TARGET'}`,
    );
    console.log(`verified ${FILES * (ROUNDS + 1) * 2} downloads by sha256 (MB = MiB here)`);
    process.exitCode = ratio >= TARGET ? 0 : 1;
  } finally {
    await server.stop();
  }
}

await main();
