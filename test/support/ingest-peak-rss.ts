import { openStore } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { IngestRequest } from '../../src/ingest/ingest.js';
import { ingest } from './ingest.js';

/**
 * Child process of the memory tests: into a fresh database, ingests every file but the last (the
 * warm-up: migrations, an account map), notes the peak RSS so far, then ingests the last file and
 * prints the outcomes with both peaks. The test runner's own heap stays out of the figures, and the
 * warm-up peak (embedded PGlite alone takes hundreds of MiB) separates the database's memory from
 * what reading the last file added.
 *
 *   node --import tsx test/support/ingest-peak-rss.ts <target> <path> <source> [<path> <source> ...]
 */
const [target, ...pairs] = process.argv.slice(2);
const requests: IngestRequest[] = [];
for (let i = 0; i + 1 < pairs.length; i += 2)
  requests.push({ path: pairs[i]!, source: pairs[i + 1] as IngestRequest['source'] });
const peakMiB = () => process.resourceUsage().maxRSS / 1024;
const store = await openStore(target!);
try {
  await migrateToLatest(store);
  const warmUp = await ingest(store, requests.slice(0, -1));
  const warmUpMiB = peakMiB();
  const last = await ingest(store, requests.slice(-1));
  process.stdout.write(
    JSON.stringify({
      outcomes: [...warmUp, ...last].map((o) => ({
        status: o.status,
        rows: o.rows,
        rejected: o.rejected,
        error: o.error,
      })),
      warmUpMiB,
      peakMiB: peakMiB(),
    }),
  );
} finally {
  await store.close();
}
