import { sql } from 'kysely';
import type { Store } from '../db/connect.js';
import type { MissingInput } from '../db/tables/recon.table.js';
import { BUILTIN_PRODUCTS } from '../config/products.js';
import { BREAK_KINDS, BREAK_STATUSES, type ClearingHouse } from '../model/vocabulary.js';
import { SIGHTING, stateAsOf, type ListBreaksOptions } from '../reconcile/breaks.js';
import { carriedFrom, type CarriedScope } from './break-pages.js';
import { breakInHouse, houseFilter, type HouseFilter } from '../reconcile/house-filter.js';
import type { ReconCounts } from '../reconcile/run-counts.js';
import type { RunInput } from '../reconcile/run-inputs.js';
import { DcassError } from '../shared/errors.js';

/** A recorded run as a report reads it; dates as ISO strings. */
export interface ReportRun {
  readonly id: string;
  readonly businessDate: string;
  readonly ruleSet: { readonly name: string; readonly sha256: string };
  readonly recons: readonly string[];
  /** The files it read, with how each was known complete (null: loaded before that was kept). */
  readonly inputs: readonly (RunInput & { readonly completeness: string | null })[];
  readonly counts: Readonly<Record<string, ReconCounts>>;
  /** Expected inputs the run did not have, each with the reconciliation it kept from running. */
  readonly missingInputs: readonly MissingInput[];
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** The moment the break register is read as of (ISO); null for now. */
  readonly asOf: string | null;
  /** The clearing house the run covered (recon_run.house); null: every house. */
  readonly runHouse: ClearingHouse | null;
  /** The clearing house the report covers (ReportOptions.house, else the run's), with its roots; null: every house. */
  readonly house: HouseFilter | null;
}

/** How a report reads a run: the register's moment, and the clearing house it covers. */
export interface ReportOptions extends ListBreaksOptions {
  /** Only this house's breaks; default: the house the run covered (every house for an unscoped run). */
  readonly house?: ClearingHouse;
  /** Series root -> clearing house (the configuration's product table); the built-in table when absent. */
  readonly products?: Readonly<Record<string, ClearingHouse>>;
}

/**
 * Finds a completed run by id, or the latest completed one with `latest`; a clear error otherwise.
 * With `asOf`, the report reads the break register as it stood at that moment: `latest` is the latest
 * run finished by then, and a run finished later is refused (its breaks did not exist yet).
 */
export async function findRun(store: Store, run: string, options: ReportOptions = {}): Promise<ReportRun> {
  if (run !== 'latest' && !/^\d{1,18}$/.test(run)) {
    throw new DcassError('USAGE', `run "${run}" is neither a run id nor "latest"`, {
      hint: 'give the id a run printed, or latest',
    });
  }
  const asOf = options.asOf === undefined ? null : checkAsOf(options.asOf);
  let q = store.db
    .selectFrom('recon_run')
    .select([
      'id',
      sql<string>`to_char(business_date, 'YYYY-MM-DD')`.as('business_date'),
      'rule_set_name',
      'rule_set_sha256',
      'recons',
      'inputs',
      'counts',
      'missing_inputs',
      'status',
      'house',
      'started_at',
      'finished_at',
    ])
    .where('status', '=', 'completed');
  q = run === 'latest' ? q.orderBy('id', 'desc').limit(1) : q.where('id', '=', run);
  if (asOf !== null && run === 'latest') q = q.where('finished_at', '<=', new Date(asOf));
  const row = await q.executeTakeFirst();
  if (row === undefined) {
    throw new DcassError(
      'USAGE',
      run === 'latest' ? 'no completed reconciliation run in this database' : `no completed run ${run}`,
      { hint: 'run one first: dcass-recon run --date YYYY-MM-DD' },
    );
  }
  const found: ReportRun = {
    id: String(row.id),
    businessDate: row.business_date,
    ruleSet: { name: row.rule_set_name, sha256: row.rule_set_sha256 },
    recons: row.recons,
    inputs: await withCompleteness(store, row.inputs as RunInput[]),
    counts: row.counts as Record<string, ReconCounts>,
    missingInputs: row.missing_inputs,
    startedAt: new Date(row.started_at).toISOString(),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
    asOf,
    runHouse: row.house,
    house: reportHouse(options, row.house),
  };
  if (asOf !== null && (found.finishedAt === null || found.finishedAt > asOf)) {
    throw new DcassError('USAGE', `run ${found.id} finished at ${found.finishedAt}, after ${asOf}`, {
      hint: 'its breaks were not in the register yet at that moment: choose a later moment or an earlier run',
    });
  }
  return found;
}

