import { describe, expect, it } from 'vitest';
import type { EncodedCopy } from '../../src/db/copy.js';
import { CopyBatch, needsCopyEscape, withFirstColumn } from '../../src/db/copy.js';

/** A batch's COPY data as the database receives it, decoded. */
const text = (batch: CopyBatch): string => new TextDecoder().decode(batch.encode().bytes);

describe('CopyBatch', () => {
  it('writes a row COPY text needs to escape with its backslash, tab, LF and CR escaped, null as \\N', () => {
    const batch = new CopyBatch();
    batch.add(['a\\b', 'c\td', 'e\nf\rg', null, '']);
    expect(text(batch)).toBe('a\\\\b\tc\\td\te\\nf\\rg\t\\N\t\n');
  });

  it('writes a plain row (addPlain) exactly as add does', () => {
    const row = ['1', 'R100', null, 'é ü', ''];
    const viaAdd = new CopyBatch();
    const viaPlain = new CopyBatch();
    viaAdd.add(row);
    viaPlain.addPlain(row);
    expect(text(viaPlain)).toBe(text(viaAdd));
    expect(viaPlain.size).toBe(1);
  });

  it('grows past its first capacity and keeps every byte of every line, characters beyond ASCII included', () => {
    const batch = new CopyBatch(1024);
    const rows = Array.from({ length: 500 }, (_, i) => [
      String(i),
      'é ü 香港 😀'.repeat(i % 7),
      i % 3 === 0 ? null : 'x',
    ]);
    for (const row of rows) batch.add(row);
    const expected = rows.map((r) => r.map((v) => v ?? '\\N').join('\t') + '\n').join('');
    expect(text(batch)).toBe(expected);
    expect(batch.size).toBe(500);
    expect(batch.byteLength).toBe(Buffer.byteLength(expected));
  });

  it('writes plain rows (addPlain) byte for byte as add does, with characters beyond ASCII anywhere in a value, past its first capacity', () => {
    const values = ['', 'R100', 'é', 'aé', 'éa', 'a 香港 b', '😀', 'x😀y', 'ü'.repeat(300), null];
    const viaAdd = new CopyBatch(1024);
    const viaPlain = new CopyBatch(1024);
    for (let i = 0; i < 400; i++) {
      const row = [String(i), ...values.slice(i % values.length), ...values.slice(0, i % values.length)];
      viaAdd.add(row);
      viaPlain.addPlain(row);
    }
    expect(viaPlain.byteLength).toBeGreaterThan(1024);
    expect(Buffer.from(viaPlain.encode().bytes).equals(Buffer.from(viaAdd.encode().bytes))).toBe(true);
    expect(viaPlain.size).toBe(400);
  });

  it('escapes every character COPY escapes wherever it stands, before, after and between characters beyond ASCII', () => {
    const escaped: Record<string, string> = {
      '\\': '\\\\',
      '\b': '\\b',
      '\t': '\\t',
      '\n': '\\n',
      '\v': '\\v',
      '\f': '\\f',
      '\r': '\\r',
    };
    const reference = (v: string | null) =>
      v === null ? '\\N' : v.replace(/[\\\b\t\n\v\f\r]/g, (c) => escaped[c]!);
    const values = ['\\', 'a\tb', 'é\t', '\té', 'x\\é\ny', '香\r港\b😀\v\f', 'plain', null, ''];
    const batch = new CopyBatch(64);
    const lines: string[] = [];
    for (let i = 0; i < values.length; i++) {
      const row = [...values.slice(i), ...values.slice(0, i)];
      batch.add(row);
      lines.push(`${row.map(reference).join('\t')}\n`);
    }
    expect(text(batch)).toBe(lines.join(''));
  });

  it('names the characters that make a value need escaping', () => {
    expect(['\\', '\t', '\n', '\r'].map(needsCopyEscape)).toEqual([true, true, true, true]);
    expect(needsCopyEscape('plain "text", with; punctuation & é')).toBe(false);
  });

  it('puts a first column before each line (withFirstColumn), every byte of the lines kept, and refuses a count that does not fit', () => {
    const batch = new CopyBatch();
    const rows = [['a', null, 'é 香港'], ['b\tc', ''], ['😀']];
    for (const row of rows) batch.add(row);
    const encoded = batch.encode();
    const decode = (e: EncodedCopy) => new TextDecoder().decode(e.bytes);
    const lines = decode(encoded).split('\n').slice(0, -1);
    expect(decode(withFirstColumn(encoded, ['7', '18', '9000000000000000001']))).toBe(
      `7\t${lines[0]}\n18\t${lines[1]}\n9000000000000000001\t${lines[2]}\n`,
    );
    expect(() => withFirstColumn(encoded, ['1', '2'])).toThrow(/more lines than values/);
    expect(() => withFirstColumn(encoded, ['1', '2', '3', '4'])).toThrow(/fewer lines than values/);
  });
});
