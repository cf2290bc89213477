/**
 * A large CP's Sunday (issue 17): the Post-Release Verification of the last Genium day with all three
 * sources, trades and positions, `dcass-recon verify` as the CLI runs it.
 *
 *   npm run bench:sunday [-- --rows 100000] [--seed S] [--server URL] [--server-only] [--pglite-only] [--keep]
 *
 * Data (scripts/generate, seeded, business date Friday 3 May 2019, the last Genium day, so that the
 * seam reconciliations run): N trades and about N positions in each source, written into the input
 * folders of a configuration (dcass-recon.yaml: participant CABC, inputs genium, dcass, bos):
 *   - Genium backups: TRD001 and POS001 fixed width (the base copy);
 *   - upgraded DCASS reports: TRD001 and POS001 CSV (the same base copy, so the seam is clean);
 *   - BOS exports: trades and positions CSV (the variant copy: about 0.15% of the rows dropped,
 *     inserted, or with a quantity or price change; every trade with its exchange trade number) and
 *     the account map.
 * The product: `dcass-recon --db TARGET --json verify --date 2019-05-03 --out DIR` in the
 * configuration's folder, compiled as the CLI ships (bench/support/build.ts), as one process timed
 * from outside with its peak RSS: on the server a fresh database (created empty, migrated by the
 * CLI as on a CP's first day), on PGlite a fresh data folder (created by the CLI).
 * The baseline, on the server in a scratch database: one psql process: \copy of the seven files into
 * UNLOGGED tables (typed where PostgreSQL reads the text as it is; Genium lines as text, cut with
 * substr in the joins), then one FULL OUTER JOIN for each reconciliation verify runs: trades and
 * positions, Genium against DCASS and DCASS against BOS.
 * The verification is checked: every file loaded without rejects, the seam without breaks, trades-bos
 * finding what the generator injected, positions-bos finding what the baseline's join finds, exit
 * code 1 (open breaks). A disagreement prints MISMATCH and the bench exits 1.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Layout } from '../scripts/generate/layouts.js';
import { countInjected, type SyntheticOptions } from '../scripts/generate/synthetic.js';
import {
  COUNT_JOIN,
  POSITION_JOIN,
  POSITION_TABLES,
  TRADE_JOIN,
  TRADE_TABLES,
  copyPositionFiles,
  copyTradeFiles,
  psqlQuote,
  type JoinCounts,
} from './support/baseline.js';
import { buildCli } from './support/build.js';
import { writeBenchAccountMap, writeBenchFile } from './support/data.js';
import { createDatabase, dropDatabase } from './support/database.js';
import { canMeasureRss, measure, type Measured } from './support/measure.js';
import { fmtInt, mib, table } from './support/print.js';

const REPO = path.resolve(import.meta.dirname, '..');
// Inside the package (the package root and node_modules resolve as from dist/), a folder of its own.
const BUILD_DIR = path.join(REPO, 'node_modules', '.cache', 'dcass-bench', `sunday-dist-${process.pid}`);
const DATE = '20190503';
const ISO_DATE = '2019-05-03';
const PARTICIPANT = 'CABC';
const DIFF_RATE = 0.0015;
const TARGET_SECONDS = { server: 10, pglite: 25 } as const;

type Target = keyof typeof TARGET_SECONDS;

interface Options {
  readonly rows: number;
  readonly seed: number;
  readonly url: string;
  readonly targets: readonly Target[];
  readonly keep: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '20190503' },
      server: { type: 'string' },
      'server-only': { type: 'boolean', default: false },
      'pglite-only': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const rows = Number(values.rows);
  if (!Number.isSafeInteger(rows) || rows < 1000)
    throw new Error(`--rows must be an integer of at least 1000, got ${values.rows}`);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  const url = values.server ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new Error(`the benchmark needs a PostgreSQL server URL for the baseline, got ${url}`);
  if (values['server-only'] && values['pglite-only'])
    throw new Error('--server-only and --pglite-only exclude each other');
  const targets: Target[] = values['server-only']
    ? ['server']
    : values['pglite-only']
      ? ['pglite']
      : ['server', 'pglite'];
  return { rows, seed, url, targets, keep: values.keep };
}

const log = (text: string): void => console.error(`[sunday] ${text}`);

function fail(what: string, run: Measured): never {
  throw new Error(
    `${what} failed (exit ${run.code}):\n${run.stderr.slice(-4000)}\n${run.stdout.slice(-2000)}`,
  );
}

/** The day's files, by what they hold. */
interface SundayFiles {
  readonly geniumTrades: string;
  readonly geniumPositions: string;
  readonly dcassTrades: string;
  readonly dcassPositions: string;
  readonly bosTrades: string;
  readonly bosPositions: string;
  readonly accountMap: string;
  /** Data rows of all seven. */
  readonly records: number;
}

