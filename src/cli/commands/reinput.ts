import path from 'node:path';
import { Command } from 'commander';
import {
  parseBusinessDate,
  recordReportsWritten, REINPUT_TRADE_TYPES, writeReinputCsv } from '../../index.js';
import type { CliContext } from '../context.js';
import { ensureOutDir, out } from '../output.js';

/** `reinput`: the fallback re-input list. */
export function reinputCommand(run: (fn: (ctx: CliContext) => Promise<number>) => Promise<void>): Command {
  return new Command('reinput')
    .description(
      'list the post-trade transactions done on the upgraded platform that a fallback would need entered again',
    )
    .requiredOption('--since <YYYY-MM-DD>', 'first business date to list (the cutover: 2019-05-06)')
    .requiredOption('--out <dir>', 'folder to write reinput.csv to (created when missing)')
    .option('--types <list>', `comma-separated trade types (default ${REINPUT_TRADE_TYPES.join(',')})`)
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon reinput --since 2019-05-06 --out ./fallback
  dcass-recon reinput --since 2019-05-06 --out ./fallback --types GUP,TUP

Lists, from the upgraded DCASS trade reports in force, every give-up (GUP), take-up (TUP), transfer
(TRF) and close-out (CLO) cleared on an upgraded-platform date since --since, with the original trade
number and the file and line it was read from: what to enter again into Genium INET after a fallback.
The CSV is safe to open in a spreadsheet.`,
    )
    .action((opts: { since: string; out: string; types?: string }) =>
      run(async (ctx) => {
        const since = parseBusinessDate(opts.since, '--since');
        const store = await ctx.store();
        ensureOutDir(opts.out);
        const file = path.join(opts.out, 'reinput.csv');
        const types = opts.types
          ?.split(',')
          .map((t) => t.trim().toUpperCase())
          .filter((t) => t !== '');
        const n = await writeReinputCsv(
          store,
          { since, ...(types ? { tradeTypes: types } : {}) },
          file,
        );
        await recordReportsWritten(store, {
          actor: ctx.actor(),
          subject: `reinput:${since}`,
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
