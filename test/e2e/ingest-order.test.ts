import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestTarget, dbKind } from '../support/db.js';
import { fixtureWorkspace } from '../support/fixture-workspace.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/bos');
const NAME = 'BOS_TRADES_CABC_20190506.csv';
// The BOS export as first sent (22 trades), and the corrected one sent later (a 23rd trade added).
const OLD = readFileSync(path.join(FIXTURES, NAME), 'utf8');
const CORRECTED = `${OLD.trimEnd()}\r\nBT190506-0099,HOUSE,HSI,F,2019-05,,BUY,1,"29,400.00",06/05/2019,15:59:00,1000999\r\n`;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

interface Lineage {
  readonly file_name: string;
  readonly sha256: string;
  readonly row_count: number;
  readonly reject_count: number;
  readonly superseded_by: string | null;
}

describe(`which of two files of the same report and date is current after ingest --all (${dbKind})`, () => {
  const made: { drop: () => Promise<void> }[] = [];
  afterAll(async () => {
    for (const t of made) await t.drop();
  });

  /** A configuration folder with the account map and the given BOS files (path below inputs/bos, text, mtime). */
  async function setUp(files: readonly [string, string, Date][], extraConfig = '') {
    const target = await createTestTarget();
    made.push(target);
    const dir = mkdtempSync(path.join(tmpdir(), 'dcass-order-'));
    const bos = path.join(dir, 'inputs', 'bos');
    mkdirSync(bos, { recursive: true });
    copyFileSync(path.join(FIXTURES, 'ACCOUNT_MAP_CABC.csv'), path.join(bos, 'ACCOUNT_MAP_CABC.csv'));
    for (const [rel, text, mtime] of files) {
      const f = path.join(bos, rel);
      mkdirSync(path.dirname(f), { recursive: true });
      writeFileSync(f, text);
      utimesSync(f, mtime, mtime);
    }
    writeFileSync(
      path.join(dir, 'dcass-recon.yaml'),
      `participant:\n  code: CABC\ninputs:\n  bos: inputs/bos\n${extraConfig}`,
    );
    const cli = (args: string[]) => runCli(['--db', target.target, ...args], { cwd: dir });
    return { cli };
  }

  const trades = async (cli: (a: string[]) => ReturnType<typeof runCli>): Promise<Lineage[]> => {
    const r = await cli(['--json', 'files', '--date', '2019-05-06']);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as Lineage[]).filter((f) => f.file_name === NAME);
  };

  it('leaves the file in inputs/bos/archive/ out: the corrected file is current, not the old one that sorts after it', async () => {
    const { cli } = await setUp([
      [NAME, CORRECTED, new Date('2019-05-06T12:00:00Z')],
      [path.join('archive', NAME), OLD, new Date('2019-05-06T11:00:00Z')],
    ]);
    const r = await cli(['--json', 'ingest', '--all']);
    expect(r.code, r.stderr).toBe(0);
    const outcome = JSON.parse(r.stdout) as { files: { path: string }[] };
    expect(outcome.files.map((f) => path.basename(path.dirname(f.path)))).not.toContain('archive');
    const loaded = await trades(cli);
    expect(loaded).toHaveLength(1);
    expect(loaded[0]).toMatchObject({ sha256: sha(CORRECTED), row_count: 23, superseded_by: null });
  });

  it('reads archive folders when the configuration excludes none: the newest modification time wins, though the old file sorts last', async () => {
    const { cli } = await setUp(
      [
        [NAME, CORRECTED, new Date('2019-05-06T12:00:00Z')],
        [path.join('archive', NAME), OLD, new Date('2019-05-06T11:00:00Z')],
      ],
      '  excludeFolders: []\n',
    );
    const r = await cli(['ingest', '--all']);
    expect(r.code, r.stderr).toBe(0);
    const loaded = await trades(cli);
    expect(loaded).toHaveLength(2);
    const current = loaded.filter((f) => f.superseded_by === null);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({ sha256: sha(CORRECTED), row_count: 23 });
    expect(loaded.find((f) => f.sha256 === sha(OLD))).toMatchObject({ row_count: 22, superseded_by: NAME });
  });

  it('refuses, naming both, two files with the same modification time and different contents; loads nothing', async () => {
    const same = new Date('2019-05-06T12:00:00Z');
    const { cli } = await setUp([
      [path.join('a', NAME), CORRECTED, same],
      [path.join('b', NAME), OLD, same],
    ]);
    const r = await cli(['ingest', '--all']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(path.join('inputs', 'bos', 'a', NAME));
    expect(r.stderr).toContain(path.join('inputs', 'bos', 'b', NAME));
    expect(r.stderr).toContain('which one is current cannot be told');
    expect(r.stderr).toContain('what to do: move the one that is not current into a folder named archive');
    expect(await trades(cli)).toEqual([]);
  });

  it('takes two identical copies with the same modification time: loaded once, the other already loaded', async () => {
    const same = new Date('2019-05-06T12:00:00Z');
    const { cli } = await setUp([
      [path.join('a', NAME), CORRECTED, same],
      [path.join('b', NAME), CORRECTED, same],
    ]);
    const r = await cli(['ingest', '--all']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 (files )?loaded, 1 already loaded \(skipped\), 0 refused/);
    expect(await trades(cli)).toHaveLength(1);
  });
});

