import path from 'node:path';
import { Command } from 'commander';
import {
  fallbackDates,
  parseBusinessDate,
  recordReportsWritten,
  REINPUT_TRADE_TYPES,
  writeReinputCsv,
} from '../../index.js';
import { DcassError } from '../../shared/errors.js';
import type { CliContext } from '../context.js';
import { ensureOutDir, out } from '../output.js';

/** `reinput`: the fallback re-input list. */
export function reinputCommand(run: (fn: (ctx: CliContext) => Promise<number>) => Promise<void>): Command {
  return new Command('reinput')
    .description(
      'list the post-trade transactions done on the upgraded platform that a fallback would need entered again',
    )
    .option('--since <YYYY-MM-DD>', 'first business date to list (the cutover: 2019-05-06)')
    .option(
      '--fallback <YYYY-MM-DD>',
      'the first Genium INET date of a fallback: list the upgraded dates before it (instead of --since)',
    )
    .requiredOption('--out <dir>', 'folder to write reinput.csv to (created when missing)')
    .option('--types <list>', `comma-separated trade types (default ${REINPUT_TRADE_TYPES.join(',')})`)
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon reinput --since 2019-05-06 --out ./fallback
  dcass-recon reinput --since 2019-05-06 --out ./fallback --types GUP,TUP
  dcass-recon reinput --fallback 2019-05-14 --out ./fallback

Lists, from the upgraded DCASS trade reports in force, every give-up (GUP), take-up (TUP), transfer
(TRF) and close-out (CLO) cleared on an upgraded-platform date since --since, with the original trade
number, the Genium INET number of the original trade where the migration seam paired it (once the
last Genium day has been run), and the file and line it was read from: what to enter again into Genium
INET after a fallback. --fallback D lists the upgraded dates before D, whether or not the fallback is
recorded yet (dcass-recon calendar fallback D). The CSV is safe to open in a spreadsheet.`,
    )
    .action((opts: { since?: string; fallback?: string; out: string; types?: string }) =>
      run(async (ctx) => {
        if ((opts.since === undefined) === (opts.fallback === undefined)) {
          throw new DcassError('USAGE', 'give either --since or --fallback', {
            hint: 'dcass-recon reinput --fallback 2019-05-14 --out ./fallback',
          });
        }
        const store = await ctx.store();
        const dates =
          opts.fallback === undefined
            ? { since: parseBusinessDate(opts.since!, '--since') }
            : await fallbackDates(store, opts.fallback);
        if (dates === null) {
          throw new DcassError(
            'USAGE',
            `no business date before ${opts.fallback} is on the upgraded platform: nothing to re-input`,
            {
              hint: 'a fallback date is the first Genium INET date again, after the cutover',
            },
          );
        }
        const since = dates.since;
        ensureOutDir(opts.out);
        const file = path.join(opts.out, 'reinput.csv');
        const types = opts.types
          ?.split(',')
          .map((t) => t.trim().toUpperCase())
          .filter((t) => t !== '');
        const n = await writeReinputCsv(store, { ...dates, ...(types ? { tradeTypes: types } : {}) }, file);
        await recordReportsWritten(store, {
          actor: ctx.actor(),
          subject: opts.fallback === undefined ? `reinput:${since}` : `reinput:fallback:${opts.fallback}`,
          asOf: null,
          files: [{ format: 'csv', path: file }],
        });
        if (ctx.options.json) out.json({ file, transactions: n });
        else if (!ctx.options.quiet)
          out.line(`wrote ${file} (${n} transactions to re-input after a fallback)`);
        return 0;
      }),
    );
}
