import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/db/connect.js';
import type { Database } from '../../src/db/database.js';
import { createTestTarget, dbKind } from '../support/db.js';
import { runCli } from '../support/cli.js';

const REFUSED = /break \d+: its state \(status, reason, reason code, explained by, assignee, last seen\) differs from its latest break event; the register changes only through dcass-recon/;

describe(`the break register changes only through the product (${dbKind})`, () => {
  let target: { target: string; drop: () => Promise<void> };
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-register-guard-'));
  const cwd = path.join(work, 'recon');
  const cli = (args: string[]) => runCli(['--db', target.target, ...args], { cwd });
  /** Opens the database for one change and closes it (the embedded database takes one process at a time). */
  const withStore = async <T>(fn: (store: Store) => Promise<T>): Promise<T> => {
    const store = await openStore(target.target);
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  };
  const statusOf = async (db: Kysely<Database>, id: string) =>
    (await sql<{ status: string }>`SELECT status FROM break_case WHERE id = ${id}::bigint`.execute(db)).rows[0]!
      .status;
  let ids: string[];

  beforeAll(async () => {
    target = await createTestTarget();
    expect((await runCli(['init', 'recon', '--with-fixtures'], { cwd: work })).code).toBe(0);
    expect((await cli(['ingest', '--all', '--quiet'])).code).toBe(0);
    expect((await cli(['run', '--date', '2019-05-03', '--quiet'])).code).toBe(1);
    ids = await withStore(async (s) =>
      (await sql<{ id: string }>`SELECT id::text AS id FROM break_case ORDER BY id`.execute(s.db)).rows.map((r) => r.id),
    );
    expect(ids.length).toBeGreaterThan(0);
  });
  afterAll(async () => target.drop());

  it("the product's own writes pass: a run, explain, resolve, a re-run, reopen; verify replays the register", async () => {
    const ex = await cli(['breaks', 'explain', ids[0]!, '--reason', 'late Genium backup', '--actor', 'alice']);
    expect(ex.code, ex.stderr).toBe(0);
    const res = await cli(['breaks', 'resolve', ids[0]!, '--reason', 'checked with HKEX', '--actor', 'bob']);
    expect(res.code, res.stderr).toBe(0);
    expect((await cli(['run', '--date', '2019-05-03', '--quiet'])).code).toBeLessThan(2);
    const re = await cli(['breaks', 'reopen', ids[0]!, '--reason', 'HKEX disagrees', '--actor', 'carol']);
    expect(re.code, re.stderr).toBe(0);
    const r = await cli(['audit', 'verify']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain(`break register consistent: ${ids.length} break${ids.length === 1 ? '' : 's'}, each as its latest event records\n`);
  });

  it("UPDATE break_case SET status = 'resolved' is refused at commit, and the break stays open", async () => {
    await withStore(async (s) => {
      const id = ids[0]!;
      // The statement itself runs: the check waits for the commit, where case and event must agree.
      await expect(
        s.transaction(async (tx) => {
          const u = await sql`UPDATE break_case SET status = 'resolved' WHERE id = ${id}::bigint`.execute(tx.db);
          expect(u.numAffectedRows).toBe(1n);
        }),
      ).rejects.toThrow(REFUSED);
      await expect(
        sql`UPDATE break_case SET status = 'resolved', reason = 'fine' WHERE id = ${id}::bigint`.execute(s.db),
      ).rejects.toThrow(REFUSED);
      await expect(sql`UPDATE break_case SET assignee = 'mallory'`.execute(s.db)).rejects.toThrow(REFUSED);
      expect(await statusOf(s.db, id)).toBe('open');
      await expect(sql`DELETE FROM break_case WHERE id = ${id}::bigint`.execute(s.db)).rejects.toThrow(
        /break_case keeps the register: DELETE refused/,
      );
      await expect(sql`TRUNCATE break_case CASCADE`.execute(s.db)).rejects.toThrow(
        /break_case keeps the register: TRUNCATE refused/,
      );
    });
  });

  it('a forgery made with the trigger disabled (superuser) is named by audit verify, exit 2', async () => {
    const id = ids[0]!;
    await withStore(async (s) => {
      await s.transaction(async (tx) => {
        await sql`ALTER TABLE break_case DISABLE TRIGGER break_case_state_from_events`.execute(tx.db);
        await sql`UPDATE break_case SET status = 'resolved', reason = 'forged' WHERE id = ${id}::bigint`.execute(tx.db);
        await sql`ALTER TABLE break_case ENABLE TRIGGER break_case_state_from_events`.execute(tx.db);
      });
      expect(await statusOf(s.db, id)).toBe('resolved');
    });
    const r = await cli(['audit', 'verify']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      `break register CHANGED outside dcass-recon: 1 of ${ids.length} break${ids.length === 1 ? '' : 's'} differ from their latest event: break ${id}\n`,
    );
    const json = await cli(['--json', 'audit', 'verify']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      intact: false,
      broken: null,
      register: { consistent: false, cases: ids.length, differing: 1, firstDiffering: [id] },
    });
  });
});
