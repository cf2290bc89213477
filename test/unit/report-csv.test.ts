import { describe, expect, it } from 'vitest';
import { csvRow, quoteField, safeCell } from '../../src/report/breaks-csv.js';

describe('breaks.csv cells are safe to open in a spreadsheet', () => {
  it.each([
    '=1+1',
    '+41',
    '-2+3',
    '@SUM(A1:A2)',
    '\tx',
    '\rx',
    '=HYPERLINK("http://x")',
    '-',
    '+',
    '-1e5',
    '- 1',
    '\n=1+1',
    '\r\n=cmd|" /C calc"!A0',
    '\n\t @SUM(A1:A2)',
    ' =1+1',
    '\u3000=1+1',
    '\u200b=1+1',
    '\ufeff+41',
    '\uff1d1+1',
    '\uff0b41',
    '\uff0d2+3',
    '\uff20SUM(A1:A2)',
    '\ufe661+1',
    '\n\uff1dHYPERLINK("http://x")',
    '\t',
    '\r',
    '\tplain',
  ])('neutralises the formula-like text %j with a leading quote', (text) => {
    expect(safeCell(text)).toBe(`'${text}`);
  });

  it.each(['0', '130', '-130', '34.625', '-34.625', '-0.5', '28450'])(
    'keeps the plain number %j a number',
    (n) => {
      expect(safeCell(n)).toBe(n);
    },
  );

  it('keeps plain text, JS numbers and empty values as they are', () => {
    expect(safeCell('trades-bos')).toBe('trades-bos');
    expect(safeCell('H01 MHIK9')).toBe('H01 MHIK9');
    expect(safeCell('a=b')).toBe('a=b');
    expect(safeCell('\nplain')).toBe('\nplain');
    expect(safeCell(' 2019-05-06')).toBe(' 2019-05-06');
    expect(safeCell('\uff21BC')).toBe('\uff21BC');
    expect(safeCell(-4)).toBe('-4');
    expect(safeCell(7)).toBe('7');
    expect(safeCell(null)).toBe('');
    expect(safeCell(undefined)).toBe('');
  });

  it('quotes as RFC 4180: commas, quotes, CR and LF; quotes doubled', () => {
    expect(quoteField('plain')).toBe('plain');
    expect(quoteField('a,b')).toBe('"a,b"');
    expect(quoteField('say "hi"')).toBe('"say ""hi"""');
    expect(quoteField('two\nlines')).toBe('"two\nlines"');
    expect(quoteField('cr\rhere')).toBe('"cr\rhere"');
    expect(quoteField('')).toBe('');
  });

  it('builds a CRLF-terminated row, neutralising before quoting', () => {
    expect(csvRow(['a', '-12.5', '=cmd|" /C calc"!A0', null, 'x,y', '\rboom'])).toBe(
      `a,-12.5,"'=cmd|"" /C calc""!A0",,"x,y","'\rboom"\r\n`,
    );
  });

  it('round-trips through a CSV parser to the neutralised text', async () => {
    const { parse } = await import('csv-parse/sync');
    const cells = ['=1+1', '-5', 'a "quoted", text', 'line\nbreak', '@x', '-0.125', '\n=1', '\uff1d1'];
    const parsed = parse(csvRow(cells)) as string[][];
    expect(parsed).toEqual([
      ["'=1+1", '-5', 'a "quoted", text', 'line\nbreak', "'@x", '-0.125', "'\n=1", "'\uff1d1"],
    ]);
  });
});
