import { createHash } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import type { ConfirmationConfig } from '../config/config.js';
import type { MissingInput } from '../db/tables/recon.table.js';
import { DcassError } from '../shared/errors.js';
import { HONG_KONG, dateIn } from './deadline.js';
import { unprintableInStandardFont } from './standard-font.js';

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

/** One reconciliation's comparison in a few words: "trades-bos 19 / 18 records" or "positions-bos incomplete: ...". */
export function comparedText(c: ComparedRecords): string {
  return c.state === 'compared'
    ? `${c.recon} ${c.left} / ${c.right}`
    : `${c.recon} ${c.state.toUpperCase()} (${c.why})`;
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

const STATUSES = ['open', 'explained', 'resolved', 'cleared'] as const;
const TITLE = 'Confirmation for Post-Release Verification';
const MARGIN = 56;
const INK = '#111111';
const GREY = '#555555';
const RULE = '#9a9a9a';
const ALERT = '#b00020';

/** The clearing house as the form asks for it: HKCC, SEOCH or Both. */
export function clearingHouseText(house: ConfirmationConfig['clearingHouse']): string {
  return house === 'Both' ? 'Both (HKCC and SEOCH)' : house;
}

/** A date (YYYY-MM-DD) written for people: "Sunday, 5 May 2019". */
export function longDate(isoDate: string, weekday = false): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat('en-GB', {
    ...(weekday ? { weekday: 'long' as const } : {}),
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** An instant as Hong Kong wall-clock time: "2019-05-05 11:15 Hong Kong time". */
export function hongKongTime(instant: Date): string {
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: HONG_KONG,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(instant);
  return `${dateIn(instant, HONG_KONG)} ${time} Hong Kong time`;
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
    this.fields([
      ['Participant full name', c.fullName],
      ['Clearing house', clearingHouseText(c.clearingHouse)],
      ['DCASS customer code', c.customerCode],
      ['Date', longDate(dateIn(input.generatedAt, HONG_KONG))],
    ]);
    this.statement();
    if (input.acceptedOpen) this.accepted(input.acceptedOpen);
    this.contacts(c);
    this.signatures(c.signatories);
    this.reference(input);
    this.footers(c);
  }

  private fits(height: number): void {
    const bottom = this.doc.page.height - this.doc.page.margins.bottom;
    if (this.doc.y + height > bottom) this.doc.addPage();
  }

  private heading(text: string): void {
    this.fits(60);
    this.doc.moveDown(0.9);
    this.doc.font('Helvetica-Bold').fontSize(11).fillColor(INK).text(text, this.left, this.doc.y);
    this.doc.moveDown(0.3);
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
    doc.moveDown(0.2);
    doc.font('Helvetica-Bold').fontSize(18).fillColor(INK).text(TITLE, { width: this.width });
    doc.moveDown(0.2);
    doc
      .font('Helvetica')
      .fontSize(10.5)
      .text(`HKATS / DCASS upgrade: Post-Release Verification Session of ${longDate(c.sessionDate, true)}`, {
        width: this.width,
      });
    doc.moveDown(0.4);
    doc
      .fontSize(8.5)
      .fillColor(GREY)
      .text(
        'Pre-filled by dcass-recon from the participant configuration and the reconciliation runs listed below. ' +
          'Check every entry, then sign and chop.',
        { width: this.width },
      );
    doc.moveDown(0.6);
    this.hline(this.left, doc.y, this.width, INK);
    doc.moveDown(0.6);
  }

  private fields(rows: readonly [string, string][]): void {
    const doc = this.doc;
    const labelWidth = 150;
    for (const [label, value] of rows) {
      this.fits(24);
      const y = doc.y;
      doc
        .font('Helvetica')
        .fontSize(9.5)
        .fillColor(GREY)
        .text(label, this.left, y + 1, { width: labelWidth });
      doc
        .font('Helvetica-Bold')
        .fontSize(11)
        .fillColor(INK)
        .text(value, this.left + labelWidth, y, { width: this.width - labelWidth });
      const bottom = Math.max(doc.y, y + 14) + 3;
      this.hline(this.left + labelWidth, bottom, this.width - labelWidth);
      doc.y = bottom + 7;
    }
  }

  private statement(): void {
    this.heading('Confirmation');
    // DOMAIN.md: the statement that verification of connections and data completed successfully; the
    // CP verifies its DCASS post-trades and positions against its records and/or the Genium INET reports.
    this.doc
      .font('Helvetica')
      .fontSize(10.5)
      .fillColor(INK)
      .text(
        'We confirm that the verification of connections and data in the upgraded DCASS, our post-trades and ' +
          'positions checked against our internal records and/or the Genium INET reports, has been completed ' +
          'successfully.',
        this.left,
        this.doc.y,
        { width: this.width, lineGap: 2 },
      );
  }

  private accepted(a: AcceptedOpenBreaks): void {
    const doc = this.doc;
    const pad = 10;
    const inner = this.width - 2 * pad;
    const title = a.missingInputs > 0 ? 'OPEN BREAKS AND MISSING INPUTS ACCEPTED' : 'OPEN BREAKS ACCEPTED';
    const line = `When this confirmation was prepared: ${acceptedWhat(a)}. ${a.actor} accepted this for the reason:`;
    doc.font('Helvetica-Bold').fontSize(12);
    const h1 = doc.heightOfString(title, { width: inner });
    doc.font('Helvetica').fontSize(10);
    const h2 = doc.heightOfString(line, { width: inner });
    doc.font('Helvetica-Bold').fontSize(11);
    const h3 = doc.heightOfString(a.reason, { width: inner });
    const height = pad + h1 + 6 + h2 + 6 + h3 + pad;
    doc.moveDown(1);
    this.fits(height + 4);
    const top = doc.y;
    doc.save().rect(this.left, top, this.width, height).lineWidth(2).strokeColor(ALERT).stroke().restore();
    doc
      .font('Helvetica-Bold')
      .fontSize(12)
      .fillColor(ALERT)
      .text(title, this.left + pad, top + pad, { width: inner });
    doc.moveDown(0.3);
    doc.font('Helvetica').fontSize(10).fillColor(INK).text(line, { width: inner });
    doc.moveDown(0.3);
    doc.font('Helvetica-Bold').fontSize(11).fillColor(INK).text(a.reason, { width: inner });
    doc.y = top + height + 4;
    doc.x = this.left;
  }

  private contacts(c: ConfirmationConfig): void {
    const doc = this.doc;
    this.heading('Contact persons');
    this.fits(70);
    const top = doc.y;
    const col = (this.width - 20) / 2;
    let bottom = top;
    (['primary', 'alternate'] as const).forEach((k, i) => {
      const x = this.left + i * (col + 20);
      const p = c.contacts[k];
      doc
        .font('Helvetica-Bold')
        .fontSize(9.5)
        .fillColor(GREY)
        .text(k === 'primary' ? 'Primary contact' : 'Alternate contact', x, top, { width: col });
      doc.moveDown(0.2);
      for (const [label, value] of [
        ['Name', p.name],
        ['Phone', p.phone],
        ['E-mail', p.email],
      ] as const) {
        const y = doc.y;
        doc.font('Helvetica').fontSize(9.5).fillColor(GREY).text(label, x, y, { width: 45 });
        doc
          .font('Helvetica')
          .fontSize(10.5)
          .fillColor(INK)
          .text(value, x + 45, y, { width: col - 45 });
        doc.y = Math.max(doc.y, y + 13) + 2;
      }
      bottom = Math.max(bottom, doc.y);
    });
    doc.y = bottom;
    doc.x = this.left;
  }

  // A block per signatory, two to a row; every line blank except the printed name.
  private signatures(signatories: readonly string[]): void {
    const doc = this.doc;
    this.heading('Authorised signatures');
    const col = (this.width - 30) / 2;
    const blockHeight = 150;
    for (let i = 0; i < signatories.length; i += 2) {
      this.fits(blockHeight);
      const top = doc.y;
      signatories
        .slice(i, i + 2)
        .forEach((name, j) => this.signatureBlock(name, this.left + j * (col + 30), top, col));
      doc.y = top + blockHeight;
    }
    // The company chop: one box, left empty.
    this.fits(110);
    const top = doc.y + 4;
    doc
      .save()
      .rect(this.left, top, 170, 90)
      .lineWidth(0.6)
      .dash(3, { space: 3 })
      .strokeColor(RULE)
      .stroke()
      .restore();
    doc
      .font('Helvetica')
      .fontSize(8.5)
      .fillColor(GREY)
      .text('Company chop', this.left + 6, top + 6, { width: 158 });
    doc.y = top + 90 + 6;
    doc.x = this.left;
  }

  private signatureBlock(name: string, x: number, top: number, width: number): void {
    const doc = this.doc;
    const labelled = (label: string, y: number, value: string | null) => {
      doc
        .font('Helvetica')
        .fontSize(8.5)
        .fillColor(GREY)
        .text(label, x, y + 3, { width: 60 });
      if (value !== null) {
        doc
          .font('Helvetica-Bold')
          .fontSize(10.5)
          .fillColor(INK)
          .text(value, x + 62, y, { width: width - 62 });
      }
      this.hline(x + 62, y + 14, width - 62);
    };
    // The signature itself needs room above its line.
    this.hline(x, top + 44, width);
    doc
      .font('Helvetica')
      .fontSize(8.5)
      .fillColor(GREY)
      .text('Authorised signature', x, top + 48, { width });
    labelled('Name', top + 70, name);
    labelled('Title', top + 94, null);
    labelled('Date', top + 118, null);
  }

  private reference(input: ConfirmationPdfInput): void {
    const doc = this.doc;
    this.heading('Reference (dcass-recon)');
    const dates = [...new Set(input.runs.map((r) => r.businessDate))].sort();
    type Line = [label: string, value: string, colour?: string | undefined];
    // [label, value, colour]: a missing input and a reconciliation that compared nothing print in red.
    const lines: Line[] = [
      ['Business date(s) verified', dates.join(', ') || '(none)'],
      ...input.runs.flatMap((r): Line[] => [
        [
          `Run ${r.id}`,
          `business date ${r.businessDate}; ${r.startedAt} to ${r.finishedAt ?? '(not finished)'}; breaks: ` +
            STATUSES.map((s) => `${s} ${r.byStatus[s] ?? 0}`).join(', '),
        ],
        ['    reconciliations', r.recons.join(', ')],
        [
          '    records compared',
          `left / right: ${r.compared.map(comparedText).join('; ') || '(none)'}`,
          r.compared.some((c) => c.state === 'incomplete') ? ALERT : undefined,
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
              ] as Line,
            ]),
        ['    rule set', `${r.ruleSet.name}, sha256 ${r.ruleSet.sha256}`],
      ]),
      [
        'Audit chain head',
        input.auditHeadHash ?? 'none: no audit trail was available when this confirmation was prepared',
      ],
      [
        'Prepared by',
        `${input.preparedBy}, ${hongKongTime(input.generatedAt)} (${input.generatedAt.toISOString()})`,
      ],
      [
        'Evidence pack',
        'manifest.json lists the sha256 and size of every file of the pack, this PDF included',
      ],
    ];
    if (input.acceptedOpen) {
      lines.splice(lines.length - 2, 0, [
        'Accepted (--accept-open)',
        `${acceptedWhat(input.acceptedOpen)}: ${input.acceptedOpen.reason}`,
      ]);
    }
    const labelWidth = 120;
    for (const [label, value, colour] of lines) {
      doc.font('Helvetica').fontSize(8.5);
      const h = Math.max(doc.heightOfString(value, { width: this.width - labelWidth }), 11);
      this.fits(h + 3);
      const y = doc.y;
      doc.fillColor(colour ?? GREY).text(label, this.left, y, { width: labelWidth - 6 });
      doc.fillColor(colour ?? INK).text(value, this.left + labelWidth, y, { width: this.width - labelWidth });
      doc.y = y + h + 3;
    }
    doc.x = this.left;
  }

  private footers(c: ConfirmationConfig): void {
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
          `${c.customerCode}: ${TITLE}, page ${i - range.start + 1} of ${range.count}`,
          this.left,
          doc.page.height - margin + 18,
          { width: this.width, align: 'center', lineBreak: false },
        );
      doc.page.margins.bottom = margin;
    }
  }
}

/** "2 open breaks, 1 missing input": what an acceptance covered. */
export function acceptedWhat(a: AcceptedOpenBreaks): string {
  const parts = [
    a.openBreaks > 0 ? `${a.openBreaks} open break${a.openBreaks === 1 ? '' : 's'}` : null,
    a.missingInputs > 0 ? `${a.missingInputs} missing input${a.missingInputs === 1 ? '' : 's'}` : null,
  ];
  return parts.filter((p) => p !== null).join(', ');
}
