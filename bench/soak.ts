/**
 * Soak benchmark (issue 14, finding 11: storage grows with every re-run): business days of the
 * stabilisation period run in turn as a CP runs them, each a process of the CLI as it ships:
 * `dcass-recon ingest --all`, `run --date D`, `report --run ID --out DIR` (json, csv, html).
 *
 *   npm run bench:soak [-- --rows 200000] [--days 10] [--db postgres://...] [--server URL]
 *                        [--seed S] [--rev GITREV] [--no-baseline] [--keep]
 *
 * The CLI is compiled from the working tree, or with --rev from that git revision (`git archive`,
 * the soak's own probe scripts added), so that a soak measures a committed state while the tree changes
 * and two revisions can be compared (before and after a change to the run's storage).
 *
 * Data (scripts/generate/chained.ts, seeded): from Monday 6 May 2019, N DCASS trades a day and about
 * N positions, chained: the DCASS positions of a day are the previous day's plus its trades (the
 * opening positions are those of Friday 3 May). The BOS copies differ by planted breaks each day:
 * trades missing from the BOS, trades only in the BOS, quantity and price changes (N/2000 each, at
 * least 3), and BOS position differences (N/4000 a day, at least 2) that persist three days and are
 * then fixed; positions the trades close flat are roll-forward breaks explained by rule. So the
 * register is a realistic one: trade breaks carried from day to day, position breaks that appear,
 * persist and clear.
 *
 * The database: the embedded one (PGlite) in a folder by default; with --db a PostgreSQL server, on
 * which the bench creates a fresh database for the soak and drops it afterwards. Files are written
 * to the configuration's input folders before each day (untimed), as they would arrive.
 *
 * Per day it prints: the database size (pg_database_size, and the folder for PGlite) and its growth;
 * the biggest tables; ingest, run and report seconds; breaks found by the run, open, explained and
 * cleared in the register, carried from earlier dates; and checks all of them against what the
 * generator planted (MISMATCH, and exit 1, when they differ). Beside the product, on the server
 * (--server, else --db, else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test; a scratch
 * database created and dropped):
 *   - baseline: one psql process: \copy of the day's four files and the account map into plain
 *     UNLOGGED tables, one FULL OUTER JOIN for trades and one for positions (bench/support/baseline.ts);
 *   - floor, as bench/recon.ts: on the server, the product's finished trade and position rows of the
 *     day stored again with psql \copy into the emptied tables of a second database of the same schema,
 *     then joined once a side (bench/support/soak-floor.ts); on PGlite, opening and closing the soak's
 *     folder alone (each of the three commands pays it).
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  ChainedDays,
  defaultPlants,
  writeDay,
  writeOpening,
  type DayExpectation,
} from '../scripts/generate/chained.js';
import { fileNameOf } from '../scripts/generate/layouts.js';
import {
  POSITION_JOIN,
  POSITION_TABLES,
  TRADE_JOIN,
  TRADE_TABLES,
  copyPositionFiles,
  copyTradeFiles,
  type JoinCounts,
} from './support/baseline.js';
import { buildCli } from './support/build.js';
import { createDatabase, dropDatabase } from './support/database.js';
import { measure, type Measured } from './support/measure.js';
import { fmtInt, table } from './support/print.js';
import type { SoakProbe } from './support/soak-probe.js';
import { soakFloor } from './support/soak-floor.js';

const REPO = path.resolve(import.meta.dirname, '..');
const PROBE = 'bench/support/soak-probe.ts';
const OPEN = 'bench/support/pglite-open.ts';
// Inside the package, outside what tsc and eslint look at; a folder of each soak's own, so the other
// benches and another soak (PGlite and server side by side) can be built at the same time.
const BUILD_DIR = path.join(REPO, 'node_modules', '.cache', 'dcass-bench', `soak-dist-${process.pid}`);
const START = '20190506';
const PARTICIPANT = 'CABC';
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/test';

interface Options {
  readonly rows: number;
  readonly days: number;
  readonly seed: number;
  /** The soak's server, or null for the embedded database. */
  readonly db: string | null;
  /** The server of the baseline and the floor, or null without them. */
  readonly server: string | null;
  /** The git revision to compile, or null for the working tree. */
  readonly rev: string | null;
  readonly keep: boolean;
}

