import { sql, type RawBuilder } from 'kysely';
import { ENTITY_MODELS, SQL_TYPE, storedField, storedFields, textSql } from '../model/entities.js';
import { ENTITY_DEFS, fieldDef, type FieldDef } from './fields.js';
import {
  ADJUSTMENT_TRADE_TYPES,
  CLOSING_TRADE,
  PENDING_TRADE_TYPE,
  REPEAT_COUNT_COMPARATOR,
  REPEAT_COUNT_FIELD,
  type BreakKind,
  type Side,
} from '../model/vocabulary.js';
import {
  namedFields,
  type ExplainRule,
  type FieldFilter,
  type Pass,
  type Reconciliation,
} from './rule-set.js';
import { EXPANDED_TABLE, expandedRelation, expandSpreadsStatements } from './expand-spreads.js';

/**
 * Compiles one reconciliation into SQL statements that run inside Postgres, set-based:
 *
 * 1. each side's records of the business date (in the files current when the reconciliation starts,
 *    rx_files) are read in a working layout: a column per field, named by its position (`c0`,
 *    `c1`...), never by anything read from the rule file; a side rolled forward is built in a
 *    temporary working table, any other side read where its records lie, with the few rows that
 *    stand for several records (a folded family, an aggregated group) in a working table beside it;
 * 2. each pass, on what earlier passes left: rows sharing a key on one side beyond the first (by record
 *    id) become duplicates, never paired, and the remaining rows pair one to one on equal keys; or, in
 *    a `repeats: pair` pass, rows sharing a key pair n-to-n and only a side's excess over the other's
 *    count is marked a duplicate (reported as one if no later pass pairs it);
 *    a row with a blank key field sits the pass out;
 * 3. each pair is compared field by field with its comparator as it is made (one `ok` flag); a pair
 *    with differences is a mismatch, whose field list is built only then, a clean pair a match;
 *    working rows are never updated: what the passes decided lives in rx_pair (a pair a row), rx_block
 *    (the clean pairs of one record each, in the blocks the match set stores) and rx_dup, and each
 *    pass copies the rows it leaves open for the next (rx_open_left / rx_open_right);
 * 4. matches are stored as the reconciliation's match set (once per distinct set: a re-run on the same
 *    inputs stores no pair again); breaks go to the run's working table rx_break by INSERT ... SELECT,
 *    with the explain rules applied and a fingerprint, so no record travels to JS; the carry step
 *    (carry.ts) files them in the register, and the run stores them when it completes (breaks.ts).
 *
 * Values from the rule file (filter values, tolerances, reasons) are bind parameters; identifiers come
 * from the field whitelist (fields.ts) and from this file.
 */

/** The working-table layout of one reconciliation: which fields, in which columns, on which side. */
interface Layout {
  readonly recon: Reconciliation;
  /** Column name (c0...) of each field used anywhere. */
  readonly column: ReadonlyMap<string, string>;
  /** Fields each side's working table holds. */
  readonly sideFields: Readonly<Record<Side, readonly string[]>>;
  /**
   * Sides read where their records lie (the entity table, by the side's filters) instead of being
   * copied into a working table: every side but one rolled forward (its records are built) or
   * expanded without being aggregated. Statements read it whole only to pair it (pass 1); the few
   * rows a break shows are fetched by record id. Some records may be stood in for by working rows:
   * a folded side's families (rx_member_<side>, rx_fold_<side>: foldStatements), an aggregated
   * side's groups of several records (rx_grouped_<side>, its working table: `grouped`).
   */
  readonly inPlace: Readonly<Record<Side, boolean>>;
  /**
   * For an aggregated side read in place: the fields that find its several-record groups, the first
   * pass's key fields it groups by (a record lacking one is a row of its own). Records of one group
   * share them, so a record sharing them with no other is a group of one, read where it lies: only
   * the few records that share them are aggregated into a working table. Null for any other side.
   */
  readonly grouped: Readonly<Record<Side, readonly string[] | null>>;
  /**
   * For a side read in place: whether any working row stands in for some of its records (a family
   * folded, a group of several records aggregated, a duplicate set aside before aggregating). Known
   * once the working tables are loaded (CompiledReconciliation); true until then. A side with none is
   * read where it lies without an anti-join against the empty table of records stood in for, which
   * cost each of 1,000,000 records a probe (about 0.25 s a side per statement on the server).
   */
  readonly standIns: Readonly<Record<Side, boolean>>;
  /**
   * For an expanded side: whether its spreads gave any legs (rx_expanded_<side>). Known once the legs
   * are built; true until then. A side without legs reads its records alone: read through a UNION ALL
   * with the empty table of legs, each of 1,000,000 BOS trades cost about 0.15 s more per statement
   * reading the side whole on the server (the first pass's join, the shared values' grouping).
   */
  readonly legs: Readonly<Record<Side, boolean>>;
  /**
   * For a side the first pass numbers (see passStatements): what is known beforehand of the key
   * values several of its records share, searched for beforehand (RepeatedKeySearch). 'some': found
   * and stored (rx_keys_<side>), so only the records of those values are numbered; 'none': no value
   * is repeated, so the side is not numbered at all; 'unknown' (not searched, or until the working
   * tables are loaded): numbered whole.
   */
  readonly repeatedKeys: Readonly<Record<Side, RepeatedKeys>>;
  readonly ctx: CompileContext;
}

/** What a search for a side's repeated first-pass key values found: see Layout.repeatedKeys. */
export type RepeatedKeys = 'unknown' | 'none' | 'some';

/**
 * What a run learns of a reconciliation's data as its statements run, which shapes the statements
 * after: see Layout's fields of the same names. Until known, the shapes that hold whatever the data.
 */
export interface Known {
  readonly legs: Readonly<Record<Side, boolean>>;
  readonly standIns: Readonly<Record<Side, boolean>>;
  readonly repeatedKeys: Readonly<Record<Side, RepeatedKeys>>;
}

const UNKNOWN: Known = {
  legs: { left: true, right: true },
  standIns: { left: true, right: true },
  repeatedKeys: { left: 'unknown', right: 'unknown' },
};

/** What the statements need besides the rule: the run they belong to, its business date, the database's bent. */
export interface CompileContext {
  readonly runId: string;
  readonly businessDate: string;
  /**
   * Whether a statement grouping a whole side into groups of about one record each (an aggregated
   * side's shared values) sorts rather than hashes: see SORTS_SIDE_GROUPS (run-steps.ts).
   */
  readonly sortsSideGroups: boolean;
  /**
   * Whether a side's statements name its files' ids (sideFiles) rather than find them in the
   * statement: see NAMES_SIDE_FILES (run-steps.ts).
   */
  readonly namesSideFiles: boolean;
  /**
   * The ids of each side's current files of the date (sideFilesQuery), once the run has chosen the
   * reconciliation's files (filesStatements); null before. What a second connection reads, and what
   * the statements name where namesSideFiles.
   */
  readonly sideFiles: Readonly<Record<Side, readonly string[]>> | null;
}

/**
 * The working tables one reconciliation leaves (each dropped at commit too): dropped before the next
 * reconciliation of the run builds its own, and once the run's breaks are to be stored.
 */
const WORKING_TABLES = [
  'rx_files',
  'rx_account_type',
  'rx_left',
  'rx_right',
  'rx_pair',
  'rx_block',
  'rx_dup',
  'rx_unique_left',
  'rx_unique_right',
  'rx_open_left',
  'rx_open_right',
  'rx_member_left',
  'rx_member_right',
  'rx_fold_left',
  'rx_fold_right',
  'rx_shared_left',
  'rx_shared_right',
  'rx_grouped_left',
  'rx_grouped_right',
  'rx_keys_left',
  'rx_keys_right',
];

/** DROP TABLE IF EXISTS of every working table a reconciliation may have left. */
export function dropWorkingTables(): RawBuilder<unknown> {
  return sql`DROP TABLE IF EXISTS ${sql.join(WORKING_TABLES.map((t) => sql.id(t)))}`;
}

/** A named statement, executed in order; names appear in logs and errors. */
export interface Statement {
  readonly label: string;
  readonly query: RawBuilder<unknown>;
}

const TABLE: Record<Side, string> = { left: 'rx_left', right: 'rx_right' };
const ALIAS: Record<Side, string> = { left: 'l', right: 'r' };

/**
 * A field's value (`expr`) to group or sort by bytewise: text under the "C" collation, the same groups
 * (the database's collation is deterministic: equal text is equal bytes) without the collation's
 * comparisons; any other type as it is.
 */
function bytewiseSql(recon: Reconciliation, field: string, expr: RawBuilder<unknown>): RawBuilder<unknown> {
  return def(recon, field).type === 'text' ? sql`${expr} COLLATE "C"` : expr;
}

function def(recon: Reconciliation, field: string): FieldDef {
  const d = fieldDef(recon.entity, field);
  // The rule set is validated when loaded; an unknown field here is a bug in the loader.
  if (d === undefined) throw new Error(`reconcile: unknown ${recon.entity} field ${field}`);
  return d;
}

/**
 * The joins of the run's lookup tables to the records aliased `r`, for the lookups the fields a
 * reconciliation names read (fields.ts): the account types (rx_account_type, built by loadStatements:
 * each account's type over the dates it holds, so a record's is the one in force on its date) and the
 * product table (rx_product, house-scope.ts: each root's clearing house). None otherwise.
 */
function lookupJoin(recon: Reconciliation): RawBuilder<unknown> {
  const lookups = new Set(namedFields(recon).map((f) => def(recon, f).lookup));
  const date = sql.raw(`r.${ENTITY_DEFS[recon.entity].dateColumn}`);
  const joins = [
    lookups.has('accountType')
      ? sql` LEFT JOIN rx_account_type rat ON rat.account = r.account AND rat.valid_from <= ${date} AND ${date} < rat.valid_to`
      : sql``,
    lookups.has('house') ? sql` LEFT JOIN rx_product rp ON rp.root = r.root` : sql``,
  ];
  return sql.join(joins, sql``);
}

function layout(recon: Reconciliation, ctx: CompileContext, known: Partial<Known> = {}): Layout {
  const compared = recon.compare.filter((c) => c.comparator.ignores !== true);
  const shared = [...recon.passes.flatMap((p) => p.keys), ...compared.map((c) => c.field)];
  const perSide = (side: Side) => [
    ...new Set([
      ...shared,
      ...recon.explain.flatMap((e) => e[side].map((f) => f.field)),
      ...compared.flatMap((c) => c.when[side].map((f) => f.field)),
      // Every field the aggregation reads, compared or not (a rule may group by a field it does not compare).
      ...(recon.aggregate?.side === side
        ? [...recon.aggregate.unique, ...recon.aggregate.groupBy, ...recon.aggregate.sum]
        : []),
    ]),
  ];
  const left = perSide('left');
  const right = perSide('right');
  const column = new Map<string, string>();
  for (const f of [...left, ...right]) if (!column.has(f)) column.set(f, `c${column.size}`);
  // A folded side is read in place too: only its families (a trade with adjustments folding into
  // it) are built in a working table, and stand in for their records. An expanded side is not,
  // unless aggregated (its records and legs are read where they lie; see expandedRelation).
  // An aggregated side is read in place unless rolled forward (its records are built, not read) or
  // its first pass's key shares no field with its grouping (nothing cheap tells its groups of one).
  const grouped = (side: Side): readonly string[] | null => {
    const agg = recon.aggregate;
    if (agg?.side !== side || recon[side].rollForward) return null;
    const keys = groupIdentity(recon);
    return keys.length > 0 ? keys : null;
  };
  const inPlace = (side: Side) =>
    recon.aggregate?.side === side
      ? grouped(side) !== null
      : !recon[side].rollForward && recon[side].expand === null;
  return {
    recon,
    column,
    sideFields: { left, right },
    inPlace: { left: inPlace('left'), right: inPlace('right') },
    grouped: { left: grouped('left'), right: grouped('right') },
    legs: known.legs ?? UNKNOWN.legs,
    standIns: known.standIns ?? UNKNOWN.standIns,
    repeatedKeys: known.repeatedKeys ?? UNKNOWN.repeatedKeys,
    ctx,
  };
}

/** A working column of a side's row, `l.c3`. */
function col(l: Layout, side: Side, field: string): RawBuilder<unknown> {
  return sql.raw(`${ALIAS[side]}.${l.column.get(field)!}`);
}

/** The value of a working column as text, as breaks.json shows it. */
function colText(l: Layout, side: Side, field: string): RawBuilder<string | null> {
  return sql.raw(textSql(def(l.recon, field).type, `${ALIAS[side]}.${l.column.get(field)!}`));
}

