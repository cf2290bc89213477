import type { Profile } from '../config/profile.js';
import type { ProfileRegistry } from '../config/profiles.js';
import type { LoadedCalendar } from '../config/calendar-file.js';
import { appendAuditEvent } from '../audit/append.js';
import { resolveActor } from '../audit/actor.js';
import type { Store } from '../db/connect.js';
import type { Database } from '../db/database.js';
import type { SourceFileTable } from '../db/tables/source-file.table.js';
import { DcassError, isConnectionLost, isDcassError } from '../shared/errors.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { describeFile, nameFacts, type FileMeta } from './load/file-meta.js';
import { IngestWorker } from './load/ingest-worker.js';
import { loadFile, type LoadResult } from './load/load-file.js';
import { AccountResolver } from './normalise/account-resolver.js';
import { syncCalendar } from './load/calendar-sync.js';
import { storableText } from './normalise/storable-text.js';
import { statSync } from 'node:fs';
import path from 'node:path';
import { sql, type Kysely, type Selectable } from 'kysely';
import { ENTITY_MODELS } from '../model/entities.js';

/** A file to ingest and the source it comes from; the profile is chosen by file name unless given. */
export interface IngestRequest {
  readonly path: string;
  readonly source: Profile['source'];
  readonly profile?: string;
}

/** What became of one file. Decimal-free: counts and identities only. */
export interface FileOutcome {
  readonly path: string;
  readonly fileName: string;
  readonly source: Profile['source'];
  readonly status: 'loaded' | 'skipped' | 'refused';
  readonly profile: string | null;
  readonly reportId: string | null;
  readonly participant: string | null;
  readonly businessDate: string | null;
  readonly generatedAt: string | null;
  readonly fileId: string | null;
  readonly rows: number;
  readonly rejected: number;
  readonly supersedes: readonly string[];
  readonly supersededBy: string | null;
  /** What the operator should know of a loaded file: loaded as superseded, and which generation is current. */
  readonly notice: string | null;
  readonly sha256: string | null;
  readonly sizeBytes: number | null;
  /** Digest of the rows stored for the file, taken when it was loaded (audit verify --data recomputes it). */
  readonly dataDigest: string | null;
  readonly error: { readonly code: string; readonly message: string; readonly hint: string | null } | null;
}

/** What ingesting needs: the open store, profiles, calendar, participant, and optional progress/logging. */
export interface IngestContext {
  readonly store: Store;
  readonly profiles: ProfileRegistry;
  readonly calendar: LoadedCalendar;
  readonly participant: string | null;
  /** Who the audit trail records as loading the files; the operating-system user when absent. */
  readonly actor?: string;
  readonly logger?: Logger;
  readonly batchRows?: number;
  /** Called as a file is read: bytes so far and the file's size. */
  readonly onProgress?: (file: string, bytesRead: number, totalBytes: number) => void;
  /** Called as each file's outcome is settled (loaded and committed, skipped or refused). */
  readonly onOutcome?: (outcome: FileOutcome) => void;
  /** Files at least this large load two at a time on a server (default SIDE_BY_SIDE_BYTES). */
  readonly sideBySideBytes?: number;
}

/**
 * Loads files, each in its own transaction (all or nothing), account maps first so that BOS rows
 * can be mapped. A file already loaded (same sha256) is skipped; a bad file is refused and recorded.
 */
