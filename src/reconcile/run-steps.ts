import { sql } from 'kysely';
import type { Store, StoreTransaction } from '../db/connect.js';
import type { Logger } from '../shared/logger.js';
import { storeBreaksStatement } from './breaks.js';
import { carryStatements } from './carry.js';
import {
  breakTableStatement,
  compileReconciliation,
  filesStatements,
  sideFilesQuery,
  dropWorkingTables,
  type CompileContext,
  type RepeatedKeySearch,
  type RepeatedKeys,
  type SharedValuesProbe,
  type Statement,
} from './compile.js';
import { DEFAULT_RUN_LOCK_WAIT_MS, REGISTER_LOCK, takeRunLock } from './locks.js';
import type { Reconciliation } from './rule-set.js';
import type { Side } from '../model/vocabulary.js';

/** Where a run is: named in the error of a run that failed. */
export interface RunProgress {
  step: string;
}

/** Waits for a run in progress (refused as busy after lockWaitMs), then holds the register. */
export async function lockForRun(
  tx: StoreTransaction,
  lockWaitMs: number | undefined,
  log: Logger,
): Promise<void> {
  await takeRunLock(tx.db, lockWaitMs ?? DEFAULT_RUN_LOCK_WAIT_MS, log);
  // Person's break actions wait for this run to commit (and then see its result); see locks.ts.
  await sql`SELECT pg_advisory_xact_lock(${REGISTER_LOCK}::bigint)`.execute(tx.db);
}

/**
 * Memory for each sort and hash of a run's statements, per database. On the server, enough that a
 * million-row side hashes, sorts and aggregates in memory: the default 4MB wrote 815 MiB of temporary
 * files per 1,000,000 x 1,000,000 trade run and took about 15% more backend CPU (18.6-23.5 s against
 * 15.0-18.4 s, A/B back to back). On PGlite the same memory is the process's wasm heap, whose peak is
 * the embedded run's peak RSS: it keeps PostgreSQL's default.
 */
const RUN_WORK_MEM: Record<Store['kind'], string | null> = { postgres: '256MB', pglite: null };

/**
 * Whether a statement grouping a whole side into groups of about one record each sorts rather than
 * hashes, per database (CompileContext.sortsSideGroups). On the server, with the run's work_mem, the
 * hash table of 1,000,000 BOS trades' references and trade numbers (two million groups, about 280 MB)
 * cost more than two sorts: 1.44-1.48 s against 1.76-1.80 s, back to back. On the embedded database,
 * with PostgreSQL's default work_mem, the sorts spill and cost more: 3.55-3.65 s against 2.96-3.24 s.
 */
export const SORTS_SIDE_GROUPS: Record<Store['kind'], boolean> = { postgres: true, pglite: false };

/**
 * Whether a run names each side's file ids in its statements, per database (CompileContext.namesSideFiles),
 * rather than have each statement find them. Named, the planner knows how few of the table's rows
 * they hold and reads a side's pages through the file and date BRIN index. On the embedded database,
 * whose files load one after another into pages of their own, a side's scan of 1,000,000 trades of
 * 2,000,000 then reads half the table, and is planned for the rows it gives: the BOS side's shared
 * values took 0.64-0.65 s against 1.01-1.07 s, the embedded run 9.01 and 9.08 s against 9.67 and 9.17 s
 * (alternating rounds). On the server, whose files load side by side into interleaved pages, the index
 * kept 75% of the pages and the scan was slower (330-430 ms against 280 ms).
 */
export const NAMES_SIDE_FILES: Record<Store['kind'], boolean> = { postgres: false, pglite: true };

