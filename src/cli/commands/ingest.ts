import { Command, Option } from 'commander';
import {
  DcassError,
  SOURCES,
  loadInputs,
  type FileOutcome,
  type InputLoad,
  type IngestRequest,
} from '../../index.js';
import type { CliContext } from '../context.js';
import { configuredInputs, expandPath } from '../input-files.js';
import { out, plural, safeText, table } from '../output.js';
import { followIngest } from '../interrupt.js';
import { byteProgress } from '../progress.js';

/** `ingest`: load files into the canonical schema, one transaction per file. */
export function ingestCommand(run: (fn: (ctx: CliContext) => Promise<number>) => Promise<void>): Command {
  return new Command('ingest')
    .description('load report files (Genium backups, upgraded DCASS reports, BOS exports) into the database')
    .argument('[files...]', 'files or folders (folders are read recursively)')
    .addOption(new Option('--source <source>', 'where the files come from').choices(SOURCES))
    .option('--profile <name>', 'read every file with this profile instead of choosing by file name')
    .option('--all', 'ingest every file of the input folders named in the configuration')
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon ingest --source genium backups/TRD001_CABC_20190503.lis backups/POS001_CABC_20190503.lis
  dcass-recon ingest --source dcass inbox/20190506/
  dcass-recon ingest --source bos --profile bos-trades exports/trades-6-may.csv
  dcass-recon ingest --all --json

A file already loaded (same sha256) is skipped; a later generation of a report supersedes the earlier
one (both stay). A bad row is kept as a rejected row; a bad file is refused whole and nothing of it
is loaded. Exit code 0 when every file loaded or was skipped, 2 when any was refused.`,
    )
    .action((files: string[], opts: { source?: (typeof SOURCES)[number]; profile?: string; all?: boolean }) =>
      run(async (ctx) => {
        const requests = planRequests(ctx, files, opts);
        const store = await ctx.store({ bulk: true });
        const outcomes = await loadInputs(
          store,
          { actor: ctx.actor(), logger: ctx.logger },
          inputLoad(ctx),
          requests,
        );
        printOutcomes(ctx, outcomes);
        return outcomes.some((o) => o.status === 'refused') ? 2 : 0;
      }),
    );
}

/**
 * Loading with the configuration's profiles, calendar and participant, followed on a terminal (a
 * progress bar, not with --json or --quiet) and by the line an interrupt prints.
 */
export function inputLoad(ctx: CliContext): InputLoad {
  let progress: ReturnType<typeof byteProgress> | null = null;
  let followed: ReturnType<typeof followIngest> | null = null;
  return {
    profiles: () => ctx.profiles(),
    calendar: () => ctx.calendar(),
    participant: ctx.config.participant?.code ?? null,
    onStart: () => {
      progress = byteProgress(!ctx.options.json && !ctx.options.quiet);
      followed = followIngest();
    },
    onProgress: (f, n, total) => {
      followed?.reading(f);
      progress?.update(f, n, total);
    },
    onOutcome: (o) => followed?.finished(o),
    onEnd: () => {
      progress?.stop();
      followed?.done();
    },
  };
}

function planRequests(
  ctx: CliContext,
  files: string[],
  opts: { source?: (typeof SOURCES)[number]; profile?: string; all?: boolean },
): IngestRequest[] {
  if (opts.all) {
    if (files.length > 0 || opts.source)
      throw new DcassError('USAGE', '--all takes no files and no --source', { hint: 'use one or the other' });
    return configuredInputs(ctx);
  }
  if (!opts.source)
    throw new DcassError('USAGE', 'say where the files come from with --source genium|dcass|bos', {
      hint: 'or use --all',
    });
  if (files.length === 0)
    throw new DcassError('USAGE', 'no files given', { hint: 'name files or folders, or use --all' });
  const source = opts.source;
  return files
    .flatMap((f) => expandPath(f))
    .map((p) => ({ path: p, source, ...(opts.profile ? { profile: opts.profile } : {}) }));
}

/** What an ingest call did, counted: files by outcome, rows loaded and rejected. */
export interface IngestSummary {
  readonly loaded: number;
  readonly skipped: number;
  readonly refused: number;
  readonly rows: number;
  readonly rejected: number;
}

/** Counts the outcomes of an ingest call. */
function summarise(outcomes: readonly FileOutcome[]): IngestSummary {
  const loaded = outcomes.filter((o) => o.status === 'loaded');
  return {
    loaded: loaded.length,
    skipped: outcomes.filter((o) => o.status === 'skipped').length,
    refused: outcomes.filter((o) => o.status === 'refused').length,
    rows: loaded.reduce((n, o) => n + o.rows, 0),
    rejected: loaded.reduce((n, o) => n + o.rejected, 0),
  };
}

/** The counts in one line: "20 files loaded, 0 already loaded (skipped), 1 refused; 334 rows, 1 rejected row". */
function summaryLine(s: IngestSummary): string {
  return (
    `${plural(s.loaded, 'file')} loaded, ${s.skipped} already loaded (skipped), ${s.refused} refused; ` +
    `${plural(s.rows, 'row')}, ${plural(s.rejected, 'rejected row')}` +
    (s.rejected > 0 ? ` (see ${s.rejected === 1 ? 'it' : 'them'} with: dcass-recon rejects)` : '')
  );
}

/** The outcome of each file as a table (or JSON), refused files with their reasons, then the counts. */
function printOutcomes(ctx: CliContext, outcomes: readonly FileOutcome[]): void {
  if (ctx.options.json) {
    out.json({ files: outcomes, summary: summarise(outcomes) });
    return;
  }
  if (!ctx.options.quiet) printOutcomeText(outcomes, { newOnly: false });
}

/**
 * The outcomes as text. With `newOnly` (verify, which reads every input folder each time) files
 * already loaded are counted, not listed.
 */
export function printOutcomeText(outcomes: readonly FileOutcome[], options: { newOnly: boolean }): void {
  const listed = options.newOnly ? outcomes.filter((o) => o.status !== 'skipped') : outcomes;
  if (listed.length > 0) out.line(`${outcomeTable(listed)}\n`);
  // A file loaded as superseded (older than the generation in force) says so, naming the current one.
  for (const o of outcomes.filter((x) => x.notice !== null)) {
    out.line(`${safeText(o.path)}\n  ${safeText(o.notice!)}\n`);
  }
  for (const o of outcomes.filter((x) => x.status === 'refused')) {
    out.line(
      `refused ${safeText(o.path)}\n  ${safeText(o.error!.message)}${o.error!.hint ? `\n  what to do: ${safeText(o.error!.hint)}` : ''}\n`,
    );
  }
  out.line(summaryLine(summarise(outcomes)));
}

function outcomeTable(outcomes: readonly FileOutcome[]): string {
  return table(
    [
      'status',
      'file',
      'source',
      'profile',
      'business date',
      'rows',
      'rejected',
      'supersedes / superseded by',
      'sha256',
    ],
    outcomes.map((o) => [
      o.status,
      o.fileName,
      o.source,
      o.profile ?? '-',
      o.businessDate ?? '-',
      String(o.rows),
      String(o.rejected),
      o.supersededBy ? `superseded by ${o.supersededBy}` : o.supersedes.join(', '),
      o.sha256?.slice(0, 12) ?? '-',
    ]),
  );
}
