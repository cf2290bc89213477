import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { DcassError, writeBreaksCsv, writeBreaksJson, type ReportFile } from '../../index.js';
import type { CliContext } from '../context.js';
import { out } from '../output.js';

const FORMATS = ['json', 'csv'] as const;
type Format = (typeof FORMATS)[number];

/** `report`: write a run's breaks as breaks.json and breaks.csv. */
export function reportCommand(run: (fn: (ctx: CliContext) => Promise<number>) => Promise<void>): Command {
  return new Command('report')
    .description("write a run's break report (breaks.json, breaks.csv) to a folder")
    .requiredOption('--run <id|latest>', 'the run to report: its id, or latest')
    .requiredOption('--out <dir>', 'folder to write to (created when missing)')
    .option('--format <list>', 'comma-separated formats: json, csv', 'json,csv')
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon report --run latest --out ./out
  dcass-recon report --run 12 --out ./out --format csv
  dcass-recon --json report --run latest --out ./out --format json

breaks.json follows DESIGN.md's machine-readable break report (decimals as strings, dates ISO).
breaks.csv has one row per break and is safe to open in a spreadsheet. Exit code 0 when written,
2 trouble (no such run, a folder that cannot be written).`,
    )
    .action((opts: { run: string; out: string; format: string }) =>
      run(async (ctx) => {
        const formats = parseFormats(opts.format);
        try {
          mkdirSync(opts.out, { recursive: true });
        } catch (err) {
          throw new DcassError('USAGE', `cannot create the output folder ${opts.out}`, {
            hint: 'choose a folder you can write to',
            cause: err,
          });
        }
        const store = await ctx.store();
        const written: ReportFile[] = [];
        for (const f of formats) {
          const file = path.join(opts.out, `breaks.${f}`);
          written.push(
            f === 'json'
              ? await writeBreaksJson(store, opts.run, file)
              : await writeBreaksCsv(store, opts.run, file),
          );
        }
        if (ctx.options.json) out.json({ files: written });
        else if (!ctx.options.quiet) {
          for (const w of written) out.line(`wrote ${w.path} (run ${w.runId}, ${w.breaks} breaks)`);
        }
        return 0;
      }),
    );
}

function parseFormats(list: string): Format[] {
  const items = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  const bad = items.filter((s) => !(FORMATS as readonly string[]).includes(s));
  if (bad.length > 0 || items.length === 0) {
    throw new DcassError('USAGE', `unknown report format ${bad.join(', ') || '(none)'}`, {
      hint: `choose from ${FORMATS.join(', ')} (html comes later)`,
    });
  }
  return [...new Set(items)] as Format[];
}
