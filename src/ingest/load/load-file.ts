import { sql } from 'kysely';
import { DATA_DIGEST_VERSION, fileDataDigest } from '../../audit/data-digest.js';
import type { Profile } from '../../config/profile.js';
import { CopyBatch, needsCopyEscape } from '../../db/copy.js';
import type { Store, StoreTransaction } from '../../db/connect.js';
import { DcassError, isDcassError } from '../../shared/errors.js';
import { hkTime } from '../../model/dates.js';
import type { Issue } from '../../shared/issue.js';
import type { AccountResolver } from '../normalise/account-resolver.js';
import type { SessionTimes, TradingCalendar } from '../../model/calendar.js';
import type { EntityNormaliser, NormaliseContext } from '../normalise/context.js';
import { ExecutionTimes } from '../normalise/execution-times.js';
import { fieldReader } from '../normalise/field.js';
import { readFailed, recordReader, type RecordReader } from '../normalise/record-reader.js';
import { HashTotal } from '../normalise/hash-total.js';
import {
  mayHoldUnstorable,
  mayHoldUnstorableOrCopyEscape,
  storableText,
  unstorableHeader,
  unstorableValue,
} from '../normalise/storable-text.js';
import { decodeStrict } from '../parse/decode.js';
import type { FieldTexts, FileParser, ParseEvent } from '../parse/parse-event.js';
import { fileCompleteness } from '../acquire/completeness.js';
import { checkHeader, type FileIdentity } from './header-check.js';
import { HashedRead } from './hashed-read.js';
import { isoMicros, type FileMeta, type NameFacts } from './file-meta.js';

/** Everything loading one file needs besides the file. */
export interface LoadContext {
  readonly store: Store;
  readonly calendar: TradingCalendar;
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
 * Loads one file in one transaction: all of it or nothing. Bad rows become rejected rows; a bad file
 * (control totals, header, encoding, structure) throws DcassError and the transaction rolls back.
 */
export async function loadFile(
  ctx: LoadContext,
  profile: Profile,
  parser: FileParser,
  normaliser: EntityNormaliser,
  meta: FileMeta,
  name: NameFacts,
): Promise<LoadResult> {
  return ctx.store.transaction(async (tx) => {
    const state = new FileLoad(ctx, tx, profile, normaliser, meta, name);
    const read = await HashedRead.open(meta, ctx.onBytes);
    try {
      try {
        for await (const event of parser(
          decodeStrict(read.chunks(), profile.format.encoding, meta.fileName),
          meta.fileName,
        )) {
          // Most records need no waiting: only opening the file and sending a full batch do.
          const pending = state.accept(event);
          if (pending !== undefined) await pending;
        }
      } catch (err) {
        // A file rewritten under the reader reads as damaged: say that it changed, the real cause.
        if (isDcassError(err)) await read.verify();
        throw err;
      }
      await read.verify();
      const result = await state.finish();
      await ctx.beforeCommit?.(tx, result);
      return result;
    } finally {
      await read.close();
    }
  });
}

/** Header values the database can store (some are stored as the file's identity), or the file is refused. */
function checkedHeader(file: string, line: number, values: FieldTexts): FieldTexts {
  const name = unstorableHeader(values);
  if (name === null) return values;
  throw new DcassError(
    'INGEST_HEADER_INVALID',
    `${file}:${line}: the header's ${name} holds a NUL byte (0x00), which cannot be stored`,
    {
      location: { file, line, field: name },
      hint: 'the file is damaged: fetch or export it again; nothing of it was loaded',
    },
  );
}

class FileLoad {
  private identity: FileIdentity | null = null;
  private fileId: string | null = null;
  private headerValues: FieldTexts | null = null;
  private trailer: Extract<ParseEvent, { kind: 'trailer' }> | null = null;
  private details = 0;
  private rowCount = 0;
  private rejectCount = 0;
  /** The first rejected record, named when every record is rejected. */
  private firstReject: { line: number; reason: string } | null = null;
  private rows = new CopyBatch();
  private rejects = new CopyBatch();
  private inflight: Promise<void> = Promise.resolve();
  private readonly hash: HashTotal | null;
  private hashUnreadable: number | null = null;
  private readonly batchRows: number;
  /** The profile's fields, each with its reader, and its defaults: looked up once per file, not per record. */
  private readonly read: RecordReader;
  private normaliseContext: NormaliseContext | null = null;
  /**
   * Whether records are XML, whose raw text holds every character of their values only when it holds
   * no '&': an entity or character reference such as &#x200B; is a character of a value that the raw
   * text does not hold. Whatever else saxes gives of a field's text, CDATA included, is written in the
   * record's raw text (less the CRs of line ends, which it turns into LF). A CSV or fixed-width record's
   * raw text always holds every character of its values.
   */
  private readonly xml: boolean;
  /**
   * Whether every value a row takes from elsewhere than its record's raw text is free of characters
   * COPY's text format escapes: the file id, the participant, the profile's defaults and code meanings,
   * the mapped accounts (the other values a normaliser derives are dates, times, decimals and series
   * it writes itself). Checked once per file, when it opens.
   */
  private plainBeyondRaw = false;

