/**
 * Register growth benchmark (issue 14, finding 11): what a re-run of an unchanged day adds to the
 * database, and how long its reports take.
 *
 *   npx tsx bench/register-growth.ts [--rows 200000] [--diff 0.025] [--reruns 3] [--db URL] [--keep]
 *
 * One business date (6 May 2019) of synthetic DCASS and BOS trades (scripts/generate, `--diff` of
 * the BOS rows changed, dropped or added: about 5,000 breaks at the defaults), ingested and
 * reconciled by trades-bos of the built-in rule set in a fresh database on a PostgreSQL server; then
 * `--reruns` re-runs of the same date on the same files. Printed: the size (pg_total_relation_size)
 * of each table a run writes its breaks, matches and register events to, after the first run and
 * per re-run; then breaks.json and the HTML report of the last run, each beside psql `\copy (SELECT
 * ...) TO` of the same breaks' rows with their records (the database's own speed at writing them).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
// Each module directly, not src/index.js: the bench needs only these.
import { resolveConfig } from '../src/config/config.js';
import { loadCalendar } from '../src/config/calendar-file.js';
import { ProfileRegistry } from '../src/config/profiles.js';
import { openStore, type Store } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { ingestFiles } from '../src/ingest/ingest.js';
import { loadBuiltinRuleSet } from '../src/reconcile/rule-set.js';
import { runReconciliation } from '../src/reconcile/run.js';
import { writeBreaksJson } from '../src/report/breaks-json.js';
import { writeBreaksHtml } from '../src/report/html/index.js';
import type { SyntheticOptions } from '../scripts/generate/synthetic.js';
import { benchOptions, writeBenchAccountMap, writeBenchFile } from './support/data.js';
import { copyBaseline } from './support/copy-baseline.js';
import { createDatabase, dropDatabase } from './support/database.js';
import { fmtInt, table } from './support/print.js';

const DATE = '2019-05-06';
const RECON = 'trades-bos';
// Every table a run writes to (those that exist in this schema; views are left out).
const TABLES = [
  'recon_break',
  'recon_break_legacy',
  'break_detail',
  'break_sighting',
  'recon_match',
  'match_set',
  'match_pair',
  'match_block',
  'run_match',
  'break_case',
  'break_event',
  'recon_run',
  'audit_event',
];

function options() {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '200000' },
      diff: { type: 'string', default: '0.025' },
      reruns: { type: 'string', default: '3' },
      db: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  return {
    rows: Number(values.rows),
    diff: Number(values.diff),
    reruns: Number(values.reruns),
    url: values.db ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    keep: values.keep,
  };
}

async function sizes(store: Store): Promise<Map<string, number>> {
  const names = `{${TABLES.join(',')}}`;
  const rows = await sql<{ name: string; bytes: string }>`SELECT c.relname AS name,
      pg_total_relation_size(c.oid)::text AS bytes
    FROM pg_class c WHERE c.relname = ANY(${names}::text[]) AND c.relkind = 'r'`.execute(store.db);
  return new Map(rows.rows.map((r) => [r.name, Number(r.bytes)]));
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mb = (b: number): string => `${(b / 1e6).toFixed(2)} MB`;

async function main(): Promise<void> {
  const o = options();
  const dbName = `dcass_bench_growth_${process.pid}`;
  const url = await createDatabase(o.url, dbName);
  const dir = mkdtempSync(path.join(tmpdir(), 'dcass-bench-growth-'));
  const store = await openStore(url, { bulk: true });
  try {
    await migrateToLatest(store);
    const opts: SyntheticOptions = { ...benchOptions(o.rows, 7), diffRate: o.diff, bosTradeNoGaps: false };
    const map = await writeBenchAccountMap(dir, opts, true);
    const dcass = await writeBenchFile(dir, 'dcass-trd-csv', opts, false);
    const bos = await writeBenchFile(dir, 'bos-trd', opts, true);
    const config = resolveConfig({ cwd: dir, db: url });
    const outcomes = await ingestFiles(
      {
        store,
        profiles: ProfileRegistry.load(config.profileDirs),
        calendar: loadCalendar(config.calendarFile),
        participant: null,
      },
      [
        { path: map.path, source: 'bos' },
        { path: dcass.path, source: 'dcass' },
        { path: bos.path, source: 'bos' },
      ],
    );
    for (const f of outcomes) if (f.status !== 'loaded') console.log(`ingest: ${f.fileName} ${f.status} ${f.error?.message ?? ''}`);
    const ruleSet = loadBuiltinRuleSet();
    const run = async () => {
      const t0 = performance.now();
      const r = await runReconciliation(store, { businessDate: DATE, ruleSet, recons: [RECON] });
      // As autovacuum leaves it: sizes without the dead rows of the run's own updates counted twice.
      await sql`VACUUM`.execute(store.db);
      return { r, ms: performance.now() - t0 };
    };
    const before = await sizes(store);
    const first = await run();
    const c = first.r.counts[RECON]!;
    if (c.incomplete !== null || c.skipped !== null) throw new Error(`${RECON} did not run: ${c.incomplete ?? c.skipped}`);
    const breaks = Object.values(c.breaks).reduce((n, k) => n + k, 0);
    console.log(
      `data: ${fmtInt(o.rows)} trades a side, run ${first.r.runId}: ${fmtInt(c.matched)} matched, ${fmtInt(breaks)} breaks, in ${secs(first.ms)}`,
    );
    const steps: { label: string; at: Map<string, number> }[] = [
      { label: 'first run', at: await sizes(store) },
    ];
    let last = first.r.runId;
    for (let i = 1; i <= o.reruns; i++) {
      const again = await run();
      last = again.r.runId;
      steps.push({ label: `re-run ${i} (${secs(again.ms)})`, at: await sizes(store) });
    }
    const present = TABLES.filter((t) => steps[0]!.at.has(t));
    const rows = present.map((t) => {
      let prev = before.get(t) ?? 0;
      return [
        t,
        ...steps.map((s) => {
          const now = s.at.get(t) ?? 0;
          const d = now - prev;
          prev = now;
          return `${d >= 0 ? '+' : ''}${(d / 1e3).toFixed(0)} kB`;
        }),
      ];
    });
    const total = (m: Map<string, number>) => present.reduce((n, t) => n + (m.get(t) ?? 0), 0);
    rows.push([
      'all of these',
      ...steps.map((s, i) => {
        const d = total(s.at) - total(i === 0 ? before : steps[i - 1]!.at);
        return `${d >= 0 ? '+' : ''}${(d / 1e3).toFixed(0)} kB`;
      }),
    ]);
    console.log('growth per run (pg_total_relation_size, after VACUUM):');
    console.log(table(['table', ...steps.map((s) => s.label)], rows));

    const json = path.join(dir, 'breaks.json');
    const j0 = performance.now();
    const written = await writeBreaksJson(store, last, json);
    console.log(
      `breaks.json of run ${last}: ${fmtInt(written.breaks)} breaks, ${mb(statSync(json).size)} in ${secs(performance.now() - j0)}`,
    );
    const html = path.join(dir, 'breaks.html');
    const h0 = performance.now();
    const page = await writeBreaksHtml(store, last, html, { participant: { code: 'CABC', name: 'Bench' } });
    console.log(
      `breaks.html of run ${last}: ${fmtInt(page.breaks)} breaks, ${mb(page.bytes)} in ${secs(performance.now() - h0)}`,
    );
    const floor = copyBaseline(url, last, path.join(dir, 'copy.txt'));
    console.log(
      `baseline: psql \\copy of the same breaks with their records: ${mb(floor.bytes)} in ${secs(floor.ms)}`,
    );
  } finally {
    await store.close();
    if (o.keep) console.log(`kept: database ${dbName}, files in ${dir}`);
    else {
      await dropDatabase(o.url, dbName);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

await main();