/** Sets the run's transaction up for bulk statements over whole tables. */
export async function prepareForBulk(tx: StoreTransaction, kind: Store['kind']): Promise<void> {
  const workMem = RUN_WORK_MEM[kind];
  if (workMem !== null) await sql`SELECT set_config('work_mem', ${workMem}, true)`.execute(tx.db);
  // Every statement of a run is a bulk operation over whole working tables: a nested loop is never
  // the right plan, and the planner may pick one when a temporary table's size is misjudged.
  await sql`SET LOCAL enable_nestloop = off`.execute(tx.db);
  // PGlite starts PostgreSQL with sequential scans off (on its command line), so a statement reading a
  // whole side read it through an index, or paid the penalty cost of a scan in its plan choices. On
  // 1,000,000 x 1,000,000 trades `run` took 14.8-16.0 s (mean 15.2) with them on against 15.5-16.5 s
  // (mean 16.0) off, alternating rounds: the BOS side's shared values 0.5 s less, pass 1 0.4 s. A server
  // has them on already.
  await sql`SET LOCAL enable_seqscan = on`.execute(tx.db);
  // Nor a merge join: the planner took one for full joins on a derived key (positions' account and
  // instrument), sorting both sides, where a hash join needs no sort: 100,000 DCASS positions against
  // Genium's paired in 0.40-0.55 s by hash instead of 0.85-1.0 s by merge on the server.
  await sql`SET LOCAL enable_mergejoin = off`.execute(tx.db);
  // ... which prices any plan holding one (a trigger's too: break_case's check at commit) far above
  // the JIT thresholds: compiling each such statement costs far more than running it (with 5,000
  // new breaks, the commit's checks of their cases took over ten minutes on PostgreSQL 15).
  await sql`SET LOCAL jit = off`.execute(tx.db);
  // The file and date indexes are BRIN (migration 0006): rows written since the last summary are not
  // in them yet, and PGlite has no autovacuum to add them. A file's partition has its index built
  // whole when it is attached (migration 0026); rows written otherwise go to the tables' `_rows`
  // partitions. About 0.15 s per million new rows. Only the indexes' owner may summarise; a role
  // that runs without owning the schema leaves it to the server's autovacuum (its VACUUM after many
  // inserts; migration 0025), and the indexes stay correct either way, only less sharp.
  await sql`SELECT brin_summarize_new_values(c.oid) FROM pg_class c
    WHERE c.oid IN (to_regclass('trade_rows_file_date_brin'), to_regclass('position_rows_file_date_brin'))
      AND pg_has_role(c.relowner, 'USAGE')`.execute(tx.db);
}

/** Creates the run's working table of breaks (rx_break), filled by each reconciliation. */
export async function createBreakTable(tx: StoreTransaction): Promise<void> {
  await breakTableStatement().query.execute(tx.db);
}

/** Runs `fn` in a transaction of its own on another connection, at the same time as the run's (Store.alongside). */
export type Alongside = NonNullable<Store['alongside']>;

/**
 * The most repeated key values a side's search hands over (as JSON, through this process) by default:
 * a side with more is numbered whole, as without the search, so that memory stays bounded whatever
 * the data (RunOptions.mostRepeatedKeys).
 */
export const MOST_REPEATED_KEYS = 100_000;