/** `expr IN (values)` with each value cast to the field's type; negated filters let blanks through. */
function filterSql(expr: RawBuilder<unknown>, type: FieldDef['type'], f: FieldFilter): RawBuilder<boolean> {
  const list = sql.join(f.in.map((v) => sql`${v}::${sql.raw(SQL_TYPE[type])}`));
  return f.negate
    ? sql<boolean>`(${expr} IS NULL OR ${expr} NOT IN (${list}))`
    : sql<boolean>`(${expr} IN (${list}))`;
}

/** The records of one side in the files read: the business date, the side's source and filters. */
function recordWhere(recon: Reconciliation, side: Side, ctx: CompileContext): RawBuilder<boolean> {
  const spec = recon[side];
  const where = [
    sql`r.source = ${spec.source}::text`,
    sql`${sql.raw(`r.${ENTITY_DEFS[recon.entity].dateColumn}`)} = ${ctx.businessDate}::date`,
    ...spec.filters.map((f) => filterSql(sql.raw(def(recon, f.field).sql), def(recon, f.field).type, f)),
  ];
  return sql<boolean>`${sql.join(where, sql` AND `)}`;
}

/**
 * The relation one side's records come from, aliased `r` with the entity table's columns. A
 * rolled-forward positions side is, dated the business date:
 * - the source's previous positions;
 * - the trades of the same source cleared since, as positions (tradeAsPosition: an opening buy adds
 *   to long, an opening sell to short, a closing sell takes from long, a closing buy from short), except
 *   a give-up or take-up still pending, which has not moved the position (PENDING_TRADE_TYPE);
 * - the day's exercises and assignments, as the day's positions of the source report them (their
 *   `exercised` and `assigned`): an exercise takes its quantity from long, an assignment from short.
 *   The day's figures only: the previous positions' figures are already out of their long and short.
 * Summed per account and instrument this gives long and short for a gross account, and for any
 * account the net (long less short), which the indicator does not change: a closing sell lowers long
 * as an opening sell raises short. Trades carry their negated id: a break's record ids tell a
 * position (positive: a previous position or the day's position whose exercise or assignment moved
 * it) from a trade (negative).
 */
function sideRelation(recon: Reconciliation, side: Side, ctx: CompileContext): RawBuilder<unknown> {
  if (!recon[side].rollForward) return sql.raw(`${ENTITY_DEFS[recon.entity].table} r`);
  const date = sql`${ctx.businessDate}::date`;
  const base = rollForwardBase(recon[side].source, ctx);
  const fields = storedFields('positions');
  const asPosition = fields.map((f) =>
    f.name === 'positionDate' ? sql`${date} AS ${sql.raw(f.column)}` : sql.raw(`p.${f.column}`),
  );
  const asTrade = fields.map((f) => tradeAsPosition(f.name, date));
  const asExercise = fields.map((f) => exerciseAsMovement(f.name));
  return sql`(SELECT p.id, p.file_id, ${sql.join(asPosition)}
      FROM position p WHERE p.position_date = ${base}
      UNION ALL
      SELECT -t.id, t.file_id, ${sql.join(asTrade)}
      FROM trade t WHERE t.clearing_date > ${base} AND t.clearing_date <= ${date}
        AND t.trade_type NOT IN (${sql.join(Object.values(PENDING_TRADE_TYPE).map((p) => sql`${p}::text`))})
      UNION ALL
      SELECT x.id, x.file_id, ${sql.join(asExercise)}
      FROM position x WHERE x.position_date = ${date}
        AND (coalesce(x.exercised_qty, 0) <> 0 OR coalesce(x.assigned_qty, 0) <> 0)) r`;
}

/**
 * A trade's value for a position field on a rolled-forward side: dated the business date; long and
 * short moved by its side and open/close indicator (an unmarked trade opens: CLOSING_TRADE); none
 * exercised or assigned; a field trades have too (account, instrument) as the trade has it, any
 * other null.
 */
function tradeAsPosition(name: string, date: RawBuilder<unknown>): RawBuilder<unknown> {
  const closing = sql`t.open_close IS NOT DISTINCT FROM ${CLOSING_TRADE}::text`;
  switch (name) {
    case 'positionDate':
      return date;
    case 'long':
      return sql`CASE WHEN t.side = 'B' AND NOT ${closing} THEN t.quantity
        WHEN t.side = 'S' AND ${closing} THEN -t.quantity ELSE 0 END`;
    case 'short':
      return sql`CASE WHEN t.side = 'S' AND NOT ${closing} THEN t.quantity
        WHEN t.side = 'B' AND ${closing} THEN -t.quantity ELSE 0 END`;
    case 'exercised':
    case 'assigned':
      return sql`0`;
  }
  const shared = storedFields('trades').find((f) => f.name === name);
  return shared === undefined ? sql`NULL` : sql.raw(`t.${shared.column}`);
}

/**
 * The day's position (alias `x`) as the movement its exercise and assignment make on a rolled-forward
 * side: long less the exercised quantity, short less the assigned; the position's own fields
 * (account, instrument, date) as they are, no exercise or assignment of its own (it is not compared).
 */
function exerciseAsMovement(name: string): RawBuilder<unknown> {
  switch (name) {
    case 'long':
      return sql`-coalesce(x.exercised_qty, 0)`;
    case 'short':
      return sql`-coalesce(x.assigned_qty, 0)`;
    case 'exercised':
    case 'assigned':
      return sql`0`;
  }
  return sql.raw(`x.${storedField('positions', name).column}`);
}

/**
 * The date a rolled-forward side starts from: the source's latest positions before the business date
 * in current files, normally the previous trading day. Trades of every date after it are added, so a
 * gap (a day whose reports were never loaded) shows as breaks rather than hiding.
 */
export function rollForwardBase(
  source: string,
  ctx: Pick<CompileContext, 'businessDate'>,
): RawBuilder<string | null> {
  return sql<
    string | null
  >`(SELECT max(bp.position_date) FROM position bp JOIN source_file bf ON bf.id = bp.file_id
    WHERE bp.source = ${source}::text AND bf.superseded_by IS NULL AND bp.position_date < ${ctx.businessDate}::date)`;
}

/**
 * The files one side read (current generations holding records of the date, as the reconciliation's
 * statements read them: rx_files), with how many records each gave. A side without filters reads
 * every record of its source and date in those files (its lookups are left joins matching at most one
 * row: one account type per account and date, one house per root), which the loads counted
 * (file_dated_rows): added up, not counted again. Counting both sides of 1,000,000 x 1,000,000
 * trades took 1.0 s of a server run and 2.7-3.0 s of an embedded one; adding up, under 0.4 s. A
 * rolled-forward or filtered side is counted as read.
 */
export function inputsQuery(
  recon: Reconciliation,
  side: Side,
  ctx: CompileContext,
): RawBuilder<{
  id: string;
  source: string;
  file_name: string;
  sha256: string;
  row_count: number;
  reject_count: number;
  used: string;
}> {
  const spec = recon[side];
  if (!spec.rollForward && spec.filters.length === 0)
    return sql`SELECT sf.id, sf.source, sf.file_name, sf.sha256, sf.row_count, sf.reject_count, d.rows AS used
      FROM ${datedFiles(recon, side, ctx)} ORDER BY sf.id`;
  return sql`SELECT sf.id, sf.source, sf.file_name, sf.sha256, sf.row_count, sf.reject_count, count(*) AS used
    FROM ${sideRelation(recon, side, ctx)} JOIN source_file sf ON sf.id = r.file_id JOIN rx_files cf ON cf.id = sf.id${lookupJoin(recon)}
    WHERE ${recordWhere(recon, side, ctx)}
    GROUP BY sf.id, sf.source, sf.file_name, sf.sha256, sf.row_count, sf.reject_count ORDER BY sf.id`;
}

/**
 * The current files (rx_files) holding records of a side's source and its date, as their loads
 * counted them: `file_dated_rows d` joined to `source_file sf`, with the condition, for a FROM.
 */
function datedFiles(recon: Reconciliation, side: Side, ctx: CompileContext): RawBuilder<unknown> {
  return sql`file_dated_rows d JOIN source_file sf ON sf.id = d.file_id JOIN rx_files cf ON cf.id = sf.id
    WHERE sf.source = ${recon[side].source}::text AND sf.entity = ${recon.entity}::text
      AND d.record_date = ${ctx.businessDate}::date`;
}

/** The ids of a side's current files of its date (datedFiles), as one row's array `files`. */
export function sideFilesQuery(
  recon: Reconciliation,
  side: Side,
  ctx: CompileContext,
): RawBuilder<{ files: string[] }> {
  return sql`SELECT ARRAY(SELECT d.file_id FROM ${datedFiles(recon, side, ctx)}) AS files`;
}

/**
 * A side's current files of its date, as a bigint[] expression for a scan's `file_id = ANY(...)`: the
 * ids themselves where the run found them (CompileContext.sideFiles), so the planner sees how few of
 * the table's rows they hold; else found by the statement.
 */
function sideFileIds(l: Layout, side: Side): RawBuilder<unknown> {
  const ids = l.ctx.sideFiles?.[side];
  if (l.ctx.namesSideFiles && ids !== undefined) return sql`${`{${ids.join(',')}}`}::bigint[]`;
  return sql`ARRAY(SELECT d.file_id FROM ${datedFiles(l.recon, side, l.ctx)})`;
}

/**
 * SQL true when a run of this reconciliation looks at the records of a break of the register (alias
 * `c`, a break_case): every record of the break's last sighting is of the side's source and passes the
 * side's filters as this run's rule set states them. A run under a narrower filter, another source or
 * another entity does not look at the break, so it may not clear it. Records of a rolled-forward side
 * that are trades (negative ids) are checked as the positions they roll into are: by the position side.
 */
export function lookedAtSql(recon: Reconciliation): RawBuilder<boolean> {
  const table = sql.raw(ENTITY_DEFS[recon.entity].table);
  const outside = (side: Side) => {
    const spec = recon[side];
    const inSide = [
      sql`r.source = ${spec.source}::text`,
      ...spec.filters.map((f) => filterSql(sql.raw(def(recon, f.field).sql), def(recon, f.field).type, f)),
    ];
    const ids = sql.raw(side === 'left' ? 'ls.left_ids' : 'ls.right_ids');
    return sql`EXISTS (SELECT 1 FROM ${table} r${lookupJoin(recon)} WHERE r.id = ANY(${ids}) AND NOT coalesce(${sql.join(inSide, sql` AND `)}, FALSE))`;
  };
  return sql<boolean>`(c.entity = ${recon.entity}::text AND EXISTS (
      SELECT 1 FROM break_sighting lss JOIN break_detail ls ON ls.id = lss.detail_id
      WHERE lss.case_id = c.id AND lss.run_id = c.last_seen_run
        AND NOT ${outside('left')} AND NOT ${outside('right')}))`;
}

/**
 * A side's row layout: rid, ids and a working column per field. A working row's rid is its first
 * record id: record ids are unique across a side's rows (a record is in one row), so no numbering (a
 * sort of the whole side) is needed, and rid order is record order.
 */
function rowColumns(l: Layout, side: Side): RawBuilder<unknown> {
  const columns = l.sideFields[side].map((f) =>
    sql.raw(`${l.column.get(f)!} ${SQL_TYPE[def(l.recon, f).type]}`),
  );
  return sql`rid bigint NOT NULL, ids bigint[] NOT NULL, ${sql.join(columns)}`;
}

/** `r.trade_no AS c1, ...`: a side's working columns read from its records (alias `r`). */
function fieldColumns(l: Layout, side: Side): RawBuilder<unknown> {
  return sql.join(
    l.sideFields[side].map((f) => sql`${sql.raw(def(l.recon, f).sql)} AS ${sql.raw(l.column.get(f)!)}`),
  );
}

/**
 * The side's records of the run: its relation in the files current when the reconciliation started
 * (rx_files), under the side's filters. Each statement reading a side sees the same records, a file
 * loaded or superseded meanwhile by a concurrent ingest notwithstanding: a loaded file's records never
 * change, and the run's statements each take their own snapshot.
 */
