/**
 * Failures of the program or its environment. Problems in data rows are not errors: they are
 * `Issue` values (see issue.ts) that parsers record and keep going.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'PROFILE_INVALID'
  | 'PROFILE_NOT_FOUND'
  | 'PROFILE_AMBIGUOUS'
  | 'INGEST_FILE_UNREADABLE'
  | 'INGEST_FILE_CHANGED'
  | 'INGEST_GENERATION_UNORDERED'
  | 'INGEST_FILE_EMPTY'
  | 'INGEST_ENCODING'
  | 'INGEST_HEADER_INVALID'
  | 'INGEST_HEADER_MISMATCH'
  | 'INGEST_TRAILER_MISSING'
  | 'INGEST_TRAILER_MISMATCH'
  | 'INGEST_COLUMNS_MISSING'
  | 'INGEST_XML_MALFORMED'
  | 'INGEST_XML_FORBIDDEN'
  | 'INGEST_RECORD_COUNT_MISMATCH'
  | 'INGEST_FORMAT'
  | 'DB_UNREACHABLE'
  | 'DB_MIGRATION_FAILED'
  | 'DB_QUERY_FAILED'
  | 'DB_CONNECTION_LOST'
  | 'CALENDAR_MISSING_DATE'
  | 'RULES_INVALID'
  | 'RUN_BUSY'
  | 'SFTP_CONFIG_INVALID'
  | 'SFTP_HOST_KEY_MISMATCH'
  | 'SFTP_HOST_KEY_NOT_PINNED'
  | 'SFTP_AUTH_FAILED'
  | 'SFTP_CONNECT_FAILED'
  | 'SFTP_TIMEOUT'
  | 'SFTP_TRANSFER_FAILED'
  | 'SFTP_REMOTE_MISSING'
  | 'ACQUIRE_SOURCE_MISSING'
  | 'ACQUIRE_COPY_FAILED'
  | 'ACQUIRE_INBOX_FAILED'
  | 'USAGE';

/** Where a problem sits: a file and line, or a configuration path. */
export interface Location {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly field?: string;
  readonly path?: string;
}

/** The one error class of the product: a closed code, a message that says what to do, and context. */
export class DcassError extends Error {
  override readonly name = 'DcassError';
  readonly code: ErrorCode;
  readonly location: Location | undefined;
  readonly hint: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { location?: Location; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
  }
}

/** Narrows an unknown thrown value to our error type. */
export function isDcassError(err: unknown): err is DcassError {
  return err instanceof DcassError;
}

/** Formats a location as `file:line` (with field) or a config path, for messages. */
export function formatLocation(loc: Location | undefined): string {
  if (!loc) return '';
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(loc.line !== undefined ? `${loc.file}:${loc.line}` : loc.file);
  if (loc.path !== undefined) parts.push(loc.path);
  if (loc.field !== undefined) parts.push(`field ${loc.field}`);
  return parts.join(' ');
}

/**
 * SQLSTATEs and socket errors that mean the connection to the database server is gone (server
 * stopped or restarted, backend terminated, network cut), not that a statement was wrong: class 08
 * (connection exception), 57P01-57P03 (admin or crash shutdown, cannot connect now).
 */
const CONNECTION_LOST_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTCONN',
  '57P01',
  '57P02',
  '57P03',
]);

/** The messages pg gives a socket that closed without an error code. */
const CONNECTION_LOST_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/**
 * True when the error (or one of its causes) says the connection to the database server was lost:
 * a fault of the environment that stops the whole call, never a problem of the file being loaded.
 */
export function isConnectionLost(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof DcassError) {
      if (e.code === 'DB_CONNECTION_LOST') return true;
      continue;
    }
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_LOST_CODES.has(code) || code.startsWith('08'))) return true;
    if (CONNECTION_LOST_MESSAGES.some((m) => e.message.startsWith(m))) return true;
  }
  return false;
}
