import type { Profile } from '../../config/profile.js';
import { CopyBatch, needsCopyEscape, type EncodedCopy } from '../../db/copy.js';
import { TradingCalendar } from '../../model/calendar.js';
import {
  ENTITY_MODELS,
  MOST_REPEAT_CANDIDATES,
  recordDateColumn,
  storedField,
} from '../../model/entities.js';
import { RECONCILED_ENTITIES, type ReconciledEntity } from '../../model/vocabulary.js';
import { DcassError, isDcassError } from '../../shared/errors.js';
import { RepeatSieve } from '../../shared/repeat-sieve.js';
import type { Issue } from '../../shared/issue.js';
import { NORMALISERS, parserOf } from '../formats.js';
import { AccountResolver } from '../normalise/account-resolver.js';
import type { EntityNormaliser, NormaliseContext } from '../normalise/context.js';
import { ExecutionTimes } from '../normalise/execution-times.js';
import { fieldReader } from '../normalise/field.js';
import { HashTotal } from '../normalise/hash-total.js';
import { readFailed, recordReader, type RecordReader } from '../normalise/record-reader.js';
import {
  mayHoldUnstorable,
  mayHoldUnstorableOrCopyEscape,
  storableText,
  unstorableHeader,
  unstorableValue,
} from '../normalise/storable-text.js';
import { decodeStrict } from '../parse/decode.js';
import type { FieldTexts, ParseEvent } from '../parse/parse-event.js';
import { checkHeader, type FileIdentity } from './header-check.js';
import { HashedRead } from './hashed-read.js';
import type { FileFacts, ReadJob } from './worker-protocol.js';

/** How the reader of a file reaches the thread that stores it. */
export interface StoreLink {
  /** Asks for the file's lineage row once its header checked out; resolves to the file's id. */
  open(identity: FileIdentity): Promise<string>;
  /** Hands over a batch; returns a promise only when the reader must wait for room (batches in flight). */
  send(rows: EncodedCopy, rejects: EncodedCopy): Promise<void> | undefined;
  progress(bytesRead: number): void;
}

/**
 * Reads one file into COPY data: its bytes with their sha256 check, decoded, parsed, checked (header,
 * trailer, record count, hash total) and each record normalised to a row or a rejected row. A bad file
 * throws DcassError; the thread that stores it rolls its transaction back.
 */
