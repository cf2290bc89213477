import { availableParallelism } from 'node:os';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Store } from '../db/connect.js';
import type { Database } from '../db/database.js';
import type { BreakStatus } from '../model/vocabulary.js';
import { SIGHTING, stateAsOf } from '../reconcile/breaks.js';
import { breakInHouse, type HouseFilter } from '../reconcile/house-filter.js';

/**
 * The paging under the break reader (break-reader.ts): which breaks a report of a run lists, in which
 * order, read at the database's speed: each break comes back as one text built by the database, pages
 * are asked for ahead of the one being written, and ages come from the calendar read once.
 */

/** The run a report reads: its id, date, finish and the register moment of the report (null: now). */
export interface CarriedScope {
  readonly id: string;
  readonly businessDate: string;
  readonly finishedAt: string | null;
  readonly asOf: string | null;
  /** Only the breaks of this clearing house (house-filter.ts); every house when null or absent. */
  readonly house?: HouseFilter | null;
}

/**
 * The FROM and WHERE of the breaks a report carries: cases of every reconciliation of the register
 * (a run under a narrower rule set or filter must not hide the others' unresolved breaks) first seen
 * on or before the run's business date, open or explained at the report's moment (the as-of moment,
 * else the run's finish: what was unresolved that day, whenever the report is written), and not
 * found by the run itself. Aliases: `c` the case, `m` its state at that moment, `b` its sighting by
 * the run that last saw it by then and `d` what that run found (its records), `s` its state as of the
 * report's register moment, as the run's own breaks show it (now when no as-of is given).
 */
export function carriedFrom(run: CarriedScope): RawBuilder<unknown> {
  const moment = run.asOf ?? run.finishedAt ?? undefined;
  return sql`FROM break_case c
    CROSS JOIN LATERAL ${stateAsOf(sql`c.id`, moment)} m
    JOIN ${SIGHTING} ON b.case_id = c.id AND b.run_id = m.last_seen_run
    CROSS JOIN LATERAL ${stateAsOf(sql`c.id`, run.asOf ?? undefined)} s
    WHERE c.first_seen_date <= ${run.businessDate}::date AND m.status IN ('open', 'explained')
      AND NOT EXISTS (SELECT 1 FROM break_sighting x WHERE x.run_id = ${run.id}::bigint AND x.case_id = c.id)
      AND ${breakInHouse(run.house)}`;
}

/**
 * The last date a break's age counts to: the report's business date while it is outstanding (open or
 * explained), else the day it was last seen. Its age is the trading days after its first sighting up
 * to that date.
 */
export function ageEnd(status: BreakStatus, lastSeen: string, businessDate: string): string {
  return status === 'open' || status === 'explained' ? businessDate : lastSeen;
}

