/**
 * The embedded database alone, as the product opens it: the same heap setting and openStore options
 * as recon-product.ts, none of the rest of the library loaded and no file read.
 *
 *   node pglite-open.js DIR --create        create the data folder, as a CP's first command does,
 *                                           unmigrated (so that the product then opens an existing
 *                                           database, as on the server, where the benchmark creates
 *                                           the database first)
 *   node pglite-open.js DIR --open          open the existing database and close it again (the soak's
 *                                           floor on PGlite: what each command of a day pays to open it)
 *   node pglite-open.js DB --migrate        open the database (a folder or a server's URL) and migrate
 *                                           it (the soak's floor database, untimed)
 *   node pglite-open.js DIR --export FILE   write the trade rows of DIR (a product's database) as
 *                                           COPY text, one file per source file (FILE.1, ...), in id
 *                                           order (untimed preparation); prints their names
 *   node pglite-open.js DIR --store FILE... the floor under the product on PGlite, timed by
 *                                           bench/recon.ts (wall time and peak RSS): open and migrate
 *                                           DIR, store each FILE's trade rows as the product stores a
 *                                           file (one transaction: a partition of its own, a COPY
 *                                           FREEZE per 5,000 rows, attached), then one join of the
 *                                           two sides; prints the join's counts
 */
import '../../src/cli/heap.js';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { sql } from 'kysely';
import { CopyBatch, EncodedCopy, withFirstColumn } from '../../src/db/copy.js';
import { openStore } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { FilePartition } from '../../src/ingest/load/file-partition.js';
import { IdBlocks } from '../../src/ingest/load/id-blocks.js';
import { FINISHED_TRADES_JOIN, TRADE_COLUMNS } from './finished-trades.js';

/** The product's COPY batch on PGlite (load-file.ts, BATCH_ROWS). */
const BATCH_ROWS = 5_000;
/** Rows read out of the database per COPY when exporting. */
const EXPORT_ROWS = 100_000n;

const [dir, mode, ...files] = process.argv.slice(2);
const usage = 'usage: pglite-open.js DIR (--create | --open | --migrate | --export FILE | --store FILE...)';
const takesFiles = mode === '--export' || mode === '--store';
if (dir === undefined || !['--create', '--open', '--migrate', '--export', '--store'].includes(mode ?? ''))
  throw new Error(usage);
if (takesFiles ? files.length === 0 : files.length > 0) throw new Error(usage);

const store = await openStore(dir, { bulk: mode === '--store' });
try {
  if (mode === '--migrate') await migrateToLatest(store);
  if (mode === '--export') await exportTrades(files[0]!);
  if (mode === '--store') {
    await migrateToLatest(store);
    await storeTrades(files);
    const { rows } = await sql.raw<{ json_build_object: unknown }>(FINISHED_TRADES_JOIN).execute(store.db);
    console.log(JSON.stringify(rows[0]?.json_build_object));
  }
} finally {
  await store.close();
}

/**
 * Writes the database's trade rows to one file per source file, `to` and its number (`to.1`, ...),
 * as COPY text in id order, a page of ids at a time: each value as its type's output function writes
 * it (what COPY TO writes), escaped as COPY's text format escapes it. Prints the files' names.
 */
async function exportTrades(to: string): Promise<void> {
  const asText = sql.raw(TRADE_COLUMNS.map((c) => `${c}::text`).join(', '));
  const { rows: files } = await sql<{ file_id: string; lo: string; hi: string }>`
    SELECT file_id::text, min(id)::text AS lo, max(id)::text AS hi FROM trade GROUP BY file_id ORDER BY file_id`.execute(
    store.db,
  );
  const written: string[] = [];
  for (const [i, file] of files.entries()) {
    const name = `${to}.${i + 1}`;
    const out = createWriteStream(name);
    for (let from = BigInt(file.lo); from <= BigInt(file.hi); from += EXPORT_ROWS) {
      const page = await sql<Record<string, string | null>>`SELECT ${asText} FROM trade
        WHERE file_id = ${file.file_id}::bigint AND id >= ${from.toString()}::bigint
          AND id < ${(from + EXPORT_ROWS).toString()}::bigint ORDER BY id`.execute(store.db);
      const batch = CopyBatch.of(page.rows.map((r) => Object.values(r)));
      if (!out.write(batch.encode().bytes)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    written.push(name);
  }
  console.log(JSON.stringify(written));
}

/**
 * Stores each file's COPY lines in the trade table as the product loads a file: one transaction, the
 * file's partition created (FilePartition), a COPY FREEZE per BATCH_ROWS lines, each line given its id
 * from the partition's range, then the partition attached.
 */
async function storeTrades(files: readonly string[]): Promise<void> {
  for (const [i, file] of files.entries()) {
    await store.transaction(async (tx) => {
      const partition = (await FilePartition.create(tx, store.kind, 'trade', String(i + 1)))!;
      const ids = new IdBlocks();
      let batch: Buffer[] = [];
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const rows = new EncodedCopy(batch.length, Buffer.concat(batch));
        const withIds = withFirstColumn(rows, ids.add(partition.take(rows.size), rows.size));
        await tx.copyRows(partition.name, ['id', ...TRADE_COLUMNS], withIds, { freeze: true });
        batch = [];
      };
      let rest = Buffer.alloc(0);
      for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
        const data = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
        let start = 0;
        for (let end = data.indexOf(10, start); end !== -1; end = data.indexOf(10, start)) {
          batch.push(data.subarray(start, end + 1));
          start = end + 1;
          if (batch.length === BATCH_ROWS) await flush();
        }
        rest = Buffer.from(data.subarray(start));
      }
      await flush();
      await partition.attach(tx);
    });
  }
}
