import { sql, type RawBuilder } from 'kysely';
import { DATA_DIGEST_VERSION, fileDataDigest } from '../audit/data-digest.js';
import type { LoadedCalendar } from '../config/calendar-file.js';
import type { StoreTransaction } from '../db/connect.js';
import { storeDatedRows } from '../ingest/load/dated-rows.js';
import { deriveClearingDate, sessionBounds, type SessionBand } from '../ingest/normalise/clearing-date.js';
import { addDays } from '../model/dates.js';

/** What a group of trades became: a clearing date, or no clearing date (rejected, with the code). */
type Outcome = { readonly date: string } | { readonly code: string; readonly reason: string };

/** How many trades of a file went from one clearing date to another; null: rejected (no clearing date). */
export interface TradeMove {
  readonly from: string | null;
  readonly to: string | null;
  /** Why the trades have no clearing date now (`to` null): the rejection code, e.g. NOT_A_TRADING_DAY. */
  readonly code: string | null;
  readonly trades: number;
}

/** One BOS trades file given a new derived generation by a calendar change. */
export interface Rederivation {
  readonly fileName: string;
  readonly source: string;
  readonly businessDate: string | null;
  /** The generation that was in force and is now superseded. */
  readonly replacedId: string;
  /** The new derived generation. */
  readonly derivedId: string;
  /** The file as loaded, which every derived generation is worked out from. */
  readonly loadedId: string;
  readonly rows: number;
  readonly rejected: number;
  /** The digest of the derived generation's stored rows (as `audit verify --data` recomputes it). */
  readonly dataDigest: string;
  readonly moves: readonly TradeMove[];
}

/** A change and its calendars: `before` is the calendar in force until it, `after` with it. */
export interface RederiveInput {
  readonly changeId: string;
  readonly date: string;
  readonly before: LoadedCalendar;
  readonly after: LoadedCalendar;
  /** The trade profiles whose clearing date is derived at ingest (not read from the file). */
  readonly derivingProfiles: readonly string[];
}

interface Group {
  file_id: string;
  exec_date: string;
  band: SessionBand;
  stored: string;
  sample: string;
  n: number;
}

/**
 * Gives every current trades file with a trade whose clearing date the change moves a new derived
 * generation, in the caller's transaction: a source_file row derived from the file as loaded and
 * linked to the change, superseding the generation in force, with the loaded rows copied (same lines)
 * under the clearing date the calendar now gives. A trade that now has none (executed in a session
 * that no longer takes place) becomes a rejected row of the generation, its stored row kept as the
 * raw text. Rows are copied by INSERT ... SELECT inside the database: memory stays flat for any size.
 * Every generation is worked out from the loaded rows, so a later change (an `open` after a `close`)
 * restores what an earlier one took away.
 */
export async function rederiveTrades(tx: StoreTransaction, input: RederiveInput): Promise<Rederivation[]> {
  if (input.derivingProfiles.length === 0) return [];
  const band = bandOf(input.after);
  // Only session days from the trading day before the changed date up to it can change their outcome:
  // the changed day's own sessions, and those whose next trading day passes over it.
  const from = earliest(
    previousTradingDay(input.before, input.date),
    previousTradingDay(input.after, input.date),
  );
  const candidates = await sql<Group>`
    SELECT f.id AS file_id, to_char(t.exec_date, 'YYYY-MM-DD') AS exec_date, ${band} AS band,
           to_char(t.clearing_date, 'YYYY-MM-DD') AS stored, min(${hkTime}) AS sample, count(*)::int AS n
    FROM source_file f JOIN trade t ON t.file_id = coalesce(f.derived_from, f.id)
    WHERE f.superseded_by IS NULL AND f.entity = 'trades'
      AND f.profile IN (${sql.join(input.derivingProfiles)})
      AND t.exec_at IS NOT NULL
      AND t.exec_date BETWEEN ${from}::date AND ${addDays(input.date, 1)}::date
    GROUP BY 1, 2, 3, 4
    ORDER BY 1`.execute(tx.db);
  const affected = [
    ...new Set(
      candidates.rows
        .filter((g) => key(outcome(g, input.before)) !== key(outcome(g, input.after)))
        .map((g) => g.file_id),
    ),
  ];
  const out: Rederivation[] = [];
  for (const fileId of affected) {
    const r = await rederiveFile(tx, input, fileId, band);
    if (r !== null) out.push(r);
  }
  return out;
}

interface FileRow {
  id: string;
  loaded_id: string;
  source: string;
  entity: string;
  report_id: string;
  participant: string;
  business_date: string | null;
  file_name: string;
  superseded_by: string | null;
  row_count: number;
  reject_count: number;
}