/** A git revision as its short commit hash (what the soak prints). */
function commitOf(rev: string): string {
  const r = spawnSync('git', ['-C', REPO, 'rev-parse', '--short', '--verify', `${rev}^{commit}`], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`--rev: not a commit: ${rev}`);
  return r.stdout.trim();
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '200000' },
      days: { type: 'string', default: '10' },
      seed: { type: 'string', default: '20190506' },
      db: { type: 'string' },
      server: { type: 'string' },
      'no-baseline': { type: 'boolean', default: false },
      rev: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const int = (v: string, name: string, min: number): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min)
      throw new Error(`--${name} must be an integer of at least ${min}, got ${v}`);
    return n;
  };
  const url = (v: string, name: string): string => {
    if (!/^postgres(ql)?:\/\//.test(v)) throw new Error(`--${name} must be a postgres:// URL, got ${v}`);
    return v;
  };
  const db = values.db === undefined ? null : url(values.db, 'db');
  const server = values['no-baseline']
    ? null
    : url(values.server ?? db ?? process.env.DATABASE_URL ?? DEFAULT_SERVER, 'server');
  return {
    rows: int(values.rows, 'rows', 500),
    days: int(values.days, 'days', 1),
    seed: int(values.seed, 'seed', 0),
    db,
    server,
    rev: values.rev === undefined ? null : commitOf(values.rev),
    keep: values.keep,
  };
}

const log = (text: string): void => console.error(`[soak] ${text}`);

function fail(what: string, run: Measured): never {
  throw new Error(
    `${what} failed (exit ${run.code}):\n${run.stderr.slice(-4000)}\n${run.stdout.slice(-2000)}`,
  );
}

const iso = (yyyymmdd: string): string =>
  `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6)}`;
const mb = (bytes: number | null | undefined): string =>
  bytes === null || bytes === undefined ? '-' : (bytes / 2 ** 20).toFixed(1);
const secs = (s: number | null | undefined): string => (s === null || s === undefined ? '-' : s.toFixed(1));

/** Bytes of every file below a folder. */
function folderBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) n += statSync(path.join(e.parentPath, e.name)).size;
  }
  return n;
}

/**
 * The sources to compile: the repository, or a revision of it extracted into `dir` with the soak's
 * probe scripts of the working tree beside it and the repository's node_modules linked.
 */
function sourceTree(rev: string | null, dir: string): string {
  if (rev === null) return REPO;
  const root = path.join(dir, 'tree');
  const tar = path.join(dir, 'tree.tar');
  mkdirSync(root, { recursive: true });
  for (const [cmd, args] of [
    ['git', ['-C', REPO, 'archive', '--format=tar', '-o', tar, rev]],
    ['tar', ['-xf', tar, '-C', root]],
  ] as const) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  }
  rmSync(tar);
  symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  for (const f of [PROBE, OPEN]) copyFileSync(path.join(REPO, f), path.join(root, f));
  return root;
}

/** The parts of the CLI's `run --json` the soak reads. */
interface RunJson {
  readonly runId: string;
  readonly counts: Record<
    string,
    {
      readonly skipped: string | null;
      readonly incomplete: string | null;
      readonly breaks: Record<
        'only_left' | 'only_right' | 'mismatch' | 'duplicate_left' | 'duplicate_right',
        number
      >;
      readonly open: number;
      readonly explained: number;
      readonly cleared: number;
    }
  >;
  readonly missingInputs: readonly unknown[];
  readonly carried: number;
}

interface IngestJson {
  readonly files: readonly {
    fileName: string;
    status: string;
    rows: number;
    rejected: number;
    error: unknown;
  }[];
}

/** The register as the generator's days say it must stand: fingerprints of position breaks, trade breaks counted. */
class RegisterModel {
  private readonly states = new Map<string, 'open' | 'explained' | 'cleared'>();
  tradeBreaks = 0;

  /** Applies one day; returns the breaks cleared by its run and carried into its report. */
  apply(e: DayExpectation): { cleared: number; carried: number } {
    const carried = this.tradeBreaks;
    this.tradeBreaks += e.tradesBos.onlyLeft + e.tradesBos.onlyRight + e.tradesBos.mismatch;
    const today = new Map<string, 'open' | 'explained'>([
      ...e.positionBreaks.map((b): [string, 'open'] => [`positions-bos ${b}`, 'open']),
      ...e.flatPositions.map((k): [string, 'explained'] => [
        `positions-rollforward only_left ${k}`,
        'explained',
      ]),
    ]);
    let cleared = 0;
    for (const [id, state] of this.states) {
      if (state !== 'cleared' && !today.has(id)) {
        this.states.set(id, 'cleared');
        cleared += 1;
      }
    }
    for (const [id, state] of today) this.states.set(id, state);
    return { cleared, carried };
  }

