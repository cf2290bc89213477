import { sql } from 'kysely';
import { createHash } from 'node:crypto';
import { DATA_DIGEST_VERSION, fileDataDigest } from '../../audit/data-digest.js';
import type { Profile } from '../../config/profile.js';
import { withFirstColumn, type EncodedCopy } from '../../db/copy.js';
import type { Store, StoreTransaction } from '../../db/connect.js';
import { DcassError } from '../../shared/errors.js';
import { hkTime } from '../../model/dates.js';
import type { CalendarDay, SessionTimes } from '../../model/calendar.js';
import type { AccountResolver } from '../normalise/account-resolver.js';
import { fileCompleteness } from '../acquire/completeness.js';
import { NORMALISERS } from '../formats.js';
import type { FileIdentity } from './header-check.js';
import type { IngestWorker } from './ingest-worker.js';
import { isoMicros, type FileMeta, type NameFacts } from './file-meta.js';
import { batchStored } from './stored-batch-heap.js';
import { storeDatedRows } from './dated-rows.js';
import { FilePartition } from './file-partition.js';
import { IdBlocks } from './id-blocks.js';
import { storeRepeatCandidates } from './repeat-candidates.js';
import type { FileFacts } from './worker-protocol.js';

/** Everything loading one file needs besides the file. */
export interface LoadContext {
  readonly store: Store;
  /** The thread that reads the file while this one stores it. */
  readonly reader: IngestWorker;
  /** The calendar in force, as days: the reader makes its own TradingCalendar of them. */
  readonly calendarDays: readonly CalendarDay[];
  readonly sessions: SessionTimes;
  readonly accounts: AccountResolver;
  /** The configured participant: a file of another participant is refused. */
  readonly participant: string | null;
  /** Rows per COPY statement: bounds memory whatever the file size. */
  readonly batchRows?: number;
  readonly onBytes?: (bytesRead: number) => void;
  /** Runs in the file's transaction after it loaded, before the commit: what must commit with it (the audit event). */
  readonly beforeCommit?: (tx: StoreTransaction, result: LoadResult) => Promise<void>;
}

/**
 * Rows per COPY statement, per database: memory stays bounded whatever the file's size. On a server,
 * each statement and its id reservation cost a round trip and a statement's start: 1,000,000 BOS rows
 * took 5.0-5.4 s of storing on the main thread in 20,000-row batches against 6.0-6.4 s in 5,000-row
 * ones, and the load 9.8-11.2 s against 10.8-11.8 s (five rounds back to back), for 25-30 MiB more
 * peak RSS (about 210 MiB). The embedded database keeps 5,000: its peak RSS is the target there.
 */
const BATCH_ROWS: Record<Store['kind'], number> = { postgres: 20_000, pglite: 5_000 };

/** The result of a committed load. */
export interface LoadResult {
  readonly fileId: string;
  readonly identity: FileIdentity;
  readonly rows: number;
  readonly rejected: number;
  readonly supersedes: readonly string[];
  readonly supersededBy: string | null;
  /** What the operator should know of the load: a file loaded as superseded, and by which generation. */
  readonly notice: string | null;
  /** The digest of the rows as stored by this load (see fileDataDigest): what `audit verify --data` checks. */
  readonly dataDigest: string;
}

const REJECT_COLUMNS = ['file_id', 'line_no', 'field', 'code', 'reason', 'raw'] as const;

/**
 * Loads one file in one transaction: all of it or nothing. The worker reads it (see readFileRecords);
 * this thread creates its lineage row, stores each batch it sends and finishes the file. Bad rows
 * become rejected rows; a bad file (control totals, header, encoding, structure) throws DcassError,
 * as does the worker failing, and the transaction rolls back.
 */
export async function loadFile(
  ctx: LoadContext,
  profile: Profile,
  meta: FileMeta,
  name: NameFacts,
): Promise<LoadResult> {
  return ctx.store.transaction(async (tx) => {
    const state = new FileStore(tx, ctx.store.kind, profile, meta);
    const facts = await ctx.reader.read(
      {
        profile,
        meta,
        name,
        participant: ctx.participant,
        accounts: ctx.accounts.rows,
        calendarDays: ctx.calendarDays,
        sessions: ctx.sessions,
        batchRows: ctx.batchRows ?? BATCH_ROWS[ctx.store.kind],
      },
      {
        open: (identity) => state.open(identity),
        store: (rows, rejects) => state.store(rows, rejects),
        progress: (bytes) => ctx.onBytes?.(bytes),
      },
    );
    const result = await state.finish(facts);
    await ctx.beforeCommit?.(tx, result);
    return result;
  });
}

