import fc from 'fast-check';

/**
 * fast-check configuration shared by every property test: FC_SEED fixes the seed (CI runs a fixed one
 * and a random one), FC_NUM_RUNS the runs per property. Import `fc` from here so the configuration is
 * applied before any property runs; on failure fast-check prints the seed and path to replay.
 */
function resolveSeed(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return (Math.random() * 0x7fffffff) | 0;
  const seed = Number.parseInt(raw, 10);
  if (!/^-?[0-9]+$/.test(raw.trim()) || !Number.isSafeInteger(seed)) {
    throw new Error(`FC_SEED: expected an integer seed, got "${raw}"`);
  }
  return seed | 0;
}

function resolveNumRuns(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 200;
  const n = Number.parseInt(raw, 10);
  if (!/^[0-9]+$/.test(raw.trim()) || n < 1)
    throw new Error(`FC_NUM_RUNS: expected a positive integer, got "${raw}"`);
  return n;
}

/** The seed every property in this test process uses. */
export const seed = resolveSeed(process.env.FC_SEED);

/** Runs per property. */
export const numRuns = resolveNumRuns(process.env.FC_NUM_RUNS);

fc.configureGlobal({ seed, numRuns });
console.log(`[property] fast-check seed ${seed} (replay with FC_SEED=${seed}), ${numRuns} runs per property`);

export { fc };
