/** Prints which database target this run of the suite uses, so a CI log says what was proven. */
export default function setup(): void {
  const url = process.env.DATABASE_URL;
  const target = url ? `postgres server (${url.replace(/\/\/[^@]*@/, '//***@')})` : 'embedded PGlite';
  const seed = process.env.FC_SEED ?? '(random)';
  console.log(`[dcass-recon tests] database target: ${target}; fast-check seed: ${seed}`);
}