export async function ingestFiles(
  ctx: IngestContext,
  requests: readonly IngestRequest[],
): Promise<FileOutcome[]> {
  const log = ctx.logger ?? silentLogger;
  // Clearing dates are derived with the calendar in force: the file's days with the calendar changes
  // declared in the database (a typhoon closure) on top.
  ctx = { ...ctx, actor: ctx.actor ?? resolveActor(), calendar: await syncCalendar(ctx.store, ctx.calendar) };
  const planned = requests.map((r) => ({ request: r, profile: chooseProfile(ctx.profiles, r) }));
  // Account maps first, one after another: BOS trades and positions are mapped through them as they load.
  const maps = planned.filter((p) => isAccountMap(p.profile));
  const rest = planned.filter((p) => !isAccountMap(p.profile));
  let accounts = await AccountResolver.load(ctx.store.db);
  const outcomes = new Map<IngestRequest, FileOutcome>();
  const loadedTables = new Set<string>();
  const readers: IngestWorker[] = [];
  const reader = (): IngestWorker => {
    const r = new IngestWorker(YOUNG_GENERATION_MB[ctx.store.kind]);
    readers.push(r);
    return r;
  };
  const settle = (p: Planned, outcome: FileOutcome): void => {
    log.info(
      {
        file: outcome.fileName,
        status: outcome.status,
        rows: outcome.rows,
        rejected: outcome.rejected,
        code: outcome.error?.code,
      },
      'file ingested',
    );
    if (outcome.status === 'loaded' && outcome.rows > 0 && !(p.profile instanceof Error))
      loadedTables.add(ENTITY_MODELS[p.profile.entity].table);
    outcomes.set(p.request, outcome);
    ctx.onOutcome?.(outcome);
  };
  try {
    // A file that cannot be read (size -1) is refused with its reason when its turn comes.
    const size = new Map(rest.map((p) => [p, fileSize(p.request.path)]));
    const lanes = laneCount(ctx, [...size.values()]);
    // Side by side, the largest files first: the lanes then end at about the same time, where files in
    // the order asked could leave the last large one loading alone (a Sunday's seven files on the
    // server: one lane idle for the last 1.1 s of 6.3).
    const queue = lanes > 1 ? [...rest].sort((a, b) => size.get(b)! - size.get(a)!) : [...rest];
    let mapsLoaded = maps.length === 0;
    /** The next file a lane may load now: one read without the account map while maps are loading. */
    const next = (): Planned | undefined => {
      const i = mapsLoaded ? 0 : queue.findIndex((p) => !readsAccountMap(p.profile));
      return i < 0 ? undefined : queue.splice(i, 1)[0];
    };
    let failed = false;
    const lane = async (r: IngestWorker, loadMaps: boolean): Promise<void> => {
      try {
        if (loadMaps) {
          for (const p of maps) {
            const outcome = await ingestOne(ctx, p.request, p.profile, { accounts, reader: r });
            settle(p, outcome);
            if (outcome.status === 'loaded') accounts = await AccountResolver.load(ctx.store.db);
          }
          mapsLoaded = true;
        }
        for (let p = next(); p !== undefined && !failed; p = next())
          settle(p, await ingestOne(ctx, p.request, p.profile, { accounts, reader: r }));
      } catch (err) {
        failed = true; // the other lane takes no further file
        throw err;
      }
    };
    // The account maps first on one lane; the other starts on the files read without them (Genium and
    // DCASS reports: accounts as given), and takes the rest with the first lane once the maps are in.
    const first = lane(reader(), true);
    const results = await Promise.allSettled([
      first,
      ...Array.from({ length: lanes - 1 }, async () => {
        const r = reader();
        await lane(r, false);
        if (mapsLoaded || failed) return;
        await first.catch(() => undefined);
        await lane(r, false);
      }),
    ]);
    const failure = results.find((r) => r.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  } finally {
    await Promise.all(readers.map((r) => r.close()));
  }
  await refreshStatistics(ctx.store, loadedTables);
  // Report in the order asked for, not the load order.
  return requests.map((r) => outcomes.get(r)!);
}

interface Planned {
  readonly request: IngestRequest;
  readonly profile: Profile | DcassError;
}

const isAccountMap = (p: Profile | DcassError): boolean =>
  !(p instanceof DcassError) && p.entity === 'account_map';

/** Whether a file's records may be mapped through the account map: its profile reads client codes. */
const readsAccountMap = (p: Profile | DcassError): boolean =>
  !(p instanceof DcassError) && ('clientCode' in p.fields || 'clientCode' in p.defaults);

/**
 * The young generation of a reader thread, per database (see IngestWorker). On a server, 32 MiB: a
 * fifth to a third less time reading, for about 26 MiB more resident memory a thread. The embedded
 * database keeps 6 MiB: its process holds the database as well, and its peak RSS is what the benchmark
 * bounds (6 instead of 16 MiB took the embedded 1,000,000 x 1,000,000 ingest from 414 to 394 MiB).
 */
const YOUNG_GENERATION_MB: Record<Store['kind'], number> = { postgres: 32, pglite: 6 };

/** Files at least this large load side by side on a server (IngestContext.sideBySideBytes). */
export const SIDE_BY_SIDE_BYTES = 8 * 1024 * 1024;

/**
 * How many files load at once. A file's reader thread keeps one core busy parsing while the database
 * stores its batches on the other, at well under a core: a second file read at the same time, in its
 * own transaction on its own connection, fills that core. Only on a server (PGlite is one connection
 * in this process) and only with two files large enough to be worth a thread of their own; smaller
 * files load one after another, in the order asked, as before. Loading side by side is what separate
 * ingest processes already may do: the same bytes twice, or two generations of a report, are settled
 * by the database (unique sha256, the report's lock at commit) exactly as for one file after another.
 */
function laneCount(ctx: IngestContext, sizes: readonly number[]): number {
  if (ctx.store.kind !== 'postgres') return 1;
  const from = ctx.sideBySideBytes ?? SIDE_BY_SIDE_BYTES;
  return sizes.filter((n) => n >= from).length >= 2 ? 2 : 1;
}

/** A file's size in bytes, -1 when it cannot be read. */
function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return -1;
  }
}

