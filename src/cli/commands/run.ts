import { Command } from 'commander';
import {
  loadBuiltinRuleSet,
  loadRuleSet,
  resolveActor,
  runReconciliation,
  type RunSummary,
} from '../../index.js';
import type { CliContext } from '../context.js';
import { out, table } from '../output.js';

/** `run`: reconcile one business date under a rule set; exit 1 when breaks are left open. */
export function runCommand(run: (fn: (ctx: CliContext) => Promise<number>) => Promise<void>): Command {
  return new Command('run')
    .description('reconcile one business date: match records, record the run and its breaks')
    .requiredOption('--date <YYYY-MM-DD>', 'business date to reconcile')
    .option('--recon <name...>', 'only these reconciliations of the rule set (default: all)')
    .option('--rules <file>', 'rule set YAML file (default: the built-in rule set)')
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon run --date 2019-05-03
  dcass-recon run --date 2019-05-07 --recon trades-bos positions-bos
  dcass-recon run --date 2019-05-07 --rules ./rules/ours.yaml --json
  dcass-recon report --run latest --out ./out      # then write breaks.json and breaks.csv

Prints a summary per reconciliation (records each side, matched, breaks by kind, open, explained,
resolved by a person and carried over, cleared: breaks of earlier runs no longer found).
Exit code 0 when no break is open, 1 when open breaks were found, 2 trouble (bad date, bad rule file,
unreachable database).`,
    )
    .action((opts: { date: string; recon?: string[]; rules?: string }) =>
      run(async (ctx) => {
        const ruleSet = opts.rules ? loadRuleSet(opts.rules) : loadBuiltinRuleSet();
        const store = await ctx.store({ bulk: true });
        const summary = await runReconciliation(store, {
          businessDate: opts.date,
          ruleSet,
          ...(opts.recon ? { recons: opts.recon } : {}),
          actor: resolveActor({ flag: ctx.options.actor, config: ctx.config }),
          logger: ctx.logger,
        });
        printSummary(ctx, summary);
        return summary.open > 0 ? 1 : 0;
      }),
    );
}

/** The run summary table (or JSON) printed after every run. */
export function printSummary(ctx: CliContext, s: RunSummary): void {
  if (ctx.options.json) {
    out.json(s);
    return;
  }
  if (ctx.options.quiet) return;
  out.line(
    `run ${s.runId}: business date ${s.businessDate}, rule set ${s.ruleSet.name} (${s.ruleSet.sha256.slice(0, 12)}), ${s.inputs.length} input files\n`,
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
    out.line(`${name} skipped: ${s.counts[name]!.skipped}`);
  }
  const sum = (k: 'resolved' | 'cleared') => Object.values(s.counts).reduce((n, c) => n + c[k], 0);
  out.line(
    `\n${s.open} open, ${s.explained} explained, ${sum('resolved')} resolved, ${sum('cleared')} cleared since the last run` +
      (s.open + s.explained > 0 ? `; details: dcass-recon report --run ${s.runId} --out DIR` : ''),
  );
}
