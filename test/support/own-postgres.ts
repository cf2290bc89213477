import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';
import { freePort } from './sshd.js';

/** Where Debian's postgresql-15 puts initdb and pg_ctl. */
export const PG_BIN = process.env.DCASS_PG_BIN ?? '/usr/lib/postgresql/15/bin';

const ENABLE_HINT =
  'install PostgreSQL 15 server binaries to run them (`apt-get install -y postgresql-15`, or point ' +
  'DCASS_PG_BIN at a folder with initdb and pg_ctl); set DCASS_REQUIRE_PG_TOOLS=1 to make their absence ' +
  'fail the run instead of skipping';

/**
 * `describe` for tests that start and stop a PostgreSQL server of their own. They run in the server
 * pass only (DATABASE_URL set): they do not use that server, but running them once is enough. Where
 * initdb is missing they fail when DCASS_REQUIRE_PG_TOOLS=1 (CI) and are skipped with a message otherwise.
 */
export function describeWithOwnPostgres(name: string, body: () => void): void {
  if (!process.env.DATABASE_URL) {
    console.warn(`[own-server tests skipped] ${name}: they run in the server pass (DATABASE_URL set)`);
    describe.skip(`${name} (skipped: runs only when DATABASE_URL is set)`, body);
  } else if (existsSync(path.join(PG_BIN, 'initdb'))) {
    describe(name, body);
  } else if (process.env.DCASS_REQUIRE_PG_TOOLS === '1') {
    describe(name, () => {
      it('needs initdb and pg_ctl', () => {
        throw new Error(`DCASS_REQUIRE_PG_TOOLS=1 but ${PG_BIN}/initdb is missing; ${ENABLE_HINT}`);
      });
    });
  } else {
    console.warn(`[own-server tests skipped] ${name}: ${PG_BIN}/initdb not found; ${ENABLE_HINT}`);
    describe.skip(`${name} (skipped: no initdb; ${ENABLE_HINT})`, body);
  }
}

/** A throwaway PostgreSQL 15 cluster in a temp folder, on a free port of 127.0.0.1, trust auth. */
export interface OwnPostgres {
  /** URL of its `postgres` database. */
  readonly url: string;
  readonly port: number;
  start(): void;
  /** Stops the server: `fast` ends sessions cleanly (57P01), `immediate` as a crash would. */
  stop(mode?: 'fast' | 'immediate'): void;
  /** Stops the server and removes its folder. */
  dispose(): void;
}

/**
 * PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` OS user and the
 * tools run through runuser.
 */
function pgTool(tool: string, args: readonly string[]): void {
  const bin = path.join(PG_BIN, tool);
  const asRoot = userInfo().uid === 0;
  execFileSync(asRoot ? 'runuser' : bin, asRoot ? ['-u', 'postgres', '--', bin, ...args] : [...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** Creates and starts the cluster. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dcass-own-pg-'));
  if (userInfo().uid === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  pgTool('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const server: OwnPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => pgTool('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']),
    stop: (mode = 'fast') => pgTool('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']),
    dispose() {
      try {
        server.stop('immediate');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  server.start();
  return server;
}