async function rederiveFile(
  tx: StoreTransaction,
  input: RederiveInput,
  fileId: string,
  band: RawBuilder<SessionBand>,
): Promise<Rederivation | null> {
  const file = await readFile(tx, fileId);
  // The lock a load of the same report takes to supersede: a load and a re-derivation never interleave.
  const reportKey = `${file.source}|${file.entity}|${file.report_id}|${file.participant}|${file.business_date ?? ''}`;
  await sql`SELECT pg_advisory_xact_lock(hashtext(${reportKey}))`.execute(tx.db);
  const current = await readFile(tx, fileId);
  if (current.superseded_by !== null) return null; // a later file arrived meanwhile; it was derived anew
  const loaded = await readFile(tx, current.loaded_id);

  const groups = await sql<Group>`
    SELECT t.file_id, to_char(t.exec_date, 'YYYY-MM-DD') AS exec_date, ${band} AS band,
           to_char(t.clearing_date, 'YYYY-MM-DD') AS stored, min(${hkTime}) AS sample, count(*)::int AS n
    FROM trade t WHERE t.file_id = ${loaded.id} AND t.exec_at IS NOT NULL
    GROUP BY 1, 2, 3, 4`.execute(tx.db);

  const moves = new Map<
    string,
    { from: string | null; to: string | null; code: string | null; trades: number }
  >();
  const mapping: RawBuilder<unknown>[] = [];
  let rejectedNow = 0;
  for (const g of groups.rows) {
    const was = outcome(g, input.before);
    const now = outcome(g, input.after);
    if (!('date' in now)) rejectedNow += g.n;
    if (!('date' in now) || now.date !== g.stored) {
      const reason =
        'date' in now ? null : `${now.reason}; no clearing date since calendar change ${input.changeId}`;
      mapping.push(
        sql`(${g.exec_date}::date, ${g.band}::text, ${g.stored}::date, ${'date' in now ? now.date : null}::date, ${'date' in now ? null : now.code}::text, ${reason}::text)`,
      );
    }
    if (key(was) !== key(now)) {
      const move = {
        from: 'date' in was ? was.date : null,
        to: 'date' in now ? now.date : null,
        code: 'date' in now ? null : now.code,
      };
      const k = JSON.stringify(move);
      const m = moves.get(k);
      moves.set(k, { ...move, trades: (m?.trades ?? 0) + g.n });
    }
  }

  const rows = loaded.row_count - rejectedNow;
  const rejected = loaded.reject_count + rejectedNow;
  const inserted = await sql<{ id: string }>`
    INSERT INTO source_file (source, entity, profile, report_id, participant, business_date, generated_at,
      sha256, size_bytes, file_name, path, row_count, reject_count, control, completeness, derived_from,
      calendar_change_id)
    SELECT source, entity, profile, report_id, participant, business_date, generated_at,
      sha256, size_bytes, file_name, path, ${rows}, ${rejected}, control, completeness, id, ${input.changeId}::bigint
    FROM source_file WHERE id = ${loaded.id}
    RETURNING id`.execute(tx.db);
  const derivedId = inserted.rows[0]!.id;

  // A typed first row no trade matches (NULL equals nothing) keeps the list valid when it is empty.
  const none = sql`(NULL::date, NULL::text, NULL::date, NULL::date, NULL::text, NULL::text)`;
  const m = sql`(VALUES ${sql.join([none, ...mapping])}) AS m (exec_date, band, stored, new_date, code, reason)`;
  const on = sql`m.exec_date = t.exec_date AND m.band = ${band} AND m.stored = t.clearing_date`;
  const columns = await copiedTradeColumns(tx);
  const kept = sql`FROM trade t LEFT JOIN ${m} ON ${on} WHERE t.file_id = ${loaded.id} AND m.code IS NULL`;
  // The kept trades take a block of ids, in their order, as a load's rows do (reserve_ids, migration
  // 0022): a load running meanwhile takes its blocks from the same sequence. Counted by their new
  // dates, as a load counts its rows (file_dated_rows): what a run adds up.
  const counted = await sql<{
    d: string;
    n: number;
  }>`SELECT to_char(coalesce(m.new_date, t.clearing_date), 'YYYY-MM-DD') AS d,
      count(*)::int AS n ${kept} GROUP BY 1 ORDER BY 1`.execute(tx.db);
  const dated = counted.rows.map((r) => [r.d, r.n] as const);
  const n = dated.reduce((sum, [, rows]) => sum + rows, 0);
  if (n > 0) {
    const block = await sql<{ first: string }>`
      SELECT reserve_ids(pg_get_serial_sequence('trade', 'id')::regclass, ${n}::int) AS first`.execute(tx.db);
    await sql`
      INSERT INTO trade (id, file_id, clearing_date, ${sql.join(columns.map((c) => sql.id(c)))})
      SELECT ${block.rows[0]!.first}::bigint + row_number() OVER (ORDER BY t.id) - 1, ${derivedId}::bigint,
        coalesce(m.new_date, t.clearing_date), ${sql.join(columns.map((c) => sql.id('t', c)))}
      ${kept} ORDER BY t.id`.execute(tx.db);
    await storeDatedRows(tx, derivedId, dated);
  }
  await sql`
    INSERT INTO rejected_row (file_id, line_no, field, code, reason, raw)
    SELECT ${derivedId}::bigint, line_no, field, code, reason, raw FROM (
      SELECT line_no, field, code, reason, raw FROM rejected_row WHERE file_id = ${loaded.id}
      UNION ALL
      SELECT t.line_no, 'execTime', m.code,
             m.reason || ' (executed ' || to_char(t.exec_at AT TIME ZONE 'Asia/Hong_Kong', 'YYYY-MM-DD HH24:MI:SS') || ')',
             (to_jsonb(t) - 'id' - 'file_id')::text
      FROM trade t JOIN ${m} ON ${on}
      WHERE t.file_id = ${loaded.id} AND m.code IS NOT NULL
    ) AS r ORDER BY line_no`.execute(tx.db);
  // Digested as a load digests its rows, so `audit verify --data` checks the derived generation too.
  const dataDigest = await fileDataDigest(tx.db, derivedId, 'trades', DATA_DIGEST_VERSION);
  await sql`UPDATE source_file SET data_digest = ${dataDigest}, data_digest_version = ${DATA_DIGEST_VERSION}
    WHERE id = ${derivedId}::bigint`.execute(tx.db);
  await sql`UPDATE source_file SET superseded_by = ${derivedId}::bigint WHERE id = ${current.id}`.execute(
    tx.db,
  );

  return {
    fileName: current.file_name,
    source: current.source,
    businessDate: current.business_date,
    replacedId: current.id,
    derivedId,
    loadedId: loaded.id,
    rows,
    rejected,
    dataDigest,
    moves: [...moves.values()].sort(
      (a, b) => (a.from ?? '').localeCompare(b.from ?? '') || (a.to ?? '').localeCompare(b.to ?? ''),
    ),
  };
}

