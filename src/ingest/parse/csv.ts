import { CsvError, parse as csvParse, type Options } from 'csv-parse/sync';
import { dsvFormat } from 'd3-dsv';
import { DcassError } from '../../shared/errors.js';
import { namedFields } from './field-locations.js';
import {
  emptyTexts,
  textsMaker,
  type FieldTexts,
  type ParseEvent,
  type ProfileOf,
  type RecordParser,
} from './parse-event.js';
import { KEPT_PREFIX, physicalLineRuns, type PhysicalLine } from './physical-lines.js';

type Csv = ProfileOf<'csv'>['format'];
type Header = ReturnType<typeof mapHeader>;

/** One CSV record found on physical lines first..last: its fields, or why it is not valid CSV. */
type CsvRecord = { readonly first: number; readonly last: number; readonly raw: string } & (
  { readonly fields: string[] } | { readonly fields: null; readonly problem: string }
);

/**
 * CSV with a header row; columns are found by header name, unmapped columns kept as raw data.
 *
 * csv-parse reads one record at a time, given the physical lines it may span: one line unless the
 * profile allows multi-line fields. Fed the whole file, it would let one stray quote swallow every
 * line after it; fed line by line, a malformed record is rejected with its own lines and text and
 * reading goes on at the next line.
 */
export const csvParser: RecordParser<'csv'> = {
  async *parse(text, profile, file) {
    const { format } = profile;
    let header: Header | null = null;
    let width = 0;
    let loaded = 0;
    let firstReject: { line: number; message: string } | null = null;
    let rejected = 0;
    for await (const run of csvRecords(physicalLineRuns(text, format.maxRecordSize), format, profile.name)) {
      const events: ParseEvent[] = [];
      for (const rec of run) {
        if (header === null) {
          if (rec.fields === null)
            throw new DcassError(
              'INGEST_HEADER_INVALID',
              `${file}:${rec.first}: the header is not readable: ${rec.problem}`,
              {
                location: { file, line: rec.first },
                hint: 'the first line must name the columns; export the file again',
              },
            );
          header = mapHeader(rec.fields, profile, file, rec.first);
          width = rec.fields.length;
          continue;
        }
        const event = toEvent(rec, header, width);
        if (event.kind === 'reject') {
          rejected++;
          firstReject ??= { line: event.line, message: event.message };
        } else {
          loaded++;
        }
        events.push(event);
      }
      if (events.length > 0) yield events;
    }
    if (header === null)
      throw new DcassError('INGEST_FILE_EMPTY', `${file}: the file is empty (no header row)`, {
        location: { file },
      });
    if (loaded === 0 && firstReject !== null)
      throw new DcassError(
        'INGEST_FORMAT',
        `${file}: every record is rejected (${rejected}), the first at line ${firstReject.line}: ${firstReject.message}`,
        {
          location: { file, line: firstReject.line },
          hint: 'nothing of it was loaded; check how the file was exported (delimiter, quotes, line endings)',
        },
      );
    if (loaded === 0 && !format.allowEmpty)
      throw new DcassError('INGEST_FILE_EMPTY', `${file}: a header and no records`, {
        location: { file },
        hint: `an export that stopped early looks the same; if the day really had no records, set format.allowEmpty: true in profile ${profile.name}`,
      });
  },
};

function toEvent(rec: CsvRecord, header: Header, width: number): ParseEvent {
  const where = rec.last > rec.first ? `lines ${rec.first}-${rec.last}: ` : '';
  if (rec.fields === null)
    return {
      kind: 'reject',
      line: rec.first,
      code: 'BAD_RECORD',
      message: where + rec.problem,
      raw: rec.raw,
    };
  const record = rec.fields;
  if (record.length !== width) {
    return {
      kind: 'reject',
      line: rec.first,
      code: 'BAD_RECORD',
      message: `${where}expected ${width} columns as in the header, got ${record.length}`,
      raw: rec.raw,
    };
  }
  const values = header.texts(record);
  let extra: FieldTexts | null = null;
  if (header.extras.length > 0) {
    extra = emptyTexts();
    for (const { index, name } of header.extras) extra[name] = record[index]!;
  }
  return { kind: 'record', line: rec.first, values, extra, raw: rec.raw };
}

