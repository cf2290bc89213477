import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type pg from 'pg';
import { osIdentity } from '../shared/os-identity.js';
import { DcassError, isConnectionLost, isDcassError } from '../shared/errors.js';
import type { Database } from './database.js';
import { lockFolder } from './folder-lock.js';
import { checkDatabaseTarget, isServerUrl, MEMORY_TARGET } from './database-target.js';
import { connectionFailure, probeServer } from './connection-failure.js';
import { makeFolder } from '../shared/folders.js';
import { pgliteCopy, postgresCopy, type CopyRows } from './copy.js';

/** Where the data lives: a PostgreSQL URL, a PGlite data folder, or `memory://` (throwaway PGlite). */
export type DatabaseTarget = string;

/** A transaction of the store: typed queries plus bulk COPY on the same connection. */
export interface StoreTransaction {
  readonly db: Kysely<Database>;
  readonly copyRows: CopyRows;
}

/** An open database: Kysely for queries, transactions that can bulk-load, and close. */
export interface Store {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Kysely<Database>;
  /** Runs `fn` in one transaction; it commits when fn resolves and rolls back when it throws. */
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /**
   * A server's: runs `fn` in a transaction on a connection of its own, beside the store's others, for
   * work done alongside a transaction in progress (see reconcile/run-steps.ts). Its own connection, not
   * one of the store's: a transaction in progress may hold a lock that every other connection of the
   * store is waiting for (a run holds the register while people's break actions wait), and work
   * alongside it must never wait for them in turn. Null on the embedded database: one connection.
   */
  readonly alongside: (<T>(fn: (tx: StoreTransaction) => Promise<T>) => Promise<T>) | null;
  close(): Promise<void>;
}

const OID = { int8: 20, numeric: 1700, date: 1082 } as const;

/** Decimals, 64-bit ids and calendar dates stay strings: no float, no time-zone shift. */
const asText = (value: string): string => value;

/**
 * The server's client library, loaded when a server is opened: a process on the embedded database
 * never holds it (about 10 MB of resident memory, counted in the embedded peak beside PGlite's).
 */
type PgModule = typeof pg;

async function loadPg(): Promise<PgModule> {
  const { default: loaded } = await import('pg');
  loaded.types.setTypeParser(OID.int8, asText);
  loaded.types.setTypeParser(OID.numeric, asText);
  loaded.types.setTypeParser(OID.date, asText);
  return loaded;
}

/**
 * Who runs this process, as session settings of every connection the store opens: break_event's
 * column defaults read them (migration 0008), so every insert path records the operating-system
 * user and host beside the declared actor without passing them.
 */
const SET_OS_IDENTITY =
  "SELECT set_config('dcass.os_user', $1, false), set_config('dcass.os_host', $2, false)";

function osIdentityParams(): string[] {
  const { user, host } = osIdentity();
  return [user, host];
}

export { isServerUrl };

/** How the process means to use the database. */
export interface OpenOptions {
  /**
   * It will load or reconcile many rows: on the embedded database, worth 2 s more at the first open
   * for about 100 MB less at the peak (see compileWasmOptimisedOnly). Commands that only read a few
   * rows leave it off and open in about 1.3 s.
   */
  readonly bulk?: boolean;
  /** Told the absolute path of an embedded database folder this open creates (first use). */
  readonly onNewFolder?: (folder: string) => void;
}

/** Opens the database named by the target; it is not migrated here (see migrate.ts). */
export async function openStore(target: DatabaseTarget, options: OpenOptions = {}): Promise<Store> {
  const kind = checkDatabaseTarget(target);
  if (kind === 'server') return openPostgres(target);
  if (kind === 'new-folder') {
    makeFolder(target, 'the embedded database folder');
    options.onNewFolder?.(path.resolve(target));
  }
  if (options.bulk === true) compileWasmOptimisedOnly();
  return openPglite(target);
}

