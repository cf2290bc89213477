/**
 * The product's path of the reconciliation benchmark, run by bench/recon.ts as a child process of its
 * own (compiled, as the CLI ships) so that its wall time and peak RSS are the product's alone:
 * open and migrate the database, ingest the files (ingestFiles, as `dcass-recon ingest` does), one
 * reconciliation run (runReconciliation) and breaks.json (writeBreaksJson), the library calls
 * `dcass-recon verify` makes. Configuration is resolved as the CLI resolves it, with no
 * configuration file: built-in profiles and calendar.
 *
 *   node recon-product.js --db URL|DIR --date YYYY-MM-DD --out breaks.json [--rules FILE]
 *        [--recon NAME]... (--source bos|dcass|genium --file FILE)...
 *
 * Prints one JSON object on stdout: phase wall times and the peak RSS reached by the end of each
 * phase, the files' outcomes, the run's counts and the report's break count. The run logs each
 * statement's duration to stderr (pino JSON lines, `statement done`).
 */
// The same heap setting as the CLI's, so the product measured is the product shipped.
import '../../src/cli/heap.js';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  ProfileRegistry,
  createLogger,
  ingestFiles,
  loadBuiltinRuleSet,
  loadCalendar,
  loadRuleSet,
  migrateToLatest,
  openStore,
  resolveConfig,
  runReconciliation,
  writeBreaksJson,
  type IngestRequest,
  type RunSummary,
} from '../../src/index.js';

/** What the child prints. */
export interface ProductResult {
  readonly phases: readonly { readonly name: string; readonly seconds: number; readonly maxRssKiB: number }[];
  readonly files: readonly {
    readonly file: string;
    readonly status: string;
    readonly rows: number;
    readonly rejected: number;
    readonly error: string | null;
  }[];
  readonly run: Pick<RunSummary, 'runId' | 'counts' | 'open' | 'explained'>;
  readonly reportBreaks: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      date: { type: 'string' },
      out: { type: 'string' },
      rules: { type: 'string' },
      recon: { type: 'string', multiple: true },
      source: { type: 'string', multiple: true },
      file: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const need = (v: string | undefined, name: string): string => {
    if (v === undefined) throw new Error(`recon-product: --${name} is required`);
    return v;
  };
  const sources = values.source ?? [];
  const files = values.file ?? [];
  if (sources.length !== files.length || files.length === 0)
    throw new Error('recon-product: give --source S --file F pairs');
  const requests: IngestRequest[] = files.map((f, i) => ({
    path: f,
    source: sources[i] as IngestRequest['source'],
  }));

  const phases: { name: string; seconds: number; maxRssKiB: number }[] = [];
  // performance.now() counts from the process's start: the first phase is Node's start-up and the
  // loading of the compiled library.
  let t0 = 0;
  const phase = (name: string): void => {
    const now = performance.now();
    phases.push({ name, seconds: (now - t0) / 1000, maxRssKiB: process.resourceUsage().maxRSS });
    t0 = now;
  };

  // As the CLI: configuration resolved once (no file: built-in profiles and calendar), then the store
  // opened and migrated.
  phase('start-up');
  const config = resolveConfig({ cwd: path.dirname(path.resolve(files[0]!)), db: need(values.db, 'db') });
  const store = await openStore(config.database, { bulk: true });
  let result: Omit<ProductResult, 'phases'>;
  try {
    await migrateToLatest(store);
    phase('open + migrate');

    const outcomes = await ingestFiles(
      {
        store,
        profiles: ProfileRegistry.load(config.profileDirs),
        calendar: loadCalendar(config.calendarFile),
        participant: null,
      },
      requests,
    );
    phase('ingest');

    const ruleSet = values.rules === undefined ? loadBuiltinRuleSet() : loadRuleSet(values.rules);
    const run = await runReconciliation(store, {
      businessDate: need(values.date, 'date'),
      ruleSet,
      ...(values.recon === undefined ? {} : { recons: values.recon }),
      // Each statement's duration, as `run --verbose` logs it: JSON lines on stderr for the bench to read.
      logger: createLogger({ level: 'debug' }),
    });
    phase('run');

    const report = await writeBreaksJson(store, run.runId, need(values.out, 'out'));
    phase('report (breaks.json)');
    result = {
      files: outcomes.map((o) => ({
        file: o.fileName,
        status: o.status,
        rows: o.rows,
        rejected: o.rejected,
        error: o.error?.message ?? null,
      })),
      run: { runId: run.runId, counts: run.counts, open: run.open, explained: run.explained },
      reportBreaks: report.breaks,
    };
  } finally {
    await store.close();
  }
  // Closing is the product's time too: PGlite writes its data folder out here.
  phase('close');
  process.stdout.write(`${JSON.stringify({ phases, ...result })}\n`);
}

await main();
