import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { openStore, type Store } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

/** The database target of this run: the real server when DATABASE_URL is set, else embedded PGlite. */
export const serverUrl = process.env.DATABASE_URL;
export const dbKind: 'postgres' | 'pglite' = serverUrl ? 'postgres' : 'pglite';

/** A fresh, migrated database for one test file, and its target string (for CLI subprocesses). */
export interface TestDb {
  readonly store: Store;
  readonly target: string;
  dispose(): Promise<void>;
}

/** Creates an empty database on the run's target: its own database on the server, or a temp folder. */
export async function createTestDb(options: { migrate?: boolean } = {}): Promise<TestDb> {
  const { target, drop } = serverUrl ? await createServerDatabase(serverUrl) : createPgliteFolder();
  const store = await openStore(target);
  if (options.migrate !== false) await migrateToLatest(store);
  return {
    store,
    target,
    async dispose() {
      await store.close();
      await drop();
    },
  };
}

/**
 * For a describe block testing what happens at the same time: a fresh database and `n` more stores
 * open on it (each its own connections), opened before the block's tests and closed after them.
 */
export function withConcurrentStores(n: number): { readonly db: () => TestDb; readonly stores: Store[] } {
  let t: TestDb | undefined;
  const stores: Store[] = [];
  beforeAll(async () => {
    t = await createTestDb();
    for (let i = 0; i < n; i++) stores.push(await openStore(t.target));
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await t?.dispose();
  });
  return { db: () => t!, stores };
}

/** Reserves a fresh target without opening it (for tests that run the CLI in a subprocess). */
export async function createTestTarget(): Promise<{ target: string; drop: () => Promise<void> }> {
  return serverUrl ? createServerDatabase(serverUrl) : createPgliteFolder();
}

function createPgliteFolder(): { target: string; drop: () => Promise<void> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'dcass-test-db-'));
  return { target: dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function createServerDatabase(url: string): Promise<{ target: string; drop: () => Promise<void> }> {
  const name = `dcass_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    target: target.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
