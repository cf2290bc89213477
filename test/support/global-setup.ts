/**
 * Prints what this run of the suite proves against: the database target, and the fast-check seed
 * (a fixed one when FC_SEED is set, else a fresh random one shared by every test file, so a failure
 * can be replayed with FC_SEED=<seed>).
 */
export default function setup(): void {
  const url = process.env.DATABASE_URL;
  const target = url ? `postgres server (${url.replace(/\/\/[^@]*@/, '//***@')})` : 'embedded PGlite';
  process.env.FC_SEED ??= String((Math.random() * 2 ** 31) | 0);
  console.log(
    `[dcass-recon tests] database target: ${target}; fast-check seed: FC_SEED=${process.env.FC_SEED}`,
  );
}
