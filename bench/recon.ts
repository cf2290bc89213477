/**
 * Reconciliation benchmark (issues 5 and 17, speed and memory): the product's whole path, from files to
 * breaks.json, against psql \copy plus one FULL OUTER JOIN.
 *
 *   npm run bench [-- --rows 1000000] [--seed S] [--db URL] [--server-only] [--keep]
 *
 * Data (scripts/generate, seeded, clearing date 6 May 2019): N trades as an upgraded DCASS TRD001 CSV
 * (left, the base copy) and as a BOS trades CSV (right, the variant copy: about 0.15% of the trades
 * dropped, inserted, or with a quantity or price change), plus the account map. Every BOS trade
 * carries its exchange trade number (generator option bosTradeNoGaps: false), so that the baseline's
 * one join on the trade number pairs exactly what the product's first pass pairs; with the usual 1
 * in 50 left blank, the product pairs those by content in its second pass, which one join cannot.
 *
 * On a PostgreSQL server (--db, else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test; used
 * only to create a fresh database per measurement, dropped afterwards):
 *   - baseline: one psql process: \copy of the three files into UNLOGGED tables, then one FULL OUTER
 *     JOIN on the trade number counting matches and breaks (account through the account map, side,
 *     quantity, price, execution time compared);
 *   - product: bench/support/recon-product.ts, compiled as the CLI ships, in its own process: open
 *     and migrate, ingestFiles (account map, DCASS, BOS), runReconciliation with the built-in default
 *     rule set (every reconciliation, as `dcass-recon run` does; trades-bos is the one with data),
 *     writeBreaksJson;
 *   - the same product path on the embedded database (PGlite) in a data folder created beforehand,
 *     untimed, as the server's database is (bench/support/pglite-open.ts --create);
 *   - floors, what the design costs before the product's own work: on the server, the product's
 *     finished trades of both files stored again with psql as the product stores a file, each in a
 *     partition created for it, COPY'd with FREEZE and attached (bench/support/floor.ts), then one
 *     FULL OUTER JOIN on them (its counts must be the baseline's); on PGlite, a process that opens and
 *     migrates a new folder as the product does, stores the product's finished trades in it the same
 *     way, in the product's batches, and runs the same join (bench/support/pglite-open.ts --store),
 *     for its wall time and its peak RSS.
 * Wall times are measured around the child processes; peak RSS is the product process's own (GNU
 * time). The break counts of the baseline, of the product's run, of its breaks.json and of what the
 * generator injected must all agree, or the benchmark fails.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Layout } from '../scripts/generate/layouts.js';
import { countInjected, type InjectedCounts, type SyntheticOptions } from '../scripts/generate/synthetic.js';
import { buildCli } from './support/build.js';
import { TRADE_JOIN, TRADE_TABLES, copyTradeFiles } from './support/baseline.js';
import { FINISHED_TRADES_JOIN } from './support/finished-trades.js';
import { benchOptions, writeBenchAccountMap, writeBenchFile } from './support/data.js';
import { createDatabase, dropDatabase } from './support/database.js';
import { storeFloor } from './support/floor.js';
import { canMeasureRss, measure, type Measured } from './support/measure.js';
import { fmtInt, mib, table } from './support/print.js';
import type { ProductResult } from './support/recon-product.js';
import { BREAK_KINDS } from '../src/model/vocabulary.js';

const REPO = path.resolve(import.meta.dirname, '..');
const CHILD = 'bench/support/recon-product.ts';
const OPEN_CHILD = 'bench/support/pglite-open.ts';
// Inside the package (so the package root and node_modules resolve as from dist/), outside what tsc
// and eslint look at; not the ingest bench's folder, so both can be built at once.
const BUILD_DIR = path.join(REPO, 'node_modules', '.cache', 'dcass-bench', 'recon-dist');
const BUSINESS_DATE = '2019-05-06';
const DIFF_RATE = 0.0015;
// Issue 17: wall time against the baseline per database, the run phase on the server, peak RSS.
const TARGET_RATIO = { server: 3.0, pglite: 5.0 } as const;
const TARGET_RUN_SECONDS = 5;
const TARGET_RSS_BYTES = 400e6;

interface Options {
  readonly rows: number;
  readonly seed: number;
  readonly url: string;
  readonly serverOnly: boolean;
  readonly keep: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '20190506' },
      db: { type: 'string' },
      'server-only': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const rows = Number(values.rows);
  if (!Number.isSafeInteger(rows) || rows < 1000)
    throw new Error(`--rows must be an integer of at least 1000, got ${values.rows}`);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  const url = values.db ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new Error(`the benchmark needs a PostgreSQL server URL for the baseline, got ${url}`);
  return { rows, seed, url, serverOnly: values['server-only'], keep: values.keep };
}

const log = (text: string): void => console.error(`[bench] ${text}`);

function fail(what: string, run: Measured): never {
  throw new Error(
    `${what} failed (exit ${run.code}):\n${run.stderr.slice(-4000)}\n${run.stdout.slice(-2000)}`,
  );
}

/** Matches and breaks by kind: what every side of the comparison is reduced to. */
const KINDS = ['matched', ...BREAK_KINDS] as const;
type Counts = Record<(typeof KINDS)[number], number>;
const noCounts = (): Counts => ({
  matched: 0,
  only_left: 0,
  only_right: 0,
  mismatch: 0,
  duplicate_left: 0,
  duplicate_right: 0,
});