function sideRecords(l: Layout, side: Side): RawBuilder<unknown> {
  const relation = expandedSideRelation(l, side) ?? sideRelation(l.recon, side, l.ctx);
  const where = recordWhere(l.recon, side, l.ctx);
  if (l.recon[side].rollForward)
    return sql`${relation} JOIN rx_files sf ON sf.id = r.file_id${lookupJoin(l.recon)} WHERE ${where}`;
  // A side of one date reads the current files holding records of its source and date, as the loads
  // counted them (file_dated_rows, inputsQuery): a handful of ids, tested in the scan itself. Joined
  // to rx_files (every current file of every date), each of 1,000,000 records paid a hash join's
  // probe: about 0.15 s a side per statement on the server.
  return sql`${relation}${lookupJoin(l.recon)} WHERE r.file_id = ANY(${sideFileIds(l, side)}) AND ${where}`;
}

/**
 * A side's rows in its working layout, for a statement to alias: its working table, or for a side
 * read in place its records, each a row of one record. `only`, an array of record ids, narrows an
 * in-place side to the rows a statement needs (a break's), found by the record table's key rather
 * than by a scan of the side; `workingRowsWhere` (alias `f`) narrows only the working rows standing
 * in for some of its records.
 */
function sideRows(
  l: Layout,
  side: Side,
  only?: RawBuilder<unknown>,
  workingRowsWhere?: RawBuilder<boolean>,
): RawBuilder<unknown> {
  if (!l.inPlace[side]) return sql.raw(TABLE[side]);
  const narrowed = only === undefined ? sql`` : sql` AND r.id = ANY(${only})`;
  // The records some working rows stand for (a folded side's families, an aggregated side's groups of
  // several records) and those rows: the side's other records are rows of one record each.
  const replaced = standInsOf(l, side);
  if (replaced === null || !l.standIns[side])
    return sql`(SELECT r.id AS rid, NULL::bigint[] AS ids, ${fieldColumns(l, side)}
    FROM ${sideRecords(l, side)}${narrowed})`;
  const rowsWhere = [
    ...(only === undefined ? [] : [sql<boolean>`f.rid = ANY(${only})`]),
    ...(workingRowsWhere === undefined ? [] : [workingRowsWhere]),
  ];
  const rowsNarrowed = rowsWhere.length === 0 ? sql`` : sql` WHERE ${sql.join(rowsWhere, sql` AND `)}`;
  return sql`(SELECT r.id AS rid, NULL::bigint[] AS ids, ${replaced.columns}
    FROM ${sideRecords(l, side)}${narrowed}
      AND NOT EXISTS (SELECT 1 FROM ${sql.raw(replaced.members)} m WHERE m.id = r.id)
    UNION ALL SELECT f.* FROM ${sql.raw(replaced.rows)} f${rowsNarrowed})`;
}

/**
 * Where an in-place side's stand-ins are: the table of the records they stand for (members), the
 * working rows themselves, and the columns its records read where they lie take. Null for a side
 * without any (neither folded nor aggregated in place).
 */
function standInsOf(
  l: Layout,
  side: Side,
): { members: string; rows: string; columns: RawBuilder<unknown> } | null {
  if (!l.inPlace[side]) return null;
  if (l.recon.fold?.side === side)
    return { members: `rx_member_${side}`, rows: `rx_fold_${side}`, columns: fieldColumns(l, side) };
  if (l.grouped[side] !== null)
    return { members: `rx_grouped_${side}`, rows: TABLE[side], columns: groupOfOneColumns(l, side) };
  return null;
}

/**
 * An aggregated side's working columns for a record that is a group of one, as aggregating it gives
 * them: the grouped and summed fields its own, every other field blank.
 */
function groupOfOneColumns(l: Layout, side: Side): RawBuilder<unknown> {
  const agg = l.recon.aggregate!;
  const kept = new Set([...agg.groupBy, ...agg.sum]);
  return sql.join(
    l.sideFields[side].map((f) => {
      const d = def(l.recon, f);
      const value = kept.has(f) ? sql.raw(d.sql) : sql.raw(`NULL::${SQL_TYPE[d.type]}`);
      return sql`${value} AS ${sql.raw(l.column.get(f)!)}`;
    }),
  );
}

/**
 * The first pass's key fields an aggregation groups by: a record lacking one is a row of its own, and
 * records of one group share them all.
 */
function groupIdentity(recon: Reconciliation): readonly string[] {
  const grouped = new Set(recon.aggregate?.groupBy ?? []);
  return recon.passes[0]!.keys.filter((k) => grouped.has(k));
}

/**
 * An expanded side's legs (expand-spreads.ts): a working table of the trade table's columns holding
 * each spread as its legs, built before the side is loaded; the other side's records price the legs.
 */
function expandedSideStatements(l: Layout, side: Side): Statement[] {
  if (l.recon[side].expand === null) return [];
  const other: Side = side === 'left' ? 'right' : 'left';
  return expandSpreadsStatements({
    side,
    source: l.recon[side].source,
    businessDate: l.ctx.businessDate,
    otherWhere: recordWhere(l.recon, other, l.ctx),
    otherJoin: lookupJoin(l.recon),
  });
}

/** The relation an expanded side's statements read its records from, aliased `r`; null for a side not expanded. */
function expandedSideRelation(l: Layout, side: Side): RawBuilder<unknown> | null {
  return l.recon[side].expand === null ? null : expandedRelation(side, l.legs[side]);
}

/**
 * The statements choosing the files a reconciliation reads (rx_files), after the last one's tables
 * are dropped: the run's first, before it finds each side's files (CompileContext.sideFiles) and
 * compiles the rest.
 */
export function filesStatements(): Statement[] {
  return [
    {
      label: 'drop working tables',
      query: dropWorkingTables(),
    },
    {
      label: 'current files',
      query: sql`CREATE TEMP TABLE rx_files ON COMMIT DROP AS SELECT id FROM source_file WHERE superseded_by IS NULL`,
    },
    { label: 'analyze current files', query: sql`ANALYZE rx_files` },
  ];
}

/** The statements creating the working tables and building the expanded sides' legs, once the files are chosen. */
function prepareStatements(l: Layout): Statement[] {
  const out: Statement[] = [
    {
      label: 'account types',
      // Each DCASS account's type from each date a current map makes it effective (the latest
      // mapping of that date: the highest id) to the next such date: what lookupJoin joins.
      query: sql`CREATE TEMP TABLE rx_account_type ON COMMIT DROP AS
        SELECT m.dcass_account AS account, m.account_type, m.effective_from AS valid_from,
          coalesce(lead(m.effective_from) OVER (PARTITION BY m.dcass_account ORDER BY m.effective_from), 'infinity'::date) AS valid_to
        FROM (SELECT DISTINCT ON (am.dcass_account, am.effective_from) am.dcass_account, am.effective_from, am.account_type
              FROM account_map am JOIN rx_files f ON f.id = am.file_id
              ORDER BY am.dcass_account, am.effective_from, am.id DESC) m`,
    },
    { label: 'analyze account types', query: sql`ANALYZE rx_account_type` },
    {
      label: 'create pair table',
      // A pair carries its rows' record ids, so storing the matches reads this table alone (no joins
      // back); null for a row of one record read in place (its rid: see rowIds).
      query: sql`CREATE TEMP TABLE rx_pair (pass smallint NOT NULL, lrid bigint NOT NULL, rrid bigint NOT NULL,
        lids bigint[], rids bigint[], ok boolean NOT NULL) ON COMMIT DROP`,
    },
    {
      label: 'create block table',
      query: sql`CREATE TEMP TABLE rx_block (pass smallint NOT NULL, first bigint NOT NULL,
        lids bigint[] NOT NULL, rids bigint[] NOT NULL, n bigint NOT NULL) ON COMMIT DROP`,
    },
    {
      label: 'store blocks uncompressed',
      // As match_block's (migration 0014): compressing a million pairs' ids cost over a second. A
      // statement of its own: PostgreSQL 15 takes no STORAGE in CREATE TABLE's column definitions.
      query: sql`ALTER TABLE rx_block ALTER lids SET STORAGE EXTERNAL, ALTER rids SET STORAGE EXTERNAL`,
    },
    {
      label: 'create duplicate table',
      query: sql`CREATE TEMP TABLE rx_dup (side text NOT NULL, rid bigint NOT NULL, pass smallint) ON COMMIT DROP`,
    },
  ];
  // Both sides' spread legs first: a side's fold reads the other side's records (an adjustment BOS
  // booked under its own number), which for an expanded side are its legs.
  for (const side of ['left', 'right'] as const) out.push(...expandedSideStatements(l, side));
  return out;
}

/**
 * The statements filling the working tables, once the legs are built (`l.legs` known). With
 * `sharedAlongside`, an aggregated side's shared values (SharedValuesProbe) are searched on another
 * connection: its statement searching them is left out, and its tables stay empty.
 */
