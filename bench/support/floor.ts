/**
 * The floor under any ingest into the product's schema: its own finished trade rows, written out by
 * COPY and loaded again with `psql \copy` into its trade table (emptied; same indexes and
 * constraints). Nothing is read, checked or normalised, so no product that keeps its rows in this
 * schema can store them faster; the distance between the product and this is its own work.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { query } from './database.js';
import { TRADE_COLUMNS as COLUMNS } from './finished-trades.js';
import { measure, type Measured } from './measure.js';

const TRADE_COLUMNS = COLUMNS.join(', ');

/** Reloads the trade table of `dbUrl` (holding `expectRows` rows) by psql \copy; returns that load, timed. */
export async function storeFloor(dbUrl: string, dir: string, expectRows: number): Promise<Measured> {
  const file = path.join(dir, 'floor-trade.copy');
  const quoted = `'${file.replace(/'/g, "''")}'`;
  const psql = (command: string) =>
    measure('psql', [dbUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', command]);
  const check = (what: string, run: Measured): void => {
    if (run.code !== 0)
      throw new Error(`floor: ${what} failed (exit ${run.code}):\n${run.stderr.slice(-4000)}`);
  };
  try {
    check('\\copy out', await psql(`\\copy (SELECT ${TRADE_COLUMNS} FROM trade ORDER BY id) TO ${quoted}`));
    await query(dbUrl, 'TRUNCATE trade');
    // The product's own writes are flushed first, so the timed load does not pay for them.
    await query(dbUrl, 'CHECKPOINT');
    const run = await psql(`\\copy trade (${TRADE_COLUMNS}) FROM ${quoted}`);
    check('\\copy in', run);
    const [count] = await query<{ n: string }>(dbUrl, 'SELECT count(*)::text AS n FROM trade');
    if (Number(count?.n) !== expectRows)
      throw new Error(`floor: expected ${expectRows} rows, the table holds ${count?.n}`);
    return run;
  } finally {
    rmSync(file, { force: true });
  }
}
