import type { AccountResolver } from './account-resolver.js';
import { fail, ok, type Result } from '../../shared/result.js';
import type { FieldTexts } from '../parse/parse-event.js';
import type { FieldValue } from './field.js';
import type { Instrument } from './series.js';
import { formatSeries, instrumentFromFields } from './series.js';
import type { HkTimestamp } from './values.js';

/** Typed access to a record's values; a wrong type here is a profile/code bug, so it throws. */
export const text = (v: FieldValue | undefined): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new TypeError('expected a text value');
  return v;
};
/** A decimal field's canonical text (see readDecimalText): `0` for zero, a leading `-` when negative. */
export const decimal = (v: FieldValue | undefined): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new TypeError('expected a decimal value');
  return v;
};
export const timestamp = (v: FieldValue | undefined): HkTimestamp | null =>
  v !== undefined && v !== null && typeof v === 'object' && 'instant' in v ? v : null;

/** Key under which the pipeline keeps a series name exactly as the source wrote it (trimmed). */
export const RAW_SERIES = 'series:raw';

/** The series name as the source wrote it, when the source names series. */
export function rawSeries(values: Readonly<Record<string, FieldValue>>): string | null {
  const raw = values[RAW_SERIES];
  return typeof raw === 'string' ? raw : null;
}

// Field readers hand out the same Instrument objects for the same text (see fieldReader), so their
// series names are remembered by object; the objects are immutable.
const seriesTexts = new WeakMap<Instrument, string>();

type InstrumentResult = Result<{ instrument: Instrument; series: string }>;

/**
 * Instruments built from separate fields, by their four texts in turn (root, type, expiry, strike):
 * maps within maps, so that finding one makes no key string per record. Emptied when full.
 */
let builtInstruments = new Map<string, Map<string, Map<string, Map<string, InstrumentResult>>>>();
let builtCount = 0;
const BUILT_LIMIT = 4096;

/** The map under `key` in `outer`, made when missing. */
function inner<T>(outer: Map<string, Map<string, T>>, key: string): Map<string, T> {
  let m = outer.get(key);
  if (m === undefined) outer.set(key, (m = new Map()));
  return m;
}

/** The instrument of a record and the series name shown for it: the raw HKATS name, or one built from fields. */
export function instrumentOf(values: Readonly<Record<string, FieldValue>>): InstrumentResult {
  const s = values.series;
  if (s !== undefined && s !== null && typeof s === 'object' && 'root' in s) {
    let series = seriesTexts.get(s);
    if (series === undefined) seriesTexts.set(s, (series = formatSeries(s)));
    return ok({ instrument: s, series });
  }
  const root = text(values.root) ?? '';
  const type = text(values.instrumentType) ?? '';
  const expiry = text(values.expiry) ?? '';
  const strike = text(values.strike) ?? '';
  const byStrike = inner(inner(inner(builtInstruments, root), type), expiry);
  let r = byStrike.get(strike);
  if (r === undefined) {
    const built = instrumentFromFields(root, type, expiry, strike);
    r = built.ok ? ok({ instrument: built.value, series: formatSeries(built.value) }) : built;
    if (builtCount >= BUILT_LIMIT) {
      builtInstruments = new Map();
      builtCount = 0;
    }
    inner(inner(inner(builtInstruments, root), type), expiry).set(strike, r);
    builtCount++;
  }
  return r;
}

/** Whether a canonical decimal text is below zero (canonical: no `-0`). */
export const isNegative = (d: string): boolean => d.charCodeAt(0) === 45;

/** A positive quantity (canonical decimal text), or an issue naming the field. */
export function positive(name: string, d: string | null): Result<string> {
  if (d === null)
    return fail({ code: 'MISSING_VALUE', field: name, message: `${name} is required but empty` });
  if (isNegative(d) || d === '0')
    return fail({ code: 'BAD_DECIMAL', field: name, message: `${name} must be positive, got ${d}` });
  return ok(d);
}

/** A non-negative quantity (canonical decimal text), or an issue naming the field. */
export function nonNegative(name: string, d: string | null): Result<string | null> {
  if (d !== null && isNegative(d)) {
    return fail({ code: 'BAD_DECIMAL', field: name, message: `${name} must not be negative, got ${d}` });
  }
  return ok(d);
}

/**
 * Unmapped columns as JSON text for the `extra` column, or null: written as the database writes jsonb
 * back (keys by their length in UTF-8 bytes, then bytewise; `": "` and `", "` between), so that a row's
 * line is what the data digest rebuilds from the stored value. JSON.stringify escapes a string as
 * PostgreSQL does (quote, backslash, \b \f \n \r \t, other control characters as \u00xx).
 */
export function extraJson(extra: FieldTexts | null): string | null {
  if (extra === null) return null;
  const order = jsonbKeyOrder(Object.keys(extra));
  return `{${order.map((k) => `${JSON.stringify(k)}: ${JSON.stringify(extra[k])}`).join(', ')}}`;
}

const utf8 = new TextEncoder();
/** The last key list ordered: a file's records have the same unmapped columns, so it is ordered once. */
let ordered: { readonly keys: readonly string[]; readonly order: readonly string[] } | null = null;

/** Keys in jsonb's order: shorter (in UTF-8 bytes) first, then bytewise. */
function jsonbKeyOrder(keys: readonly string[]): readonly string[] {
  if (ordered !== null && ordered.keys.length === keys.length && ordered.keys.every((k, i) => k === keys[i]))
    return ordered.order;
  const order = keys
    .map((k) => ({ k, bytes: utf8.encode(k) }))
    .sort((a, b) => a.bytes.length - b.bytes.length || Buffer.compare(a.bytes, b.bytes))
    .map(({ k }) => k);
  ordered = { keys, order };
  return order;
}

/**
 * The DCASS account of a record: given (Genium, DCASS), or the client code's account in the account map
 * on that date (BOS). The client code is kept either way.
 */
export function accountOf(
  values: Readonly<Record<string, FieldValue>>,
  date: string,
  accounts: AccountResolver,
): Result<{ account: string; clientCode: string | null }> {
  const clientCode = text(values.clientCode);
  const account = text(values.account);
  if (account !== null) return ok({ account, clientCode });
  if (clientCode === null)
    return fail({ code: 'MISSING_VALUE', field: 'account', message: 'no account and no client code' });
  const mapped = accounts.resolve(clientCode, date);
  return mapped.ok ? ok({ account: mapped.value.account, clientCode }) : mapped;
}
