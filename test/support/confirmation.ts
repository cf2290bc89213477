import { readFileSync } from 'node:fs';
import type { TextItem } from 'pdfjs-dist/types/src/display/api.js';
import type { ConfirmationConfig } from '../../src/config/config.js';

/** The starter configuration's fictitious CABC confirmation details, with the signatories a test wants. */
export function testConfirmation(signatories: readonly string[]): ConfirmationConfig {
  return {
    fullName: 'ABC Futures and Options Clearing Limited',
    clearingHouse: 'Both',
    customerCode: 'CABC',
    contacts: {
      primary: { name: 'Chan Tai Man', phone: '+852 2555 0101', email: 'tm.chan@abc-futures.example' },
      alternate: { name: 'Wong Siu Ming', phone: '+852 2555 0102', email: 'sm.wong@abc-futures.example' },
    },
    signatories,
    sessionDate: '2019-05-05',
    dueTime: '12:30',
  };
}

/** A PDF as a reader sees it: its pages, each a list of text lines (top to bottom, left to right). */
export interface PdfText {
  readonly pages: readonly (readonly string[])[];
  /** Every line of every page, whitespace runs made one space. */
  readonly text: string;
}

// Two text items belong to one line when their baselines are this close (points): a label and its
// value are set in different sizes.
const SAME_LINE = 2.5;

/**
 * Reads a PDF's text with Mozilla's pdf.js (pure JavaScript, no system tool), so the confirmation's
 * tests run wherever Node runs.
 */
export async function readPdfText(file: string): Promise<PdfText> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await getDocument({
    data: new Uint8Array(readFileSync(file)),
    verbosity: 0,
    isEvalSupported: false,
  }).promise;
  try {
    const pages: string[][] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const content = await (await doc.getPage(n)).getTextContent();
      const items = content.items
        .filter((i): i is TextItem => 'str' in i && i.str.trim() !== '')
        .map((i) => ({ str: i.str, x: i.transform[4] as number, y: i.transform[5] as number }))
        .sort((a, b) => b.y - a.y || a.x - b.x);
      const lines: { y: number; items: typeof items }[] = [];
      for (const item of items) {
        const last = lines.at(-1);
        if (last !== undefined && last.y - item.y <= SAME_LINE) last.items.push(item);
        else lines.push({ y: item.y, items: [item] });
      }
      pages.push(
        lines.map((l) =>
          l.items
            .sort((a, b) => a.x - b.x)
            .map((i) => i.str)
            .join(' ')
            .replace(/\s+/g, ' ')
            .trim(),
        ),
      );
    }
    return { pages, text: pages.flat().join(' ') };
  } finally {
    await doc.destroy();
  }
}
