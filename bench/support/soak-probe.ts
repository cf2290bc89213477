/**
 * What the soak benchmark reads from the product's database after each day, in a process of its own
 * (an embedded database has one user at a time): its size, the size of the tables that grow, the row
 * counts of the run's storage, the break register by status, and the newest source file id.
 *
 *   node soak-probe.js URL|DIR
 *
 * Prints one JSON object (SoakProbe) on stdout. Tables that do not exist (a schema that stores runs
 * differently) are reported as null, not as an error; a view's own size is 0.
 */
import '../../src/cli/heap.js';
import { sql } from 'kysely';
import { openStore } from '../../src/db/connect.js';

/** The tables whose growth the soak prints. */
const SOAK_TABLES = [
  'trade',
  'position',
  'recon_break',
  'recon_match',
  'break_case',
  'break_event',
  'audit_event',
  // The compact register's tables (migration 0013), where recon_break and recon_match are views.
  'break_detail',
  'break_sighting',
  'match_set',
  'match_pair',
  'match_block',
  'run_match',
] as const;

/** Tables whose row count is printed too (the run's own storage). */
const COUNTED_TABLES = ['recon_break', 'recon_match', 'break_event'] as const;

export interface SoakProbe {
  readonly databaseBytes: number;
  readonly tableBytes: Readonly<Record<string, number | null>>;
  readonly tableRows: Readonly<Record<string, number | null>>;
  /** break_case rows by status. */
  readonly register: Readonly<Record<string, number>>;
  readonly maxFileId: number;
}

async function main(): Promise<void> {
  const [target] = process.argv.slice(2);
  if (target === undefined) throw new Error('usage: soak-probe.js URL|DIR');
  const store = await openStore(target);
  try {
    const { db } = store;
    const size = await sql<{ n: string }>`SELECT pg_database_size(current_database())::text AS n`.execute(db);
    const tableBytes: Record<string, number | null> = {};
    for (const t of SOAK_TABLES) {
      const r = await sql<{
        n: string | null;
      }>`SELECT pg_total_relation_size(to_regclass(${t}))::text AS n`.execute(db);
      const n = r.rows[0]?.n ?? null;
      tableBytes[t] = n === null ? null : Number(n);
    }
    const tableRows: Record<string, number | null> = {};
    for (const t of COUNTED_TABLES) {
      if (tableBytes[t] === null) {
        tableRows[t] = null;
        continue;
      }
      const r = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.table(t)}`.execute(db);
      tableRows[t] = Number(r.rows[0]?.n ?? 0);
    }
    const statuses = await sql<{
      status: string;
      n: string;
    }>`SELECT status, count(*)::text AS n FROM break_case GROUP BY status`.execute(db);
    const files = await sql<{ n: string | null }>`SELECT max(id)::text AS n FROM source_file`.execute(db);
    const probe: SoakProbe = {
      databaseBytes: Number(size.rows[0]?.n ?? 0),
      tableBytes,
      tableRows,
      register: Object.fromEntries(statuses.rows.map((r) => [r.status, Number(r.n)])),
      maxFileId: Number(files.rows[0]?.n ?? 0),
    };
    process.stdout.write(`${JSON.stringify(probe)}\n`);
  } finally {
    await store.close();
  }
}

await main();
