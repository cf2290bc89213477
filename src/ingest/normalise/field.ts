import type { FieldSpec } from '../../config/profile.js';
import { readDecimalText } from '../../shared/decimal.js';
import { fail, ok, type Result } from '../../shared/result.js';
import { parseSeries, type Instrument } from './series.js';
import { parseDate, type DateFormat } from '../../model/dates.js';
import {
  parseTime,
  parseTimestamp,
  type HkTimestamp,
  type TimeFormat,
  type TimestampFormat,
} from './values.js';

/**
 * A field's value once read: text, an exact decimal as its canonical text (readDecimalText: the stored
 * form, and its sign and zero can be read off it), a timestamp, an instrument, or absent.
 */
export type FieldValue = string | HkTimestamp | Instrument | null;

/**
 * Reads one field's raw text as its profile says. `refDate` resolves the one-digit year of HKATS
 * series names (the file's business date). Problems come back as issues naming the field.
 */
export function readField(
  name: string,
  spec: FieldSpec,
  text: string | undefined,
  refDate: string | null,
): Result<FieldValue> {
  const s = (text ?? '').trim();
  // The label goes only into issues: made for every value read, it was a string (the positions turned
  // into text, for fixed width) made and dropped per value.
  if (spec.type === 'code') return readCode(name, spec, s);
  if (s === '') {
    return spec.optional
      ? ok(null)
      : fail({
          code: 'MISSING_VALUE',
          field: name,
          message: `${fieldLabel(name, spec)} is required but empty`,
        });
  }
  const r = readTyped(spec, s, refDate);
  return r.ok
    ? r
    : fail({ ...r.issue, field: name, message: `${fieldLabel(name, spec)}: ${r.issue.message}` });
}

/** How a person finds the field in the file: the column or element name, or the positions, with the canonical name. */
export function fieldLabel(name: string, spec: FieldSpec): string {
  if (typeof spec.from === 'string') return spec.from === name ? name : `${spec.from} (${name})`;
  const [start, length] = spec.from;
  return `${name} (positions ${start}-${start + length - 1})`;
}

function readTyped(spec: FieldSpec, s: string, refDate: string | null): Result<FieldValue> {
  switch (spec.type) {
    case 'text':
      return ok(s);
    case 'id':
      // Trade numbers are zero-padded in fixed width and not in XML: compare them unpadded.
      // Most are not padded: a first digit other than 0 leaves nothing to unpad.
      if (s.charCodeAt(0) !== 48) return ok(s);
      if (/^[0-9]+$/.test(s)) {
        const unpadded = s.replace(/^0+(?=[0-9])/, '');
        return ok(spec.zeroIsNull && unpadded === '0' ? null : unpadded);
      }
      return ok(s);
    case 'date':
      return parseDate(s, spec.format as DateFormat);
    case 'time':
      return parseTime(s, spec.format as TimeFormat);
    case 'timestamp':
      return parseTimestamp(s, spec.format as TimestampFormat);
    case 'decimal':
      return readDecimalText(s, {
        impliedDecimals: spec.impliedDecimals ?? 0,
        thousands: spec.thousands ?? null,
        allowSign: spec.signed ?? false,
      });
    case 'series':
      if (refDate === null)
        return fail({ code: 'BAD_SERIES', message: 'no business date to resolve the series year against' });
      return parseSeries(s, refDate);
    case 'code':
      throw new Error('unreachable: codes are read by readCode');
  }
}

function readCode(name: string, spec: FieldSpec, s: string): Result<FieldValue> {
  const map = spec.map ?? {};
  const key = spec.caseInsensitive ? s.toUpperCase() : s;
  if (Object.hasOwn(map, key)) return ok(map[key] ?? null);
  if (s === '' && spec.optional) return ok(null);
  const label = fieldLabel(name, spec);
  if (s === '')
    return fail({ code: 'MISSING_VALUE', field: name, message: `${label} is required but empty` });
  const allowed = Object.keys(map)
    .filter((k) => k !== '')
    .map((k) => `"${k}"`)
    .join(', ');
  return fail({ code: 'BAD_CODE', field: name, message: `${label}: expected one of ${allowed}, got "${s}"` });
}

/** Reads one field of every record of a file: `readField` with a bounded memory of recent texts. */
export type FieldReader = (text: string | undefined, refDate: string | null) => Result<FieldValue>;

/** Distinct texts remembered per field; the memory is emptied when full, so it stays small. */
const MEMO_LIMIT = 4096;

/**
 * A reader for one field that remembers the result for texts it has read before. Results are
 * immutable values (strings, frozen-by-use objects nobody writes to), so sharing one
 * between records is safe; a change of `refDate` (series years) empties the memory.
 */
export function fieldReader(name: string, spec: FieldSpec): FieldReader {
  // Only fields with few distinct texts per file: a memory that keeps filling up and emptying
  // (times, prices, ids) costs more in garbage than it saves.
  const memoised = spec.type === 'date' || spec.type === 'code' || spec.type === 'series';
  if (!memoised) return (text, refDate) => readField(name, spec, text, refDate);
  let memo = new Map<string, Result<FieldValue>>();
  let memoDate: string | null = null;
  return (text, refDate) => {
    if (refDate !== memoDate) {
      memo = new Map();
      memoDate = refDate;
    }
    const key = text ?? '';
    let r = memo.get(key);
    if (r === undefined) {
      r = readField(name, spec, text, refDate);
      if (memo.size >= MEMO_LIMIT) memo = new Map();
      memo.set(key, r);
    }
    return r;
  };
}