/** The house a report covers: the one asked for, else the run's; null: every house. */
function reportHouse(options: ReportOptions, runHouse: ClearingHouse | null): HouseFilter | null {
  const house = options.house ?? runHouse;
  return house === null ? null : houseFilter(house, options.products ?? BUILTIN_PRODUCTS);
}

/** A timestamp with a time zone, as ISO in UTC; a clear error otherwise. */
export function checkAsOf(text: string): string {
  // A moment without an offset would be read in whatever zone the machine is in: refuse it.
  const ok = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/.test(text);
  const d = new Date(text.replace(' ', 'T'));
  if (!ok || Number.isNaN(d.getTime())) {
    throw new DcassError('USAGE', `"${text}" is not a moment with a time zone`, {
      hint: 'write it like 2019-05-06T18:30:00+08:00 or 2019-05-06T10:30:00Z',
    });
  }
  return d.toISOString();
}

/** The run's inputs with how each file was known complete (source_file.completeness). */
async function withCompleteness(
  store: Store,
  inputs: readonly RunInput[],
): Promise<(RunInput & { completeness: string | null })[]> {
  // Ids travel as one array literal parameter (bigint ids: digits only), read the same by pg and PGlite.
  const ids = inputs.map((i) => String(i.fileId)).filter((id) => /^\d{1,18}$/.test(id));
  if (ids.length === 0) return inputs.map((i) => ({ ...i, completeness: null }));
  const rows = await sql<{ id: string; completeness: string | null }>`SELECT id::text AS id, completeness
    FROM source_file WHERE id = ANY(${`{${ids.join(',')}}`}::bigint[])`.execute(store.db);
  const known = new Map(rows.rows.map((r) => [r.id, r.completeness]));
  return inputs.map((i) => ({ ...i, completeness: known.get(i.fileId) ?? null }));
}

/**
 * Break counts of a run (its breaks and those it cleared) by register status as of `asOf`, and by
 * kind; with `house`, that clearing house's breaks only.
 */
export async function breakTotals(
  store: Store,
  runId: string,
  options: ListBreaksOptions & { readonly house?: HouseFilter | null } = {},
): Promise<{ byStatus: Record<string, number>; byKind: Record<string, number> }> {
  const inHouse = breakInHouse(options.house);
  const rows = await sql<{ kind: string; status: string; n: string }>`
    SELECT x.kind, s.status, count(*)::text AS n
    FROM (SELECT b.case_id, c.kind FROM ${SIGHTING} JOIN break_case c ON c.id = b.case_id
          WHERE b.run_id = ${runId}::bigint AND ${inHouse}
          UNION ALL
          SELECT e.case_id, c.kind FROM break_event e JOIN break_case c ON c.id = e.case_id
          JOIN ${SIGHTING} ON b.case_id = c.id AND b.run_id = e.last_seen_run
          WHERE e.run_id = ${runId}::bigint AND e.action = 'cleared' AND ${inHouse}) x
    CROSS JOIN LATERAL ${stateAsOf(sql`x.case_id`, options.asOf)} s
    GROUP BY x.kind, s.status`.execute(store.db);
  const byStatus: Record<string, number> = Object.fromEntries(BREAK_STATUSES.map((s) => [s, 0]));
  const byKind: Record<string, number> = Object.fromEntries(BREAK_KINDS.map((k) => [k, 0]));
  for (const r of rows.rows) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + Number(r.n);
    byKind[r.kind] = (byKind[r.kind] ?? 0) + Number(r.n);
  }
  return { byStatus, byKind };
}

/** How many breaks a report of the run carries (carriedFrom). */
export async function carriedCount(store: Store, run: CarriedScope): Promise<number> {
  const r = await sql<{ n: string }>`SELECT count(*)::text AS n ${carriedFrom(run)}`.execute(store.db);
  return Number(r.rows[0]?.n ?? 0);
}

/** The register moment and clearing house of a report's run, as the break queries take them. */
export function asOfOption(run: ReportRun): ListBreaksOptions & { readonly house: HouseFilter | null } {
  return run.asOf === null ? { house: run.house } : { asOf: run.asOf, house: run.house };
}
