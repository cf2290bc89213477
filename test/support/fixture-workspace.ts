import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { runCli } from './cli.js';
import { createTestTarget } from './db.js';

/**
 * The setting of the CLI's end-to-end tests: a fresh folder where `init recon --with-fixtures` writes
 * its starter configuration (in `recon/`), over a test database of its own. The folders exist at once;
 * the database, init and ingest come in `setUp` (or step by step: open, init, ingestAll).
 */
export function fixtureWorkspace(prefix: string) {
  const work = mkdtempSync(path.join(tmpdir(), prefix));
  const cwd = path.join(work, 'recon');
  let db: { target: string; drop: () => Promise<void> } | null = null;
  const target = (): string => {
    if (db === null) throw new Error('fixtureWorkspace: open() or setUp() first');
    return db.target;
  };
  const cli = (args: readonly string[]) => runCli(['--db', target(), ...args], { cwd });
  return {
    /** The folder init runs in. */
    work,
    /** The configuration's folder, where the CLI runs. */
    cwd,
    /** The database: a PGlite folder, or a server URL. */
    get target(): string {
      return target();
    },
    /** Runs the CLI on the workspace's database, in its configuration's folder. */
    cli,
    /** Creates the database. */
    async open(): Promise<void> {
      db = await createTestTarget();
    },
    /** Writes the starter configuration and fixtures. */
    async init(): Promise<void> {
      const init = await runCli(['init', 'recon', '--with-fixtures'], { cwd: work });
      expect(init.code, init.stderr).toBe(0);
    },
    /** Ingests every input file of the configuration. */
    async ingestAll(): Promise<void> {
      const ingest = await cli(['ingest', '--all']);
      expect(ingest.code, ingest.stderr).toBe(0);
    },
    /** Database, init, then every fixture ingested; `beforeIngest` may change the inputs first. */
    async setUp(beforeIngest?: () => void): Promise<void> {
      await this.open();
      await this.init();
      beforeIngest?.();
      await this.ingestAll();
    },
    /** Drops the database. */
    async dispose(): Promise<void> {
      await db?.drop();
    },
  };
}
