import { DcassError } from './errors.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A business date as users type it, YYYY-MM-DD, checked to be a real day (2019-02-30 is refused, not
 * rolled over to 2 March). Returns it unchanged; a clear usage error otherwise.
 */
export function checkBusinessDate(date: string): string {
  const m = DATE.exec(date);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!d || d.toISOString().slice(0, 10) !== date) {
    throw new DcassError('USAGE', `business date "${date}" is not a date written YYYY-MM-DD`, {
      hint: 'give the business date like 2019-05-03',
    });
  }
  return date;
}