/**
 * Lines parsed by one parser call when nothing is wrong with them (a call per line costs about a
 * third more time), up to so many characters in all, so that memory stays flat whatever the lines hold.
 */
const BATCH_LINES = 256;
const BATCH_CHARS = 1024 * 1024;

/**
 * The records of a file from its physical lines, handed over as each run of lines is read (see
 * physicalLineRuns); blank lines between records are skipped.
 */
async function* csvRecords(
  runs: AsyncIterable<PhysicalLine[]>,
  format: Csv,
  profileName: string,
): AsyncGenerator<CsvRecord[]> {
  // record_delimiter LF: a record is handed over without its line ending, so a CR can only be a bare one.
  const options: Options = {
    delimiter: format.delimiter,
    quote: format.quote,
    record_delimiter: '\n',
    relax_column_count: true,
  };
  const max = format.maxRecordSize;
  const tooLong = (length: number) =>
    `longer than the ${max.toLocaleString('en')} characters allowed (${length.toLocaleString('en')}; format.maxRecordSize in profile ${profileName}); only its first ${KEPT_PREFIX.toLocaleString('en')} characters are kept`;
  // The start of a record whose quoted field runs on to the next line (multi-line fields only); in an
  // object, as the functions below change it.
  const state: { open: { first: number; text: string } | null } = { open: null };

  /** The record that ends on this line, if one does. */
  const one = (l: PhysicalLine): CsvRecord | null => {
    const { open } = state;
    const first = open?.first ?? l.line;
    const text = open === null ? l.text : `${open.text}\n${l.text}`;
    state.open = null;
    const bad = (problem: string, raw = text): CsvRecord => ({
      first,
      last: l.line,
      raw,
      fields: null,
      problem,
    });
    if (l.cut || text.length > max)
      return bad(
        tooLong(l.cut ? text.length - l.text.length + l.length : text.length),
        text.slice(0, KEPT_PREFIX),
      );
    const cr = l.text.indexOf('\r');
    if (cr >= 0)
      return bad(
        `a carriage return (CR) alone at character ${cr + 1} of line ${l.line}: lines must end in LF or CRLF, and CR is not allowed inside a value`,
      );
    try {
      return { first, last: l.line, raw: text, fields: csvParse(text, options)[0] ?? [] };
    } catch (err) {
      if (!(err instanceof CsvError)) throw err;
      if (format.multilineFields && err.code === 'CSV_QUOTE_NOT_CLOSED') {
        state.open = { first, text };
        return null;
      }
      return bad(describe(err, format.multilineFields));
    }
  };

  // A line without a quote character is split at its delimiters (see `several`). d3-dsv reads a
  // quoted line about seven times faster than csv-parse (bench:ingest), but accepts stray quotes that
  // csv-parse refuses. So it reads only quoted lines it is right about: a line that d3-dsv's own writer
  // gives back exactly from the fields it read (plain RFC 4180 text, which csv-parse reads into those
  // same fields: a value in quotes because it holds a delimiter, a quote or a line break, and each
  // inner quote doubled). Every other line goes to csv-parse, whose errors name what is wrong.
  // Delimiters d3-dsv's writer handles as plain characters (it builds a regular expression of it).
  const plain =
    format.quote === '"' && /^[,;\t|:]$/.test(format.delimiter) ? dsvFormat(format.delimiter) : null;

  /**
   * The fields of each line, parsed in one call: as many records as lines means no quote ran over a
   * line break, so each record is its line's, if `sound` agrees. Otherwise `fields` is left without it.
   */
  const parseLines = (
    batch: readonly PhysicalLine[],
    lines: readonly number[],
    fields: (string[] | undefined)[],
    parse: (text: string) => string[][],
    sound: (record: string[], line: string) => boolean = () => true,
  ): number[] => {
    if (lines.length === 0) return [];
    let records: string[][] | null = null;
    try {
      records = parse(lines.map((i) => batch[i]!.text).join('\n'));
    } catch (err) {
      if (!(err instanceof CsvError)) throw err;
    }
    if (records?.length !== lines.length) return [...lines];
    const left: number[] = [];
    for (let k = 0; k < lines.length; k++) {
      const i = lines[k]!;
      if (sound(records[k]!, batch[i]!.text)) fields[i] = records[k];
      else left.push(i);
    }
    return left;
  };

  /** Sound lines in a call per parser; a line whose record is not its own is read again on its own. */
  const several = (batch: PhysicalLine[], out: CsvRecord[]): void => {
    if (batch.length === 0) return;
    const fields = new Array<string[] | undefined>(batch.length);
    // A line without the quote character is its values between delimiters, as csv-parse reads it
    // (no line break or CR reaches a batch): split, natively, at a third of d3-dsv's cost.
    const quoted: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      const text = batch[i]!.text;
      if (text.includes(format.quote)) quoted.push(i);
      else fields[i] = text.split(format.delimiter);
    }
    const left =
      plain === null
        ? quoted
        : parseLines(
            batch,
            quoted,
            fields,
            (text) => plain.parseRows(text),
            (record, line) => plain.formatRows([record]) === line,
          );
    parseLines(batch, left, fields, (text) => csvParse(text, options));
    for (let i = 0; i < batch.length; i++) {
      const l = batch[i]!;
      const f = fields[i];
      if (f !== undefined) out.push({ first: l.line, last: l.line, raw: l.text, fields: f });
      else {
        const rec = one(l);
        if (rec !== null) out.push(rec);
      }
    }
  };

  let batch: PhysicalLine[] = [];
  let batchChars = 0;
  let last = 0;
  for await (const run of runs) {
    const out: CsvRecord[] = [];
    for (const l of run) {
      last = l.line;
      if (state.open === null && !l.cut && l.text === '') continue;
      // Multi-line fields are read line by line: a batch would drop the blank lines inside a value.
      if (!format.multilineFields && !l.cut && !l.text.includes('\r')) {
        batch.push(l);
        batchChars += l.text.length;
        if (batch.length === BATCH_LINES || batchChars > BATCH_CHARS) {
          several(batch, out);
          batch = [];
          batchChars = 0;
        }
        continue;
      }
      several(batch, out);
      batch = [];
      batchChars = 0;
      const rec = one(l);
      if (rec !== null) out.push(rec);
    }
    if (out.length > 0) yield out;
  }
  const out: CsvRecord[] = [];
  several(batch, out);
  if (state.open !== null)
    out.push({
      first: state.open.first,
      last,
      raw: state.open.text.slice(0, KEPT_PREFIX),
      fields: null,
      problem: 'a quoted field is still open at the end of the file (a stray quote?)',
    });
  if (out.length > 0) yield out;
}