function loadStatements(l: Layout, sharedAlongside: Side | null = null): Statement[] {
  const { recon } = l;
  const out: Statement[] = [];
  for (const side of ['left', 'right'] as const) {
    // A side read in place is copied nowhere: copying a million records cost more (2.3 to 2.8 s on
    // the server) than reading them where they lie in the two statements that read the side whole.
    if (l.inPlace[side] && l.grouped[side] === null) {
      if (recon.fold?.side === side) out.push(...foldStatements(l, side));
      continue;
    }
    const fields = l.sideFields[side];
    // No index: every statement reads the working tables whole, by hash joins.
    out.push({
      label: `create ${side} working table`,
      query: sql`CREATE TEMP TABLE ${sql.raw(TABLE[side])} (${rowColumns(l, side)}) ON COMMIT DROP`,
    });

    const agg = recon.aggregate?.side === side ? recon.aggregate : null;
    const c = (f: string) => sql.raw(l.column.get(f)!);
    // Grouped bytewise (bytewiseSql): on the server 1,000,000 BOS trades grouped in 3.0-3.4 s of
    // backend CPU instead of 3.5-4.0, their references in 1.2 instead of 1.6-2.1.
    const bytewise = (f: string) => bytewiseSql(recon, f, c(f));
    const table = sql.raw(TABLE[side]);
    // src: the side's records with their fields in working columns.
    const src = sql`WITH src AS NOT MATERIALIZED (SELECT r.id, ${fieldColumns(l, side)} FROM ${sideRecords(l, side)})`;
    const targets = sql`(rid, ids, ${sql.join(fields.map(c))})`;
    if (agg === null) {
      out.push({
        label: `load ${side} records (${recon[side].source})`,
        query: sql`INSERT INTO ${table} ${targets} ${src}
          SELECT id, ARRAY[id], ${sql.join(fields.map(c))} FROM src`,
      });
    } else {
      // An aggregated side with a `unique` rule: records sharing those fields (none blank) beyond the
      // first by record id are duplicates, set aside before aggregating. The values shared, with their
      // first record, are found by grouping (a small table: usually empty), not by ranking every record.
      const unique = agg.unique;
      const uniqueTable = sql.raw(`rx_unique_${side}`);
      const grouping = l.grouped[side];
      const shared = sql.raw(`rx_shared_${side}`);
      const typed = (fs: readonly string[]) =>
        sql.join(fs.map((f) => sql.raw(`${l.column.get(f)!} ${SQL_TYPE[def(recon, f).type]}`)));
      const notBlank = (fs: readonly string[], alias = '') =>
        sql.join(
          fs.map((f) => sql`${sql.raw(alias)}${c(f)} IS NOT NULL`),
          sql` AND `,
        );
      if (unique.length > 0)
        out.push({
          label: `create ${side} shared values table`,
          query: sql`CREATE TEMP TABLE ${uniqueTable} (${typed(unique)}, first bigint NOT NULL) ON COMMIT DROP`,
        });
      // A side read in place aggregates only the records sharing the first pass's key fields with
      // another record; every other record is a group of one, read where it lies (groupOfOneColumns).
      // Grouping all of 1,000,000 BOS trades on the server sorted them on every grouped column and
      // copied them whole into the working table (2.6 s). A key value shared with a duplicate of the
      // unique rule only has its record aggregated alone: the same row as read in place.
      if (grouping !== null)
        out.push({
          label: `create ${side} shared key values table`,
          query: sql`CREATE TEMP TABLE ${shared} (${typed(grouping)}) ON COMMIT DROP`,
        });
      const inOnePass = sharedValueSets(l, side);
      if (sharedAlongside === side) {
        // Searched on another connection (SharedValuesProbe): the tables stay empty.
      } else if (inOnePass !== null) {
        const g = (fs: readonly string[]) => sql.join(fs.map((f) => sql`g.${c(f)}`));
        if (l.ctx.sortsSideGroups)
          out.push({
            label: `${side} values several records share: sorted`,
            query: sql`SET LOCAL enable_hashagg = off`,
          });
        out.push({
          label: `${side} values several records share`,
          query: sql`${src}, ${sharedValuesGroups(l, side, sideFileIds(l, side))},
            u AS (INSERT INTO ${uniqueTable} SELECT ${g(inOnePass.unique)}, g.first FROM g
              WHERE g.by_unique AND ${notBlank(inOnePass.unique, 'g.')})
            INSERT INTO ${shared} SELECT ${g(inOnePass.grouping)} FROM g
            WHERE NOT g.by_unique AND ${notBlank(inOnePass.grouping, 'g.')}`,
        });
        if (l.ctx.sortsSideGroups)
          out.push({
            label: `${side} values several records share: hashing again`,
            query: sql`SET LOCAL enable_hashagg TO DEFAULT`,
          });
      } else {
        if (unique.length > 0)
          out.push({
            label: `${side} values shared against the unique rule`,
            query: sql`INSERT INTO ${uniqueTable} ${src}
              SELECT ${sql.join(unique.map(bytewise))}, min(id) AS first FROM src
              WHERE ${notBlank(unique)} GROUP BY ${sql.join(unique.map(bytewise))} HAVING count(*) > 1`,
          });
        if (grouping !== null)
          out.push({
            label: `${side} key values several records share`,
            query: sql`INSERT INTO ${shared} ${src}
              SELECT ${sql.join(grouping.map(c))} FROM src
              WHERE ${notBlank(grouping)} GROUP BY ${sql.join(grouping.map(c))} HAVING count(*) > 1`,
          });
      }
      if (unique.length > 0)
        out.push({ label: `analyze ${side} shared values`, query: sql`ANALYZE ${uniqueTable}` });
      if (grouping !== null)
        out.push({ label: `analyze ${side} shared key values`, query: sql`ANALYZE ${shared}` });
      const sameUnique = sql.join(
        unique.map((f) => sql`u.${c(f)} = src.${c(f)}`),
        sql` AND `,
      );
      const notExtra =
        unique.length === 0
          ? sql`TRUE`
          : sql`NOT EXISTS (SELECT 1 FROM ${uniqueTable} u WHERE ${sameUnique} AND u.first <> src.id)`;
      const sums = new Set(agg.sum);
      const grouped = new Set(agg.groupBy);
      const selectCols = fields.map((f) =>
        sums.has(f)
          ? sql`sum(${c(f)})`
          : grouped.has(f)
            ? bytewise(f)
            : sql`NULL::${sql.raw(SQL_TYPE[def(recon, f).type])}`,
      );
      // A record lacking part of the first pass's key (a BOS trade without an exchange trade number)
      // is no known allocation of any trade: it stays a row of its own instead of being summed with
      // the others sharing the blank (two identical fills booked without numbers are two fills).
      const identity = groupIdentity(recon);
      const alone =
        identity.length === 0
          ? []
          : [
              sql`CASE WHEN ${sql.join(
                identity.map((k) => sql`${c(k)} IS NULL`),
                sql` OR `,
              )} THEN id END`,
            ];
      // The first EXISTS reads no record: PostgreSQL checks it once, before reading the side, and
      // reads nothing when no key value is shared (the usual day). Without it the embedded database
      // read all 1,000,000 BOS trades for no row (0.2 s), as it did for the duplicates below.
      const several =
        grouping === null
          ? sql`TRUE`
          : sql`EXISTS (SELECT 1 FROM ${shared}) AND EXISTS (SELECT 1 FROM ${shared} s WHERE ${sql.join(
              grouping.map((f) => sql`s.${c(f)} = src.${c(f)}`),
              sql` AND `,
            )})`;
      // array_agg without ORDER BY keeps the grouping hashable (an ordered aggregate forces a sort of
      // the whole side); the rare row of several records has its ids sorted afterwards.
      out.push({
        label: `load and aggregate ${side} records (${recon[side].source})`,
        query: sql`INSERT INTO ${table} ${targets} ${src}
          SELECT min(id), CASE WHEN count(*) = 1 THEN array_agg(id) ELSE ARRAY(SELECT unnest(array_agg(id)) ORDER BY 1) END,
            ${sql.join(selectCols)}
          FROM src WHERE ${several} AND ${notExtra} GROUP BY ${sql.join([...agg.groupBy.map(bytewise), ...alone])}`,
      });
      if (unique.length > 0) {
        out.push({
          label: `${side} duplicates before aggregation`,
          query: sql`${src}, ins AS (
              INSERT INTO ${table} ${targets}
              SELECT src.id, ARRAY[src.id], ${sql.join(fields.map((f) => sql`src.${c(f)}`))}
              FROM src JOIN ${uniqueTable} u ON ${sameUnique} AND u.first <> src.id
              WHERE EXISTS (SELECT 1 FROM ${uniqueTable}) RETURNING rid)
            INSERT INTO rx_dup (side, rid, pass) SELECT ${side}::text, rid, NULL FROM ins`,
        });
      }
    }
    if (l.grouped[side] !== null) {
      // The records the working rows stand for, which the side's readers skip where they lie.
      const members = sql.raw(`rx_grouped_${side}`);
      out.push(
        {
          label: `${side} records of the working rows`,
          query: sql`CREATE TEMP TABLE ${members} ON COMMIT DROP AS SELECT unnest(ids) AS id FROM ${table}`,
        },
        { label: `analyze ${side} records of the working rows`, query: sql`ANALYZE ${members}` },
      );
    }
    out.push({ label: `analyze ${side} working table`, query: sql`ANALYZE ${sql.raw(TABLE[side])}` });
  }
  return out;
}

/**
 * An aggregated side's two searches for shared values, where one pass over its records does both
 * (grouping sets): the unique rule's fields and the first pass's key fields it groups (Layout.grouped),
 * none in common. Null otherwise (each is then a statement of its own).
 */
function sharedValueSets(
  l: Layout,
  side: Side,
): { readonly unique: readonly string[]; readonly grouping: readonly string[] } | null {
  const unique = l.recon.aggregate?.side === side ? l.recon.aggregate.unique : [];
  const grouping = l.grouped[side];
  if (unique.length === 0 || grouping === null || unique.some((f) => grouping.includes(f))) return null;
  return { unique, grouping };
}

/**
 * `g AS MATERIALIZED (...)`, for a WITH whose `src` holds the side's records (id and the working
 * columns of sharedValueSets' fields): the values of either set that several records share, each with
 * its first record and whether it is the unique rule's (by_unique). Both in one pass over the side's
 * records (grouping sets), not one each; grouped bytewise, and sorted where the context says so
 * (CompileContext.sortsSideGroups).
 */
function sharedValuesGroups(l: Layout, side: Side, files: RawBuilder<unknown>): RawBuilder<unknown> {
  const sets = sharedValueSets(l, side)!;
  const c = (f: string) => sql.raw(l.column.get(f)!);
  const bytewise = (f: string) => bytewiseSql(l.recon, f, c(f));
  const set = (fs: readonly string[]) => sql.join(fs.map(bytewise));
  const listed = listedRepeatsFilter(l, side, [sets.unique, sets.grouping], files);
  return sql`g AS MATERIALIZED (
    SELECT ${sql.join([...sets.unique, ...sets.grouping].map((f) => sql`${bytewise(f)} AS ${c(f)}`))}, min(id) AS first,
      GROUPING(${set(sets.unique)}) = 0 AS by_unique
    FROM src ${listed === null ? sql`` : sql`WHERE ${listed}`}
    GROUP BY GROUPING SETS ((${set(sets.unique)}), (${set(sets.grouping)}))
    HAVING count(*) > 1)`;
}

/**
 * The first of `fields` whose repeats a load lists (EntityModel.sieved) and that the rules read as
 * stored, with its stored column; null when none is.
 */
function sievedField(
  recon: Reconciliation,
  fields: readonly string[],
): { field: string; column: string } | null {
  for (const field of fields) {
    if (!(ENTITY_MODELS[recon.entity].sieved as readonly string[]).includes(field)) continue;
    const column = storedField(recon.entity, field).column;
    if (def(recon, field).sql === `r.${column}`) return { field, column };
  }
  return null;
}

/**
 * SQL true for the records of `src` (the side's records, with the working columns of the sets'
 * fields) that a search for values several records share must look at, for a side read from the files
 * `files` (a bigint[] expression). Each set has a field whose repeats its file's load listed
 * (file_repeat_candidate): a value several records of the file share is held by a listed row, so only
 * records holding a listed row's value of some set can share one, and the search groups those few
 * instead of every record. All records where the side reads several files (a repeat across two files is
 * listed in neither) or its file has no complete list (loaded before the lists, or too many to list).
 * Null when some set has no such field, or the side holds legs of spreads (records of no file).
 */
function listedRepeatsFilter(
  l: Layout,
  side: Side,
  sets: readonly (readonly string[])[],
  files: RawBuilder<unknown>,
): RawBuilder<boolean> | null {
  const { recon } = l;
  if (recon[side].rollForward || (recon[side].expand !== null && l.legs[side])) return null;
  const chosen = sets.map((fs) => {
    const sieved = sievedField(recon, fs);
    return sieved === null ? null : { column: sieved.column, working: l.column.get(sieved.field)! };
  });
  if (chosen.some((x) => x === null)) return null;
  const columns = [...new Set(chosen.map((x) => x!.column))];
  const table = sql.raw(ENTITY_MODELS[recon.entity].table);
  const listedIds = (column: string) =>
    sql`ARRAY(SELECT unnest(c.ids) FROM file_repeat_candidate c WHERE c.file_id = ANY(${files}) AND c.column_name = ${column})`;
  const listedValue = chosen.map(
    (x) =>
      sql`src.${sql.raw(x!.working)} IN (SELECT t.${sql.raw(x!.column)} FROM ${table} t WHERE t.id = ANY(${listedIds(x!.column)}))`,
  );
  return sql<boolean>`(NOT (cardinality(${files}) = 1 AND (SELECT count(*) FROM file_repeat_candidate c
      WHERE c.file_id = ANY(${files}) AND c.column_name IN (${sql.join(columns)}) AND c.ids IS NOT NULL) = ${columns.length})
    OR ${sql.join(listedValue, sql` OR `)})`;
}

/**
 * SQL true for a trade (alias `alias`) that is an adjustment: one of ADJUSTMENT_TRADE_TYPES, with an
 * original trade number. The trade table's partial index of trades with an original number (migration
 * 0021) is implied by it, so a run finds the day's adjustments, usually none, without reading the day.
 */
export function isAdjustmentSql(alias: string): RawBuilder<boolean> {
  const a = sql.raw(alias);
  const types = sql.join(ADJUSTMENT_TRADE_TYPES.map((t) => sql`${t}::text`));
  return sql<boolean>`${a}.trade_type IN (${types}) AND ${a}.orig_trade_no IS NOT NULL`;
}

/**
 * The statements folding a side's adjustments (trades). An adjustment (ADJUSTMENT_TRADE_TYPES, with an
 * original trade number) folds into the trade of the side whose number it carries, in the same series
 * (a trade number is unique only within a series), unless the other side has a record of the date
 * with the adjustment's own number: that side booked it as a trade, so it is matched as one. A trade
 * with adjustments folding into it and those adjustments make a family (rx_member_<side>: record,
 * family's trade); a family gives one row per account it touches (rx_fold_<side>), with the net of
 * the buys less sells (a give-up's sell nets against the trade's buy; a transfer's legs move the
 * quantity between accounts). An account the family leaves flat (the giver after a full give-up, the
 * account a transfer empties) gives no row of its own: its records join the family's first row, so
 * every record is still in exactly one row and a break shows them all. A family flat everywhere keeps
 * one row of quantity 0 (in the original's account). A row's side and quantity are the net's sign and
 * size (a flat row: the original's side), its account the account's, every other field the original
 * trade's. The side is otherwise read in place (sideRows): only the few families are built.
 */
