/** Exact text formatting helpers: fixed width fields, decimal strings, dates, CSV and XML escaping. */

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Splits a plain decimal string into sign, integer digits and fraction digits; throws on anything else. */
export function splitDecimal(value: string): { neg: boolean; int: string; frac: string } {
  const m = DECIMAL.exec(value);
  if (!m) throw new Error(`not a plain decimal: ${JSON.stringify(value)}`);
  return { neg: m[1] === '-', int: m[2] ?? '0', frac: m[3] ?? '' };
}

/** Canonical plain decimal: no leading zeros, no trailing fraction zeros (`412.50` -> `412.5`). */
export function canonicalDecimal(value: string): string {
  const { neg, int, frac } = splitDecimal(value);
  const i = int.replace(/^0+(?=\d)/, '');
  const f = frac.replace(/0+$/, '');
  const body = f ? `${i}.${f}` : i;
  return neg && body !== '0' ? `-${body}` : body;
}

/** Right-aligned, zero-padded number of a fixed width; throws if it does not fit. */
export function zeroPad(value: number | bigint | string, width: number): string {
  const s = String(value);
  if (!/^\d+$/.test(s)) throw new Error(`zeroPad needs a non-negative integer, got ${s}`);
  if (s.length > width) throw new Error(`${s} does not fit in ${width} digits`);
  return s.padStart(width, '0');
}

/** Left-justified, space-padded text of a fixed width; throws if it does not fit. */
export function padText(value: string, width: number): string {
  if (value.length > width) throw new Error(`"${value}" does not fit in ${width} characters`);
  return value.padEnd(width, ' ');
}

/** A decimal string as implied-decimal digits (`28350` with scale 4, width 14 -> `00000283500000`). */
export function impliedDecimal(value: string, scale: number, width: number): string {
  const { neg, int, frac } = splitDecimal(value);
  if (neg) throw new Error(`negative value in implied-decimal field: ${value}`);
  if (frac.replace(/0+$/, '').length > scale) throw new Error(`${value} has more than ${scale} decimals`);
  return zeroPad(int.replace(/^0+/, '') + frac.padEnd(scale, '0').slice(0, scale), width);
}

/** Groups the integer digits with commas and keeps at least `minFrac` fraction digits (`28350` -> `28,350.00`). */
export function thousands(value: string, minFrac: number): string {
  const { neg, int, frac } = splitDecimal(value);
  const grouped = int.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const f = frac.length >= minFrac ? frac : frac.padEnd(minFrac, '0');
  return `${neg ? '-' : ''}${grouped}${f ? `.${f}` : ''}`;
}

/** `20190506` -> `2019-05-06`. */
export function isoDate(yyyymmdd: string): string {
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}

/** `20190506` -> `06/05/2019`. */
export function ddmmyyyy(yyyymmdd: string): string {
  return `${yyyymmdd.slice(6, 8)}/${yyyymmdd.slice(4, 6)}/${yyyymmdd.slice(0, 4)}`;
}

/** `211403` -> `21:14:03`. */
export function colonTime(hhmmss: string): string {
  return `${hhmmss.slice(0, 2)}:${hhmmss.slice(2, 4)}:${hhmmss.slice(4, 6)}`;
}

/** Hong Kong local date and time as ISO 8601 with the fixed +08:00 offset. */
export function hkIso(yyyymmdd: string, hhmmss: string): string {
  return `${isoDate(yyyymmdd)}T${colonTime(hhmmss)}+08:00`;
}

/** One CSV field, RFC 4180 quoted only when it holds a comma, quote, CR or LF. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV line (without its line end). */
export function csvLine(fields: readonly string[]): string {
  return fields.map(csvField).join(',');
}

/** Escapes text for an XML element or attribute. */
export function xmlEscape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
