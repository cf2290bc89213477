import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from '../../src/audit/append.js';
import { auditDb } from '../../src/audit/audit-event.table.js';
import { GENESIS_HASH, chainHash, eventBody } from '../../src/audit/chain.js';
import { exportAuditChain } from '../../src/audit/export.js';
import { verifyAuditChain, type AuditVerification } from '../../src/audit/verify.js';
import { DEFAULT_REPORT_PATTERNS } from '../../src/config/sftp-config.js';
import type { Database } from '../../src/db/database.js';
import { fetchReports } from '../../src/ingest/acquire/fetch.js';
import { LocalFolderSource } from '../../src/ingest/acquire/local-folder-source.js';
import { databaseManifest } from '../../src/ingest/acquire/manifest.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { FIXTURES, calendar, profiles } from '../support/ingest.js';
import { inRolledBack } from '../support/rolled-back.js';

const VERIFIER = path.resolve(import.meta.dirname, '../../scripts/verify-audit-export.py');

/** Runs the auditor's verifier, a separate Python process that shares nothing with the product. */
function independentVerify(file: string, ...args: string[]): { code: number | null; out: string } {
  const r = spawnSync('python3', [VERIFIER, file, ...args], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

async function tamper(db: Kysely<Database>, statement: ReturnType<typeof sql>): Promise<void> {
  await sql`ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only`.execute(db);
  await statement.execute(db);
  await sql`ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only`.execute(db);
}

const append = (db: Kysely<Database>, n: number, actor = 'alice') =>
  appendAuditEvent(db, {
    actor,
    action: 'test.step',
    subject: `step:${n}`,
    details: { n, note: `step ${n}`, amount: '1234.50' },
  });

describe(`audit trail on ${dbKind}`, () => {
  let t: TestDb;
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-audit-'));
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('chains from the genesis value: hash = sha256(prev_hash + canonical body)', async () => {
    const first = await append(t.store.db, 1);
    const second = await append(t.store.db, 2);
    expect(first).toMatchObject({ id: '1', prevHash: GENESIS_HASH });
    expect(second).toMatchObject({ id: '2', prevHash: first.hash });
    const rows = await auditDb(t.store.db).selectFrom('audit_event').selectAll().orderBy('id').execute();
    // The operating-system user and host ride in the hashed body and in their own columns.
    const os = { host: hostname(), user: userInfo().username };
    expect(rows[0]!.body).toBe(
      eventBody({
        id: '1',
        at: first.at,
        actor: 'alice',
        action: 'test.step',
        subject: 'step:1',
        details: { n: 1, note: 'step 1', amount: '1234.50', _os: os },
      }),
    );
    expect(rows[0]!.body).toMatch(
      /^\{"action":"test\.step","actor":"alice","at":"[^"]+","details":\{"_os":\{"host":"[^"]+","user":"[^"]+"\},"amount"/,
    );
    expect([rows[0]!.os_user, rows[0]!.os_host]).toEqual([os.user, os.host]);
    expect(rows[1]!.hash).toBe(chainHash(first.hash, rows[1]!.body));
    expect((await verifyAuditChain(t.store)).intact).toBe(true);
  });

  it('refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
    const before = await auditDb(t.store.db).selectFrom('audit_event').selectAll().orderBy('id').execute();
    for (const [op, statement] of [
      ['UPDATE', sql`UPDATE audit_event SET actor = 'mallory' WHERE id = 1`],
      ['UPDATE', sql`UPDATE audit_event SET hash = hash WHERE false`],
      ['DELETE', sql`DELETE FROM audit_event WHERE id = 2`],
      ['TRUNCATE', sql`TRUNCATE audit_event`],
    ] as const) {
      await expect(statement.execute(t.store.db), op).rejects.toThrow(
        `audit_event is append-only: ${op} refused`,
      );
    }
    const after = await auditDb(t.store.db).selectFrom('audit_event').selectAll().orderBy('id').execute();
    expect(after).toEqual(before);
  });

  it('refuses a second event chaining from the same predecessor (no fork even without the lock)', async () => {
    const head = await auditDb(t.store.db)
      .selectFrom('audit_event')
      .select(['id', 'prev_hash'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    await expect(
      sql`INSERT INTO audit_event (id, actor, action, subject, body, prev_hash, hash)
          VALUES (${String(Number(head.id) + 1)}, 'x', 'test.fork', 's', '{}', ${head.prev_hash}, ${'a'.repeat(64)})`.execute(
        t.store.db,
      ),
    ).rejects.toThrow(/unique|duplicate/i);
  });

  it('keeps details._os for itself', async () => {
    await expect(
      appendAuditEvent(t.store.db, {
        actor: 'alice',
        action: 'test.step',
        subject: 's',
        details: { _os: 'x' },
      }),
    ).rejects.toThrow(/the key _os is the appender's/);
  });

  it('leaves no event and no gap when the action rolls back', async () => {
    const before = await verifyAuditChain(t.store);
    await expect(
      t.store.transaction(async (tx) => {
        await append(tx.db, 99);
        throw new Error('the action failed');
      }),
    ).rejects.toThrow('the action failed');
    expect((await verifyAuditChain(t.store)).events).toBe(before.events);
    const next = await append(t.store.db, 3);
    expect(next.id).toBe(String(before.events + 1));
    expect((await verifyAuditChain(t.store)).intact).toBe(true);
  });

  it('keeps one linear chain under concurrent appends from several transactions', async () => {
    const before = (await verifyAuditChain(t.store)).events;
    const writers = 6;
    const perWriter = 4;
    // Each transaction does other work between its appends; on the server they truly overlap (the
    // pool has 4 connections), on PGlite they are serialised by its single connection.
    await Promise.all(
      Array.from({ length: writers }, (_, w) =>
        t.store.transaction(async (tx) => {
          for (let i = 0; i < perWriter; i++) {
            await sql`SELECT pg_sleep(0.005)`.execute(tx.db);
            await append(tx.db, 1000 * w + i, `writer-${w}`);
          }
        }),
      ),
    );
    const v = await verifyAuditChain(t.store);
    expect(v).toMatchObject({ intact: true, events: before + writers * perWriter, broken: null });
    // A writer's events are contiguous: the lock is held until its transaction commits.
    const actors = (
      await auditDb(t.store.db)
        .selectFrom('audit_event')
        .select('actor')
        .where('id', '>', String(before))
        .orderBy('id')
        .execute()
    ).map((r) => r.actor);
    for (let i = 0; i < actors.length; i += perWriter) {
      expect(new Set(actors.slice(i, i + perWriter)).size).toBe(1);
    }
  });

  describe('a row changed behind the trigger is named by verify', () => {
    // Events 1 to 3 are alice's (the first tests).
    const expectBroken = (v: AuditVerification, id: string, problem: string, verified = Number(id) - 1) => {
      expect(v.intact).toBe(false);
      expect(v.broken).toMatchObject({ id, problem });
      expect(v.verified).toBe(verified);
    };

    it('a changed body: hash mismatch at that event', async () => {
      const v = await inRolledBack(t, async (db) => {
        await tamper(db, sql`UPDATE audit_event SET body = replace(body, 'step 2', 'step 9') WHERE id = 2`);
        return verifyAuditChain({ db });
      });
      expectBroken(v, '2', 'hash');
      expect(v.broken!.message).toMatch(/^hash mismatch: the stored hash is [0-9a-f]{64}, but sha256/);
    });

    it('a changed hash: hash mismatch at that event, not at the next', async () => {
      const v = await inRolledBack(t, async (db) => {
        await tamper(db, sql`UPDATE audit_event SET hash = ${'f'.repeat(64)} WHERE id = 3`);
        return verifyAuditChain({ db });
      });
      expectBroken(v, '3', 'hash');
    });

    it('a body and hash rewritten together: prev_hash mismatch at the next event', async () => {
      const v = await inRolledBack(t, async (db) => {
        const row = await auditDb(db)
          .selectFrom('audit_event')
          .select(['body', 'prev_hash'])
          .where('id', '=', '2')
          .executeTakeFirstOrThrow();
        const forged = row.body.replace('"alice"', '"mallory"');
        await tamper(
          db,
          sql`UPDATE audit_event SET body = ${forged}, actor = 'mallory', hash = ${chainHash(row.prev_hash, forged)} WHERE id = 2`,
        );
        return verifyAuditChain({ db });
      });
      expectBroken(v, '3', 'prev_hash');
      expect(v.broken!.message).toMatch(/event 2's hash is/);
    });

    it('a changed column that the body contradicts: body mismatch', async () => {
      const v = await inRolledBack(t, async (db) => {
        await tamper(db, sql`UPDATE audit_event SET actor = 'mallory' WHERE id = 3`);
        return verifyAuditChain({ db });
      });
      expectBroken(v, '3', 'body');
      expect(v.broken!.message).toContain(
        `the row's actor column says "mallory" but its hashed body says "alice"`,
      );
    });

    it('a changed operating-system user or host: body mismatch at that event', async () => {
      for (const [column, statement] of [
        ['os_user', sql`UPDATE audit_event SET os_user = 'mallory' WHERE id = 2`],
        ['os_host', sql`UPDATE audit_event SET os_host = 'elsewhere' WHERE id = 2`],
        ['os_user', sql`UPDATE audit_event SET os_user = NULL, os_host = NULL WHERE id = 2`],
      ] as const) {
        const v = await inRolledBack(t, async (db) => {
          await tamper(db, statement);
          return verifyAuditChain({ db });
        });
        expectBroken(v, '2', 'body');
        expect(v.broken!.message).toMatch(
          new RegExp(
            `^body mismatch: the row's ${column} column says .* but its hashed body \\(details\\._os\\) says`,
          ),
        );
      }
    });

    it('an event written before the identity was recorded verifies; given an identity afterwards, it does not', async () => {
      const v = await inRolledBack(t, async (db) => {
        const head = await auditDb(db)
          .selectFrom('audit_event')
          .select(['id', 'hash'])
          .orderBy('id', 'desc')
          .executeTakeFirstOrThrow();
        const id = String(Number(head.id) + 1);
        const at = '2019-05-06T10:00:00.000000Z';
        const body = eventBody({
          id,
          at,
          actor: 'ops.old',
          action: 'test.old',
          subject: 's',
          details: { n: 1 },
        });
        await sql`INSERT INTO audit_event (id, at, actor, action, subject, body, prev_hash, hash)
          VALUES (${id}, ${at}, 'ops.old', 'test.old', 's', ${body}, ${head.hash}, ${chainHash(head.hash, body)})`.execute(
          db,
        );
        const legacy = await verifyAuditChain({ db });
        await tamper(db, sql`UPDATE audit_event SET os_user = 'ops.old' WHERE id = ${id}`);
        return [legacy, await verifyAuditChain({ db }), id] as const;
      });
      expect(v[0]).toMatchObject({ intact: true, broken: null });
      expect(v[1].broken).toMatchObject({ id: v[2], problem: 'body' });
      expect(v[1].broken!.message).toContain(
        `the row's os_user column says "ops.old" but its hashed body (details._os) says nothing`,
      );
    });

    it('a changed time: body mismatch', async () => {
      const v = await inRolledBack(t, async (db) => {
        await tamper(db, sql`UPDATE audit_event SET at = at - interval '1 day' WHERE id = 1`);
        return verifyAuditChain({ db });
      });
      expectBroken(v, '1', 'body');
    });

    it('a removed event: gap in ids at the event after it', async () => {
      const v = await inRolledBack(t, async (db) => {
        await tamper(db, sql`DELETE FROM audit_event WHERE id = 3`);
        return verifyAuditChain({ db });
      });
      expectBroken(v, '4', 'gap', 2);
      expect(v.broken!.message).toBe('gap in ids: event 3 is missing before event 4');
    });

    it('a removed tail is found only against a head kept elsewhere (--head)', async () => {
      const full = await verifyAuditChain(t.store);
      const v = await inRolledBack(t, async (db) => {
        await tamper(db, sql`DELETE FROM audit_event WHERE id = ${full.head!.id}`);
        return [
          await verifyAuditChain({ db }),
          await verifyAuditChain({ db }, { expectedHead: full.head!.hash }),
        ];
      });
      expect(v[0]!.intact).toBe(true);
      expect(v[1]!.intact).toBe(false);
      expect(v[1]!.broken).toMatchObject({ problem: 'head', expected: full.head!.hash });
    });
  });

  it('exports JSON lines with a head line that the independent verifier accepts, and catches any edit', async () => {
    const file = path.join(work, 'audit.jsonl');
    const v = await verifyAuditChain(t.store);
    const exported = await exportAuditChain(t.store, file, { batchSize: 7 });
    expect(exported).toMatchObject({ events: v.events, head: v.head, intact: true, broken: null });
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(v.events + 1);
    expect(JSON.parse(lines.at(-1)!)).toEqual({
      head: {
        format: 'dcass-recon-audit-export/1',
        genesis: GENESIS_HASH,
        events: v.events,
        id: v.head!.id,
        hash: v.head!.hash,
      },
    });

    expect(independentVerify(file)).toEqual({
      code: 0,
      out: `OK: ${v.events} events, head hash ${v.head!.hash}\n`,
    });
    expect(independentVerify(file, '--head', v.head!.hash).code).toBe(0);
    expect(independentVerify(file, '--head', 'e'.repeat(64))).toMatchObject({ code: 1 });

    const edited = path.join(work, 'edited.jsonl');
    writeFileSync(
      edited,
      [...lines.slice(0, 2), lines[2]!.replace('"step 3"', '"step 4"'), ...lines.slice(3), ''].join('\n'),
    );
    expect(independentVerify(edited)).toMatchObject({
      code: 1,
      out: expect.stringMatching(/^BROKEN at line 3 \(event 3\): hash mismatch/),
    });

    const cut = path.join(work, 'cut.jsonl');
    writeFileSync(cut, [...lines.slice(0, -2), ''].join('\n'));
    expect(independentVerify(cut)).toMatchObject({ code: 1, out: expect.stringContaining('no head line') });

    const dropped = path.join(work, 'dropped.jsonl');
    writeFileSync(dropped, [lines[0], ...lines.slice(2), ''].join('\n'));
    expect(independentVerify(dropped)).toMatchObject({
      code: 1,
      out: expect.stringContaining('gap in ids: expected event 2'),
    });
  });

  it('records ingest: loaded (with sha256, rows, rejects), already loaded, refused; a refused load leaves no loaded event', async () => {
    const inputs = path.join(work, 'inputs');
    mkdirSync(inputs, { recursive: true });
    // A backup with one detail line removed: refused by its trailer count after its rows were sent.
    const genium = readFileSync(path.join(FIXTURES, 'genium', 'TRD001_CABC_20190503.lis'), 'utf8').split(
      '\n',
    );
    const truncated = path.join(inputs, 'TRD001_CABC_20190503.lis');
    writeFileSync(truncated, genium.filter((_, i) => i !== 2).join('\n'));
    const requests = [
      { path: path.join(FIXTURES, 'bos', 'ACCOUNT_MAP_CABC.csv'), source: 'bos' as const },
      { path: path.join(FIXTURES, 'bos', 'BOS_TRADES_CABC_20190503.csv'), source: 'bos' as const },
      { path: truncated, source: 'genium' as const },
    ];
    const ctx = { store: t.store, profiles, calendar, participant: 'CABC', actor: 'ops.bob' };
    const before = (await verifyAuditChain(t.store)).events;
    const first = await ingestFiles(ctx, requests);
    expect(first.map((o) => o.status)).toEqual(['loaded', 'loaded', 'refused']);
    const second = await ingestFiles(ctx, requests.slice(0, 2));
    expect(second.map((o) => o.status)).toEqual(['skipped', 'skipped']);

    const events = await auditDb(t.store.db)
      .selectFrom('audit_event')
      .select(['actor', 'action', 'subject', 'body'])
      .where('id', '>', String(before))
      .orderBy('id')
      .execute();
    expect(events.map((e) => [e.actor, e.action, e.subject])).toEqual([
      ['ops.bob', 'ingest.loaded', 'file:ACCOUNT_MAP_CABC.csv'],
      ['ops.bob', 'ingest.loaded', 'file:BOS_TRADES_CABC_20190503.csv'],
      ['ops.bob', 'ingest.refused', 'file:TRD001_CABC_20190503.lis'],
      ['ops.bob', 'ingest.skipped', 'file:ACCOUNT_MAP_CABC.csv'],
      ['ops.bob', 'ingest.skipped', 'file:BOS_TRADES_CABC_20190503.csv'],
    ]);
    const details = events.map((e) => (JSON.parse(e.body) as { details: Record<string, unknown> }).details);
    const trades = first[1]!;
    expect(details[1]).toMatchObject({
      sha256: trades.sha256,
      rows: trades.rows,
      rejected: trades.rejected,
      fileId: trades.fileId,
      businessDate: '2019-05-03',
    });
    expect(trades.rows).toBeGreaterThan(0);
    expect(details[2]).toMatchObject({
      status: 'refused',
      sha256: first[2]!.sha256,
      error: { code: 'INGEST_TRAILER_MISMATCH' },
    });
    expect(details[4]).toMatchObject({ status: 'skipped', sha256: trades.sha256, rows: trades.rows });
    expect((await verifyAuditChain(t.store)).intact).toBe(true);
  });

  it('records a fetch run with the files fetched, skipped and refused', async () => {
    const inbox = path.join(work, 'inbox');
    const run = () =>
      fetchReports({
        source: new LocalFolderSource(path.join(FIXTURES, 'dcass', '20190506')),
        manifest: databaseManifest(t.store.db),
        participant: 'CABC',
        date: '2019-05-06',
        reports: DEFAULT_REPORT_PATTERNS,
        inboxDir: inbox,
        totalMs: 30_000,
        retries: { count: 0, backoffMs: 0 },
        concurrency: 2,
        logger: silentLogger,
        actor: 'ops.carol',
      });
    const first = await run();
    await run();
    const events = await auditDb(t.store.db)
      .selectFrom('audit_event')
      .select(['actor', 'action', 'subject', 'body'])
      .where('action', 'like', 'fetch.%')
      .orderBy('id')
      .execute();
    expect(events.map((e) => [e.actor, e.action, e.subject])).toEqual([
      ['ops.carol', 'fetch.completed', 'fetch:2019-05-06'],
      ['ops.carol', 'fetch.completed', 'fetch:2019-05-06'],
    ]);
    const [a, b] = events.map(
      (e) =>
        (
          JSON.parse(e.body) as {
            details: {
              runId: string;
              fetched: { name: string; sha256: string }[];
              skipped: { name: string }[];
            };
          }
        ).details,
    );
    expect(a!.runId).toBe(first.runId);
    expect(a!.fetched.map((f) => [f.name, f.sha256])).toEqual(first.fetched.map((f) => [f.name, f.sha256]));
    expect(a!.fetched).toHaveLength(3);
    expect(b!.fetched).toEqual([]);
    expect(b!.skipped.map((f) => f.name)).toEqual(first.fetched.map((f) => f.name));
  });
});
