import { Decimal as DecimalJs } from 'decimal.js';
import { DcassError } from './errors.js';
import { fail, ok, type Result } from './result.js';

/**
 * The project's decimal type: a decimal.js clone, so no other library's global settings can change it.
 * Precision 40 covers 30 integer and 10 fraction digits exactly. ROUND_HALF_UP (ties away from zero)
 * is what PostgreSQL NUMERIC does, so JS and SQL agree on the rare rounded result. The exponent
 * thresholds are at their limits so `toString()` never prints exponent notation either.
 */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_UP,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});

/** An instance of the project's `Decimal`. */
export type Decimal = InstanceType<typeof Decimal>;

/** How a decimal number is written in one source field. */
export interface DecimalFormat {
  /** Digits after an implied decimal point (`00000283500000` with 4 = 28350); the text then holds no point. */
  readonly impliedDecimals?: number;
  /** Thousands separator accepted between correctly grouped digits (`1,200`); null or absent = none. */
  readonly thousands?: string | null;
  /** Whether a leading `+` or `-` is accepted; default true. */
  readonly allowSign?: boolean;
}

/**
 * Canonical text of a decimal: plain notation, no trailing fraction zeros, no `-0`
 * (`310.00` -> `310`, `-0` -> `0`, `1e-7` -> `0.0000001`). Used for storage keys and JSON.
 */
export function formatDecimal(d: Decimal): string {
  // NaN and Infinity never come out of parseDecimal; meeting one here is a bug, not bad data.
  if (!d.isFinite()) throw new RangeError(`formatDecimal: expected a finite decimal, got ${d.toString()}`);
  if (d.isZero()) return '0';
  // toFixed() without arguments never uses exponent notation; decimal.js keeps no trailing zeros.
  return d.toFixed();
}

/**
 * Reads a decimal number from source text without ever going through a binary float.
 * Empty text fails with MISSING_VALUE; anything not matching the format fails with BAD_DECIMAL.
 */
export function parseDecimal(text: string, opts: DecimalFormat = {}): Result<Decimal> {
  const r = readDecimalText(text, opts);
  return r.ok ? ok(new Decimal(r.value)) : r;
}

/**
 * parseDecimal's value as its canonical text (formatDecimal's), read by pattern alone: no decimal.js
 * object is made, which is what a load needs of nearly every price and quantity (it stores the text).
 * The digits are kept as written, only leading integer zeros and trailing fraction zeros dropped, so
 * the text is exact whatever its length; `-0` reads as `0`.
 */
export function readDecimalText(text: string, opts: DecimalFormat = {}): Result<string> {
  const implied = opts.impliedDecimals ?? 0;
  const thousands = opts.thousands ?? null;
  const allowSign = opts.allowSign ?? true;
  checkFormat(implied, thousands);
  if (implied === 0) {
    const plain = plainDecimal(text);
    if (plain !== null) return ok(plain);
  }

  const s = text.trim();
  // Built only for a message: it is on the path of every price and quantity read.
  const describe = () => describeFormat(implied, thousands, allowSign);
  if (s === '') return fail({ code: 'MISSING_VALUE', message: `expected ${describe()}, got an empty value` });
  // No price or quantity is written with a hundred characters; a longer value is junk that would only
  // overflow NUMERIC in the database (refusing the whole file) and bloat the message quoting it.
  if (s.length > MAX_DECIMAL_TEXT) {
    return fail({
      code: 'BAD_DECIMAL',
      message: `expected ${describe()}, got a value of ${s.length} characters (at most ${MAX_DECIMAL_TEXT}): "${s.slice(0, 40)}..."`,
    });
  }

  const m = numberPattern(thousands, implied > 0).exec(s);
  if (m === null) return fail({ code: 'BAD_DECIMAL', message: `expected ${describe()}, got "${text}"` });
  const sign = m[1] ?? '';
  if (sign !== '' && !allowSign) {
    return fail({ code: 'BAD_DECIMAL', message: `expected ${describe()}, got "${text}"` });
  }
  const grouped = m[2] ?? '';
  let intPart = thousands === null ? grouped : grouped.replaceAll(thousands, '');
  let fraction = m[3] ?? '';
  if (implied > 0) {
    // Insert the point in the text itself: dividing by 10^n would round to the precision.
    intPart = intPart.padStart(implied + 1, '0');
    fraction = intPart.slice(-implied);
    intPart = intPart.slice(0, -implied);
  }
  return ok(canonicalDigits(sign === '-', intPart, fraction));
}

