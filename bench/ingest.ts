/**
 * Ingest benchmark (issue 3, "Speed and memory"): the product's CLI against psql's \copy.
 *
 *   npm run bench:ingest [-- --rows 1000000] [--xml] [--genium] [--rss-check] [--db URL] [--seed S]
 *                          [--cpu-prof] [--tsx] [--keep]
 *
 * Generates N BOS trade rows (bos-trd layout, seeded, 6 May 2019) and the same trades as a plain
 * canonical CSV (plain-trd-csv), then on a real PostgreSQL server (--db, else DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/test; the server is used only to create a fresh database for
 * each measurement, dropped afterwards):
 *   - baseline: `psql \copy` of the plain CSV into an UNLOGGED table of the canonical columns;
 *   - product: `dcass-recon ingest --source bos FILE` run as its own process, after the account map
 *     was ingested by an earlier, untimed run. The CLI is compiled first as it ships (tsc with
 *     tsconfig.build.json into node_modules/.cache/dcass-bench/dist; bin/dcass-recon.js runs dist/ the same way);
 *     --tsx runs it from source with `node --import tsx src/cli/main.ts` instead (slower start,
 *     ~90 MB more RSS for the TypeScript loader).
 *   - floor (with the BOS run): the product's finished rows copied out of its trade table and stored
 *     back with `psql` as the product stores a file (a partition of its own, COPY FREEZE, attached):
 *     storing the rows alone, before any reading or normalising, so the distance from it is what the
 *     product's own work costs;
 *   - sketches (with the BOS run): the other design, PostgreSQL parsing the CSV and INSERT ... SELECT
 *     normalising it (bench/support/set-based-sketch.ts), without checks and with each field checked
 *     and bad rows rejected: lower bounds for that design.
 * --xml and --genium add the same trades as a DCASS TRD001 XML report and a Genium TRD001 backup.
 * --rss-check also ingests 4,000,000 BOS rows and compares peak RSS with the 1,000,000-row run.
 *
 * Wall time is measured around the child process, so the product's figure includes Node start-up,
 * TypeScript loading (tsx), the migration check and the commit; the "CLI start-up" line shows that
 * fixed cost. Peak RSS is the child's, read by GNU time (`/usr/bin/time -f %M`).
 * --cpu-prof writes V8 CPU profiles of every product run to bench/out/<run>/, one per thread.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Layout } from '../scripts/generate/layouts.js';
import { benchOptions, writeBenchAccountMap, writeBenchFile } from './support/data.js';
import { createDatabase, dropDatabase, query } from './support/database.js';
import { storeFloor } from './support/floor.js';
import { setBasedSketch } from './support/set-based-sketch.js';
import { buildCli } from './support/build.js';
import { canMeasureRss, measure, type Measured } from './support/measure.js';

const REPO = path.resolve(import.meta.dirname, '..');
const SOURCE_CLI = path.join(REPO, 'src', 'cli', 'main.ts');
const TSX = import.meta.resolve('tsx');
const OUT = path.join(REPO, 'bench', 'out');
const PROFILE_DIR = OUT;
// Inside the package (so the package root and node_modules resolve as from dist/), outside what
// tsc and eslint look at.
const BUILD_DIR = path.join(REPO, 'node_modules', '.cache', 'dcass-bench', 'dist');

/** Canonical columns of the plain CSV, typed as the trade table types them. */
const BASELINE_TABLE = `CREATE UNLOGGED TABLE baseline_trade (
  clearing_date date NOT NULL, series text NOT NULL, root text NOT NULL, instrument_type text NOT NULL,
  expiry date NOT NULL, strike numeric, trade_no text, deal_no text, account text NOT NULL, side text NOT NULL,
  quantity numeric NOT NULL, price numeric NOT NULL, session text NOT NULL, trade_type text NOT NULL,
  orig_trade_no text, exec_at timestamptz, open_close text)`;

interface Options {
  readonly rows: number;
  readonly seed: number;
  readonly xml: boolean;
  readonly genium: boolean;
  readonly rssCheck: boolean;
  readonly cpuProf: boolean;
  readonly keep: boolean;
  readonly url: string;
  readonly tsx: boolean;
}

/** How to start the CLI: node arguments before its own. */
let cliLaunch: readonly string[] = [];

