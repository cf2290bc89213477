import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  renderConfirmationPdf,
  writeConfirmationPdf,
  type ConfirmationPdfInput,
} from '../../src/confirm/confirmation-pdf.js';
import { testConfirmation } from '../support/confirmation.js';

// Artifacts a person can look at after a run (git-ignored).
const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts/confirm-pdf');

/** Text of a PDF by poppler's pdftotext (Debian poppler-utils), whitespace runs made one space. */
function pdfText(file: string): string {
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const confirmation = testConfirmation(['Lee Ka Yan', 'Ho Wing Sze', 'Cheung Hok Yau']);

const input: ConfirmationPdfInput = {
  confirmation,
  runs: [
    {
      id: '41',
      businessDate: '2019-05-03',
      ruleSet: { name: 'default', sha256: 'a1'.repeat(32) },
      recons: ['positions-seam', 'trades-seam'],
      startedAt: '2019-05-05T02:10:00.000Z',
      finishedAt: '2019-05-05T02:10:04.000Z',
      byStatus: { open: 1, explained: 2, resolved: 3, cleared: 4 },
      compared: [
        { recon: 'positions-seam', state: 'compared', left: 40, right: 41 },
        { recon: 'trades-seam', state: 'skipped', why: 'runs on 2019-05-06 only' },
      ],
      missingInputs: [],
    },
  ],
  auditHeadHash: 'c3'.repeat(32),
  acceptedOpen: {
    reason: 'B1: HSIK9 long 131 vs 130 on H01, HKEX ticket 12345',
    actor: 'ops.lead',
    openBreaks: 1,
    missingInputs: 0,
  },
  preparedBy: 'ops.lead',
  generatedAt: new Date('2019-05-05T03:15:00Z'),
};

describe('the Appendix E confirmation PDF', () => {
  let file: string;
  let text: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    file = path.join(ARTIFACTS, 'confirmation.pdf');
    await writeConfirmationPdf(input, file);
    try {
      text = pdfText(file);
    } catch (err) {
      throw new Error(`pdftotext failed (install Debian's poppler-utils): ${(err as Error).message}`);
    }
  });

  it('holds every configured field', () => {
    for (const field of [
      'Confirmation for Post-Release Verification',
      'Appendix E',
      'Sunday, 5 May 2019',
      'ABC Futures and Options Clearing Limited',
      'Both (HKCC and SEOCH)',
      'CABC',
      'Chan Tai Man',
      '+852 2555 0101',
      'tm.chan@abc-futures.example',
      'Wong Siu Ming',
      '+852 2555 0102',
      'sm.wong@abc-futures.example',
      'Lee Ka Yan',
      'Ho Wing Sze',
      'Cheung Hok Yau',
    ]) {
      expect(text, field).toContain(field);
    }
  });

  it('holds the statement, the date, and blank lines to sign, with a company chop box', () => {
    expect(text).toMatch(
      /verification of connections and data in the upgraded DCASS.*has been completed successfully/,
    );
    // 11:15 in Hong Kong on 5 May.
    expect(text).toMatch(/Date 5 May 2019/);
    expect(text.match(/Authorised signature/g)?.length).toBeGreaterThanOrEqual(3);
    expect(text.match(/Title/g)?.length).toBe(3);
    expect(text).toContain('Company chop');
  });

  it('holds the reference block: date verified, run, counts by status, rule set, audit head', () => {
    expect(text).toMatch(/Business date\(s\) verified 2019-05-03/);
    expect(text).toMatch(/Run 41 business date 2019-05-03/);
    expect(text).toMatch(/open 1, explained 2, resolved 3, cleared 4/);
    expect(text).toContain('reconciliations positions-seam, trades-seam');
    // What the clean result rests on: the records of each side compared, per reconciliation.
    expect(text).toContain(
      'records compared left / right: positions-seam 40 / 41; trades-seam SKIPPED (runs on 2019-05-06 only)',
    );
    expect(text).not.toContain('MISSING INPUTS');
    expect(text).toContain(`default, sha256 ${'a1'.repeat(32)}`);
    expect(text).toContain(`Audit chain head ${'c3'.repeat(32)}`);
    expect(text).toContain('ops.lead, 2019-05-05 11:15 Hong Kong time');
  });

  it('prints accepted open breaks prominently, with the reason', () => {
    expect(text).toContain('OPEN BREAKS ACCEPTED');
    expect(text).toMatch(
      /When this confirmation was prepared: 1 open break\. ops\.lead accepted this for the reason:/,
    );
    expect(text).toContain('B1: HSIK9 long 131 vs 130 on H01, HKEX ticket 12345');
  });

  it('without accepted breaks or an audit trail, says so and shows no acceptance', async () => {
    const plain = path.join(ARTIFACTS, 'confirmation-plain.pdf');
    await writeConfirmationPdf(
      {
        ...input,
        acceptedOpen: null,
        auditHeadHash: null,
        confirmation: { ...confirmation, clearingHouse: 'SEOCH' },
      },
      plain,
    );
    const t = pdfText(plain);
    expect(t).not.toContain('ACCEPTED');
    expect(t).toMatch(/Clearing house SEOCH /);
    expect(t).toMatch(/Audit chain head none: no audit trail/);
  });

  it('names a missing input and the reconciliation it left incomplete, on the same one page as before', async () => {
    const missing = path.join(ARTIFACTS, 'confirmation-missing.pdf');
    const run = input.runs[0]!;
    await writeConfirmationPdf(
      {
        ...input,
        runs: [
          {
            ...run,
            compared: [
              { recon: 'positions-seam', state: 'compared', left: 40, right: 41 },
              { recon: 'trades-bos', state: 'incomplete', why: 'bos-trades missing' },
            ],
            missingInputs: [
              {
                recon: 'trades-bos',
                side: 'right',
                input: 'bos-trades',
                source: 'BOS',
                entity: 'trades',
                businessDate: '2019-05-03',
                state: 'missing',
                detail: 'no BOS trades file is loaded for 2019-05-03',
              },
            ],
          },
        ],
      },
      missing,
    );
    const t = pdfText(missing);
    expect(t).toContain('trades-bos INCOMPLETE (bos-trades missing)');
    expect(t).toContain('MISSING INPUTS bos-trades (BOS trades, 2019-05-03) missing, blocked trades-bos');
    // The reference block's extra lines do not push the form onto another page.
    const pages = (f: string) =>
      Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [f], { encoding: 'utf8' }))![1]);
    expect(pages(missing)).toBe(pages(file));
  });

  it('renders to an image (pdftoppm): a PNG per page, not blank', () => {
    const prefix = path.join(ARTIFACTS, 'page');
    execFileSync('pdftoppm', ['-png', '-r', '50', file, prefix]);
    const png = readFileSync(`${prefix}-1.png`);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    // IHDR: width and height at bytes 16-23; A4 at 50 dpi is about 413 x 585.
    expect(png.readUInt32BE(16)).toBeGreaterThan(400);
    expect(png.readUInt32BE(20)).toBeGreaterThan(570);
    // A blank page compresses to a few hundred bytes; text and lines make it far larger.
    expect(png.length).toBeGreaterThan(10_000);
    // Greyscale text pixels: render to PGM (raw bytes) and count dark ones.
    const pgm = execFileSync('pdftoppm', ['-gray', '-r', '50', '-f', '1', '-l', '1', file]);
    const header = pgm.subarray(0, 20).toString('latin1').split(/\s+/);
    const pixels = pgm.subarray(pgm.length - Number(header[1]) * Number(header[2]));
    const dark = pixels.filter((v) => v < 128).length;
    expect(dark / pixels.length).toBeGreaterThan(0.005);
  });

  it('the same input gives the same bytes; another moment gives other bytes', async () => {
    const a = await renderConfirmationPdf(input);
    const b = await renderConfirmationPdf(input);
    expect(a.equals(b)).toBe(true);
    const c = await renderConfirmationPdf({ ...input, generatedAt: new Date('2019-05-05T03:16:00Z') });
    expect(c.equals(a)).toBe(false);
    expect(a.subarray(0, 8).toString('latin1')).toMatch(/^%PDF-1\.\d/);
    writeFileSync(path.join(ARTIFACTS, 'again.pdf'), b);
  });

  it('refuses text its standard font cannot print, naming where it came from', async () => {
    await expect(
      renderConfirmationPdf({ ...input, acceptedOpen: { ...input.acceptedOpen!, reason: '待 HKEX 回覆' } }),
    ).rejects.toThrow(/--accept-open.*cannot print: 待 回 覆/);
  });
});