/**
 * The canonical text of digits with at most one point between digits (`310.50`, `007`), which every
 * format reads the same whatever its separator and sign settings; null for any other text, read by the
 * pattern. Most prices and quantities are written so, and most already canonically: then the text
 * itself is the answer, and nothing is made.
 */
function plainDecimal(text: string): string | null {
  const n = text.length;
  if (n === 0 || n > MAX_DECIMAL_TEXT) return null;
  let point = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 && point === -1 && i > 0 && i < n - 1) point = i;
    else if (c < 48 || c > 57) return null;
  }
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(n - 1);
  // No leading zero but a lone `0` before the point, no trailing fraction zero (so no `0.0` either).
  if ((first !== 48 || n === 1 || point === 1) && (point === -1 || last !== 48)) return text;
  return point === -1
    ? canonicalDigits(false, text, '')
    : canonicalDigits(false, text.slice(0, point), text.slice(point + 1));
}

/** Canonical text of a number given by its digits (at least one integer digit), as formatDecimal writes it. */
function canonicalDigits(negative: boolean, intPart: string, fraction: string): string {
  let i = 0;
  while (i < intPart.length - 1 && intPart.charCodeAt(i) === 48) i++;
  let f = fraction.length;
  while (f > 0 && fraction.charCodeAt(f - 1) === 48) f--;
  const int = i === 0 ? intPart : intPart.slice(i);
  const frac = f === fraction.length ? fraction : fraction.slice(0, f);
  // `-0` and `-0.00` are zero: no negative zero.
  if (int === '0' && frac === '') return '0';
  return `${negative ? '-' : ''}${int}${frac === '' ? '' : `.${frac}`}`;
}

/** The longest text read as a decimal. */
const MAX_DECIMAL_TEXT = 100;

const patternCache = new Map<string, RegExp>();

/** Sign, integer digits (optionally grouped by threes), optional `.fraction` unless the decimals are implied. */
function numberPattern(thousands: string | null, implied: boolean): RegExp {
  const key = `${thousands ?? ''}|${implied}`;
  let re = patternCache.get(key);
  if (re === undefined) {
    const sep = thousands === null ? null : thousands.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const int = sep === null ? '[0-9]+' : `[0-9]{1,3}(?:${sep}[0-9]{3})+|[0-9]+`;
    const frac = implied ? '' : '(?:\\.([0-9]+))?';
    re = new RegExp(`^([+-])?(${int})${frac}$`);
    patternCache.set(key, re);
  }
  return re;
}

/** A bad format is a profile mistake, not a data problem: refuse it loudly. */
function checkFormat(implied: number, thousands: string | null): void {
  if (implied === 0 && (thousands === null || thousands === checkedThousands)) return;
  if (!Number.isInteger(implied) || implied < 0 || implied > 30) {
    throw new DcassError('CONFIG_INVALID', `impliedDecimals must be an integer 0-30, got ${implied}`);
  }
  if (thousands !== null && (thousands === '' || /[0-9.+-]/.test(thousands))) {
    throw new DcassError(
      'CONFIG_INVALID',
      `thousands separator must be a non-empty string without digits, ".", "+" or "-", got "${thousands}"`,
    );
  }
  checkedThousands = thousands;
}

/** The last thousands separator checkFormat accepted: a file's every value is read with the same one. */
let checkedThousands: string | null = null;

function describeFormat(implied: number, thousands: string | null, allowSign: boolean): string {
  const parts = [
    implied > 0 ? `digits only with ${implied} implied decimals` : 'a decimal number like 1234.56',
  ];
  if (thousands !== null) parts.push(`thousands separator "${thousands}" every 3 digits`);
  if (!allowSign) parts.push('unsigned');
  return parts.join(', ');
}