async function readFile(tx: StoreTransaction, id: string): Promise<FileRow> {
  const r = await sql<FileRow>`
    SELECT id, coalesce(derived_from, id) AS loaded_id, source, entity, report_id, participant,
           to_char(business_date, 'YYYY-MM-DD') AS business_date, file_name, superseded_by, row_count, reject_count
    FROM source_file WHERE id = ${id}`.execute(tx.db);
  return r.rows[0]!;
}

/**
 * The trade table's columns a derived generation copies as they were loaded: all but its own id,
 * file and clearing date. Read from the schema so a column added later is carried too.
 */
async function copiedTradeColumns(tx: StoreTransaction): Promise<string[]> {
  const r = await sql<{ column_name: string }>`
    SELECT column_name FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = 'trade'
      AND column_name NOT IN ('id', 'file_id', 'clearing_date')
    ORDER BY ordinal_position`.execute(tx.db);
  return r.rows.map((c) => c.column_name);
}

/** A trade's Hong Kong wall-clock execution time `HH24:MI:SS`. */
const hkTime = sql<string>`to_char(t.exec_at AT TIME ZONE 'Asia/Hong_Kong', 'HH24:MI:SS')`;

/** The session band of a trade's execution time, in SQL, as sessionBand works it out. */
function bandOf(cal: LoadedCalendar): RawBuilder<SessionBand> {
  const b = sessionBounds(cal.sessions);
  const s = sql`extract(epoch FROM (t.exec_at AT TIME ZONE 'Asia/Hong_Kong')::time)`;
  return sql<SessionBand>`(CASE WHEN ${s} >= ${b.afterHoursStart}::int THEN 'evening'
    WHEN ${s} < ${b.afterHoursEnd}::int THEN 'early-morning'
    WHEN ${s} < ${b.dayOpen}::int THEN 'before-open' ELSE 'day' END)`;
}

/** What a group of trades (one execution date and band) gets under a calendar. */
function outcome(g: Group, cal: LoadedCalendar): Outcome {
  const r = deriveClearingDate(g.exec_date, g.sample, cal.calendar, cal.sessions);
  if (r.ok) return { date: r.value.clearingDate };
  const sessionDay = g.band === 'early-morning' ? addDays(g.exec_date, -1) : g.exec_date;
  const day = cal.calendar.day(sessionDay);
  const note = day.ok && day.value.note !== null ? ` (${day.value.note})` : '';
  switch (r.issue.code) {
    case 'NOT_A_TRADING_DAY':
      return { code: r.issue.code, reason: `${sessionDay} is not a trading day${note}` };
    case 'NO_AFTER_HOURS_SESSION':
      return { code: r.issue.code, reason: `no T+1 session on the evening of ${sessionDay}${note}` };
    default:
      return { code: r.issue.code, reason: r.issue.message };
  }
}

const key = (o: Outcome) => ('date' in o ? o.date : `!${o.code}`);

function previousTradingDay(cal: LoadedCalendar, date: string): string {
  const p = cal.calendar.previousTradingDay(date);
  return p.ok ? p.value : cal.calendar.first;
}

const earliest = (a: string, b: string) => (a < b ? a : b);
