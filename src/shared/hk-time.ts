/**
 * Hong Kong time for people. The product's users, calendar and deadline are in Hong Kong, so every
 * time shown to a person (terminal, HTML, CSV, PDF) is Hong Kong wall-clock time with its offset;
 * machine fields (JSON, the audit chain) stay ISO instants in UTC.
 *
 * Hong Kong has kept UTC+08:00 all year since 1979 (no summer time), so a fixed offset is exact for
 * every date this product handles and needs no time-zone database.
 */
export const HK_OFFSET_MS = 8 * 60 * 60 * 1000;

function toInstant(value: Date | string | number): Date {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a time: ${String(value)}`);
  return d;
}

/** `2019-05-10 10:50:03 +08:00`: an instant as Hong Kong wall-clock time, seconds, with the offset. */
export function hkTime(value: Date | string | number): string {
  const wall = new Date(toInstant(value).getTime() + HK_OFFSET_MS).toISOString();
  return `${wall.slice(0, 10)} ${wall.slice(11, 19)} +08:00`;
}

/** `2019-05-10T10:50:03+08:00`: the same, ISO 8601 with the offset (parses back to the instant). */
export function hkIso(value: Date | string | number): string {
  const wall = new Date(toInstant(value).getTime() + HK_OFFSET_MS).toISOString();
  return `${wall.slice(0, 19)}+08:00`;
}

/** The Hong Kong calendar date (YYYY-MM-DD) of an instant. */
export function hkDate(value: Date | string | number): string {
  return new Date(toInstant(value).getTime() + HK_OFFSET_MS).toISOString().slice(0, 10);
}
