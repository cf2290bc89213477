import { Command, Option } from 'commander';
import {
  applyBreakAction,
  breakHistory,
  checkAsOf,
  checkBusinessDate,
  readRegister,
  resolveActor,
  type PersonAction,
  type RegisterEntry,
} from '../../index.js';
import type { CliContext } from '../context.js';
import { out, safeText, table } from '../output.js';

type Runner = (fn: (ctx: CliContext) => Promise<number>) => Promise<void>;

const STATUSES = ['open', 'explained', 'resolved', 'cleared'] as const;

const keyText = (key: Readonly<Record<string, string | null>>) =>
  Object.entries(key)
    .map(([k, v]) => `${k}=${v ?? ''}`)
    .join(' ');

/** `breaks`: the break register: list, show, and the actions people take on breaks. */
export function breaksCommand(run: Runner): Command {
  const cmd = new Command('breaks')
    .description('the break register: list, show, comment, assign, explain, resolve, reopen')
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon breaks list --status open
  dcass-recon breaks list --as-of 2019-05-06T18:00:00+08:00
  dcass-recon breaks show 17
  dcass-recon breaks explain 17 --reason "give-up to CXYZ pending acceptance" --code PENDING_GIVE_UP
  dcass-recon breaks resolve 17 --reason "accepted by CXYZ on 7 May" --actor chan.tai.man
  dcass-recon breaks assign 17 --to wong.siu.ming --reason "BOS desk to check the booking"

A break keeps its id across runs. Every action records who (--actor, else the configuration's actor,
else the OS user), when and why, and appends to the audit trail; nothing is ever overwritten.`,
    );
  cmd.addCommand(listCommand(run).exitOverride());
  cmd.addCommand(showCommand(run).exitOverride());
  for (const action of ['comment', 'assign', 'explain', 'resolve', 'reopen'] as const) {
    cmd.addCommand(actionCommand(run, action).exitOverride());
  }
  return cmd;
}

function listCommand(run: Runner): Command {
  return new Command('list')
    .description('list the break register, now or as it stood at a past moment')
    .addOption(new Option('--status <status...>', 'only breaks with these statuses').choices([...STATUSES]))
    .option('--recon <name...>', 'only these reconciliations')
    .option('--date <YYYY-MM-DD>', 'only breaks last seen on this business date')
    .option(
      '--as-of <timestamp>',
      'rebuild the register as it stood then, from its events (e.g. 2019-05-06T18:00:00+08:00)',
    )
    .action(
      (opts: { status?: (typeof STATUSES)[number][]; recon?: string[]; date?: string; asOf?: string }) =>
        run(async (ctx) => {
          const store = await ctx.store();
          const entries: RegisterEntry[] = [];
          for await (const e of readRegister(store, {
            ...(opts.status ? { status: opts.status } : {}),
            ...(opts.recon ? { recon: opts.recon } : {}),
            ...(opts.date ? { lastSeenDate: checkBusinessDate(opts.date) } : {}),
            ...(opts.asOf ? { asOf: checkAsOf(opts.asOf) } : {}),
          })) {
            entries.push(e);
          }
          if (ctx.options.json) out.json({ asOf: opts.asOf ? checkAsOf(opts.asOf) : null, breaks: entries });
          else if (!ctx.options.quiet) {
            if (opts.asOf) out.line(`break register as of ${checkAsOf(opts.asOf)}\n`);
            out.line(
              table(
                [
                  'id',
                  'reconciliation',
                  'kind',
                  'status',
                  'first seen',
                  'last seen',
                  'age',
                  'assignee',
                  'key',
                  'reason',
                ],
                entries.map((e) => [
                  e.id,
                  e.recon,
                  e.kind,
                  e.status,
                  e.firstSeenDate,
                  e.lastSeenDate,
                  String(e.ageDays),
                  e.assignee ?? '',
                  keyText(e.key),
                  [e.reasonCode, e.reason].filter((x) => x !== null).join(': '),
                ]),
              ),
            );
            out.line(`\n${entries.length} breaks`);
          }
          return 0;
        }),
    );
}

function showCommand(run: Runner): Command {
  return new Command('show')
    .description("print a break's state, every event of its history and the runs that found it")
    .argument('<id>', 'break id (as the report or breaks list printed it)')
    .action((id: string) =>
      run(async (ctx) => {
        const store = await ctx.store();
        const h = await breakHistory(store, id);
        if (ctx.options.json) {
          out.json(h);
          return 0;
        }
        const e = h.entry;
        out.line(`break ${e.id}: ${e.recon} ${e.kind} ${safeText(keyText(e.key))}`);
        out.line(
          `status ${e.status}${e.reason ? ` (${safeText([e.reasonCode, e.reason].filter(Boolean).join(': '))})` : ''}`,
        );
        out.line(
          `first seen ${e.firstSeenDate} (run ${e.firstSeenRun}), last seen ${e.lastSeenDate} (run ${e.lastSeenRun})`,
        );
        if (e.assignee) out.line(`assigned to ${safeText(e.assignee)}`);
        out.line('\nhistory');
        out.line(
          table(
            ['event', 'at (UTC)', 'actor', 'os user@host', 'action', 'run', 'status after', 'note'],
            h.events.map((v) => [
              v.id,
              v.at,
              v.actor,
              // The operating-system account that ran the command, beside the actor it declared.
              v.osUser === null && v.osHost === null ? '' : `${v.osUser ?? '?'}@${v.osHost ?? '?'}`,
              v.action,
              v.runId ?? '',
              v.status,
              v.note ?? '',
            ]),
          ),
        );
        out.line('\nfound by runs');
        out.line(
          table(
            ['run', 'business date', 'differences'],
            h.sightings.map((s) => [s.runId, s.businessDate, JSON.stringify(s.fields)]),
          ),
        );
        return 0;
      }),
    );
}

const ACTION_HELP: Record<PersonAction, string> = {
  comment: 'add a comment to a break (its status stays)',
  assign: 'assign a break to a person (--to)',
  explain: 'mark a break explained, with the reason (and a configured reason code)',
  resolve: 'close a break with the reason it needs no more work (four-eyes when configured)',
  reopen: 'reopen an explained, resolved or cleared break',
};

function actionCommand(run: Runner, action: PersonAction): Command {
  const cmd = new Command(action)
    .description(ACTION_HELP[action])
    .argument('<id>', 'break id')
    .requiredOption('--reason <text>', action === 'comment' ? 'the comment' : 'why (always recorded)');
  if (action === 'assign') cmd.requiredOption('--to <name>', 'who the break is assigned to');
  if (action === 'explain' || action === 'resolve') {
    cmd.option('--code <code>', 'a reason code from the configuration (breaks.reasonCodes)');
  }
  return cmd.action((id: string, opts: { reason: string; to?: string; code?: string }) =>
    run(async (ctx) => {
      const actor = resolveActor({ flag: ctx.options.actor, config: ctx.config });
      const store = await ctx.store();
      const result = await applyBreakAction(
        store,
        {
          breakId: id,
          action,
          actor,
          reason: opts.reason,
          ...(opts.code !== undefined ? { reasonCode: opts.code } : {}),
          ...(opts.to !== undefined ? { assignee: opts.to } : {}),
        },
        ctx.config.breaks,
      );
      if (ctx.options.json) out.json({ ...result, actor });
      else if (!ctx.options.quiet) {
        out.line(
          `break ${result.breakId}: ${action} recorded by ${safeText(actor)} (${result.from} -> ${result.status})`,
        );
      }
      return 0;
    }),
  );
}
