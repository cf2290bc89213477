import { fieldTextSql, storedFields } from './entities.js';
import type { ReconciledEntity } from './vocabulary.js';

/**
 * The SQL that reads a trade or position as every report prints it, built from the model: its stored
 * fields as text (textSql), then the file it was read from and its line. Fixed text, no input.
 */

/** The aliases of the record and of its file (source_file) in the report's query. */
export interface RecordAliases {
  readonly record: string;
  readonly file: string;
}

/** The keys of a record as reports print it, in order: its stored fields, then `file` and `line`. */
export function reportRecordKeys(entity: ReconciledEntity): readonly string[] {
  return [...storedFields(entity).map((f) => f.name), 'file', 'line'];
}

/** The record's text values in reportRecordKeys order, comma-separated (the line number as text too). */
export function recordTextsSql(entity: ReconciledEntity, a: RecordAliases): string {
  return [...fieldTexts(entity, a), `${a.file}.file_name`, `${a.record}.line_no::text`].join(', ');
}

/** The record as one JSON object: `id`, its stored fields, `file`, `line` (a number), in that order. */
export function recordObjectSql(entity: ReconciledEntity, a: RecordAliases): string {
  const names = storedFields(entity).map((f) => f.name);
  const pairs = [
    `'id', ${a.record}.id::text`,
    ...fieldTexts(entity, a).map((sql, i) => `'${names[i]!}', ${sql}`),
    `'file', ${a.file}.file_name`,
    `'line', ${a.record}.line_no`,
  ];
  return `json_build_object(${pairs.join(', ')})`;
}

function fieldTexts(entity: ReconciledEntity, a: RecordAliases): string[] {
  return storedFields(entity).map((f) => fieldTextSql(entity, f.name, a.record));
}