function options(): Options {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '20190506' },
      xml: { type: 'boolean', default: false },
      genium: { type: 'boolean', default: false },
      'rss-check': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      db: { type: 'string' },
      tsx: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const rows = Number(values.rows);
  if (!Number.isSafeInteger(rows) || rows < 1)
    throw new Error(`--rows must be a positive integer, got ${values.rows}`);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  const url = values.db ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new Error(`the benchmark needs a PostgreSQL server URL, got ${url}`);
  return {
    rows,
    seed,
    xml: values.xml,
    genium: values.genium,
    rssCheck: values['rss-check'],
    cpuProf: values['cpu-prof'],
    keep: values.keep,
    url,
    tsx: values.tsx,
  };
}

/** One line of the results table. */
interface Row {
  readonly name: string;
  readonly rows: number;
  readonly run: Measured;
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const mib = (kib: number | null): string => (kib === null ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`);
const log = (text: string): void => console.error(`[bench] ${text}`);

function fail(what: string, run: Measured): never {
  throw new Error(
    `${what} failed (exit ${run.code}):\n${run.stderr.slice(-4000)}\n${run.stdout.slice(-2000)}`,
  );
}

/** Runs the product's CLI in its own process against `dbUrl`, measured from outside. */
async function cli(
  dbUrl: string,
  args: readonly string[],
  cwd: string,
  profileName: string | null,
): Promise<Measured> {
  // A folder per run and Node's own file names: one profile per thread (the main thread's and the
  // reader's), where one name for the run had the last thread to stop overwrite the other's.
  const prof =
    profileName === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${path.join(PROFILE_DIR, profileName)}`];
  // cwd is the data folder: no stray dcass-recon.yaml is picked up, so only built-in settings apply.
  return measure(process.execPath, [...prof, ...cliLaunch, '--db', dbUrl, '--json', ...args], { cwd });
}

interface IngestOutput {
  files: { status: string; rows: number; rejected: number; error: { message: string } | null }[];
}

/** Ingests one file into a fresh database (account map first, untimed); returns the timed run. */
async function productRun(
  opt: Options,
  label: string,
  source: 'bos' | 'dcass' | 'genium',
  file: string,
  accountMap: string,
  expectRows: number,
  withFloors = false,
): Promise<{
  run: Measured;
  startup: Measured;
  floors: { store: Measured; sketch: Measured; checkedSketch: Measured } | null;
}> {
  const name = `dcass_bench_${process.pid}_${label.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`;
  const dbUrl = await createDatabase(opt.url, name);
  try {
    const cwd = path.dirname(file);
    // Untimed for the result, but printed: start-up, migration and a 500-row file.
    const startup = await cli(dbUrl, ['ingest', '--source', 'bos', accountMap], cwd, null);
    if (startup.code !== 0) fail(`${label}: account map ingest`, startup);
    log(`${label}: ingesting ${path.basename(file)} (${(statSync(file).size / 2 ** 20).toFixed(0)} MiB)`);
    const run = await cli(
      dbUrl,
      ['ingest', '--source', source, file],
      cwd,
      opt.cpuProf ? `${label}-${process.pid}` : null,
    );
    if (run.code !== 0) fail(`${label}: ingest`, run);
    const out = JSON.parse(run.stdout) as IngestOutput;
    const f = out.files[0];
    if (f?.status !== 'loaded') throw new Error(`${label}: the file was not loaded: ${JSON.stringify(f)}`);
    const [count] = await query<{ n: string }>(dbUrl, 'SELECT count(*)::text AS n FROM trade');
    if (f.rows !== expectRows || Number(count?.n) !== expectRows || f.rejected !== 0) {
      throw new Error(
        `${label}: expected ${expectRows} rows loaded and none rejected; the CLI says ${f.rows} loaded, ${f.rejected} rejected; the table holds ${count?.n}`,
      );
    }
    if (!withFloors) return { run, startup, floors: null };
    const store = await storeFloor(dbUrl, cwd, expectRows);
    log(`${label}: the set-based sketches`);
    const sketch = await setBasedSketch(dbUrl, cwd, file, expectRows, 'unchecked');
    const checkedSketch = await setBasedSketch(dbUrl, cwd, file, expectRows, 'checked');
    return { run, startup, floors: { store, sketch, checkedSketch } };
  } finally {
    await dropDatabase(opt.url, name);
  }
}

