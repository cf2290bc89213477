import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { MissingInput } from '../db/tables/recon.table.js';
import type { ExpectedInput } from '../config/expected-inputs.js';
import type { Platform, ReconciledEntity, Side, Source } from '../model/vocabulary.js';

/**
 * Which inputs a business date needs, and whether they arrived. A missing file is a missing input,
 * never a break per record of the other side: a reconciliation whose side lacks an expected input is
 * not run for the date (reported incomplete, naming the input), and so it finds and clears nothing.
 */

/** A file of an expected input, as the lineage tables hold it. */
export interface ExpectedFile {
  readonly fileId: string | null;
  readonly file: string;
  /** `loaded` (the current generation), `superseded` (an earlier generation), `refused` (refused whole). */
  readonly state: 'loaded' | 'superseded' | 'refused';
  readonly sha256: string | null;
  /** When the source generated the file, an ISO instant (UTC); people are shown it in Hong Kong time. */
  readonly generatedAt: string | null;
  readonly rows: number | null;
  readonly rejected: number | null;
  /** For a refused file: why. */
  readonly reason: string | null;
}

/** One expected input on one date: its state and its files. */
export interface ExpectedStatus {
  readonly input: ExpectedInput;
  readonly businessDate: string;
  /** `loaded`, `empty` (loaded, zero records), `refused` (only refused files), `missing`. */
  readonly state: 'loaded' | 'empty' | 'refused' | 'missing';
  readonly files: readonly ExpectedFile[];
}

/** What the calendar says of a date. */
export interface CalendarDay {
  readonly known: boolean;
  readonly trading: boolean;
  readonly platform: Platform | null;
  /** The next trading day's platform (the last Genium day is a Genium day followed by an upgraded one). */
  readonly nextPlatform: Platform | null;
}

/** The calendar's view of a business date (the first market's row, as the reconciliations read it). */
export async function calendarDay(db: Kysely<Database>, date: string): Promise<CalendarDay> {
  const row = (
    await sql<{
      trading: boolean;
      platform: Platform | null;
      next_platform: Platform | null;
    }>`
      SELECT c.trading, c.platform,
        (SELECT n.platform FROM calendar n WHERE n.market = c.market AND n.day > c.day AND n.trading
         ORDER BY n.day LIMIT 1) AS next_platform
      FROM calendar c WHERE c.day = ${date}::date ORDER BY c.market LIMIT 1`.execute(db)
  ).rows[0];
  if (row === undefined) return { known: false, trading: false, platform: null, nextPlatform: null };
  return { known: true, trading: row.trading, platform: row.platform, nextPlatform: row.next_platform };
}

/** True when the input is expected on a date the calendar describes so. */
function expectedOn(input: ExpectedInput, day: CalendarDay): boolean {
  const lastGenium = day.trading && day.platform === 'genium' && day.nextPlatform === 'upgraded';
  switch (input.on) {
    case 'once':
      return true;
    case 'trading-days':
      return day.trading;
    case 'genium-days':
      return day.trading && day.platform === 'genium';
    case 'last-genium-day':
      return lastGenium;
    case 'from-cutover':
      return lastGenium || (day.trading && day.platform === 'upgraded');
  }
}

type FileRow = {
  id: string | null;
  file_name: string;
  state: ExpectedFile['state'];
  sha256: string | null;
  generated_at: string | null;
  row_count: number | null;
  reject_count: number | null;
  reason: string | null;
};

/**
 * The files of one expected input for a date: loaded generations (current and superseded) of the
 * source, entity (and report id) dated that day (any day up to it for `once`), and files of the
 * source refused whole whose name carries the date (a refused file has no trusted header, so its
 * entity is read from the profile it was offered to, when one was).
 */
async function inputFiles(
  db: Kysely<Database>,
  input: ExpectedInput,
  date: string,
  profileEntities: ReadonlyMap<string, string>,
): Promise<FileRow[]> {
  const dated =
    input.on === 'once'
      ? sql`(sf.business_date IS NULL OR sf.business_date <= ${date}::date)`
      : sql`sf.business_date = ${date}::date`;
  const report = input.reportId === undefined ? sql`TRUE` : sql`sf.report_id = ${input.reportId}::text`;
  const loaded = await sql<FileRow>`
    SELECT sf.id::text AS id, sf.file_name,
      CASE WHEN sf.superseded_by IS NULL THEN 'loaded' ELSE 'superseded' END AS state, sf.sha256,
      to_char(sf.generated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS generated_at,
      sf.row_count, sf.reject_count, NULL AS reason
    FROM source_file sf
    WHERE sf.source = ${input.source}::text AND sf.entity = ${input.entity}::text AND ${dated} AND ${report}
    ORDER BY sf.superseded_by IS NULL, sf.id`.execute(db);
  const compact = date.replaceAll('-', '');
  const refused = await sql<FileRow & { profile: string | null }>`
    SELECT NULL AS id, rf.file_name, 'refused' AS state, rf.sha256, NULL AS generated_at, NULL AS row_count,
      NULL AS reject_count, rf.reason, rf.profile
    FROM refused_file rf
    WHERE rf.source = ${input.source}::text AND strpos(rf.file_name, ${compact}::text) > 0
    ORDER BY rf.id`.execute(db);
  const ours = refused.rows.filter(
    (r) =>
      r.profile === null ||
      profileEntities.get(r.profile) === undefined ||
      profileEntities.get(r.profile) === input.entity,
  );
  return [...loaded.rows, ...(input.on === 'once' ? [] : ours)];
}

