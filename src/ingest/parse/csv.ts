import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse as csvParse, type CsvError } from 'csv-parse';
import type { Profile } from '../../config/profile.js';
import { DcassError } from '../../shared/errors.js';
import { emptyTexts, type FieldTexts, type ParseEvent, type RecordParser } from './parse-event.js';

type Csv = Extract<Profile['format'], { type: 'csv' }>;

/** CSV with a header row; columns are found by header name, unmapped columns kept as raw data. */
export const csvParser: RecordParser = {
  async *parse(text, profile, file) {
    const format = profile.format as Csv;
    const skipped: ParseEvent[] = [];
    const parser = csvParse({
      delimiter: format.delimiter,
      quote: format.quote,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      info: true,
      raw: true,
      on_skip: (err: CsvError | undefined, raw: string | undefined) => {
        const line = typeof err?.lines === 'number' ? err.lines : 0;
        skipped.push({
          kind: 'reject',
          line,
          code: 'BAD_RECORD',
          message: `not valid CSV: ${err?.message ?? 'unreadable record'}`,
          raw: raw ?? '',
        });
        return undefined;
      },
    });
    // pipeline, not pipe: a decoding error of the source must reach the loop below, and leaving the
    // loop early must stop the source.
    pipeline(Readable.from(text), parser).catch(() => undefined);
    let columns: { index: number; field: string }[] | null = null;
    let extras: { index: number; name: string }[] = [];
    let width = 0;
    for await (const item of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
      raw: string;
    }>) {
      yield* skipped.splice(0);
      const { record, info, raw } = item;
      const line = info.lines;
      if (columns === null) {
        ({ columns, extras } = mapHeader(record, profile, file, line));
        width = record.length;
        continue;
      }
      const rawLine = raw.replace(/[\r\n]+$/, '');
      if (record.length !== width) {
        yield {
          kind: 'reject',
          line,
          code: 'BAD_RECORD',
          message: `expected ${width} columns as in the header, got ${record.length}`,
          raw: rawLine,
        };
        continue;
      }
      const values: FieldTexts = emptyTexts();
      for (const { index, field } of columns) values[field] = record[index]!;
      let extra: FieldTexts | null = null;
      if (extras.length > 0) {
        extra = emptyTexts();
        for (const { index, name } of extras) extra[name] = record[index]!;
      }
      yield { kind: 'record', line, values, extra, raw: rawLine };
    }
    yield* skipped.splice(0);
    if (columns === null)
      throw new DcassError('INGEST_FILE_EMPTY', `${file}: the file is empty (no header row)`, {
        location: { file },
      });
  },
};

function mapHeader(header: string[], profile: Profile, file: string, line: number) {
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
  for (const [field, spec] of Object.entries(profile.fields)) {
    const index = names.indexOf(spec.from as string);
    if (index >= 0) columns.push({ index, field });
    else if (!spec.optional) missing.push(`"${spec.from as string}" (${field})`);
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
  return { columns, extras };
}