/**
 * Fresh planner statistics for the tables the call loaded rows into. A run reads them whole right
 * after an ingest: without statistics (PGlite has no autovacuum to gather them; a server's comes
 * later) the planner takes a million new trades for a dozen and chooses sorts and hash sizes for
 * that. A small sample is enough for what a run's plans need (row counts and rough distinct counts:
 * every join is a hash join over whole sides): 3,000 rows (statistics target 10) instead of 30,000
 * took 0.05 s instead of 0.24 s on the server and 0.03 s instead of 0.28-0.38 s on PGlite with
 * 2,000,000 trades, for the same plans; a server's autovacuum later gathers its usual sample. A role
 * that does not own a table gets a warning, not an error, and its runs keep the server's statistics.
 */
const STATISTICS_TARGET = 10;

async function refreshStatistics(store: Store, tables: ReadonlySet<string>): Promise<void> {
  // Table names come from the entity model, never from input. At once: on a server each on its own
  // connection (a Sunday's trade and position tables: 0.5 s one after the other).
  await Promise.all(
    [...tables].sort().map((table) =>
      store.db.transaction().execute(async (tx) => {
        await sql`SET LOCAL default_statistics_target = ${sql.raw(String(STATISTICS_TARGET))}`.execute(tx);
        await sql`ANALYZE ${sql.id(table)}`.execute(tx);
      }),
    ),
  );
}

function chooseProfile(profiles: ProfileRegistry, r: IngestRequest): Profile | DcassError {
  try {
    const p =
      r.profile !== undefined ? profiles.get(r.profile) : profiles.select(path.basename(r.path), r.source);
    if (p.source !== r.source) {
      return new DcassError(
        'PROFILE_NOT_FOUND',
        `profile ${p.name} reads ${p.source} files, not ${r.source}`,
        { hint: 'choose a profile of the source' },
      );
    }
    return p;
  } catch (err) {
    if (isDcassError(err)) return err;
    throw err;
  }
}

/** What every outcome of a request says, whatever became of the file. */
type OutcomeBase = Pick<FileOutcome, 'path' | 'fileName' | 'source' | 'profile' | 'reportId'>;

/** What loading a file uses of the call: the account map in force and the thread that reads files. */
interface Loading {
  readonly accounts: AccountResolver;
  readonly reader: IngestWorker;
}

/** Loads one file, or skips it if its bytes are loaded already; a file that cannot be is refused and recorded. */
async function ingestOne(
  ctx: IngestContext,
  request: IngestRequest,
  profile: Profile | DcassError,
  loading: Loading,
): Promise<FileOutcome> {
  const base: OutcomeBase = {
    path: path.resolve(request.path),
    fileName: path.basename(request.path),
    source: request.source,
    profile: profile instanceof DcassError ? null : profile.name,
    reportId: profile instanceof DcassError ? null : profile.reportId,
  };
  let meta: FileMeta | null = null;
  try {
    meta = await describeFile(request.path);
    if (profile instanceof DcassError) throw profile;
    checkNotEmpty(meta);
    return await loadOrSkip(ctx, base, profile, meta, loading);
  } catch (caught) {
    return refuse(ctx, request, profile, base, meta, asRefusal(caught, base.fileName));
  }
}

