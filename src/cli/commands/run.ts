import { Command } from 'commander';
import {
  carriedByRun,
  parseBusinessDate,
  hkTime,
  loadBuiltinRuleSet,
  loadRuleSet,
  runReconciliation,
  TRIANGULATIONS,
  type RunSummary,
  type Triangulation,
} from '../../index.js';
import type { ClearingHouse, ResolvedConfig } from '../../index.js';
import { houseOption, houseScope } from '../house-option.js';
import type { CliContext } from '../context.js';
import { out, plural, safeText, table } from '../output.js';

/** `run`: reconcile one business date under a rule set; exit 1 when breaks are left open. */
export function runCommand(run: (fn: (ctx: CliContext) => Promise<number>) => Promise<void>): Command {
  return new Command('run')
    .description('reconcile one business date: match records, record the run and its breaks')
    .requiredOption('--date <YYYY-MM-DD>', 'business date to reconcile')
    .option('--recon <name...>', 'only these reconciliations of the rule set (default: all)')
    .option('--rules <file>', 'rule set YAML file (default: the built-in rule set)')
    .addOption(houseOption())
    .option(
      '--allow-non-trading-day',
      'reconcile a date the calendar has as no trading day (refused otherwise)',
    )
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon run --date 2019-05-03
  dcass-recon run --date 2019-05-07 --recon trades-bos positions-bos
  dcass-recon run --date 2019-05-07 --rules ./rules/ours.yaml --json
  dcass-recon run --date 2019-05-07 --house SEOCH  # stock options only; clears no HKCC break
  dcass-recon report --run latest --out ./out      # then write breaks.json and breaks.csv

Prints a summary per reconciliation (records each side, matched, breaks by kind, open, explained,
resolved by a person and carried over, cleared: breaks of earlier runs no longer found).
A reconciliation whose expected input is missing for the date (the configuration's expected:
list) is not run: it is reported incomplete, naming the missing file, and clears nothing.
Exit code 0 when no break is open and every expected input arrived, 1 when open breaks were found or
an input is missing, 2 trouble (bad date, a date that is not a trading day, bad rule file, unreachable
database).`,
    )
    .action(
      (opts: {
        date: string;
        recon?: string[];
        rules?: string;
        house?: ClearingHouse;
        allowNonTradingDay?: boolean;
      }) =>
        run(async (ctx) => {
          const date = parseBusinessDate(opts.date);
          const ruleSet = opts.rules ? loadRuleSet(opts.rules) : loadBuiltinRuleSet();
          const store = await ctx.store({ bulk: true });
          const summary = await runReconciliation(store, {
            businessDate: date,
            ruleSet,
            ...(opts.recon ? { recons: opts.recon } : {}),
            actor: ctx.actor(),
            logger: ctx.logger,
            ...runInputOptions(ctx, opts.house),
            allowNonTradingDay: opts.allowNonTradingDay === true,
          });
          printSummary(ctx, summary, await carriedByRun(store, summary));
          return runExit(summary);
        }),
    );
}

/**
 * What a run needs of the configuration: the expected list and the profiles' entities to check its
 * inputs, the product table, and the clearing house it covers (`--house`, else the CP's one house).
 */
export function runInputOptions(
  ctx: CliContext,
  house?: ClearingHouse,
): {
  expectedInputs: ResolvedConfig['expected'];
  profileEntities: Map<string, string>;
  products: ResolvedConfig['products'];
  configFile: string | null;
  house?: ClearingHouse;
} {
  const scope = houseScope(ctx.config, house);
  return {
    ...(scope === null ? {} : { house: scope }),
    products: ctx.config.products,
    configFile: ctx.config.configFile,
    expectedInputs: ctx.config.expected,
    profileEntities: new Map(
      ctx
        .profiles()
        .all()
        .map((p) => [p.name, p.entity]),
    ),
  };
}

/** 1 when breaks are open or an expected input is missing (the picture is not clean), else 0. */
export function runExit(s: RunSummary): number {
  return s.open > 0 || s.missingInputs.length > 0 ? 1 : 0;
}

/** The reconciliations a run could not run for a missing expected input, and what to do; nothing when none. */
export function printMissingInputs(s: RunSummary): void {
  if (s.missingInputs.length === 0) return;
  const recons = [...new Set(s.missingInputs.map((m) => m.recon))];
  out.line(`\nINCOMPLETE: ${plural(recons.length, 'reconciliation')} not run, an expected input is missing:`);
  for (const name of recons) {
    const details = [...new Set(s.missingInputs.filter((m) => m.recon === name).map((m) => m.detail))];
    out.line(`  ${name}: ${safeText(details.join('; '))}`);
  }
  out.line('  nothing was compared or cleared for them; their earlier breaks stay as they were');
  out.line(
    '  load the missing files (dcass-recon ingest, or fetch; dcass-recon expected lists them) and run again',
  );
}

/**
 * The three-way view of the run's breaks in one line (triangulation: Genium, DCASS and BOS on the
 * same date): how many breaks have each source as the odd one, how many have all three differing;
 * nothing when the run had no three-way view.
 */
export function printTriangulation(s: RunSummary): void {
  if (s.triangulation === null) return;
  const words: Record<Triangulation, string> = {
    'odd-genium': 'Genium the odd one out',
    'odd-dcass': 'DCASS the odd one out',
    'odd-bos': 'BOS the odd one out',
    'all-differ': 'all three differing',
    'all-agree': 'all three agreeing',
    intransitive: 'two pairs agreeing, the third not (a tolerance)',
    mixed: 'records in different situations',
  };
  const parts = TRIANGULATIONS.filter((t) => (s.triangulation?.[t] ?? 0) > 0).map(
    (t) => `${plural(s.triangulation![t]!, 'break')} with ${words[t]}`,
  );
  out.line(
    `three-way (Genium, DCASS, BOS): ${parts.length === 0 ? 'no break, no source differs from the other two' : parts.join(', ')}` +
      (parts.length === 0 ? '' : ' (breaks.json "triangulation", the three-way column of the HTML report)'),
  );
}

/** The run summary table (or JSON) printed after every run, with the breaks carried from earlier dates. */
function printSummary(ctx: CliContext, s: RunSummary, carried: number): void {
  if (ctx.options.json) {
    out.json({ ...s, carried });
    return;
  }
  if (ctx.options.quiet) return;
  out.line(
    `run ${s.runId}: business date ${s.businessDate}${s.house === null ? '' : `, ${s.house} only`}, rule set ${safeText(s.ruleSet.name)} (${s.ruleSet.sha256.slice(0, 12)}), ${s.inputs.length} input files, finished ${hkTime(s.finishedAt)}\n`,
  );
  out.line(
    table(
      [
        'reconciliation',
        'left',
        'right',
        'matched',
        'only left',
        'only right',
        'mismatch',
        'dup left',
        'dup right',
        'open',
        'explained',
        'resolved',
        'cleared',
      ],
      s.recons.map((name) => {
        const c = s.counts[name]!;
        if (c.skipped !== null) return [name, 'skipped'];
        if (c.incomplete !== null) return [name, 'INCOMPLETE'];
        return [
          name,
          String(c.leftRecords),
          String(c.rightRecords),
          String(c.matched),
          String(c.breaks.only_left),
          String(c.breaks.only_right),
          String(c.breaks.mismatch),
          String(c.breaks.duplicate_left),
          String(c.breaks.duplicate_right),
          String(c.open),
          String(c.explained),
          String(c.resolved),
          String(c.cleared),
        ];
      }),
    ),
  );
  for (const name of s.recons.filter((n) => s.counts[n]?.skipped != null)) {
    out.line(`${name} skipped: ${safeText(s.counts[name]!.skipped ?? '')}`);
  }
  printMissingInputs(s);
  printTriangulation(s);
  const sum = (k: 'resolved' | 'cleared') => Object.values(s.counts).reduce((n, c) => n + c[k], 0);
  out.line(
    `\n${s.open} open, ${s.explained} explained, ${sum('resolved')} resolved, ${sum('cleared')} cleared since the last run` +
      (s.open + s.explained > 0 ? `; details: dcass-recon report --run ${s.runId} --out DIR` : ''),
  );
  if (carried > 0) {
    out.line(
      `${carried} break${carried === 1 ? '' : 's'} of earlier dates still open or explained, not found by this run ` +
        `(carried in its reports until someone resolves them): dcass-recon breaks list --status open,explained`,
    );
  }
}
