import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/config/profile.js';
import { ProfileRegistry } from '../../src/config/profiles.js';
import { parserOf } from '../../src/ingest/formats.js';
import type { ParseEvent } from '../../src/ingest/parse/parse-event.js';
import { physicalLineRuns, physicalLines } from '../../src/ingest/parse/physical-lines.js';
import { collect } from '../support/collect.js';

const positions = ProfileRegistry.load().get('bos-positions');
const HEADER = 'As Of,Client Code,Product,Type,Expiry,Strike,Net Qty';
const row = (client: string) => `06/05/2019,${client},HSI,F,2019-05,,6`;

/** The profile with multi-line fields allowed and the smallest record bound. */
const multiline: Profile = {
  ...positions,
  format: {
    ...(positions.format as Extract<Profile['format'], { type: 'csv' }>),
    multilineFields: true,
    maxRecordSize: 1024,
  },
};

async function* chunks(...parts: string[]) {
  yield* parts;
}
async function events(profile: Profile, text: string): Promise<ParseEvent[]> {
  return (await collect((await parserOf(profile))(chunks(text), 'p.csv'))).flat();
}
const summary = (es: ParseEvent[]) =>
  es.map((e) => (e.kind === 'reject' ? `${e.line} reject: ${e.message}` : `${e.line} ${e.kind}`));

describe('CSV records over several lines (format.multilineFields)', () => {
  it('reads a quoted value over lines 3-5 as one record of line 3, keeping its line breaks', async () => {
    const text = [HEADER, row('A'), row('"B\r\nsecond\r\nthird"'), row('C')].join('\r\n');
    const es = await events(multiline, text);
    expect(summary(es)).toEqual(['2 record', '3 record', '6 record']);
    expect(es[1]).toMatchObject({ values: { clientCode: 'B\nsecond\nthird' } });
  });

  it('rejects a stray quote as one record naming its first and last lines, then reads on', async () => {
    // Line 3 opens a quote that the value on line 5 closes: csv-parse sees one record of lines 3-5.
    const text = [HEADER, row('A'), row('"B'), row('C'), row('D"x'), row('E')].join('\n');
    expect(summary(await events(multiline, text))).toEqual([
      '2 record',
      '3 reject: lines 3-5: characters after the closing quote of a value (a stray quote?)',
      '6 record',
    ]);
  });

  it('gives up on an open quote after maxRecordSize characters and reads on at the next line', async () => {
    const filler = Array.from({ length: 40 }, (_, i) => row(`F${i}`));
    const text = [HEADER, row('"A'), ...filler, row('Z')].join('\n');
    const es = await events(multiline, text);
    const rejects = es.filter((e) => e.kind === 'reject');
    expect(rejects).toHaveLength(1);
    expect(rejects[0]!.message).toMatch(
      /^lines 2-3[0-9]: longer than the 1,024 characters allowed \(1,0[0-9]{2}; format.maxRecordSize in profile bos-positions\); only its first 1,000 characters are kept$/,
    );
    expect(rejects[0]!.raw).toHaveLength(1000);
    // Everything after the rejected record is read again as records.
    expect(es.at(-1)).toMatchObject({ kind: 'record', values: { clientCode: 'Z' } });
  });

  it('rejects a quote still open at the end of the file with the lines it spans', async () => {
    const text = [HEADER, row('A'), row('"B'), row('C')].join('\n') + '\n';
    expect(summary(await events(multiline, text))).toEqual([
      '2 record',
      '3 reject: lines 3-4: a quoted field is still open at the end of the file (a stray quote?)',
    ]);
  });
});

describe('physical lines', () => {
  it('hands a chunk of 1,000 lines over in runs of at most 256 lines, every line once and in order', async () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`).join('\n');
    const runs = await collect(physicalLineRuns(chunks(text.slice(0, 7000), text.slice(7000)), 100));
    expect(Math.max(...runs.map((r) => r.length))).toBe(256);
    expect(runs.flat().map((l) => `${l.line}:${l.text}`)).toEqual(
      Array.from({ length: 1000 }, (_, i) => `${i + 1}:line ${i + 1}`),
    );
  });

  it('counts an over-long line across chunks, keeping 1,000 characters, without its CRLF', async () => {
    const lines = [];
    for await (const l of physicalLines(
      chunks('a\r\n', 'x'.repeat(1500), 'y'.repeat(600) + '\r', '\nb'),
      2000,
    ))
      lines.push(l.cut ? { line: l.line, kept: l.text.length, length: l.length } : l);
    expect(lines).toEqual([
      { line: 1, text: 'a', cut: false },
      { line: 2, kept: 1000, length: 2100 },
      { line: 3, text: 'b', cut: false },
    ]);
  });
});

describe('CSV field names from a profile', () => {
  it('are only ever property keys: __proto__, constructor and a name with quotes and a line break each hold their column', async () => {
    const odd = ['__proto__', 'constructor', 'a"b\\\n`${x}`'];
    const profile: Profile = {
      ...positions,
      fields: {
        ...positions.fields,
        [odd[0]!]: { from: 'P', type: 'text', optional: false },
        [odd[1]!]: { from: 'C', type: 'text', optional: false },
        [odd[2]!]: { from: 'Q', type: 'text', optional: false },
      },
    };
    const es = await events(profile, [`${HEADER},P,C,Q`, `${row('A')},p1,c1,q1`].join('\n'));
    const record = es.find((e) => e.kind === 'record');
    if (record?.kind !== 'record') throw new Error('no record');
    expect(Object.getPrototypeOf(Object.getPrototypeOf(record.values))).toBeNull();
    expect(odd.map((name) => Object.getOwnPropertyDescriptor(record.values, name)?.value)).toEqual([
      'p1',
      'c1',
      'q1',
    ]);
    expect(record.values.clientCode).toBe('A');
    expect(({} as Record<string, unknown>).p1).toBeUndefined();
  });
});