/** One file's side in the database: its lineage row, its batches, its counts, digest and generation. */
class FileStore {
  private identity: FileIdentity | null = null;
  private fileId: string | null = null;
  /** The ids the file's rows were given, hashed as the data digest takes them (each LF-ended, in order). */
  private readonly ids = createHash('sha256');
  /**
   * The rows' COPY lines as stored (without their ids), in order: the data digest's lines
   * (audit/data-digest.ts, formula 3). Hashed here rather than by the reader, whose thread is the
   * busier one on a server: 0.13 s of its 3.3 s per 1,000,000 BOS rows.
   */
  private readonly lines = createHash('sha256');
  /** The blocks of ids the batches took, to find a row's id by its place in the file's rows. */
  private readonly idBlocks = new IdBlocks();
  /** The sequence the entity table's ids come from, where the table is not partitioned by file. */
  private sequence: string | null = null;
  /** The file's partition of its entity table, created with its first rows; null where the table has none. */
  private partition: FilePartition | null | undefined = undefined;
  private readonly table: string;
  private readonly columns: readonly string[];

  constructor(
    private readonly tx: StoreTransaction,
    private readonly kind: Store['kind'],
    private readonly profile: Profile,
    private readonly meta: FileMeta,
  ) {
    ({ table: this.table, columns: this.columns } = NORMALISERS[profile.entity]);
  }

