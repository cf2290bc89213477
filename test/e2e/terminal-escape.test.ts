import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestTarget, dbKind } from '../support/db.js';

// Retitles the terminal (OSC 0, ended by BEL) and clears the screen (CSI 2J) when printed as it is.
const ATTACK = '\x1b]0;pwned\x07\x1b[2J';
const SHOWN = '\\u001b]0;pwned\\u0007\\u001b[2J';
const HEADER =
  'Trade Ref,Client Code,Product,Type,Expiry,Strike,Buy/Sell,Quantity,Price,Trade Date,Exec Time,Exch Trade No';

describe(`values from files are printed escaped, never as terminal controls (${dbKind})`, () => {
  let target: { target: string; drop: () => Promise<void> };
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-escape-'));
  // A value with an escape sequence in it, in a file read as usual (a sound row before it, and the
  // account map, so the file loads with one rejected row).
  const accounts = path.join(work, 'ACCOUNT_MAP_CABC.csv');
  const file = path.join(work, 'BOS_TRADES_CABC_20190506.csv');
  // A file name with one: refused (its name gives no participant), and named in the refusal.
  const named = path.join(work, `trades${ATTACK}.csv`);
  beforeAll(async () => {
    target = await createTestTarget();
    copyFileSync(path.resolve(import.meta.dirname, '../../fixtures/bos/ACCOUNT_MAP_CABC.csv'), accounts);
    writeFileSync(
      file,
      `${HEADER}\r\nBT190506-0001,HOUSE,HSI,F,2019-05,,SELL,4,"29,330.00",06/05/2019,09:15:48,1000102` +
        `\r\nBT190506-0002,HOUSE,HSI,F,2019-05,,SELL,4,"29,330.00",06/05/2019${ATTACK},09:15:48,1000103\r\n`,
    );
    writeFileSync(named, `${HEADER}\r\n`);
  });
  afterAll(async () => target.drop());

  const cli = (args: string[]) => runCli(['--db', target.target, ...args]);

  it('ingest and rejects show the escape sequences as \\u escapes, with no ESC or BEL byte', async () => {
    const ingest = await cli(['ingest', '--source', 'bos', accounts, file, named]);
    expect(ingest.code, ingest.stderr).toBe(2);
    expect(ingest.stdout).toMatch(/loaded +BOS_TRADES_CABC_20190506\.csv /);
    expect(ingest.stdout).toContain(
      `refused ${path.join(work, `trades${SHOWN}.csv`)}\n  trades${SHOWN}.csv: `,
    );

    const rejects = await cli(['rejects']);
    expect(rejects.code, rejects.stderr).toBe(0);
    expect(rejects.stdout).toContain('1 rejected row');
    expect(rejects.stdout).toContain(
      'BOS_TRADES_CABC_20190506.csv:3  execDate  BAD_DATE  ' +
        `Trade Date (execDate): expected a date DD/MM/YYYY, got "06/05/2019${SHOWN}"`,
    );
    expect(rejects.stdout).toContain('1 refused file');
    expect(rejects.stdout).toContain(`trades${SHOWN}.csv`);

    const files = await cli(['files']);
    expect(files.stdout).toContain('BOS_TRADES_CABC_20190506.csv');

    for (const r of [ingest, rejects, files]) {
      expect(r.stdout).not.toContain('\x1b');
      expect(r.stdout).not.toContain('\x07');
      expect(r.stderr).not.toContain('\x1b');
    }
  });

  it('rejects --json holds the raw text exactly, escaped as JSON, with no ESC byte', async () => {
    const r = await cli(['--json', 'rejects']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('\x1b');
    const parsed = JSON.parse(r.stdout) as {
      rejectedRows: { raw: string }[];
      refusedFiles: { file_name: string }[];
    };
    expect(parsed.rejectedRows[0]!.raw).toContain(`06/05/2019${ATTACK},09:15:48`);
    expect(parsed.refusedFiles[0]!.file_name).toBe(`trades${ATTACK}.csv`);
  });
});
