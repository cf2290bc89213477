import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { from as copyFromType } from 'pg-copy-streams';

/** A row for COPY: one text value (or null) per column, in column order. */
export type CopyRow = readonly (string | null)[];

/**
 * Bulk-loads a batch into a table on the transaction's connection; resolves to the row count. `freeze`:
 * the rows are stored as already visible to all (COPY's FREEZE), for a table this transaction created
 * (a file's partition), so that no later read writes their pages again to mark them so.
 */
export type CopyRows = (
  table: string,
  columns: readonly string[],
  batch: CopyData,
  options?: { readonly freeze?: boolean },
) => Promise<number>;

/** What COPY takes: rows as lines, or the same lines already encoded (see CopyBatch.encode). */
export type CopyData = CopyBatch | EncodedCopy;

/**
 * A batch's COPY data as UTF-8 bytes: what the ingest worker hands the main thread, whose buffer moves
 * between threads without a copy (a string would be copied), and which the database takes as it is.
 */
export class EncodedCopy {
  constructor(
    readonly size: number,
    readonly bytes: Uint8Array,
  ) {}
}

/**
 * Encoded COPY lines with a first column added: `values[i]` (ASCII, no character COPY escapes), then
 * a tab, before line i. The values must be as many as the lines. Each line is copied natively
 * (Buffer.copy) rather than through a view made for it, into a buffer not zeroed first (every byte of
 * it is written): 2,000,000 lines in 0.39-0.50 s of the storing thread instead of 0.49-0.71 s.
 */
export function withFirstColumn(batch: EncodedCopy, values: readonly string[]): EncodedCopy {
  const lines = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  let added = 0;
  for (const v of values) added += v.length + 1;
  const out = Buffer.allocUnsafe(lines.length + added);
  let from = 0;
  let to = 0;
  for (const value of values) {
    for (let i = 0; i < value.length; i++) out[to++] = value.charCodeAt(i);
    out[to++] = 9;
    // A line's LF is its end: COPY's text format escapes an LF in a value.
    const end = lines.indexOf(10, from) + 1;
    if (end === 0) throw new Error('withFirstColumn: fewer lines than values');
    to += lines.copy(out, to, from, end);
    from = end;
  }
  if (from !== lines.length) throw new Error('withFirstColumn: more lines than values');
  return new EncodedCopy(batch.size, out);
}

/** The bytes a COPY sends. */
function payload(batch: CopyData): Uint8Array {
  return batch instanceof EncodedCopy ? batch.bytes : batch.encode().bytes;
}

/**
 * Rows in COPY's text format, encoded to UTF-8 as they are added: a batch waiting for the database
 * holds its bytes, not a string per row, so nothing of a row outlives the row. Kept as strings until
 * the batch was sent, a server batch's 20,000 lines outlived two scavenges of the ingest worker's small
 * young generation and were promoted, only to die there: garbage collection took 30% of the worker's
 * time reading a million BOS rows.
 */
export class CopyBatch {
  private bytes: Uint8Array;
  private length = 0;
  private rows = 0;

  /** `capacity`: the bytes expected (a previous batch's size spares growing); it grows as needed. */
  constructor(capacity = 64 * 1024) {
    this.bytes = new Uint8Array(Math.max(capacity, 1024));
  }

  /** A batch of the given rows. */
  static of(rows: Iterable<CopyRow>): CopyBatch {
    const batch = new CopyBatch();
    for (const row of rows) batch.add(row);
    return batch;
  }

  get size(): number {
    return this.rows;
  }

  /** The bytes written so far. */
  get byteLength(): number {
    return this.length;
  }

  add(row: CopyRow): void {
    const values = new Array<string>(row.length);
    for (let i = 0; i < row.length; i++) values[i] = copyTextValue(row[i] as string | null);
    this.addLine(values.join('\t'));
  }

  /**
   * Adds a row the caller knows holds no character COPY's text format escapes (see needsCopyEscape):
   * only nulls are written, as \N. Scanning each value of a million-row file cost about 1 µs a row.
   * Written straight into the buffer, a character at a time while the text is ASCII (as nearly every
   * value is): the line first joined into one string and then encoded left a million joined strings and
   * buffer views to collect, 0.3-0.6 s of a reading thread's 4.3-5.2 s per million rows.
   */
  addPlain(row: CopyRow): void {
    // UTF-8 takes at most three bytes for each UTF-16 code unit; \N two; a tab or LF after each value.
    let most = row.length;
    for (const v of row) most += v === null ? 2 : v.length * 3;
    this.reserve(most);
    const out = this.bytes;
    let at = this.length;
    for (let i = 0; i < row.length; i++) {
      if (i > 0) out[at++] = TAB;
      const v = row[i]!;
      if (v === null) {
        out[at++] = BACKSLASH;
        out[at++] = CAPITAL_N;
        continue;
      }
      let k = 0;
      for (let c = 0; k < v.length && (c = v.charCodeAt(k)) < 0x80; k++) out[at + k] = c;
      at += k;
      // The rest of a value beyond ASCII, encoded whole from its first such character.
      if (k < v.length) at += encoder.encodeInto(v.slice(k), out.subarray(at)).written;
    }
    out[at++] = LF;
    this.length = at;
    this.rows++;
  }

