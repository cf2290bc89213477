import { setFlagsFromString } from 'node:v8';

// A load keeps about 40 MB alive but allocates a gigabyte of short-lived values per million rows;
// V8's default lets the old generation grow to about four times what survived the last full
// collection before collecting again, which put a 1,000,000-row BOS ingest at 218 MB of RSS (410 MB
// before its batches were made smaller). Growing by at most 100% holds it near 180 MB, for no
// measurable time (within the noise of bench:ingest). V8 reads this flag each
// time it sets the next limit, so setting it at start-up, before any work, takes effect.
setFlagsFromString('--heap-growing-percent=100');
