import type { Profile } from '../../config/profile.js';
import type { CalendarDay, SessionTimes } from '../../model/calendar.js';
import { DcassError, isDcassError, type ErrorCode, type Location } from '../../shared/errors.js';
import type { AccountMapRow } from '../normalise/account-resolver.js';
import type { FileMeta, NameFacts } from './file-meta.js';
import type { FileIdentity } from './header-check.js';

/**
 * The messages between the main thread, which talks to the database, and the ingest worker, which
 * reads files into COPY data. Plain data only: whatever crosses is copied (or, for a batch's bytes,
 * moved), so nothing of one side's objects is shared with the other.
 */

/** Everything the worker needs to read one file: no database, no objects with behaviour. */
export interface ReadJob {
  readonly profile: Profile;
  readonly meta: FileMeta;
  readonly name: NameFacts;
  /** The configured participant: a file of another participant is refused. */
  readonly participant: string | null;
  readonly accounts: readonly AccountMapRow[];
  readonly calendarDays: readonly CalendarDay[];
  readonly sessions: SessionTimes;
  /** Rows and rejects per COPY batch. */
  readonly batchRows: number;
}

/** What the database needs of a read file once its last batch is sent: counts and control facts. */
export interface FileFacts {
  readonly rows: number;
  readonly rejected: number;
  readonly control: Record<string, string | number>;
  /** Whether the file has a trailer and whether its header declares a record count (its completeness). */
  readonly trailer: boolean;
  readonly recordCount: boolean;
  /** The rows by the date a run reads them for, [date, rows], for an entity runs read; empty otherwise. */
  readonly datedRows: readonly (readonly [string, number])[];
  /**
   * Per sieved column (EntityModel.sieved): the ordinals (from 0, in the order the rows were sent) of
   * the rows whose value may repeat an earlier row's, among them every row that does; null when too
   * many to list.
   */
  readonly repeats: readonly (readonly [column: string, rows: readonly number[] | null])[];
}

/** One batch's COPY data for the file's table and for rejected_row. */
export interface BatchData {
  readonly rows: number;
  readonly rowBytes: Uint8Array;
  readonly rejects: number;
  readonly rejectBytes: Uint8Array;
}

export type ToWorker =
  | { readonly type: 'read'; readonly job: ReadJob }
  /** The file's lineage row exists: its id, which every row carries. */
  | { readonly type: 'opened'; readonly fileId: string }
  /** A batch is stored: room for one more in flight. */
  | { readonly type: 'stored' };

export type FromWorker =
  /** The header checked out: the main thread creates the file's lineage row and answers with its id. */
  | { readonly type: 'open'; readonly identity: FileIdentity }
  | { readonly type: 'batch'; readonly batch: BatchData }
  | { readonly type: 'progress'; readonly bytes: number }
  | { readonly type: 'done'; readonly facts: FileFacts }
  | { readonly type: 'failed'; readonly failure: Failure };

/** An error of the worker as data: a DcassError keeps what the user is shown, anything else what a bug report needs. */
export type Failure =
  | {
      readonly kind: 'dcass';
      readonly code: ErrorCode;
      readonly message: string;
      readonly location: Location | undefined;
      readonly hint: string | undefined;
      /** The cause's message, which --verbose prints. */
      readonly cause: string | undefined;
    }
  | {
      readonly kind: 'bug';
      readonly name: string;
      readonly message: string;
      readonly stack: string | undefined;
      /** A system error's code (ENOENT...), which decides how the main thread treats the error. */
      readonly code: string | undefined;
    };

export function failureOf(err: unknown): Failure {
  if (isDcassError(err)) {
    const cause = err.cause;
    return {
      kind: 'dcass',
      code: err.code,
      message: err.message,
      location: err.location,
      hint: err.hint,
      cause: cause === undefined ? undefined : cause instanceof Error ? cause.message : String(cause),
    };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  return {
    kind: 'bug',
    name: e.name,
    message: e.message,
    stack: e.stack,
    code: typeof code === 'string' ? code : undefined,
  };
}

/** The error the main thread throws for a failure of the worker: the same code, message, place and hint. */
export function errorOf(failure: Failure): Error {
  if (failure.kind === 'dcass') {
    return new DcassError(failure.code, failure.message, {
      ...(failure.location === undefined ? {} : { location: failure.location }),
      ...(failure.hint === undefined ? {} : { hint: failure.hint }),
      ...(failure.cause === undefined ? {} : { cause: new Error(failure.cause) }),
    });
  }
  const err = new Error(failure.message);
  err.name = failure.name;
  if (failure.stack !== undefined) err.stack = failure.stack;
  if (failure.code !== undefined) Object.assign(err, { code: failure.code });
  return err;
}