async function openPostgres(url: string): Promise<Store> {
  const pg = await loadPg();
  // client_connection_check_interval: a statement whose client died (kill -9 of a run) is cancelled
  // by the server within a second, releasing its locks, instead of running on for its full length
  // while the register stays locked against the retry (PostgreSQL 14+, polled only while busy).
  const pool = serverPool(pg, url, 4);
  try {
    await probeServer(url);
  } catch (cause) {
    await pool.end();
    throw connectionFailure(url, cause, redactUrl(url));
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // The connection for work alongside, opened when first needed.
  let beside: pg.Pool | null = null;
  return {
    kind: 'postgres',
    db,
    transaction: (fn) => poolTransaction(pool, fn),
    alongside: (fn) => poolTransaction((beside ??= serverPool(pg, url, 1)), fn),
    async close() {
      try {
        await db.destroy();
      } finally {
        await beside?.end();
      }
    },
  };
}

/** A pool of at most `max` connections to the server, each set up as every connection of the store. */
function serverPool(pg: PgModule, url: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    options: '-c TimeZone=UTC -c client_connection_check_interval=1000',
  });
  // An idle client's error (server restart) must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  // Emitted before the new client is handed out, and a client runs its queries in order: the
  // settings are in place before its first statement. Setting a custom option cannot be refused; a
  // connection lost meanwhile is reported by the statement that follows.
  pool.on('connect', (client) => {
    // The pool listens for errors of idle clients only. A checked-out client whose socket breaks
    // between two statements (a transaction parsing its next batch) emits 'error', which without a
    // listener crashes the process; the statement in flight, or the next one, fails with the cause.
    client.on('error', () => undefined);
    client.query(SET_OS_IDENTITY, osIdentityParams()).catch(() => undefined);
  });
  return pool;
}

/** Runs `fn` in a transaction on a client of the pool; it commits when fn resolves and rolls back when it throws. */
async function poolTransaction<T>(pool: pg.Pool, fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
  // COPY needs the raw client of the transaction, so the transaction gets its own client and a
  // Kysely bound to that one client.
  const client = await pool.connect();
  const single = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: singleClientPool(client) }),
  });
  let broken = false;
  try {
    return await single.transaction().execute((trx) => fn({ db: trx, copyRows: postgresCopy(client) }));
  } catch (err) {
    broken = true;
    throw err;
  } finally {
    client.release(broken);
  }
}

/** A pool that always hands out the same client and never releases it (its owner does). */
function singleClientPool(client: pg.PoolClient) {
  // A proxy, not a prototype copy: the client's methods must run on the client itself, or its
  // internal state (the active query) would be written to the copy.
  const lease = new Proxy(client, {
    get(target, prop) {
      if (prop === 'release') return () => undefined;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { connect: async () => lease, end: async () => undefined };
}

/**
 * V8 first compiles WebAssembly with its baseline compiler and recompiles hot functions with the
 * optimising one while it runs, so over a long run PostgreSQL's code is held twice: PGlite's process
 * peaked at 499-524 MiB in `npm run bench` against 412-429 MiB compiled by the optimising compiler
 * only, for the same speed. That costs about 2 s once per process (PGlite keeps the compiled module
 * for later opens, whichever way it was compiled). Set before the first compilation; it concerns
 * WebAssembly only.
 */
let wasmCompilerSet = false;
function compileWasmOptimisedOnly(): void {
  if (wasmCompilerSet) return;
  setFlagsFromString('--no-liftoff');
  wasmCompilerSet = true;
}

async function openPglite(target: DatabaseTarget): Promise<Store> {
  const inMemory = target === MEMORY_TARGET;
  const release = inMemory ? () => undefined : lockFolder(target);
  // An interrupt (Ctrl-C) ends the process without closing the store: the lock goes with it. The
  // open transaction needs nothing: PGlite wrote no commit record for it, so it is not kept.
  process.on('exit', release);
  const unlock = () => {
    process.removeListener('exit', release);
    release();
  };
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(inMemory ? undefined : target, {
      parsers: { [OID.int8]: asText, [OID.numeric]: asText, [OID.date]: asText },
    });
    await pglite.exec("SET TIME ZONE 'UTC'");
    // A new WAL segment is made by seeking to its end, not by writing 16 MB of zeros 8 KB at a time:
    // on the embedded database each write is a call from its WebAssembly into Node on the thread
    // that is also the product's. A run of 1,000,000 x 1,000,000 trades (ingest included) made 55,424
    // such writes, 454 MB, of its 285,170 (433 with this off). Crash safety is the same: WAL records
    // carry their own checksums, whatever the bytes beyond the last one.
    await pglite.exec('SET wal_init_zero = off');
    await pglite.query(SET_OS_IDENTITY, osIdentityParams());
  } catch (cause) {
    unlock();
    throw new DcassError('DB_UNREACHABLE', `cannot open the embedded database in ${target}`, {
      hint: 'the folder may not be a dcass-recon database, or it is damaged; run with --verbose for the cause',
      cause,
    });
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    kind: 'pglite',
    db,
    transaction: (fn) => db.transaction().execute((trx) => fn({ db: trx, copyRows: pgliteCopy(pglite) })),
    alongside: null,
    async close() {
      try {
        await db.destroy();
      } finally {
        unlock();
      }
    },
  };
}

/** Hides the password of a connection URL in messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** How messages name the database: the server's URL without its password, or the embedded folder. */
function describeTarget(target: DatabaseTarget): string {
  return isServerUrl(target)
    ? `the PostgreSQL server at ${redactUrl(target)}`
    : `the embedded database in ${target}`;
}

/** The fields PostgreSQL (and PGlite) errors carry: a five-character SQLSTATE and a severity. */
interface PgErrorFields {
  readonly message: string;
  readonly code: string;
  readonly severity: string;
}

function isPgError(err: unknown): err is Error & PgErrorFields {
  const e = err as Partial<PgErrorFields> | null;
  return (
    err instanceof Error &&
    typeof e?.severity === 'string' &&
    typeof e.code === 'string' &&
    /^[0-9A-Z]{5}$/.test(e.code)
  );
}

/** The first error of the chain that says the connection went, for its own words. */
function lostConnectionCause(err: unknown): Error | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (!(e instanceof DcassError) && isConnectionLost(e)) return e;
  }
  return undefined;
}