/** The configuration and its input folders in `dir`, the day's files written into them. */
async function writeWorkspace(dir: string, opts: SyntheticOptions): Promise<SundayFiles> {
  const folder = (source: string): string => {
    const f = path.join(dir, 'inputs', source);
    mkdirSync(f, { recursive: true });
    return f;
  };
  const genium = folder('genium');
  const dcass = path.join(folder('dcass'), DATE);
  mkdirSync(dcass, { recursive: true });
  const bos = folder('bos');
  writeFileSync(
    path.join(dir, 'dcass-recon.yaml'),
    `participant: { code: ${PARTICIPANT}, name: Sunday benchmark }\n` +
      'inputs: { genium: ./inputs/genium, dcass: ./inputs/dcass, bos: ./inputs/bos }\n',
  );
  let records = 0;
  const write = async (to: string, layout: Layout, variant: boolean): Promise<string> => {
    const started = performance.now();
    const f = await writeBenchFile(to, layout, opts, variant);
    records += f.records;
    log(
      `generated ${layout}${variant ? ' (variant)' : ''}: ${fmtInt(f.records)} rows, ` +
        `${(statSync(f.path).size / 2 ** 20).toFixed(1)} MiB in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return f.path;
  };
  const files = {
    geniumTrades: await write(genium, 'genium-trd', false),
    geniumPositions: await write(genium, 'genium-pos', false),
    dcassTrades: await write(dcass, 'dcass-trd-csv', false),
    dcassPositions: await write(dcass, 'dcass-pos-csv', false),
    bosTrades: await write(bos, 'bos-trd', true),
    bosPositions: await write(bos, 'bos-pos', true),
  };
  // The X accounts too: the variant positions' inserted rows are booked to them (clients KX...).
  const map = await writeBenchAccountMap(bos, opts);
  return { ...files, accountMap: map.path, records: records + map.records };
}

/** Genium TRD001 and POS001 detail lines, cut by the built-in profiles' positions. */
const GENIUM_TABLES = `CREATE UNLOGGED TABLE genium_trade_line (line text);
CREATE UNLOGGED TABLE genium_position_line (line text);`;

/** Genium trades against DCASS trades on the trade number: account, side, quantity, price. */
const SEAM_TRADE_JOIN = `WITH g AS (
  SELECT substr(line, 26, 10)::bigint AS trade_no, rtrim(substr(line, 46, 12)) AS account,
    substr(line, 58, 1) AS side, substr(line, 59, 9)::numeric AS qty, substr(line, 68, 14)::numeric / 10000 AS price
  FROM genium_trade_line WHERE left(line, 1) = 'D'),
j AS (
  SELECT g.trade_no IS NOT NULL AS has_left, d.trade_no IS NOT NULL AS has_right,
    (g.account, g.side, g.qty, g.price) IS NOT DISTINCT FROM (d.account, d.side, d.qty, d.price) AS same
  FROM g FULL OUTER JOIN dcass_trade d ON g.trade_no = d.trade_no)
${COUNT_JOIN};`;

/** Genium positions against DCASS positions on account and series: long and short. */
const SEAM_POSITION_JOIN = `WITH g AS (
  SELECT rtrim(substr(line, 10, 12)) AS account, rtrim(substr(line, 22, 16)) AS series,
    substr(line, 38, 9)::numeric AS long_qty, substr(line, 47, 9)::numeric AS short_qty
  FROM genium_position_line WHERE left(line, 1) = 'D'),
j AS (
  SELECT g.account IS NOT NULL AS has_left, d.account IS NOT NULL AS has_right,
    (g.long_qty, g.short_qty) = (d.long_qty, d.short_qty) AS same
  FROM g FULL OUTER JOIN dcass_position d ON g.account = d.account AND g.series = d.series)
${COUNT_JOIN};`;

/** The reconciliations verify runs on the date, in the baseline's order. */
const RECONS = ['trades-seam', 'positions-seam', 'trades-bos', 'positions-bos'] as const;
type Recon = (typeof RECONS)[number];

function baselineScript(f: SundayFiles): string {
  // Text lines: no tab or backslash in a Genium line; PostgreSQL takes the CRLF line ends.
  const lines = (table: string, file: string): string =>
    `\\copy ${table} FROM ${psqlQuote(file)} WITH (FORMAT text)`;
  return [
    TRADE_TABLES,
    POSITION_TABLES,
    GENIUM_TABLES,
    lines('genium_trade_line', f.geniumTrades),
    lines('genium_position_line', f.geniumPositions),
    copyTradeFiles({ dcass: f.dcassTrades, bos: f.bosTrades, accountMap: f.accountMap }),
    copyPositionFiles({ dcass: f.dcassPositions, bos: f.bosPositions }),
    // The same order as RECONS.
    SEAM_TRADE_JOIN,
    SEAM_POSITION_JOIN,
    TRADE_JOIN,
    POSITION_JOIN,
    '',
  ].join('\n');
}

async function baselineRun(
  url: string,
  dir: string,
  f: SundayFiles,
): Promise<{ run: Measured; counts: Record<Recon, JoinCounts> }> {
  const name = `dcass_bench_${process.pid}_sunday_baseline`;
  const db = await createDatabase(url, name);
  try {
    const script = path.join(dir, 'baseline.sql');
    writeFileSync(script, baselineScript(f));
    log('baseline: psql \\copy x7 + 4 FULL OUTER JOINs');
    const run = await measure('psql', [db, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-f', script]);
    if (run.code !== 0) fail('baseline psql', run);
    const lines = run.stdout.trim().split('\n');
    if (lines.length !== RECONS.length) throw new Error(`baseline: expected 4 result lines:\n${run.stdout}`);
    const counts = Object.fromEntries(
      RECONS.map((r, i) => [r, JSON.parse(lines[i]!) as JoinCounts]),
    ) as Record<Recon, JoinCounts>;
    return { run, counts };
  } finally {
    await dropDatabase(url, name);
  }
}

/** The parts of `verify --json` the bench reads. */
interface VerifyJson {
  readonly ingested: readonly { fileName: string; status: string; rows: number; rejected: number }[];
  readonly run: {
    readonly counts: Record<
      string,
      {
        readonly skipped: string | null;
        readonly incomplete: string | null;
        readonly matched: number;
        readonly breaks: Record<string, number>;
        readonly open: number;
      }
    >;
  };
}

interface ProductRun {
  readonly target: Target;
  readonly run: Measured;
  readonly mismatches: readonly string[];
}

/** One verify on a fresh database, timed; what it found checked against the baseline and the generator. */
async function productRun(
  target: Target,
  opt: Options,
  dir: string,
  entry: string,
  baseline: Record<Recon, JoinCounts>,
  expectedTrades: JoinCounts,
): Promise<ProductRun> {
  const name = `dcass_bench_${process.pid}_sunday`;
  const db = target === 'server' ? await createDatabase(opt.url, name) : path.join(dir, 'pglite-db');
  const outDir = path.join(dir, `out-${target}`);
  try {
    log(`product on ${target}: dcass-recon verify --date ${ISO_DATE}`);
    const run = await measure(
      process.execPath,
      [entry, '--db', db, '--json', 'verify', '--date', ISO_DATE, '--out', outDir],
      { cwd: dir },
    );
    // Exit 1: open breaks, as the injected differences must give; anything else is a failure.
    if (run.code !== 1) fail(`verify on ${target} (expected exit 1: open breaks)`, run);
    const v = JSON.parse(run.stdout) as VerifyJson;
    const mismatches: string[] = [];
    const loaded = v.ingested.filter((o) => o.status === 'loaded');
    if (loaded.length !== 7) mismatches.push(`${loaded.length} files loaded, expected 7`);
    for (const o of v.ingested)
      if (o.rejected !== 0) mismatches.push(`${o.fileName}: ${o.rejected} rejected rows`);
    for (const recon of RECONS) {
      const c = v.run.counts[recon];
      if (!c || c.skipped !== null || c.incomplete !== null) {
        mismatches.push(`${recon} did not run (${c?.skipped ?? c?.incomplete ?? 'absent'})`);
        continue;
      }
      const got: JoinCounts = {
        matched: c.matched,
        mismatch: c.breaks.mismatch ?? 0,
        only_left: c.breaks.only_left ?? 0,
        only_right: c.breaks.only_right ?? 0,
      };
      const dup = (c.breaks.duplicate_left ?? 0) + (c.breaks.duplicate_right ?? 0);
      if (dup !== 0) mismatches.push(`${recon}: ${dup} duplicate breaks`);
      const want = recon === 'trades-bos' ? expectedTrades : baseline[recon];
      if (JSON.stringify(got) !== JSON.stringify(want))
        mismatches.push(
          `${recon}: verify found ${JSON.stringify(got)}, ${recon === 'trades-bos' ? 'injected' : 'baseline'} ${JSON.stringify(want)}`,
        );
      if (recon === 'trades-bos' && JSON.stringify(baseline[recon]) !== JSON.stringify(want))
        mismatches.push(
          `trades-bos: baseline ${JSON.stringify(baseline[recon])}, injected ${JSON.stringify(want)}`,
        );
    }
    return { target, run, mismatches };
  } finally {
    if (!opt.keep) {
      if (target === 'server') await dropDatabase(opt.url, name);
      else rmSync(db, { recursive: true, force: true });
    }
  }
}

async function main(): Promise<void> {
  const opt = options();
  const dir = mkdtempSync(path.join(tmpdir(), 'dcass-bench-sunday-'));
  try {
    log('compiling the CLI (tsconfig.build.json)');
    const built = buildCli(REPO, BUILD_DIR);
    if (built.warnings) log(`tsc reported (built anyway):\n${built.warnings}`);
    const opts: SyntheticOptions = {
      seed: opt.seed >>> 0,
      date: DATE,
      participant: PARTICIPANT,
      rows: opt.rows,
      diffRate: DIFF_RATE,
      bosTradeNoGaps: false,
    };
    const files = await writeWorkspace(dir, opts);
    const i = countInjected(opts, 'trades');
    const expectedTrades: JoinCounts = {
      matched: i.baseRows - i.onlyLeft - i.qty - i.price,
      mismatch: i.qty + i.price,
      only_left: i.onlyLeft,
      only_right: i.onlyRight,
    };
    const baseline = await baselineRun(opt.url, dir, files);
    const products: ProductRun[] = [];
    const failures: string[] = [];
    for (const target of opt.targets) {
      try {
        products.push(await productRun(target, opt, dir, built.entry, baseline.counts, expectedTrades));
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
        log(`product on ${target} failed; the other results follow`);
      }
    }

    const bytes = Object.values(files)
      .filter((v): v is string => typeof v === 'string')
      .reduce((n, f) => n + statSync(f).size, 0);
    console.log(
      `\nSunday benchmark: node ${process.version}, ${opt.url.replace(/\/\/[^@]*@/, '//')}, seed ${opt.seed}, ` +
        `business date ${ISO_DATE} (last Genium day)` +
        (canMeasureRss() ? '' : ' (no /usr/bin/time: peak RSS not measured)'),
    );
    console.log(
      `inputs: Genium TRD001 + POS001 (fixed width), DCASS TRD001 + POS001 (CSV), BOS trades + positions + account map:\n` +
        `        7 files, ${fmtInt(files.records)} rows, ${(bytes / 2 ** 20).toFixed(0)} MiB; ${fmtInt(opt.rows)} trades a source; ` +
        `injected into the BOS copy: ${i.onlyLeft} dropped, ${i.onlyRight} inserted, ${i.qty} quantity and ${i.price} price changes`,
    );
    console.log(
      'baseline: one psql process: \\copy of the 7 files into UNLOGGED tables, one FULL OUTER JOIN per reconciliation\n' +
        'product:  dcass-recon verify --date 2019-05-03 (compiled as shipped; fresh database; ingest, 5 reconciliations, 3 reports)\n',
    );
    const b = baseline.run.seconds;
    console.log(
      table(
        ['run', 'wall s', 'peak RSS', 'vs baseline', 'target', 'result'],
        [
          ['baseline: psql \\copy x7 + 4 joins (server)', b.toFixed(2), '', '1.00x', '', ''],
          ...products.map((p) => {
            const limit = TARGET_SECONDS[p.target];
            return [
              `product: verify (${p.target === 'server' ? 'server' : 'PGlite'})`,
              p.run.seconds.toFixed(2),
              mib(p.run.maxRssKiB),
              `${(p.run.seconds / b).toFixed(2)}x`,
              `<= ${limit} s`,
              p.run.seconds <= limit ? 'met' : 'NOT MET',
            ];
          }),
        ],
      ),
    );
    console.log(
      '\n' +
        table(
          ['reconciliation', 'matched', 'mismatch', 'only_left', 'only_right'],
          RECONS.map((r) => {
            const c = baseline.counts[r];
            return [`${r} (baseline)`, c.matched, c.mismatch, c.only_left, c.only_right].map(String);
          }),
        ),
    );
    let ok = failures.length === 0;
    for (const p of products) {
      if (p.mismatches.length === 0) {
        console.log(
          `${p.target}: verify exited 1 (open breaks); every count agrees with the baseline and the injected ones`,
        );
      } else {
        ok = false;
        for (const m of p.mismatches) console.log(`MISMATCH ${p.target}: ${m}`);
      }
    }
    for (const f of failures) console.error(f);
    if (!ok) process.exitCode = 1;
  } finally {
    rmSync(BUILD_DIR, { recursive: true, force: true });
    if (opt.keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