function foldStatements(l: Layout, side: Side): Statement[] {
  const { recon } = l;
  const other: Side = side === 'left' ? 'right' : 'left';
  const fields = l.sideFields[side];
  const c = (f: string) => l.column.get(f)!;
  const members = sql.raw(`rx_member_${side}`);
  const folded = sql.raw(`rx_fold_${side}`);
  // A folded row's working column: the net's sign and size, the account's, else the original's value.
  const foldedColumn = (f: string): RawBuilder<unknown> => {
    switch (f) {
      case 'quantity':
        return sql`abs(k.net)`;
      case 'signedQuantity':
        return sql`k.net`;
      case 'side':
        // A flat family keeps the original's side: its quantity 0 is the difference to show.
        return sql`CASE WHEN k.net > 0 THEN 'B' WHEN k.net < 0 THEN 'S' ELSE o.side END`;
      case 'account':
        return sql`k.account`;
      default:
        return sql.raw(`o.${c(f)}`);
    }
  };
  return [
    {
      label: `create ${side} family table`,
      query: sql`CREATE TEMP TABLE ${members} (id bigint NOT NULL, fam bigint NOT NULL) ON COMMIT DROP`,
    },
    {
      label: `${side} adjustments and the trades they fold into (${recon[side].source})`,
      // The adjustments are few: found by their type, then their originals by number and series.
      query: sql`INSERT INTO ${members} (id, fam)
        WITH cand AS MATERIALIZED (
          SELECT r.id, r.series AS f_series, r.trade_no AS f_no, r.orig_trade_no AS f_orig
          FROM ${sideRecords(l, side)} AND ${isAdjustmentSql('r')}),
        adj AS (
          SELECT c.id, min(r.id) AS fam FROM cand c, ${sideRecords(l, side)}
            AND r.series = c.f_series AND r.trade_no = c.f_orig AND r.id <> c.id
          GROUP BY c.id),
        kept AS (
          SELECT a.id, a.fam FROM adj a JOIN cand c ON c.id = a.id
          WHERE NOT EXISTS (SELECT 1 FROM ${sideRecords(l, other)} AND r.trade_no = c.f_no))
        SELECT DISTINCT ON (m.id) m.id, m.fam
        FROM (SELECT id, fam, 0 AS pref FROM kept UNION ALL SELECT DISTINCT fam, fam, 1 FROM kept) m
        ORDER BY m.id, m.pref`,
    },
    { label: `analyze ${side} family table`, query: sql`ANALYZE ${members}` },
    {
      label: `create ${side} folded rows table`,
      query: sql`CREATE TEMP TABLE ${folded} (${rowColumns(l, side)}) ON COMMIT DROP`,
    },
    {
      label: `fold ${side} families (${recon[side].source})`,
      query: sql`INSERT INTO ${folded} (rid, ids, ${sql.join(fields.map((f) => sql.raw(c(f))))})
        WITH src AS MATERIALIZED (
          SELECT m.fam, r.id, r.account AS f_account, r.side,
            CASE WHEN r.side = 'S' THEN -r.quantity ELSE r.quantity END AS f_net, ${fieldColumns(l, side)}
          FROM ${members} m JOIN trade r ON r.id = m.id${lookupJoin(recon)}),
        grp AS (
          SELECT s.fam, s.f_account AS account, sum(s.f_net) AS net, array_agg(s.id) AS ids,
            row_number() OVER (PARTITION BY s.fam ORDER BY sum(s.f_net) = 0, bool_or(s.id = s.fam) DESC, min(s.id)) AS rn
          FROM src s GROUP BY s.fam, s.f_account),
        k AS (
          SELECT g.fam, g.account, g.net, ARRAY(SELECT unnest(g.ids || CASE WHEN g.rn = 1 THEN coalesce(
              (SELECT array_agg(x) FROM grp z CROSS JOIN unnest(z.ids) x WHERE z.fam = g.fam AND z.rn > 1 AND z.net = 0),
              '{}') ELSE '{}' END) ORDER BY 1) AS ids
          FROM grp g WHERE g.rn = 1 OR g.net <> 0)
        SELECT k.ids[1], k.ids, ${sql.join(fields.map(foldedColumn))}
        FROM k JOIN src o ON o.id = k.fam`,
    },
    { label: `analyze ${side} folded rows`, query: sql`ANALYZE ${folded}` },
  ];
}

/**
 * The rows a pass reads on a side: the whole working table for pass 1, then the rows earlier passes
 * left open (rx_open_left / rx_open_right, rebuilt after each pass: a few rows after pass 1, so later
 * passes and the unpaired breaks never read the whole side again).
 */
function openTable(l: Layout, side: Side, passNo: number): RawBuilder<unknown> {
  return passNo === 1 ? sideRows(l, side) : sql.raw(`rx_open_${side}`);
}

/**
 * Whether the only rows of a pass's input that may share its key are the side's working table: for
 * an aggregated side read in place, on a key holding its grouping key fields, a record read where it
 * lies shares those fields with no record outside the rows set aside before aggregation (or it would
 * have been aggregated), so it shares the key with none.
 */
function duplicatesInWorkingTable(l: Layout, side: Side, passNo: number, keys: readonly string[]): boolean {
  const grouping = l.grouped[side];
  return passNo === 1 && grouping !== null && grouping.every((f) => keys.includes(f));
}

/**
 * A pass's key as a sort that numbers a side's rows by key compares it. Rows of one key only need to
 * end up together, so the fields go in the order most likely to tell two rows apart at the first
 * comparison: dates last (a run reads one business date, whose records nearly all share it), the
 * others from the rule's last, its narrowest (a trade number before its series), text bytewise (the
 * database's collation is deterministic: equal text is equal bytes, and bytes compare without it).
 * 100,000 Genium trades numbered by date, series and trade number: the sort 0.15 s on the server
 * in the key's order, 0.06 s in this one.
 */
function sortedKey(l: Layout, keys: readonly string[], alias: string): RawBuilder<unknown> {
  const dated = (f: string) => ['date', 'timestamp'].includes(def(l.recon, f).type);
  const order = [...keys.filter((f) => !dated(f)).reverse(), ...keys.filter(dated)];
  return sql.join(order.map((f) => bytewiseSql(l.recon, f, sql.raw(`${alias}.${l.column.get(f)!}`))));
}

/** True for a row of a pass's input that this pass has not set aside as a duplicate (nor before: pass 1). */
function notDuplicate(side: Side, alias: string): RawBuilder<boolean> {
  return sql<boolean>`NOT EXISTS (SELECT 1 FROM rx_dup d WHERE d.side = ${side}::text AND d.rid = ${sql.raw(alias)}.rid)`;
}

/** The compared fields that are compared at all (not `ignore`). */
function compared(l: Layout) {
  return l.recon.compare.filter((c) => c.comparator.ignores !== true);
}

/** Per compared field: SQL true when the pair agrees on it or the field does not apply (its `when`). */
function agreements(l: Layout): RawBuilder<boolean>[] {
  return compared(l).map((c) => {
    const agree = c.comparator.agree(col(l, 'left', c.field), col(l, 'right', c.field), c.options);
    const conds = (['left', 'right'] as const).flatMap((s) =>
      c.when[s].map((f) => filterSql(col(l, s, f.field), def(l.recon, f.field).type, f)),
    );
    const skip = conds.length === 0 ? sql`FALSE` : sql`NOT coalesce(${sql.join(conds, sql` AND `)}, FALSE)`;
    return sql<boolean>`(${skip} OR coalesce(${agree}, FALSE))`;
  });
}

/**
 * The layout of the rows a pass leaves open (rx_open_left / rx_open_right): a side's row layout and
 * the excess mark of a `repeats: pair` pass. A row beyond the other side's count of its key is the
 * excess: it stays open, so a later pass may still pair it (a repeat of a fill that is really a
 * differently booked one), and is reported as a duplicate only if none does. The mark keeps what the
 * first pass to find it in excess saw: that pass (xpass) and how many records with its key each side
 * held (xleft, xright).
 */
function openRowColumns(l: Layout, side: Side): RawBuilder<unknown> {
  return sql`${rowColumns(l, side)}, xpass smallint, xleft bigint, xright bigint`;
}

const MARKS = ['xpass', 'xleft', 'xright'] as const;

/**
 * One pass over what earlier passes left, on its key; a row with a blank key part sits it out. Rows
 * of a side sharing the key are treated as the pass's `repeats` says:
 *
 * - `duplicate`: rows beyond the first (by record id) are set aside as duplicates (rx_dup); the rest
 *   pair one to one;
 * - `pair`: the rows of each key are numbered on each side in record order, and the join pairs on the
 *   key and that number, n-to-n, in the same statement that pairs (no separate scan for duplicates).
 *   The rows left open of a key whose other side has fewer rows are its excess: each but a first one
 *   of a key the other side lacks altogether (an only_ break, as a lone record would be) is marked
 *   with the counts (openRowColumns).
 *
 * Each pair is marked ok when every compared field agrees. No working row is ever updated: state
 * lives in rx_pair / rx_block / rx_dup, and the rows the pass leaves open are copied to the next
 * pass's tables.
 */
