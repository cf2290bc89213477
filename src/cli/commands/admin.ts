import { Command } from 'commander';
import {
  parseBusinessDate,
  hkTime,
  isServerUrl,
  migrateToLatest,
  openStore,
  redactUrl,
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
  const files = new Command('files')
    .description('list loaded files with their lineage (generation, superseded by) and counts')
    .option('--date <YYYY-MM-DD>', 'only this business date')
    .addHelpText('after', '\nExamples:\n  dcass-recon files\n  dcass-recon files --date 2019-05-06 --json')
    .action((opts: { date?: string }) =>
      run(async (ctx) => {
        const date = opts.date === undefined ? undefined : parseBusinessDate(opts.date);
        const db = (await ctx.store()).db;
        let q = db
          .selectFrom('source_file as f')
          .leftJoin('source_file as s', 's.id', 'f.superseded_by')
          .select([
            'f.id',
            'f.source',
            'f.report_id',
            'f.participant',
            'f.business_date',
            'f.generated_at',
            'f.file_name',
            'f.sha256',
            'f.row_count',
            'f.reject_count',
            'f.loaded_at',
            'f.calendar_change_id',
            'f.completeness',
            's.id as superseded_by_id',
            's.file_name as superseded_by',
          ])
          .orderBy('f.business_date')
          .orderBy('f.source')
          .orderBy('f.id');
        if (date !== undefined) q = q.where('f.business_date', '=', date);
        const rows = await q.execute();
        if (ctx.options.json) out.json(rows);
        else {
          out.line(
            table(
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
            ),
          );
        }
        return 0;
      }),
    );
  const rejects = new Command('rejects')
    .description('list rejected rows (file, line, field, reason, raw text) and refused files')
    .option('--date <YYYY-MM-DD>', 'only files of this business date')
    .addHelpText(
      'after',
      '\nExamples:\n  dcass-recon rejects\n  dcass-recon rejects --date 2019-05-07 --json',
    )
    .action((opts: { date?: string }) =>
      run(async (ctx) => {
        const date = opts.date === undefined ? undefined : parseBusinessDate(opts.date);
        const db = (await ctx.store()).db;
        let q = db
          .selectFrom('rejected_row as r')
          .innerJoin('source_file as f', 'f.id', 'r.file_id')
          .select(['f.file_name', 'f.business_date', 'r.line_no', 'r.field', 'r.code', 'r.reason', 'r.raw'])
          .orderBy('f.id')
          .orderBy('r.line_no');
        if (date !== undefined) q = q.where('f.business_date', '=', date);
        const rows = await q.execute();
        const refused =
          date !== undefined
            ? []
          : await db.selectFrom('refused_file').selectAll().orderBy('id').execute();
        if (ctx.options.json) {
          out.json({ rejectedRows: rows, refusedFiles: refused });
          return 0;
        }
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
        return 0;
      }),
    );
  return [files, rejects];
}
