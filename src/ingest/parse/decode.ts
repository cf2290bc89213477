import { DcassError } from '../../shared/errors.js';
import { RUN_LINES } from './physical-lines.js';

/** Text encodings a profile may declare. */
export type Encoding = 'ascii' | 'utf-8' | 'big5';

/**
 * Decodes a byte stream strictly: bytes that are not valid in the declared encoding refuse the
 * whole file, naming the line, rather than turning into replacement characters that would then be
 * loaded as data. A UTF-8 byte order mark is dropped.
 */
export async function* decodeStrict(
  bytes: AsyncIterable<Uint8Array>,
  encoding: Encoding,
  file: string,
): AsyncGenerator<string> {
  // Node's 'ascii' label is windows-1252, which accepts every byte: check ASCII ourselves.
  const decoder = new TextDecoder(encoding === 'ascii' ? 'utf-8' : encoding, { fatal: true });
  let line = 1;
  // The bytes of a character the last chunk ended inside, which the decoder holds. A chunk's first
  // line is looked at with them when naming the line of bad bytes: alone, its first bytes may be the
  // rest of that character, and seem bad (or a Big5 trail byte may seem to lead a character).
  let pending: Uint8Array = new Uint8Array(0);
  for await (const chunk of bytes) {
    const stream = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let text: string;
    try {
      if (encoding === 'ascii') assertAscii(chunk);
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw encodingError(file, line + badLineOffset(stream, encoding), encoding);
    }
    if (encoding !== 'ascii') pending = stream.subarray(completeCharactersEnd(stream, encoding));
    line += countNewlines(text);
    if (text.length > 0) yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest.length > 0) yield rest;
  } catch {
    throw encodingError(file, line, encoding);
  }
}

/**
 * Where the last complete character of some bytes (starting on a character's first byte) ends: before
 * a lead byte whose sequence they cut short (whatever else is wrong there, the decoder finds).
 */
function completeCharactersEnd(bytes: Uint8Array, encoding: 'utf-8' | 'big5'): number {
  if (encoding === 'big5') {
    // A Big5 trail byte can look like a lead byte, so the characters are walked from the start of the
    // last line: LF is never part of a two-byte character, and the bytes start on a character.
    let i = bytes.lastIndexOf(0x0a) + 1;
    while (i < bytes.length) {
      if (bytes[i]! < 0x81 || bytes[i] === 0xff) i++;
      else if (i + 1 < bytes.length) i += 2;
      else return i;
    }
    return bytes.length;
  }
  for (let i = bytes.length - 1; i >= 0 && i >= bytes.length - 4; i--) {
    const b = bytes[i]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: its lead byte is further back
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return bytes.length - i < length ? i : bytes.length;
  }
  return bytes.length;
}

function assertAscii(chunk: Uint8Array): void {
  for (let i = 0; i < chunk.length; i++) if (chunk[i]! > 0x7f) throw new Error('not ASCII');
}

/** Which line of a chunk holds the bad bytes: decode it line by line (LF is never a trail byte in UTF-8 or Big5). */
function badLineOffset(chunk: Uint8Array, encoding: Encoding): number {
  let start = 0;
  let offset = 0;
  while (start < chunk.length) {
    let end = chunk.indexOf(0x0a, start);
    if (end < 0) end = chunk.length;
    const piece = chunk.subarray(start, end);
    const bad =
      encoding === 'ascii'
        ? piece.some((b) => b > 0x7f)
        : !decodesCleanly(piece, encoding) && end < chunk.length; // the last piece may be cut mid-character
    if (bad) return offset;
    start = end + 1;
    offset++;
  }
  return Math.max(0, offset - 1);
}

function decodesCleanly(piece: Uint8Array, encoding: Encoding): boolean {
  try {
    new TextDecoder(encoding, { fatal: true }).decode(piece);
    return true;
  } catch {
    return false;
  }
}

function encodingError(file: string, line: number, encoding: Encoding): DcassError {
  return new DcassError('INGEST_ENCODING', `${file}:${line}: bytes that are not valid ${encoding}`, {
    location: { file, line },
    hint: `the profile declares ${encoding}; if the file is in another encoding, use or write a profile that says so`,
  });
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Splits decoded text into lines (LF or CRLF), numbered from 1, handed over in runs of at most
 * RUN_LINES (see physical-lines.ts); a final line without LF counts.
 */
export async function* splitLineRuns(
  chunks: AsyncIterable<string>,
): AsyncGenerator<{ line: number; text: string }[]> {
  let carry = '';
  let line = 0;
  for await (const chunk of chunks) {
    const text = carry + chunk;
    let run: { line: number; text: string }[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      run.push({ line: ++line, text: text.slice(start, end) });
      start = nl + 1;
      if (run.length === RUN_LINES) {
        yield run;
        run = [];
      }
    }
    if (run.length > 0) yield run;
    carry = text.slice(start);
  }
  if (carry.length > 0) yield [{ line: ++line, text: carry.endsWith('\r') ? carry.slice(0, -1) : carry }];
}