/**
 * The state of every expected input of a date (those the calendar expects on it, and any other input
 * with files dated that day), in the configured order. `profileEntities` maps profile names to their
 * entity, to tell which expected input a refused file was meant for.
 */
export async function expectedInputStatus(
  db: Kysely<Database>,
  date: string,
  inputs: readonly ExpectedInput[],
  profileEntities: ReadonlyMap<string, string> = new Map(),
): Promise<ExpectedStatus[]> {
  const day = await calendarDay(db, date);
  const out: ExpectedStatus[] = [];
  for (const input of inputs) {
    const rows = await inputFiles(db, input, date, profileEntities);
    if (!expectedOn(input, day) && rows.length === 0) continue;
    const current = rows.filter((r) => r.state === 'loaded');
    const state: ExpectedStatus['state'] =
      current.length > 0
        ? current.some((r) => (r.row_count ?? 0) > 0)
          ? 'loaded'
          : 'empty'
        : rows.some((r) => r.state === 'refused')
          ? 'refused'
          : 'missing';
    out.push({
      input,
      businessDate: date,
      state,
      files: rows.map((r) => ({
        fileId: r.id,
        file: r.file_name,
        state: r.state,
        sha256: r.sha256,
        generatedAt: r.generated_at,
        rows: r.row_count === null ? null : Number(r.row_count),
        rejected: r.reject_count === null ? null : Number(r.reject_count),
        reason: r.reason,
      })),
    });
  }
  return out;
}

/** What one side of a reconciliation reads, for the inputs check. */
export interface SideNeed {
  readonly recon: string;
  readonly side: Side;
  readonly source: Source;
  /** The entities the side's records come from (a rolled-forward positions side reads trades too). */
  readonly entities: readonly ReconciledEntity[];
}

/**
 * The inputs one side of a reconciliation lacks on a date. The side needs every expected input of
 * its source and entities that the calendar expects on the date. (The account map is listed among a
 * date's inputs but blocks nothing: without it the back office's rows are rejected rows, each shown.)
 * When none of its entities is expected on the date (a
 * custom source, a non-trading day run on purpose), it needs at least one current file of its own
 * dated that day: a side with nothing to read is never compared.
 */
export async function missingForSide(
  db: Kysely<Database>,
  need: SideNeed,
  date: string,
  inputs: readonly ExpectedInput[],
  statuses: readonly ExpectedStatus[],
  day: CalendarDay,
): Promise<MissingInput[]> {
  const base = { recon: need.recon, side: need.side, source: need.source, businessDate: date };
  const missing: MissingInput[] = [];
  const expected = inputs.filter(
    (i) => i.source === need.source && need.entities.some((e) => e === i.entity) && expectedOn(i, day),
  );
  for (const i of expected) {
    const s = statuses.find((x) => x.input.name === i.name);
    if (s !== undefined && (s.state === 'loaded' || s.state === 'empty')) continue;
    const refused = s?.files.find((f) => f.state === 'refused');
    missing.push({
      ...base,
      input: i.name,
      entity: i.entity,
      state: s?.state === 'refused' ? 'refused' : 'missing',
      detail:
        s?.state === 'refused'
          ? `${i.name} for ${date} was refused (${refused?.file ?? 'its file'})`
          : i.on === 'once'
            ? `no ${i.name} is loaded`
            : `no ${i.name} file for ${date} is loaded`,
    });
  }
  for (const entity of need.entities) {
    if (expected.some((i) => i.entity === entity)) continue;
    const files = await sql<{ n: string }>`SELECT count(*)::text AS n FROM source_file sf
      WHERE sf.source = ${need.source}::text AND sf.entity = ${entity}::text AND sf.superseded_by IS NULL
        AND sf.business_date = ${date}::date`.execute(db);
    if (Number(files.rows[0]?.n ?? 0) > 0) continue;
    missing.push({
      ...base,
      input: `${need.source}-${entity}`,
      entity,
      state: 'missing',
      detail: `no ${need.source} ${entity} file for ${date} is loaded${day.trading ? '' : ` (${date} is not a trading day)`}`,
    });
  }
  return missing;
}
