import { setFlagsFromString } from 'node:v8';

// A load keeps about 40 MB alive but allocates a gigabyte of short-lived values per million rows;
// V8's default lets the old generation grow to about four times what survived the last full
// collection before collecting again, which put a 1,000,000-row BOS ingest at 218 MB of RSS (410 MB
// before its batches were made smaller). Growing by at most 100% holds it near 180 MB, for no
// measurable time (within the noise of bench:ingest). V8 reads this flag each
// time it sets the next limit, so setting it at start-up, before any work, takes effect.
setFlagsFromString('--heap-growing-percent=100');

// The young generation starts at a semi-space of 1 MB and doubles, up to 16 MB, whenever enough
// survives a scavenge: opening the embedded database and loading its files grew it on the main thread,
// where it stays grown for the rest of the process. Not growing it put the embedded 1,000,000 x
// 1,000,000 benchmark's peak RSS at 365-368 MiB instead of 384-388, in the same time on PGlite and on
// the server (the ingest worker sets its own young generation: ingest-worker.ts). V8 reads the factor
// when it grows the space, so setting it here takes effect; the size limits themselves are read only
// when the process starts.
setFlagsFromString('--semi-space-growth-factor=1');
