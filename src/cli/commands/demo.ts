import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import {
  changeCalendar,
  fallbackDates,
  listBreaks,
  loadBuiltinRuleSet,
  packageRoot,
  writeReinputCsv,
  type Verification,
} from '../../index.js';
import { createContext, type CliContext } from '../context.js';
import { out, plural, table } from '../output.js';
import { writeStarter } from './init.js';
import { verifyConfigured } from './verify.js';

type Runner = (fn: (ctx: CliContext) => Promise<number>) => Promise<void>;

/** One verification of the demo: a business date, the folder its reports go to, and what it shows. */
export interface DemoStep {
  readonly date: string;
  /** Sub-folder of --out for the step's reports. */
  readonly folder: string;
  /** The back-office file that arrives late: held back before this step, delivered at the next. */
  readonly late?: string;
  /**
   * HKEX falls back to Genium INET from this step's date: the re-input list is written first (the
   * evening before, nothing recorded yet), then the fallback is recorded with this reason.
   */
  readonly fallback?: string;
}

/**
 * The demo's verifications in order: the last Genium day, then the upgraded days. 10 May is verified
 * twice, first without the back office's trades export (it arrives late: the run says which input is
 * missing and does not reconcile what it would feed), then again once it is loaded. 14 May is the
 * fallback day: the BOS is reconciled against Genium INET again.
 */
export const DEMO_STEPS: readonly DemoStep[] = [
  { date: '2019-05-03', folder: '2019-05-03' },
  { date: '2019-05-06', folder: '2019-05-06' },
  { date: '2019-05-07', folder: '2019-05-07' },
  { date: '2019-05-10', folder: '2019-05-10-bos-trades-late', late: 'BOS_TRADES_CABC_20190510.csv' },
  { date: '2019-05-10', folder: '2019-05-10' },
  {
    date: '2019-05-14',
    folder: '2019-05-14-fallback',
    fallback: 'HKEX circular: fallback to Genium INET from T session 14 May',
  },
];

/** `demo`: `verify` on the shipped fixtures, date after date, in a throwaway embedded database. */
export function demoCommand(run: Runner): Command {
  return new Command('demo')
    .description('verify the shipped CABC fixtures (3-14 May 2019) in a throwaway embedded database')
    .requiredOption('--out <dir>', 'folder for the reports, one subfolder per business date')
    .option('--keep', 'keep the throwaway folder (configuration, inputs, database) and print where it is')
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon demo --out ./demo-out
  dcass-recon demo --out ./demo-out --keep      # then explore it: dcass-recon --config <folder>/dcass-recon.yaml breaks list

Writes a starter configuration with the fixtures into a temporary folder, ingests them into an
embedded database there, verifies ${DEMO_STEPS.map((s) => s.date)
        .filter((d, i, all) => all.indexOf(d) === i)
        .join(', ')} in turn (breaks carry over from run
to run) and writes each verification's reports to --out/<date>/. 10 May is verified first without the
back office's trades export, which arrives late (--out/2019-05-10-bos-trades-late/: the missing input
is named and trades-bos is not run), then again once it is loaded. Before 14 May it writes the re-input
list a fallback to Genium INET from 14 May needs (--out/fallback-2019-05-14/), records that fallback and
verifies 14 May against the Genium backups (--out/2019-05-14-fallback/). The breaks it finds are the
fixtures' deliberate ones, each explained in fixtures/README.md. --db and the configuration are not used.
Exit code 0 when the demo ran, 2 trouble.`,
    )
    .action((opts: { out: string; keep?: boolean }) =>
      run(async (ctx) => {
        const work = mkdtempSync(path.join(tmpdir(), 'dcass-recon-demo-'));
        const configFile = writeStarter(work, { withFixtures: true, force: false });
        // Made here, so the throwaway database is not announced as a new embedded database.
        mkdirSync(path.join(work, 'db'));
        const demo = createContext({ ...ctx.options, config: configFile, db: path.join(work, 'db') });
        try {
          const results: [DemoStep, Verification][] = [];
          let fallback: FallbackList | null = null;
          const bos = path.join(work, 'inputs', 'bos');
          const held = path.join(work, 'late');
          mkdirSync(held);
          for (const step of DEMO_STEPS) {
            if (step.late) renameSync(path.join(bos, step.late), path.join(held, step.late));
          }
          for (const [i, step] of DEMO_STEPS.entries()) {
            const arrived = i > 0 && DEMO_STEPS[i - 1]!.late;
            if (arrived) renameSync(path.join(held, arrived), path.join(bos, arrived));
            if (step.fallback) {
              fallback = await writeFallbackList(demo, path.resolve(opts.out), step.date);
              await recordFallback(demo, step.date, step.fallback);
            }
            const v = await verifyConfigured(demo, {
              date: step.date,
              outDir: path.resolve(opts.out, step.folder),
              ingest: i === 0 || Boolean(arrived),
            });
            results.push([step, v]);
          }
          if (fallback === null) throw new Error('demo: no step records a fallback');
          await printDemo(demo, ctx, results, path.resolve(opts.out), fallback);
          if (opts.keep && !ctx.options.json && !ctx.options.quiet) {
            out.line(
              `\nkept ${work}: dcass-recon --config ${configFile} --db ${path.join(work, 'db')} breaks list`,
            );
          }
        } finally {
          await demo.close();
          if (!opts.keep) rmSync(work, { recursive: true, force: true });
        }
        return 0;
      }),
    );
}

/** The re-input list of the demo's fallback: the date it falls back from, its file and size. */
interface FallbackList {
  readonly date: string;
  readonly file: string;
  readonly transactions: number;
}

/** Writes the re-input list a fallback from `date` needs, to --out/fallback-<date>/reinput.csv. */
async function writeFallbackList(demo: CliContext, outDir: string, date: string): Promise<FallbackList> {
  const store = await demo.store();
  const dates = await fallbackDates(store, date);
  const dir = path.join(outDir, `fallback-${date}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'reinput.csv');
  // The fixtures' calendar has upgraded dates before 14 May: dates is never null here.
  return { date, file, transactions: dates === null ? 0 : await writeReinputCsv(store, dates, file) };
}

