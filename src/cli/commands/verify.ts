import path from 'node:path';
import { Command } from 'commander';
import {
  checkBusinessDate,
  loadBuiltinRuleSet,
  loadRuleSet,
  resolveActor,
  runReconciliation,
  recordReportsWritten,
  writeBreaksCsv,
  writeBreaksHtml,
  writeBreaksJson,
  type FileOutcome,
  type RunSummary,
  type Store,
} from '../../index.js';
import type { CliContext } from '../context.js';
import { configuredInputs } from '../input-files.js';
import { ensureOutDir, out } from '../output.js';
import { ingestWithProgress, printOutcomes } from './ingest.js';
import { carriedOf, printSummary, runExit, runInputOptions } from './run.js';

type Runner = (fn: (ctx: CliContext) => Promise<number>) => Promise<void>;

/** A report file a verification wrote. */
export interface VerificationReport {
  readonly format: string;
  readonly path: string;
  readonly breaks: number;
}

/** What one verification of a business date did. */
export interface Verification {
  readonly ingested: readonly FileOutcome[];
  readonly run: RunSummary;
  /** Breaks of earlier dates still open or explained that the run did not find (the reports carry them). */
  readonly carried: number;
  readonly reports: readonly VerificationReport[];
}

type ReportWriter = (ctx: CliContext, store: Store, run: string, file: string) => Promise<{ breaks: number }>;

/** The report writers of a verification, by file name. */
const REPORTS: readonly [string, string, ReportWriter][] = [
  ['json', 'breaks.json', (_, store, run, file) => writeBreaksJson(store, run, file)],
  ['csv', 'breaks.csv', (_, store, run, file) => writeBreaksCsv(store, run, file)],
  [
    'html',
    'breaks.html',
    (ctx, store, run, file) =>
      writeBreaksHtml(store, run, file, {
        participant: ctx.config.participant
          ? { code: ctx.config.participant.code, name: ctx.config.participant.name }
          : null,
      }),
  ],
];

/**
 * Ingests every configured input (files loaded before are skipped by sha256), reconciles the date and
 * writes its break reports into `outDir`. Shared by `verify` and `demo`.
 */
export async function verifyDate(
  ctx: CliContext,
  options: { date: string; outDir: string; rules?: string; ingest?: boolean; allowNonTradingDay?: boolean },
): Promise<Verification> {
  checkBusinessDate(options.date); // before anything is loaded: a mistyped date costs nothing
  const store = await ctx.store({ bulk: true });
  const actor = resolveActor({ flag: ctx.options.actor, config: ctx.config });
  const ingested =
    options.ingest === false ? [] : await ingestWithProgress(ctx, store, configuredInputs(ctx));
  const ruleSet = options.rules ? loadRuleSet(options.rules) : loadBuiltinRuleSet();
  const run = await runReconciliation(store, {
    businessDate: options.date,
    ruleSet,
    actor,
    logger: ctx.logger,
    ...runInputOptions(ctx),
    ...(options.allowNonTradingDay === true ? { allowNonTradingDay: true } : {}),
  });
  ensureOutDir(options.outDir);
  const reports: VerificationReport[] = [];
  for (const [format, name, write] of REPORTS) {
    const file = path.join(options.outDir, name);
    reports.push({ format, path: file, breaks: (await write(ctx, store, run.runId, file)).breaks });
  }
  await recordReportsWritten(store, { actor, subject: `run:${run.runId}`, asOf: null, files: reports });
  return { ingested, run, carried: await carriedOf(store, run), reports };
}

/** Exit code of a verification: 2 when a file was refused (the picture is incomplete), else 1 if open breaks. */
export function verificationExit(v: Verification): number {
  if (v.ingested.some((o) => o.status === 'refused')) return 2;
  return runExit(v.run);
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
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon verify --date 2019-05-03 --out ./out/2019-05-03
  dcass-recon --actor chan.tai.man verify --date 2019-05-06 --out ./out/2019-05-06
  dcass-recon fetch --date 2019-05-07 && dcass-recon verify --date 2019-05-07 --out ./out/2019-05-07

Reads every file of the configured input folders (already loaded files are skipped by sha256), runs
every reconciliation of the rule set for the date and writes breaks.json, breaks.csv and the
self-contained breaks.html to --out.
Exit code 0 when no break is open and every expected input arrived, 1 when open breaks were found or
an input is missing, 2 trouble (a refused input file,
bad configuration, unreachable database): the reports are still written when the run completed.`,
    )
    .action((opts: { date: string; out: string; rules?: string; allowNonTradingDay?: boolean }) =>
      run(async (ctx) => {
        const v = await verifyDate(ctx, {
          date: opts.date,
          outDir: opts.out,
          ...(opts.rules ? { rules: opts.rules } : {}),
          ...(opts.allowNonTradingDay === true ? { allowNonTradingDay: true } : {}),
        });
        if (ctx.options.json) out.json(v);
        else if (!ctx.options.quiet) {
          printOutcomes(ctx, v.ingested);
          out.line('');
          printSummary(ctx, v.run, v.carried);
          for (const r of v.reports) out.line(`wrote ${r.path} (${r.breaks} breaks)`);
        }
        return verificationExit(v);
      }),
    );
}
