import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection on the main thread every few stored batches. With the records read in the
 * worker, this thread allocates little JavaScript, so V8 seldom collects it; yet each COPY leaves
 * buffers behind (embedded PGlite takes a batch as a Blob and copies it into an ArrayBuffer on this
 * thread), memory outside the JavaScript heap that V8 weighs too lightly to collect for. Measured on
 * PGlite, 1,000,000 BOS trades: dead ArrayBuffers grew to 175 MiB and the peak RSS to 571 MiB; with a
 * collection every 10 batches (a heap of about 30 MiB: milliseconds) they stay under 35 MiB and the
 * peak near 417 MiB, every 3 batches 386 MiB in the same wall time (33.0 s against 33.8 s, same CPU).
 * A minor collection frees none of them: they outlive the COPY and are promoted.
 */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

const BATCHES_PER_COLLECTION = 3;
let stored = 0;

/** Counts a stored batch; collects after every third. */
export function batchStored(): void {
  if (++stored % BATCHES_PER_COLLECTION === 0) collect();
}
