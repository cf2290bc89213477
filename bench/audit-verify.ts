/**
 * Audit-chain verification benchmark (issue 6, "Speed"): `audit verify` over 1,000,000 events in
 * 10 s or less.
 *
 *   npm run bench:audit [-- --events 1000000] [--db URL] [--no-pglite] [--no-server] [--no-cli] [--batch N]
 *
 * For each database (the real server: --db, else DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/test, in a fresh database dropped afterwards; and embedded
 * PGlite in a temporary folder):
 *   - setup, not measured: N chained events (bodies shaped like real ingest events, ~600 bytes) are
 *     hashed with the product's own eventBody/chainHash and loaded by COPY in batches;
 *   - baseline: the same keyset batches read with no checks (what reading alone costs);
 *   - product: verifyAuditChain, timed in this process;
 *   - on the server, also the CLI as it ships (`dcass-recon audit verify`: the sources compiled with
 *     tsconfig.build.json into node_modules/.cache/dcass-bench-audit, run as a child process;
 *     start-up and the migration check included).
 * Prints events/s and whether each verify is within the 10 s target.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GENESIS_HASH, chainHash, eventBody } from '../src/audit/chain.js';
import { auditBatches } from '../src/audit/read.js';
import { verifyAuditChain, type AuditVerification } from '../src/audit/verify.js';
import { openStore, type Store } from '../src/db/connect.js';
import { CopyBatch } from '../src/db/copy.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { buildCli } from './support/build.js';
import { createDatabase, dropDatabase } from './support/database.js';
import { measure } from './support/measure.js';

const REPO = path.resolve(import.meta.dirname, '..');
// Inside the package (so node_modules resolves as from dist/), outside what tsc and eslint look at.
const BUILD_DIR = path.join(REPO, 'node_modules', '.cache', 'dcass-bench-audit', 'dist');
const TARGET_SECONDS = 10;
const DB_NAME = 'dcass_bench_audit';
const COPY_BATCH = 50_000;
const COLUMNS = ['id', 'at', 'actor', 'action', 'subject', 'body', 'prev_hash', 'hash'] as const;

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    db: { type: 'string' },
    'no-pglite': { type: 'boolean', default: false },
    'no-server': { type: 'boolean', default: false },
    'no-cli': { type: 'boolean', default: false },
    batch: { type: 'string' },
  },
  strict: true,
});
const EVENTS = Number(values.events);
if (!Number.isSafeInteger(EVENTS) || EVENTS < 1)
  throw new Error(`--events: a positive integer, got ${values.events}`);
const BATCH = values.batch === undefined ? undefined : Number(values.batch);
const URL_ = values.db ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const log = (text: string): void => console.error(`[bench] ${text}`);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number): string => (ms / 1000).toFixed(2);

/** The i-th synthetic event: the shape and size of a real `ingest.loaded` event. */
function event(i: number, at: string) {
  const day = 3 + (i % 7);
  const file = `TRD001_CABC_201905${String(day).padStart(2, '0')}_${String(i % 2400).padStart(4, '0')}.xml`;
  return {
    id: String(i),
    at,
    actor: `ops.user${i % 5}`,
    action: 'ingest.loaded',
    subject: `file:${file}`,
    details: {
      path: `/srv/recon/inputs/dcass/201905${String(day).padStart(2, '0')}/${file}`,
      fileName: file,
      source: 'dcass',
      status: 'loaded',
      profile: 'dcass-trd001-xml',
      reportId: 'TRD001',
      participant: 'CABC',
      businessDate: `2019-05-${String(day).padStart(2, '0')}`,
      generatedAt: '2019-05-06T15:10:00.000Z',
      fileId: String(i),
      rows: (i * 7919) % 100_000,
      rejected: i % 3,
      supersedes: [],
      supersededBy: null,
      sha256: chainHash(String(i), 'file'),
      sizeBytes: 1000 + ((i * 104_729) % 9_000_000),
      error: null,
    },
  };
}