  count(state: 'open' | 'explained' | 'cleared'): number {
    let n = state === 'open' ? this.tradeBreaks : 0;
    for (const s of this.states.values()) if (s === state) n += 1;
    return n;
  }
}

/** One day's figures. */
interface DayResult {
  readonly day: number;
  readonly date: string;
  readonly ingest: number;
  readonly run: number;
  readonly report: number;
  readonly breaksJsonBytes: number;
  readonly probe: SoakProbe;
  readonly folderBytes: number | null;
  readonly baseline: number | null;
  readonly floor: number | null;
  readonly found: { tradesBos: number; positionsBos: number; rollforward: number };
  readonly carried: number;
  readonly cleared: number;
  readonly mismatches: readonly string[];
}

/** Compares got with want under a name; a difference becomes one line. */
function check(out: string[], what: string, got: unknown, want: unknown): void {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  if (g !== w) out.push(`${what}: got ${g}, planted ${w}`);
}

const kinds = (c: { onlyLeft: number; onlyRight: number; mismatch: number }) => ({
  only_left: c.onlyLeft,
  only_right: c.onlyRight,
  mismatch: c.mismatch,
  duplicate_left: 0,
  duplicate_right: 0,
});

/** What the run must find, reconciliation by reconciliation. */
function checkRun(out: string[], run: RunJson, e: DayExpectation): void {
  if (run.missingInputs.length > 0) out.push(`run: missing inputs ${JSON.stringify(run.missingInputs)}`);
  const want = {
    'trades-bos': kinds(e.tradesBos),
    'positions-bos': kinds(e.positionsBos),
    'positions-rollforward': kinds({ onlyLeft: e.flatPositions.length, onlyRight: 0, mismatch: 0 }),
  };
  for (const [recon, breaks] of Object.entries(want)) {
    const c = run.counts[recon];
    if (!c || c.skipped !== null || c.incomplete !== null) {
      out.push(`run: ${recon} did not run (${c?.skipped ?? c?.incomplete ?? 'absent'})`);
      continue;
    }
    check(out, `run: ${recon} breaks`, c.breaks, breaks);
  }
  const total = (k: ReturnType<typeof kinds>): number => k.only_left + k.only_right + k.mismatch;
  check(out, 'run: trades-bos open', run.counts['trades-bos']?.open, total(want['trades-bos']));
  check(out, 'run: positions-bos open', run.counts['positions-bos']?.open, total(want['positions-bos']));
  check(
    out,
    'run: roll-forward explained (flat)',
    run.counts['positions-rollforward']?.explained,
    e.flatPositions.length,
  );
}

function checkJoin(
  out: string[],
  what: string,
  got: JoinCounts,
  left: number,
  k: { onlyLeft: number; onlyRight: number; mismatch: number },
): void {
  check(out, what, got, {
    matched: left - k.onlyLeft - k.mismatch,
    mismatch: k.mismatch,
    only_left: k.onlyLeft,
    only_right: k.onlyRight,
  });
}