interface BenchData {
  readonly accountMap: string;
  readonly accountMapRows: number;
  readonly dcass: string;
  readonly bos: string;
  readonly injected: InjectedCounts;
}

async function generateFile(dir: string, layout: Layout, opts: SyntheticOptions, variant: boolean) {
  const started = performance.now();
  const file = await writeBenchFile(dir, layout, opts, variant);
  log(
    `generated ${layout}${variant ? ' (variant)' : ''}: ${fmtInt(file.records)} rows, ${(statSync(file.path).size / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return file;
}

async function generateData(dir: string, opt: Options): Promise<BenchData> {
  const opts: SyntheticOptions = {
    ...benchOptions(opt.rows, opt.seed),
    diffRate: DIFF_RATE,
    bosTradeNoGaps: false,
  };
  const injected = countInjected(opts, 'trades');
  const map = await writeBenchAccountMap(dir, opts, true);
  const dcass = await generateFile(dir, 'dcass-trd-csv', opts, false);
  const bos = await generateFile(dir, 'bos-trd', opts, true);
  if (dcass.records !== injected.baseRows || bos.records !== injected.variantRows)
    throw new Error(
      `generated ${dcass.records} DCASS and ${bos.records} BOS rows, expected ${injected.baseRows} and ${injected.variantRows}`,
    );
  return {
    accountMap: map.path,
    accountMapRows: map.records,
    dcass: dcass.path,
    bos: bos.path,
    injected,
  };
}

/** What the generator injected, as the counts a correct reconciliation finds. */
function expectedCounts(i: InjectedCounts): Counts {
  return {
    matched: i.baseRows - i.onlyLeft - i.qty - i.price,
    only_left: i.onlyLeft,
    only_right: i.onlyRight,
    mismatch: i.qty + i.price,
    duplicate_left: 0,
    duplicate_right: 0,
  };
}

/**
 * The baseline's psql script (bench/support/baseline.ts): \copy of the three files into UNLOGGED
 * tables, then one FULL OUTER JOIN on the trade number.
 */
function baselineScript(data: BenchData): string {
  return `${TRADE_TABLES}
${copyTradeFiles(data)}
${TRADE_JOIN}
`;
}

async function baselineRun(
  opt: Options,
  data: BenchData,
  dir: string,
): Promise<{ run: Measured; counts: Counts }> {
  const name = `dcass_bench_${process.pid}_recon_baseline`;
  const dbUrl = await createDatabase(opt.url, name);
  try {
    const script = path.join(dir, 'baseline.sql');
    writeFileSync(script, baselineScript(data));
    log('baseline: psql \\copy x3 + FULL OUTER JOIN');
    const run = await measure('psql', [dbUrl, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-f', script]);
    if (run.code !== 0) fail('baseline psql', run);
    const got = JSON.parse(run.stdout.trim()) as Omit<Counts, 'duplicate_left' | 'duplicate_right'>;
    // One join pairs whatever shares a trade number: it cannot tell duplicates apart.
    return { run, counts: { ...got, duplicate_left: 0, duplicate_right: 0 } };
  } finally {
    await dropDatabase(opt.url, name);
  }
}

interface ProductRun {
  readonly target: 'server' | 'pglite';
  readonly label: string;
  readonly run: Measured;
  readonly result: ProductResult;
  readonly counts: Counts;
  readonly reportCounts: Counts;
  /**
   * What no product keeping its rows in this schema can beat: on the server, the finished trades of
   * both files stored again by psql \copy (storeFloor) and joined once; on PGlite, the process that
   * only opens and migrates a database created beforehand (its peak RSS).
   */
  readonly floor: Measured;
}

/** Sums the run's counts over its reconciliations (all but trades-bos find nothing on this data). */
function runCounts(result: ProductResult): Counts {
  const c = noCounts();
  for (const r of Object.values(result.run.counts)) {
    if (r.skipped !== null) continue;
    c.matched += r.matched;
    for (const k of KINDS) if (k !== 'matched') c[k] += r.breaks[k];
  }
  return c;
}

/** Counts read back from breaks.json: its summary's matches and the kinds of its breaks. */
function reportCounts(file: string): Counts {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    summary: { matched: number };
    breaks: { kind: string }[];
  };
  const c: Counts = { ...noCounts(), matched: doc.summary.matched };
  for (const b of doc.breaks) {
    if (!(KINDS as readonly string[]).includes(b.kind) || b.kind === 'matched')
      throw new Error(`breaks.json: unknown break kind ${b.kind}`);
    c[b.kind as keyof Counts] += 1;
  }
  return c;
}

async function productRun(
  opt: Options,
  data: BenchData,
  dir: string,
  child: string,
  openChild: string,
  rules: string,
  target: 'server' | 'pglite',
  baselineCounts: Counts,
): Promise<ProductRun> {
  const name = `dcass_bench_${process.pid}_recon_product`;
  const db = target === 'server' ? await createDatabase(opt.url, name) : path.join(dir, 'pglite');
  const out = path.join(dir, `breaks-${target}.json`);
  try {
    log(`product on ${target === 'server' ? 'the server' : 'PGlite'}: ingest, run, breaks.json`);
    const inputs: [string, string][] = [
      ['bos', data.accountMap],
      ['dcass', data.dcass],
      ['bos', data.bos],
    ];
    const files = inputs.flatMap(([source, file]) => ['--source', source, '--file', file]);
    // The server's database exists before the product starts; so does the embedded one's folder.
    if (target === 'pglite') await createPgliteFolder(openChild, db);
    const run = await measure(
      process.execPath,
      [child, '--db', db, '--date', BUSINESS_DATE, '--rules', rules, '--out', out, ...files],
      { cwd: dir },
    );
    if (run.code !== 0) fail(`product (${target})`, run);
    const result = JSON.parse(run.stdout.trim()) as ProductResult;
    const expectRows = [data.accountMapRows, data.injected.baseRows, data.injected.variantRows];
    result.files.forEach((f, i) => {
      if (f.status !== 'loaded' || f.rejected !== 0 || f.rows !== expectRows[i])
        throw new Error(`product (${target}): ${f.file} was not loaded whole: ${JSON.stringify(f)}`);
    });
    const counts = runCounts(result);
    const fromReport = reportCounts(out);
    rmSync(out);
    const floor =
      target === 'server'
        ? await serverFloor(db, dir, data.injected.baseRows + data.injected.variantRows, baselineCounts)
        : await pgliteFloor(openChild, db, dir, baselineCounts);
    return {
      target,
      label: target === 'server' ? 'product, server' : 'product, PGlite',
      run,
      result,
      counts,
      reportCounts: fromReport,
      floor,
    };
  } finally {
    if (target === 'server') await dropDatabase(opt.url, name);
    else rmSync(db, { recursive: true, force: true });
  }
}

/** What a product run's floor row measured. */
function floorLabel(p: ProductRun): string {
  return p.target === 'server'
    ? "psql: the product's finished trades stored as its file partitions, then the join"
    : 'PGlite opened, migrated, the finished trades stored as file partitions, the join';
}

/**
 * The server's floor: the product's finished trades of both files stored again with psql \\copy
 * (storeFloor), then the baseline's kind of join run on them where they lie, in one psql process:
 * storing and one FULL OUTER JOIN, with none of the product's reading, normalising, passes or
 * lineage. Its counts must be the baseline's.
 */
async function serverFloor(
  dbUrl: string,
  dir: string,
  expectRows: number,
  expect: Counts,
): Promise<Measured> {
  const store = await storeFloor(dbUrl, dir, expectRows);
  const join = await measure('psql', [
    dbUrl,
    '-X',
    '-q',
    '-At',
    '-v',
    'ON_ERROR_STOP=1',
    '-c',
    FINISHED_TRADES_JOIN,
  ]);
  if (join.code !== 0) fail('floor: join', join);
  const got = JSON.parse(join.stdout.trim()) as Record<string, number>;
  for (const k of ['matched', 'mismatch', 'only_left', 'only_right'] as const) {
    if (got[k] !== expect[k])
      throw new Error(`floor: the join found ${k} ${got[k]}, the baseline ${expect[k]}: ${join.stdout}`);
  }
  return { ...join, seconds: store.seconds + join.seconds, maxRssKiB: null };
}

/** Creates an embedded database folder, unmigrated, in a process of its own (untimed). */
async function createPgliteFolder(openChild: string, folder: string): Promise<void> {
  const run = await measure(process.execPath, [openChild, folder, '--create']);
  if (run.code !== 0) fail('PGlite folder creation', run);
}

/**
 * The floor under the product on PGlite: in a process of its own (wall time and peak RSS measured),
 * a new embedded database opened and migrated as the product opens it, the product's finished trades
 * (read out of its database beforehand, untimed) stored in its trade table as the product stores a
 * file (one transaction each, COPY in the product's batches), then the same join as the server's floor, whose counts must be the baseline's. Nothing is
 * read, checked or normalised: no product keeping its rows in this schema on PGlite can do less.
 */
async function pgliteFloor(
  openChild: string,
  productFolder: string,
  dir: string,
  expect: Counts,
): Promise<Measured> {
  const rows = path.join(dir, 'floor-trade-pglite.copy');
  const folder = path.join(dir, 'pglite-floor');
  let files: string[] = [];
  try {
    const exported = await measure(process.execPath, [openChild, productFolder, '--export', rows]);
    if (exported.code !== 0) fail('PGlite floor: reading the finished trades out', exported);
    files = JSON.parse(exported.stdout.trim()) as string[];
    await createPgliteFolder(openChild, folder);
    const run = await measure(process.execPath, [openChild, folder, '--store', ...files]);
    if (run.code !== 0) fail('PGlite floor', run);
    const got = JSON.parse(run.stdout.trim()) as Record<string, number>;
    for (const k of ['matched', 'mismatch', 'only_left', 'only_right'] as const) {
      if (got[k] !== expect[k])
        throw new Error(
          `PGlite floor: the join found ${k} ${got[k]}, the baseline ${expect[k]}: ${run.stdout}`,
        );
    }
    return run;
  } finally {
    for (const f of files) rmSync(f, { force: true });
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The run's slowest statements, from its debug log on the child's stderr. */
function slowStatements(stderr: string, n: number): { recon: string; step: string; ms: number }[] {
  const out: { recon: string; step: string; ms: number }[] = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { msg?: string; recon?: string; step?: string; ms?: number };
    if (e.msg === 'statement done') out.push({ recon: e.recon ?? '', step: e.step ?? '', ms: e.ms ?? 0 });
  }
  return out.sort((a, b) => b.ms - a.ms).slice(0, n);
}

function printCounts(expected: Counts, baseline: Counts, products: readonly ProductRun[]): boolean {
  const columns: [string, Counts][] = [
    ['injected', expected],
    ['baseline', baseline],
    ...products.flatMap((p): [string, Counts][] => [
      [`${p.label}: run`, p.counts],
      [`${p.label}: breaks.json`, p.reportCounts],
    ]),
  ];
  const breaks = (c: Counts): number => KINDS.reduce((n, k) => n + (k === 'matched' ? 0 : c[k]), 0);
  console.log(
    table(
      ['', ...columns.map(([name]) => name)],
      [
        ...KINDS.map((k) => [k, ...columns.map(([, c]) => fmtInt(c[k]))]),
        ['breaks', ...columns.map(([, c]) => fmtInt(breaks(c)))],
      ],
    ),
  );
  return columns.every(([, c]) => KINDS.every((k) => c[k] === expected[k]));
}

async function main(): Promise<void> {
  const opt = options();
  const dir = mkdtempSync(path.join(tmpdir(), 'dcass-bench-recon-'));
  try {
    log('compiling the library and the product script (tsconfig.build.json)');
    const built = buildCli(REPO, BUILD_DIR, [CHILD, OPEN_CHILD]);
    if (built.warnings) log(`tsc reported (built anyway):\n${built.warnings}`);
    const child = built.compiled(CHILD);
    const openChild = built.compiled(OPEN_CHILD);
    // The rule set as it is now, beside the code just compiled: both product runs read these bytes,
    // whatever happens to builtin/ in the working tree meanwhile.
    const rules = path.join(dir, 'default.yaml');
    copyFileSync(path.join(REPO, 'builtin', 'rules', 'default.yaml'), rules);

    const data = await generateData(dir, opt);
    const baseline = await baselineRun(opt, data, dir);
    // A failed product run is reported after the results of the others, not instead of them.
    const products: ProductRun[] = [];
    const failures: string[] = [];
    for (const target of opt.serverOnly ? (['server'] as const) : (['server', 'pglite'] as const)) {
      try {
        products.push(await productRun(opt, data, dir, child, openChild, rules, target, baseline.counts));
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
        log(`product on ${target} failed; the other results follow`);
      }
    }

    const i = data.injected;
    console.log(
      `\nreconciliation benchmark: node ${process.version}, ${opt.url.replace(/\/\/[^@]*@/, '//')}, seed ${opt.seed}, ` +
        `clearing date ${BUSINESS_DATE}` +
        (canMeasureRss() ? '' : ' (no /usr/bin/time: peak RSS not measured)'),
    );
    console.log(
      `left:  upgraded DCASS TRD001 CSV, ${fmtInt(i.baseRows)} trades (${(statSync(data.dcass).size / 2 ** 20).toFixed(0)} MiB)\n` +
        `right: BOS trades CSV, ${fmtInt(i.variantRows)} trades (${(statSync(data.bos).size / 2 ** 20).toFixed(0)} MiB): ` +
        `${fmtInt(i.total)} differences (${((100 * i.total) / i.baseRows).toFixed(2)}%): ${fmtInt(i.onlyLeft)} dropped, ` +
        `${fmtInt(i.onlyRight)} inserted, ${fmtInt(i.qty)} quantity and ${fmtInt(i.price)} price changes;\n` +
        "       every BOS trade carries its exchange trade number, so the baseline's one join on it pairs what the\n" +
        "       product's pass 1 pairs (blank numbers go to the product's pass 2 by content, which one join cannot do)",
    );
    console.log(
      'product: open + migrate, ingestFiles (account map, DCASS, BOS), runReconciliation with the built-in default\n' +
        '         rule set (all of it, as `dcass-recon run`; trades-bos has the data), writeBreaksJson; one process,\n' +
        '         compiled as shipped; the server database and the PGlite data folder exist beforehand (created\n' +
        '         empty, untimed), the product migrates them\n' +
        'baseline: one psql process: \\copy of the 3 files into UNLOGGED tables, one FULL OUTER JOIN on the trade\n' +
        '          number comparing account (via the account map), side, quantity, price, execution time\n' +
        "wall times include process start-up; peak RSS is the product process's own (GNU time %M)\n",
    );
    console.log(
      table(
        ['run', 'wall s', 'peak RSS', 'vs baseline'],
        [
          ['baseline: psql \\copy + FULL OUTER JOIN (server)', baseline.run.seconds.toFixed(2), '', '1.00x'],
          ...products.flatMap((p) => [
            [
              `${p.label}: ingest + run + breaks.json`,
              p.run.seconds.toFixed(2),
              mib(p.run.maxRssKiB),
              `${(p.run.seconds / baseline.run.seconds).toFixed(2)}x`,
            ],
            [
              `  floor: ${floorLabel(p)}`,
              p.floor.seconds.toFixed(2),
              // The server's floor is a psql process: its RSS is not the product's. PGlite's floor
              // is a Node process holding the embedded database, as the product does.
              p.target === 'server' ? '' : mib(p.floor.maxRssKiB),
              `${(p.floor.seconds / baseline.run.seconds).toFixed(2)}x`,
            ],
          ]),
        ],
      ),
    );
    for (const p of products) {
      console.log(`\n${p.label}, phases (in-process clock; peak RSS so far)`);
      console.log(
        table(
          ['phase', 's', 'peak RSS'],
          p.result.phases.map((ph) => [ph.name, ph.seconds.toFixed(2), mib(ph.maxRssKiB)]),
        ),
      );
      console.log(`${p.label}, slowest statements of the run`);
      console.log(
        table(
          ['statement', 's'],
          slowStatements(p.run.stderr, 6).map((st) => [`${st.recon}: ${st.step}`, (st.ms / 1000).toFixed(2)]),
        ),
      );
    }

    console.log('\nmatches and breaks');
    if (!printCounts(expectedCounts(i), baseline.counts, products)) {
      throw new Error(
        [
          'the break counts disagree (see the table above): the product, the baseline and the injected differences must give the same counts',
          ...failures,
        ].join('\n\n'),
      );
    }
    console.log('all counts agree\n\ntargets (issue 17)');
    const rows = products.flatMap((p) => {
      const ratio = p.run.seconds / baseline.run.seconds;
      const rss = p.run.maxRssKiB;
      const mb = (kib: number | null): string =>
        kib === null ? 'n/a' : `${mib(kib)} (${((kib * 1024) / 1e6).toFixed(0)} MB)`;
      // The floor's figures: storing the finished rows and one join, on the product's own database,
      // against the same baseline; on PGlite, that process's peak RSS too.
      return [
        [
          `${p.label}: wall time / baseline`,
          `${ratio.toFixed(2)}x`,
          `${(p.floor.seconds / baseline.run.seconds).toFixed(2)}x`,
          `<= ${TARGET_RATIO[p.target].toFixed(2)}x`,
          ratio <= TARGET_RATIO[p.target] ? 'PASS' : 'FAIL',
        ],
        ...(p.target === 'server' ? [runPhaseRow(p)] : []),
        [
          `${p.label}: peak RSS`,
          mb(rss),
          p.target === 'server' ? '' : mb(p.floor.maxRssKiB),
          '<= 400 MB',
          rss === null ? 'NOT MEASURED' : rss * 1024 <= TARGET_RSS_BYTES ? 'PASS' : 'FAIL',
        ],
      ];
    });
    console.log(table(['target', 'got', 'floor', 'wanted', 'verdict'], rows));
    console.log(
      "floor: what the schema and the embedded database cost before the product's own work (the `floor` rows\n" +
        'above); a target below its floor cannot be met by this design, only by storing less or elsewhere',
    );
    if (failures.length > 0)
      throw new Error(`${failures.length} product run(s) failed:\n\n${failures.join('\n\n')}`);
  } finally {
    if (opt.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** The run phase's own time on the server (in-process clock), against its target. */
function runPhaseRow(p: { label: string; result: ProductResult }): string[] {
  const run = p.result.phases.find((ph) => ph.name === 'run')?.seconds;
  return [
    `${p.label}: run phase`,
    run === undefined ? 'n/a' : `${run.toFixed(2)} s`,
    '',
    `<= ${TARGET_RUN_SECONDS} s`,
    run === undefined ? 'NOT MEASURED' : run <= TARGET_RUN_SECONDS ? 'PASS' : 'FAIL',
  ];
}

await main();