/** Loads N chained events by COPY, in transactions of COPY_BATCH rows. Setup, not measured. */
async function fill(store: Store): Promise<{ headHash: string; bodyBytes: number }> {
  let prev = GENESIS_HASH;
  let bodyBytes = 0;
  const start = Date.UTC(2019, 4, 5, 1, 0, 0);
  for (let from = 1; from <= EVENTS; from += COPY_BATCH) {
    const rows: (string | null)[][] = [];
    for (let i = from; i < Math.min(from + COPY_BATCH, EVENTS + 1); i++) {
      // Microsecond timestamps as the database keeps them, one event every 1.5 ms.
      const micros = start * 1000 + i * 1500;
      const second = new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19);
      const at = `${second}.${String(micros % 1_000_000).padStart(6, '0')}Z`;
      const e = event(i, at);
      const body = eventBody(e);
      const hash = chainHash(prev, body);
      rows.push([e.id, e.at, e.actor, e.action, e.subject, body, prev, hash]);
      bodyBytes += Buffer.byteLength(body);
      prev = hash;
    }
    await store.transaction((tx) => tx.copyRows('audit_event', COLUMNS, CopyBatch.of(rows)));
    const loaded = from - 1 + rows.length;
    if (loaded % 200_000 === 0) log(`  loaded ${fmt(loaded)} events`);
  }
  return { headHash: prev, bodyBytes };
}

/** The baseline: the same batches, read and dropped. */
async function readOnly(store: Store): Promise<number> {
  let n = 0;
  for await (const batch of auditBatches(store.db, BATCH)) n += batch.length;
  return n;
}

interface Result {
  readonly db: string;
  readonly what: string;
  readonly ms: number;
  readonly events: number;
}

async function measureStore(label: string, store: Store, results: Result[]): Promise<AuditVerification> {
  await migrateToLatest(store);
  log(`${label}: loading ${fmt(EVENTS)} chained events (setup, not measured)`);
  const t0 = performance.now();
  const { headHash, bodyBytes } = await fill(store);
  log(`${label}: loaded in ${seconds(performance.now() - t0)} s, ${fmt(bodyBytes / 2 ** 20)} MiB of bodies`);

  let t = performance.now();
  const read = await readOnly(store);
  results.push({
    db: label,
    what: 'baseline: read the batches, no checks',
    ms: performance.now() - t,
    events: read,
  });

  t = performance.now();
  const v = await verifyAuditChain(store, BATCH === undefined ? {} : { batchSize: BATCH });
  results.push({ db: label, what: 'verifyAuditChain', ms: performance.now() - t, events: v.verified });
  if (!v.intact || v.events !== EVENTS || v.head?.hash !== headHash) {
    throw new Error(`${label}: the chain did not verify as loaded: ${JSON.stringify(v)}`);
  }
  return v;
}

async function main(): Promise<void> {
  const results: Result[] = [];
  if (!values['no-server']) {
    const url = await createDatabase(URL_, DB_NAME);
    const store = await openStore(url);
    try {
      await measureStore('postgres', store, results);
    } finally {
      await store.close();
    }
    try {
      if (!values['no-cli']) {
        log('compiling the CLI as it ships (tsconfig.build.json)');
        const cli = buildCli(REPO, BUILD_DIR);
        const run = await measure(process.execPath, [cli.entry, '--db', url, '--json', 'audit', 'verify'], {
          cwd: REPO,
        });
        const out = JSON.parse(run.stdout) as AuditVerification;
        if (run.code !== 0 || !out.intact)
          throw new Error(`audit verify failed (exit ${run.code}): ${run.stderr}`);
        results.push({
          db: 'postgres',
          what: 'CLI `audit verify` (built, child process)',
          ms: run.seconds * 1000,
          events: out.verified,
        });
      }
    } finally {
      await dropDatabase(URL_, DB_NAME);
    }
  }
  if (!values['no-pglite']) {
    const dir = mkdtempSync(path.join(tmpdir(), 'dcass-bench-audit-'));
    const store = await openStore(dir);
    try {
      await measureStore('pglite', store, results);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  console.log(`\naudit verify over ${fmt(EVENTS)} events (target: ${TARGET_SECONDS} s or less)`);
  // The machine may be shared: say how busy it was, since every figure is wall time.
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}\n`,
  );
  const header = ['database', 'what', 'seconds', 'events/s', `within ${TARGET_SECONDS} s`];
  const rows = results.map((r) => [
    r.db,
    r.what,
    seconds(r.ms),
    fmt(r.events / (r.ms / 1000)),
    r.what.startsWith('baseline') ? '' : r.ms <= TARGET_SECONDS * 1000 ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, widths.map((w) => '-'.repeat(w)), ...rows]) {
    console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  }
}

await main();
