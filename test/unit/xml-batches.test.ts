import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DcassError } from '../../src/shared/errors.js';
import type { XmlLayout } from '../../src/ingest/parse/xml-records.js';
import { readXmlBatches, readXmlRecords } from '../../src/ingest/parse/xml-records.js';
import { collect } from '../support/collect.js';

const TRADES: XmlLayout = { root: 'DcassReport', record: 'Trade' };
const FILE = 'TRD001_CABC_20190506_2310.xml';
const FIELD_OF: ReadonlyMap<string, string> = new Map([
  ['Qty', 'quantity'],
  ['Price', 'price'],
  ['Account', 'account'],
]);

async function* feed(chunks: readonly string[]): AsyncGenerator<string> {
  for (const chunk of chunks) yield chunk;
}

function wrap(body: string): string {
  return `<DcassReport reportId="TRD001">\n${body}\n</DcassReport>\n`;
}

interface Plain {
  line: number;
  values: Record<string, string>;
  extra: Record<string, string> | null;
  raw: string;
}

/** The records readXmlBatches gives, as plain objects; or the error it ends with. */
async function batched(doc: string, chunks = 1): Promise<Plain[] | DcassError> {
  const size = Math.ceil(doc.length / chunks);
  const pieces = Array.from({ length: chunks }, (_, i) => doc.slice(i * size, (i + 1) * size));
  const out: Plain[] = [];
  try {
    for await (const batch of readXmlBatches(feed(pieces), TRADES, FILE, FIELD_OF)) {
      for (const e of batch) {
        if (e.kind !== 'record') continue;
        out.push({
          line: e.line,
          values: { ...e.values },
          extra: e.extra === null ? null : { ...e.extra },
          raw: e.raw,
        });
      }
    }
  } catch (err) {
    if (err instanceof DcassError) return err;
    throw err;
  }
  return out;
}

/** The reference: readXmlRecords' fields keyed by element, mapped afterwards as the profile maps them. */
async function reference(doc: string): Promise<Plain[] | DcassError> {
  const out: Plain[] = [];
  try {
    for await (const e of readXmlRecords(feed([doc]), TRADES, FILE)) {
      if (e.kind !== 'record') continue;
      // Object.fromEntries: a child named __proto__ becomes an own property, as the reader stores it.
      const entries = Object.entries(e.fields);
      const mapped = entries.filter(([element]) => FIELD_OF.has(element));
      const rest = entries.filter(([element]) => !FIELD_OF.has(element));
      out.push({
        line: e.line,
        values: Object.fromEntries(mapped.map(([element, text]) => [FIELD_OF.get(element), text])),
        extra: rest.length === 0 ? null : Object.fromEntries(rest),
        raw: e.raw,
      });
    }
  } catch (err) {
    if (err instanceof DcassError) return err;
    throw err;
  }
  return out;
}

describe('readXmlBatches: children stored under their fields as they are read', () => {
  it('puts mapped children under the field name and the rest in extra (null when none)', async () => {
    const doc = wrap(
      '<Trade><Qty>3</Qty><Price>412.5</Price><Note>x</Note></Trade>\n<Trade><Account>O01</Account><Qty/></Trade>',
    );
    expect(await batched(doc)).toEqual([
      {
        line: 2,
        values: { quantity: '3', price: '412.5' },
        extra: { Note: 'x' },
        raw: '<Trade><Qty>3</Qty><Price>412.5</Price><Note>x</Note></Trade>',
      },
      {
        line: 3,
        values: { account: 'O01', quantity: '' },
        extra: null,
        raw: '<Trade><Account>O01</Account><Qty/></Trade>',
      },
    ]);
  });

  it('refuses a mapped child given twice; an unmapped child named like a field is not a duplicate', async () => {
    const twice = await batched(wrap('<Trade><Qty>1</Qty><Price>2</Price><Qty>3</Qty></Trade>'));
    expect(twice).toBeInstanceOf(DcassError);
    expect((twice as DcassError).message).toMatch(/<Qty> appears twice in the <Trade> that starts at line 2/);
    expect(await batched(wrap('<Trade><Qty>1</Qty><quantity>2</quantity></Trade>'))).toEqual([
      {
        line: 2,
        values: { quantity: '1' },
        extra: { quantity: '2' },
        raw: '<Trade><Qty>1</Qty><quantity>2</quantity></Trade>',
      },
    ]);
  });

  it('hands a long chunk over in several batches, a character outside the BMP whole where a piece ends inside it', async () => {
    // The first record's emoji (two UTF-16 units) starts at the 32,768th character: the first piece ends between its units.
    const head = '<DcassReport reportId="TRD001">\n<Trade><Note>';
    const first = `${'x'.repeat(32 * 1024 - 1 - head.length)}\u{1F600}`;
    const notes = [first, ...Array.from({ length: 2000 }, (_, i) => `${i}\u{1F600}`)];
    const doc = wrap(notes.map((n) => `<Trade><Note>${n}</Note></Trade>`).join('\n'));
    expect(doc.charCodeAt(32 * 1024 - 1)).toBe(0xd83d);
    const batches = await collect(readXmlBatches(feed([doc]), TRADES, FILE, FIELD_OF));
    expect(batches.length).toBeGreaterThan(2);
    expect(batches.flat().flatMap((e) => (e.kind === 'record' ? [e.extra?.Note] : []))).toEqual(notes);
  });

  it('gives what readXmlRecords gives, mapped, whatever the children, their order and the chunking (property)', async () => {
    const child = fc.constantFrom('Qty', 'Price', 'Account', 'Note', 'quantity', '__proto__');
    const record = fc.array(fc.tuple(child, fc.constantFrom('', '1', 'a&amp;b', ' x ')), { maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 7 }),
        async (records, chunks) => {
          const body = records
            .map((children) => `<Trade>${children.map(([n, t]) => `<${n}>${t}</${n}>`).join('\n  ')}</Trade>`)
            .join('\n');
          const doc = wrap(body);
          const expected = await reference(doc);
          const actual = await batched(doc, chunks);
          if (expected instanceof DcassError) {
            expect(actual).toBeInstanceOf(DcassError);
            expect((actual as DcassError).message).toBe(expected.message);
          } else {
            expect(actual).toEqual(expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
