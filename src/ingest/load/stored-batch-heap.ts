import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection on the main thread, every few stored batches, when the process's resident
 * memory has come near its peak. With the records read in the worker, this thread allocates little
 * JavaScript, so V8 seldom collects it; yet each COPY leaves memory behind outside the JavaScript heap
 * that V8 weighs too lightly to collect for. Measured on PGlite, 1,000,000 BOS trades, when each batch
 * was copied into a Blob: dead ArrayBuffers grew to 175 MiB and the peak RSS to 571 MiB; with a
 * collection every 3 batches the peak stayed near 386 MiB. A minor collection frees none of it: it
 * outlives the COPY and is promoted.
 *
 * A collection costs 15-25 ms here: over 2 s of the embedded benchmark's ingest, one every 3 of its 400
 * batches. Yet its peak is opening PGlite (compiling PostgreSQL: 363 MiB), and loading stays well under
 * it, collected now and then: so a collection runs only once the resident memory is within
 * HEADROOM_BYTES of the peak so far, where what is left uncollected could raise it. The benchmark's
 * embedded ingest took 13.9-16.5 s instead of 17.9-18.0 s (with fileStored below; four rounds and
 * two), its peak RSS 362-374 MiB instead of 365-366: the target is 400 MB (381 MiB).
 * While the process grows (a server's ingest, whose RSS is its peak), that is every third batch.
 */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

const BATCHES_PER_COLLECTION = 3;
const HEADROOM_BYTES = 8 * 1024 * 1024;
let stored = 0;

/**
 * After a file's last batch: collects what its batches left, whatever the resident memory. Between one
 * file and the next (finishing one, starting the next) the process briefly needs some 20 MiB more: left
 * to garbage, that raised the embedded benchmark's peak to 384 MiB in one run of seven.
 */
export function fileStored(): void {
  collect();
}

/** Counts a stored batch; collects after every third when the resident memory is near its peak. */
export function batchStored(): void {
  if (++stored % BATCHES_PER_COLLECTION !== 0) return;
  const peak = process.resourceUsage().maxRSS * 1024;
  if (process.memoryUsage.rss() + HEADROOM_BYTES >= peak) collect();
}
