import { formatDecimal, parseDecimal } from '../../shared/decimal.js';
import { fail, ok, type Result } from '../../shared/result.js';
import { parseDate } from '../../model/dates.js';
import { combinationExpiry, COMBINATION_SEPARATOR } from '../../model/combination.js';

/** A normalised instrument: what a series name or a BOS product row means, whatever the source. */
export interface Instrument {
  /** Underlying root, 1-6 letters A-Z (`HSI`, `TCH`). */
  readonly root: string;
  /** F future, C call, P put. */
  readonly type: 'F' | 'C' | 'P';
  /** Expiry month, `YYYY-MM`. */
  readonly expiry: string;
  /** Strike as a canonical decimal string (formatDecimal), null for futures. */
  readonly strike: string | null;
  /**
   * A calendar spread's far leg, expiry month `YYYY-MM`, always after `expiry` (the near leg). Absent
   * for a plain series. A spread is a combination: only its legs clear and hold positions.
   */
  readonly far?: string;
}

// Month codes, January first. The letter sets overlap (M is June for a future, January for a put),
// so the presence of a strike, not the letter, decides whether a name is an option.
const FUTURES_MONTHS = 'FGHJKMNQUVXZ';
const CALL_MONTHS = 'ABCDEFGHIJKL';
const PUT_MONTHS = 'MNOPQRSTUVWX';

// Root letters, optional strike (digits, optional fraction), month letter, year digit. Root and
// strike use disjoint characters, so the split is unique.
const SERIES_RE = /^([A-Z]+)([0-9]+(?:\.[0-9]+)?)?([A-Z])([0-9])$/;
const ROOT_RE = /^[A-Z]{1,6}$/;
const EXPIRY_RE = /^([0-9]{4})-([0-9]{2})$/;
// HKATS futures calendar spread: root, near month letter and year digit, `/`, far month and year.
const SPREAD_RE = /^([A-Z]+)([A-Z])([0-9])\/([A-Z])([0-9])$/;

/**
 * Parses an HKATS series name (`HSIK9`, `HSI28000E9`, `TCH310.00E9`) against the business date
 * `YYYY-MM-DD` that resolves its single year digit into [businessYear-1, businessYear+8]. A futures
 * calendar spread (`HSIK9/M9`) is a future whose `far` names its far leg.
 */
export function parseSeries(name: string, businessDate: string): Result<Instrument> {
  const s = name.trim();
  const bad = (why: string): Result<Instrument> =>
    fail({
      code: 'BAD_SERIES',
      message: `expected an HKATS series name like HSIK9 or HSI28000E9 (${why}), got "${name}"`,
    });
  if (s === '')
    return fail({ code: 'MISSING_VALUE', message: 'expected an HKATS series name, got an empty value' });
  const bd = parseDate(businessDate, 'YYYY-MM-DD');
  if (!bd.ok) return bd;

  if (s.includes(COMBINATION_SEPARATOR)) return parseSpread(s, name, Number(bd.value.slice(0, 4)));
  const m = SERIES_RE.exec(s);
  if (m === null) {
    return bad('root letters, optional strike, month letter, one year digit');
  }
  const [, root = '', strikeText, monthCode = '', yearDigit = ''] = m;
  if (!ROOT_RE.test(root)) return bad(`root must be 1 to 6 letters, got "${root}"`);

  let type: Instrument['type'];
  let month: number;
  let strike: string | null = null;
  if (strikeText === undefined) {
    type = 'F';
    month = FUTURES_MONTHS.indexOf(monthCode) + 1;
    if (month === 0) return bad(`futures month code must be one of ${FUTURES_MONTHS}, got "${monthCode}"`);
  } else {
    const call = CALL_MONTHS.indexOf(monthCode) + 1;
    const put = PUT_MONTHS.indexOf(monthCode) + 1;
    if (call === 0 && put === 0) {
      return bad(`option month code must be A-L (calls) or M-X (puts), got "${monthCode}"`);
    }
    type = call > 0 ? 'C' : 'P';
    month = call > 0 ? call : put;
    const k = parseStrike(strikeText);
    if (!k.ok) return bad(k.issue.message);
    strike = k.value;
  }
  const year = resolveYearDigit(Number(yearDigit), Number(bd.value.slice(0, 4)));
  return ok({ root, type, expiry: `${year}-${String(month).padStart(2, '0')}`, strike });
}

