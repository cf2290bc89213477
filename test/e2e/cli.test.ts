import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKind } from '../support/db.js';
import { fixtureWorkspace } from '../support/fixture-workspace.js';
import { runCli } from '../support/cli.js';

describe(`the dcass-recon CLI (${dbKind})`, () => {
  const ws = fixtureWorkspace('dcass-cli-');
  const { work, cli } = ws;
  beforeAll(async () => {
    await ws.open();
  });
  afterAll(async () => ws.dispose());

  it('init writes a starter configuration that ingests the fixtures as written', async () => {
    await ws.init();
    const first = await cli(['--json', 'ingest', '--all']);
    expect(first.code, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout) as {
      files: { status: string; fileName: string }[];
      summary: Record<string, number>;
    };
    expect(out.summary).toEqual({ loaded: 24, skipped: 0, refused: 0, rows: 392, rejected: 1 });
    expect(out.files.every((f) => f.status === 'loaded')).toBe(true);

    const again = await cli(['ingest', '--all']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 files loaded, 24 already loaded (skipped), 0 refused');

    const rejects = await cli(['rejects']);
    expect(rejects.stdout).toContain('BOS_TRADES_CABC_20190507.csv:16  execDate  BAD_DATE');
    const files = await cli(['--json', 'files', '--date', '2019-05-06']);
    const lineage = JSON.parse(files.stdout) as { file_name: string; superseded_by: string | null }[];
    expect(lineage.find((f) => f.file_name === 'TRD001_CABC_20190506_1300.xml')?.superseded_by).toBe(
      'TRD001_CABC_20190506_2310.xml',
    );
  });

  it('exits 2 with a clear message and no stack trace when a file is refused', async () => {
    const bad = path.join(work, 'TRD001_CABC_20190503.lis');
    writeFileSync(bad, 'HTRD001  CABC 2019050320190503231000\r\n');
    const r = await runCli(['--db', ws.target, 'ingest', '--source', 'genium', bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('no trailer record (type "T"): the file is truncated');
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
  });

  it('exits 2 for usage and configuration mistakes, naming what is wrong', async () => {
    const noSource = await runCli(['--db', ws.target, 'ingest', 'x.csv']);
    expect(noSource.code).toBe(2);
    expect(noSource.stderr).toContain('say where the files come from with --source');

    const cfg = path.join(work, 'bad.yaml');
    writeFileSync(cfg, 'participant:\n  code: cabc-lower\n');
    const badConfig = await runCli(['--config', cfg, '--db', ws.target, 'profiles']);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain(`${cfg}:2: participant.code: a DCASS customer code such as CABC`);
    expect(badConfig.stderr).not.toMatch(/\n\s+at /);

    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
  });

  it('has help with examples on every command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    const commands = ['init', 'migrate', 'fetch', 'ingest', 'profiles', 'files', 'rejects', 'run', 'report'];
    for (const c of commands) expect(top.stdout).toContain(c);
    for (const c of commands) {
      const h = await runCli([c, '--help']);
      expect(h.code, c).toBe(0);
      expect(h.stdout, c).toContain('Examples:');
    }
  });
});
