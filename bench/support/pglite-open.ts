/**
 * The embedded database alone, as the product opens it: the same heap setting and openStore options
 * as recon-product.ts, none of the rest of the library loaded and no file read.
 *
 *   node pglite-open.js DIR            open and migrate DIR, then close (bench/recon.ts measures this
 *                                      process's peak RSS: the floor under the product's on PGlite)
 *   node pglite-open.js DIR --create   create the data folder, as a CP's first command does, unmigrated
 *                                      (so that the product then opens an existing database, as on
 *                                      the server, where the benchmark creates the database first)
 */
import '../../src/cli/heap.js';
import { openStore } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

const [dir, flag] = process.argv.slice(2);
if (dir === undefined || (flag !== undefined && flag !== '--create'))
  throw new Error('usage: pglite-open.js DIR [--create]');
const create = flag === '--create';
const store = await openStore(dir, { bulk: !create });
try {
  if (!create) await migrateToLatest(store);
} finally {
  await store.close();
}
