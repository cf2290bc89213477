import path from 'node:path';
import { Command } from 'commander';
import {
  fetchDate,
  fetchDateForms,
  planFetch,
  type FetchedDate,
  type FetchFileResult,
  type FetchProgress,
  type FileOutcome,
} from '../../index.js';
import type { CliContext } from '../context.js';
import { out, safeText, table } from '../output.js';
import { byteProgress } from '../progress.js';
import { inputLoad } from './ingest.js';

interface FetchOptions {
  readonly date: string;
  readonly report?: string;
  readonly from?: string;
  readonly ingest?: boolean;
}

/** `fetch`: pull one business date's upgraded DCASS reports into the inbox (RRS over SFTP, or a folder of exports). */
export function fetchCommand(run: (fn: (ctx: CliContext) => Promise<number>) => Promise<void>): Command {
  return new Command('fetch')
    .description("pull one business date's upgraded DCASS reports from RRS over SFTP into the inbox")
    .requiredOption('--date <date>', 'business date, YYYY-MM-DD')
    .option(
      '--report <ids>',
      'comma-separated report ids, e.g. TRD001,POS001 (default: every configured report)',
    )
    .option(
      '--from <dir>',
      'take DCASS Online exports saved to this folder instead of SFTP (the Sunday verification day)',
    )
    .option('--ingest', "load the date's fetched files into the database afterwards")
    .addHelpText(
      'after',
      `
Examples:
  RRS_KEY_PASSPHRASE=... dcass-recon fetch --date 2019-05-06
  dcass-recon fetch --date 2019-05-06 --report POS001 --ingest
  dcass-recon fetch --date 2019-05-05 --from ~/Downloads/dcass-online --ingest

Reads the sftp: section of the configuration (host, port, username, privateKeyFile, passphraseEnv,
hostKeyFingerprints, remoteRoot, participant, reports, inboxDir, timeouts, retries). The server's
host key must be pinned; a key that is not pinned is refused before authenticating. Files already
fetched with the same size and modification time are skipped; a changed file is kept as a new
generation (inbox/<date>/g<n>/). A file is taken only once its size and modification time stay the
same for sftp.completeness.stableMs (default 5000 ms), or once the marker file its profile declares
(completeness.marker, e.g. {name}.done) is listed beside it; a file still being written after
sftp.completeness.maxWaitMs (default 120000 ms) is left for the next fetch, with a warning. Exit code
0 when every wanted report came and no remote name was refused, 2 otherwise.`,
    )
    .action((opts: FetchOptions) =>
      run(async (ctx) => {
        fetchDateForms(opts.date); // a mistyped date is refused before anything is read or opened
        const only = opts.report
          ?.split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
        const plan = planFetch(
          ctx.config,
          {
            date: opts.date,
            ...(only === undefined ? {} : { only }),
            ...(opts.from === undefined ? {} : { from: path.resolve(opts.from) }),
          },
          process.env,
          ctx.logger,
        );
        const actor = ctx.actor();
        const store = await ctx.store({ bulk: true });
        const bar = fetchBar(ctx);
        const load = opts.ingest === true ? inputLoad(ctx) : null;
        let fetched: FetchedDate;
        try {
          fetched = await fetchDate(store, plan, {
            profiles: ctx.profiles(),
            actor,
            logger: ctx.logger,
            onProgress: bar.onProgress,
            // The fetch's bar goes before the load's comes.
            load:
              load === null
                ? null
                : {
                    ...load,
                    onStart: () => {
                      bar.stop();
                      load.onStart?.();
                    },
                  },
          });
        } finally {
          bar.stop();
        }
        print(ctx, fetched);
        const ingestRefused = fetched.ingest?.some((o) => o.status === 'refused') === true;
        return fetched.fetch.ok && !ingestRefused ? 0 : 2;
      }),
    );
}

/** The fetch's progress bar: files travel in parallel, so it shows the date's bytes as a whole. */
function fetchBar(ctx: CliContext): { onProgress: (e: FetchProgress) => void; stop: () => void } {
  const progress = byteProgress(!ctx.options.json && !ctx.options.quiet);
  const transferred = new Map<string, number>();
  let planned = 0;
  return {
    onProgress: (e) => {
      if (e.kind === 'planned') planned = e.bytes;
      if (e.kind === 'bytes') {
        transferred.set(e.name, e.transferred);
        progress.update(
          'fetch',
          [...transferred.values()].reduce((a, b) => a + b, 0),
          planned,
        );
      }
    },
    stop: () => progress.stop(),
  };
}

function print(ctx: CliContext, { fetch: summary, ingest: ingested }: FetchedDate): void {
  if (ctx.options.json) {
    out.json({ fetch: summary, ...(ingested === null ? {} : { ingest: ingested }) });
    return;
  }
  if (ctx.options.quiet) return;
  const all: FetchFileResult[] = [
    ...summary.fetched,
    ...summary.skipped,
    ...summary.deferred,
    ...summary.failed,
    ...summary.refused,
  ];
  if (all.length > 0) {
    out.line(
      table(
        ['outcome', 'file', 'report', 'bytes', 'gen', 'sha256', 'local file / reason'],
        all.map((f) => [
          f.outcome,
          f.name,
          f.reportId ?? '-',
          f.size === null ? '-' : String(f.size),
          f.generation === null ? '-' : String(f.generation),
          f.sha256?.slice(0, 12) ?? '-',
          f.outcome === 'fetched' || f.outcome === 'skipped'
            ? (f.localPath ?? '')
            : `${f.code ?? ''}: ${f.reason ?? ''}`,
        ]),
      ),
    );
  }
  for (const note of summary.notes) out.line(`note: ${safeText(note)}`);
  out.line(
    `\n${summary.origin} ${summary.businessDate}: ${summary.fetched.length} fetched (${summary.bytesFetched} bytes), ` +
      `${summary.skipped.length} already fetched (skipped), ${summary.refused.length} refused, ${summary.failed.length} failed` +
      (summary.deferred.length > 0
        ? `, ${summary.deferred.length} still being written (left for the next fetch)`
        : '') +
      (summary.missingReports.length > 0 ? `; missing: ${summary.missingReports.join(', ')}` : ''),
  );
  if (summary.refused.length > 0) out.line(refusedSummary(summary.refused));
  if (ingested !== null) {
    const count = (s: FileOutcome['status']) => ingested.filter((o) => o.status === s).length;
    out.line(
      `ingest: ${count('loaded')} loaded, ${count('skipped')} already loaded, ${count('refused')} refused`,
    );
    for (const o of ingested.filter((x) => x.status === 'refused')) {
      out.line(
        `  refused ${safeText(o.path)}: ${safeText(o.error?.message ?? '')}${o.error?.hint ? ` (what to do: ${safeText(o.error.hint)})` : ''}`,
      );
    }
  }
}

/** How many remote names were refused and why, one count per reason code. */
function refusedSummary(refused: readonly FetchFileResult[]): string {
  const byCode = new Map<string, number>();
  for (const r of refused) byCode.set(r.code ?? '-', (byCode.get(r.code ?? '-') ?? 0) + 1);
  const reasons = [...byCode].map(([code, n]) => `${n} ${code}`).join(', ');
  return safeText(
    `refused ${refused.length} remote name${refused.length === 1 ? '' : 's'} (${reasons}): nothing of them was taken, ` +
      'the files fetched are kept; ask HKEX about the names if they persist (exit code 2)',
  );
}
