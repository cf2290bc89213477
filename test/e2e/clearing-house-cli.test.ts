import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPdfText } from '../support/confirmation.js';
import { dbKind } from '../support/db.js';
import { fixtureWorkspace } from '../support/fixture-workspace.js';

// The fixtures' products by the built-in product table: HSI and MHI are HKCC's, TCH (Tencent stock
// options) SEOCH's. On 7 May, trades-bos finds trade 1000616 (TCH) and 1000618, 1000626 (HSI).

interface Breaks {
  run: { house?: string };
  breaks: { recon: string; key: Record<string, string>; left: { root: string } | null }[];
  carried: { recon: string; key: Record<string, string>; left: { root: string } | null }[];
}

describe(`clearing houses from the command line (${dbKind})`, () => {
  const ws = fixtureWorkspace('dcass-house-');
  const { work, cwd, cli } = ws;
  const configFile = () => path.join(cwd, 'dcass-recon.yaml');
  const report = async (args: string[], out: string): Promise<Breaks> => {
    const r = await cli(['report', '--run', 'latest', '--out', out, '--format', 'json', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(readFileSync(path.join(out, 'breaks.json'), 'utf8')) as Breaks;
  };
  const tradeNos = (b: Breaks) =>
    b.breaks
      .filter((x) => x.recon === 'trades-bos')
      .map((x) => x.key.tradeNo)
      .sort();

  beforeAll(async () => {
    await ws.setUp();
  });
  afterAll(async () => ws.dispose());

  it('a CP in both houses: run --house HKCC reads HKCC products only, and its report says so', async () => {
    const r = await cli(['--json', 'run', '--date', '2019-05-07', '--house', 'HKCC']);
    expect(r.code, r.stderr).toBe(1);
    expect((JSON.parse(r.stdout) as { house: string }).house).toBe('HKCC');
    const b = await report([], path.join(work, 'hkcc'));
    expect(b.run.house).toBe('HKCC');
    expect(tradeNos(b)).toEqual(['1000618', '1000626']);
    const roots = new Set(
      [...b.breaks, ...b.carried].map((x) => x.left?.root).filter((x) => x !== undefined),
    );
    expect([...roots]).toEqual(['HSI']); // not TCH, whose trade 1000616 breaks too
  });

  it('verify --house SEOCH runs and reports SEOCH only', async () => {
    const out = path.join(work, 'verify-seoch');
    const v = await cli(['verify', '--date', '2019-05-07', '--house', 'SEOCH', '--out', out]);
    expect(v.code, v.stderr).toBe(1);
    const b = JSON.parse(readFileSync(path.join(out, 'breaks.json'), 'utf8')) as Breaks;
    expect([b.run.house, tradeNos(b)]).toEqual(['SEOCH', ['1000616']]);
  });

  it('a CP in SEOCH only sees SEOCH by default: run, report and confirmation; the other house is refused', async () => {
    const text = readFileSync(configFile(), 'utf8');
    expect(text).toContain('clearingHouses: [HKCC, SEOCH]');
    writeFileSync(configFile(), text.replace('clearingHouses: [HKCC, SEOCH]', 'clearingHouses: [SEOCH]'));

    const r = await cli(['--json', 'run', '--date', '2019-05-07']);
    expect(r.code, r.stderr).toBe(1);
    expect((JSON.parse(r.stdout) as { house: string }).house).toBe('SEOCH');
    const b = await report([], path.join(work, 'seoch'));
    expect(b.run.house).toBe('SEOCH');
    expect(tradeNos(b)).toEqual(['1000616']);
    expect(new Set([...b.breaks, ...b.carried].map((x) => x.left?.root))).toEqual(new Set(['TCH']));

    const list = await cli(['--json', 'breaks', 'list', '--status', 'open']);
    expect(list.code, list.stderr).toBe(0);
    const listed = (JSON.parse(list.stdout) as { breaks: { recon: string; key: Record<string, string> }[] })
      .breaks;
    // The register also holds the HKCC breaks of the first test's run: this CP does not see them.
    expect(listed.filter((x) => x.recon === 'trades-bos').map((x) => x.key.tradeNo)).toEqual(['1000616']);

    const other = await cli(['run', '--date', '2019-05-07', '--house', 'HKCC']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(
      '--house HKCC: the participant is a member of SEOCH only (participant.clearingHouses)',
    );
    expect(other.stderr).not.toMatch(/at .*\.ts:\d+/);

    const out = path.join(work, 'confirm-seoch');
    const c = await cli([
      'confirm',
      '--date',
      '2019-05-07',
      '--out',
      out,
      '--accept-open',
      'TCH 1000616: BOS fix due',
    ]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toContain('clearing house SEOCH only');
    const pdf = await readPdfText(path.join(out, 'confirmation.pdf'));
    expect(pdf.pages[0]).toContain('Clearing house HKCC X SEOCH Both');
  });
});