  /** The batch's COPY data as UTF-8 bytes (a view of its own buffer: the batch is done with). */
  encode(): EncodedCopy {
    return new EncodedCopy(this.rows, this.bytes.subarray(0, this.length));
  }

  /** Appends one line and its LF. */
  private addLine(line: string): void {
    this.reserve(line.length * 3 + 1);
    this.length += encoder.encodeInto(line, this.bytes.subarray(this.length)).written;
    this.bytes[this.length++] = LF;
    this.rows++;
  }

  /** Room for `bytes` more bytes, the buffer grown (doubled at least) when short of it. */
  private reserve(bytes: number): void {
    if (this.length + bytes <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + bytes));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

const encoder = new TextEncoder();
const [TAB, LF, BACKSLASH, CAPITAL_N] = [9, 10, 92, 78];

const IDENT = /^[a-z_][a-z0-9_]*$/;

function copyStatement(table: string, columns: readonly string[], source: string, freeze: boolean): string {
  // Identifiers come from our own code, never from input; checked anyway because they are spliced in.
  for (const name of [table, ...columns]) {
    if (!IDENT.test(name)) throw new Error(`not a safe SQL identifier: ${name}`);
  }
  return `COPY ${table} (${columns.join(', ')}) FROM ${source} WITH (FORMAT text${freeze ? ', FREEZE' : ''})`;
}

/**
 * The characters COPY's text format writes escaped (character code, as written), the backslash first:
 * all that COPY TO escapes, so that a line this file writes is the line the database would write of
 * the values stored (the data digest's formula 3 rebuilds it from them).
 */
export const COPY_ESCAPES: readonly (readonly [number, string])[] = [
  [92, '\\\\'],
  [8, '\\b'],
  [9, '\\t'],
  [10, '\\n'],
  [11, '\\v'],
  [12, '\\f'],
  [13, '\\r'],
];

/** How COPY's text format writes a null. */
export const COPY_NULL = '\\N';

const ESCAPED = new Map(COPY_ESCAPES.map(([code, written]) => [String.fromCharCode(code), written]));
const ESCAPE_PATTERN = /[\\\b\t\n\v\f\r]/g;

/** Escapes one value for COPY's text format (COPY_ESCAPES; null as \N). */
function copyTextValue(value: string | null): string {
  if (value === null) return COPY_NULL;
  return needsCopyEscape(value) ? value.replace(ESCAPE_PATTERN, (c) => ESCAPED.get(c)!) : value;
}

/** True when the text holds a character COPY's text format escapes; a plain scan, cheaper than a regex. */
export function needsCopyEscape(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // Backslash, or one of BS, TAB, LF, VT, FF and CR (codes 8 to 13).
    if (c === 92 || (c >= 8 && c <= 13)) return true;
  }
  return false;
}

/** pg-copy-streams, loaded with the first COPY to a server: the embedded database and the ingest worker never need it. */
let copyStreams: Promise<typeof copyFromType> | null = null;
const loadCopyStreams = async () => (await import('pg-copy-streams')).from;

/** COPY through pg-copy-streams on a server connection. */
export function postgresCopy(client: pg.PoolClient): CopyRows {
  return async (table, columns, batch, options) => {
    if (batch.size === 0) return 0;
    const copyFrom = await (copyStreams ??= loadCopyStreams());
    const sink = client.query(copyFrom(copyStatement(table, columns, 'STDIN', options?.freeze === true)));
    const data = payload(batch);
    // A Buffer over the same memory: pg-copy-streams writes Buffers and strings to the socket.
    const chunk =
      typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    await pipeline(Readable.from([chunk]), sink);
    return batch.size;
  };
}

/** COPY from an in-memory blob on PGlite (it has no STDIN stream). */
export function pgliteCopy(pglite: PGlite): CopyRows {
  return async (table, columns, batch, options) => {
    if (batch.size === 0) return 0;
    await pglite.query(copyStatement(table, columns, "'/dev/blob'", options?.freeze === true), [], {
      blob: new Blob([payload(batch)]),
    });
    return batch.size;
  };
}
