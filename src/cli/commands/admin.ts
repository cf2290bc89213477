import { Command } from 'commander';
import {
  parseBusinessDate,
  hkTime,
  isServerUrl,
  loadedFiles,
  migrateToLatest,
  openStore,
  redactUrl,
  rejectedInputs,
  type LoadedFile,
  type RejectedInputs,
} from '../../index.js';
import type { CliContext } from '../context.js';
import { out, plural, table } from '../output.js';

type Run = (fn: (ctx: CliContext) => Promise<number>) => Promise<void>;

/** `migrate`: bring the database schema to the latest version. */
export function migrateCommand(run: Run): Command {
  return new Command('migrate')
    .description('create or upgrade the database schema')
    .addHelpText(
      'after',
      '\nExamples:\n  dcass-recon migrate\n  dcass-recon --db postgres://recon@db.internal/recon migrate',
    )
    .action(() =>
      run(async (ctx) => {
        const store = await openStore(ctx.config.database);
        try {
          const results = await migrateToLatest(store);
          const where = isServerUrl(ctx.config.database)
            ? redactUrl(ctx.config.database)
            : ctx.config.database;
          if (ctx.options.json) out.json({ database: where, applied: results.map((r) => r.migrationName) });
          else if (!ctx.options.quiet) {
            out.line(
              results.length === 0
                ? `${where}: schema is up to date`
                : `${where}: applied ${results.map((r) => r.migrationName).join(', ')}`,
            );
          }
        } finally {
          await store.close();
        }
        return 0;
      }),
    );
}

/** `profiles`: list the profiles in force and the file names each one reads. */
export function profilesCommand(run: Run): Command {
  return new Command('profiles')
    .description('list the file profiles in force (built-in and configured)')
    .addHelpText('after', '\nExamples:\n  dcass-recon profiles\n  dcass-recon profiles --json')
    .action(() =>
      run(async (ctx) => {
        const all = ctx.profiles().all();
        if (ctx.options.json) out.json(all);
        else
          out.line(
            table(
              ['name', 'source', 'entity', 'format', 'file name pattern', 'file'],
              all.map((p) => [p.name, p.source, p.entity, p.format.type, p.match, p.file]),
            ),
          );
        return 0;
      }),
    );
}

/** `files`: the lineage of loaded files; `rejects`: rejected rows and refused files. */
export function lineageCommands(run: Run): Command[] {
  return [filesCommand(run), rejectsCommand(run)];
}

/** `files`: loaded files with their lineage (generation, superseded by) and counts. */
function filesCommand(run: Run): Command {
  return new Command('files')
    .description('list loaded files with their lineage (generation, superseded by) and counts')
    .option('--date <YYYY-MM-DD>', 'only this business date')
    .addHelpText('after', '\nExamples:\n  dcass-recon files\n  dcass-recon files --date 2019-05-06 --json')
    .action((opts: { date?: string }) =>
      run(async (ctx) => {
        const date = opts.date === undefined ? null : parseBusinessDate(opts.date);
        const rows = await loadedFiles(await ctx.store(), date);
        if (ctx.options.json) out.json(rows);
        else out.line(filesTable(rows));
        return 0;
      }),
    );
}

function filesTable(rows: readonly LoadedFile[]): string {
  return table(
    [
      'id',
      'business date',
      'source',
      'report',
      'file',
      'generated',
      'rows',
      'rejected',
      // How the file is known whole; unverifiable: a CSV with no count, no marker, no stable fetch.
      'complete by',
      'superseded by',
      'derived by',
      'sha256',
    ],
    rows.map((r) => [
      r.id,
      r.business_date ?? '-',
      r.source,
      r.report_id,
      r.file_name,
      r.generated_at === null ? '' : hkTime(r.generated_at),
      String(r.row_count),
      String(r.reject_count),
      r.completeness ?? '-',
      r.superseded_by === null ? '' : `#${r.superseded_by_id} ${r.superseded_by}`,
      r.calendar_change_id === null ? '' : `calendar change ${r.calendar_change_id}`,
      r.sha256.slice(0, 12),
    ]),
  );
}

/** `rejects`: rejected rows (file, line, field, reason) and refused files. */
function rejectsCommand(run: Run): Command {
  return new Command('rejects')
    .description('list rejected rows (file, line, field, reason, raw text) and refused files')
    .option('--date <YYYY-MM-DD>', 'only files of this business date')
    .addHelpText(
      'after',
      '\nExamples:\n  dcass-recon rejects\n  dcass-recon rejects --date 2019-05-07 --json',
    )
    .action((opts: { date?: string }) =>
      run(async (ctx) => {
        const date = opts.date === undefined ? null : parseBusinessDate(opts.date);
        const rejected = await rejectedInputs(await ctx.store(), date);
        if (ctx.options.json) out.json(rejected);
        else printRejected(rejected);
        return 0;
      }),
    );
}

function printRejected({ rejectedRows: rows, refusedFiles: refused }: RejectedInputs): void {
  out.line(plural(rows.length, 'rejected row'));
  if (rows.length > 0)
    out.line(
      table(
        ['file:line', 'field', 'code', 'reason'],
        rows.map((r) => [`${r.file_name}:${r.line_no}`, r.field ?? '', r.code, r.reason]),
      ),
    );
  if (refused.length > 0) {
    out.line(`\n${plural(refused.length, 'refused file')}`);
    out.line(
      table(
        ['refused at', 'file', 'code', 'reason'],
        refused.map((r) => [hkTime(r.refused_at), r.file_name, r.code, r.reason]),
      ),
    );
  }
}
