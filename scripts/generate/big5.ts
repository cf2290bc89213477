/** A tiny Big5 encoder for the few Traditional Chinese characters the fixtures use. */

/**
 * Big5 byte pairs, taken from the standard Big5 table and checked against Node's
 * `new TextDecoder('big5')` in test/unit/generator.test.ts. Note 家 (AE 61) has an ASCII-range trail
 * byte and 許 (B3 5C) a backslash trail byte: both trip byte-naive readers, which is the point.
 */
export const BIG5_BYTES: Readonly<Record<string, readonly [number, number]>> = {
  人: [0xa4, 0x48],
  口: [0xa4, 0x66],
  公: [0xa4, 0xbd],
  戶: [0xa4, 0xe1],
  司: [0xa5, 0x71],
  生: [0xa5, 0xcd],
  先: [0xa5, 0xfd],
  合: [0xa6, 0x58],
  自: [0xa6, 0xdb],
  客: [0xab, 0xc8],
  待: [0xab, 0xdd],
  個: [0xad, 0xd3],
  家: [0xae, 0x61],
  核: [0xae, 0xd6],
  莊: [0xb2, 0xf8],
  許: [0xb3, 0x5c],
  備: [0xb3, 0xc6],
  新: [0xb7, 0x73],
  綜: [0xba, 0xee],
  營: [0xc0, 0xe7],
  覆: [0xc2, 0xd0],
};

/** Encodes ASCII plus the characters of BIG5_BYTES; throws on any other character. */
export function encodeBig5(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x80) {
      out.push(code);
      continue;
    }
    const pair = BIG5_BYTES[ch];
    if (!pair) throw new Error(`no Big5 bytes known for ${JSON.stringify(ch)}; add them to BIG5_BYTES`);
    out.push(pair[0], pair[1]);
  }
  return Uint8Array.from(out);
}