function checkNotEmpty(meta: FileMeta): void {
  if (meta.sizeBytes > 0) return;
  throw new DcassError('INGEST_FILE_EMPTY', `${meta.fileName}: the file is empty (0 bytes)`, {
    location: { file: meta.fileName },
    hint: 'fetch or export it again',
  });
}

/**
 * Two ingests of the same file at the same time (two operators, or a fetch beside a manual ingest)
 * both find it not loaded yet; the later to commit breaks source_file's unique sha256 and rolls back.
 * Looked up again, the file is then loaded by the other: skipped, as a single ingest would have it.
 * The winner has committed by then, so one more look-up settles it; a second violation is a refusal.
 */
const LOAD_ATTEMPTS = 2;

/** Skips a file whose bytes are loaded already, else loads it; once more if another ingest won the race. */
async function loadOrSkip(
  ctx: IngestContext,
  base: OutcomeBase,
  profile: Profile,
  meta: FileMeta,
  loading: Loading,
): Promise<FileOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = await loadedCopy(ctx.store.db, meta.sha256);
      if (existing !== undefined) return await skip(ctx, base, meta, existing);
      return await load(ctx, base, profile, meta, loading);
    } catch (err) {
      if (!isUniqueViolation(err) || attempt === LOAD_ATTEMPTS) throw err;
    }
  }
}

/** The loaded file with these bytes, if any. */
async function loadedCopy(db: Kysely<Database>, sha256: string) {
  return (
    db
      .selectFrom('source_file')
      .selectAll()
      .where('sha256', '=', sha256)
      // A generation derived by a calendar change keeps its file's sha256; the skip names the file as loaded.
      .where('derived_from', 'is', null)
      .executeTakeFirst()
  );
}

/** The outcome of a file loaded before, with its audit event. */
async function skip(
  ctx: IngestContext,
  base: OutcomeBase,
  meta: FileMeta,
  existing: Selectable<SourceFileTable>,
): Promise<FileOutcome> {
  const skipped: FileOutcome = {
    ...base,
    status: 'skipped',
    participant: existing.participant,
    businessDate: existing.business_date,
    generatedAt: existing.generated_at?.toISOString() ?? null,
    fileId: existing.id,
    rows: existing.row_count,
    rejected: existing.reject_count,
    supersedes: [],
    supersededBy: null,
    notice: null,
    sha256: meta.sha256,
    sizeBytes: meta.sizeBytes,
    dataDigest: existing.data_digest,
    error: null,
  };
  await appendAuditEvent(ctx.store.db, fileAuditEvent(ctx, skipped));
  return skipped;
}

/** Loads the file in its own transaction, its audit event committed with it. */
async function load(
  ctx: IngestContext,
  base: OutcomeBase,
  profile: Profile,
  meta: FileMeta,
  { accounts, reader }: Loading,
): Promise<FileOutcome> {
  const log = ctx.logger ?? silentLogger;
  const facts = nameFacts(profile, meta.fileName);
  log.debug({ file: meta.fileName, profile: profile.name, bytes: meta.sizeBytes }, 'file load started');
  const size = meta.sizeBytes;
  const loaded = (result: LoadResult): FileOutcome => ({
    ...base,
    status: 'loaded',
    participant: result.identity.participant,
    businessDate: result.identity.businessDate,
    generatedAt: result.identity.generatedAt,
    fileId: result.fileId,
    rows: result.rows,
    rejected: result.rejected,
    supersedes: result.supersedes,
    supersededBy: result.supersededBy,
    notice: result.notice,
    sha256: meta.sha256,
    sizeBytes: size,
    dataDigest: result.dataDigest,
    error: null,
  });
  const result = await loadFile(
    {
      store: ctx.store,
      reader,
      calendarDays: ctx.calendar.days,
      sessions: ctx.calendar.sessions,
      accounts,
      participant: ctx.participant,
      ...(ctx.batchRows !== undefined ? { batchRows: ctx.batchRows } : {}),
      onBytes: progressOf(meta.fileName, size, (n) => ctx.onProgress?.(base.fileName, n, size), log),
      // The file's event commits with its rows, or neither does.
      beforeCommit: async (tx, r) => {
        await appendAuditEvent(tx.db, fileAuditEvent(ctx, loaded(r)));
      },
    },
    profile,
    meta,
    facts,
  );
  return loaded(result);
}