async function main(): Promise<void> {
  const opt = options();
  const dir = mkdtempSync(path.join(tmpdir(), 'dcass-bench-soak-'));
  const names = {
    soak: `dcass_soak_${process.pid}`,
    baseline: `dcass_soak_${process.pid}_baseline`,
    floor: `dcass_soak_${process.pid}_floor`,
  };
  const created: [string, string][] = [];
  const create = async (url: string, name: string): Promise<string> => {
    const u = await createDatabase(url, name);
    created.push([url, name]);
    return u;
  };
  try {
    const tree = sourceTree(opt.rev, dir);
    log(
      `compiling the CLI and the probe (tsconfig.build.json) from ${opt.rev === null ? 'the working tree' : `revision ${opt.rev}`}`,
    );
    const built = buildCli(tree, BUILD_DIR, [PROBE, OPEN]);
    if (built.warnings) log(`tsc reported (built anyway):\n${built.warnings}`);
    const inputs = { dcass: path.join(dir, 'inputs', 'dcass'), bos: path.join(dir, 'inputs', 'bos') };
    mkdirSync(inputs.bos, { recursive: true });
    mkdirSync(inputs.dcass, { recursive: true });
    writeFileSync(
      path.join(dir, 'dcass-recon.yaml'),
      `participant: { code: ${PARTICIPANT}, name: Soak benchmark }\ninputs: { dcass: ./inputs/dcass, bos: ./inputs/bos }\n`,
    );
    // The rule set as it is now, beside the code just compiled (builtin/ may change meanwhile).
    const rules = path.join(dir, 'default.yaml');
    copyFileSync(path.join(tree, 'builtin', 'rules', 'default.yaml'), rules);

    const target = opt.db === null ? path.join(dir, 'db') : await create(opt.db, names.soak);
    const baselineUrl = opt.server === null ? null : await create(opt.server, names.baseline);
    let floorUrl: string | null = null;
    if (opt.db !== null) {
      floorUrl = await create(opt.db, names.floor);
      const migrated = await measure(process.execPath, [built.compiled(OPEN), floorUrl, '--migrate']);
      if (migrated.code !== 0) fail('migrating the floor database', migrated);
    }
    const cli = (args: readonly string[]): Promise<Measured> =>
      measure(process.execPath, [built.entry, '--db', target, '--json', ...args], { cwd: dir });

    const plants = defaultPlants(opt.rows);
    const chain = new ChainedDays({
      seed: opt.seed >>> 0,
      participant: PARTICIPANT,
      rows: opt.rows,
      start: START,
      plants,
    });
    const model = new RegisterModel();
    const results: DayResult[] = [];
    const accountMap = path.join(inputs.bos, `ACCOUNT_MAP_${PARTICIPANT}.csv`);
    let maxFileId = 0;
    log(
      `${opt.days} days of ${fmtInt(opt.rows)} trades a source, on ${opt.db === null ? 'PGlite' : 'the server'}; planted a day: ` +
        `${plants.drop} dropped, ${plants.insert} inserted, ${plants.qty} quantity and ${plants.price} price changes, ` +
        `${plants.positionDiffs} position differences lasting ${plants.persistDays} days`,
    );
    console.log(
      'day  date        db MiB  growth  ingest s  run s  report s  found  open  explained  carried  cleared  baseline s  ratio  floor s  check',
    );
    for (let n = 0; n < opt.days; n++) {
      const started = performance.now();
      if (n === 0) await writeOpening(chain, inputs);
      const day = chain.next();
      await writeDay(day, PARTICIPANT, inputs);
      const e = day.expect;
      const date = iso(day.date);
      log(`day ${n + 1} ${date}: files written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const mismatches: string[] = [];

      const ingest = await cli(['ingest', '--all']);
      if (ingest.code !== 0) fail(`ingest --all (${date})`, ingest);
      const loaded = (JSON.parse(ingest.stdout) as IngestJson).files.filter((f) => f.status === 'loaded');
      check(mismatches, 'ingest: files loaded', loaded.length, n === 0 ? 6 : 4);
      for (const f of loaded)
        if (f.rejected !== 0) mismatches.push(`ingest: ${f.fileName}: ${f.rejected} rejected rows`);

      const run = await cli(['run', '--date', date, '--rules', rules]);
      if (run.code !== 0 && run.code !== 1) fail(`run (${date})`, run);
      const summary = JSON.parse(run.stdout) as RunJson;
      checkRun(mismatches, summary, e);
      const want = model.apply(e);
      check(mismatches, 'report: carried', summary.carried, want.carried);
      const cleared = Object.values(summary.counts).reduce((s, c) => s + c.cleared, 0);
      check(mismatches, 'run: cleared', cleared, want.cleared);

      const out = path.join(dir, 'out', date);
      const report = await cli(['report', '--run', summary.runId, '--out', out]);
      if (report.code !== 0 && report.code !== 1) fail(`report (${date})`, report);
      const breaksJsonBytes = statSync(path.join(out, 'breaks.json')).size;
      rmSync(out, { recursive: true, force: true });

      const probed = await measure(process.execPath, [built.compiled(PROBE), target]);
      if (probed.code !== 0) fail('probe', probed);
      const probe = JSON.parse(probed.stdout) as SoakProbe;
      for (const state of ['open', 'explained', 'cleared'] as const)
        check(mismatches, `register: ${state}`, probe.register[state] ?? 0, model.count(state));

      let baseline: number | null = null;
      if (baselineUrl !== null) {
        const script = path.join(dir, 'baseline.sql');
        const opts = { seed: 0, date: day.date, participant: PARTICIPANT, rows: opt.rows, diffRate: 0 };
        const dayDir = path.join(inputs.dcass, day.date);
        writeFileSync(
          script,
          [
            'DROP TABLE IF EXISTS dcass_trade, bos_trade, account_map, dcass_position, bos_position;',
            TRADE_TABLES,
            POSITION_TABLES,
            copyTradeFiles({
              dcass: path.join(dayDir, fileNameOf('dcass-trd-csv', opts)),
              bos: path.join(inputs.bos, fileNameOf('bos-trd', opts)),
              accountMap,
            }),
            copyPositionFiles({
              dcass: path.join(dayDir, fileNameOf('dcass-pos-csv', opts)),
              bos: path.join(inputs.bos, fileNameOf('bos-pos', opts)),
            }),
            TRADE_JOIN,
            POSITION_JOIN,
            '',
          ].join('\n'),
        );
        const b = await measure('psql', [
          baselineUrl,
          '-X',
          '-q',
          '-At',
          '-v',
          'ON_ERROR_STOP=1',
          '-f',
          script,
        ]);
        if (b.code !== 0) fail(`baseline (${date})`, b);
        const [trades, positions] = b.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as JoinCounts);
        checkJoin(mismatches, 'baseline: trades', trades!, e.dcassTrades, e.tradesBos);
        checkJoin(mismatches, 'baseline: positions', positions!, e.dcassPositions, e.positionsBos);
        baseline = b.seconds;
      }

      let floor: number | null = null;
      if (floorUrl !== null && opt.db !== null) {
        const f = await soakFloor(target, floorUrl, dir, date, maxFileId, probe.maxFileId);
        checkJoin(mismatches, 'floor: trades', f.trades, e.dcassTrades, e.tradesBos);
        checkJoin(mismatches, 'floor: positions', f.positions, e.dcassPositions, e.positionsBos);
        floor = f.run.seconds;
      } else if (opt.db === null) {
        const f = await measure(process.execPath, [built.compiled(OPEN), target, '--open']);
        if (f.code !== 0) fail('PGlite open alone', f);
        floor = f.seconds;
      }
      maxFileId = probe.maxFileId;

      const counts = summary.counts;
      const found = (r: string): number => (counts[r]?.open ?? 0) + (counts[r]?.explained ?? 0);
      const result: DayResult = {
        day: n + 1,
        date,
        ingest: ingest.seconds,
        run: run.seconds,
        report: report.seconds,
        breaksJsonBytes,
        probe,
        folderBytes: opt.db === null ? folderBytes(target) : null,
        baseline,
        floor,
        found: {
          tradesBos: found('trades-bos'),
          positionsBos: found('positions-bos'),
          rollforward: found('positions-rollforward'),
        },
        carried: summary.carried,
        cleared,
        mismatches,
      };
      results.push(result);
      console.log(dayLine(result, results.at(-2)));
      for (const m of mismatches) console.log(`     MISMATCH ${m}`);
    }
    printTables(opt, results);
    const bad = results.filter((r) => r.mismatches.length > 0);
    if (bad.length > 0) {
      console.log(
        `\nMISMATCH on ${bad.length} day(s): the register does not show what the generator planted (lines above)`,
      );
      process.exitCode = 1;
    } else console.log('\nevery day: the run, the register and the baseline show exactly the planted breaks');
  } finally {
    for (const [url, name] of created.reverse())
      await dropDatabase(url, name).catch((err: unknown) => log(`dropping ${name}: ${String(err)}`));
    rmSync(BUILD_DIR, { recursive: true, force: true });
    if (opt.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** The database size of a day: the folder for PGlite (what the disk holds), else pg_database_size. */
const sizeOf = (r: DayResult): number => r.folderBytes ?? r.probe.databaseBytes;

/** The line printed as each day finishes (so a long soak shows its progress). */
function dayLine(r: DayResult, prev: DayResult | undefined): string {
  const product = r.ingest + r.run + r.report;
  return [
    String(r.day).padStart(3),
    r.date,
    mb(sizeOf(r)).padStart(7),
    (prev === undefined ? '' : `+${mb(sizeOf(r) - sizeOf(prev))}`).padStart(7),
    secs(r.ingest).padStart(9),
    secs(r.run).padStart(6),
    secs(r.report).padStart(9),
    String(r.found.tradesBos + r.found.positionsBos + r.found.rollforward).padStart(6),
    String(r.probe.register.open ?? 0).padStart(5),
    String(r.probe.register.explained ?? 0).padStart(10),
    String(r.carried).padStart(8),
    String(r.cleared).padStart(8),
    secs(r.baseline).padStart(11),
    (r.baseline === null ? '-' : `${(product / r.baseline).toFixed(1)}x`).padStart(6),
    secs(r.floor).padStart(8),
    r.mismatches.length === 0 ? '  ok' : '  MISMATCH',
  ].join(' ');
}

function printTables(opt: Options, results: readonly DayResult[]): void {
  const target = opt.db === null ? 'PGlite (embedded, in a folder)' : opt.db.replace(/\/\/[^@]*@/, '//');
  console.log(
    `\nsoak: ${results.length} business days from ${iso(START)}, ${fmtInt(opt.rows)} DCASS trades a day and about as many positions, ` +
      `seed ${opt.seed}, node ${process.version}, database ${target}, CLI from ${opt.rev === null ? 'the working tree' : `revision ${opt.rev}`}`,
  );
  console.log('\nsize and time per day (MiB, seconds; each command a process of the compiled CLI)');
  console.log(
    table(
      [
        'day',
        'date',
        opt.db === null ? 'folder' : 'db size',
        'growth',
        ...(opt.db === null ? ['pg_database_size'] : []),
        'ingest --all',
        'run',
        'report',
        'breaks.json',
        'product',
        'baseline',
        'product/baseline',
        'floor',
        'floor/baseline',
      ],
      results.map((r, i) => {
        const prev = results[i - 1];
        const product = r.ingest + r.run + r.report;
        const ratio = (x: number | null): string =>
          x === null || r.baseline === null ? '-' : `${(x / r.baseline).toFixed(2)}x`;
        return [
          String(r.day),
          r.date,
          mb(sizeOf(r)),
          prev === undefined ? '-' : mb(sizeOf(r) - sizeOf(prev)),
          ...(opt.db === null ? [mb(r.probe.databaseBytes)] : []),
          secs(r.ingest),
          secs(r.run),
          secs(r.report),
          mb(r.breaksJsonBytes),
          secs(product),
          secs(r.baseline),
          ratio(product),
          secs(r.floor),
          opt.db === null ? '' : ratio(r.floor),
        ];
      }),
    ),
  );
  console.log(
    opt.db === null
      ? 'floor: opening and closing the soak folder alone (each of the three commands pays it); the baseline runs on the server'
      : "floor: the day's finished trade and position rows stored again by psql \\copy into the product's emptied tables, joined once a side",
  );
  // Only the tables this revision's schema has.
  const tables = Object.keys(results[0]?.probe.tableBytes ?? {}).filter((t) =>
    results.some((r) => r.probe.tableBytes[t] !== null),
  );
  const rowTables = Object.keys(results[0]?.probe.tableRows ?? {});
  console.log('\nbiggest tables per day (MiB with indexes and TOAST; rows)');
  console.log(
    table(
      ['day', ...tables, ...rowTables.map((t) => `${t} rows`)],
      results.map((r) => [
        String(r.day),
        ...tables.map((t) => mb(r.probe.tableBytes[t])),
        ...rowTables.map((t) => {
          const n = r.probe.tableRows[t];
          return n === null || n === undefined ? '-' : fmtInt(n);
        }),
      ]),
    ),
  );
  console.log(
    '\nbreaks per day: found by the run (open or explained), the register after it, carried into the report',
  );
  console.log(
    table(
      [
        'day',
        'trades-bos',
        'positions-bos',
        'roll-forward (flat)',
        'register open',
        'explained',
        'cleared',
        'carried',
        'check',
      ],
      results.map((r) => [
        String(r.day),
        fmtInt(r.found.tradesBos),
        fmtInt(r.found.positionsBos),
        fmtInt(r.found.rollforward),
        fmtInt(r.probe.register.open ?? 0),
        fmtInt(r.probe.register.explained ?? 0),
        fmtInt(r.probe.register.cleared ?? 0),
        fmtInt(r.carried),
        r.mismatches.length === 0 ? 'as planted' : 'MISMATCH',
      ]),
    ),
  );
}

await main();