  constructor(
    private readonly ctx: LoadContext,
    private readonly tx: StoreTransaction,
    private readonly profile: Profile,
    private readonly normaliser: EntityNormaliser,
    private readonly meta: FileMeta,
    private readonly name: NameFacts,
  ) {
    const digits = profile.control.hashTotal?.digits;
    this.hash = digits === undefined ? null : new HashTotal(digits);
    // 5,000 rows per COPY keeps peak RSS near 220-270 MiB for any file size (20,000 held ~360 MiB)
    // at no measurable cost in time (bench:ingest).
    this.batchRows = ctx.batchRows ?? 5_000;
    this.read = recordReader(
      Object.entries(profile.fields).map(([name, spec]) => [name, fieldReader(name, spec)] as const),
      Object.entries(profile.defaults),
    );
    this.xml = profile.format.type === 'xml';
  }

  /** Takes one parser event; returns a promise only when the caller must wait (opening, a full batch). */
  accept(event: ParseEvent): Promise<void> | undefined {
    if (this.fileId === null && event.kind !== 'trailer') return this.acceptOpening(event);
    switch (event.kind) {
      case 'header':
        this.headerValues = checkedHeader(this.meta.fileName, event.line, event.values);
        return undefined;
      case 'trailer':
        this.trailer = event;
        return undefined;
      case 'reject':
        this.reject(event.line, { code: event.code, message: event.message }, event.raw);
        break;
      case 'record':
        this.details++;
        this.addToHash(event.line, event.values);
        if (event.problem === undefined) this.record(event.line, event.values, event.extra, event.raw);
        else this.reject(event.line, event.problem, event.raw);
        break;
    }
    return this.rows.size + this.rejects.size >= this.batchRows ? this.flush() : undefined;
  }

  /** The events up to the first row: the header (kept for the checks), then opening the file. */
  private async acceptOpening(event: Exclude<ParseEvent, { kind: 'trailer' }>): Promise<void> {
    if (event.kind === 'header')
      this.headerValues = checkedHeader(this.meta.fileName, event.line, event.values);
    await this.open(event.line);
    if (event.kind !== 'header') await this.accept(event);
  }

  /** Checks the header against the file name and configuration, then creates the lineage row. */
  private async open(line: number): Promise<void> {
    if (this.fileId !== null) return;
    this.identity = checkHeader(
      this.profile,
      this.meta.fileName,
      this.name,
      this.headerValues,
      this.ctx.participant,
      line,
    );
    const id = this.identity;
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
    this.fileId = inserted.id;
    const fromProfile = [
      ...Object.values(this.profile.defaults),
      ...Object.values(this.profile.fields).flatMap((spec) => Object.values(spec.map ?? {})),
    ];
    this.plainBeyondRaw =
      this.ctx.accounts.plainAccounts &&
      ![this.fileId, id.participant, ...fromProfile].some((v) => v !== null && needsCopyEscape(v));
  }