/** What to do about a statement the database refused, by SQLSTATE class. */
function refusalHint(code: string): string {
  if (code.startsWith('53'))
    return 'the server ran out of disk, memory or connections: free them, then run the command again';
  if (code === '42501' || code.startsWith('28'))
    return 'the database role lacks a privilege or was refused: check the user in --db / DATABASE_URL';
  if (code === '57014')
    return 'a statement was cancelled (a statement timeout or an administrator): run the command again';
  if (code.startsWith('40')) return 'another session got in the way: run the command again';
  if (code === '25006')
    return 'the server accepts no writes (a standby?): point --db / DATABASE_URL at the primary';
  return (
    'what was being written was rolled back; if the server is healthy this is a bug of dcass-recon: ' +
    'run again with --verbose and report the message'
  );
}

/**
 * A database failure as a message for a person: a lost connection (anywhere in the error's causes,
 * whatever wrapped it) becomes DB_CONNECTION_LOST naming the server; a statement the database refused
 * becomes DB_QUERY_FAILED with its SQLSTATE and what to do. Anything else is returned as it is.
 */
export function explainDatabaseError(err: unknown, target: DatabaseTarget): unknown {
  // Already explained: the connection went, or the first connection failed with its cause named.
  if (isDcassError(err) && (err.code === 'DB_CONNECTION_LOST' || err.code === 'DB_UNREACHABLE')) return err;
  const lost = lostConnectionCause(err);
  if (lost) {
    const during = isDcassError(err) ? `; ${err.message}` : '';
    return new DcassError(
      'DB_CONNECTION_LOST',
      `lost the connection to ${describeTarget(target)} (${lost.message})${during}`,
      {
        hint:
          'the server stopped, restarted or ended this session; what was being written when it went was rolled back ' +
          'and work finished before it is kept. Check that the server runs (pg_isready), then run the same command ' +
          'again: files already loaded are skipped',
        cause: err,
      },
    );
  }
  if (!isDcassError(err) && isPgError(err)) {
    return new DcassError(
      'DB_QUERY_FAILED',
      `${describeTarget(target)} refused a statement: ${err.message} (SQLSTATE ${err.code})`,
      { hint: refusalHint(err.code), cause: err },
    );
  }
  return err;
}
