import { z } from 'zod';
import {
  applyOverrides,
  expandCalendar,
  TradingCalendar,
  type CalendarDay,
  type CalendarOverride,
  type PlatformOverride,
  type SessionTimes,
} from '../model/calendar.js';
import { loadValidatedFile } from './yaml-file.js';

const date = z.string().regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'a date YYYY-MM-DD (quoted)');
const time = z.string().regex(/^[0-9]{2}:[0-9]{2}$/, "a time 'HH:MM' (quoted)");

/** The compact calendar file format; see the header comment of builtin/calendars/hk-2019.yaml. */
const calendarFileSchema = z.strictObject({
  market: z.string().min(1),
  timezone: z.literal('Asia/Hong_Kong'),
  sessions: z.strictObject({ dayOpen: time, afterHoursStart: time, afterHoursEnd: time }),
  cutover: z.strictObject({ lastGeniumDate: date, firstUpgradedDate: date }),
  range: z.strictObject({ from: date, to: date }),
  days: z.array(z.strictObject({ date, trading: z.boolean(), afterHours: z.boolean(), note: z.string() })),
});

/** A loaded trading calendar with its session times. */
export interface LoadedCalendar {
  readonly market: string;
  readonly sessions: SessionTimes;
  readonly calendar: TradingCalendar;
  readonly days: readonly CalendarDay[];
  readonly cutover: { readonly lastGeniumDate: string; readonly firstUpgradedDate: string };
}

/** Reads, validates and expands a calendar file over the whole range it vouches for. */
export function loadCalendar(file: string): LoadedCalendar {
  const parsed = loadValidatedFile(file, calendarFileSchema, 'CONFIG_INVALID');
  const days = expandCalendar(parsed, parsed.range.from, parsed.range.to);
  return {
    market: parsed.market,
    sessions: parsed.sessions,
    calendar: new TradingCalendar(days),
    days,
    cutover: parsed.cutover,
  };
}

/** The calendar with ad-hoc changes (recorded in the database) applied on top of the file's days. */
export function withOverrides(
  cal: LoadedCalendar,
  overrides: readonly (CalendarOverride | PlatformOverride)[],
): LoadedCalendar {
  if (overrides.length === 0) return cal;
  const days = applyOverrides(cal.days, overrides);
  return { ...cal, days, calendar: new TradingCalendar(days) };
}
