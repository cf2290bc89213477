import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { configFiles } from '../support/config-file.js';
import { resolveConfig } from '../../src/config/config.js';
import { unprintableInStandardFont } from '../../src/shared/standard-font.js';
import { builtinPath } from '../../src/shared/package-root.js';

const { dir, configWith, errorOf } = configFiles('dcass-confirm-config-');

const CONTACTS = `  contacts:
    primary: { name: Chan Tai Man, phone: '+852 2555 0101', email: tm.chan@abc.example }
    alternate: { name: Wong Siu Ming, phone: '2555 0102', email: sm.wong@abc.example }
`;

describe('confirmation configuration', () => {
  it('the starter configuration works as written, defaults taken from participant', () => {
    const c = resolveConfig({
      cwd: dir,
      configFile: builtinPath('starter', 'dcass-recon.yaml'),
    }).confirmation;
    expect(c).toEqual({
      fullName: 'ABC Futures and Options Clearing Limited',
      clearingHouse: 'Both',
      customerCode: 'CABC',
      contacts: {
        primary: { name: 'Chan Tai Man', phone: '+852 2555 0101', email: 'tm.chan@abc-futures.example' },
        alternate: { name: 'Wong Siu Ming', phone: '+852 2555 0102', email: 'sm.wong@abc-futures.example' },
      },
      signatories: ['Lee Ka Yan', 'Ho Wing Sze'],
      sessionDate: '2019-05-05',
      dueTime: '12:30',
    });
    expect(Object.isFrozen(c!.contacts.primary)).toBe(true);
  });

  it('a single clearing house is taken as it is; explicit values win over the defaults', () => {
    const one = configWith(
      `participant: { code: CXYZ, name: XYZ Ltd, clearingHouses: [SEOCH] }\nconfirmation:\n${CONTACTS}  signatories: [A B]\n`,
    ).confirmation!;
    expect(one).toMatchObject({ fullName: 'XYZ Ltd', clearingHouse: 'SEOCH', customerCode: 'CXYZ' });
    const given = configWith(
      `participant: { code: CXYZ, clearingHouses: [HKCC] }\nconfirmation:\n  fullName: XYZ Futures Limited\n  clearingHouse: Both\n  customerCode: CXY1\n  sessionDate: 2019-05-12\n  dueTime: '09:45'\n${CONTACTS}  signatories: [A B]\n`,
    ).confirmation!;
    expect(given).toMatchObject({
      fullName: 'XYZ Futures Limited',
      clearingHouse: 'Both',
      customerCode: 'CXY1',
      sessionDate: '2019-05-12',
      dueTime: '09:45',
    });
  });

  it('no confirmation section resolves to null', () => {
    expect(configWith('participant: { code: CABC }\n').confirmation).toBeNull();
  });

  it('a bad e-mail address is named by file, line and key', () => {
    const msg = errorOf(
      `participant: { code: CABC, name: ABC }\nconfirmation:\n  contacts:\n    primary: { name: A, phone: '+852 2555 0101', email: a.example }\n    alternate: { name: B, phone: '+852 2555 0102', email: b@abc.example }\n  signatories: [A]\n`,
    );
    expect(msg).toMatch(/\.yaml:4: confirmation\.contacts\.primary\.email: an e-mail address/);
  });

  it('every problem at once: no signatory, a bad time, a bad date, a missing alternate contact', () => {
    const msg = errorOf(
      `participant: { code: CABC, name: ABC }\nconfirmation:\n  contacts:\n    primary: { name: A, phone: '+852 2555 0101', email: a@abc.example }\n  signatories: []\n  sessionDate: 2019-02-30\n  dueTime: '25:00'\n`,
    );
    // A missing key is placed at its parent's first line.
    expect(msg).toMatch(/:4: confirmation\.contacts\.alternate: a contact: name, phone and email/);
    expect(msg).toMatch(/:5: confirmation\.signatories: at least one signatory name/);
    expect(msg).toMatch(/:6: confirmation\.sessionDate: a date written YYYY-MM-DD/);
    expect(msg).toMatch(/:7: confirmation\.dueTime: a time written HH:MM/);
  });

  it('a telephone number that is not one, and an unknown key, are refused', () => {
    const msg = errorOf(
      `participant: { code: CABC, name: ABC }\nconfirmation:\n  contacts:\n    primary: { name: A, phone: call me, email: a@abc.example }\n    alternate: { name: B, phone: '+852 2555 0102', email: b@abc.example }\n  signatories: [A]\n  signatures: [A]\n`,
    );
    expect(msg).toMatch(/:4: confirmation\.contacts\.primary\.phone: a telephone number/);
    expect(msg).toMatch(/confirmation: .*signatures/);
  });

  it('a blank participant name with no fullName is refused at the confirmation key', () => {
    const msg = errorOf(`participant: { code: CABC }\nconfirmation:\n${CONTACTS}  signatories: [A B]\n`);
    expect(msg).toMatch(/:3: confirmation\.fullName: the participant's full name/);
  });

  it('a name the standard PDF font cannot print is refused with the characters', () => {
    const msg = errorOf(
      `participant: { code: CABC, name: ABC }\nconfirmation:\n${CONTACTS}  signatories: [Lee Ka Yan, 陳大文]\n`,
    );
    expect(msg).toMatch(
      /:6: confirmation\.signatories\.1: the confirmation PDF's standard font cannot print 陳 大 文/,
    );
  });

  it("the printable set agrees with pdfkit's Helvetica for every code point up to U+2200", () => {
    const doc = new PDFDocument({ autoFirstPage: true });
    doc.font('Helvetica');
    const disagree: string[] = [];
    for (let code = 0x20; code < 0x2200; code++) {
      // pdfkit draws the C1 controls U+0080-U+009F as the Windows-1252 glyphs of the same byte; a
      // control character in a name is a typing accident, so we refuse them.
      if (code >= 0x80 && code <= 0x9f) continue;
      const c = String.fromCodePoint(code);
      // pdfkit prints a character it cannot encode as .notdef, which has no width.
      const pdfkitPrints = doc.widthOfString(c) > 0;
      const weSay = unprintableInStandardFont(c).length === 0;
      if (pdfkitPrints !== weSay) disagree.push(`U+${code.toString(16)}`);
    }
    expect(disagree).toEqual([]);
  });
});
