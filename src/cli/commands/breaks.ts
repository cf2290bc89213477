import { Command, Option } from 'commander';
import {
  applyBreakAction,
  BREAK_STATUSES,
  breakHistory,
  breakIdentity,
  checkAsOf,
  parseBusinessDate,
  hkTime,
  instrumentOf,
  keyText,
  lastSightingRecords,
  readRegister,
  sidePrice,
  shownValue,
  sideQuantity,
  whereOf,
  type BreakHistory,
  type BreakStatus,
  type CaseRecords,
  type PersonAction,
  type RegisterEntry,
  type ReportRecord,
  houseFilter,
  type ClearingHouse,
} from '../../index.js';
import type { CliContext } from '../context.js';
import { houseOption, houseScope } from '../house-option.js';
import { out, plural, safeText, table } from '../output.js';

type Runner = (fn: (ctx: CliContext) => Promise<number>) => Promise<void>;

/** Breaks whose records are read in one go for `breaks list`. */
const RECORD_BATCH = 500;

/** Records of a side `breaks show` prints; an aggregated side of more says how many it left out. */
const SHOWN_RECORDS = 20;

/** `breaks`: the break register: list, show, and the actions people take on breaks. */
export function breaksCommand(run: Runner): Command {
  const cmd = new Command('breaks')
    .description('the break register: list, show, comment, assign, explain, resolve, reopen')
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon breaks list --status open
  dcass-recon breaks list --status open --house SEOCH
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
    .addOption(
      new Option('--status <status...>', 'only breaks with these statuses').choices([...BREAK_STATUSES]),
    )
    .option('--recon <name...>', 'only these reconciliations')
    .option('--date <YYYY-MM-DD>', 'only breaks last seen on this business date')
    .addOption(houseOption())
    .option(
      '--as-of <timestamp>',
      'rebuild the register as it stood then, from its events (e.g. 2019-05-06T18:00:00+08:00)',
    )
    .action(
      (opts: {
        status?: BreakStatus[];
        recon?: string[];
        date?: string;
        asOf?: string;
        house?: ClearingHouse;
      }) =>
        run(async (ctx) => {
          const lastSeenDate = opts.date === undefined ? undefined : parseBusinessDate(opts.date);
          const house = houseScope(ctx.config, opts.house);
          const store = await ctx.store();
          const entries: RegisterEntry[] = [];
          for await (const e of readRegister(store, {
            ...(opts.status ? { status: opts.status } : {}),
            ...(opts.recon ? { recon: opts.recon } : {}),
            ...(lastSeenDate === undefined ? {} : { lastSeenDate }),
            ...(house === null ? {} : { house: houseFilter(house, ctx.config.products) }),
            ...(opts.asOf ? { asOf: checkAsOf(opts.asOf) } : {}),
          })) {
            entries.push(e);
          }
          if (ctx.options.json) out.json({ asOf: opts.asOf ? checkAsOf(opts.asOf) : null, breaks: entries });
          else if (!ctx.options.quiet) {
            if (opts.asOf) out.line(`break register as of ${hkTime(checkAsOf(opts.asOf))}\n`);
            const rows: string[][] = [];
            for (let i = 0; i < entries.length; i += RECORD_BATCH) {
              const page = entries.slice(i, i + RECORD_BATCH);
              const recs = await lastSightingRecords(store, page);
              for (const e of page) rows.push(listRow(e, recs.get(e.id)));
            }
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
                  'account',
                  'instrument',
                  'key',
                  'assignee',
                  'reason',
                ],
                rows,
              ),
            );
            out.line(`\n${plural(entries.length, 'break')}; age in business days since first seen`);
          }
          return 0;
        }),
    );
}

/** One row of `breaks list`: the register's state and what its last sighting's records say. */
function listRow(e: RegisterEntry, recs: CaseRecords | undefined): string[] {
  const id = breakIdentity([...(recs?.left ?? []), ...(recs?.right ?? [])]);
  return [
    e.id,
    e.recon,
    e.kind,
    e.status,
    e.firstSeenDate,
    e.lastSeenDate,
    String(e.ageDays),
    id.account,
    id.instrument,
    keyText(e.key, ' '),
    e.assignee ?? '',
    [e.reasonCode, e.reason].filter((x) => x !== null).join(': '),
  ];
}

/** The records of both sides, a row each: where, and what identifies them. */
function recordsTable(entity: RegisterEntry['entity'], recs: CaseRecords): string {
  const rows: string[][] = [];
  for (const [name, side] of [
    ['left', recs.left],
    ['right', recs.right],
  ] as const) {
    for (const r of side.slice(0, SHOWN_RECORDS)) rows.push(recordRow(name, entity, r));
    if (side.length > SHOWN_RECORDS) rows.push([name, `... ${side.length - SHOWN_RECORDS} more`]);
    if (side.length > 1) {
      rows.push([`${name} total`, '', '', '', '', '', sideQuantity(entity, side), sidePrice(entity, side)]);
    }
  }
  const head = ['side', 'file:line', 'account', 'instrument', 'series', 'b/s', 'quantity', 'price'];
  return table(entity === 'trades' ? [...head, 'trade no', 'ref', 'executed'] : head, rows);
}

function recordRow(name: string, entity: RegisterEntry['entity'], r: ReportRecord): string[] {
  const id = breakIdentity([r]);
  const row = [
    name,
    whereOf(r),
    id.account,
    instrumentOf(r),
    id.series,
    id.side,
    sideQuantity(entity, [r]),
    String(r.price ?? ''),
  ];
  return entity === 'trades' ? [...row, id.tradeNo, id.ref, id.execAt] : row;
}

/** The field differences of every run that found the break, a row each. */
function differencesTable(h: BreakHistory): string | null {
  const rows = h.sightings.flatMap((s) =>
    (s.fields as { field: string; left: string | null; right: string | null; comparator: string }[]).map(
      (f) => [s.runId, s.businessDate, f.field, shownValue(f.left), shownValue(f.right), f.comparator],
    ),
  );
  return rows.length === 0
    ? null
    : table(['run', 'business date', 'field', 'left', 'right', 'comparator'], rows);
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
        out.line(`break ${e.id}: ${e.recon} ${e.kind} ${safeText(keyText(e.key, ' '))}`);
        out.line(
          `status ${e.status}${e.reason ? ` (${safeText([e.reasonCode, e.reason].filter(Boolean).join(': '))})` : ''}`,
        );
        out.line(
          `first seen ${e.firstSeenDate} (run ${e.firstSeenRun}), last seen ${e.lastSeenDate} (run ${e.lastSeenRun}), age ${plural(e.ageDays, 'business day')}`,
        );
        if (e.assignee) out.line(`assigned to ${safeText(e.assignee)}`);
        const recs = (await lastSightingRecords(store, [e])).get(e.id);
        if (recs !== undefined) {
          out.line(`\nrecords (as last seen, run ${e.lastSeenRun})`);
          out.line(recordsTable(e.entity, recs));
        }
        const diffs = differencesTable(h);
        out.line(
          diffs === null
            ? '\nno field differences (the break is a record on one side only, or a duplicate)'
            : `\ndifferences\n${diffs}`,
        );
        out.line('\nhistory (Hong Kong time)');
        out.line(
          table(
            ['event', 'at', 'actor', 'os user@host', 'action', 'run', 'status after', 'note'],
            h.events.map((v) => [
              v.id,
              hkTime(v.at),
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
            h.sightings.map((s) => [s.runId, s.businessDate, String((s.fields as unknown[]).length)]),
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
      const actor = ctx.actor();
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
