/**
 * The floor under any ingest into the product's schema: its own finished trade rows, written out by
 * COPY and stored again with `psql` as the product stores a file (migration 0026): per file, in one
 * transaction, a table created for it, its rows COPY'd in with FREEZE, the table attached as the
 * file's partition of `trade` (which builds its indexes). Nothing is read, checked or normalised, so
 * no product that keeps its rows in this schema can store them faster; the distance between the
 * product and this is its own work.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { psqlQuote } from './baseline.js';
import { query } from './database.js';
import { TRADE_COLUMNS as COLUMNS } from './finished-trades.js';
import { measure, type Measured } from './measure.js';

const TRADE_COLUMNS = ['id', ...COLUMNS].join(', ');

/** A file's partition of the trade table, as the product attached it. */
type FilePartitionDef = {
  readonly name: string;
  /** Its bound, as `FOR VALUES FROM (...) TO (...)`. */
  readonly bound: string;
  /** Its CHECK constraint on the ids, as `CHECK (...)`. */
  readonly ids: string;
};

/** Stores the trade rows of `dbUrl`'s files (`expectRows` of them) again, as the product does; returns that, timed. */
export async function storeFloor(dbUrl: string, dir: string, expectRows: number): Promise<Measured> {
  const psql = (args: readonly string[]) =>
    measure('psql', [dbUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', ...args]);
  const check = (what: string, run: Measured): void => {
    if (run.code !== 0)
      throw new Error(`floor: ${what} failed (exit ${run.code}):\n${run.stderr.slice(-4000)}`);
  };
  const parts = await query<FilePartitionDef>(
    dbUrl,
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound, pg_get_constraintdef(k.oid) AS ids
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_constraint k ON k.conrelid = c.oid AND k.conname = c.relname || '_ids'
     WHERE i.inhparent = 'trade'::regclass ORDER BY c.relname`,
  );
  if (parts.length === 0) throw new Error('floor: the product stored no file partition of trade');
  const file = (p: FilePartitionDef) => path.join(dir, `floor-${p.name}.copy`);
  const script = path.join(dir, 'floor-store.sql');
  try {
    for (const p of parts)
      check(
        `\\copy out of ${p.name}`,
        await psql([
          '-c',
          `\\copy (SELECT ${TRADE_COLUMNS} FROM ${p.name} ORDER BY id) TO ${psqlQuote(file(p))}`,
        ]),
      );
    for (const p of parts) await query(dbUrl, `DROP TABLE ${p.name}`);
    // The product's own writes are flushed first, so the timed load does not pay for them.
    await query(dbUrl, 'CHECKPOINT');
    const store = parts.map((p) =>
      [
        'BEGIN;',
        `CREATE TABLE ${p.name} (LIKE trade INCLUDING DEFAULTS INCLUDING CONSTRAINTS, CONSTRAINT ${p.name}_ids ${p.ids});`,
        `\\copy ${p.name} (${TRADE_COLUMNS}) FROM ${psqlQuote(file(p))} WITH (FREEZE)`,
        `ALTER TABLE trade ATTACH PARTITION ${p.name} ${p.bound};`,
        'COMMIT;',
      ].join('\n'),
    );
    writeFileSync(script, `${store.join('\n')}\n`);
    const run = await psql(['-f', script]);
    check('storing', run);
    const [count] = await query<{ n: string }>(dbUrl, 'SELECT count(*)::text AS n FROM trade');
    if (Number(count?.n) !== expectRows)
      throw new Error(`floor: expected ${expectRows} rows, the table holds ${count?.n}`);
    return run;
  } finally {
    for (const p of parts) rmSync(file(p), { force: true });
    rmSync(script, { force: true });
  }
}
