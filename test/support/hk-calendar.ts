import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { expandCalendar, TradingCalendar, type CalendarFile } from '../../src/model/calendar.js';

/** Where the shipped 2019 Hong Kong calendar lives. */
export const HK_2019_PATH = new URL('../../builtin/calendars/hk-2019.yaml', import.meta.url);

/** The shipped 2019 calendar file as parsed YAML (tests check its shape; the product validates it with zod). */
export function loadHk2019File(): CalendarFile {
  return parse(readFileSync(HK_2019_PATH, 'utf8')) as CalendarFile;
}

/** The shipped 2019 calendar, expanded over its whole range. */
export function hk2019Calendar(): TradingCalendar {
  const file = loadHk2019File();
  return new TradingCalendar(expandCalendar(file, file.range.from, file.range.to));
}
