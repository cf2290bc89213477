import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKind } from '../support/db.js';
import { fixtureWorkspace } from '../support/fixture-workspace.js';

// What an operator meets on a fresh folder: a mistyped date or folder is refused before anything is
// done, with the cause; back-office names without the participant code load; verify's summary reads
// in five seconds.

describe(`errors that say the cause, BOS names, verify's summary (${dbKind})`, () => {
  const ws = fixtureWorkspace('dcass-operator-');
  const { work, cwd, cli } = ws;
  const configFile = path.join(cwd, 'dcass-recon.yaml');
  const events = async () =>
    (JSON.parse((await cli(['--json', 'audit', 'verify'])).stdout) as { events: number }).events;

  beforeAll(async () => {
    await ws.open();
    await ws.init();
  });
  afterAll(async () => ws.dispose());

  it('a well-formed impossible date is "not a calendar date", refused before anything is ingested', async () => {
    const verify = await cli(['verify', '--date', '2019-02-30', '--out', path.join(work, 'out-bad')]);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toContain('--date 2019-02-30 is not a calendar date: February 2019 has 28 days');
    expect(verify.stdout).toBe('');
    expect(await events()).toBe(0); // nothing ingested, nothing recorded
    const cases: [string[], string][] = [
      [['run', '--date', '2019-5-6'], '--date "2019-5-6" is not written YYYY-MM-DD'],
      [
        ['files', '--date', '2019-02-29'],
        '--date 2019-02-29 is not a calendar date: February 2019 has 28 days',
      ],
      [['rejects', '--date', '2019-13-01'], '--date 2019-13-01 is not a calendar date: there is no month 13'],
      [
        ['reinput', '--since', '2019-02-30', '--out', path.join(work, 'fallback')],
        '--since 2019-02-30 is not a calendar date: February 2019 has 28 days',
      ],
      [['calendar', 'close', '2019-04-31', '--reason', 'typhoon'], '2019-04-31 is not a calendar date'],
      [
        ['confirm', '--date', '2019-02-30', '--out', path.join(work, 'conf')],
        '--date 2019-02-30 is not a calendar date',
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/SELECT|invalid input syntax|at .*\.ts:\d+/);
    }
  }, 300_000); // eight starts of the CLI

  it('a mistyped configured folder names the OS reason and the configuration key and line; nothing is recorded', async () => {
    const original = readFileSync(configFile, 'utf8');
    const line =
      original.split('\n').findIndex((l) => l.trimStart().startsWith('genium: ./inputs/genium')) + 1;
    expect(line).toBeGreaterThan(0);
    writeFileSync(configFile, original.replace('genium: ./inputs/genium', 'genium: ./inputs/genuim'));
    try {
      for (const args of [
        ['ingest', '--all'],
        ['verify', '--date', '2019-05-06', '--out', path.join(work, 'out-typo')],
      ]) {
        const r = await cli(args);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr).toContain(
          `error: the input folder ${path.join(cwd, 'inputs', 'genuim')} cannot be read: no such file or folder (ENOENT)`,
        );
        expect(r.stderr).toContain(`at: ${configFile}:${line} inputs.genium`);
        expect(r.stderr).toContain(
          'what to do: correct inputs.genium in the configuration, or create the folder',
        );
      }
    } finally {
      writeFileSync(configFile, original);
    }
    const missing = await cli([
      'ingest',
      '--source',
      'bos',
      'inputs/bos/ACCOUNT_MAP_CABC.csv',
      'inputs/bos/nope.csv',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read inputs/bos/nope.csv: no such file or folder (ENOENT)');
    expect(await events()).toBe(0); // the account map named beside it was not loaded either
    const rejects = JSON.parse((await cli(['--json', 'rejects'])).stdout) as { refusedFiles: unknown[] };
    expect(rejects.refusedFiles).toEqual([]);
  }, 300_000);

  it('BOS file names load with or without the participant code; another participant is still refused', async () => {
    const exports = path.join(work, 'bo-exports');
    mkdirSync(exports);
    const fixture = path.join(cwd, 'inputs', 'bos', 'BOS_TRADES_CABC_20190506.csv');
    copyFileSync(fixture, path.join(exports, 'BOS_TRADES_CXYZ_20190506.csv'));
    copyFileSync(fixture, path.join(exports, 'BOS_TRADES_20190506.csv'));
    const other = await cli([
      'ingest',
      '--source',
      'bos',
      'inputs/bos/ACCOUNT_MAP_CABC.csv',
      path.join(exports, 'BOS_TRADES_CXYZ_20190506.csv'),
    ]);
    expect(other.code).toBe(2);
    expect(other.stdout).toContain('the file is for participant CXYZ, but this configuration is for CABC');
    const own = await cli([
      '--json',
      'ingest',
      '--source',
      'bos',
      path.join(exports, 'BOS_TRADES_20190506.csv'),
    ]);
    expect(own.code, own.stderr).toBe(0);
    const [file] = (
      JSON.parse(own.stdout) as {
        files: { status: string; profile: string; businessDate: string; participant: string }[];
      }
    ).files;
    expect(file).toMatchObject({
      status: 'loaded',
      profile: 'bos-trades',
      businessDate: '2019-05-06',
      participant: 'CABC',
    });
  });

  it('verify prints a five-second summary: skipped reconciliations once, the files it wrote, the next step', async () => {
    const out = path.join(work, 'out-0506');
    const first = await cli(['verify', '--date', '2019-05-06', '--out', out]);
    expect(first.code, first.stderr).toBe(1);
    // The account map and the 6 May BOS trades (under their short name) were loaded above: skipped.
    expect(first.stdout).toContain(
      '22 files loaded, 2 already loaded (skipped), 0 refused; 364 rows, 1 rejected row (see it with: dcass-recon rejects)',
    );
    const again = await cli(['verify', '--date', '2019-05-06', '--out', out]);
    expect(again.code, again.stderr).toBe(1);
    const text = again.stdout;
    expect(text).not.toMatch(/^skipped\s/m); // files loaded before are counted, not listed
    expect(text).toContain(
      '0 files loaded, 24 already loaded (skipped), 0 refused; 0 rows, 0 rejected rows\n',
    );
    expect(text).toMatch(
      /^verify 2019-05-06: run \d+, rule set default \([0-9a-f]{12}\), 6 input files of the date$/m,
    );
    expect(text).toMatch(/^trades-bos\s+19\s+21\s+18\s+1\s+1\s+0\s+0\s+0$/m);
    for (const recon of ['positions-seam', 'trades-seam']) {
      expect(text.split(`${recon}`).length - 1).toBe(1);
      expect(text).toContain(
        `${recon}: not run on this date (runs on genium business dates; 2019-05-06 is upgraded)`,
      );
    }
    expect(text).toContain('\n1 break open from this run, 0 explained\n');
    expect(text).toContain(
      `reports: ${path.join(out, 'breaks.json')}, ${path.join(out, 'breaks.csv')}, ${path.join(out, 'breaks.html')}\n`,
    );
    expect(text).toContain(`next: open ${path.join(out, 'breaks.html')} and explain or resolve each break`);
    expect(text).not.toContain('report --run');
    expect(text).not.toMatch(/\b1 breaks\b|\b1 rows\b|\(s\)/);
  }, 300_000);
});
