import type { Issue } from '../../shared/issue.js';
import { emptyRecord, type FieldTexts } from '../parse/parse-event.js';
import type { FieldReader, FieldValue } from './field.js';
import { RAW_SERIES } from './record-values.js';

/** A record's values as its profile reads them (defaults applied), or every issue of its fields. */
export type RecordReader = (
  texts: FieldTexts,
  refDate: string | null,
) => Record<string, FieldValue> | readonly Issue[];

/**
 * The record reader of one profile, generated once per file so that each field is read and stored
 * under a constant name (`t["clientCode"]`, `v["clientCode"] = ...`): read in a loop by computed name,
 * every record paid for keyed property access, and the values objects got no stable shape for the row
 * function that reads them next. The names are spliced in as JSON string literals, so any name a
 * profile holds is only ever a property key; the readers and defaults are passed in, not spliced.
 * Every record is read exactly as by a loop over `readers` then `defaults`, in that order.
 */
export function recordReader(
  readers: readonly (readonly [string, FieldReader])[],
  defaults: readonly (readonly [string, FieldValue])[],
): RecordReader {
  const key = (name: string) => JSON.stringify(name);
  const steps = [
    'const v = emptyRecord();',
    'let issues = null;',
    'let r;',
    ...readers.map(
      ([name], i) =>
        `r = read[${i}](t[${key(name)}], refDate); if (r.ok) v[${key(name)}] = r.value; else (issues ??= []).push(r.issue);`,
    ),
    ...defaults.map(
      ([name], i) =>
        `if (v[${key(name)}] === undefined || v[${key(name)}] === null) v[${key(name)}] = defaults[${i}];`,
    ),
    `if (t.series !== undefined) v[${key(RAW_SERIES)}] = t.series.trim();`,
    'return issues === null ? v : issues;',
  ];
  const make = new Function(
    'emptyRecord',
    'read',
    'defaults',
    `return (t, refDate) => {\n${steps.join('\n')}\n};`,
  ) as (...args: unknown[]) => RecordReader;
  return make(
    emptyRecord,
    readers.map(([, r]) => r),
    defaults.map(([, d]) => d),
  );
}

/** Whether a record reader's answer is the record's issues rather than its values. */
export const readFailed = (r: ReturnType<RecordReader>): r is readonly Issue[] => Array.isArray(r);