/**
 * A futures calendar spread `HSIK9/M9`: both legs' years resolve against the business year as a plain
 * series' does; the far leg must expire after the near one (HKATS lists no other order).
 */
function parseSpread(s: string, name: string, businessYear: number): Result<Instrument> {
  const bad = (why: string): Result<Instrument> =>
    fail({
      code: 'BAD_SERIES',
      message: `expected an HKATS calendar spread like HSIK9/M9 (${why}), got "${name}"`,
    });
  const m = SPREAD_RE.exec(s);
  if (m === null)
    return bad('root letters, near month letter and year digit, "/", far month letter and year digit');
  const [, root = '', nearCode = '', nearYear = '', farCode = '', farYear = ''] = m;
  if (!ROOT_RE.test(root)) return bad(`root must be 1 to 6 letters, got "${root}"`);
  const leg = (code: string, digit: string, which: string): Result<string> => {
    const month = FUTURES_MONTHS.indexOf(code) + 1;
    if (month === 0)
      return fail({
        code: 'BAD_SERIES',
        message: `expected an HKATS calendar spread like HSIK9/M9 (${which} month code must be one of ${FUTURES_MONTHS}, got "${code}"), got "${name}"`,
      });
    const year = resolveYearDigit(Number(digit), businessYear);
    return ok(`${year}-${String(month).padStart(2, '0')}`);
  };
  const near = leg(nearCode, nearYear, 'near');
  if (!near.ok) return near;
  const far = leg(farCode, farYear, 'far');
  if (!far.ok) return far;
  // YYYY-MM texts order as the months do.
  if (far.value <= near.value) {
    return bad(`the far leg ${far.value} must expire after the near leg ${near.value}`);
  }
  return ok({ root, type: 'F', expiry: near.value, strike: null, far: far.value });
}

/**
 * The expiry an instrument is stored and keyed with: its expiry month, or a calendar spread's two
 * (combinationExpiry, `2019-05/2019-06`).
 */
export function storedExpiry(inst: Instrument): string {
  return inst.far === undefined ? inst.expiry : combinationExpiry(inst.expiry, inst.far);
}

/**
 * Builds the HKATS series name of an instrument. The strike is written canonically, so
 * `TCH310.00E9` comes back as `TCH310E9`: callers keep the raw name for display.
 * Throws RangeError for an instrument that no parser could have produced (a bug, not bad data).
 */
export function formatSeries(inst: Instrument): string {
  const m = EXPIRY_RE.exec(inst.expiry);
  const month = Number(m?.[2] ?? 0);
  if (m === null || month < 1 || month > 12 || !ROOT_RE.test(inst.root)) {
    throw new RangeError(`formatSeries: not a valid instrument: ${JSON.stringify(inst)}`);
  }
  const yearDigit = (m[1] ?? '').slice(-1);
  if (inst.type === 'F') {
    if (inst.strike !== null)
      throw new RangeError(`formatSeries: a future has no strike: ${JSON.stringify(inst)}`);
    const near = `${inst.root}${FUTURES_MONTHS.charAt(month - 1)}${yearDigit}`;
    if (inst.far === undefined) return near;
    const f = EXPIRY_RE.exec(inst.far);
    const farMonth = Number(f?.[2] ?? 0);
    if (f === null || farMonth < 1 || farMonth > 12 || inst.far <= inst.expiry) {
      throw new RangeError(`formatSeries: not a valid calendar spread: ${JSON.stringify(inst)}`);
    }
    return `${near}${COMBINATION_SEPARATOR}${FUTURES_MONTHS.charAt(farMonth - 1)}${(f[1] ?? '').slice(-1)}`;
  }
  if (inst.far !== undefined)
    throw new RangeError(
      `formatSeries: only futures calendar spreads are combinations: ${JSON.stringify(inst)}`,
    );
  if (inst.strike === null || !/^[0-9]+(?:\.[0-9]+)?$/.test(inst.strike)) {
    throw new RangeError(`formatSeries: an option needs a decimal strike: ${JSON.stringify(inst)}`);
  }
  const letters = inst.type === 'C' ? CALL_MONTHS : PUT_MONTHS;
  return `${inst.root}${inst.strike}${letters.charAt(month - 1)}${yearDigit}`;
}

