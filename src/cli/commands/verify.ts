import { Command } from 'commander';
import {
  parseBusinessDate,
  verifyDate,
  type ClearingHouse,
  type RunSummary,
  type Verification,
} from '../../index.js';
import type { CliContext } from '../context.js';
import { houseOption } from '../house-option.js';
import { configuredInputs } from '../input-files.js';
import { ensureOutDir, out, plural, safeText, table } from '../output.js';
import { inputLoad, printOutcomeText } from './ingest.js';
import { printMissingInputs, printTriangulation, runExit, runInputOptions } from './run.js';

type Runner = (fn: (ctx: CliContext) => Promise<number>) => Promise<void>;

/**
 * Verifies a date with the configuration: its input folders (read, as the output folder is made,
 * before the database is opened), rule set, expected inputs and participant. Shared by `verify` and
 * `demo`; `ingest: false` loads nothing first.
 */
export async function verifyConfigured(
  ctx: CliContext,
  options: {
    date: string;
    outDir: string;
    rules?: string;
    ingest?: boolean;
    allowNonTradingDay?: boolean;
    house?: ClearingHouse;
  },
): Promise<Verification> {
  const date = parseBusinessDate(options.date);
  const files = options.ingest === false ? null : configuredInputs(ctx);
  ensureOutDir(options.outDir);
  const store = await ctx.store({ bulk: true });
  const actor = ctx.actor();
  const participant = ctx.config.participant;
  return verifyDate(store, {
    date,
    outDir: options.outDir,
    inputs: files === null ? null : { files, load: inputLoad(ctx) },
    ...(options.rules ? { rules: options.rules } : {}),
    actor,
    logger: ctx.logger,
    ...runInputOptions(ctx, options.house),
    participant: participant ? { code: participant.code, name: participant.name } : null,
    ...(options.allowNonTradingDay === true ? { allowNonTradingDay: true } : {}),
  });
}

/** Exit code of a verification: 2 when a file was refused (the picture is incomplete), else 1 if open breaks. */
function verificationExit(v: Verification): number {
  if (v.ingested.some((o) => o.status === 'refused')) return 2;
  return runExit(v.run);
}

/**
 * What a verification did, for an operator to read in five seconds: the files it loaded now (those
 * loaded before are counted, not listed), each reconciliation's matched and breaks, the skipped ones
 * once in a line each, the open breaks in all, the reports written and the next step.
 */
function printVerification(v: Verification): void {
  const s = v.run;
  printOutcomeText(v.ingested, { newOnly: true });
  out.line(
    `\nverify ${s.businessDate}: run ${s.runId}, rule set ${safeText(s.ruleSet.name)} (${s.ruleSet.sha256.slice(0, 12)}), ${plural(s.inputs.length, 'input file')} of the date\n`,
  );
  const ran = s.recons.filter((n) => s.counts[n]!.skipped === null && s.counts[n]!.incomplete === null);
  if (ran.length > 0) {
    out.line(
      table(
        ['reconciliation', 'left', 'right', 'matched', 'breaks', 'open', 'explained', 'resolved', 'cleared'],
        ran.map((name) => {
          const c = s.counts[name]!;
          const found = Object.values(c.breaks).reduce((n, k) => n + k, 0);
          return [
            name,
            c.leftRecords,
            c.rightRecords,
            c.matched,
            found,
            c.open,
            c.explained,
            c.resolved,
            c.cleared,
          ].map(String);
        }),
      ),
    );
  }
  for (const name of s.recons.filter((n) => s.counts[n]!.skipped !== null)) {
    out.line(`${name}: not run on this date (${safeText(s.counts[name]!.skipped!)})`);
  }
  printMissingInputs(s);
  printTriangulation(s);
  const refused = v.ingested.filter((o) => o.status === 'refused').length;
  const html = v.reports.find((r) => r.format === 'html')?.path ?? v.reports[0]?.path ?? '';
  out.line(
    `\n${plural(s.open, 'break')} open from this run, ${s.explained} explained` +
      (v.carried > 0 ? `; ${plural(v.carried, 'break')} of earlier dates still open or explained` : ''),
  );
  out.line(`reports: ${v.reports.map((r) => r.path).join(', ')}`);
  out.line(`next: ${nextStep(s, v.carried, refused, html)}`);
}

/** The one thing to do next after a verification, most pressing first. */
function nextStep(s: RunSummary, carried: number, refused: number, html: string): string {
  if (refused > 0)
    return `fix the ${plural(refused, 'refused file')} named above (dcass-recon rejects lists them) and verify again`;
  if (s.missingInputs.length > 0)
    return 'load the missing input files (dcass-recon expected lists them) and verify again';
  if (s.open + s.explained + carried > 0)
    return `open ${html} and explain or resolve each break (dcass-recon breaks list --status open,explained)`;
  return `nothing is open: confirm the date when it is final (dcass-recon confirm --date ${s.businessDate} --out DIR)`;
}

/** `verify`: the Sunday job (and each stabilisation day's): ingest, reconcile, report. */
export function verifyCommand(run: Runner): Command {
  return new Command('verify')
    .description(
      'verify one business date end to end: ingest the configured inputs, reconcile, write the reports',
    )
    .requiredOption('--date <YYYY-MM-DD>', 'business date to verify')
    .requiredOption('--out <dir>', 'folder for the reports (created when missing)')
    .option('--rules <file>', 'rule set YAML file (default: the built-in rule set)')
    .option('--allow-non-trading-day', 'verify a date the calendar has as no trading day (refused otherwise)')
    .addOption(houseOption())
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon verify --date 2019-05-03 --out ./out/2019-05-03
  dcass-recon --actor chan.tai.man verify --date 2019-05-06 --out ./out/2019-05-06
  dcass-recon fetch --date 2019-05-07 && dcass-recon verify --date 2019-05-07 --out ./out/2019-05-07
  dcass-recon verify --date 2019-05-07 --house SEOCH --out ./out/2019-05-07-seoch

Reads every file of the configured input folders (already loaded files are skipped by sha256), runs
every reconciliation of the rule set for the date and writes breaks.json, breaks.csv and the
self-contained breaks.html to --out.
Exit code 0 when no break is open and every expected input arrived, 1 when open breaks were found or
an input is missing, 2 trouble (a refused input file,
bad configuration, unreachable database): the reports are still written when the run completed.`,
    )
    .action(
      (opts: {
        date: string;
        out: string;
        rules?: string;
        allowNonTradingDay?: boolean;
        house?: ClearingHouse;
      }) =>
        run(async (ctx) => {
          const v = await verifyConfigured(ctx, {
            date: opts.date,
            outDir: opts.out,
            ...(opts.rules ? { rules: opts.rules } : {}),
            ...(opts.allowNonTradingDay === true ? { allowNonTradingDay: true } : {}),
            ...(opts.house === undefined ? {} : { house: opts.house }),
          });
          if (ctx.options.json) out.json(v);
          else if (!ctx.options.quiet) printVerification(v);
          return verificationExit(v);
        }),
    );
}
