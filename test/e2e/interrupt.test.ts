import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeAccountMap } from '../../scripts/generate/bos.js';
import { generate, syntheticAccountMap } from '../../scripts/generate/layouts.js';
import { StreamSink } from '../../scripts/generate/sink.js';
import { runCli, startCli } from '../support/cli.js';
import { createTestTarget, dbKind } from '../support/db.js';
import { describeWithPty, interruptOnTerminal } from '../support/pty.js';

/** Rows of the generated BOS file: about 13 MB, over the 8 MB from which the progress bar shows. */
const ROWS = 150_000;
const SHOW_CURSOR = '\x1b[?25h';
const HIDE_CURSOR = '\x1b[?25l';
const WRAP_ON = '\x1b[?7h';
const WRAP_OFF = '\x1b[?7l';

describeWithPty(`Ctrl-C and SIGTERM during a long ingest (${dbKind})`, () => {
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-interrupt-'));
  let accountMap: string;
  let trades: string;
  const targets: { target: string; drop: () => Promise<void> }[] = [];

  beforeAll(async () => {
    const opts = { seed: 5, date: '20190506', participant: 'CABC', rows: ROWS, diffRate: 0 };
    trades = (await generate(['bos-trd'], opts, work, false)).files[0]!.path;
    accountMap = path.join(work, 'ACCOUNT_MAP_CABC.csv');
    const sink = StreamSink.toFile(accountMap);
    await writeAccountMap(sink, syntheticAccountMap(opts));
    await sink.close();
  });
  afterAll(async () => {
    for (const t of targets) await t.drop();
    rmSync(work, { recursive: true, force: true });
  });

  async function freshTarget(): Promise<string> {
    const t = await createTestTarget();
    targets.push(t);
    return t.target;
  }

  /** The files the database holds, by name. */
  async function loadedFiles(target: string): Promise<string[]> {
    const r = await runCli(['--db', target, '--json', 'files']);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { file_name: string }[]).map((f) => f.file_name).sort();
  }

  it('Ctrl-C restores the terminal, says what was stopped and kept, exits 130; nothing of the file stays', async () => {
    const target = await freshTarget();
    const r = await interruptOnTerminal(
      ['--db', target, 'ingest', '--source', 'bos', accountMap, trades],
      // The bar of the big file is drawn: the account map is loaded, the trades are being read.
      'MB eta',
      'INT',
    );
    expect(r.triggered, r.output).toBe(true);
    expect(r.code, r.output).toBe(130);
    // The bar starts without an estimate rather than "eta INFs".
    expect(r.output).toContain('0% 0/13 MB eta --');
    expect(r.output).not.toContain('INF');
    expect(r.output).toContain(
      'interrupted (SIGINT): dcass-recon ingest stopped while loading BOS_TRADES_CABC_20190506.csv: ' +
        'nothing of that file was kept (each file loads in one transaction); ' +
        '1 file already loaded stays loaded: ACCOUNT_MAP_CABC.csv\r\n',
    );
    // The bar hid the cursor and turned line wrap off; both are back on, and that is the last word.
    expect(r.output).toContain(HIDE_CURSOR);
    expect(r.output).toContain(WRAP_OFF);
    expect(r.output.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(r.output.lastIndexOf(HIDE_CURSOR));
    expect(r.output.endsWith(`${SHOW_CURSOR}${WRAP_ON}`)).toBe(true);
    expect(r.output).not.toContain('internal error');

    expect(await loadedFiles(target)).toEqual(['ACCOUNT_MAP_CABC.csv']);
    // The embedded database's lock went with the process: the commands above could open it.
    if (dbKind === 'pglite') expect(existsSync(`${target}.lock`)).toBe(false);
  }, 600_000);

  it('SIGTERM exits 143 with the same line; without a terminal, no terminal codes', async () => {
    const target = await freshTarget();
    const child = startCli(['--db', target, '--verbose', 'ingest', '--source', 'bos', accountMap, trades]);
    let stderr = '';
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => {
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        // The trades file is being read (a debug line at each tenth of it).
        if (/"file":"BOS_TRADES_CABC_20190506.csv"[^\n]*"msg":"file load progress"/.test(stderr)) resolve();
      });
    });
    child.kill('SIGTERM');
    expect(await done, stderr).toBe(143);
    expect(stderr).toContain(
      'interrupted (SIGTERM): dcass-recon ingest stopped while loading BOS_TRADES_CABC_20190506.csv: ' +
        'nothing of that file was kept (each file loads in one transaction); ' +
        '1 file already loaded stays loaded: ACCOUNT_MAP_CABC.csv\n',
    );
    expect(stderr).not.toContain('\x1b[');
    expect(await loadedFiles(target)).toEqual(['ACCOUNT_MAP_CABC.csv']);
  }, 600_000);
});
