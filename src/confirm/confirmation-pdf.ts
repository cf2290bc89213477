import { createHash } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import type { ConfirmationConfig } from '../config/config.js';
import type { MissingInput } from '../db/tables/recon.table.js';
import { DcassError } from '../shared/errors.js';
import { hkTime } from '../model/dates.js';
import { BREAK_STATUSES } from '../model/vocabulary.js';
import { unprintableInStandardFont } from '../shared/standard-font.js';

/**
 * What one reconciliation of a run compared: the records of each side, or why it compared nothing
 * (skipped: not one of its dates; incomplete: an expected input was missing).
 */
export type ComparedRecords =
  | { readonly recon: string; readonly state: 'compared'; readonly left: number; readonly right: number }
  | { readonly recon: string; readonly state: 'skipped' | 'incomplete'; readonly why: string };

/** A reconciliation run the confirmation rests on, as its reference block prints it. */
export interface ConfirmationRunRef {
  readonly id: string;
  readonly businessDate: string;
  readonly ruleSet: { readonly name: string; readonly sha256: string };
  /** The reconciliations the run ran. */
  readonly recons: readonly string[];
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** Breaks of the run by status: open, explained, resolved, cleared. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Per reconciliation, what it compared: what a clean result rests on. */
  readonly compared: readonly ComparedRecords[];
  /** Expected inputs the run did not have. */
  readonly missingInputs: readonly MissingInput[];
}

/** Open breaks a person accepted when confirming, and why. */
export interface AcceptedOpenBreaks {
  readonly reason: string;
  readonly actor: string;
  /** How many breaks were open when they were accepted. */
  readonly openBreaks: number;
  /** How many expected inputs of the runs were missing when they were accepted. */
  readonly missingInputs: number;
}

/** Everything the confirmation PDF prints. The same input gives the same bytes. */
export interface ConfirmationPdfInput {
  readonly confirmation: ConfirmationConfig;
  readonly runs: readonly ConfirmationRunRef[];
  /** The audit chain's head hash when the confirmation was prepared; null when there is none. */
  readonly auditHeadHash: string | null;
  readonly acceptedOpen: AcceptedOpenBreaks | null;
  /** Who ran `confirm`. */
  readonly preparedBy: string;
  /** When it was prepared: the PDF's date, creation date and file identifier come from it. */
  readonly generatedAt: Date;
}

const TITLE = 'Confirmation for Post-Release Verification';
/** HKEX's wording on the Appendix E form, word for word: the signature confirms exactly this. */
const APPENDIX_E_STATEMENT =
  'We have completed the HKATS and DCASS Upgrade post-release verification successfully, covering DCASS connections and data verification.';
/** The form's choice of clearing house, in its order; the configured one is marked. */
const CLEARING_HOUSE_CHOICES = ['HKCC', 'SEOCH', 'Both'] as const;
const MARGIN = 56;
const INK = '#111111';
const GREY = '#555555';
const RULE = '#9a9a9a';
const ALERT = '#b00020';

