import { describe, expect, it } from 'vitest';
import { CopyBatch, needsCopyEscape } from '../../src/db/copy.js';

describe('CopyBatch', () => {
  it('writes a row COPY text needs to escape with its backslash, tab, LF and CR escaped, null as \\N', () => {
    const batch = new CopyBatch();
    batch.add(['a\\b', 'c\td', 'e\nf\rg', null, '']);
    expect(batch.text()).toBe('a\\\\b\tc\\td\te\\nf\\rg\t\\N\t\n');
  });

  it('writes a plain row (addPlain) exactly as add does', () => {
    const row = ['1', 'R100', null, 'é ü', ''];
    const viaAdd = new CopyBatch();
    const viaPlain = new CopyBatch();
    viaAdd.add(row);
    viaPlain.addPlain(row);
    expect(viaPlain.text()).toBe(viaAdd.text());
    expect(viaPlain.size).toBe(1);
  });

  it('names the characters that make a value need escaping', () => {
    expect(['\\', '\t', '\n', '\r'].map(needsCopyEscape)).toEqual([true, true, true, true]);
    expect(needsCopyEscape('plain "text", with; punctuation & é')).toBe(false);
  });
});
