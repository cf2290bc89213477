/** Bench data: the seeded synthetic data set of scripts/generate, one file per layout, streamed to disk. */
import { join } from 'node:path';
import { writeAccountMap } from '../../scripts/generate/bos.js';
import { fileNameOf, syntheticAccountMap, writeLayout, type Layout } from '../../scripts/generate/layouts.js';
import { StreamSink } from '../../scripts/generate/sink.js';
import type { SyntheticOptions } from '../../scripts/generate/synthetic.js';

/** The options every bench file of one size is generated with (a Monday: a trading day of the 2019 calendar). */
export function benchOptions(rows: number, seed: number): SyntheticOptions {
  return { seed: seed >>> 0, date: '20190506', participant: 'CABC', rows, diffRate: 0 };
}

/**
 * Writes one layout into `dir` under its reference file name; returns its path and record count. The
 * `variant` copy carries the injected differences of `opts.diffRate` (scripts/generate/synthetic.ts).
 */
export async function writeBenchFile(
  dir: string,
  layout: Layout,
  opts: SyntheticOptions,
  variant = false,
): Promise<{ path: string; records: number }> {
  const path = join(dir, fileNameOf(layout, opts));
  const sink = StreamSink.toFile(path);
  const records = await writeLayout(sink, layout, opts, variant);
  await sink.close();
  return { path, records };
}

/**
 * The account map of the synthetic client codes (BOS trades and positions are mapped through it).
 * `tradesOnly` leaves out the X accounts of the variant positions, for a run of trades alone: a BOS
 * position of such an account is then an unmapped client, a rejected row. The full map is sound:
 * syntheticClient keeps the X (`KX0000001`), so no client maps to two accounts.
 */
export async function writeBenchAccountMap(
  dir: string,
  opts: SyntheticOptions,
  tradesOnly = false,
): Promise<{ path: string; records: number }> {
  const path = join(dir, `ACCOUNT_MAP_${opts.participant}.csv`);
  const sink = StreamSink.toFile(path);
  const entries = syntheticAccountMap(opts);
  const records = await writeAccountMap(
    sink,
    tradesOnly ? [...entries].filter((e) => e.dcassAccount.startsWith('A')) : entries,
  );
  await sink.close();
  return { path, records };
}