/** Runs a reconciliation's statements: matching, its breaks, and the register's carry-over. */
export async function executeRecon(
  tx: StoreTransaction,
  recon: Reconciliation,
  ctx: CompileContext,
  actor: string,
  progress: RunProgress,
  log: Logger,
  alongside: Alongside | null,
  mostRepeatedKeys: number,
): Promise<void> {
  const execute = async (statements: readonly Statement[]): Promise<void> => {
    for (const s of statements) {
      progress.step = `${recon.name}: ${s.label}`;
      const t0 = Date.now();
      await s.query.execute(tx.db);
      log.debug({ recon: recon.name, step: s.label, ms: Date.now() - t0 }, 'statement done');
    }
  };
  await execute(filesStatements());
  const sideFiles = await sideFilesOf(tx, recon, ctx);
  const compiled = compileReconciliation(recon, { ...ctx, sideFiles });
  const search = {
    searches: compiled.repeatedKeys,
    sideFiles,
    most: mostRepeatedKeys,
    recon: recon.name,
    log,
  };
  // Where there is no second connection (the embedded database), on this one first: 1,000,000 x
  // 1,000,000 trades on PGlite, the search took 1.6-2.1 s and spared pass 1 numbering the side whole
  // (10.2-11.3 s -> 7.0-8.7 s).
  const searchedHere =
    alongside === null && compiled.repeatedKeys.length > 0 ? await searchHere(tx, search, progress) : {};
  await execute(compiled.prepare);
  const legs: Record<Side, boolean> = { left: true, right: true };
  for (const { side, table } of compiled.legTables) {
    progress.step = `${recon.name}: ${side} legs`;
    legs[side] = await anyRows(tx, table);
  }
  // Alongside, on a second connection, while this one loads the working tables (and, with a probe,
  // runs the passes: SharedValuesProbe).
  const probe = alongside === null ? null : compiled.sharedValuesProbe(legs);
  const aside =
    alongside === null || (compiled.repeatedKeys.length === 0 && probe === null)
      ? null
      : await searchAlongside(tx, alongside, search, probe);
  const standInsNow = async (): Promise<Record<Side, boolean>> => {
    const standIns = { left: false, right: false };
    for (const { side, table } of compiled.standInTables) {
      progress.step = `${recon.name}: ${side} records stood in for`;
      standIns[side] = await anyRows(tx, table);
    }
    return standIns;
  };

  let keys = searchedHere;
  if (probe !== null && aside !== null) {
    const passed = await passesAsIfNothingShared(probe.side, aside.found);
    if (passed.after !== null) {
      await execute([...passed.after, ...carryStatements(recon, { ...ctx, actor })]);
      return;
    }
    keys = passed.keys;
    await execute(compiled.load(legs));
  } else {
    try {
      await execute(compiled.load(legs));
    } finally {
      // Never left running past this point: the run's transaction may end with an error next.
      if (aside !== null) keys = (await aside.found).keys;
    }
  }
  // The working tables loaded: the repeated key values found stored, then the passes.
  const repeatedKeys: Record<Side, RepeatedKeys> = { left: 'unknown', right: 'unknown' };
  for (const search of compiled.repeatedKeys) {
    const found = keys[search.side];
    if (found === undefined) continue;
    if (found.count > 0) await execute(search.store(found.rows));
    repeatedKeys[search.side] = found.count > 0 ? 'some' : 'none';
  }
  const matching = compiled.matching({ legs, standIns: await standInsNow(), repeatedKeys });
  await execute([...matching.passes, ...matching.after, ...carryStatements(recon, { ...ctx, actor })]);

  /**
   * Loads and runs the passes inside a savepoint as if the second connection will find nothing
   * (SharedValuesProbe), then waits for its answer: nothing found, the statements that follow the
   * passes; otherwise back to before the loads, with the repeated key values it found.
   */
  async function passesAsIfNothingShared(
    probed: Side,
    alongsideFound: Promise<FoundAlongside>,
  ): Promise<{ after: readonly Statement[] } | { after: null; keys: FoundAlongside['keys'] }> {
    await sql`SAVEPOINT rx_before_loads`.execute(tx.db);
    let answer: FoundAlongside;
    let after: readonly Statement[];
    try {
      await execute(compiled.load(legs, probed));
      const assumed = (side: Side): RepeatedKeys =>
        compiled.repeatedKeys.some((k) => k.side === side) ? 'none' : 'unknown';
      const matching = compiled.matching({
        legs,
        standIns: await standInsNow(),
        repeatedKeys: { left: assumed('left'), right: assumed('right') },
      });
      await execute(matching.passes);
      after = matching.after;
    } finally {
      // Never left running past this point: the run's transaction may end with an error next.
      answer = await alongsideFound;
    }
    if (answer.shared === false && compiled.repeatedKeys.every((k) => answer.keys[k.side]?.count === 0)) {
      await sql`RELEASE SAVEPOINT rx_before_loads`.execute(tx.db);
      return { after };
    }
    log.debug(
      { recon: recon.name, shared: answer.shared },
      'values several records share found alongside (or not searched): loading again with them',
    );
    // Back to before the loads, and out of the savepoint (a later reconciliation's snapshot cannot be
    // exported from inside one).
    await sql`ROLLBACK TO SAVEPOINT rx_before_loads`.execute(tx.db);
    await sql`RELEASE SAVEPOINT rx_before_loads`.execute(tx.db);
    return { after: null, keys: answer.keys };
  }
}

/** The ids of each side's current files of the date (CompileContext.sideFiles), once the run has chosen its files (rx_files). */
async function sideFilesOf(
  tx: StoreTransaction,
  recon: Reconciliation,
  ctx: CompileContext,
): Promise<Record<Side, string[]>> {
  const files = async (side: Side) => (await sideFilesQuery(recon, side, ctx).execute(tx.db)).rows[0]!.files;
  return { left: await files('left'), right: await files('right') };
}

/** Whether a working table holds any row; its name is the compiler's own constant, never a user's text. */
async function anyRows(tx: StoreTransaction, table: string): Promise<boolean> {
  const found = await sql<{ any: boolean }>`SELECT EXISTS (SELECT 1 FROM ${sql.table(table)}) AS any`.execute(
    tx.db,
  );
  return found.rows[0]?.any === true;
}

/** A side's repeated key values found alongside: how many, and the rows as JSON. */
interface FoundKeys {
  readonly count: number;
  readonly rows: string;
}