describe(`which file is current across separate ingest calls (${dbKind})`, () => {
  const ws = fixtureWorkspace('dcass-order-calls-');
  const { work, cwd, cli } = ws;
  afterAll(async () => ws.dispose());

  it('keeps the corrected file current when the old one is loaded by hand afterwards; expected and run use it', async () => {
    await ws.open();
    await ws.init();
    const corrected = path.join(cwd, 'inputs', 'bos', NAME);
    writeFileSync(corrected, CORRECTED);
    utimesSync(corrected, new Date('2019-05-06T12:00:00Z'), new Date('2019-05-06T12:00:00Z'));
    const old = path.join(cwd, 'inputs', 'bos', 'archive', NAME);
    mkdirSync(path.dirname(old), { recursive: true });
    writeFileSync(old, OLD);
    utimesSync(old, new Date('2019-05-06T11:00:00Z'), new Date('2019-05-06T11:00:00Z'));

    const all = await cli(['ingest', '--all']);
    expect(all.code, all.stderr).toBe(0);
    const byHand = await cli(['ingest', '--source', 'bos', old]);
    expect(byHand.code, byHand.stderr).toBe(0);
    expect(byHand.stdout).toContain(`loaded as superseded: a newer generation ${corrected} (file #`);

    const files = (
      JSON.parse((await cli(['--json', 'files', '--date', '2019-05-06'])).stdout) as Lineage[]
    ).filter((f) => f.file_name === NAME);
    expect(files.map((f) => [f.sha256, f.superseded_by])).toEqual([
      [sha(CORRECTED), null],
      [sha(OLD), NAME],
    ]);
    const expected = await cli(['--json', 'expected', '--date', '2019-05-06']);
    const inputs = (
      JSON.parse(expected.stdout) as {
        inputs: { files: { file_name?: string; fileName?: string; state: string; sha256: string }[] }[];
      }
    ).inputs;
    const bosTrades = inputs
      .flatMap((i) => i.files)
      .filter((f) => f.state === 'loaded' && f.sha256 === sha(CORRECTED));
    expect(bosTrades).toHaveLength(1);
    expect(
      inputs.flatMap((i) => i.files).filter((f) => f.state === 'loaded' && f.sha256 === sha(OLD)),
    ).toEqual([]);

    const run = await cli(['--json', 'run', '--date', '2019-05-06']);
    expect(run.code, run.stderr).not.toBe(2);
    const used = (JSON.parse(run.stdout) as { inputs: { file: string; sha256: string }[] }).inputs;
    expect(used.filter((i) => i.file === NAME).map((i) => i.sha256)).toEqual([sha(CORRECTED)]);
  }, 600_000); // seven CLI calls, one of them a run

  it("refuses a later call's file that nothing orders against the one in force, naming both", async () => {
    const other = path.join(work, 'same-time', NAME);
    mkdirSync(path.dirname(other), { recursive: true });
    writeFileSync(
      other,
      `${CORRECTED.trimEnd()}\r\nBT190506-0100,HOUSE,HSI,F,2019-05,,BUY,1,"29,400.00",06/05/2019,15:59:30,1001000\r\n`,
    );
    utimesSync(other, new Date('2019-05-06T12:00:00Z'), new Date('2019-05-06T12:00:00Z'));
    const r = await cli(['ingest', '--source', 'bos', other]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(other);
    expect(r.stdout).toContain(path.join(cwd, 'inputs', 'bos', NAME));
    expect(r.stdout).toContain('which one is current cannot be told');
  });
});
