/**
 * Generator CLI.
 *   npx tsx scripts/generate/main.ts --layout <layout|all> --rows N --seed S --date YYYYMMDD --out DIR
 *        [--participant CABC] [--diff-rate 0.0015] [--variant] [--bos-all-trade-nos]
 *   npx tsx scripts/generate/main.ts --fixtures DIR     (the hand-written CABC fixture set)
 * Prints a JSON summary on stdout (files, records, injected differences for --variant).
 */
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { writeFixtures } from './fixtures.js';
import { generate, LAYOUTS } from './layouts.js';
import type { Layout } from './layouts.js';

const USAGE = `usage:
  tsx scripts/generate/main.ts --layout <${LAYOUTS.join('|')}|all> --rows N --seed S --date YYYYMMDD --out DIR
      [--participant CABC] [--diff-rate 0.0015] [--variant] [--bos-all-trade-nos]
  tsx scripts/generate/main.ts --fixtures DIR

--variant writes the slightly different copy of the same seed: rows dropped (only in the base copy),
rows inserted (only in the variant), quantity and price changes, each at diff-rate/4 of the rows.
Generate the base copy into one folder and the variant into another; stdout reports the counts.
--bos-all-trade-nos gives every BOS trade its exchange trade number (by default about 1 in 50 is
blank, as back offices leave it).`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      layout: { type: 'string' },
      rows: { type: 'string' },
      seed: { type: 'string' },
      date: { type: 'string' },
      out: { type: 'string' },
      participant: { type: 'string', default: 'CABC' },
      'diff-rate': { type: 'string', default: '0.0015' },
      variant: { type: 'boolean', default: false },
      'bos-all-trade-nos': { type: 'boolean', default: false },
      fixtures: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.fixtures !== undefined) {
    const written = await writeFixtures(values.fixtures);
    console.log(JSON.stringify({ fixtures: values.fixtures, files: written.length }, null, 2));
    return;
  }
  const layoutArg = values.layout ?? fail('--layout is required');
  const layouts: readonly Layout[] =
    layoutArg === 'all'
      ? LAYOUTS
      : (LAYOUTS as readonly string[]).includes(layoutArg)
        ? [layoutArg as Layout]
        : fail(`unknown layout ${layoutArg}`);
  const rows = Number(values.rows ?? fail('--rows is required'));
  if (!Number.isSafeInteger(rows) || rows < 0)
    fail(`--rows must be a non-negative integer, got ${values.rows}`);
  const seed = Number(values.seed ?? fail('--seed is required'));
  if (!Number.isSafeInteger(seed)) fail(`--seed must be an integer, got ${values.seed}`);
  const date = values.date ?? fail('--date is required');
  if (!/^\d{8}$/.test(date)) fail(`--date must be YYYYMMDD, got ${date}`);
  const out = values.out ?? fail('--out is required');
  const participant = values.participant;
  if (!/^[A-Z0-9]{1,5}$/.test(participant))
    fail(`--participant must be 1-5 letters or digits, got ${participant}`);
  const diffRate = Number(values['diff-rate']);
  if (!(diffRate >= 0 && diffRate <= 1)) fail(`--diff-rate must be in [0, 1], got ${values['diff-rate']}`);
  await mkdir(out, { recursive: true });
  const started = process.hrtime.bigint();
  const summary = await generate(
    layouts,
    {
      seed: seed >>> 0,
      date,
      participant,
      rows,
      diffRate,
      ...(values['bos-all-trade-nos'] ? { bosTradeNoGaps: false } : {}),
    },
    out,
    values.variant,
  );
  const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
  console.log(
    JSON.stringify(
      { seed, date, participant, rows, diffRate, variant: values.variant, ms, ...summary },
      null,
      2,
    ),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(2);
});