/** Records the fallback as `calendar fallback` does (audited): `date` and later are Genium dates again. */
async function recordFallback(demo: CliContext, date: string, reason: string): Promise<void> {
  await changeCalendar(
    {
      store: await demo.store(),
      calendar: demo.calendar(),
      profiles: demo.profiles(),
      ruleSet: loadBuiltinRuleSet(),
    },
    { action: 'fallback', date, reason, actor: demo.actor() },
  );
}

async function printDemo(
  demo: CliContext,
  ctx: CliContext,
  results: readonly [DemoStep, Verification][],
  outDir: string,
  fallback: FallbackList,
): Promise<void> {
  const store = await demo.store();
  const rows: string[][] = [];
  const found: string[][] = [];
  const missing: string[] = [];
  const listed = new Set<string>();
  for (const [step, v] of results) {
    const date = step.date;
    const c = Object.values(v.run.counts);
    const sum = (f: (x: (typeof c)[number]) => number) => String(c.reduce((n, x) => n + f(x), 0));
    rows.push([
      date,
      v.run.runId,
      sum((x) => x.matched),
      String(v.run.open),
      String(v.run.explained),
      sum((x) => x.cleared),
      v.run.missingInputs.length === 0
        ? ''
        : [...new Set(v.run.missingInputs.map((m) => m.input))].join(', '),
      path.relative(process.cwd(), path.join(outDir, step.folder)) || '.',
    ]);
    for (const recon of [...new Set(v.run.missingInputs.map((m) => m.recon))]) {
      const details = [...new Set(v.run.missingInputs.filter((m) => m.recon === recon).map((m) => m.detail))];
      missing.push(`${date} run ${v.run.runId}: ${recon} INCOMPLETE, not run: ${details.join('; ')}`);
    }
    for await (const b of listBreaks(store, v.run.runId)) {
      // Each break once, where it was first found (10 May is run twice).
      if (b.clearedByRun || listed.has(b.id)) continue;
      listed.add(b.id);
      found.push([
        date,
        b.id,
        b.recon,
        b.kind,
        b.status,
        Object.values(b.key).join(' '),
        b.fields.map((f) => `${f.field} ${f.left ?? '-'} vs ${f.right ?? '-'}`).join('; ') ||
          (b.reason ?? ''),
      ]);
    }
  }
  if (ctx.options.json) {
    out.json({
      outDir,
      runs: results.map(([step, v]) => ({ date: step.date, folder: step.folder, ...v })),
      fallback,
    });
    return;
  }
  if (ctx.options.quiet) return;
  const loaded = results.flatMap(([, v]) => v.ingested).filter((o) => o.status === 'loaded');
  const rowCount = loaded.reduce((n, o) => n + o.rows, 0);
  const rejected = loaded.reduce((n, o) => n + o.rejected, 0);
  out.line(
    `ingested the fixtures: ${plural(loaded.length, 'file')}, ${plural(rowCount, 'row')}, ` +
      `${plural(rejected, 'rejected row')} (dcass-recon rejects lists them)\n`,
  );
  out.line(
    table(['business date', 'run', 'matched', 'open', 'explained', 'cleared', 'missing', 'reports'], rows),
  );
  if (missing.length > 0) {
    out.line(`\n${missing.join('\n')}`);
    out.line('(the late file was then loaded and the date run again: nothing had been cleared in between)');
  }
  out.line(
    "\nbreaks found (the fixtures' deliberate breaks: " +
      path.join(packageRoot(), 'fixtures', 'README.md') +
      ')\n',
  );
  out.line(
    table(['date', 'break', 'reconciliation', 'kind', 'status', 'key', 'differences or reason'], found),
  );
  out.line(
    `\nbefore the fallback to Genium INET from ${fallback.date}: ${plural(fallback.transactions, 'post-trade transaction')} of the upgraded days to enter again on Genium, ` +
      `in ${path.relative(process.cwd(), fallback.file)} (dcass-recon reinput --fallback ${fallback.date}); ` +
      `then the fallback was recorded and ${fallback.date} verified against Genium INET`,
  );
}