/** What is wrong, in the file's terms: csv-parse's own messages count lines of the one record it was given. */
function describe(err: CsvError, multiline: boolean): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return multiline
        ? 'a quoted field is not closed (a stray quote?)'
        : 'a quoted field is not closed on its line (a stray quote? this profile allows no line breaks in a value)';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside an unquoted value (a stray quote?); quote the whole value and double the quote';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'characters after the closing quote of a value (a stray quote?)';
    default:
      return `not valid CSV: ${err.message.replace(/ at line \d+/g, '')}`;
  }
}

function mapHeader(header: string[], profile: ProfileOf<'csv'>, file: string, line: number) {
  const names = header.map((h) => h.trim());
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) {
      throw new DcassError('INGEST_HEADER_INVALID', `${file}:${line}: the header names column "${n}" twice`, {
        location: { file, line },
      });
    }
    seen.add(n);
  }
  const columns: { index: number; field: string }[] = [];
  const missing: string[] = [];
  for (const { field, from, optional } of namedFields(profile, profile.fields)) {
    const index = names.indexOf(from);
    if (index >= 0) columns.push({ index, field });
    else if (!optional) missing.push(`"${from}" (${field})`);
  }
  if (missing.length > 0) {
    throw new DcassError(
      'INGEST_COLUMNS_MISSING',
      `${file}:${line}: required column${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}`,
      {
        location: { file, line },
        hint: `the header has: ${names.join(', ')}; fix the file or map the columns in profile ${profile.name}`,
      },
    );
  }
  const mapped = new Set(columns.map((c) => c.index));
  const extras = names.map((name, index) => ({ index, name })).filter(({ index }) => !mapped.has(index));
  return {
    extras,
    texts: textsMaker<readonly string[]>(columns.map(({ index, field }) => ({ field, at: index }))),
  };
}