  private record(line: number, texts: FieldTexts, extra: FieldTexts | null, raw: string): void {
    // Every format's values pass here before anything reads or stores them. A raw text that holds
    // every character of the values and none the database refuses clears the record at once; one
    // that holds none COPY escapes either spares the row's values that scan too (plainBeyondRaw).
    const holdsValues = extra === null && (!this.xml || !raw.includes('&'));
    const plain = holdsValues && !mayHoldUnstorableOrCopyEscape(raw);
    const unstorable =
      plain || (holdsValues && !mayHoldUnstorable(raw))
        ? null
        : unstorableValue(texts, extra, this.profile.fields);
    if (unstorable !== null) {
      this.reject(line, unstorable, raw);
      return;
    }
    const values = this.read(texts, this.identity?.businessDate ?? null);
    if (readFailed(values)) {
      this.reject(line, values[0]!, raw, values);
      return;
    }
    const row = this.normaliser.toRow(values, extra, line, this.context());
    if (row.ok) {
      if (plain && this.plainBeyondRaw) this.rows.addPlain(row.value);
      else this.rows.add(row.value);
      this.rowCount++;
    } else {
      this.reject(line, row.issue, raw);
    }
  }

  private context(): NormaliseContext {
    if (this.normaliseContext !== null) return this.normaliseContext;
    const id = this.identity!;
    return (this.normaliseContext = {
      fileId: this.fileId!,
      source: this.profile.source,
      participant: id.participant,
      businessDate: id.businessDate,
      calendar: this.ctx.calendar,
      sessions: this.ctx.sessions,
      accounts: this.ctx.accounts,
      executions: new ExecutionTimes(this.ctx.calendar, this.ctx.sessions),
    });
  }

  private reject(line: number, issue: Issue, raw: string, all: readonly Issue[] = [issue]): void {
    // Raw text and messages are kept as they came (a parser's message may quote the record): made storable.
    const reason = storableText(all.map((i) => i.message).join('; '));
    const field = issue.field === undefined ? null : storableText(issue.field);
    this.rejects.add([this.fileId!, String(line), field, issue.code, reason, storableText(raw)]);
    this.rejectCount++;
    this.firstReject ??= { line, reason };
  }

  /** Sums the hash-total fields as the trailer does: their digits as written, implied decimals included. */
  private addToHash(line: number, texts: FieldTexts): void {
    if (this.hash === null) return;
    for (const name of this.profile.control.hashTotal?.of ?? []) {
      const t = (texts[name] ?? '').trim();
      if (/^[0-9]+$/.test(t)) this.hash.add(BigInt(t));
      else this.hashUnreadable ??= line;
    }
  }

  /** Sends the buffered rows while the parser reads on; at most one batch is in flight. */
  private async flush(): Promise<void> {
    const rows = this.rows;
    const rejects = this.rejects;
    this.rows = new CopyBatch();
    this.rejects = new CopyBatch();
    await this.inflight;
    const { table, columns } = this.normaliser;
    this.inflight = (async () => {
      await this.tx.copyRows(table, columns, rows);
      await this.tx.copyRows('rejected_row', REJECT_COLUMNS, rejects);
    })();
    // Keep a failure for the next await instead of an unhandled rejection meanwhile.
    this.inflight.catch(() => undefined);
  }

