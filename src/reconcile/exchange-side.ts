import type { Source } from '../model/vocabulary.js';
import type { CalendarDay } from './expected-inputs.js';
import type { Reconciliation, SideSpec } from './rule-set.js';

/**
 * The exchange's clearing system live on a business date, which a side with `source: exchange` reads:
 * Genium INET on its dates, which after a fallback are the dates from the fallback on; the upgraded
 * DCASS on every other date: its own, the last Genium day before them (the upgraded system took that
 * day's trades and positions over, and is what the CP verifies on the Sunday) and the cutover weekend
 * between the platforms.
 */
export function exchangeSource(day: Pick<CalendarDay, 'platform' | 'nextPlatform'>): Source {
  return day.platform === 'genium' && day.nextPlatform !== 'upgraded' ? 'genium' : 'dcass';
}

/** The reconciliation as a run of a date reads it: an `exchange` side reads the date's exchange source. */
export function onDate(
  recon: Reconciliation,
  day: Pick<CalendarDay, 'platform' | 'nextPlatform'>,
): Reconciliation {
  if (recon.left.source !== 'exchange' && recon.right.source !== 'exchange') return recon;
  const source = exchangeSource(day);
  const side = (s: SideSpec): SideSpec => (s.source === 'exchange' ? { ...s, source } : s);
  return { ...recon, left: side(recon.left), right: side(recon.right) };
}
