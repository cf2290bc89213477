import { DcassError } from '../../shared/errors.js';
import type { Issue } from '../../shared/issue.js';
import { splitLineRuns } from './decode.js';
import { positionedFields, type Position } from './field-locations.js';
import { textsMaker, type ParseEvent, type RecordParser } from './parse-event.js';

const slice = (text: string, [start, length]: Position): string => text.slice(start - 1, start - 1 + length);

/**
 * A detail record longer than its layout: characters past the last field mean a shifted or damaged
 * record (or two joined), whose fields cannot be trusted. Blank overflow is accepted where the profile
 * says records are padded with spaces.
 */
function overflow(record: string, width: number, allowTrailingSpaces: boolean): Issue | undefined {
  if (record.length <= width) return undefined;
  const end = allowTrailingSpaces ? record.replace(/ +$/, '').length : record.length;
  if (end <= width) return undefined;
  return {
    code: 'BAD_RECORD',
    message: allowTrailingSpaces
      ? `the detail record runs to position ${end} with characters other than spaces, but the layout's records are ${width} characters long`
      : `the detail record is ${record.length} characters long, but the layout's records are ${width} characters long`,
  };
}

/** HKEX report data files: a header record, detail records and a trailer, selected by a record-type column. */
export const fixedWidthParser: RecordParser<'fixed-width'> = {
  async *parse(text, profile, file) {
    const { format } = profile;
    const fields = positionedFields(profile, profile.fields);
    const detailTexts = textsMaker<string>(fields.map(({ field, from }) => ({ field, at: from })));
    const headerTexts = textsMaker<string>(
      positionedFields(profile, format.header.fields).map(({ field, from }) => ({ field, at: from })),
    );
    // Editors strip trailing blanks: pad short records so a blank last field still reads as blank.
    const width = Math.max(...fields.map(({ from: [s, l] }) => s + l - 1));
    let seenHeader = false;
    let trailerLine = 0;
    for await (const lines of splitLineRuns(text)) {
      const events: ParseEvent[] = [];
      try {
        for (const { line, text: record } of lines) {
          if (record.trim() === '') continue;
          const type = slice(record, format.recordType);
          if (trailerLine > 0) {
            throw new DcassError(
              'INGEST_FORMAT',
              `${file}:${line}: a record after the trailer (line ${trailerLine})`,
              {
                location: { file, line },
                hint: 'two files were joined, or the file is corrupt; ask for a fresh copy',
              },
            );
          }
          if (!seenHeader) {
            if (type !== format.header.code) {
              throw new DcassError(
                'INGEST_HEADER_INVALID',
                `${file}:${line}: expected the header record (type "${format.header.code}"), got type "${type}"`,
                {
                  location: { file, line },
                  hint: 'is this a report data file of this profile?',
                },
              );
            }
            seenHeader = true;
            events.push({ kind: 'header', line, values: headerTexts(record) });
          } else if (type === format.detailCode) {
            const padded = record.padEnd(width, ' ');
            const values = detailTexts(padded);
            const problem = overflow(record, width, format.allowTrailingSpaces);
            events.push({
              kind: 'record',
              line,
              values,
              extra: null,
              raw: record,
              ...(problem ? { problem } : {}),
            });
          } else if (type === format.trailer.code) {
            trailerLine = line;
            const hash = format.trailer.hashTotal;
            events.push({
              kind: 'trailer',
              line,
              recordCount: slice(record, format.trailer.recordCount),
              hashTotal: hash ? slice(record, hash) : null,
            });
          } else {
            events.push({
              kind: 'reject',
              line,
              code: 'BAD_RECORD',
              message: `unknown record type "${type}"`,
              raw: record,
            });
          }
        }
      } catch (err) {
        // The records before a structural fault are handed over before it is thrown, as they were read.
        if (events.length > 0) yield events;
        throw err;
      }
      if (events.length > 0) yield events;
    }
    if (!seenHeader)
      throw new DcassError('INGEST_FILE_EMPTY', `${file}: the file holds no records`, { location: { file } });
    if (trailerLine === 0) {
      throw new DcassError(
        'INGEST_TRAILER_MISSING',
        `${file}: no trailer record (type "${format.trailer.code}"): the file is truncated`,
        {
          location: { file },
          hint: 'fetch or restore the file again; nothing of it was loaded',
        },
      );
    }
  },
};
