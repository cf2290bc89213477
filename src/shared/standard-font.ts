/**
 * The confirmation PDF uses PDF's built-in standard fonts (Helvetica), so it embeds nothing and needs
 * no font file; those fonts print WinAnsi (Windows-1252) text only, and anything else would come out
 * as blanks. A name that cannot be printed is therefore refused where it is configured.
 */

// Windows-1252 is ISO-8859-1 plus these 27 characters at bytes 0x80-0x9F (the code page's published
// table, the same one pdfkit encodes with). Written out because Node 20's TextDecoder reads the
// 'windows-1252' label as plain ISO-8859-1 and would miss them. A test checks this set against pdfkit.
const WINDOWS_1252_EXTRA = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';

function printable(c: string): boolean {
  const code = c.codePointAt(0)!;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WINDOWS_1252_EXTRA.includes(c);
}

/** The characters of `text` the standard PDF fonts cannot print, each once, in order of appearance. */
export function unprintableInStandardFont(text: string): string[] {
  const bad = new Set<string>();
  for (const c of text) if (!printable(c)) bad.add(c);
  return [...bad];
}

/** Why a configured text cannot go into the confirmation PDF; null when it can. */
export function standardFontProblem(text: string): string | null {
  const bad = unprintableInStandardFont(text);
  if (bad.length === 0) return null;
  const shown = bad
    .slice(0, 5)
    .map((c) =>
      /[\p{L}\p{N}\p{P}\p{S}]/u.test(c)
        ? c
        : `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`,
    )
    .join(' ');
  return `the confirmation PDF's standard font cannot print ${shown}; write it in Latin letters (as registered with HKEX)`;
}
