import { fieldTextSql, storedFields, textSql, type FieldType } from './entities.js';
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

// A value of the type (`expr` SQL) as JSON text: a string, or null. Decimals, dates and instants
// print as digits and separators only, so only text needs escaping.
const jsonValue = (type: FieldType | 'integer', expr: string): string =>
  type === 'text'
    ? `coalesce(to_json(${expr})::text, 'null')`
    : type === 'integer'
      ? `coalesce(${expr}::text, 'null')`
      : `coalesce('"' || ${textSql(type, expr)} || '"', 'null')`;

/**
 * The record as breaks.json prints it: the text of one compact JSON object, `id`, its stored fields,
 * `file`, `line` (a number), built by the database (no parse and print again in the writer).
 */
export function recordJsonSql(entity: ReconciledEntity, a: RecordAliases): string {
  return [
    `'{"id":"' || ${a.record}.id || '"'`,
    ...storedFields(entity).map((f) => `',"${f.name}":' || ${jsonValue(f.type, `${a.record}.${f.column}`)}`),
    `',"file":' || ${jsonValue('text', `${a.file}.file_name`)}`,
    `',"line":' || ${jsonValue('integer', `${a.record}.line_no`)} || '}'`,
  ].join(' || ');
}

function fieldTexts(entity: ReconciledEntity, a: RecordAliases): string[] {
  return storedFields(entity).map((f) => fieldTextSql(entity, f.name, a.record));
}