function passStatements(l: Layout, passNo: number, pass: Pass): Statement[] {
  const { keys } = pass;
  const pair = pass.repeats === 'pair';
  // A pair pass reads no duplicates of its own; only the first pass may see duplicates set aside
  // before it (an aggregated side's repeated `unique` values).
  const checksDuplicates = !pair || passNo === 1;
  const out: Statement[] = [];
  // Fresh statistics of the duplicates set aside so far, so the anti-joins below plan as hash joins.
  if (checksDuplicates) out.push({ label: `pass ${passNo}: analyze`, query: sql`ANALYZE rx_dup` });
  const keyCols = (alias: string) => keys.map((k) => sql.raw(`${alias}.${l.column.get(k)!}`));
  const keyNotNull = (alias: string) =>
    sql.join(
      keyCols(alias).map((c) => sql`${c} IS NOT NULL`),
      sql` AND `,
    );
  // The first pass reads each side whole to pair it: a side's rows of a key are numbered in the
  // join's input (dn), the first pairs and the others are set aside as duplicates by the same
  // statement, instead of a statement reading the side once more to find them first (1,000,000 DCASS
  // trades: 1.0-1.2 s). A side whose duplicates can only be in its working table, and every side of
  // a later pass (the few rows left open), is searched by a statement of its own.
  // A side searched beforehand and found to repeat no key value (the usual case) is neither numbered
  // nor searched again: on 1,000,000 DCASS trades, an anti-join against the empty table of repeated
  // values still cost each record a probe (up to about 0.3 s of the pass on the server).
  const noneRepeated = (side: Side) => !pair && passNo === 1 && l.repeatedKeys[side] === 'none';
  const numbered = (side: Side) =>
    !pair && passNo === 1 && !duplicatesInWorkingTable(l, side, passNo, keys) && !noneRepeated(side);
  const anyNumbered = numbered('left') || numbered('right');
  // A row's number among its side's rows of the key, in record order; none for a blank key part.
  const keyNumber = (alias: string) =>
    sql`CASE WHEN ${keyNotNull(alias)} THEN row_number() OVER (PARTITION BY ${sortedKey(l, keys, alias)} ORDER BY ${sql.raw(alias)}.rid) END`;
  if (!pair) {
    for (const side of ['left', 'right'] as const) {
      if (numbered(side) || noneRepeated(side)) continue;
      const rows = duplicatesInWorkingTable(l, side, passNo, keys)
        ? sql.raw(TABLE[side])
        : openTable(l, side, passNo);
      out.push({
        label: `pass ${passNo}: ${side} duplicates`,
        query: sql`INSERT INTO rx_dup (side, rid, pass)
          SELECT ${side}::text, d.rid, ${passNo}::smallint
          FROM (SELECT w.rid, ${keyNumber('w')} AS rn
                FROM ${rows} w WHERE ${keyNotNull('w')} AND ${notDuplicate(side, 'w')}) d
          WHERE d.rn > 1`,
      });
    }
  }
  const sameKey = keys.map((k) => sql`${col(l, 'left', k)} = ${col(l, 'right', k)}`);
  // A numbered side's first row of a key has dk 1, its others none, so only first rows pair; an
  // equality of both sides (a side not numbered has dk 1 throughout), as a full join's hashing needs.
  const on = sql.join(
    pair ? [...sameKey, sql`l.rn = r.rn`] : anyNumbered ? [...sameKey, sql`l.dk = r.dk`] : sameKey,
    sql` AND `,
  );
  const agree = agreements(l);
  const ok = agree.length === 0 ? sql`TRUE` : sql.join(agree, sql` AND `);
  // Which of a side's rows may have been set aside as duplicates before this pass pairs. Before the
  // first pass, only an aggregated side's working rows (its unique rule's duplicates, and those its
  // working table holds): a side read in place has only those rows checked, not each of its records
  // (1,000,000 DCASS trades: an anti-join of 0.1 s on the server for none), a side not aggregated none.
  const setAside = (side: Side): 'none' | 'working rows' | 'rows' => {
    if (!checksDuplicates || (passNo === 1 && l.recon.aggregate?.side !== side)) return 'none';
    return passNo === 1 && l.inPlace[side] ? 'working rows' : 'rows';
  };
  const candidates = (side: Side) => {
    const where = setAside(side) === 'rows' ? sql` WHERE ${notDuplicate(side, 'w')}` : sql``;
    const rn = pair ? sql`, ${keyNumber('w')} AS rn` : sql``;
    const table =
      setAside(side) === 'working rows'
        ? sideRows(l, side, undefined, notDuplicate(side, 'f'))
        : openTable(l, side, passNo);
    if (numbered(side) && l.repeatedKeys[side] === 'some') {
      // Only the records of key values several share are numbered (a sort of those alone); every
      // other record is the first and only one of its key. (A side found to repeat none is not
      // numbered at all: noneRepeated.)
      const rows = setAside(side) === 'rows' ? sql`(SELECT w.* FROM ${table} w${where})` : table;
      const keysTable = sql.raw(`rx_keys_${side}`);
      const same = sql.join(
        keyCols('k').map((k, i) => sql`${k} = ${keyCols('w')[i]}`),
        sql` AND `,
      );
      return sql`(SELECT n.*, CASE WHEN n.dn = 1 THEN 1 END AS dk FROM (
          SELECT w.*, CASE WHEN ${keyNotNull('w')} THEN 1::bigint END AS dn FROM ${rows} w
          WHERE NOT EXISTS (SELECT 1 FROM ${keysTable} k WHERE ${same})
          UNION ALL SELECT w.*, ${keyNumber('w')} AS dn FROM ${rows} w JOIN ${keysTable} k ON ${same}) n) ${sql.raw(ALIAS[side])}`;
    }
    if (numbered(side))
      return sql`(SELECT n.*, CASE WHEN n.dn = 1 THEN 1 END AS dk FROM (SELECT w.*, ${keyNumber('w')} AS dn
        FROM ${table} w${where}) n) ${sql.raw(ALIAS[side])}`;
    const dk = anyNumbered ? sql`, 1 AS dk` : sql``;
    return sql`(SELECT w.*${rn}${dk} FROM ${table} w${where}) ${sql.raw(ALIAS[side])}`;
  };
  // A side's working columns, by name in its table and as the full join below carries them for a
  // row left open (null on a pair's row: one field list per row, never a whole-row value, whose
  // building for every row of both sides cost more than the join saved). Rows left open by an
  // earlier pass carry their excess mark; a pair pass's rows their number.
  // The first pass (one row a key) leaves a few rows open of a side read in place: they are read
  // again by record id (its table's key) once the join is done, instead of the join carrying every
  // working column of every row of the side, a pair's as nulls (1,000,000 x 1,000,000 trades: about
  // twenty CASE expressions a row, and a materialized join as wide).
  const fetched = (side: Side) => passNo === 1 && !pair && l.inPlace[side];
  const openColumns = (side: Side) => [
    ...(fetched(side) ? [] : l.sideFields[side].map((f) => l.column.get(f)!)),
    ...(passNo > 1 ? MARKS : []),
    ...(pair ? ['rn'] : []),
    ...(numbered(side) ? ['dn'] : []),
  ];
  const carried = (side: Side) => {
    const other = sql.raw(`${ALIAS[side === 'left' ? 'right' : 'left']}.rid`);
    return openColumns(side).map(
      (c) =>
        sql`CASE WHEN ${other} IS NULL THEN ${sql.raw(`${ALIAS[side]}.${c}`)} END AS ${sql.raw(`${side}_${c}`)}`,
    );
  };
  const keepOpen = (side: Side) => {
    const [rid, ids, other] = side === 'left' ? ['lrid', 'lids', 'rrid'] : ['rrid', 'rids', 'lrid'];
    const names = l.sideFields[side].map((f) => l.column.get(f)!);
    // A numbered side's rows beyond the first of a key are its duplicates, not open.
    const first = numbered(side) ? sql` AND coalesce(${sql.raw(`o.${side}_dn`)}, 1) = 1` : sql``;
    if (fetched(side)) {
      const open = sql`ARRAY(SELECT o.${sql.raw(rid)} FROM j o WHERE o.${sql.raw(other)} IS NULL${first})`;
      return sql`INSERT INTO ${sql.raw(`rx_next_${side}`)} (rid, ids, ${sql.raw(names.join(', '))})
        SELECT w.rid, ${rowIds('w.ids', 'w.rid')}, ${sql.raw(names.map((n) => `w.${n}`).join(', '))}
        FROM ${sideRows(l, side, open)} w`;
    }
    const o = (c: string) => sql.raw(`o.${side}_${c}`);
    const values = [sql.raw(`o.${rid}`), rowIds(`o.${ids}`, `o.${rid}`), ...names.map(o)];
    const targets = ['rid', 'ids', ...names];
    let window = sql``;
    if (pair) {
      // The open rows of a key on this side are its numbers beyond the other side's count, up to
      // its own: the other side's count is the lowest number open less one, its own the highest.
      // A row numbered beyond 1 is open only where the other side has fewer rows of the key. A
      // mark from an earlier pass stands.
      const excess = sql`${o('rn')} > 1`;
      const mark = (fresh: RawBuilder<unknown>, kept: string) =>
        passNo > 1
          ? sql`CASE WHEN ${o('xpass')} IS NOT NULL THEN ${o(kept)} WHEN ${excess} THEN ${fresh} END`
          : sql`CASE WHEN ${excess} THEN ${fresh} END`;
      const own = sql`max(${o('rn')}) OVER w`;
      const others = sql`min(${o('rn')}) OVER w - 1`;
      const [leftCount, rightCount] = side === 'left' ? [own, others] : [others, own];
      values.push(
        mark(sql`${passNo}::smallint`, 'xpass'),
        mark(leftCount, 'xleft'),
        mark(rightCount, 'xright'),
      );
      targets.push(...MARKS);
      window = sql` WINDOW w AS (PARTITION BY ${sql.join(keys.map((k) => o(l.column.get(k)!)))})`;
    } else if (passNo > 1) {
      values.push(...MARKS.map(o));
      targets.push(...MARKS);
    }
    return sql`INSERT INTO ${sql.raw(`rx_next_${side}`)} (${sql.raw(targets.join(', '))})
      SELECT ${sql.join(values)} FROM j o WHERE o.${sql.raw(other)} IS NULL${first}${window}`;
  };
  const keepDuplicates = (side: Side) => {
    const [rid, other] = side === 'left' ? ['lrid', 'rrid'] : ['rrid', 'lrid'];
    return sql`${sql.raw(`${side}_dups`)} AS (INSERT INTO rx_dup (side, rid, pass)
      SELECT ${side}::text, o.${sql.raw(rid)}, ${passNo}::smallint FROM j o
      WHERE o.${sql.raw(other)} IS NULL AND ${sql.raw(`o.${side}_dn`)} > 1),`;
  };
  for (const side of ['left', 'right'] as const)
    out.push({
      label: `pass ${passNo}: ${side} rows left open`,
      query: sql`CREATE TEMP TABLE ${sql.raw(`rx_next_${side}`)} (${openRowColumns(l, side)}) ON COMMIT DROP`,
    });
  // One full join of the two sides gives the pairs and the rows left open (a row with no partner:
  // its key has none on the other side, or a blank part), so no side is read again to find them.
  out.push({
    label: `pass ${passNo}: pairs and rows left open`,
    query: sql`WITH j AS MATERIALIZED (
        SELECT ${sql.join([sql`l.rid AS lrid, r.rid AS rrid, l.ids AS lids, r.ids AS rids, ${ok} AS ok`, ...carried('left'), ...carried('right')])}
        FROM ${candidates('left')} FULL JOIN ${candidates('right')} ON ${on}),
      pairs AS (
        INSERT INTO rx_pair (pass, lrid, rrid, lids, rids, ok)
        SELECT ${passNo}::smallint, j.lrid, j.rrid, j.lids, j.rids, j.ok FROM j
        WHERE j.lrid IS NOT NULL AND j.rrid IS NOT NULL AND NOT ${blockPair('j')}),
      blocks AS (${blockStatement(passNo)}),
      ${sql.join((['left', 'right'] as const).filter(numbered).map(keepDuplicates), sql` `)}
      left_open AS (${keepOpen('left')})
      ${keepOpen('right')}`,
  });
  // Statistics of the first pass's pairs kept row by row (its mismatches, most of them) plan the
  // joins that read them.
  if (passNo === 1) out.push({ label: `pass ${passNo}: analyze pairs`, query: sql`ANALYZE rx_pair` });
  for (const side of ['left', 'right'] as const)
    out.push(
      {
        label: `pass ${passNo}: drop ${side} rows open before`,
        query: sql`DROP TABLE IF EXISTS ${sql.raw(`rx_open_${side}`)}`,
      },
      {
        label: `pass ${passNo}: keep ${side} rows left open`,
        query: sql`ALTER TABLE ${sql.raw(`rx_next_${side}`)} RENAME TO ${sql.raw(`rx_open_${side}`)}`,
      },
      {
        label: `pass ${passNo}: analyze ${side} rows left open`,
        query: sql`ANALYZE ${sql.raw(`rx_open_${side}`)}`,
      },
    );
  return out;
}

/** The field differences of a pair, as a JSON list in the rule's compare order. */
function diffsSql(l: Layout): RawBuilder<unknown> {
  const agree = agreements(l);
  const rows = compared(l).map(
    (c, i) => sql`(${i}, CASE WHEN ${agree[i]!} THEN NULL ELSE jsonb_build_object(
      'field', ${c.field}::text, 'left', ${colText(l, 'left', c.field)}, 'right', ${colText(l, 'right', c.field)},
      'comparator', ${c.comparator.label(c.options)}::text) END)`,
  );
  if (rows.length === 0) return sql`'[]'::jsonb`;
  return sql`(SELECT coalesce(jsonb_agg(d.x ORDER BY d.o), '[]'::jsonb) FROM (VALUES ${sql.join(rows)}) AS d(o, x) WHERE d.x IS NOT NULL)`;
}

/** `jsonb_build_object('account', l.c0, ...)`: a break's key, from one side's working columns. */
function keySql(l: Layout, side: Side, keys: readonly string[]): RawBuilder<unknown> {
  return sql`jsonb_build_object(${sql.join(keys.map((k) => sql`${k}::text, ${colText(l, side, k)}`))})`;
}

/** Status, reason and rule name from the first explain rule whose conditions hold. */
function explainSql(l: Layout, kind: BreakKind, sides: readonly Side[]): RawBuilder<unknown> {
  const applicable = l.recon.explain.filter(
    (e: ExplainRule) =>
      e.kinds.includes(kind) &&
      (['left', 'right'] as const).every((s) => sides.includes(s) || e[s].length === 0),
  );
  if (applicable.length === 0)
    return sql`'open'::text AS status, NULL::text AS reason, NULL::text AS explained_by`;
  const conds = applicable.map((e) => {
    const parts = (['left', 'right'] as const).flatMap((s) =>
      e[s].map((f) => filterSql(col(l, s, f.field), def(l.recon, f.field).type, f)),
    );
    return parts.length === 0 ? sql`TRUE` : sql.join(parts, sql` AND `);
  });
  const caseOf = (value: (e: ExplainRule) => string, otherwise: RawBuilder<unknown>) =>
    sql`CASE ${sql.join(
      applicable.map((e, i) => sql`WHEN ${conds[i]!} THEN ${value(e)}::text`),
      sql` `,
    )} ELSE ${otherwise} END`;
  return sql`${caseOf(() => 'explained', sql`'open'`)} AS status, ${caseOf((e) => e.reason, sql`NULL`)} AS reason,
    ${caseOf((e) => `rule:${e.name}`, sql`NULL`)} AS explained_by`;
}

/**
 * The content of a break's records as compared: every working value of each side it has (record ids
 * left out), as one JSON array hashed, so an identical record in a reloaded file gives the same
 * content and any changed value another.
 */
function contentSql(l: Layout, sides: readonly Side[]): RawBuilder<string> {
  const sideObject = (side: Side) =>
    sides.includes(side)
      ? sql`jsonb_build_object(${sql.join(l.sideFields[side].map((f) => sql`${f}::text, ${colText(l, side, f)}`))})`
      : sql`NULL::jsonb`;
  return sql<string>`encode(sha256(convert_to(jsonb_build_array(${sideObject('left')}, ${sideObject('right')})::text, 'UTF8')), 'hex')`;
}

/**
 * The key a keyless trade break is stored and shown with: its blank parts dropped and the BOS
 * references of its records added (`ref=BT190510-0011; clearingDate=2019-05-10`), so that six BOS
 * trades without an exchange number on one day read as six different breaks. Only what people see:
 * the fingerprint is built from the rule's key (insertBreaks). Positions carry no reference. A spread's
 * near leg on an expanded side carries its record's id negated (expand-spreads.ts): its booking's
 * reference is found by the absolute id.
 */
