import { Readable } from 'node:stream';
import { parse as csvParse, type CsvError } from 'csv-parse';
import type { Profile } from '../../config/profile.js';
import { DcassError } from '../../shared/errors.js';
import { emptyTexts, type FieldTexts, type ParseEvent, type RecordParser } from './parse-event.js';

type Csv = Extract<Profile['format'], { type: 'csv' }>;

/** One CSV record with the line it ends on and its text as written (line end removed). */
interface CsvRecord {
  readonly record: string[];
  readonly line: number;
  readonly raw: string;
}

/**
 * CSV with a header row; columns are found by header name, unmapped columns kept as raw data.
 *
 * csv-parse is the reference reader. Lines that are plainly well formed (one physical line per
 * record, quotes only around whole fields) are split here without it, which reads them as
 * csv-parse does at a fraction of its cost; at the first line that is anything else (a quoted line
 * break, a stray or unclosed quote, a lone CR) the rest of the file, from the start of that line, is
 * handed to csv-parse, so every unusual case keeps csv-parse's exact reading and messages.
 */
export const csvParser: RecordParser = {
  async *parse(text, profile, file) {
    const format = profile.format as Csv;
    let columns: { index: number; field: string }[] | null = null;
    let extras: { index: number; name: string }[] = [];
    let width = 0;
    for await (const batch of csvRecords(text, format)) {
      for (const item of batch) {
        if ('kind' in item) {
          yield item;
          continue;
        }
        const { record, line, raw } = item;
        if (columns === null) {
          ({ columns, extras } = mapHeader(record, profile, file, line));
          width = record.length;
          continue;
        }
        if (record.length !== width) {
          yield { kind: 'reject', line, code: 'BAD_RECORD', message: `expected ${width} columns as in the header, got ${record.length}`, raw };
          continue;
        }
        const values: FieldTexts = emptyTexts();
        for (const { index, field } of columns) values[field] = record[index]!;
        let extra: FieldTexts | null = null;
        if (extras.length > 0) {
          extra = emptyTexts();
          for (const { index, name } of extras) extra[name] = record[index]!;
        }
        yield { kind: 'record', line, values, extra, raw };
      }
    }
    if (columns === null) throw new DcassError('INGEST_FILE_EMPTY', `${file}: the file is empty (no header row)`, { location: { file } });
  },
};

type Item = CsvRecord | Extract<ParseEvent, { kind: 'reject' }>;

/** Records (and csv-parse's skipped-record rejects) in file order, a chunk's worth at a time. */
async function* csvRecords(chunks: AsyncIterable<string>, format: Csv): AsyncGenerator<Item[]> {
  const delimiter = format.delimiter;
  const quote = format.quote;
  const iterator = chunks[Symbol.asyncIterator]();
  let carry = '';
  let line = 0; // lines read so far
  let eol: '\n' | '\r\n' | null = null; // the record delimiter, once seen (csv-parse takes the first one)
  let handOver: string | null = null;
  // csv-parse's raw text of a record starts with the first character of the line end of every
  // empty line it skipped just before; so does ours.
  let empties = 0;
  for (;;) {
    const next = await iterator.next();
    const text = next.done ? carry : carry + next.value;
    const out: Item[] = [];
    let start = 0;
    for (;;) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) {
        if (!next.done) break;
        if (start >= text.length) break;
        nl = text.length; // a last line without a line end
      }
      let end = nl;
      let seen: '\n' | '\r\n' | null = null;
      if (nl < text.length) {
        seen = nl > start && text.charCodeAt(nl - 1) === 13 ? '\r\n' : '\n';
        if (eol !== null && eol !== seen) {
          handOver = text.slice(start);
          break;
        }
        if (seen === '\r\n') end = nl - 1;
      }
      const raw = text.slice(start, end);
      // Null when the line is not plainly well formed (a final CR among them): csv-parse reads it.
      const record = raw.length === 0 ? EMPTY : splitLine(raw, delimiter, quote);
      if (record === null) {
        handOver = text.slice(start);
        break;
      }
      eol ??= seen;
      line++;
      start = nl + 1;
      if (record === EMPTY) empties++;
      else {
        out.push({ record, line, raw: empties === 0 ? raw : eol!.charAt(0).repeat(empties) + raw });
        empties = 0;
      }
    }
    if (out.length > 0) yield out;
    if (handOver !== null) break;
    if (next.done) return;
    carry = text.slice(start);
  }
  yield* csvParseRest(handOver, iterator, format, eol, line, empties);
}

const EMPTY: string[] = [];