  async finish(): Promise<LoadResult> {
    if (this.fileId === null) await this.open(0);
    // A file of which nothing could be read (every client unmapped, every date of another format) is
    // not "loaded, 0 rows": that would hide a wrong profile or account map behind a quiet exit.
    if (this.rowCount === 0 && this.firstReject !== null) {
      throw new DcassError(
        'INGEST_FORMAT',
        `${this.meta.fileName}: every record is rejected (${this.rejectCount}); the first, line ${this.firstReject.line}: ${this.firstReject.reason}`,
        {
          location: { file: this.meta.fileName, line: this.firstReject.line },
          hint: 'nothing of it was loaded: fix the file, its profile or the account map, and ingest it again',
        },
      );
    }
    const control = this.checkControls();
    await this.flush();
    await this.inflight;
    const id = this.identity!;
    // Taken from the rows as written, in their transaction: what any later change to them is measured by.
    const dataDigest = await fileDataDigest(
      this.tx.db,
      this.fileId!,
      this.profile.entity,
      DATA_DIGEST_VERSION,
    );
    await this.tx.db
      .updateTable('source_file')
      .set({
        row_count: this.rowCount,
        reject_count: this.rejectCount,
        control: JSON.stringify(control),
        data_digest: dataDigest,
        data_digest_version: DATA_DIGEST_VERSION,
        completeness: await fileCompleteness(
          this.tx.db,
          this.meta,
          { trailer: this.trailer !== null, recordCount: this.headerValues?.recordCount !== undefined },
          this.profile.completeness?.marker,
        ),
      })
      .where('id', '=', this.fileId!)
      .execute();
    const { supersedes, supersededBy, notice } = await supersede(
      this.tx,
      this.fileId!,
      this.profile,
      id,
      this.meta,
    );
    return {
      fileId: this.fileId!,
      identity: id,
      rows: this.rowCount,
      rejected: this.rejectCount,
      supersedes,
      supersededBy,
      notice,
      dataDigest,
    };
  }

  /** Trailer count and hash total (fixed width), recordCount (XML): a mismatch refuses the whole file. */
  private checkControls(): Record<string, string | number> {
    const file = this.meta.fileName;
    const control: Record<string, string | number> = { details: this.details };
    if (this.trailer !== null) {
      const expected = this.trailer.recordCount.trim();
      control.trailerCount = expected;
      if (!/^[0-9]+$/.test(expected) || BigInt(expected) !== BigInt(this.details)) {
        throw new DcassError(
          'INGEST_TRAILER_MISMATCH',
          `${file}:${this.trailer.line}: the trailer counts ${/^[0-9]+$/.test(expected) ? BigInt(expected).toString() : `"${expected}"`} detail records but the file has ${this.details}: truncated or corrupt`,
          {
            location: { file, line: this.trailer.line, field: 'recordCount' },
            hint: 'restore or fetch the file again; nothing of it was loaded',
          },
        );
      }
      if (this.hash !== null && this.trailer.hashTotal !== null) {
        const expectedHash = this.trailer.hashTotal.trim();
        control.trailerHash = expectedHash;
        control.hashTotal = this.hash.value().toString();
        if (this.hashUnreadable !== null || !this.hash.matches(this.trailer.hashTotal.trim())) {
          const got =
            this.hashUnreadable !== null
              ? `unreadable (line ${this.hashUnreadable} has no number there)`
              : this.hash.value().toString();
          throw new DcassError(
            'INGEST_TRAILER_MISMATCH',
            `${file}:${this.trailer.line}: the trailer's hash total is ${expectedHash} but the details sum to ${got}: corrupt`,
            {
              location: { file, line: this.trailer.line, field: 'hashTotal' },
              hint: 'restore or fetch the file again; nothing of it was loaded',
            },
          );
        }
      }
    }
    const declared = this.headerValues?.recordCount;
    if (declared !== undefined) {
      control.recordCount = declared;
      if (!/^[0-9]+$/.test(declared.trim()) || BigInt(declared.trim()) !== BigInt(this.details)) {
        throw new DcassError(
          'INGEST_RECORD_COUNT_MISMATCH',
          `${file}: recordCount says ${declared} records but the file has ${this.details}: truncated or corrupt`,
          {
            location: { file, field: 'recordCount' },
            hint: 'fetch the report again; nothing of it was loaded',
          },
        );
      }
    }
    return control;
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