/** How many of the sorted ISO dates are on or before `date`. */
function countUpTo(sorted: readonly string[], date: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Age in business days, `(first, end)`: the trading days (of any market) after `first` up to `end`,
 * from the calendar read once.
 */
export async function businessDayAges(db: Kysely<Database>): Promise<(first: string, end: string) => number> {
  const trading = (
    await sql<{ d: string }>`SELECT DISTINCT to_char(day, 'YYYY-MM-DD') AS d FROM calendar WHERE trading
      ORDER BY d`.execute(db)
  ).rows.map((r) => r.d);
  const ages = new Map<string, number>();
  return (first, end) => {
    const k = `${first}/${end}`;
    let a = ages.get(k);
    if (a === undefined) {
      a = Math.max(0, countUpTo(trading, end) - countUpTo(trading, first));
      ages.set(k, a);
    }
    return a;
  };
}

/**
 * One break as its page query returned it: the text the caller built (in two parts when its age goes
 * between them), what its age is counted from, and which list it is in.
 */
export interface BreakText {
  readonly j: string;
  /** The rest of the text, when the caller's text has two parts; '' otherwise. */
  readonly tail: string;
  /** First sighting, last sighting shown (YYYY-MM-DD) and register status: what the age is counted from. */
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly status: BreakStatus;
  /** This run no longer found the break: it cleared it (records of its last sighting). */
  readonly clearedByRun: boolean;
  /** Not found by this run, still open or explained: carried from an earlier date (carriedFrom). */
  readonly carried: boolean;
}

/**
 * Builds a break's text from the aliases of the page queries: `c` the case, `b` the sighting and `d`
 * what it found (records, fields, key), `s` the state as of the report's moment; `lastSeen` names the
 * state whose last sighting is shown (`s` for the run's own and cleared breaks, `m` for carried ones).
 * `tail`, when given, is a second part of the text (the break's age goes between the two).
 */
export interface BreakTextSql {
  readonly text: (lastSeen: 's' | 'm') => RawBuilder<unknown>;
  readonly tail?: (lastSeen: 's' | 'm') => RawBuilder<unknown>;
}

// Breaks per page query: large enough that a query's fixed cost is small, small enough to keep a
// few pages in flight.
const DEFAULT_PAGE = 2000;

interface PageRow {
  readonly j: string;
  readonly tail: string;
  readonly first: string;
  readonly last: string;
  readonly status: BreakStatus;
  readonly cursor: string;
}

/**
 * The breaks of a run as texts: the run's own in their stable order (seq), then those of earlier
 * runs it cleared (by case id), then those it carries (by case id), each with its register state as
 * of the run's `asOf` (now when null). Run it inside a transaction with jit off on a server
 * (readInTransaction): a page query's estimated cost crosses PostgreSQL's JIT thresholds, and
 * compiling it costs far more than running it.
 */
export async function* runBreakTexts(
  readers: Kysely<Database> | readonly Kysely<Database>[],
  run: CarriedScope,
  text: BreakTextSql,
  options: { readonly pageSize?: number } = {},
): AsyncGenerator<BreakText> {
  const dbs = Array.isArray(readers) ? readers : [readers as Kysely<Database>];
  const db = dbs[0]!;
  const PAGE = Math.max(1, Math.floor(options.pageSize ?? DEFAULT_PAGE));
  // Pages in flight: a few per reader, so that each always has the next one to compute.
  const AHEAD = Math.max(3, 2 * dbs.length);
  const state = (caseId: RawBuilder<unknown>) => stateAsOf(caseId, run.asOf ?? undefined);
  const columns = (seen: 's' | 'm') =>
    sql`${text.text(seen)} AS j, ${text.tail === undefined ? sql`''` : text.tail(seen)} AS tail,
      to_char(c.first_seen_date, 'YYYY-MM-DD') AS first, to_char(${sql.raw(seen)}.last_seen_date, 'YYYY-MM-DD') AS last,
      s.status`;
  // The run's own breaks by ranges of their place in its order (numbered 1..n when it completed), so
  // that several pages can be asked for at once: the database computes the next while one is written.
  const own = (from: number, to: number, on: Kysely<Database>) =>
    sql<PageRow>`SELECT ${columns('s')}, b.seq::text AS cursor
      FROM ${SIGHTING} JOIN break_case c ON c.id = b.case_id
      CROSS JOIN LATERAL ${state(sql`b.case_id`)} s
      WHERE b.run_id = ${run.id}::bigint AND b.seq > ${from}::integer AND b.seq <= ${to}::integer
        AND ${breakInHouse(run.house)}
      ORDER BY b.seq LIMIT ${PAGE}`.execute(on); // the limit, redundant, keeps the planner on the index
  const cleared = (after: string) =>
    sql<PageRow>`SELECT ${columns('s')}, c.id::text AS cursor
      FROM break_event ce JOIN break_case c ON c.id = ce.case_id
      JOIN ${SIGHTING} ON b.case_id = c.id AND b.run_id = ce.last_seen_run
      CROSS JOIN LATERAL ${state(sql`c.id`)} s
      WHERE ce.run_id = ${run.id}::bigint AND ce.action = 'cleared' AND c.id > ${after}::bigint
        AND ${breakInHouse(run.house)}
      ORDER BY c.id LIMIT ${PAGE}`.execute(db);
  const carried = (after: string) =>
    sql<PageRow>`SELECT ${columns('m')}, c.id::text AS cursor
      ${carriedFrom(run)} AND c.id > ${after}::bigint
      ORDER BY c.id LIMIT ${PAGE}`.execute(db);

  const last = Number(
    (
      await sql<{ n: string }>`SELECT coalesce(max(seq), 0)::text AS n FROM break_sighting
        WHERE run_id = ${run.id}::bigint`.execute(db)
    ).rows[0]?.n ?? 0,
  );

  async function* ownPages(): AsyncGenerator<PageRow[]> {
    const inFlight: Promise<{ rows: PageRow[] }>[] = [];
    let from = 0;
    let asked = 0;
    const ask = () => {
      while (inFlight.length < AHEAD && from < last) {
        // Pages go round the readers: each computes its own while the others do theirs.
        const p = own(from, from + PAGE, dbs[asked++ % dbs.length]!);
        p.catch(() => undefined); // awaited below; until then a failure must not count as unhandled
        inFlight.push(p);
        from += PAGE;
      }
    };
    ask();
    while (inFlight.length > 0) {
      const page = (await inFlight.shift()!).rows;
      ask();
      yield page;
    }
  }
  // Pages along a case-id cursor, the next asked for while one is written.
  async function* casePages(query: typeof cleared): AsyncGenerator<PageRow[]> {
    let next: Promise<{ rows: PageRow[] }> | null = query('0');
    while (next !== null) {
      const page: PageRow[] = (await next).rows;
      next = page.length < PAGE ? null : query(page[page.length - 1]!.cursor);
      next?.catch(() => undefined);
      yield page;
    }
  }

  for (const [pages, clearedByRun, isCarried] of [
    [ownPages(), false, false],
    [casePages(cleared), true, false],
    [casePages(carried), false, true],
  ] as const) {
    for await (const page of pages) {
      for (const [i, row] of page.entries()) {
        // Writing a page runs in microtasks only; without a turn of the event loop now and then, the
        // next pages' rows would sit unread in the socket and the database would wait for us.
        if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
        yield {
          j: row.j,
          tail: row.tail,
          firstSeen: row.first,
          lastSeen: row.last,
          status: row.status,
          clearedByRun,
          carried: isCarried,
        };
      }
    }
  }
}

// Items handed from the transaction to the reader at most this many at a time.
const HANDOVER = 2000;

/**
 * The items of `read`, read inside one read-only transaction with jit off (one snapshot; see
 * runBreakTexts) and handed to the caller as it asks for them: memory holds at most two handovers.
 * The transaction ends when the items do, or when the caller stops early.
 */
export async function* readInTransaction<T>(
  store: Store,
  read: (readers: readonly Kysely<Database>[]) => AsyncIterable<T>,
): AsyncGenerator<T> {
  const queue: T[] = [];
  // Who waits: the reader for items (wake), the transaction for room (resume).
  const waiting: { wake: (() => void) | null; resume: (() => void) | null } = { wake: null, resume: null };
  let stopped = false;
  let done = false;
  let failure: { readonly err: unknown } | null = null;
  const notify = () => {
    waiting.wake?.();
    waiting.wake = null;
  };
  const tx = store
    .transaction(async (t) => {
      await sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`.execute(t.db);
      await sql`SET LOCAL jit = off`.execute(t.db);
      await withSnapshotReaders(store, t.db, async (readers) => {
        for await (const item of read(readers)) {
          if (stopped) return;
          queue.push(item);
          notify();
          if (queue.length >= HANDOVER) await new Promise<void>((r) => (waiting.resume = r));
        }
      });
    })
    .then(
      () => undefined,
      (err: unknown) => {
        failure = { err };
      },
    )
    .finally(() => {
      done = true;
      notify();
    });
  try {
    for (;;) {
      if (queue.length > 0) {
        const items = queue.splice(0);
        waiting.resume?.();
        waiting.resume = null;
        yield* items;
      } else if (done) {
        if (failure !== null) throw (failure as { readonly err: unknown }).err;
        return;
      } else {
        await new Promise<void>((r) => (waiting.wake = r));
      }
    }
  } finally {
    stopped = true;
    waiting.resume?.();
    await tx;
  }
}

// Connections reading a report's breaks at once on a server: one per core up to this many (the
// store's pool holds four; the HTML report's history takes one more).
const MAX_READERS = 3;

/**
 * Runs `fn` with the readers of one snapshot: `db` (a read-only REPEATABLE READ transaction on a
 * server, jit off) first, then, on a server with more than one core, transactions on connections of
 * their own that import its snapshot (pg_export_snapshot), so that pages of breaks are computed side
 * by side and still read the database as it stood at one moment. They end when `fn` does. On the
 * embedded database `db` alone.
 */
export async function withSnapshotReaders<T>(
  store: Store,
  db: Kysely<Database>,
  fn: (readers: readonly Kysely<Database>[]) => Promise<T>,
): Promise<T> {
  const extra = store.kind === 'postgres' ? Math.min(MAX_READERS, availableParallelism()) - 1 : 0;
  if (extra <= 0) return fn([db]);
  const snapshot = (await sql<{ s: string }>`SELECT pg_export_snapshot() AS s`.execute(db)).rows[0]!.s;
  // SET TRANSACTION SNAPSHOT takes a literal only; a snapshot id is hex digits and dashes.
  if (!/^[0-9A-F-]+$/i.test(snapshot)) throw new Error(`unexpected snapshot id ${snapshot}`);
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const opened: Promise<Kysely<Database>>[] = [];
  const ended: Promise<void>[] = [];
  for (let i = 0; i < extra; i++) {
    let ready!: (reader: Kysely<Database>) => void;
    let failed!: (err: unknown) => void;
    opened.push(new Promise((resolve, reject) => ((ready = resolve), (failed = reject))));
    ended.push(
      store
        .transaction(async (t) => {
          await sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`.execute(t.db);
          await sql.raw(`SET TRANSACTION SNAPSHOT '${snapshot}'`).execute(t.db);
          await sql`SET LOCAL jit = off`.execute(t.db);
          ready(t.db);
          await finished;
        })
        .catch((err: unknown) => failed(err)),
    );
  }
  try {
    return await fn([db, ...(await Promise.all(opened))]);
  } finally {
    finish();
    await Promise.all(ended);
  }
}
