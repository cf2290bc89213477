import { Command } from 'commander';
import {
  changeCalendar,
  parseBusinessDate,
  changeHistory,
  changesInForce,
  describeDayState,
  hkTime,
  loadBuiltinRuleSet,
  loadRuleSet,
  type CalendarAction,
  type CalendarChange,
  type CalendarChangeOutcome,
  type TradeMove,
} from '../../index.js';
import type { CliContext } from '../context.js';
import { out, plural, safeText, table } from '../output.js';

type Runner = (fn: (ctx: CliContext) => Promise<number>) => Promise<void>;

const ACTION_HELP: Record<CalendarAction, string> = {
  close: 'declare the market closed on a date (typhoon signal 8, black rainstorm): not a trading day',
  open: 'open a date again (undo a close or a half day, or open a day the calendar file has as closed)',
  'half-day': 'declare a date without its T+1 evening session (the evening session was cancelled)',
  fallback:
    'declare a fallback to Genium INET: the date and every later one are Genium dates again (HKEX announces it)',
};

/** `calendar`: ad-hoc changes of the trading calendar, recorded in the database and the audit trail. */
export function calendarCommand(run: Runner): Command {
  const cmd = new Command('calendar')
    .description(
      'declare a typhoon closure, a cancelled evening session or a fallback to Genium INET; list the changes in force',
    )
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon calendar close 2019-05-10 --reason "typhoon signal 8 hoisted 06:10, no trading all day"
  dcass-recon calendar half-day 2019-05-09 --reason "black rainstorm: T+1 session cancelled"
  dcass-recon calendar open 2019-05-10 --reason "signal 8 lowered 11:40, afternoon session held"
  dcass-recon calendar fallback 2019-05-13 --reason "HKEX circular: fallback to Genium INET from T session 13 May"
  dcass-recon calendar list

A change applies on top of the calendar file from the moment it is recorded: loads and runs use it.
BOS trades already loaded whose clearing date it changes get a new derived generation of their file
(the earlier one is kept, superseded); the command names the dates to run again.`,
    );
  for (const action of ['close', 'open', 'half-day', 'fallback'] as const) {
    cmd.addCommand(changeCommand(run, action).exitOverride());
  }
  cmd.addCommand(listCommand(run).exitOverride());
  return cmd;
}

function changeCommand(run: Runner, action: CalendarAction): Command {
  return new Command(action)
    .description(ACTION_HELP[action])
    .argument('<date>', 'the date, YYYY-MM-DD')
    .requiredOption('--reason <text>', 'why (always recorded)')
    .option('--rules <file>', 'rule set whose reconciliations are named to run again (default: built-in)')
    .action((date: string, opts: { reason: string; rules?: string }) =>
      run(async (ctx) => {
        parseBusinessDate(date, null);
        const outcome = await changeCalendar(
          {
            store: await ctx.store(),
            calendar: ctx.calendar(),
            profiles: ctx.profiles(),
            ruleSet: opts.rules ? loadRuleSet(opts.rules) : loadBuiltinRuleSet(),
          },
          {
            action,
            date,
            reason: opts.reason,
            actor: ctx.actor(),
          },
        );
        if (ctx.options.json) out.json(outcome);
        else if (!ctx.options.quiet) printOutcome(outcome);
        return 0;
      }),
    );
}

function printOutcome(o: CalendarChangeOutcome): void {
  if (o.fallback !== null) {
    printFallback(o, o.fallback);
    return;
  }
  const c = o.change;
  out.line(`calendar change ${c.id}: ${c.date} is now ${describeDayState(o.after)}`);
  out.line(
    `  it was ${describeDayState(o.before)}${o.before.note ? `; calendar note: ${safeText(o.before.note)}` : ''}`,
  );
  out.line(`  reason: ${safeText(c.reason)}`);
  out.line(`  recorded by ${safeText(c.actor)} at ${hkTime(c.recordedAt)}`);
  out.line('');
  if (o.files.length === 0) {
    out.line('No loaded BOS trade has a different clearing date under this change: nothing to run again.');
  } else {
    out.line(
      `BOS trades re-derived: ${plural(o.files.length, 'file')} got a new generation (the previous one is kept, superseded)`,
    );
    for (const f of o.files) {
      out.line(
        `  ${safeText(f.fileName)} (business date ${f.businessDate ?? '-'}): file ${f.replacedId} -> generation ${f.derivedId}, ${f.rows} trade(s), ${f.rejected} rejected`,
      );
      for (const m of f.moves) out.line(`    ${moveText(m)}`);
    }
    if (o.files.some((f) => f.moves.some((m) => m.to === null))) {
      out.line(
        '  trades without a clearing date are rejected rows of the new generation: dcass-recon rejects',
      );
    }
  }
  if (o.runAgain.length > 0) {
    out.line('');
    out.line(
      `Run again (the data of these dates changed; reconciliations reading the moved trades: ${o.reconciliations.join(', ') || '-'}):`,
    );
    for (const d of o.runAgain) out.line(`  dcass-recon run --date ${d}`);
  }
  const closed = [...new Set([...o.noLongerTrading, ...(o.runsOfClosedDate > 0 ? [c.date] : [])])].sort();
  for (const d of closed) {
    out.line('');
    out.line(
      `${d} is not a trading day now: a run of it is refused. Breaks found by earlier runs of ${d} stay in the register until resolved:`,
    );
    out.line(`  dcass-recon breaks list --date ${d}`);
  }
}

function printFallback(o: CalendarChangeOutcome, f: NonNullable<CalendarChangeOutcome['fallback']>): void {
  const c = o.change;
  out.line(
    `calendar change ${c.id}: fallback to Genium INET from ${f.from}: every business date from ${f.from} to ${f.to} is a Genium INET date`,
  );
  out.line(`  reason: ${safeText(c.reason)}`);
  out.line(`  recorded by ${safeText(c.actor)} at ${hkTime(c.recordedAt)}`);
  out.line('');
  if (f.upgradedDays.length === 0) {
    out.line(
      'No trading day was cleared on the upgraded platform before it: nothing to enter again on Genium INET.',
    );
  } else {
    out.line(
      `${plural(f.upgradedDays.length, 'trading day')} cleared on the upgraded platform before it (${f.upgradedDays[0]} to ${f.upgradedDays.at(-1)}): their post-trade transactions are to be entered again on Genium INET:`,
    );
    out.line(`  dcass-recon reinput --fallback ${f.from} --out ./fallback`);
  }
  if (o.runAgain.length > 0) {
    out.line('');
    out.line('Runs already made of these dates compared the upgraded platform; run them again:');
    for (const d of o.runAgain) out.line(`  dcass-recon run --date ${d}`);
  }
}

function moveText(m: TradeMove): string {
  const n = `${m.trades} trade(s)`;
  if (m.from !== null && m.to !== null) return `${n} moved from clearing date ${m.from} to ${m.to}`;
  if (m.from !== null)
    return `${n} of clearing date ${m.from} have no clearing date now (${m.code ?? 'rejected'})`;
  return `${n} that had no clearing date clear on ${m.to ?? '-'} again`;
}

function listCommand(run: Runner): Command {
  return new Command('list')
    .description('list the calendar changes in force (latest per date) with who, when and why')
    .option('--history', 'every change ever recorded, oldest first, superseded ones too')
    .action((opts: { history?: boolean }) =>
      run(async (ctx) => {
        const store = await ctx.store();
        const market = ctx.calendar().market;
        const changes = opts.history
          ? await changeHistory(store.db, market)
          : await changesInForce(store.db, market);
        if (ctx.options.json) {
          out.json({ market, changes });
          return 0;
        }
        if (ctx.options.quiet) return 0;
        if (changes.length === 0) {
          out.line(`no calendar changes recorded for market ${market}: the calendar file applies as written`);
          return 0;
        }
        out.line(
          opts.history
            ? `every calendar change of market ${market}`
            : `calendar changes in force for market ${market} (on top of the calendar file)`,
        );
        out.line(table(['date', 'now', 'change', 'action', 'by', 'at', 'reason'], changes.map(row)));
        return 0;
      }),
    );
}

const row = (c: CalendarChange): string[] => [
  c.date,
  c.action === 'fallback'
    ? 'Genium INET from here'
    : !c.trading
      ? 'closed'
      : c.afterHours
        ? 'trading'
        : 'no T+1 session',
  c.id,
  c.action,
  c.actor,
  hkTime(c.recordedAt),
  c.reason,
];
