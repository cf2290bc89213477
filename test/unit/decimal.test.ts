import { describe, expect, it } from 'vitest';
import { Decimal, formatDecimal, parseDecimal, type DecimalFormat } from '../../src/shared/decimal.js';
import { DcassError } from '../../src/shared/errors.js';

/** Parses and returns the canonical string, or the issue code. */
function read(text: string, opts: DecimalFormat = {}): string {
  const r = parseDecimal(text, opts);
  return r.ok ? formatDecimal(r.value) : `!${r.issue.code}`;
}

describe('parseDecimal', () => {
  it('reads plain decimals, trimming spaces and trailing zeros', () => {
    expect(read('28350')).toBe('28350');
    expect(read('  28350.50  ')).toBe('28350.5');
    expect(read('412.5')).toBe('412.5');
    expect(read('0.001')).toBe('0.001');
    expect(read('000123.4500')).toBe('123.45');
  });

  it('accepts a leading sign and never returns a negative zero', () => {
    expect(read('-1.5')).toBe('-1.5');
    expect(read('+2')).toBe('2');
    const z = parseDecimal('-0.00');
    expect(z.ok && z.value.isNeg()).toBe(false);
    expect(read('-0')).toBe('0');
  });

  it('rejects a sign when allowSign is false', () => {
    expect(read('-5', { allowSign: false })).toBe('!BAD_DECIMAL');
    expect(read('+5', { allowSign: false })).toBe('!BAD_DECIMAL');
    expect(read('5', { allowSign: false })).toBe('5');
  });

  it('accepts correctly grouped thousands separators only', () => {
    const t = { thousands: ',' };
    expect(read('1,200', t)).toBe('1200');
    expect(read('28,350.00', t)).toBe('28350');
    expect(read('-1,234,567.891', t)).toBe('-1234567.891');
    expect(read('999', t)).toBe('999');
    expect(read('1200', t)).toBe('1200');
    for (const bad of [
      '1,20',
      ',100',
      '1,,200',
      '1,2000',
      '12,00.5',
      '1,200,',
      '1234,567',
      '1,200.5,0',
      '.5',
    ]) {
      expect(read(bad, t), bad).toBe('!BAD_DECIMAL');
    }
  });

  it('treats a thousands separator as an error when none is configured', () => {
    expect(read('1,200')).toBe('!BAD_DECIMAL');
    expect(read('1,200', { thousands: null })).toBe('!BAD_DECIMAL');
  });

  it('accepts other separators such as a space or an apostrophe', () => {
    expect(read("1'234'567", { thousands: "'" })).toBe('1234567');
    expect(read('1 234 567.5', { thousands: ' ' })).toBe('1234567.5');
  });

  it('applies implied decimals by moving the point in the text', () => {
    expect(read('00000283500000', { impliedDecimals: 4 })).toBe('28350');
    expect(read('00000004125000', { impliedDecimals: 4 })).toBe('412.5');
    expect(read('5', { impliedDecimals: 4 })).toBe('0.0005');
    expect(read('-00012', { impliedDecimals: 4 })).toBe('-0.0012');
    expect(read('00000000000000', { impliedDecimals: 4 })).toBe('0');
    expect(read('12', { impliedDecimals: 0 })).toBe('12');
  });

  it('rejects a point in text with implied decimals', () => {
    const r = parseDecimal('2835.0000', { impliedDecimals: 4 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issue.code).toBe('BAD_DECIMAL');
      expect(r.issue.message).toBe('expected digits only with 4 implied decimals, got "2835.0000"');
    }
  });

  it('fails empty text with MISSING_VALUE', () => {
    for (const empty of ['', '   ', '\t']) {
      const r = parseDecimal(empty);
      expect(r.ok ? 'ok' : r.issue.code).toBe('MISSING_VALUE');
    }
  });

  it('fails anything else with BAD_DECIMAL and says what it got', () => {
    for (const bad of [
      'abc',
      '1.2.3',
      '.5',
      '5.',
      '1e5',
      'NaN',
      'Infinity',
      '--1',
      '+-1',
      '1 000',
      '１２',
      '0x10',
      '1_000',
      '- 1',
    ]) {
      expect(read(bad), bad).toBe('!BAD_DECIMAL');
    }
    const r = parseDecimal('12a');
    expect(r.ok ? '' : r.issue.message).toBe('expected a decimal number like 1234.56, got "12a"');
  });

  it('keeps 30 integer and 10 fraction digits exactly', () => {
    expect(read('123456789012345678901234567890.0123456789')).toBe(
      '123456789012345678901234567890.0123456789',
    );
    const a = parseDecimal('0.1');
    const b = parseDecimal('0.2');
    expect(a.ok && b.ok && formatDecimal(a.value.plus(b.value))).toBe('0.3');
  });

  it('refuses a bad format as a configuration error', () => {
    expect(() => parseDecimal('1', { thousands: '.' })).toThrow(DcassError);
    expect(() => parseDecimal('1', { thousands: '' })).toThrow(DcassError);
    expect(() => parseDecimal('1', { impliedDecimals: -1 })).toThrow(DcassError);
    expect(() => parseDecimal('1', { impliedDecimals: 1.5 })).toThrow(DcassError);
  });
});

describe('formatDecimal', () => {
  it('never uses exponent notation', () => {
    expect(formatDecimal(new Decimal('1e-7'))).toBe('0.0000001');
    expect(formatDecimal(new Decimal('1e30'))).toBe(`1${'0'.repeat(30)}`);
    expect(new Decimal('1e-7').toString()).toBe('0.0000001');
  });

  it('drops trailing zeros and negative zero', () => {
    expect(formatDecimal(new Decimal('310.00'))).toBe('310');
    expect(formatDecimal(new Decimal('-0'))).toBe('0');
    expect(formatDecimal(new Decimal('-2.50'))).toBe('-2.5');
  });

  it('throws on a value no parser produces', () => {
    expect(() => formatDecimal(new Decimal(NaN))).toThrow(RangeError);
    expect(() => formatDecimal(new Decimal(Infinity))).toThrow(RangeError);
  });
});

describe('parseDecimal bounds', () => {
  it('refuses a value longer than 100 characters as a bad decimal, quoting only its start', () => {
    const r = parseDecimal('9'.repeat(200_000));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issue.code).toBe('BAD_DECIMAL');
      expect(r.issue.message).toMatch(/got a value of 200000 characters \(at most 100\): "9{40}\.\.\."$/);
    }
    expect(parseDecimal(`1.${'0'.repeat(98)}`).ok).toBe(true);
  });
});
