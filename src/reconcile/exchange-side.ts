import type { Source } from '../model/vocabulary.js';
import type { CalendarDay } from './expected-inputs.js';
import type { Reconciliation, SideSpec } from './rule-set.js';

/**
 * The exchange's clearing system live on a business date, which a side with `source: exchange` reads:
 * the upgraded DCASS on the upgraded platform's dates and on the last Genium day before them (the
 * upgraded system took that day's trades and positions over, and is what the CP verifies on the
 * Sunday); Genium INET on its other dates, which after a fallback are the dates from the fallback on.
 * Null for a date on neither platform (the closed weekend of the cutover).
 */
export function exchangeSource(day: Pick<CalendarDay, 'platform' | 'nextPlatform'>): Source | null {
  if (day.platform === 'upgraded') return 'dcass';
  if (day.platform === 'genium') return day.nextPlatform === 'upgraded' ? 'dcass' : 'genium';
  return null;
}

/**
 * The reconciliation as a run of a date reads it: an `exchange` side reads the date's exchange source.
 * On a date with no exchange source the side stays `exchange`, and the run skips the reconciliation
 * (skipReason) rather than guess.
 */
export function onDate(
  recon: Reconciliation,
  day: Pick<CalendarDay, 'platform' | 'nextPlatform'>,
): Reconciliation {
  const source = exchangeSource(day);
  if (source === null || (recon.left.source !== 'exchange' && recon.right.source !== 'exchange'))
    return recon;
  const side = (s: SideSpec): SideSpec => (s.source === 'exchange' ? { ...s, source } : s);
  return { ...recon, left: side(recon.left), right: side(recon.right) };
}
