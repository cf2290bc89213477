import { describe, expect, it } from 'vitest';
import {
  MAX_REMOTE_NAME_BYTES,
  printable,
  validateRemoteName,
} from '../../src/ingest/acquire/remote-name.js';

describe('validateRemoteName', () => {
  it.each([
    'TRD001_CABC_20190506_2310.xml',
    'POS001_CABC_20190506_0900.csv',
    'README',
    'a.b-c_d',
    '報告.csv',
  ])('accepts %j', (name) => {
    expect(validateRemoteName(name)).toEqual({ ok: true, name });
  });

  it.each([
    ['', 'empty'],
    ['.', 'dot_name'],
    ['..', 'dot_name'],
    ['../etc/passwd', 'path_separator'],
    ['/etc/passwd', 'path_separator'],
    ['sub/TRD001.xml', 'path_separator'],
    ['..\\..\\win.ini', 'path_separator'],
    ['C:\\x.xml', 'path_separator'],
    ['TRD001..xml', 'dot_dot'],
    ['..TRD001.xml', 'dot_dot'],
    ['TRD\u0000.xml', 'nul'],
    ['TRD\n.xml', 'control_char'],
    ['TRD\r.xml', 'control_char'],
    ['TRD\u001b[31m.xml', 'control_char'],
    ['TRD\u007f.xml', 'control_char'],
    ['TRD\u0085.xml', 'control_char'],
    ['TRD\u202egnp.xml', 'invisible_char'],
    ['TRD\u200b.xml', 'invisible_char'],
    ['TRD\u2028.xml', 'invisible_char'],
    ['TRD:1.xml', 'reserved_char'],
    ['TRD*.xml', 'reserved_char'],
    ['TRD|x', 'reserved_char'],
    ['-rf', 'leading_dash'],
    ['--help.xml', 'leading_dash'],
    ['.hidden.xml', 'leading_dot'],
    ['TRD.xml ', 'trailing_space_or_dot'],
    ['TRD.', 'trailing_space_or_dot'],
    ['x'.repeat(MAX_REMOTE_NAME_BYTES + 1), 'too_long'],
    ['\u00e9'.repeat(MAX_REMOTE_NAME_BYTES / 2 + 1), 'too_long'],
    ['TRD\ufffd.xml', 'not_utf8'],
  ])('refuses %j (%s)', (name, problem) => {
    const verdict = validateRemoteName(name);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.problem).toBe(problem);
      // The reason is safe to print: no raw control characters reach a terminal or a log.
      // eslint-disable-next-line no-control-regex -- looking for raw control characters is the point
      expect(verdict.reason).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e\u200b\u2028]/);
    }
  });

  it('accepts a name of exactly the limit', () => {
    expect(validateRemoteName('x'.repeat(MAX_REMOTE_NAME_BYTES)).ok).toBe(true);
  });
});

describe('printable', () => {
  it('escapes control, invisible, quote and backslash characters', () => {
    expect(printable('a\nb\u0000c\u202e"\\')).toBe('a\\u000ab\\u0000c\\u202e\\"\\\\');
    expect(printable('TRD001_CABC_20190506_2310.xml')).toBe('TRD001_CABC_20190506_2310.xml');
  });
});
