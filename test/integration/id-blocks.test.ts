import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/db/connect.js';
import { createTestDb, dbKind, withConcurrentStores, type TestDb } from '../support/db.js';

// Migration 0022: a load's batch (and a calendar re-derivation) takes its ids as one block of a
// sequence. A block is owned by its caller alone: no other block, and no single nextval, may hand
// out any of its values.

/** Takes a block of `n` trade ids; resolves to its first. */
const reserve = async (store: Store, n: number): Promise<bigint> => {
  const r = await sql<{ first: string }>`
    SELECT reserve_ids(pg_get_serial_sequence('trade', 'id')::regclass, ${n}::int) AS first`.execute(
    store.db,
  );
  return BigInt(r.rows[0]!.first);
};

const nextval = async (store: Store): Promise<bigint> => {
  const r = await sql<{
    v: string;
  }>`SELECT nextval(pg_get_serial_sequence('trade', 'id')::regclass) AS v`.execute(store.db);
  return BigInt(r.rows[0]!.v);
};

describe(`id blocks (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  it('blocks taken one after another follow each other, and the next nextval comes after the last', async () => {
    const a = await reserve(t.store, 5);
    const b = await reserve(t.store, 1);
    const c = await reserve(t.store, 20_000);
    expect(b).toBe(a + 5n);
    expect(c).toBe(b + 1n);
    expect(await nextval(t.store)).toBe(c + 20_000n);
  });

  it('refuses a block of no ids, and the sequence is left where it was', async () => {
    const before = await reserve(t.store, 1);
    await expect(reserve(t.store, 0)).rejects.toThrow(/n must be at least 1/);
    expect(await reserve(t.store, 1)).toBe(before + 1n);
  });
});

// Server only: the embedded database serves one connection at a time, so nothing can interleave.
describe.skipIf(dbKind !== 'postgres')('id blocks taken at the same time (server)', () => {
  const { stores } = withConcurrentStores(4);

  it('blocks taken by four connections at once never share a value', async () => {
    const sizes = [1, 7, 500, 3];
    const blocks = (
      await Promise.all(
        stores.map(async (s, i) => {
          const taken: [bigint, bigint][] = [];
          for (let k = 0; k < 50; k++) {
            const n = sizes[(i + k) % sizes.length]!;
            const first = await reserve(s, n);
            taken.push([first, first + BigInt(n) - 1n]);
          }
          return taken;
        }),
      )
    ).flat();
    blocks.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]![0]).toBeGreaterThan(blocks[i - 1]![1]);
    expect(blocks).toHaveLength(200);
  });

  it('waits while another connection holds the id-block lock of the sequence, and goes on once it is released', async () => {
    const [holder, waiter] = [stores[2]!, stores[3]!];
    const key = sql`1768186475, pg_get_serial_sequence('trade', 'id')::regclass::oid::integer`;
    // Session locks belong to the connection that takes them: one transaction takes and releases it.
    await holder.transaction(async (hold) => {
      await sql`SELECT pg_advisory_lock(${key})`.execute(hold.db);
      try {
        await expect(
          waiter.transaction(async (tx) => {
            await sql`SET LOCAL statement_timeout = 300`.execute(tx.db);
            await reserve({ ...waiter, db: tx.db }, 2);
          }),
        ).rejects.toThrow(/statement timeout/);
      } finally {
        await sql`SELECT pg_advisory_unlock(${key})`.execute(hold.db);
      }
    });
    expect(await reserve(waiter, 2)).toBeGreaterThan(0n);
  });

  it('an advisory lock of its own: a reservation does not wait for a transaction holding the run locks', async () => {
    // The run's register lock (transaction-scoped) held by one connection: another's reservation
    // goes through at once.
    await stores[0]!.transaction(async (tx) => {
      await sql`SELECT pg_advisory_xact_lock(${'431197467508'}::bigint)`.execute(tx.db);
      const first = await reserve(stores[1]!, 3);
      expect(first).toBeGreaterThan(0n);
    });
  });
});