function keylessKeySql(l: Layout): RawBuilder<unknown> {
  if (l.recon.entity !== 'trades') return sql`b.key`;
  return sql`coalesce(jsonb_strip_nulls(b.key) || (SELECT jsonb_build_object('ref', string_agg(DISTINCT t.ref, ' | '))
      FROM trade t WHERE t.id IN (SELECT abs(x) FROM unnest(b.left_ids || b.right_ids) x) HAVING count(t.ref) > 0), b.key)`;
}

/**
 * The run's working table of breaks, created once per run and kept across its reconciliations: what
 * each reconciliation found, linked to its register case by the carry step, stored when the run
 * completes (breaks.ts storeBreaksStatement). A fingerprint is found once per run.
 */
export function breakTableStatement(): Statement {
  return {
    label: 'create break table',
    query: sql`CREATE TEMP TABLE rx_break (
        id bigserial PRIMARY KEY,
        recon text NOT NULL,
        entity text NOT NULL,
        kind text NOT NULL,
        pass smallint,
        key jsonb NOT NULL,
        fields jsonb NOT NULL,
        left_ids bigint[] NOT NULL,
        right_ids bigint[] NOT NULL,
        status text NOT NULL,
        reason text,
        explained_by text,
        fingerprint text NOT NULL UNIQUE,
        content text,
        case_id bigint,
        -- A one-sided break's working values, by field: what the three-way view matches a record one
        -- source lacks across reconciliations with (triangulate.ts). Not stored.
        side_values jsonb,
        -- The three-way view (triangulate.ts), stored with the run's sighting of the break.
        triangulation text,
        CHECK (kind <> 'mismatch' OR jsonb_array_length(fields) > 0)
      ) ON COMMIT DROP`,
  };
}

/**
 * INSERT of breaks of one kind from a SELECT yielding pass, key, fields, left_ids, right_ids, status,
 * reason, explained_by, content. The fingerprint (what makes it the same break from run to run) is
 * the reconciliation, the kind and the key; a key with a blank part (a BOS trade without an exchange
 * trade number) names no record by itself, so its records' content is added. Breaks that still share
 * all of that are told apart by their place in content order, never by their place among stored rows:
 * the same records give the same fingerprints whatever file or order they arrive in. The key stored
 * is the rule's key, except for a keyless trade break (keylessKeySql).
 */
function insertBreaks(
  l: Layout,
  kind: BreakKind,
  label: string,
  select: RawBuilder<unknown>,
  sideValues = false,
): Statement {
  const recon = l.recon.name;
  return {
    label,
    query: sql`INSERT INTO rx_break (recon, entity, kind, pass, key, fields, left_ids, right_ids,
        status, reason, explained_by, fingerprint, content, side_values)
      SELECT ${recon}::text, ${l.recon.entity}::text, ${kind}::text, b.pass,
        CASE WHEN b.keyless THEN ${keylessKeySql(l)} ELSE b.key END, b.fields,
        b.left_ids, b.right_ids, b.status, b.reason, b.explained_by,
        encode(sha256(convert_to(concat_ws(chr(31), ${recon}::text, ${kind}::text, b.key::text,
          CASE WHEN b.keyless THEN b.content END,
          (row_number() OVER (PARTITION BY b.key, CASE WHEN b.keyless THEN b.content END
                              ORDER BY b.content, b.left_ids, b.right_ids))::text), 'UTF8')), 'hex'),
        b.content, ${sideValues ? sql`b.side_values` : sql`NULL::jsonb`}
      FROM (SELECT s.*, EXISTS (SELECT 1 FROM jsonb_each(s.key) k WHERE k.value = 'null'::jsonb) AS keyless
            FROM (${select}) s) b`,
  };
}

/**
 * The record ids of a side's row (alias `l` or `r`). A row read in place is one record, whose id is
 * its rid: its ids are left null rather than built for every record of the side (a million arrays a
 * side carried through the pairing cost 0.3-0.5 s on the server); working tables hold them.
 */
function rowIds(ids: string, rid: string): RawBuilder<unknown> {
  return sql.raw(`coalesce(${ids}, ARRAY[${rid}])`);
}

/** The left_ids / right_ids columns of a one-sided break. */
function sideIds(side: Side): RawBuilder<unknown> {
  return side === 'left'
    ? sql`${rowIds('l.ids', 'l.rid')} AS left_ids, '{}'::bigint[] AS right_ids`
    : sql`'{}'::bigint[] AS left_ids, ${rowIds('r.ids', 'r.rid')} AS right_ids`;
}

function breakStatements(l: Layout): Statement[] {
  const out: Statement[] = [];
  const { recon } = l;
  recon.passes.forEach((p, i) => {
    const passNo = i + 1;
    // The rows of the pass's mismatched pairs on a side (a side read in place: fetched by record id).
    // The pairs are read once (mm), not once for each side's ids and again for the join: a million
    // pairs a scan (0.06-0.12 s on the server, about twice that embedded).
    const mismatched = (side: Side) =>
      sideRows(l, side, sql`ARRAY(SELECT x.${sql.raw(side === 'left' ? 'lrid' : 'rrid')} FROM mm x)`);
    out.push(
      insertBreaks(
        l,
        'mismatch',
        `pass ${passNo}: mismatches`,
        sql`WITH mm AS MATERIALIZED (SELECT * FROM rx_pair x WHERE x.pass = ${passNo}::smallint AND NOT x.ok)
          SELECT m.pass, ${keySql(l, 'left', p.keys)} AS key, ${diffsSql(l)} AS fields, ${rowIds('l.ids', 'l.rid')} AS left_ids, ${rowIds('r.ids', 'r.rid')} AS right_ids,
            ${explainSql(l, 'mismatch', ['left', 'right'])}, ${contentSql(l, ['left', 'right'])} AS content
          FROM mm m JOIN ${mismatched('left')} l ON l.rid = m.lrid JOIN ${mismatched('right')} r ON r.rid = m.rrid`,
      ),
    );
    for (const side of ['left', 'right'] as const) {
      const kind: BreakKind = side === 'left' ? 'duplicate_left' : 'duplicate_right';
      if (p.repeats === 'pair') {
        // The excess this pass marked that no later pass paired, each row a break stating how many
        // records with the key each side held.
        const a = sql.raw(ALIAS[side]);
        out.push(
          insertBreaks(
            l,
            kind,
            `pass ${passNo}: ${kind} (excess)`,
            sql`SELECT ${a}.xpass AS pass, ${keySql(l, side, p.keys)} AS key,
                jsonb_build_array(jsonb_build_object('field', ${REPEAT_COUNT_FIELD}::text, 'left', ${a}.xleft::text,
                  'right', ${a}.xright::text, 'comparator', ${REPEAT_COUNT_COMPARATOR}::text)) AS fields, ${sideIds(side)},
                ${explainSql(l, kind, [side])}, ${contentSql(l, [side])} AS content
              FROM ${sql.raw(`rx_open_${side}`)} ${a} WHERE ${a}.xpass = ${passNo}::smallint`,
          ),
        );
        continue;
      }
      out.push(
        insertBreaks(
          l,
          kind,
          `pass ${passNo}: ${kind}`,
          sql`SELECT ${passNo}::smallint AS pass, ${keySql(l, side, p.keys)} AS key, '[]'::jsonb AS fields, ${sideIds(side)},
              ${explainSql(l, kind, [side])}, ${contentSql(l, [side])} AS content
            FROM rx_dup d JOIN ${sideRows(l, side, sql`ARRAY(SELECT x.rid FROM rx_dup x WHERE x.side = ${side}::text AND x.pass = ${passNo}::smallint)`)} ${sql.raw(ALIAS[side])} ON ${sql.raw(ALIAS[side])}.rid = d.rid
            WHERE d.side = ${side}::text AND d.pass = ${passNo}::smallint`,
        ),
      );
    }
  });
  const agg = recon.aggregate;
  if (agg !== null && agg.unique.length > 0) {
    const side = agg.side;
    const kind: BreakKind = side === 'left' ? 'duplicate_left' : 'duplicate_right';
    const a = sql.raw(ALIAS[side]);
    out.push(
      insertBreaks(
        l,
        kind,
        `${kind} before aggregation`,
        sql`SELECT NULL::smallint AS pass, ${keySql(l, side, agg.unique)} AS key, '[]'::jsonb AS fields, ${sideIds(side)},
            ${explainSql(l, kind, [side])}, ${contentSql(l, [side])} AS content
          FROM rx_dup d JOIN ${sql.raw(TABLE[side])} ${a} ON ${a}.rid = d.rid WHERE d.side = ${side}::text AND d.pass IS NULL`,
      ),
    );
  }
  // Unpaired records carry the identity of the first pass (the rule's primary key) as their key; the
  // excess of a pair pass is a duplicate above.
  const identity = recon.passes[0]!.keys;
  for (const side of ['left', 'right'] as const) {
    const kind: BreakKind = side === 'left' ? 'only_left' : 'only_right';
    out.push(
      insertBreaks(
        l,
        kind,
        kind,
        sql`SELECT NULL::smallint AS pass, ${keySql(l, side, identity)} AS key, '[]'::jsonb AS fields, ${sideIds(side)},
            ${explainSql(l, kind, [side])}, ${contentSql(l, [side])} AS content,
            ${keySql(l, side, l.sideFields[side])} AS side_values
          FROM rx_open_${sql.raw(side)} ${sql.raw(ALIAS[side])} WHERE ${sql.raw(ALIAS[side])}.xpass IS NULL`,
        true,
      ),
    );
  }
  // Fresh statistics for the carry step's joins on it.
  out.push({ label: 'analyze breaks', query: sql`ANALYZE rx_break` });
  return out;
}

/**
 * Pairs of one record each are stored in blocks of the pass's pairs whose left ids fall in one range
 * this wide (about as many pairs when a side's ids are dense, as a loaded file's are).
 */
const MATCH_BLOCK_IDS = 10000;

/**
 * Whether a pair (of the row aliased `alias`) is clean and pairs one record with one record: a pair
 * that goes into a block (rx_block), where every other pair is kept a row (rx_pair).
 */
const blockPair = (alias: string): RawBuilder<unknown> =>
  sql.raw(
    `(${alias}.ok AND coalesce(cardinality(${alias}.lids), 1) = 1 AND coalesce(cardinality(${alias}.rids), 1) = 1)`,
  );

/**
 * A pass's clean pairs of one record each, as the blocks the match set stores them in (rx_block),
 * grouped from the pass's join (j) in the statement that pairs: kept as a row each in rx_pair, the
 * first pass's million pairs were stored once to be read back, sorted and grouped by the next
 * statement (1,000,000 x 1,000,000 trades: about 0.6 s to store them and 0.3 s to read them twice
 * on the server). Each block holds its pairs in left-id order.
 */
function blockStatement(passNo: number): RawBuilder<unknown> {
  return sql`INSERT INTO rx_block (pass, first, lids, rids, n)
        SELECT ${passNo}::smallint, min(j.lrid), array_agg(j.lrid ORDER BY j.lrid), array_agg(j.rrid ORDER BY j.lrid), count(*)
        FROM j WHERE j.lrid IS NOT NULL AND j.rrid IS NOT NULL AND ${blockPair('j')}
        GROUP BY j.lrid / ${MATCH_BLOCK_IDS}::bigint`;
}

/**
 * The clean pairs as the reconciliation's match set of the run (run_match), stored once per distinct
 * set. The set is stored in units: its pairs of one record each in blocks (a match_block row per pass
 * and range of MATCH_BLOCK_IDS left ids, its pairs in left-id order: rx_block, see blockStatement),
 * each other clean pair as a match_pair row (the clean pairs rx_pair holds). Its sha256 (formula 2,
 * migration 0020) is taken over the sha256 of each unit's text (`pass:left ids=right ids`, the arrays
 * as PostgreSQL writes them) in the order of the units' first left ids: a record is in one pair at
 * most, so that order is total, and the units follow from the pairs alone. No text of the whole set
 * is built: a million pairs' was about 25 MB of memory held for one hash. A set already stored (a
 * re-run on the same inputs) is referred to, not stored again; a new one is stored whole, so the
 * run's pairs and breaks still hold each of its records exactly once.
 */