/**
 * Builds an instrument from separate fields (BOS exports): root, type F/C/P, expiry `YYYY-MM` and a
 * strike that is blank for futures and required for options (thousands separators accepted).
 */
export function instrumentFromFields(
  root: string,
  type: string,
  expiry: string,
  strike: string,
): Result<Instrument> {
  const bad = (field: string, message: string): Result<Instrument> =>
    fail({ code: 'BAD_INSTRUMENT', field, message });
  const r = root.trim();
  if (!ROOT_RE.test(r)) return bad('root', `expected a product root of 1 to 6 letters A-Z, got "${root}"`);
  const t = type.trim();
  if (t !== 'F' && t !== 'C' && t !== 'P')
    return bad('type', `expected an instrument type F, C or P, got "${type}"`);
  // A calendar spread's expiry names both legs, `YYYY-MM/YYYY-MM` (the stored form, storedExpiry).
  const [e = '', far, ...more] = expiry.trim().split(COMBINATION_SEPARATOR);
  const validMonth = (x: string) => {
    const em = EXPIRY_RE.exec(x);
    const month = Number(em?.[2] ?? 0);
    return em !== null && month >= 1 && month <= 12 && em[1] !== '0000';
  };
  if (!validMonth(e) || (far !== undefined && !validMonth(far)) || more.length > 0) {
    return bad(
      'expiry',
      `expected an expiry month YYYY-MM (or a calendar spread's YYYY-MM/YYYY-MM), got "${expiry}"`,
    );
  }
  if (far !== undefined) {
    if (t !== 'F') return bad('type', `expected type F for a calendar spread, got "${type}"`);
    if (far <= e) return bad('expiry', `expected the far leg to expire after the near leg, got "${expiry}"`);
  }
  const k = strike.trim();
  if (t === 'F') {
    if (k !== '') return bad('strike', `expected a blank strike for a future, got "${strike}"`);
    return ok(
      far === undefined
        ? { root: r, type: t, expiry: e, strike: null }
        : { root: r, type: t, expiry: e, strike: null, far },
    );
  }
  if (k === '') return bad('strike', `expected a strike for an option (type ${t}), got a blank`);
  const parsed = parseStrike(k, ',');
  if (!parsed.ok) return bad('strike', parsed.issue.message);
  return ok({ root: r, type: t, expiry: e, strike: parsed.value });
}

/** A strike is a positive decimal without sign; returned canonical so equal strikes compare equal. */
function parseStrike(text: string, thousands: string | null = null): Result<string> {
  const d = parseDecimal(text, { allowSign: false, thousands });
  if (!d.ok) return d;
  if (d.value.isZero())
    return fail({ code: 'BAD_DECIMAL', message: `expected a positive strike, got "${text}"` });
  return ok(formatDecimal(d.value));
}

/** The year in [businessYear-1, businessYear+8] whose last digit is `digit` (ten years, one per digit). */
function resolveYearDigit(digit: number, businessYear: number): number {
  const first = businessYear - 1;
  return first + ((((digit - first) % 10) + 10) % 10);
}
