import { describe, expect, it } from 'vitest';
import { textsMaker } from '../../src/ingest/parse/parse-event.js';

describe('textsMaker', () => {
  it('reads each field from its value (an index) or its positions (1-based start, length), as a slice of the text would', () => {
    const byIndex = textsMaker<readonly string[]>([
      { field: 'b', at: 1 },
      { field: 'a', at: 0 },
    ]);
    expect({ ...byIndex(['x', 'y']) }).toEqual({ a: 'x', b: 'y' });
    const text = 'AB1234  Z';
    const byPosition = textsMaker<string>([
      { field: 'code', at: [1, 2] },
      { field: 'digits', at: [3, 4] },
      { field: 'pad', at: [7, 2] },
      { field: 'past', at: [9, 5] },
    ]);
    expect({ ...byPosition(text) }).toEqual({ code: 'AB', digits: '1234', pad: '  ', past: 'Z' });
  });

  it('keeps any field name a property key of a record without a prototype', () => {
    const names = ['__proto__', 'constructor', "'); throw 1; ('", 'a"b\\\n`${x}`'];
    const texts = textsMaker<readonly string[]>(names.map((field, at) => ({ field, at })))([
      '0',
      '1',
      '2',
      '3',
    ]);
    expect(Object.getPrototypeOf(Object.getPrototypeOf(texts))).toBeNull();
    expect(names.map((n) => Object.getOwnPropertyDescriptor(texts, n)?.value)).toEqual(['0', '1', '2', '3']);
  });

  it('refuses a place that is not a whole number in the record', () => {
    expect(() => textsMaker([{ field: 'a', at: -1 }])).toThrow(/not a place/);
    expect(() => textsMaker([{ field: 'a', at: 1.5 }])).toThrow(/not a place/);
    expect(() => textsMaker([{ field: 'a', at: [0, 2] }])).toThrow(/not a place/);
  });
});
