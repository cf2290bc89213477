import { describe, expect, it } from 'vitest';
import { hkWallClockToInstant, parseTimestamp } from '../../src/ingest/normalise/values.js';
import { dateFromDayNumber, parseDate } from '../../src/model/dates.js';
import { fc } from '../support/property.js';

const isoDate = fc.integer({ min: 3653, max: 47482 }).map((n) => dateFromDayNumber(n)); // 1980..2099
const pad = (n: number) => String(n).padStart(2, '0');
const time = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m, s]) => `${pad(h)}:${pad(m)}:${pad(s)}`);

describe('date and timestamp properties', () => {
  it('every date format reads to the same ISO date', () => {
    fc.assert(
      fc.property(isoDate, (iso) => {
        const [y, m, d] = iso.split('-') as [string, string, string];
        expect(parseDate(`${y}${m}${d}`, 'YYYYMMDD')).toEqual({ ok: true, value: iso });
        expect(parseDate(`${d}/${m}/${y}`, 'DD/MM/YYYY')).toEqual({ ok: true, value: iso });
        expect(parseDate(iso, 'YYYY-MM-DD')).toEqual({ ok: true, value: iso });
      }),
    );
  });

  it('a Hong Kong wall clock written three ways is one instant', () => {
    fc.assert(
      fc.property(isoDate, time, (date, hhmmss) => {
        const instant = hkWallClockToInstant(date, hhmmss);
        if (!instant.ok) throw new Error(instant.issue.message);
        const hkt = parseTimestamp(
          `${date.replaceAll('-', '')}${hhmmss.replaceAll(':', '')}`,
          'YYYYMMDDHHMMSS_HKT',
        );
        const iso = parseTimestamp(`${date}T${hhmmss}+08:00`, 'ISO_OFFSET');
        const utc = parseTimestamp(instant.value.replace('.000Z', 'Z'), 'ISO_OFFSET');
        const expected = { ok: true, value: { instant: instant.value, hkDate: date, hkTime: hhmmss } };
        expect(hkt).toEqual(expected);
        expect(iso).toEqual(expected);
        expect(utc).toEqual(expected);
      }),
    );
  });

  it('any offset names the same instant as its UTC equivalent', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 315_532_800, max: 4_102_444_799 }),
        fc.integer({ min: -12 * 60, max: 14 * 60 }),
        (epochSeconds, offsetMinutes) => {
          const utc = new Date(epochSeconds * 1000).toISOString();
          const local = new Date((epochSeconds + offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const abs = Math.abs(offsetMinutes);
          const r = parseTimestamp(
            `${local}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`,
            'ISO_OFFSET',
          );
          expect(r.ok && r.value.instant).toBe(utc);
        },
      ),
    );
  });

  it('a DCASS timestamp (+08:00, any fraction of a second) reads as Date arithmetic says', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -719_162, max: 2_932_896 }).map((n) => dateFromDayNumber(n)), // 0001-01-01..9999-12-31
        time,
        fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }),
        (date, hhmmss, fraction) => {
          const r = parseTimestamp(
            `${date}T${hhmmss}${fraction === undefined ? '' : `.${fraction}`}+08:00`,
            'ISO_OFFSET',
          );
          const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
          const [h, mi, se] = hhmmss.split(':').map(Number) as [number, number, number];
          const at = new Date(0);
          at.setUTCFullYear(y, mo - 1, d);
          at.setUTCHours(h - 8, mi, se, Number((fraction ?? '').padEnd(3, '0').slice(0, 3)));
          expect(r).toEqual({ ok: true, value: { instant: at.toISOString(), hkDate: date, hkTime: hhmmss } });
        },
      ),
    );
  });
});
