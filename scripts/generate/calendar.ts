/** Hong Kong derivatives trading calendar (2019) and the after-hours clearing-date rule. */

/** 2019 Hong Kong weekday public holidays (exchange closed). Other years: weekends only. */
export const HK_HOLIDAYS_2019: readonly string[] = [
  '20190101',
  '20190205',
  '20190206',
  '20190207',
  '20190405',
  '20190419',
  '20190422',
  '20190501',
  '20190513',
  '20190607',
  '20190701',
  '20191001',
  '20191007',
  '20191225',
  '20191226',
];

const holidays = new Set(HK_HOLIDAYS_2019);

function toUtc(yyyymmdd: string): Date {
  return new Date(
    Date.UTC(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)) - 1, Number(yyyymmdd.slice(6, 8))),
  );
}

function fromUtc(d: Date): string {
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** Calendar date plus `days`. */
export function addDays(yyyymmdd: string, days: number): string {
  const d = toUtc(yyyymmdd);
  d.setUTCDate(d.getUTCDate() + days);
  return fromUtc(d);
}

/** True on a weekday that is not a listed holiday. */
export function isTradingDay(yyyymmdd: string): boolean {
  const dow = toUtc(yyyymmdd).getUTCDay();
  return dow !== 0 && dow !== 6 && !holidays.has(yyyymmdd);
}

/** The first trading day strictly after the date. */
export function nextTradingDay(yyyymmdd: string): string {
  let d = addDays(yyyymmdd, 1);
  while (!isTradingDay(d)) d = addDays(d, 1);
  return d;
}

/** The last trading day strictly before the date. */
export function previousTradingDay(yyyymmdd: string): string {
  let d = addDays(yyyymmdd, -1);
  while (!isTradingDay(d)) d = addDays(d, -1);
  return d;
}

/** After-hours session: 17:15 on trading day T to 03:00 the next calendar day; it clears on the next trading day. */
export const AFTER_HOURS_START = '171500';
/** End (exclusive) of the after-hours session on the next calendar day. */
export const AFTER_HOURS_END = '030000';

/** Session and clearing date of an execution (Hong Kong local date and time); throws outside trading hours. */
export function clearingOf(execDate: string, execTime: string): { session: 'T' | 'A'; clearingDate: string } {
  if (execTime < AFTER_HOURS_END) {
    const t = addDays(execDate, -1);
    if (!isTradingDay(t))
      throw new Error(`${execDate} ${execTime}: no after-hours session ran the night before`);
    return { session: 'A', clearingDate: nextTradingDay(t) };
  }
  if (!isTradingDay(execDate)) throw new Error(`${execDate} is not a trading day`);
  if (execTime >= AFTER_HOURS_START) return { session: 'A', clearingDate: nextTradingDay(execDate) };
  if (execTime < '091500' || execTime > '163000')
    throw new Error(`${execDate} ${execTime}: outside the day session`);
  return { session: 'T', clearingDate: execDate };
}
