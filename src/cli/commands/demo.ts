import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { listBreaks, packageRoot } from '../../index.js';
import { createContext, type CliContext } from '../context.js';
import { out, table } from '../output.js';
import { writeStarter } from './init.js';
import { verifyDate, type Verification } from './verify.js';

type Runner = (fn: (ctx: CliContext) => Promise<number>) => Promise<void>;

/** The business dates of the shipped fixtures, in order: the last Genium day, then the upgraded days. */
export const FIXTURE_DATES = ['2019-05-03', '2019-05-06', '2019-05-07', '2019-05-10'] as const;

/** `demo`: `verify` on the shipped fixtures, date after date, in a throwaway embedded database. */
export function demoCommand(run: Runner): Command {
  return new Command('demo')
    .description('verify the shipped CABC fixtures (3-10 May 2019) in a throwaway embedded database')
    .requiredOption('--out <dir>', 'folder for the reports, one subfolder per business date')
    .option('--keep', 'keep the throwaway folder (configuration, inputs, database) and print where it is')
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon demo --out ./demo-out
  dcass-recon demo --out ./demo-out --keep      # then explore it: dcass-recon --config <folder>/dcass-recon.yaml breaks list

Writes a starter configuration with the fixtures into a temporary folder, ingests them into an
embedded database there, verifies ${FIXTURE_DATES.join(', ')} in turn (breaks carry over from run
to run) and writes each date's reports to --out/<date>/. The breaks it finds are the fixtures'
deliberate ones, each explained in fixtures/README.md. --db and the configuration are not used.
Exit code 0 when the demo ran, 2 trouble.`,
    )
    .action((opts: { out: string; keep?: boolean }) =>
      run(async (ctx) => {
        const work = mkdtempSync(path.join(tmpdir(), 'dcass-recon-demo-'));
        const configFile = writeStarter(work, { withFixtures: true, force: false });
        const demo = createContext({ ...ctx.options, config: configFile, db: path.join(work, 'db') });
        try {
          const results: [string, Verification][] = [];
          for (const [i, date] of FIXTURE_DATES.entries()) {
            const v = await verifyDate(demo, { date, outDir: path.resolve(opts.out, date), ingest: i === 0 });
            results.push([date, v]);
          }
          await printDemo(demo, ctx, results, path.resolve(opts.out));
          if (opts.keep && !ctx.options.json && !ctx.options.quiet) {
            out.line(`\nkept ${work}: dcass-recon --config ${configFile} breaks list`);
          }
        } finally {
          await demo.close();
          if (!opts.keep) rmSync(work, { recursive: true, force: true });
        }
        return 0;
      }),
    );
}

async function printDemo(
  demo: CliContext,
  ctx: CliContext,
  results: readonly [string, Verification][],
  outDir: string,
): Promise<void> {
  const store = await demo.store();
  const rows: string[][] = [];
  const found: string[][] = [];
  for (const [date, v] of results) {
    const c = Object.values(v.run.counts);
    const sum = (f: (x: (typeof c)[number]) => number) => String(c.reduce((n, x) => n + f(x), 0));
    rows.push([
      date,
      v.run.runId,
      sum((x) => x.matched),
      String(v.run.open),
      String(v.run.explained),
      sum((x) => x.cleared),
      path.relative(process.cwd(), path.join(outDir, date)) || '.',
    ]);
    for await (const b of listBreaks(store, v.run.runId)) {
      if (b.clearedByRun) continue;
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
    out.json({ outDir, runs: results.map(([date, v]) => ({ date, ...v })) });
    return;
  }
  if (ctx.options.quiet) return;
  const loaded = results[0]![1].ingested;
  out.line(
    `ingested the fixtures: ${loaded.filter((o) => o.status === 'loaded').length} files, ` +
      `${loaded.reduce((n, o) => n + o.rows, 0)} rows, ${loaded.reduce((n, o) => n + o.rejected, 0)} rejected row(s) ` +
      `(dcass-recon rejects lists them)\n`,
  );
  out.line(table(['business date', 'run', 'matched', 'open', 'explained', 'cleared', 'reports'], rows));
  out.line(
    "\nbreaks found (the fixtures' deliberate breaks: " +
      path.join(packageRoot(), 'fixtures', 'README.md') +
      ')\n',
  );
  out.line(
    table(['date', 'break', 'reconciliation', 'kind', 'status', 'key', 'differences or reason'], found),
  );
}
