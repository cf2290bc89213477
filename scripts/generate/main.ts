/**
 * Generator CLI.
 *   npx tsx scripts/generate/main.ts --layout <layout|all> --rows N --seed S --date YYYYMMDD --out DIR
 *        [--participant CABC] [--diff-rate 0.0015] [--variant] [--bos-all-trade-nos]
 *   npx tsx scripts/generate/main.ts --fixtures DIR     (the hand-written CABC fixture set)
 *   npx tsx scripts/generate/main.ts --chained DAYS --rows N --seed S --date YYYYMMDD --out DIR
 *        (business days chained as the soak benchmark loads them; see chained.ts)
 * Prints a JSON summary on stdout (files, records, injected differences for --variant).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ChainedDays, defaultPlants, writeDay, writeOpening } from './chained.js';
import { writeFixtures } from './fixtures.js';
import { generate, LAYOUTS } from './layouts.js';
import type { Layout } from './layouts.js';

const USAGE = `usage:
  tsx scripts/generate/main.ts --layout <${LAYOUTS.join('|')}|all> --rows N --seed S --date YYYYMMDD --out DIR
      [--participant CABC] [--diff-rate 0.0015] [--variant] [--bos-all-trade-nos]
  tsx scripts/generate/main.ts --fixtures DIR
  tsx scripts/generate/main.ts --chained DAYS --rows N --seed S --date YYYYMMDD --out DIR [--participant CABC]

--variant writes the slightly different copy of the same seed: rows dropped (only in the base copy),
rows inserted (only in the variant), quantity and price changes, each at diff-rate/4 of the rows.
Generate the base copy into one folder and the variant into another; stdout reports the counts.
--bos-all-trade-nos gives every BOS trade its exchange trade number (by default about 1 in 50 is
blank, as back offices leave it).
--chained writes DAYS business days from --date into DIR/dcass/<date>/ and DIR/bos/ (the opening
positions of the trading day before and the account map too): each day's DCASS positions are the
previous day's plus its trades, and the BOS copies carry a known number of planted breaks a day
(stdout lists them per day).`;

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
      chained: { type: 'string' },
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
  if (values.chained !== undefined) {
    await writeChained(values.chained, values);
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

/** --chained: the soak benchmark's days, written as a CP's input folders. */
async function writeChained(
  daysArg: string,
  values: { rows?: string; seed?: string; date?: string; out?: string; participant: string },
): Promise<void> {
  const days = Number(daysArg);
  if (!Number.isSafeInteger(days) || days < 1)
    fail(`--chained must be a positive number of days, got ${daysArg}`);
  const rows = Number(values.rows ?? fail('--rows is required'));
  if (!Number.isSafeInteger(rows) || rows < 100)
    fail(`--rows must be an integer of at least 100, got ${values.rows}`);
  const seed = Number(values.seed ?? fail('--seed is required'));
  if (!Number.isSafeInteger(seed)) fail(`--seed must be an integer, got ${values.seed}`);
  const start = values.date ?? fail('--date is required');
  if (!/^\d{8}$/.test(start)) fail(`--date must be YYYYMMDD, got ${start}`);
  const out = values.out ?? fail('--out is required');
  const inputs = { dcass: join(out, 'dcass'), bos: join(out, 'bos') };
  await mkdir(inputs.bos, { recursive: true });
  const chain = new ChainedDays({
    seed: seed >>> 0,
    participant: values.participant,
    rows,
    start,
    plants: defaultPlants(rows),
  });
  const files = await writeOpening(chain, inputs);
  const expected = [];
  for (let d = 0; d < days; d++) {
    const day = chain.next();
    files.push(...(await writeDay(day, values.participant, inputs)));
    const { positionBreaks, flatPositions, ...counts } = day.expect;
    expected.push({ ...counts, positionBreaks: positionBreaks.length, flatPositions: flatPositions.length });
  }
  console.log(JSON.stringify({ seed, rows, plants: defaultPlants(rows), files, days: expected }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(2);
});