/** What a run searches for repeated key values: its sides' searches, the most values it keeps. */
interface KeySearch {
  readonly searches: readonly RepeatedKeySearch[];
  /** The ids of each side's files (CompileContext.sideFiles), which the searches read. */
  readonly sideFiles: Readonly<Record<Side, readonly string[]>>;
  readonly most: number;
  readonly recon: string;
  readonly log: Logger;
}

/**
 * Runs each side's search on `db` (in the run's snapshot): its repeated key values (FoundKeys: none,
 * the usual case, tells the pass not to number the side at all). A side with more than `most` is left
 * out: it is numbered whole, as without a search.
 */
async function searchKeys(
  db: StoreTransaction['db'],
  { searches, sideFiles, most, recon, log }: KeySearch,
  where: string,
): Promise<Partial<Record<Side, FoundKeys>>> {
  const found: Partial<Record<Side, FoundKeys>> = {};
  for (const search of searches) {
    const t0 = Date.now();
    const { rows } = await search.search(sideFiles[search.side], most + 1).execute(db);
    log.debug(
      {
        recon,
        step: `${search.side} key values several records share${where}`,
        ms: Date.now() - t0,
        found: rows.length,
      },
      'statement done',
    );
    if (rows.length <= most) found[search.side] = { count: rows.length, rows: JSON.stringify(rows) };
  }
  return found;
}

/** The searches for repeated key values on the run's own connection, one after another. */
async function searchHere(
  tx: StoreTransaction,
  search: KeySearch,
  progress: RunProgress,
): Promise<Partial<Record<Side, FoundKeys>>> {
  progress.step = `${search.recon}: key values several records share`;
  return searchKeys(tx.db, search, '');
}

/** What the second connection found: each searched side's repeated key values, and the probe's answer (null: not asked or failed). */
interface FoundAlongside {
  readonly keys: Partial<Record<Side, FoundKeys>>;
  readonly shared: boolean | null;
}

/**
 * Starts the searches for repeated key values, then the probe for shared values (if any), on a
 * second connection, in the run's snapshot (the same records, whatever commits meanwhile); resolves,
 * once they are done, to what they found. Anything that failed (no connection to spare, say) is left
 * out: a side whose search failed is numbered whole, as without a search, and a failed probe makes
 * the run take the long way (SharedValuesProbe); the run goes on.
 */
async function searchAlongside(
  tx: StoreTransaction,
  alongside: Alongside,
  search: KeySearch,
  probe: SharedValuesProbe | null,
): Promise<{ found: Promise<FoundAlongside> }> {
  const snapshot = (await sql<{ id: string }>`SELECT pg_export_snapshot() AS id`.execute(tx.db)).rows[0]!.id;
  // SET TRANSACTION SNAPSHOT takes no parameter: the id is the server's own (hex digits and dashes).
  if (!/^[0-9A-F-]+$/i.test(snapshot)) throw new Error(`unexpected snapshot id: ${snapshot}`);
  const found = alongside(async (other): Promise<FoundAlongside> => {
    await sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`.execute(other.db);
    await sql.raw(`SET TRANSACTION SNAPSHOT '${snapshot}'`).execute(other.db);
    // The run's memory for sorts and hashes: a side's key values grouped in memory.
    await sql`SELECT set_config('work_mem', ${RUN_WORK_MEM.postgres}, true)`.execute(other.db);
    const keys = await searchKeys(other.db, search, ' (alongside)');
    if (probe === null) return { keys, shared: null };
    if (SORTS_SIDE_GROUPS.postgres) await sql`SET LOCAL enable_hashagg = off`.execute(other.db);
    const t0 = Date.now();
    const { rows } = await probe.probe(search.sideFiles[probe.side]).execute(other.db);
    const shared = rows[0]?.found ?? null;
    search.log.debug(
      {
        recon: search.recon,
        step: `${probe.side} values several records share (alongside)`,
        ms: Date.now() - t0,
        found: shared,
      },
      'statement done',
    );
    return { keys, shared };
  }).catch((err: unknown): FoundAlongside => {
    search.log.warn(
      { recon: search.recon, err: err instanceof Error ? err.message : String(err) },
      'values several records share not searched alongside: the run finds them the long way',
    );
    return { keys: {}, shared: null };
  });
  return { found };
}

/** Stores the run's breaks from its working tables, and drops them. */
export async function storeRunBreaks(tx: StoreTransaction, runId: string): Promise<void> {
  await dropWorkingTables().execute(tx.db);
  await storeBreaksStatement(runId).execute(tx.db);
  await sql`DROP TABLE rx_break`.execute(tx.db);
}