/**
 * The fields of one physical line, or null when the line is not plainly well formed: a CR, a
 * quote inside an unquoted field, text after a closing quote, or a quote left open.
 */
function splitLine(s: string, delimiter: string, quote: string): string[] | null {
  if (s.indexOf('\r') >= 0) return null;
  if (s.indexOf(quote) < 0) return s.split(delimiter);
  const fields: string[] = [];
  const q = quote.charCodeAt(0);
  const d = delimiter.charCodeAt(0);
  const n = s.length;
  let i = 0;
  for (;;) {
    if (i < n && s.charCodeAt(i) === q) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const at = s.indexOf(quote, from);
        if (at < 0) return null; // open quote: a quoted line break, or broken
        value += s.slice(from, at);
        if (at + 1 < n && s.charCodeAt(at + 1) === q) {
          value += quote;
          from = at + 2;
          continue;
        }
        i = at + 1;
        break;
      }
      fields.push(value);
      if (i === n) return fields;
      if (s.charCodeAt(i) !== d) return null;
      i++;
    } else {
      let at = s.indexOf(delimiter, i);
      if (at < 0) at = n;
      const value = s.slice(i, at);
      if (value.indexOf(quote) >= 0) return null;
      fields.push(value);
      if (at === n) return fields;
      i = at + 1;
    }
  }
}

/**
 * csv-parse reads the rest: `head` (from a line start) and the chunks not yet read. It is first
 * given a stand-in for the lines read before, so that it starts in the state it would have reached
 * itself: same line end, same line count, its raw-text buffer emptied by a record on the line of
 * the last record (a one-field record, dropped), then the empty lines that followed that record.
 */
async function* csvParseRest(
  head: string | null,
  iterator: AsyncIterator<string>,
  format: Csv,
  eol: '\n' | '\r\n' | null,
  linesBefore: number,
  emptiesBefore: number,
): AsyncGenerator<Item[]> {
  if (head === null) return;
  const recordLines = linesBefore - emptiesBefore;
  let dropFirst = eol !== null && recordLines > 0;
  async function* rest(): AsyncGenerator<string> {
    if (eol !== null) {
      const blank = (n: number) => (function* () {
        for (; n > 0; n -= 65_536) yield eol.repeat(Math.min(n, 65_536));
      })();
      if (recordLines > 0) {
        yield* blank(recordLines - 1);
        yield (format.delimiter === 'x' || format.quote === 'x' ? 'y' : 'x') + eol;
      }
      yield* blank(emptiesBefore);
    }
    yield head!;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  const skipped: Item[] = [];
  const parser = Readable.from(rest()).pipe(
    csvParse({
      delimiter: format.delimiter,
      quote: format.quote,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      info: true,
      raw: true,
      on_skip: (err: CsvError | undefined, raw: string | undefined) => {
        const line = typeof err?.lines === 'number' ? err.lines : 0;
        skipped.push({ kind: 'reject', line, code: 'BAD_RECORD', message: `not valid CSV: ${err?.message ?? 'unreadable record'}`, raw: raw ?? '' });
        return undefined;
      },
    }),
  );
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number }; raw: string }>) {
    const out = skipped.splice(0);
    if (dropFirst) dropFirst = false;
    else out.push({ record: item.record, line: item.info.lines, raw: item.raw.replace(/[\r\n]+$/, '') });
    if (out.length > 0) yield out;
  }
  if (skipped.length > 0) yield skipped.splice(0);
}

function mapHeader(header: string[], profile: Profile, file: string, line: number) {
  const names = header.map((h) => h.trim());
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) {
      throw new DcassError('INGEST_HEADER_INVALID', `${file}:${line}: the header names column "${n}" twice`, { location: { file, line } });
    }
    seen.add(n);
  }
  const columns: { index: number; field: string }[] = [];
  const missing: string[] = [];
  for (const [field, spec] of Object.entries(profile.fields)) {
    const index = names.indexOf(spec.from as string);
    if (index >= 0) columns.push({ index, field });
    else if (!spec.optional) missing.push(`"${spec.from as string}" (${field})`);
  }
  if (missing.length > 0) {
    throw new DcassError('INGEST_COLUMNS_MISSING', `${file}:${line}: required column${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}`, {
      location: { file, line },
      hint: `the header has: ${names.join(', ')}; fix the file or map the columns in profile ${profile.name}`,
    });
  }
  const mapped = new Set(columns.map((c) => c.index));
  const extras = names.map((name, index) => ({ index, name })).filter(({ index }) => !mapped.has(index));
  return { columns, extras };
}
