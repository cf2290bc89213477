import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/db/connect.js';
import { dbKind } from '../support/db.js';
import { fixtureWorkspace } from '../support/fixture-workspace.js';
import { runCli } from '../support/cli.js';

const VERIFIER = path.resolve(import.meta.dirname, '../../scripts/verify-audit-export.py');

interface Verification {
  intact: boolean;
  events: number;
  verified: number;
  head: { id: string; hash: string } | null;
  broken: { id: string; problem: string; message: string } | null;
}

describe(`dcass-recon audit verify and export (${dbKind})`, () => {
  const ws = fixtureWorkspace('dcass-audit-cli-');
  const { work, cwd, cli } = ws;
  const verifyJson = async () => {
    const r = await cli(['--json', 'audit', 'verify']);
    return { code: r.code, result: JSON.parse(r.stdout) as Verification };
  };

  beforeAll(async () => {
    await ws.open();
    await ws.init();
  });
  afterAll(async () => ws.dispose());

  it('ingest records one event per file with the --actor given; verify prints the count and head hash', async () => {
    const ingest = await cli(['ingest', '--all', '--actor', 'Chan Tai Man']);
    expect(ingest.code, ingest.stderr).toBe(0);
    const r = await cli(['audit', 'verify']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^audit chain intact: 24 events, head event 24, head hash [0-9a-f]{64}\n$/);
  });

  it("takes the configuration's actor: without --actor, and --actor over it", async () => {
    appendFileSync(path.join(cwd, 'dcass-recon.yaml'), '\nactor: wong.siu.ming\n');
    expect((await cli(['ingest', '--all', '--quiet'])).code).toBe(0);
    expect((await cli(['ingest', '--all', '--quiet', '--actor', 'lee.ka.yan'])).code).toBe(0);
    const out = path.join(work, 'actors.jsonl');
    expect((await cli(['audit', 'export', '--out', out])).code).toBe(0);
    const events = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as { actor: string; action: string });
    expect(events).toHaveLength(72);
    expect(new Set(events.slice(0, 24).map((e) => `${e.actor} ${e.action}`))).toEqual(
      new Set(['Chan Tai Man ingest.loaded']),
    );
    expect(new Set(events.slice(24, 48).map((e) => `${e.actor} ${e.action}`))).toEqual(
      new Set(['wong.siu.ming ingest.skipped']),
    );
    expect(new Set(events.slice(48).map((e) => e.actor))).toEqual(new Set(['lee.ka.yan']));
  });

  it('export writes a file the independent verifier accepts, and prints its sha256', async () => {
    const out = path.join(work, 'audit.jsonl');
    const r = await cli(['audit', 'export', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { code, result } = await verifyJson();
    expect(code).toBe(0);
    expect(result).toMatchObject({ intact: true, events: 72, verified: 72, broken: null });
    expect(r.stdout).toContain(`wrote ${out}: 72 events, head hash ${result.head!.hash}`);
    const sha = spawnSync('sha256sum', [out], { encoding: 'utf8' }).stdout.split(' ')[0]!;
    expect(r.stdout).toContain(`sha256 of the file: ${sha}`);
    const v = spawnSync('python3', [VERIFIER, out, '--head', result.head!.hash], { encoding: 'utf8' });
    expect(v.stdout).toBe(`OK: 72 events, head hash ${result.head!.hash}\n`);
    expect(v.status).toBe(0);
  });

  it('--head takes a unique prefix of 12+ hex digits; a short, non-hex or unknown value is a usage error, never BROKEN', async () => {
    const { result } = await verifyJson();
    const hash = result.head!.hash;
    const prefix = await cli(['audit', 'verify', '--head', hash.slice(0, 12).toUpperCase()]);
    expect(prefix.code, prefix.stderr).toBe(0);
    expect(prefix.stdout).toContain(`audit chain intact: ${result.events} events`);
    const full = await cli(['audit', 'verify', '--head', hash]);
    expect(full.code, full.stderr).toBe(0);
    const misuse: [string, string][] = [
      [
        hash.slice(0, 8),
        `--head ${hash.slice(0, 8)} is not a full hash and too short a prefix: 8 hex digits, at least 12`,
      ],
      ['3f1c...e9a0', '--head "3f1c...e9a0" is not a hash: a head hash is 64 hex digits'],
      [
        `${hash.slice(0, 11)}${hash[11] === '0' ? '1' : '0'}`,
        "is not a full hash, and no event's hash starts with it",
      ],
    ];
    for (const [value, message] of misuse) {
      const r = await cli(['audit', 'verify', '--head', value]);
      expect(r.code, value).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stdout + r.stderr).not.toContain('BROKEN');
      expect(r.stdout + r.stderr).not.toContain('auditor');
    }
    const help = await runCli(['audit', 'verify', '--help']);
    const example = /audit verify --head ([0-9a-f]+)/.exec(help.stdout)?.[1];
    expect(example?.length).toBeGreaterThanOrEqual(12); // an example that is a value --head takes
  });

  it('every event records the operating-system user and host, hashed with it: a changed os_user breaks the chain there', async () => {
    const me = { host: hostname(), user: userInfo().username };
    const out = path.join(work, 'os.jsonl');
    expect((await cli(['audit', 'export', '--out', out])).code).toBe(0);
    const events = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as { details: { _os: unknown } });
    expect(new Set(events.map((e) => JSON.stringify(e.details._os)))).toEqual(new Set([JSON.stringify(me)]));
    // The CLI opens the database itself (an embedded one by one process at a time): ours is closed first.
    const withStore = async <R>(fn: (store: Store) => Promise<R>): Promise<R> => {
      const store = await openStore(ws.target);
      try {
        return await fn(store);
      } finally {
        await store.close();
      }
    };
    const tamper = (value: string) =>
      withStore((store) =>
        store.transaction(async (tx) => {
          await sql`ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only`.execute(tx.db);
          await sql`UPDATE audit_event SET os_user = ${value} WHERE id = 12`.execute(tx.db);
          await sql`ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only`.execute(tx.db);
        }),
      );
    const columns = await withStore((store) =>
      sql<{ os_user: string; os_host: string }>`SELECT DISTINCT os_user, os_host FROM audit_event`.execute(
        store.db,
      ),
    );
    expect(columns.rows).toEqual([{ os_user: me.user, os_host: me.host }]);
    await tamper('mallory');
    const r = await cli(['audit', 'verify']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      `audit chain BROKEN at event 12: body mismatch: the row's os_user column says "mallory" but its hashed body (details._os) says ${JSON.stringify(me.user)}`,
    );
    await tamper(me.user);
    expect((await verifyJson()).result).toMatchObject({ intact: true, broken: null });
  });

  it('a row changed behind the trigger: verify exits 2 naming exactly that event', async () => {
    // Event 9 is the ingest of TRD001_CABC_20190506_1300.xml, 12 rows (the account map first, then the files in order).
    const store = await openStore(ws.target);
    try {
      await store.transaction(async (tx) => {
        await sql`ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only`.execute(tx.db);
        await sql`UPDATE audit_event SET body = replace(body, '"rows":12', '"rows":13') WHERE id = 9`.execute(
          tx.db,
        );
        await sql`ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only`.execute(tx.db);
      });
      const changed = await sql<{
        n: string;
      }>`SELECT count(*) AS n FROM audit_event WHERE id = 9 AND body LIKE '%"rows":13%'`.execute(store.db);
      expect(changed.rows[0]!.n).toBe('1');
    } finally {
      await store.close();
    }
    const r = await cli(['audit', 'verify']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^audit chain BROKEN at event 9: hash mismatch: the stored hash is [0-9a-f]{64}, but sha256\(prev_hash \+ body\) is [0-9a-f]{64}/,
    );
    expect(r.stdout).toContain('8 events verified before it; 72 events stored');
    const { code, result } = await verifyJson();
    expect(code).toBe(2);
    expect(result.broken).toMatchObject({ id: '9', problem: 'hash' });

    const out = path.join(work, 'broken.jsonl');
    const e = await cli(['audit', 'export', '--out', out]);
    expect(e.code).toBe(2);
    expect(e.stdout).toContain('audit chain BROKEN at event 9');
    const v = spawnSync('python3', [VERIFIER, out], { encoding: 'utf8' });
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/^BROKEN at line 9 \(event 9\): hash mismatch/);
  });

  it('has help with examples', async () => {
    for (const args of [
      ['audit', '--help'],
      ['audit', 'verify', '--help'],
      ['audit', 'export', '--help'],
    ]) {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
    }
    const usage = await cli(['audit', 'export']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("required option '--out <file>' not specified");
  });
});
