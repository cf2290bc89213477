import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation, type RunSummary } from '../../src/reconcile/run.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { fixtureRequests, ingest } from '../support/ingest.js';

// Migration 0014: pairs of one record each are stored in blocks, the others as match_pair rows; the
// recon_match view gives every pair once, and the set's sha256 is the one taken over those pairs.
describe(`match sets stored in blocks (${dbKind})`, () => {
  let t: TestDb;
  let run: RunSummary;
  const ruleSet = loadBuiltinRuleSet();
  beforeAll(async () => {
    t = await createTestDb();
    await ingest(t.store, fixtureRequests());
    // 3 May: every trade matches, BOS omnibus allocations summed against one DCASS trade.
    run = await runReconciliation(t.store, { businessDate: '2019-05-03', ruleSet, recons: ['trades-bos'] });
  });
  afterAll(async () => t.dispose());

  const storedSet = async (runId: string) =>
    (
      await sql<{ id: string; sha256: string; pairs: string; view_sha: string; view_pairs: string }>`
        SELECT s.id, s.sha256, s.pairs::text,
          (SELECT encode(sha256(convert_to(coalesce(string_agg(
              m.pass::text || ':' || m.left_ids::text || '=' || m.right_ids::text, ',' ORDER BY m.left_ids), ''), 'UTF8')), 'hex')
            FROM recon_match m WHERE m.run_id = r.run_id AND m.recon = r.recon) AS view_sha,
          (SELECT count(*)::text FROM recon_match m WHERE m.run_id = r.run_id AND m.recon = r.recon) AS view_pairs
        FROM run_match r JOIN match_set s ON s.id = r.set_id
        WHERE r.run_id = ${runId}::bigint AND r.recon = 'trades-bos'`.execute(t.store.db)
    ).rows[0]!;

  /** The left and right ids of each stored row of the run's trades-bos set in a table of match storage. */
  const idsOf = async (table: RawBuilder<unknown>, runId: string) =>
    (
      await sql<{ left_ids: string[]; right_ids: string[] }>`
        SELECT left_ids, right_ids FROM ${table} WHERE set_id = (
          SELECT set_id FROM run_match WHERE run_id = ${runId}::bigint AND recon = 'trades-bos')`.execute(t.store.db)
    ).rows;

  it('recon_match reads every pair once, and the set hashes to what its pairs hash to', async () => {
    const set = await storedSet(run.runId);
    // 3 May: the 18 trades and the two identical fills (fixtures/README).
    expect(run.counts['trades-bos']!.matched).toBe(20);
    expect(Number(set.pairs)).toBe(20);
    expect(Number(set.view_pairs)).toBe(20);
    expect(set.view_sha).toBe(set.sha256);
  });

  it('pairs of one record each are in blocks, in left-id order; pairs of several records are rows', async () => {
    const blocks = await idsOf(sql`match_block`, run.runId);
    const rows = await idsOf(sql`match_pair`, run.runId);
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) {
      expect(b.right_ids.length).toBe(b.left_ids.length);
      const ids = b.left_ids.map(BigInt);
      expect(ids).toEqual([...ids].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    }
    // The omnibus allocations: a DCASS trade against several BOS records.
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.left_ids.length > 1 || r.right_ids.length > 1).toBe(true);
    const pairs = blocks.reduce((n, b) => n + b.left_ids.length, 0) + rows.length;
    expect(pairs).toBe(20);
    // No record in two pairs.
    const left = [...blocks.flatMap((b) => b.left_ids), ...rows.flatMap((r) => r.left_ids)];
    const right = [...blocks.flatMap((b) => b.right_ids), ...rows.flatMap((r) => r.right_ids)];
    expect(new Set(left).size).toBe(left.length);
    expect(new Set(right).size).toBe(right.length);
    expect(right.length).toBe(run.counts['trades-bos']!.rightRecords);
  });

  it('a re-run on the same inputs refers to the same set and stores no block again', async () => {
    const count = async () =>
      Number(
        (await sql<{ n: string }>`SELECT count(*)::text AS n FROM match_block`.execute(t.store.db)).rows[0]!
          .n,
      );
    const before = await count();
    const again = await runReconciliation(t.store, {
      businessDate: '2019-05-03',
      ruleSet,
      recons: ['trades-bos'],
    });
    expect((await storedSet(again.runId)).id).toBe((await storedSet(run.runId)).id);
    expect(await count()).toBe(before);
  });
});
