import { Command } from 'commander';
import {
  checkAsOf,
  parseReportFormats,
  recordReportsWritten,
  REPORT_RENDERERS,
  renderersOf,
  writeReports,
  type ClearingHouse,
} from '../../index.js';
import type { CliContext } from '../context.js';
import { houseOption, houseScope } from '../house-option.js';
import { ensureOutDir, out, plural } from '../output.js';

const FORMATS = REPORT_RENDERERS.map((r) => r.format);

/** `report`: write a run's breaks as breaks.json, breaks.csv and breaks.html. */
export function reportCommand(run: (fn: (ctx: CliContext) => Promise<number>) => Promise<void>): Command {
  return new Command('report')
    .description("write a run's break report (breaks.json, breaks.csv, breaks.html) to a folder")
    .requiredOption('--run <id|latest>', 'the run to report: its id, or latest')
    .requiredOption('--out <dir>', 'folder to write to (created when missing)')
    .option('--format <list>', `comma-separated formats: ${FORMATS.join(', ')}`, FORMATS.join(','))
    .option('--as-of <moment>', 'the break register as it stood at this moment (ISO 8601 with a zone)')
    .addOption(houseOption())
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon report --run latest --out ./out
  dcass-recon report --run 12 --out ./out --format csv
  dcass-recon report --run latest --out ./out --format html --as-of 2019-05-07T09:00:00+08:00
  dcass-recon report --run latest --out ./out-seoch --house SEOCH
  dcass-recon --json report --run latest --out ./out --format json

breaks.json is the machine-readable break report (run, summary, breaks; decimals as strings, dates ISO).
breaks.csv has one row per break and is safe to open in a spreadsheet. breaks.html is one
self-contained page (summary, charts, break history, a sortable and filterable table of the breaks
with both records side by side, provenance) that opens offline and prints. --house keeps one
clearing house's breaks (default: the participant's one house, else the house the run covered, else
every house). Exit code 0 when
written, 2 trouble (no such run, a folder that cannot be written).`,
    )
    .action((opts: { run: string; out: string; format: string; asOf?: string; house?: ClearingHouse }) =>
      run(async (ctx) => {
        const formats = parseReportFormats(opts.format);
        ensureOutDir(opts.out);
        const store = await ctx.store();
        const participant = ctx.config.participant;
        const house = houseScope(ctx.config, opts.house);
        const written = await writeReports(
          store,
          opts.run,
          opts.out,
          {
            ...(opts.asOf === undefined ? {} : { asOf: opts.asOf }),
            ...(house === null ? {} : { house }),
            products: ctx.config.products,
            participant: participant === null ? null : { code: participant.code, name: participant.name },
          },
          renderersOf(formats),
        );
        await recordReportsWritten(store, {
          actor: ctx.actor(),
          subject: `run:${written[0]!.runId}`,
          asOf: opts.asOf === undefined ? null : checkAsOf(opts.asOf),
          files: written,
        });
        if (ctx.options.json) out.json({ files: written });
        else if (!ctx.options.quiet) {
          for (const w of written) {
            out.line(
              `wrote ${w.path} (run ${w.runId}, ${plural(w.breaks, 'break')}, ${w.carried} carried from earlier dates)`,
            );
          }
        }
        return 0;
      }),
    );
}
