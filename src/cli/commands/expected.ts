import { Command } from 'commander';
import { parseBusinessDate, expectedInputStatus, hkTime, type ExpectedStatus } from '../../index.js';
import type { CliContext } from '../context.js';
import { out, table } from '../output.js';

type Runner = (fn: (ctx: CliContext) => Promise<number>) => Promise<void>;

const STATE_WORD: Record<ExpectedStatus['state'], string> = {
  loaded: 'loaded',
  empty: 'LOADED, 0 RECORDS',
  refused: 'REFUSED',
  missing: 'MISSING',
};

/** `expected`: every input a business date needs, and whether it arrived. */
export function expectedCommand(run: Runner): Command {
  return new Command('expected')
    .description('list the inputs a business date needs and whether each is loaded, refused or missing')
    .requiredOption('--date <YYYY-MM-DD>', 'business date')
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon expected --date 2019-05-07
  dcass-recon expected --date 2019-05-03 --json

What each date needs comes from the configuration's expected: list (by default: the Genium TRD001 and
POS001 backups on the last Genium day; DCASS trades and positions on every trading day from that day
on; BOS trades and positions on every trading day; the account map once). Each input is listed as
loaded (file, generation, sha256, records), LOADED, 0 RECORDS, REFUSED (with the reason) or MISSING,
with superseded generations under it. A run does not reconcile what a missing input would feed.
Exit code 0 when every input is loaded, 1 when one is missing or refused, 2 trouble.`,
    )
    .action((opts: { date: string }) =>
      run(async (ctx) => {
        const date = parseBusinessDate(opts.date);
        const store = await ctx.store();
        const profileEntities = new Map(
          ctx
            .profiles()
            .all()
            .map((p) => [p.name, p.entity]),
        );
        const statuses = await expectedInputStatus(store.db, date, ctx.config.expected, profileEntities);
        const incomplete = statuses.filter((s) => s.state === 'missing' || s.state === 'refused');
        if (ctx.options.json) {
          out.json({ businessDate: date, complete: incomplete.length === 0, inputs: statuses });
        } else if (!ctx.options.quiet) {
          print(date, statuses);
        }
        return incomplete.length > 0 ? 1 : 0;
      }),
    );
}

function print(date: string, statuses: readonly ExpectedStatus[]): void {
  if (statuses.length === 0) {
    out.line(`no input is expected for ${date} (not a trading day of the calendar) and none is loaded`);
    return;
  }
  const rows: string[][] = [];
  for (const s of statuses) {
    const shown = s.files.length > 0 ? s.files : [null];
    shown.forEach((f, i) => {
      rows.push([
        i === 0 ? s.input.name : '',
        i === 0 ? STATE_WORD[s.state] : '',
        f === null ? '-' : `${f.state === 'loaded' ? '' : `(${f.state}) `}${f.file}`,
        f?.generatedAt ? hkTime(f.generatedAt) : '',
        f?.rows === null || f?.rows === undefined
          ? ''
          : `${f.rows}${f.rejected ? ` (+${f.rejected} rejected)` : ''}`,
        f?.sha256 ? f.sha256.slice(0, 12) : '',
        f?.reason ?? '',
      ]);
    });
  }
  out.line(`inputs expected for ${date}\n`);
  out.line(table(['input', 'state', 'file', 'generated', 'records', 'sha256', 'refused because'], rows));
  const missing = statuses.filter((s) => s.state === 'missing' || s.state === 'refused');
  out.line(
    missing.length === 0
      ? '\nevery expected input is loaded'
      : `\nnot complete: ${missing.map((m) => `${m.input.name} ${m.state}`).join(', ')}. The reconciliations ` +
          'they feed will not run for this date: load the files (dcass-recon ingest, or fetch) and run again',
  );
}