export async function readFileRecords(job: ReadJob, link: StoreLink): Promise<FileFacts> {
  const { profile, meta } = job;
  const state = new FileRecords(job, link);
  const parse = await parserOf(profile);
  const read = await HashedRead.open(meta, (n) => link.progress(n));
  try {
    try {
      for await (const events of parse(
        decodeStrict(read.chunks(), profile.format.encoding, meta.fileName),
        meta.fileName,
      )) {
        for (const event of events) {
          // Most records need no waiting: only opening the file and a full batch in flight do.
          const pending = state.accept(event);
          if (pending !== undefined) await pending;
        }
      }
    } catch (err) {
      // A file rewritten under the reader reads as damaged: say that it changed, the real cause.
      if (isDcassError(err)) await read.verify();
      throw err;
    }
    await read.verify();
    return await state.finish();
  } finally {
    await read.close();
  }
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

/** The state of one file being read: its identity once opened, its counts, the batch being filled. */
class FileRecords {
  private identity: FileIdentity | null = null;
  private fileId: string | null = null;
  private headerValues: FieldTexts | null = null;
  private trailer: Extract<ParseEvent, { kind: 'trailer' }> | null = null;
  private details = 0;
  private rowCount = 0;
  private rejectCount = 0;
  /**
   * The rows by the date a run reads them for (a trade's clearing date, a position's date), for an
   * entity runs read: stored with the file (file_dated_rows), so that a run need not count them.
   */
  private readonly dated = new Map<string, number>();
  /** Where a row holds that date; null for an entity no run reads (the account map). */
  private readonly dateIndex: number | null;
  /**
   * Each sieved column (EntityModel.sieved): where a row holds it, its filter, and the ordinals (from 0,
   * in the order sent) of the rows whose value it may have seen before in the file; null once more
   * than MOST_REPEAT_CANDIDATES.
   */
  private readonly sieves: { column: string; index: number; sieve: RepeatSieve; rows: number[] | null }[];
  /** The first rejected record, named when every record is rejected. */
  private firstReject: { line: number; reason: string } | null = null;
  private rows = new CopyBatch();
  private rejects = new CopyBatch();
  private readonly hash: HashTotal | null;
  private hashUnreadable: number | null = null;
  private readonly profile: Profile;
  private readonly normaliser: EntityNormaliser;
  /** The profile's fields, each with its reader, and its defaults: looked up once per file, not per record. */
  private readonly read: RecordReader;
  private readonly accounts: AccountResolver;
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
    private readonly job: ReadJob,
    private readonly link: StoreLink,
  ) {
    this.profile = job.profile;
    this.normaliser = NORMALISERS[job.profile.entity];
    const digits = this.profile.control.hashTotal?.digits;
    this.hash = digits === undefined ? null : new HashTotal(digits);
    this.read = recordReader(
      Object.entries(this.profile.fields).map(([name, spec]) => [name, fieldReader(name, spec)] as const),
      Object.entries(this.profile.defaults),
    );
    this.accounts = new AccountResolver(job.accounts);
    this.xml = this.profile.format.type === 'xml';
    const entity = this.profile.entity;
    this.dateIndex = RECONCILED_ENTITIES.includes(entity as ReconciledEntity)
      ? this.normaliser.columns.indexOf(recordDateColumn(entity))
      : null;
    this.sieves = ENTITY_MODELS[entity].sieved.map((name) => {
      const column = storedField(entity, name).column;
      return { column, index: this.normaliser.columns.indexOf(column), sieve: new RepeatSieve(), rows: [] };
    });
  }

  /** Takes one parser event; returns a promise only when the caller must wait (opening, batches in flight). */
  accept(event: ParseEvent): Promise<void> | undefined {
    if (this.fileId === null && event.kind !== 'trailer') return this.acceptOpening(event);
    switch (event.kind) {
      case 'header':
        this.headerValues = checkedHeader(this.job.meta.fileName, event.line, event.values);
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
    return this.rows.size + this.rejects.size >= this.job.batchRows ? this.flush() : undefined;
  }

  /** The events up to the first row: the header (kept for the checks), then opening the file. */
  private async acceptOpening(event: Exclude<ParseEvent, { kind: 'trailer' }>): Promise<void> {
    if (event.kind === 'header')
      this.headerValues = checkedHeader(this.job.meta.fileName, event.line, event.values);
    await this.open(event.line);
    if (event.kind !== 'header') await this.accept(event);
  }

  /** Checks the header against the file name and configuration, then has the lineage row created. */
  private async open(line: number): Promise<void> {
    if (this.fileId !== null) return;
    const id = checkHeader(
      this.profile,
      this.job.meta.fileName,
      this.job.name,
      this.headerValues,
      this.job.participant,
      line,
    );
    this.identity = id;
    this.fileId = await this.link.open(id);
    const fromProfile = [
      ...Object.values(this.profile.defaults),
      ...Object.values(this.profile.fields).flatMap((spec) => Object.values(spec.map ?? {})),
    ];
    this.plainBeyondRaw =
      this.accounts.plainAccounts &&
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
      for (const s of this.sieves) {
        const value = row.value[s.index];
        // Past the cap the file is searched whole, so its filter need not be asked any more.
        if (s.rows === null || value === null || value === undefined || !s.sieve.addSeen(value)) continue;
        if (s.rows.length < MOST_REPEAT_CANDIDATES) s.rows.push(this.rowCount);
        else s.rows = null;
      }
      this.rowCount++;
      if (this.dateIndex !== null) {
        const date = row.value[this.dateIndex]!;
        this.dated.set(date, (this.dated.get(date) ?? 0) + 1);
      }
    } else {
      this.reject(line, row.issue, raw);
    }
  }

  private context(): NormaliseContext {
    if (this.normaliseContext !== null) return this.normaliseContext;
    const id = this.identity!;
    const calendar = new TradingCalendar(this.job.calendarDays);
    return (this.normaliseContext = {
      fileId: this.fileId!,
      source: this.profile.source,
      participant: id.participant,
      businessDate: id.businessDate,
      calendar,
      sessions: this.job.sessions,
      accounts: this.accounts,
      executions: new ExecutionTimes(calendar, this.job.sessions),
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

  /** Hands the filled batch to the storing thread and starts the next; waits only when too many are in flight. */
  private flush(): Promise<void> | undefined {
    const rows = this.rows;
    const rejects = this.rejects;
    // The next batch holds about as many bytes: sized so, it seldom grows.
    this.rows = new CopyBatch(rows.byteLength + (rows.byteLength >> 3));
    this.rejects = new CopyBatch();
    return this.link.send(rows.encode(), rejects.encode());
  }

  /** After the last record: the whole-file checks, then the last batch. */
  async finish(): Promise<FileFacts> {
    if (this.fileId === null) await this.open(0);
    const file = this.job.meta.fileName;
    // A file of which nothing could be read (every client unmapped, every date of another format) is
    // not "loaded, 0 rows": that would hide a wrong profile or account map behind a quiet exit.
    if (this.rowCount === 0 && this.firstReject !== null) {
      throw new DcassError(
        'INGEST_FORMAT',
        `${file}: every record is rejected (${this.rejectCount}); the first, line ${this.firstReject.line}: ${this.firstReject.reason}`,
        {
          location: { file, line: this.firstReject.line },
          hint: 'nothing of it was loaded: fix the file, its profile or the account map, and ingest it again',
        },
      );
    }
    const control = this.checkControls();
    await this.flush();
    return {
      rows: this.rowCount,
      rejected: this.rejectCount,
      control,
      trailer: this.trailer !== null,
      recordCount: this.headerValues?.recordCount !== undefined,
      datedRows: [...this.dated],
      repeats: this.sieves.map((s) => [s.column, s.rows] as const),
    };
  }

  /** Trailer count and hash total (fixed width), recordCount (XML): a mismatch refuses the whole file. */
  private checkControls(): Record<string, string | number> {
    const file = this.job.meta.fileName;
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