/** The outcome of a refused file, recorded in refused_file with its audit event. */
async function refuse(
  ctx: IngestContext,
  request: IngestRequest,
  profile: Profile | DcassError,
  base: OutcomeBase,
  meta: FileMeta | null,
  err: DcassError,
): Promise<FileOutcome> {
  const refused: FileOutcome = {
    ...base,
    status: 'refused',
    participant: null,
    businessDate: null,
    generatedAt: null,
    fileId: null,
    rows: 0,
    rejected: 0,
    supersedes: [],
    supersededBy: null,
    notice: null,
    sha256: meta?.sha256 ?? null,
    sizeBytes: meta?.sizeBytes ?? null,
    dataDigest: null,
    error: {
      code: err.code,
      message: storableText(err.message),
      hint: storableText(err.hint ?? '') || null,
    },
  };
  await ctx.store.transaction(async (tx) => {
    await recordRefusal(tx.db, request, profile, meta, refused.error!, err.location?.line);
    await appendAuditEvent(tx.db, fileAuditEvent(ctx, refused));
  });
  return refused;
}

/** The audit event of one file: `ingest.loaded`, `ingest.skipped` or `ingest.refused`, with its outcome. */
function fileAuditEvent(ctx: IngestContext, outcome: FileOutcome) {
  return {
    actor: ctx.actor!,
    action: `ingest.${outcome.status}`,
    subject: `file:${outcome.fileName}`,
    details: { ...outcome, supersedes: [...outcome.supersedes] },
  };
}

function isUniqueViolation(err: unknown): boolean {
  return sqlState(err) === '23505';
}

/** The SQLSTATE of an error the database answered with (node-postgres and PGlite alike), or null. */
function sqlState(err: unknown): string | null {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/**
 * What refuses the file: a DcassError as it is, or a statement the database refused while loading it
 * (the file's transaction rolled back, nothing of it stored), with the database's own message, so one
 * bad file never stops the others of the call. A lost connection is no fault of the file and stops
 * the call; an error without a SQLSTATE is a bug: both are thrown on.
 */
function asRefusal(err: unknown, fileName: string): DcassError {
  if (isConnectionLost(err)) throw err;
  if (isDcassError(err)) return err;
  const state = sqlState(err);
  if (state === null) throw err;
  return new DcassError(
    'DB_QUERY_FAILED',
    `${fileName}: loading it failed in the database: ${(err as Error).message} (SQLSTATE ${state})`,
    {
      location: { file: fileName },
      hint: 'nothing of the file was loaded; if the file is sound, report this with the message',
      cause: err,
    },
  );
}

async function recordRefusal(
  db: Kysely<Database>,
  request: IngestRequest,
  profile: Profile | DcassError,
  meta: FileMeta | null,
  err: NonNullable<FileOutcome['error']>,
  line: number | undefined,
) {
  await db
    .insertInto('refused_file')
    .values({
      source: request.source,
      profile: profile instanceof DcassError ? null : profile.name,
      file_name: path.basename(request.path),
      path: path.resolve(request.path),
      sha256: meta?.sha256 ?? null,
      size_bytes: meta === null ? null : String(meta.sizeBytes),
      code: err.code,
      reason: err.hint !== null ? `${err.message} (${err.hint})` : err.message,
      line_no: line ?? null,
    })
    .execute();
}

/**
 * What reading a file reports as it goes: every chunk to `onProgress` (the CLI's bar), and a debug log
 * line at each tenth of the file, so a long load shows in `--verbose` logs where no bar is drawn.
 */
function progressOf(
  file: string,
  totalBytes: number,
  onProgress: (bytesRead: number) => void,
  log: Logger,
): (bytesRead: number) => void {
  let logged = 0;
  return (bytesRead) => {
    onProgress(bytesRead);
    const tenths = totalBytes === 0 ? 10 : Math.floor((10 * bytesRead) / totalBytes);
    if (tenths > logged) {
      logged = tenths;
      log.debug({ file, bytesRead, totalBytes, percent: tenths * 10 }, 'file load progress');
    }
  };
}