/** psql \copy of the plain CSV into an UNLOGGED table of the canonical columns, in a fresh database. */
async function baselineRun(opt: Options, file: string, expectRows: number): Promise<Measured> {
  const name = `dcass_bench_${process.pid}_baseline`;
  const dbUrl = await createDatabase(opt.url, name);
  try {
    await query(dbUrl, BASELINE_TABLE);
    const run = await measure('psql', [
      dbUrl,
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `\\copy baseline_trade FROM '${file.replace(/'/g, "''")}' WITH (FORMAT csv, HEADER true)`,
    ]);
    if (run.code !== 0) fail('psql \\copy', run);
    const [count] = await query<{ n: string }>(dbUrl, 'SELECT count(*)::text AS n FROM baseline_trade');
    if (Number(count?.n) !== expectRows)
      throw new Error(`baseline: expected ${expectRows} rows, the table holds ${count?.n}`);
    return run;
  } finally {
    await dropDatabase(opt.url, name);
  }
}

async function generateFile(dir: string, layout: Layout, rows: number, seed: number): Promise<string> {
  const started = performance.now();
  const { path: file, records } = await writeBenchFile(dir, layout, benchOptions(rows, seed));
  if (records !== rows) throw new Error(`${layout}: generated ${records} records, expected ${rows}`);
  log(
    `generated ${layout}: ${fmtInt(rows)} rows, ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return file;
}

function printTable(rows: readonly Row[], baseline: Measured): void {
  const head = ['run', 'rows', 'wall s', 'rows/s', 'peak RSS', 'vs baseline'];
  const body = rows.map((r) => [
    r.name,
    fmtInt(r.rows),
    r.run.seconds.toFixed(2),
    fmtInt(r.rows / r.run.seconds),
    mib(r.run.maxRssKiB),
    r.run === baseline ? '1.00x' : `${(r.run.seconds / baseline.seconds).toFixed(2)}x`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

async function main(): Promise<void> {
  const opt = options();
  const dir = mkdtempSync(path.join(tmpdir(), 'dcass-bench-'));
  if (opt.cpuProf) mkdirSync(PROFILE_DIR, { recursive: true });
  if (opt.tsx) cliLaunch = ['--import', TSX, SOURCE_CLI];
  else {
    const built = buildCli(REPO, BUILD_DIR);
    if (built.warnings) log(`tsc reported (the CLI was built anyway):\n${built.warnings}`);
    cliLaunch = [built.entry];
  }
  const results: Row[] = [];
  const targets: { name: string; got: string; target: string; met: boolean | null }[] = [];
  try {
    const mapSmall = await writeBenchAccountMap(dir, benchOptions(opt.rows, opt.seed));
    const bos = await generateFile(dir, 'bos-trd', opt.rows, opt.seed);
    const plain = await generateFile(dir, 'plain-trd-csv', opt.rows, opt.seed);

    log('baseline: psql \\copy');
    const baseline = await baselineRun(opt, plain, opt.rows);
    rmSync(plain);
    results.push({
      name: 'baseline: psql \\copy plain CSV -> UNLOGGED table',
      rows: opt.rows,
      run: baseline,
    });

    const bosRun = await productRun(opt, 'bos', 'bos', bos, mapSmall.path, opt.rows, true);
    rmSync(bos);
    results.push({
      name: `CLI start-up + account map (${mapSmall.records} rows)`,
      rows: mapSmall.records,
      run: bosRun.startup,
    });
    results.push({ name: 'product: ingest --source bos (BOS trades CSV)', rows: opt.rows, run: bosRun.run });
    if (bosRun.floors !== null) {
      results.push({
        name: "floor: psql, the product's finished rows stored as its partition",
        rows: opt.rows,
        run: bosRun.floors.store,
      });
      results.push({
        name: 'sketch, set-based: \\copy raw CSV + INSERT ... SELECT',
        rows: opt.rows,
        run: bosRun.floors.sketch,
      });
      results.push({
        name: 'sketch, set-based, each field checked, bad rows rejected',
        rows: opt.rows,
        run: bosRun.floors.checkedSketch,
      });
    }
    const ratio = bosRun.run.seconds / baseline.seconds;
    targets.push({
      name: `CSV ingest vs psql \\copy (${fmtInt(opt.rows)} rows)`,
      got: `${ratio.toFixed(2)}x`,
      target: '<= 2.00x',
      met: ratio <= 2,
    });
    const bosRate = opt.rows / bosRun.run.seconds;
    const floorRate = bosRun.floors === null ? null : opt.rows / bosRun.floors.store.seconds;
    targets.push({
      name: 'BOS CSV ingest throughput',
      got: `${fmtInt(bosRate)} rows/s${floorRate === null ? '' : ` (floor ${fmtInt(floorRate)})`}`,
      target: '>= 250,000 rows/s',
      met: bosRate >= 250_000,
    });
    const rss1 = bosRun.run.maxRssKiB;
    targets.push({
      name: `peak RSS, BOS CSV ${fmtInt(opt.rows)} rows`,
      got: mib(rss1),
      target: '< 300 MB',
      met: rss1 === null ? null : rss1 * 1024 < 300e6,
    });

    if (opt.xml) {
      const xml = await generateFile(dir, 'dcass-trd-xml', opt.rows, opt.seed);
      const r = await productRun(opt, 'xml', 'dcass', xml, mapSmall.path, opt.rows);
      rmSync(xml);
      results.push({ name: 'product: ingest --source dcass (TRD001 XML)', rows: opt.rows, run: r.run });
      const rate = opt.rows / r.run.seconds;
      targets.push({
        name: 'XML ingest throughput',
        got: `${fmtInt(rate)} records/s`,
        target: '>= 150,000 records/s',
        met: rate >= 150_000,
      });
      targets.push({
        name: `peak RSS, XML ${fmtInt(opt.rows)} records`,
        got: mib(r.run.maxRssKiB),
        target: '< 300 MB',
        met: r.run.maxRssKiB === null ? null : r.run.maxRssKiB * 1024 < 300e6,
      });
    }
    if (opt.genium) {
      const lis = await generateFile(dir, 'genium-trd', opt.rows, opt.seed);
      const r = await productRun(opt, 'genium', 'genium', lis, mapSmall.path, opt.rows);
      rmSync(lis);
      results.push({
        name: 'product: ingest --source genium (TRD001 fixed width)',
        rows: opt.rows,
        run: r.run,
      });
      targets.push({
        name: `peak RSS, Genium ${fmtInt(opt.rows)} rows`,
        got: mib(r.run.maxRssKiB),
        target: '< 300 MB',
        met: r.run.maxRssKiB === null ? null : r.run.maxRssKiB * 1024 < 300e6,
      });
    }
    if (opt.rssCheck) {
      const big = opt.rows * 4;
      const bigDir = path.join(dir, 'x4');
      mkdirSync(bigDir);
      const mapBig = await writeBenchAccountMap(bigDir, benchOptions(big, opt.seed));
      const file = await generateFile(bigDir, 'bos-trd', big, opt.seed);
      const r = await productRun(opt, 'bos_x4', 'bos', file, mapBig.path, big);
      rmSync(file);
      results.push({ name: 'product: ingest --source bos, 4x rows', rows: big, run: r.run });
      const rss4 = r.run.maxRssKiB;
      const growth = rss1 === null || rss4 === null ? null : rss4 / rss1;
      targets.push({
        name: `peak RSS, BOS CSV ${fmtInt(big)} rows`,
        got: mib(rss4),
        target: '< 300 MB',
        met: rss4 === null ? null : rss4 * 1024 < 300e6,
      });
      targets.push({
        name: `RSS flat: RSS(${fmtInt(big)}) / RSS(${fmtInt(opt.rows)})`,
        got: growth === null ? 'n/a' : `${growth.toFixed(2)}x`,
        target: '< 1.20x',
        met: growth === null ? null : growth < 1.2,
      });
    }

    console.log(
      `\ningest benchmark: node ${process.version}, ${opt.url.replace(/\/\/[^@]*@/, '//')}, seed ${opt.seed}` +
        (canMeasureRss() ? '' : ' (no /usr/bin/time: peak RSS not measured)'),
    );
    console.log(
      `CLI: ${opt.tsx ? 'node --import tsx src/cli/main.ts (from source)' : 'compiled with tsconfig.build.json, as bin/dcass-recon.js runs it'}`,
    );
    console.log(
      "wall time includes process start-up; peak RSS is the measured process's own (GNU time %M)\n",
    );
    printTable(results, baseline);
    console.log('\ntargets');
    const w = Math.max(...targets.map((t) => t.name.length));
    const g = Math.max(...targets.map((t) => t.got.length));
    const tw = Math.max(...targets.map((t) => t.target.length));
    for (const t of targets) {
      const verdict = t.met === null ? 'NOT MEASURED' : t.met ? 'met' : 'NOT MET';
      console.log(`  ${t.name.padEnd(w)}  ${t.got.padStart(g)}  target ${t.target.padEnd(tw)}  ${verdict}`);
    }
    if (opt.cpuProf) console.log(`\nCPU profiles in ${PROFILE_DIR}`);
  } finally {
    if (opt.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
