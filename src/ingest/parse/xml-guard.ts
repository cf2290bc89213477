/**
 * A pre-parse guard for the XML record reader: finds markup that a DCASS report never holds before the
 * parser sees it. It is a plain substring search, not a tokenizer; saxes still checks well-formedness.
 *
 * Why scan the raw text instead of waiting for the parser's `doctype` event: that event fires at the
 * *end* of the declaration (after an internal subset of any size has been buffered), and an `<!ENTITY`
 * outside a DOCTYPE only gives a generic syntax error. Scanning first lets us refuse early, with the
 * line where the declaration starts and the right error code.
 */

/** What the guard found, and where in the chunk it was handed (index may be negative: see below). */
export interface GuardHit {
  readonly kind: 'DOCTYPE' | 'ENTITY' | 'REPLACEMENT_CHAR';
  /** Index in the current chunk; negative when the markup began in the previous chunk. */
  readonly index: number;
}

// Longest marker is `<!DOCTYPE` (9 chars): keeping the previous chunk's last 8 chars means a marker
// split across two chunks is seen whole in the second scan, and one wholly in the first was already seen.
const CARRY = 8;

/** Scans each chunk, in order, for `<!DOCTYPE`, `<!ENTITY` (any case) and U+FFFD. */
export class XmlGuard {
  private tail = '';

  /** Returns the first hit in `chunk` (taking the previous chunk's tail into account), if any. */
  scan(chunk: string): GuardHit | undefined {
    // Markers that start in the previous chunk's tail; the chunk itself is searched without copying it.
    const tail = this.tail;
    let hit =
      tail.length === 0 ? undefined : findMarker(tail + chunk.slice(0, CARRY), tail.length, -tail.length);
    hit ??= findMarker(chunk, chunk.length, 0);
    this.tail = chunk.length >= CARRY ? chunk.slice(chunk.length - CARRY) : (tail + chunk).slice(-CARRY);

    const bad = chunk.indexOf('\uFFFD');
    if (bad !== -1 && (hit === undefined || bad < hit.index)) {
      hit = { kind: 'REPLACEMENT_CHAR', index: bad };
    }
    return hit;
  }
}

/** First `<!DOCTYPE` / `<!ENTITY` in `text` starting before `before`; `shift` maps its index to the chunk. */
function findMarker(text: string, before: number, shift: number): GuardHit | undefined {
  // Searching for `!` rather than `<!`: `<` comes every few characters in XML, `!` hardly ever in a DCASS
  // report (comments and CDATA only), so this is one fast scan per chunk (measured: ~3% of the reader).
  for (let k = text.indexOf('!', 1); k !== -1 && k <= before; k = text.indexOf('!', k + 1)) {
    if (text.charCodeAt(k - 1) !== 0x3c) continue;
    const word = text.slice(k + 1, k + 8).toUpperCase();
    if (word.startsWith('DOCTYPE')) return { kind: 'DOCTYPE', index: k - 1 + shift };
    if (word.startsWith('ENTITY')) return { kind: 'ENTITY', index: k - 1 + shift };
  }
  return undefined;
}