/** A date (YYYY-MM-DD) written for people: "Sunday, 5 May 2019". */
function longDate(isoDate: string, weekday = false): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat('en-GB', {
    ...(weekday ? { weekday: 'long' as const } : {}),
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

/**
 * Renders the Appendix E confirmation, pre-filled, its signature area blank, with a reference block
 * naming the runs, their break counts and the audit head. Built-in fonts only; no network.
 */
export async function renderConfirmationPdf(input: ConfirmationPdfInput): Promise<Buffer> {
  checkPrintable(input);
  const c = input.confirmation;
  // Loaded when a confirmation is rendered, not by every command: with ssh2-sftp-client (loaded the
  // same way) it was about 10 MB of the resident size of every process that never draws a page.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    lang: 'en-HK',
    displayTitle: true,
    // Fixed from the input, so the same input gives the same bytes (pdfkit derives the file ID from these).
    info: {
      Title: `${TITLE}: ${c.fullName}`,
      Subject: `Appendix E, post-release verification session of ${c.sessionDate}`,
      Author: c.fullName,
      Creator: 'dcass-recon',
      Producer: 'dcass-recon (PDFKit)',
      CreationDate: input.generatedAt,
      ModDate: input.generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (b: Buffer) => chunks.push(b));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  new Layout(doc).draw(input);
  doc.end();
  return done;
}

/** Writes the confirmation PDF to `file` (whole or not at all); its sha256 and size. */
export async function writeConfirmationPdf(
  input: ConfirmationPdfInput,
  file: string,
): Promise<{ path: string; sha256: string; bytes: number }> {
  const pdf = await renderConfirmationPdf(input);
  const partial = `${file}.partial`;
  try {
    writeFileSync(partial, pdf);
    renameSync(partial, file);
  } catch (cause) {
    rmSync(partial, { force: true });
    throw new DcassError('USAGE', `cannot write the confirmation PDF ${file}`, {
      hint: 'choose an output folder you can write to',
      cause,
    });
  }
  return { path: file, sha256: createHash('sha256').update(pdf).digest('hex'), bytes: pdf.length };
}

// Every text the PDF prints must be printable in its standard font: refuse rather than print blanks.
function checkPrintable(input: ConfirmationPdfInput): void {
  const c = input.confirmation;
  const texts: [string, string][] = [
    ['confirmation.fullName', c.fullName],
    ['confirmation.customerCode', c.customerCode],
    ...(['primary', 'alternate'] as const).flatMap((k): [string, string][] => [
      [`confirmation.contacts.${k}.name`, c.contacts[k].name],
      [`confirmation.contacts.${k}.phone`, c.contacts[k].phone],
      [`confirmation.contacts.${k}.email`, c.contacts[k].email],
    ]),
    ...c.signatories.map((s, i): [string, string] => [`confirmation.signatories.${i}`, s]),
    ['the reason for accepting open breaks (--accept-open)', input.acceptedOpen?.reason ?? ''],
    ['the actor (--actor)', input.acceptedOpen?.actor ?? ''],
    ['the actor (--actor)', input.preparedBy],
  ];
  for (const [what, text] of texts) {
    const bad = unprintableInStandardFont(text);
    if (bad.length > 0) {
      throw new DcassError(
        'USAGE',
        `${what} has characters the confirmation PDF cannot print: ${bad.join(' ')}`,
        {
          hint: 'write it in Latin letters; the PDF uses the standard PDF fonts, which print Windows-1252 text only',
        },
      );
    }
  }
}

// Vertical rhythm of the form, in points: fixed steps, so every block's height can be measured before
// it is drawn and a block is never split across pages.
const GAP = 8; // before a heading
const HEADING = 17; // a heading's line and the space under it
const FIELD_ROW = 24;
const SIGNATURES_PER_ROW = 3;
const SIGNATURE_ROW = 74;
const DATE_AND_CHOP_ROW = 68;
const REF_FONT = 8;
const REF_LABEL_WIDTH = 112;
const TABLE_ROW = 11;

/** The drawing of the form: one pass down the page, a new page when a block would not fit. */
class Layout {
  private readonly left: number;
  private readonly width: number;

  constructor(private readonly doc: PDFKit.PDFDocument) {
    this.left = doc.page.margins.left;
    this.width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  }

  draw(input: ConfirmationPdfInput): void {
    const c = input.confirmation;
    this.header(c);
    this.fields(c);
    this.statement();
    if (input.acceptedOpen) this.accepted(input.acceptedOpen);
    this.contacts(c);
    this.signatures(c.signatories);
    this.reference(input);
    this.footers(c, input.generatedAt);
  }

  private get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  private fits(height: number): void {
    if (this.doc.y + height > this.bottom) this.doc.addPage();
  }

  // A heading moves to the next page together with the first `keep` points of what follows it.
  private heading(text: string, keep: number): void {
    this.doc.y += GAP;
    this.fits(HEADING + keep);
    this.doc.font('Helvetica-Bold').fontSize(11).fillColor(INK).text(text, this.left, this.doc.y);
    this.doc.y = this.doc.y + HEADING - 13;
  }

  private hline(x: number, y: number, w: number, color = RULE): void {
    this.doc
      .save()
      .moveTo(x, y)
      .lineTo(x + w, y)
      .lineWidth(0.6)
      .strokeColor(color)
      .stroke()
      .restore();
  }

  private header(c: ConfirmationConfig): void {
    const doc = this.doc;
    doc
      .font('Helvetica')
      .fontSize(9)
      .fillColor(GREY)
      .text('Appendix E', this.left, doc.y, { width: this.width });
    doc.y += 2;
    doc.font('Helvetica-Bold').fontSize(18).fillColor(INK).text(TITLE, { width: this.width });
    doc.y += 2;
    doc
      .font('Helvetica')
      .fontSize(10.5)
      .text(
        `HKATS and DCASS Upgrade: Post-Release Verification Session of ${longDate(c.sessionDate, true)}`,
        {
          width: this.width,
        },
      );
    doc.y += 4;
    doc
      .fontSize(8.5)
      .fillColor(GREY)
      .text(
        'Pre-filled by dcass-recon from the participant configuration and the reconciliation runs in the reference below. ' +
          'Check every entry, then sign, date and chop.',
        { width: this.width },
      );
    doc.y += 6;
    this.hline(this.left, doc.y, this.width, INK);
    doc.y += 8;
  }

  private fields(c: ConfirmationConfig): void {
    this.field('Participant full name', (x, y, w) => this.value(c.fullName, x, y, w));
    this.field('Clearing house', (x, y) => this.choice(c.clearingHouse, x, y));
    this.field('DCASS customer code', (x, y, w) => this.value(c.customerCode, x, y, w));
  }

  // One labelled line of the form: the label on the left, the entry over a rule.
  private field(label: string, drawValue: (x: number, y: number, width: number) => number): void {
    const doc = this.doc;
    const labelWidth = 150;
    this.fits(FIELD_ROW);
    const y = doc.y;
    doc
      .font('Helvetica')
      .fontSize(9.5)
      .fillColor(GREY)
      .text(label, this.left, y + 1, { width: labelWidth });
    const valueBottom = drawValue(this.left + labelWidth, y, this.width - labelWidth);
    const bottom = Math.max(valueBottom, y + 14) + 3;
    this.hline(this.left + labelWidth, bottom, this.width - labelWidth);
    doc.y = bottom + 7;
  }

  private value(text: string, x: number, y: number, width: number): number {
    this.doc.font('Helvetica-Bold').fontSize(11).fillColor(INK).text(text, x, y, { width });
    return this.doc.y;
  }

  // The form's HKCC / SEOCH / Both choice as check boxes, the configured one crossed. The standard
  // font has no box glyph (☒ is not Windows-1252), so the box is drawn and the cross is the letter X,
  // which a text reader of the PDF sees in front of the marked choice.
  private choice(house: ConfirmationConfig['clearingHouse'], x: number, y: number): number {
    const doc = this.doc;
    const box = 10;
    let at = x;
    for (const option of CLEARING_HOUSE_CHOICES) {
      doc
        .save()
        .rect(at, y - 1, box, box)
        .lineWidth(0.8)
        .strokeColor(INK)
        .stroke()
        .restore();
      if (option === house) {
        doc
          .font('Helvetica-Bold')
          .fontSize(9)
          .fillColor(INK)
          .text('X', at + 2, y + 0.6, { lineBreak: false });
      }
      doc
        .font(option === house ? 'Helvetica-Bold' : 'Helvetica')
        .fontSize(11)
        .fillColor(INK)
        .text(option, at + box + 5, y, { lineBreak: false });
      at += box + 5 + doc.widthOfString(option) + 28;
    }
    doc.x = this.left;
    return y + 13;
  }

  private statement(): void {
    const doc = this.doc;
    doc.font('Helvetica').fontSize(10.5);
    const h = doc.heightOfString(APPENDIX_E_STATEMENT, { width: this.width, lineGap: 2 });
    this.heading('Confirmation', h);
    doc
      .font('Helvetica')
      .fontSize(10.5)
      .fillColor(INK)
      .text(APPENDIX_E_STATEMENT, this.left, doc.y, { width: this.width, lineGap: 2 });
  }

  private accepted(a: AcceptedOpenBreaks): void {
    const doc = this.doc;
    const pad = 9;
    const inner = this.width - 2 * pad;
    const title = a.missingInputs > 0 ? 'OPEN BREAKS AND MISSING INPUTS ACCEPTED' : 'OPEN BREAKS ACCEPTED';
    const line = `When this confirmation was prepared: ${acceptedWhat(a)}. ${a.actor} accepted this for the reason:`;
    doc.font('Helvetica-Bold').fontSize(11);
    const h1 = doc.heightOfString(title, { width: inner });
    doc.font('Helvetica').fontSize(9.5);
    const h2 = doc.heightOfString(line, { width: inner });
    doc.font('Helvetica-Bold').fontSize(10.5);
    const h3 = doc.heightOfString(a.reason, { width: inner });
    const height = pad + h1 + 4 + h2 + 4 + h3 + pad;
    doc.y += GAP;
    this.fits(height);
    const top = doc.y;
    doc.save().rect(this.left, top, this.width, height).lineWidth(2).strokeColor(ALERT).stroke().restore();
    doc
      .font('Helvetica-Bold')
      .fontSize(11)
      .fillColor(ALERT)
      .text(title, this.left + pad, top + pad, { width: inner });
    doc.y += 4;
    doc.font('Helvetica').fontSize(9.5).fillColor(INK).text(line, { width: inner });
    doc.y += 4;
    doc.font('Helvetica-Bold').fontSize(10.5).fillColor(INK).text(a.reason, { width: inner });
    doc.y = top + height;
    doc.x = this.left;
  }

  private contacts(c: ConfirmationConfig): void {
    const doc = this.doc;
    const col = (this.width - 20) / 2;
    const rows = (k: 'primary' | 'alternate') =>
      [
        ['Name', c.contacts[k].name],
        ['Phone', c.contacts[k].phone],
        ['E-mail', c.contacts[k].email],
      ] as const;
    doc.font('Helvetica').fontSize(10.5);
    const height = Math.max(
      ...(['primary', 'alternate'] as const).map(
        (k) =>
          15 +
          rows(k).reduce(
            (h, [, value]) => h + Math.max(doc.heightOfString(value, { width: col - 45 }), 13) + 2,
            0,
          ),
      ),
    );
    this.heading('Contact persons', height);
    const top = doc.y;
    (['primary', 'alternate'] as const).forEach((k, i) => {
      const x = this.left + i * (col + 20);
      doc
        .font('Helvetica-Bold')
        .fontSize(9.5)
        .fillColor(GREY)
        .text(k === 'primary' ? 'Primary contact' : 'Alternate contact', x, top, { width: col });
      doc.y = top + 15;
      for (const [label, value] of rows(k)) {
        const y = doc.y;
        doc
          .font('Helvetica')
          .fontSize(9.5)
          .fillColor(GREY)
          .text(label, x, y + 1, { width: 45 });
        doc
          .font('Helvetica')
          .fontSize(10.5)
          .fillColor(INK)
          .text(value, x + 45, y, { width: col - 45 });
        doc.y = Math.max(doc.y, y + 13) + 2;
      }
    });
    doc.y = top + height;
    doc.x = this.left;
  }

  // A block per signatory, three to a row, every line blank but the printed name; then the date line,
  // left blank for the signer (the form is dated when signed, not when generated), and the chop box.
  private signatures(signatories: readonly string[]): void {
    const doc = this.doc;
    this.heading('Authorised signatures', SIGNATURE_ROW);
    const gutter = 20;
    const col = (this.width - (SIGNATURES_PER_ROW - 1) * gutter) / SIGNATURES_PER_ROW;
    for (let i = 0; i < signatories.length; i += SIGNATURES_PER_ROW) {
      this.fits(SIGNATURE_ROW);
      const top = doc.y;
      signatories
        .slice(i, i + SIGNATURES_PER_ROW)
        .forEach((name, j) => this.signatureBlock(name, this.left + j * (col + gutter), top, col));
      doc.y = top + SIGNATURE_ROW;
    }
    this.fits(DATE_AND_CHOP_ROW);
    const top = doc.y + 8;
    this.labelledLine('Date', null, this.left, top + 36, col);
    const chopWidth = 170;
    const chopX = this.left + this.width - chopWidth;
    doc
      .save()
      .rect(chopX, top, chopWidth, DATE_AND_CHOP_ROW - 10)
      .lineWidth(0.6)
      .dash(3, { space: 3 })
      .strokeColor(RULE)
      .stroke()
      .restore();
    doc
      .font('Helvetica')
      .fontSize(8.5)
      .fillColor(GREY)
      .text('Company chop', chopX + 6, top + 6, { width: chopWidth - 12 });
    doc.y = top + DATE_AND_CHOP_ROW - 8;
    doc.x = this.left;
  }

  private signatureBlock(name: string, x: number, top: number, width: number): void {
    // The signature itself needs room above its line.
    this.hline(x, top + 24, width);
    this.doc
      .font('Helvetica')
      .fontSize(8.5)
      .fillColor(GREY)
      .text('Authorised signature', x, top + 27, { width });
    this.labelledLine('Name', name, x, top + 40, width);
    this.labelledLine('Title', null, x, top + 56, width);
  }

  // "Label ______" with the value (if any) printed on the line.
  private labelledLine(label: string, value: string | null, x: number, y: number, width: number): void {
    const doc = this.doc;
    const labelWidth = 32;
    doc
      .font('Helvetica')
      .fontSize(8.5)
      .fillColor(GREY)
      .text(label, x, y + 3, { width: labelWidth, lineBreak: false });
    if (value !== null) {
      doc
        .font('Helvetica-Bold')
        .fontSize(10)
        .fillColor(INK)
        .text(value, x + labelWidth, y + 1, { width: width - labelWidth, lineBreak: false, ellipsis: true });
    }
    this.hline(x + labelWidth, y + 13, width - labelWidth);
  }

  // The reference block stays on the form's page when it fits; the records compared per
  // reconciliation join it there, or fill an evidence page of their own when they do not fit.
  private reference(input: ConfirmationPdfInput): void {
    const doc = this.doc;
    const lines = referenceLines(input);
    const table = comparedRows(input.runs);
    const heights = lines.map(([, value]) => this.refLineHeight(value));
    const linesHeight = heights.reduce((a, b) => a + b, 0);
    const tableHeight = HEADING + this.tableHeight(table);
    this.heading('Reference (dcass-recon)', heights[0] ?? 0);
    const inline = doc.y + linesHeight + GAP + tableHeight <= this.bottom;
    if (!inline) {
      lines.push([
        'Records compared',
        'per reconciliation, left and right, on the evidence page that follows',
      ]);
    }
    for (const [label, value, colour] of lines) {
      const h = this.refLineHeight(value);
      this.fits(h);
      const y = doc.y;
      doc.font('Helvetica').fontSize(REF_FONT);
      doc.fillColor(colour ?? GREY).text(label, this.left, y, { width: REF_LABEL_WIDTH - 6 });
      doc
        .fillColor(colour ?? INK)
        .text(value, this.left + REF_LABEL_WIDTH, y, { width: this.width - REF_LABEL_WIDTH });
      doc.y = y + h;
    }
    if (!inline) doc.addPage();
    this.heading(
      inline ? 'Records compared per reconciliation' : 'Evidence: records compared per reconciliation',
      TABLE_ROW * 2,
    );
    this.comparedTable(table);
    doc.x = this.left;
  }

  private refLineHeight(value: string): number {
    this.doc.font('Helvetica').fontSize(REF_FONT);
    return Math.max(this.doc.heightOfString(value, { width: this.width - REF_LABEL_WIDTH }), 10) + 2;
  }

  private readonly columns = [
    { title: 'Run', width: 40, align: 'left' },
    { title: 'Reconciliation', width: 120, align: 'left' },
    { title: 'Left records', width: 56, align: 'right' },
    { title: 'Right records', width: 56, align: 'right' },
    { title: '', width: 0, align: 'left' }, // the rest of the width: why nothing was compared
  ] as const;

  private columnWidths(): number[] {
    const fixed = this.columns.reduce((w, c) => w + c.width + 8, 0);
    return this.columns.map((c) => (c.width === 0 ? this.width - fixed : c.width));
  }

  private tableHeight(rows: readonly ComparedRow[]): number {
    const widths = this.columnWidths();
    this.doc.font('Helvetica').fontSize(REF_FONT);
    return rows.reduce(
      (h, r) => h + Math.max(this.doc.heightOfString(r.cells[4], { width: widths[4]! }), 9) + 2,
      TABLE_ROW,
    );
  }

  private comparedTable(rows: readonly ComparedRow[]): void {
    const doc = this.doc;
    const widths = this.columnWidths();
    const row = (cells: readonly string[], font: string, colour: string) => {
      doc.font(font).fontSize(REF_FONT);
      const h = Math.max(doc.heightOfString(cells[4] ?? '', { width: widths[4]! }), 9) + 2;
      this.fits(h);
      const y = doc.y;
      let x = this.left;
      cells.forEach((cell, i) => {
        doc.fillColor(colour).text(cell, x, y, { width: widths[i]!, align: this.columns[i]!.align });
        x += widths[i]! + 8;
      });
      doc.y = y + h;
    };
    row(
      this.columns.map((c) => c.title),
      'Helvetica-Bold',
      GREY,
    );
    for (const r of rows) row(r.cells, 'Helvetica', r.alert ? ALERT : INK);
  }

  private footers(c: ConfirmationConfig, generatedAt: Date): void {
    const doc = this.doc;
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      // Writing inside the bottom margin would make pdfkit start a new page: lift the margin first.
      const margin = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc
        .font('Helvetica')
        .fontSize(8)
        .fillColor(GREY)
        .text(
          `${c.customerCode}: ${TITLE}, generated by dcass-recon ${hkTime(generatedAt)}, page ${i - range.start + 1} of ${range.count}`,
          this.left,
          doc.page.height - margin + 18,
          { width: this.width, align: 'center', lineBreak: false },
        );
      doc.page.margins.bottom = margin;
    }
  }
}

// [label, value, colour]: a missing input prints in red.
type ReferenceLine = [label: string, value: string, colour?: string | undefined];

function referenceLines(input: ConfirmationPdfInput): ReferenceLine[] {
  const dates = [...new Set(input.runs.map((r) => r.businessDate))].sort();
  const lines: ReferenceLine[] = [
    ['Business date(s) verified', dates.join(', ') || '(none)'],
    ...input.runs.flatMap((r): ReferenceLine[] => [
      [
        `Run ${r.id}`,
        `business date ${r.businessDate}; ${hkTime(r.startedAt)} to ${r.finishedAt === null ? '(not finished)' : hkTime(r.finishedAt)}; breaks: ` +
          BREAK_STATUSES.map((s) => `${s} ${r.byStatus[s] ?? 0}`).join(', '),
      ],
      ...(r.missingInputs.length === 0
        ? []
        : [
            [
              '    MISSING INPUTS',
              r.missingInputs
                .map(
                  (m) =>
                    `${m.input} (${m.source} ${m.entity}, ${m.businessDate}) ${m.state}, blocked ${m.recon}`,
                )
                .join('; '),
              ALERT,
            ] as ReferenceLine,
          ]),
      ['    rule set', `${r.ruleSet.name}, sha256 ${r.ruleSet.sha256}`],
    ]),
    [
      'Audit chain head',
      input.auditHeadHash ?? 'none: no audit trail was available when this confirmation was prepared',
    ],
    ['Prepared by', `${input.preparedBy}, ${hkTime(input.generatedAt)}`],
    ['Evidence pack', 'manifest.json lists the sha256 and size of every file of the pack, this PDF included'],
  ];
  return lines;
}

/** One line of the records-compared table: run, reconciliation, left, right, why nothing was compared. */
interface ComparedRow {
  readonly cells: readonly [string, string, string, string, string];
  readonly alert: boolean;
}

function comparedRows(runs: readonly ConfirmationRunRef[]): ComparedRow[] {
  return runs.flatMap((r) =>
    r.compared.map((c): ComparedRow =>
      c.state === 'compared'
        ? { cells: [r.id, c.recon, String(c.left), String(c.right), ''], alert: false }
        : {
            cells: [
              r.id,
              c.recon,
              '-',
              '-',
              `${c.state === 'incomplete' ? 'INCOMPLETE' : 'skipped'}: ${c.why}`,
            ],
            alert: c.state === 'incomplete',
          },
    ),
  );
}

/** "2 open breaks, 1 missing input": what an acceptance covered. */
export function acceptedWhat(a: AcceptedOpenBreaks): string {
  const parts = [
    a.openBreaks > 0 ? `${a.openBreaks} open break${a.openBreaks === 1 ? '' : 's'}` : null,
    a.missingInputs > 0 ? `${a.missingInputs} missing input${a.missingInputs === 1 ? '' : 's'}` : null,
  ];
  return parts.filter((p) => p !== null).join(', ');
}
