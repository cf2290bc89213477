import { DcassError } from './errors.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/**
 * A business date as users type it, YYYY-MM-DD, checked to be a real day: 2019-02-30 is refused as
 * not a calendar date (never rolled over to 2 March), 2019-5-6 as not written YYYY-MM-DD. Returns it
 * unchanged; a usage error naming the option (`--date`, `--since`; null: none) otherwise. Every command checks its
 * dates with it before it opens the database or reads a file, so a mistyped date costs nothing.
 */
export function checkBusinessDate(date: string, option: string | null = '--date'): string {
  const given = option === null ? '' : `${option} `;
  const m = DATE.exec(date);
  if (m === null) {
    throw new DcassError('USAGE', `${given}"${date}" is not written YYYY-MM-DD`, {
      hint: 'write the business date as year, month and day in digits, e.g. 2019-05-03',
    });
  }
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const why = impossibleBecause(year, month, day);
  if (why !== null) {
    throw new DcassError('USAGE', `${given}${date} is not a calendar date: ${why}`, {
      hint: 'check the day and the month of the date',
    });
  }
  return date;
}

/** Why a year, month and day written as digits name no day; null when they do. */
function impossibleBecause(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12) return `there is no month ${String(month).padStart(2, '0')}`;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  if (day < 1 || day > days) return `${MONTHS[month - 1]} ${year} has ${days} days`;
  return null;
}
