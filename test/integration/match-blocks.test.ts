import { sql, type RawBuilder } from 'kysely';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation, type RunSummary } from '../../src/reconcile/run.js';
import { migrations } from '../../migrations/index.js';
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

  /** The run's trades-bos set as stored, and its pairs as the recon_match view reads them. */
  const storedSet = async (runId: string) => {
    const set = (
      await sql<{ id: string; sha256: string; pairs: string; formula: number }>`
        SELECT s.id, s.sha256, s.pairs::text, s.formula FROM run_match r JOIN match_set s ON s.id = r.set_id
        WHERE r.run_id = ${runId}::bigint AND r.recon = 'trades-bos'`.execute(t.store.db)
    ).rows[0]!;
    const pairs = (
      await sql<{ pass: number; left_ids: string[]; right_ids: string[] }>`
        SELECT pass, left_ids, right_ids FROM recon_match
        WHERE run_id = ${runId}::bigint AND recon = 'trades-bos'`.execute(t.store.db)
    ).rows;
    return { ...set, viewPairs: pairs.length, viewSha: formulaTwo(pairs) };
  };

  /** The left and right ids of each stored row of the run's trades-bos set in a table of match storage. */
  const idsOf = async (table: RawBuilder<unknown>, runId: string) =>
    (
      await sql<{ left_ids: string[]; right_ids: string[] }>`
        SELECT left_ids, right_ids FROM ${table} WHERE set_id = (
          SELECT set_id FROM run_match WHERE run_id = ${runId}::bigint AND recon = 'trades-bos')`.execute(
        t.store.db,
      )
    ).rows;

  it('recon_match reads every pair once, and the set hashes to what its pairs hash to', async () => {
    const set = await storedSet(run.runId);
    // 3 May: the 18 trades and the two identical fills (fixtures/README).
    expect(run.counts['trades-bos']!.matched).toBe(20);
    expect(Number(set.pairs)).toBe(20);
    expect(set.viewPairs).toBe(20);
    expect(set.formula).toBe(2);
    expect(set.viewSha).toBe(set.sha256);
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

describe(`match set formula 2 undone by its migration's down (${dbKind})`, () => {
  it('gives formula-2 sets their formula-1 hash, and a set stored under both is kept once', async () => {
    const t = await createTestDb();
    try {
      await ingest(t.store, fixtureRequests());
      const ruleSet = loadBuiltinRuleSet();
      const run = await runReconciliation(t.store, {
        businessDate: '2019-05-03',
        ruleSet,
        recons: ['trades-bos'],
      });
      const db = t.store.db;
      // Formula 1 of a run's pairs, as migration 0013 took it over the recon_match view.
      const formulaOneOf = async (runId: string) =>
        (
          await sql<{ sha: string }>`SELECT encode(sha256(convert_to(coalesce(string_agg(
            m.pass::text || ':' || m.left_ids::text || '=' || m.right_ids::text, ',' ORDER BY m.left_ids), ''), 'UTF8')), 'hex') AS sha
          FROM recon_match m WHERE m.run_id = ${runId}::bigint AND m.recon = 'trades-bos'`.execute(db)
        ).rows[0]!.sha;
      const countOf = async (query: RawBuilder<unknown>) =>
        Number(
          (await sql<{ n: string }>`SELECT count(*)::text AS n FROM (${query}) x`.execute(db)).rows[0]!.n,
        );
      const setOf = async (runId: string) =>
        (
          await sql<{
            set_id: string;
          }>`SELECT set_id::text FROM run_match WHERE run_id = ${runId}::bigint AND recon = 'trades-bos'`.execute(
            db,
          )
        ).rows[0]!.set_id;
      const flat = await formulaOneOf(run.runId);
      const formulaTwoSet = await setOf(run.runId);
      // A second day's run on the fixtures stores another formula-2 set, which down rehashes in place.
      const other = await runReconciliation(t.store, {
        businessDate: '2019-05-06',
        ruleSet,
        recons: ['trades-bos'],
      });
      const otherSet = await setOf(other.runId);
      const otherFlat = await formulaOneOf(other.runId);
      // The same pairs stored before as a formula-1 set (an earlier version's run of the same inputs).
      const kept = (
        await sql<{ id: string }>`INSERT INTO match_set (recon, sha256, pairs, formula)
          SELECT recon, ${flat}, pairs, 1 FROM match_set WHERE id = ${formulaTwoSet}::bigint RETURNING id::text`.execute(
          db,
        )
      ).rows[0]!.id;
      for (const table of ['match_block', 'match_pair'])
        await sql`INSERT INTO ${sql.table(table)} (set_id, pass, left_ids, right_ids)
          SELECT ${kept}::bigint, pass, left_ids, right_ids FROM ${sql.table(table)} WHERE set_id = ${formulaTwoSet}::bigint`.execute(
          db,
        );

      await migrations['0020_match_set_formula']!.down!(db);

      expect(await setOf(run.runId)).toBe(kept);
      const sets = (
        await sql<{ id: string; sha256: string }>`SELECT id::text, sha256 FROM match_set ORDER BY id`.execute(
          db,
        )
      ).rows;
      expect(sets.map((x) => x.id)).not.toContain(formulaTwoSet);
      expect(sets.find((x) => x.id === otherSet)?.sha256).toBe(otherFlat);
      expect(await countOf(sql`SELECT 1 FROM match_block WHERE set_id = ${formulaTwoSet}::bigint`)).toBe(0);
      expect(await countOf(sql`SELECT 1 FROM recon_match WHERE run_id = ${run.runId}::bigint`)).toBe(20);
    } finally {
      await t.dispose();
    }
  });
});

/**
 * Match set formula 2 (migration 0020), computed apart from the database from the pairs alone: pairs
 * of one record each grouped by pass and range of 10,000 left ids, every other pair a unit of its own;
 * each unit's text `pass:{left ids}={right ids}` hashed, the digests hashed in the order of the units'
 * first left ids.
 */
function formulaTwo(pairs: readonly { pass: number; left_ids: string[]; right_ids: string[] }[]): string {
  const units = new Map<string, { pass: number; left: bigint[]; right: bigint[] }>();
  for (const p of pairs) {
    const left = p.left_ids.map(BigInt);
    const right = p.right_ids.map(BigInt);
    const single = left.length === 1 && right.length === 1;
    const key = single ? `block ${p.pass} ${left[0]! / 10000n}` : `pair ${left[0]}`;
    const unit = units.get(key) ?? { pass: p.pass, left: [], right: [] };
    if (single) {
      unit.left.push(left[0]!);
      unit.right.push(right[0]!);
    } else {
      unit.left = left;
      unit.right = right;
    }
    units.set(key, unit);
  }
  const texts = [...units.entries()].map(([key, u]) => {
    // A block's pairs in left-id order; a pair of several records keeps its arrays as stored.
    const order = u.left.map((_, i) => i);
    if (key.startsWith('block')) order.sort((a, b) => (u.left[a]! < u.left[b]! ? -1 : 1));
    const left = order.map((i) => u.left[i]!);
    const right = key.startsWith('block') ? order.map((i) => u.right[i]!) : u.right;
    const first = left.reduce((a, b) => (b < a ? b : a));
    return { first, text: `${u.pass}:{${left.join(',')}}={${right.join(',')}}` };
  });
  texts.sort((a, b) => (a.first < b.first ? -1 : 1));
  const all = createHash('sha256');
  for (const u of texts) all.update(createHash('sha256').update(u.text, 'utf8').digest());
  return all.digest('hex');
}
