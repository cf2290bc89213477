import { describe, expect, it } from 'vitest';
import { decodeStrict, type Encoding } from '../../src/ingest/parse/decode.js';
import { isDcassError } from '../../src/shared/errors.js';
import { fc, numRuns } from '../support/property.js';

/**
 * decodeStrict against the plainest strict decoder: the WHATWG TextDecoder, fatal, given the whole
 * file at once. Whatever the chunking, the text is the same, or the file is refused; when refused,
 * the line named is the first one whose bytes do not decode.
 */

/** Bytes that are mostly UTF-8 text, with now and then a byte or a few that may break it. */
const utf8Bytes = fc
  .array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map((s) => [...Buffer.from(s, 'utf8')]),
      },
      { weight: 2, arbitrary: fc.constantFrom([0x0a], [0x0d, 0x0a], [0xef, 0xbb, 0xbf]) },
      {
        weight: 1,
        arbitrary: fc.array(
          fc.constantFrom(0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xa0, 0xf0, 0xf4, 0xf5, 0xff, 0x9f),
          { minLength: 1, maxLength: 3 },
        ),
      },
    ),
    { maxLength: 40 },
  )
  .map((parts) => Uint8Array.from(parts.flat()));

/**
 * Bytes that are mostly Big5 text: ASCII, two-byte characters (a lead byte 0x81-0xFE and its trail), now
 * and then a lone lead byte, a stray trail byte or a byte no Big5 sequence starts with.
 */
const big5Bytes = fc
  .array(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.string({ maxLength: 8 }).map((s) => [...Buffer.from(s, 'latin1')].map((b) => b & 0x7f)),
      },
      {
        weight: 4,
        arbitrary: fc.tuple(
          fc.integer({ min: 0xa1, max: 0xf9 }),
          fc.constantFrom(0x40, 0x5c, 0x7e, 0xa1, 0xfe),
        ),
      },
      { weight: 2, arbitrary: fc.constantFrom([0x0a], [0x0d, 0x0a]) },
      {
        weight: 1,
        arbitrary: fc.array(fc.constantFrom(0x80, 0x81, 0xa4, 0xfe, 0xff, 0x40, 0xa1), {
          minLength: 1,
          maxLength: 3,
        }),
      },
    ),
    { maxLength: 40 },
  )
  .map((parts) => Uint8Array.from(parts.flat()));

/** Where to cut a file into chunks: sorted offsets. */
function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    // Each chunk in its own buffer, as the file reader gives them.
    chunks.push(Uint8Array.from(bytes.subarray(from, to)));
    from = to;
  }
  return chunks;
}

async function decodeAll(
  chunks: Uint8Array[],
  encoding: Encoding,
): Promise<{ text: string } | { line: number }> {
  async function* source(): AsyncGenerator<Uint8Array> {
    yield* chunks;
  }
  let text = '';
  try {
    for await (const t of decodeStrict(source(), encoding, 'f.csv')) text += t;
    return { text };
  } catch (err) {
    if (!isDcassError(err) || err.code !== 'INGEST_ENCODING') throw err;
    return { line: err.location?.line ?? -1 };
  }
}

function reference(bytes: Uint8Array, encoding: Encoding): string | null {
  if (encoding === 'ascii' && bytes.some((b) => b > 0x7f)) return null;
  try {
    return new TextDecoder(encoding === 'ascii' ? 'utf-8' : encoding, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** The first line (1-based) whose bytes, with every line before them, do not decode. */
function firstBadLine(bytes: Uint8Array, encoding: Encoding): number {
  let end = 0;
  for (let line = 1; ; line++) {
    const nl = bytes.indexOf(0x0a, end);
    end = nl < 0 ? bytes.length : nl + 1;
    if (reference(bytes.subarray(0, end), encoding) === null) return line;
    if (nl < 0) return line;
  }
}

describe('decodeStrict (property)', () => {
  for (const encoding of ['utf-8', 'ascii', 'big5'] as const) {
    it(`${encoding}: the text the whole file decodes to, in any chunks, or the line of its first bad byte`, async () => {
      await fc.assert(
        fc.asyncProperty(
          encoding === 'big5' ? big5Bytes : utf8Bytes,
          fc.array(fc.nat(), { maxLength: 6 }),
          async (bytes, cuts) => {
            const got = await decodeAll(chunked(bytes, cuts), encoding);
            const want = reference(bytes, encoding);
            if (want === null) {
              expect(got).toEqual({ line: firstBadLine(bytes, encoding) });
            } else {
              expect(got).toEqual({ text: want });
            }
          },
        ),
        { numRuns: numRuns * 5 },
      );
    });
  }

  it('keeps a character cut between chunks, and refuses one the file ends inside', async () => {
    const euro = Buffer.from('a€b\n', 'utf8'); // € is three bytes
    for (let cut = 0; cut <= euro.length; cut++) {
      expect(await decodeAll(chunked(euro, [cut]), 'utf-8')).toEqual({ text: 'a€b\n' });
    }
    expect(await decodeAll([Buffer.from('ok\n'), euro.subarray(0, 2)], 'utf-8')).toEqual({ line: 2 });
  });

  it('Big5: names the line of a lead byte cut off by the chunk, not the next one', async () => {
    // 0xA4 0x40 is one character; 0xA1 on line 1 leads nothing (LF follows). Cut after it, the next
    // chunk alone begins with an empty line that decodes, and line 2 was named.
    const lines = Uint8Array.from([0xa4, 0x40, 0xa1, 0x0a, 0xa4, 0x40, 0x0a]);
    expect(await decodeAll(chunked(lines, [3]), 'big5')).toEqual({ line: 1 });
    // Line 2's 0xA4 leads nothing; cut after line 1's 0xA1, its trail 0xFE then CR seemed bad.
    const good = Uint8Array.from([0x61, 0xa1, 0xfe, 0x0d, 0x0a, 0xa4, 0x0d, 0x0a]);
    for (let cut = 0; cut <= good.length; cut++)
      expect(await decodeAll(chunked(good, [cut]), 'big5')).toEqual({ line: 2 });
  });
});