  /** Creates the lineage row once the reader checked the header against the file name and configuration. */
  async open(id: FileIdentity): Promise<string> {
    this.identity = id;
    const inserted = await this.tx.db
      .insertInto('source_file')
      .values({
        source: this.profile.source,
        entity: this.profile.entity,
        profile: this.profile.name,
        report_id: this.profile.reportId,
        participant: id.participant,
        business_date: id.businessDate,
        generated_at: id.generatedAt === null ? null : new Date(id.generatedAt),
        sha256: this.meta.sha256,
        size_bytes: String(this.meta.sizeBytes),
        file_name: this.meta.fileName,
        path: this.meta.path,
        file_mtime: isoMicros(this.meta.mtimeMicros),
        row_count: 0,
        reject_count: 0,
        control: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return (this.fileId = inserted.id);
  }

  async store(rows: EncodedCopy, rejects: EncodedCopy): Promise<void> {
    this.lines.update(rows.bytes);
    if (rows.size > 0 && this.partition === undefined)
      this.partition = await FilePartition.create(this.tx, this.kind, this.table, this.fileId!);
    // Into the file's own partition, its rows stored as visible to all (FilePartition).
    const [into, freeze] = this.partition ? [this.partition.name, true] : [this.table, false];
    await this.tx.copyRows(into, ['id', ...this.columns], await this.withIds(rows), { freeze });
    await this.tx.copyRows('rejected_row', REJECT_COLUMNS, rejects);
    batchStored();
  }

  /**
   * The batch's rows, each given its id from the table's sequence here rather than by the column's
   * default: the load then knows the ids of its rows for the data digest without reading them back.
   * (Read back, the freshly stored rows of a file shared their pages with the rows another file was
   * loading at the same time, and each of those had to be looked at: 5.4 s for 1,000,000 trades.)
   * The batch takes a block of consecutive ids, in line order as the default would give them: from the
   * file's partition's range, or else in one call to the table's sequence (reserve_ids, migration 0022).
   */
  private async withIds(rows: EncodedCopy): Promise<EncodedCopy> {
    if (rows.size === 0) return rows;
    const ids = this.idBlocks.add(
      this.partition?.take(rows.size) ?? (await this.reserveIds(rows.size)),
      rows.size,
    );
    this.ids.update(`${ids.join('\n')}\n`);
    return withFirstColumn(rows, ids);
  }

  /** The first of `n` consecutive ids reserved from the table's sequence. */
  private async reserveIds(n: number): Promise<string> {
    this.sequence ??= (
      await sql<{ s: string }>`SELECT pg_get_serial_sequence(${this.table}, 'id') AS s`.execute(this.tx.db)
    ).rows[0]!.s;
    const taken = await sql<{
      first: string;
    }>`SELECT reserve_ids(${this.sequence}::regclass, ${n}::int) AS first`.execute(this.tx.db);
    return taken.rows[0]!.first;
  }

  /** After the last batch is stored: the file's partition attached, its counts, controls, digest and completeness, then its generation. */
  async finish(facts: FileFacts): Promise<LoadResult> {
    const fileId = this.fileId!;
    const id = this.identity!;
    // First, before any lock another load may hold while it attaches its own (its generation's, the audit trail's).
    await this.partition?.attach(this.tx);
    // Taken in the rows' transaction, of the lines the reader sent (the rows as written) and of the ids
    // this load gave them: what any later change to them is measured by.
    const dataDigest = await fileDataDigest(this.tx.db, fileId, this.profile.entity, DATA_DIGEST_VERSION, {
      n: facts.rows,
      ids: this.ids.digest('hex'),
      lines: this.lines.digest('hex'),
    });
    await this.tx.db
      .updateTable('source_file')
      .set({
        row_count: facts.rows,
        reject_count: facts.rejected,
        control: JSON.stringify(facts.control),
        data_digest: dataDigest,
        data_digest_version: DATA_DIGEST_VERSION,
        completeness: await fileCompleteness(
          this.tx.db,
          this.meta,
          { trailer: facts.trailer, recordCount: facts.recordCount },
          this.profile.completeness?.marker,
        ),
      })
      .where('id', '=', fileId)
      .execute();
    // The reader's counts by date must add up to the rows it sent.
    const dated = facts.datedRows.reduce((n, [, rows]) => n + rows, 0);
    if (facts.datedRows.length > 0 && dated !== facts.rows)
      throw new Error(`the reader counted ${dated} rows by date of ${facts.rows} rows (file ${fileId})`);
    await storeDatedRows(this.tx, fileId, facts.datedRows);
    await storeRepeatCandidates(this.tx, fileId, facts.repeats, this.idBlocks);
    const { supersedes, supersededBy, notice } = await supersede(
      this.tx,
      fileId,
      this.profile,
      id,
      this.meta,
    );
    return {
      fileId,
      identity: id,
      rows: facts.rows,
      rejected: facts.rejected,
      supersedes,
      supersededBy,
      notice,
      dataDigest,
    };
  }
}

/** What orders two generations of one report: the generation time the file gives, then its modification time. */
interface Generation {
  /** Milliseconds since the epoch, from the header or the file name; null when the file gives none. */
  readonly generatedAt: number | null;
  /** Microseconds since the epoch; null for a file loaded before modification times were kept. */
  readonly mtimeMicros: bigint | null;
}

/**
 * Above zero when `a` is the newer generation, below when older, zero when nothing tells them apart.
 * A file loaded before modification times were kept counts as older than one that has it: it was
 * loaded earlier, and load order was the rule it was loaded under.
 */
function compareGenerations(a: Generation, b: Generation): number {
  if (a.generatedAt !== null && b.generatedAt !== null && a.generatedAt !== b.generatedAt)
    return a.generatedAt - b.generatedAt;
  if (a.mtimeMicros === null || b.mtimeMicros === null)
    return (a.mtimeMicros === null ? 0 : 1) - (b.mtimeMicros === null ? 0 : 1);
  return a.mtimeMicros === b.mtimeMicros ? 0 : a.mtimeMicros > b.mtimeMicros ? 1 : -1;
}

/** How a generation is shown to people: its generation time if it has one, and its modification time. */
function describeGeneration(g: Generation): string {
  const parts = [
    g.generatedAt === null ? null : `generated ${hkTime(g.generatedAt)}`,
    g.mtimeMicros === null ? null : `modified ${hkTime(isoMicros(g.mtimeMicros))}`,
  ];
  return parts.filter((p) => p !== null).join(', ') || 'loaded before modification times were kept';
}

/**
 * The generation in force of a report, participant and business date is the newest by what the file
 * says (its generation time), then by its modification time, whatever order the files are loaded in,
 * by one call or by several; all stay for lineage. A file older than the one in force is loaded
 * superseded at once. Two that cannot be ordered (same generation time, or none, and the same
 * modification time, different contents: a file with the same bytes is skipped before) refuse the
 * later one, both named. A generation derived by a calendar change is ordered as the file it was
 * derived from.
 */
async function supersede(
  tx: StoreTransaction,
  fileId: string,
  profile: Profile,
  id: FileIdentity,
  meta: FileMeta,
): Promise<{ supersedes: string[]; supersededBy: string | null; notice: string | null }> {
  const key = `${profile.source}|${profile.entity}|${profile.reportId}|${id.participant}|${id.businessDate ?? ''}`;
  // Serialises concurrent loads of the same report; released at commit.
  await sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`.execute(tx.db);
  const current = await generationsInForce(tx, fileId, profile, id);
  const mine: Generation = {
    generatedAt: id.generatedAt === null ? null : Date.parse(id.generatedAt),
    mtimeMicros: meta.mtimeMicros,
  };
  const tie = current.find((c) => compareGenerations(mine, c.generation) === 0);
  if (tie !== undefined) {
    throw new DcassError(
      'INGEST_GENERATION_UNORDERED',
      `${meta.path} and ${tie.path} (loaded as file #${tie.id}) are the same report, participant and business date with different contents, and nothing orders them (both ${describeGeneration(mine)}): which one is current cannot be told`,
      {
        location: { file: meta.fileName },
        hint: 'nothing of this file was loaded; if it is the current one, give it a later modification time (touch it) and ingest it again',
      },
    );
  }
  const newer = current.filter((c) => compareGenerations(mine, c.generation) < 0);
  if (newer.length > 0) {
    const winner = newer.reduce((a, b) => (compareGenerations(a.generation, b.generation) >= 0 ? a : b));
    await markSuperseded(tx, [fileId], winner.id);
    return {
      supersedes: [],
      supersededBy: winner.file_name,
      notice: `loaded as superseded: a newer generation ${winner.path} (file #${winner.id}, ${describeGeneration(winner.generation)}) is current; this file: ${describeGeneration(mine)}`,
    };
  }
  if (current.length > 0)
    await markSuperseded(
      tx,
      current.map((c) => c.id),
      fileId,
    );
  return { supersedes: current.map((c) => c.file_name), supersededBy: null, notice: null };
}

/** The other files in force of the same report, participant and business date, each with its generation. */
async function generationsInForce(tx: StoreTransaction, fileId: string, profile: Profile, id: FileIdentity) {
  const rows = await tx.db
    .selectFrom('source_file as f')
    .innerJoin('source_file as l', (join) =>
      join.on('l.id', '=', (eb) => eb.fn.coalesce('f.derived_from', 'f.id')),
    )
    .select([
      'f.id',
      'f.file_name',
      'f.path',
      'f.generated_at',
      // Exact to the microsecond: a JavaScript Date would round it to the millisecond.
      sql<string | null>`(extract(epoch FROM l.file_mtime) * 1000000)::bigint::text`.as('mtime_micros'),
    ])
    .where('f.source', '=', profile.source)
    .where('f.entity', '=', profile.entity)
    .where('f.report_id', '=', profile.reportId)
    .where('f.participant', '=', id.participant)
    .where((eb) =>
      id.businessDate === null
        ? eb('f.business_date', 'is', null)
        : eb('f.business_date', '=', id.businessDate),
    )
    .where('f.superseded_by', 'is', null)
    .where('f.id', '!=', fileId)
    .execute();
  return rows.map((c) => ({
    ...c,
    generation: {
      generatedAt: c.generated_at?.getTime() ?? null,
      mtimeMicros: c.mtime_micros === null ? null : BigInt(c.mtime_micros),
    } satisfies Generation,
  }));
}

/** Marks files as superseded by another. */
async function markSuperseded(tx: StoreTransaction, fileIds: readonly string[], by: string): Promise<void> {
  await tx.db.updateTable('source_file').set({ superseded_by: by }).where('id', 'in', fileIds).execute();
}
