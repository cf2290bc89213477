import { describe, expect, it } from 'vitest';
import { confirmationDeadline, dateIn } from '../../src/confirm/deadline.js';

describe('confirmation deadline (12:30 Hong Kong time on the session date)', () => {
  it('is 04:30 UTC on 5 May 2019', () => {
    const d = confirmationDeadline(new Date('2019-05-05T01:00:00Z'), '2019-05-05', '12:30');
    expect(d.due.toISOString()).toBe('2019-05-05T04:30:00.000Z');
  });

  it('09:00 in Hong Kong: 3 h 30 min left, on the session day', () => {
    const d = confirmationDeadline(new Date('2019-05-05T01:00:00Z'), '2019-05-05', '12:30');
    expect(d).toMatchObject({ onSessionDay: true, msLeft: 3.5 * 3600_000 });
    expect(d.text).toBe('the confirmation is due at 12:30 Hong Kong time (2019-05-05): 3 h 30 min left');
  });

  it('12:29:30: less than a minute left; 12:30 sharp: still on time', () => {
    expect(confirmationDeadline(new Date('2019-05-05T04:29:30Z'), '2019-05-05', '12:30').text).toMatch(
      /: less than 1 min left$/,
    );
    const sharp = confirmationDeadline(new Date('2019-05-05T04:30:00Z'), '2019-05-05', '12:30');
    expect(sharp.msLeft).toBe(0);
    expect(sharp.text).toMatch(/less than 1 min left$/);
  });

  it('12:45: 15 min late, with what to do', () => {
    const d = confirmationDeadline(new Date('2019-05-05T04:45:00Z'), '2019-05-05', '12:30');
    expect(d.msLeft).toBe(-15 * 60_000);
    expect(d.onSessionDay).toBe(true);
    expect(d.text).toMatch(/: 15 min late; e-mail it to HKEX now$/);
  });

  it('the session day is the Hong Kong date: 4 May 16:30 UTC is already 5 May 00:30 there', () => {
    const early = confirmationDeadline(new Date('2019-05-04T16:30:00Z'), '2019-05-05', '12:30');
    expect(early.onSessionDay).toBe(true);
    expect(early.text).toMatch(/12 h 00 min left$/);
    const before = confirmationDeadline(new Date('2019-05-04T15:59:59Z'), '2019-05-05', '12:30');
    expect(before.onSessionDay).toBe(false);
    // 5 May 23:59 in Hong Kong is still the session day; a minute later it is not.
    expect(confirmationDeadline(new Date('2019-05-05T15:59:00Z'), '2019-05-05', '12:30').onSessionDay).toBe(
      true,
    );
    expect(confirmationDeadline(new Date('2019-05-05T16:00:00Z'), '2019-05-05', '12:30').onSessionDay).toBe(
      false,
    );
  });

  it('another configured session and time; days away count in hours', () => {
    const d = confirmationDeadline(new Date('2019-05-10T00:00:00Z'), '2019-05-12', '09:45');
    expect(d.due.toISOString()).toBe('2019-05-12T01:45:00.000Z');
    expect(d.onSessionDay).toBe(false);
    expect(d.text).toMatch(/\(2019-05-12\): 49 h 45 min left$/);
  });

  it('a date or time that is not one is a usage error', () => {
    expect(() => confirmationDeadline(new Date(), '5/5/2019', '12:30')).toThrow(/YYYY-MM-DD HH:MM/);
    expect(() => confirmationDeadline(new Date(), '2019-05-05', '1230')).toThrow(/YYYY-MM-DD HH:MM/);
  });

  it('dateIn reads the calendar date in a zone', () => {
    expect(dateIn(new Date('2019-05-04T16:00:00Z'), 'Asia/Hong_Kong')).toBe('2019-05-05');
    expect(dateIn(new Date('2019-05-04T16:00:00Z'), 'UTC')).toBe('2019-05-04');
  });
});