function matchStatement(l: Layout, ctx: CompileContext): Statement {
  const recon = sql`${l.recon.name}::text`;
  return {
    label: 'record matches',
    query: sql`WITH u AS MATERIALIZED (
        SELECT b.pass, b.first, b.lids, b.rids, TRUE AS block, b.n FROM rx_block b
        UNION ALL
        SELECT m.pass, m.lrid, ${rowIds('m.lids', 'm.lrid')}, ${rowIds('m.rids', 'm.rrid')}, FALSE, 1
        FROM rx_pair m WHERE m.ok),
      h AS (
        SELECT encode(sha256(coalesce(string_agg(
            sha256(convert_to(u.pass::text || ':' || u.lids::text || '=' || u.rids::text, 'UTF8')), ''::bytea
          ORDER BY u.first), ''::bytea)), 'hex') AS sha256, coalesce(sum(u.n), 0)::bigint AS n
        FROM u),
      created AS (
        INSERT INTO match_set (recon, sha256, pairs, formula) SELECT ${recon}, h.sha256, h.n, 2 FROM h
        ON CONFLICT (recon, sha256) DO NOTHING RETURNING id),
      stored AS (
        INSERT INTO match_pair (set_id, pass, left_ids, right_ids)
        SELECT c.id, u.pass, u.lids, u.rids FROM created c CROSS JOIN u WHERE NOT u.block ORDER BY u.first),
      blocks AS (
        INSERT INTO match_block (set_id, pass, left_ids, right_ids)
        SELECT c.id, u.pass, u.lids, u.rids FROM created c CROSS JOIN u WHERE u.block ORDER BY u.first)
      INSERT INTO run_match (run_id, recon, set_id)
      SELECT ${ctx.runId}::bigint, ${recon}, coalesce((SELECT id FROM created),
        (SELECT s.id FROM match_set s JOIN h ON s.recon = ${recon} AND s.sha256 = h.sha256))`,
  };
}

/**
 * A reconciliation's statements in two steps: those loading its working tables, then those matching
 * and finding its breaks, built once the loads ran and it is known which sides read in place have
 * working rows standing in for some of their records (Layout.standIns): the tables to look in are
 * `standInTables`, each empty or not.
 */
export interface CompiledReconciliation {
  /** The working tables created, and the expanded sides' legs built (EXPANDED_TABLE). */
  readonly prepare: readonly Statement[];
  /** Per expanded side: the table of its legs, which tells Known.legs. */
  readonly legTables: readonly { readonly side: Side; readonly table: string }[];
  /**
   * The working tables filled, once it is known which sides have legs; an aggregated side's shared
   * values left to its SharedValuesProbe when `sharedAlongside` names it.
   */
  load(legs: Known['legs'], sharedAlongside?: Side | null): Statement[];
  /** The search for an aggregated side's shared values on a second connection, or null where none can read it. */
  sharedValuesProbe(legs: Known['legs']): SharedValuesProbe | null;
  /** Per side read in place that may have stand-ins: the table of the records they stand for. */
  readonly standInTables: readonly { readonly side: Side; readonly table: string }[];
  /** The sides whose repeated key values may be searched for on a second connection. */
  readonly repeatedKeys: readonly RepeatedKeySearch[];
  /**
   * The matching statements, once the working tables are loaded and all of Known is: which sides have
   * legs, whether any working row stands in for a side's records, what a search found of a side's
   * repeated key values ('some': stored by RepeatedKeySearch.store), which only a side without
   * stand-ins may use: the passes, then the statements storing the matches and finding the breaks.
   */
  matching(known: Known): { readonly passes: Statement[]; readonly after: Statement[] };
}

/**
 * An aggregated side's shared values (the unique rule's, the first pass's key fields it groups) are
 * nearly always none, and searching for them is the run's most expensive statement but the pairing
 * (1,000,000 BOS trades: 1.1-1.4 s on the server). Where a second connection can read the side alone
 * (its records where they lie, no legs, no lookups), the search asks it only whether there are any,
 * in the run's snapshot, while the run's own connection goes on as if there were none: it loads
 * without them and runs the passes; if the answer is yes (or the question could not be asked), the
 * run goes back to before the loads and takes the long way. So the pairing and the search use the
 * server's two cores at once.
 */
export interface SharedValuesProbe {
  readonly side: Side;
  /**
   * On the second connection: whether any value of either set is shared by several records of the
   * side's files (CompileContext.sideFiles).
   */
  probe(files: readonly string[]): RawBuilder<{ found: boolean }>;
}

/**
 * The first pass numbers a side's records of each key value, in record order, to pair the first and
 * set the others aside as duplicates: a sort of the whole side (1,000,000 DCASS trades: about 1 s of
 * the server's run), nearly always to find no value repeated. So the values several records share
 * are searched for beforehand, and the pass numbers only the records of those values: on a server on
 * a second connection, in the run's snapshot, while the run's own connection aggregates the other side
 * (its most expensive statement but the pairing); on the embedded database (one connection) before
 * the working tables are built. Only for a side whose records are all read where they lie, by fields
 * without lookups: the search reads the entity table by the side's files alone (a second connection
 * sees none of the run's working tables).
 */
export interface RepeatedKeySearch {
  readonly side: Side;
  /**
   * On the second connection (or the run's, first): up to `most` key values several records of the
   * side's files (CompileContext.sideFiles) share, as text.
   */
  search(files: readonly string[], most: number): RawBuilder<Record<string, string>>;
  /** On the run's connection: the table the pass reads, filled with what the search found (its rows as JSON). */
  store(rows: string): Statement[];
}

export function compileReconciliation(recon: Reconciliation, ctx: CompileContext): CompiledReconciliation {
  const l = layout(recon, ctx);
  return {
    prepare: prepareStatements(l),
    legTables: (['left', 'right'] as const).flatMap((side) =>
      recon[side].expand === null ? [] : [{ side, table: EXPANDED_TABLE[side] }],
    ),
    load: (legs, sharedAlongside = null) => loadStatements(layout(recon, ctx, { legs }), sharedAlongside),
    sharedValuesProbe(legs) {
      const withLegs = layout(recon, ctx, { legs });
      for (const side of ['left', 'right'] as const) {
        const probe = sharedValuesProbe(withLegs, side);
        if (probe !== null) return probe;
      }
      return null;
    },
    standInTables: (['left', 'right'] as const).flatMap((side) => {
      const s = standInsOf(l, side);
      return s === null ? [] : [{ side, table: s.members }];
    }),
    repeatedKeys: (['left', 'right'] as const).flatMap((side) => {
      const search = repeatedKeySearch(l, side);
      return search === null ? [] : [search];
    }),
    matching(known) {
      // Stand-ins (families folded) have keys of their own, which the search did not see.
      const usable = (side: Side): RepeatedKeys =>
        known.standIns[side] ? 'unknown' : known.repeatedKeys[side];
      const m = layout(recon, ctx, {
        ...known,
        repeatedKeys: { left: usable('left'), right: usable('right') },
      });
      return {
        passes: m.recon.passes.flatMap((p, i) => passStatements(m, i + 1, p)),
        after: [matchStatement(m, ctx), ...breakStatements(m)],
      };
    },
  };
}

/** A side's SharedValuesProbe, or null where the side has none to search or a second connection cannot read it. */
function sharedValuesProbe(l: Layout, side: Side): SharedValuesProbe | null {
  const { recon } = l;
  const spec = recon[side];
  const sets = sharedValueSets(l, side);
  if (sets === null || !l.inPlace[side] || spec.rollForward || recon.fold?.side === side) return null;
  // Legs live in a temporary table of the run's connection.
  if (spec.expand !== null && l.legs[side]) return null;
  const read = [...sets.unique, ...sets.grouping, ...spec.filters.map((f) => f.field)];
  if (read.some((f) => def(recon, f).lookup !== undefined)) return null;
  const c = (f: string) => sql.raw(l.column.get(f)!);
  const notBlank = (fs: readonly string[]) =>
    sql.join(
      fs.map((f) => sql`g.${c(f)} IS NOT NULL`),
      sql` AND `,
    );
  const columns = [...sets.unique, ...sets.grouping].map(
    (f) => sql`${sql.raw(def(recon, f).sql)} AS ${c(f)}`,
  );
  const relation = expandedSideRelation(l, side) ?? sideRelation(recon, side, l.ctx);
  return {
    side,
    probe: (files) =>
      sql`WITH src AS NOT MATERIALIZED (SELECT r.id, ${sql.join(columns)} FROM ${relation}
          WHERE r.file_id = ANY(${files}::bigint[]) AND ${recordWhere(recon, side, l.ctx)}),
        ${sharedValuesGroups(l, side, sql`${files}::bigint[]`)}
        SELECT EXISTS (SELECT 1 FROM g WHERE (g.by_unique AND ${notBlank(sets.unique)})
          OR (NOT g.by_unique AND ${notBlank(sets.grouping)})) AS found`,
  };
}

/** The search for a side's repeated first-pass key values, or null where the pass does not number the side or the search cannot read it. */
function repeatedKeySearch(l: Layout, side: Side): RepeatedKeySearch | null {
  const { recon } = l;
  const first = recon.passes[0];
  if (first === undefined || first.repeats === 'pair') return null;
  const spec = recon[side];
  const keys = first.keys;
  const readable =
    l.inPlace[side] &&
    !spec.rollForward &&
    spec.expand === null &&
    recon.aggregate?.side !== side &&
    !duplicatesInWorkingTable(l, side, 1, keys) &&
    [...keys, ...spec.filters.map((f) => f.field)].every((f) => def(recon, f).lookup === undefined);
  if (!readable) return null;
  const table = sql.raw(`rx_keys_${side}`);
  const value = (f: string) => sql.raw(`(${def(recon, f).sql})`);
  const bytewise = (f: string) => bytewiseSql(recon, f, value(f));
  const sieved = sievedField(recon, keys);
  return {
    side,
    search: (files, most) => {
      const from = sql`SELECT ${sql.join(keys.map((f) => sql`(${bytewise(f)})::text AS ${sql.raw(l.column.get(f)!)}`))}
        FROM ${sideRelation(recon, side, l.ctx)}
        WHERE r.file_id = ANY(${files}::bigint[]) AND ${recordWhere(recon, side, l.ctx)}
          AND ${sql.join(
            keys.map((f) => sql`${value(f)} IS NOT NULL`),
            sql` AND `,
          )}`;
      const grouped = sql.join(keys.map(bytewise));
      const whole = sql<
        Record<string, string>
      >`${from} GROUP BY ${grouped} HAVING count(*) > 1 LIMIT ${most}`;
      if (sieved === null || files.length !== 1) return whole;
      // A side of one file whose load listed its possible repeats of a key field: a key value several
      // records share is held by a listed record (every record repeating an earlier one's value is
      // listed), so only the records holding a listed record's value of that field are grouped, not
      // the whole side. The list holds a few values that repeat nothing (the load's filter is
      // probabilistic): grouped, they are held once and found unrepeated, so the side is not numbered
      // for them. Unlisted (loaded before the lists, or too many), the side is grouped whole.
      const listed = sql`(SELECT c.ids FROM file_repeat_candidate c
        WHERE c.file_id = ${files[0]}::bigint AND c.column_name = ${sieved.column} AND c.ids IS NOT NULL)`;
      const column = sql.raw(sieved.column);
      return sql<Record<string, string>>`${from}
        AND (${listed} IS NULL OR r.${column} IN (SELECT t.${column} FROM ${sql.raw(ENTITY_MODELS[recon.entity].table)} t
          WHERE t.id = ANY(${listed}::bigint[])))
        GROUP BY ${grouped} HAVING count(*) > 1 LIMIT ${most}`;
    },
    store: (rows) => [
      {
        label: `${side} key values several records share (found alongside)`,
        query: sql`CREATE TEMP TABLE ${table} (${sql.join(
          keys.map((f) => sql.raw(`${l.column.get(f)!} ${SQL_TYPE[def(recon, f).type]}`)),
        )}) ON COMMIT DROP`,
      },
      {
        label: `store ${side} key values several records share`,
        query: sql`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, ${rows}::json)`,
      },
      { label: `analyze ${side} key values several records share`, query: sql`ANALYZE ${table}` },
    ],
  };
}

/** Counts of the pairs after the statements ran (clean ones, and per pass); records in come from the run's inputs. */
export function countsQuery(): RawBuilder<{
  matched: string;
  matched_by_pass: Record<string, number> | null;
}> {
  // The blocks' counts and the clean pairs kept row by row (a few: see blockStatement).
  return sql`SELECT coalesce(sum(n), 0) AS matched, jsonb_object_agg(pass::text, n) AS matched_by_pass
    FROM (SELECT pass, sum(n) AS n FROM (SELECT pass, n FROM rx_block UNION ALL SELECT pass, 1 FROM rx_pair WHERE ok) c
      GROUP BY pass) x`;
}
